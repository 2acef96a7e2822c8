"""Decide what an input file is and decode text bytes, or reject them with a code."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import Code, Rejected

TEXT_EXT = {".txt", ".text", ".md", ""}
HTML_EXT = {".html", ".htm", ".xhtml"}
PDF_EXT = {".pdf"}
JSONL_EXT = {".jsonl", ".ndjson"}
CSV_EXT = {".csv", ".tsv"}
SUPPORTED = TEXT_EXT | HTML_EXT | PDF_EXT | JSONL_EXT | CSV_EXT

# control characters other than tab, newline, carriage return, form feed
_CONTROL = set(range(0, 32)) - {9, 10, 12, 13}


def sniff(path: Path, data: bytes) -> str:
    """Return the reader name for ``data`` (txt, html, pdf, jsonl, csv) or raise Rejected."""
    if not data:
        raise Rejected(Code.TW101, "empty file (0 bytes): nothing to ingest")
    ext = path.suffix.lower()
    head = data[:2048].lstrip().lower()
    if data.startswith(b"%PDF") or ext in PDF_EXT:
        return "pdf"
    if ext in HTML_EXT or head.startswith((b"<!doctype html", b"<html")):
        return "html"
    if ext in JSONL_EXT:
        return "jsonl"
    if ext in CSV_EXT:
        return "csv"
    if ext in TEXT_EXT:
        return "txt"
    kind = _magic(data)
    raise Rejected(
        Code.TW102,
        f"unsupported file type {ext or '(no extension)'}{f' ({kind})' if kind else ''}; "
        "tracewire reads .txt .html .htm .pdf .jsonl .csv",
    )


def _magic(data: bytes) -> str:
    """Name a few common binary formats from their first bytes."""
    for sig, name in (
        (b"PK\x03\x04", "zip archive or office document"),
        (b"\x89PNG", "PNG image"),
        (b"\xff\xd8\xff", "JPEG image"),
        (b"GIF8", "GIF image"),
        (b"\x1f\x8b", "gzip archive"),
        (b"\x7fELF", "executable"),
        (b"WARC/", "WARC archive (not yet supported)"),
    ):
        if data.startswith(sig):
            return name
    return ""


def _utf16_without_bom(data: bytes) -> bool:
    """True when NUL bytes sit at every other position, the mark of UTF-16 text without a BOM."""
    sample = data[:4096]
    if len(sample) < 8:
        return False
    even = sample[0::2].count(0) / max(1, len(sample[0::2]))
    odd = sample[1::2].count(0) / max(1, len(sample[1::2]))
    return max(even, odd) > 0.6 and min(even, odd) < 0.1


# the character sets news text plausibly comes in when it is not UTF-8; detection never leaves them
CANDIDATES = (
    "cp1252", "latin_1", "cp1256", "koi8_r", "cp1251",
    "iso8859_2", "iso8859_3", "iso8859_4", "iso8859_5", "iso8859_6", "iso8859_7", "iso8859_8",
    "iso8859_9", "iso8859_10", "iso8859_13", "iso8859_14", "iso8859_15", "iso8859_16",
)
# above this share of "mess" (charset_normalizer's chaos) a guessed character set is not trusted
MAX_CHAOS = 0.15
# NUL bytes in text: a few are removed and recorded; more than this share means binary content
MAX_NUL_SHARE = 0.01

_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32-le", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32-be", "utf-32"),
    (b"\xef\xbb\xbf", "utf-8", "utf-8-sig"),
    (b"\xff\xfe", "utf-16-le", "utf-16"),
    (b"\xfe\xff", "utf-16-be", "utf-16"),
)
# a valid multi-byte UTF-8 sequence (used to tell UTF-8 mixed with a legacy charset from pure legacy)
_UTF8_SEQ = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)


_HIGH_BYTES = bytes(range(128, 256))
_LONE_HIGH = re.compile(rb"(?<![\x80-\xff])[\x80-\xff](?![\x80-\xff])")


def _mixed_utf8(head: bytes) -> bool:
    """UTF-8 text with pieces in Latin-1/cp1252: valid UTF-8 sequences, plus lone high bytes in ASCII.

    In such files (one source appended to another) a Latin-1 letter sits between ASCII letters
    ("caf\xe9 "); runs of high bytes mean another charset or binary, which the guesser handles.
    """
    good = sum(len(m) for m in _UTF8_SEQ.findall(head))
    if good < 2:
        return False
    rest = _UTF8_SEQ.sub(b"a", head)
    high = len(rest) - len(rest.translate(None, _HIGH_BYTES))
    ascii_share = 1 - (high + good) / max(1, len(head))
    return high > 0 and len(_LONE_HIGH.findall(rest)) >= 0.8 * high and ascii_share >= 0.5


@dataclass(frozen=True, slots=True)
class Decoded:
    """Text decoded from bytes, the encoding used and what decoding had to change."""

    text: str
    encoding: str
    notes: tuple[tuple[str, Any], ...] = ()

    def meta(self) -> dict[str, Any]:
        """What a document's meta records about its decoding (nothing for clean UTF-8)."""
        out: dict[str, Any] = dict(self.notes)
        if self.encoding != "utf-8":
            out["encoding"] = self.encoding
        return out


