"""File names and untrusted strings made storable: lossless escapes, no lone surrogates."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

# a lone UTF-16 surrogate: legal in a Python str (JSON "\ud800", an undecodable file name byte),
# but not encodable as UTF-8, so SQLite and every output would refuse it
_SURROGATE = re.compile("[\ud800-\udfff]")
_ESCAPE = re.compile(r"\\(\\|x[0-9a-f]{2})")


def escape_name(name: str | os.PathLike[str]) -> str:
    """A file name as storable text: bytes that are not UTF-8 become ``\\xNN``, a backslash ``\\\\``."""
    raw = os.fsencode(name)
    text = raw.decode("utf-8", errors="surrogateescape")
    if "\\" not in text and not _SURROGATE.search(text):
        return text
    out: list[str] = []
    for ch in text:
        if ch == "\\":
            out.append("\\\\")
        elif "\udc80" <= ch <= "\udcff":
            out.append(f"\\x{ord(ch) - 0xDC00:02x}")
        else:
            out.append(ch)
    return "".join(out)


def unescape_name(text: str) -> bytes:
    """The exact bytes of a file name escaped by :func:`escape_name`."""
    def one(m: re.Match[str]) -> str:
        tok = m.group(1)
        return "\\" if tok == "\\" else chr(0xDC00 + int(tok[1:], 16))

    return _ESCAPE.sub(one, text).encode("utf-8", errors="surrogateescape")


def id_candidates(path: Path, suffix: str = "", plain: str | None = None) -> tuple[str, ...]:
    """Readable ids for a document from ``path``, plainest first, each more qualified by the path.

    ``plain`` is the id wanted when nothing collides (the file stem, or a row's id field); the
    others are the file name, then its parent folders, each followed by ``suffix`` (``:row``).
    """
    parts = [escape_name(p) for p in Path(os.path.abspath(path)).parts]
    first = plain if plain is not None else escape_name(path.stem) + suffix
    out = [first]
    for k in range(1, len(parts) + 1):
        tail = "/".join(parts[-k:]).lstrip("/") or "/"
        out.append(tail + suffix)
    seen: set[str] = set()
    return tuple(c for c in out if c and not (c in seen or seen.add(c)))  # type: ignore[func-returns-value]


def clean_str(text: str) -> tuple[str, int]:
    """Replace lone surrogates with U+FFFD; returns the text and how many were replaced."""
    if not _SURROGATE.search(text):
        return text, 0
    fixed = text.encode("utf-16", errors="surrogatepass").decode("utf-16", errors="replace")
    return fixed, len(_SURROGATE.findall(text))


def clean_value(value: Any) -> tuple[Any, int]:
    """``clean_str`` through a parsed JSON value (strings, keys, lists, dicts)."""
    if isinstance(value, str):
        return clean_str(value)
    if isinstance(value, list):
        total = 0
        items = []
        for v in value:
            c, n = clean_value(v)
            items.append(c)
            total += n
        return items, total
    if isinstance(value, dict):
        total = 0
        out: dict[str, Any] = {}
        for k, v in value.items():
            ck, nk = clean_str(str(k))
            cv, nv = clean_value(v)
            out[ck] = cv
            total += nk + nv
        return out, total
    return value, 0