def _legacy_fallback(err: UnicodeError) -> tuple[str | bytes, int]:
    """Codec error handler: a byte that is not UTF-8 is read as cp1252 (Latin-1 where cp1252 has a hole)."""
    if not isinstance(err, UnicodeDecodeError):
        raise err
    bad = err.object[err.start : err.end]
    return bad.decode("cp1252", errors="ignore") or bad.decode("latin_1"), err.end


codecs.register_error("tracewire-cp1252", _legacy_fallback)


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode text bytes: BOM, then UTF-8, then a detected charset; returns (text, encoding)."""
    d = decode(data)
    return d.text, d.encoding


def decode(data: bytes) -> Decoded:
    """Decode text honestly: BOM, UTF-8, UTF-8 mixed with cp1252, a confined charset guess, or TW103."""
    notes: list[tuple[str, Any]] = []
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom) :].decode(codec)
            except UnicodeDecodeError as e:
                raise Rejected(Code.TW103, f"{name.upper()} byte-order mark but undecodable bytes: {e.reason}") from e
            return _finish(text, name, notes)
    if _utf16_without_bom(data):
        raise Rejected(
            Code.TW103,
            "looks like UTF-16 text without a byte-order mark, which cannot be decoded reliably; "
            "re-save the file as UTF-8 (or UTF-16 with a BOM)",
        )
    _binary_check(data)
    try:
        return _finish(data.decode("utf-8"), "utf-8", notes)
    except UnicodeDecodeError:
        pass
    if _mixed_utf8(data[: 1 << 20]):
        # files concatenated from UTF-8 and Latin-1/cp1252 sources: each byte read by the charset it fits
        text = data.decode("utf-8", errors="tracewire-cp1252")
        notes.append(("mixed_encoding", "bytes that are not UTF-8 were read as cp1252"))
        return _finish(text, "utf-8+cp1252", notes)
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=list(CANDIDATES)).best()
    if best is None:
        raise Rejected(
            Code.TW103,
            "not UTF-8 and none of the character sets news is written in (cp1252/Latin-1, cp1256, KOI8-R, "
            "cp1251, ISO-8859-x) fits; re-save the file as UTF-8",
        ) from None
    if best.chaos > MAX_CHAOS:
        raise Rejected(
            Code.TW103,
            f"not UTF-8; the best guess {best.encoding} leaves {best.chaos:.0%} of the text garbled "
            f"(the limit is {MAX_CHAOS:.0%}); re-save the file as UTF-8",
        )
    notes.append(("encoding_confidence", round(1.0 - float(best.chaos), 3)))
    return _finish(str(best), str(best.encoding), notes)


_CONTROL_BYTES = bytes(sorted(_CONTROL))


def _binary_check(data: bytes) -> None:
    """Reject bytes that are binary whatever their encoding: many NULs or control bytes."""
    nuls = data.count(0)
    if nuls > max(3, len(data) * MAX_NUL_SHARE):
        raise Rejected(Code.TW102, f"binary content: {nuls} NUL bytes in a file named as text")
    head = data[:20000]
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
    if controls > max(3, len(head) // 100):
        raise Rejected(Code.TW102, f"binary content: {controls} control bytes in the first 20,000")


def _finish(text: str, encoding: str, notes: list[tuple[str, Any]]) -> Decoded:
    """Remove a few NUL bytes (recorded) or reject binary content; returns the decoded text."""
    nuls = text.count("\x00")
    if nuls:
        if nuls > max(3, len(text) * MAX_NUL_SHARE):
            raise Rejected(Code.TW102, f"binary content: {nuls} NUL characters in a file named as text")
        text = text.replace("\x00", "")
        notes.append(("nul_removed", nuls))
    head = text[:20000]
    controls = sum(1 for ch in head if ord(ch) in _CONTROL)
    if controls > max(3, len(head) // 100):
        raise Rejected(Code.TW102, f"binary content: {controls} control characters in the first 20,000")
    return Decoded(text, encoding, tuple(notes))
