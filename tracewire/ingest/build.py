"""Assemble a Document from extracted raw text: normalise, read metadata, merge format hints."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from ..errors import Code, Rejected
from ..records import Document
from ..store.base import DocSource
from .boilerplate import BoilerplateRules
from .context import FileInput, ReadResult
from .metadata import from_text
from .names import clean_str, clean_value, id_candidates
from .normalize import normalize

# fewer letters than this after normalisation and there is no article
MIN_LETTERS = 20
# more characters than this is no news article (a book, a dump, an attack on memory): TW106
MAX_DOC_CHARS = 5_000_000


@dataclass(slots=True)
class Hints:
    """Metadata a reader found outside the text (HTML meta, JSON-LD, corpus columns)."""

    title: str | None = None
    outlet: str | None = None
    date: str | None = None
    url: str | None = None
    author: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)


def sha256(data: bytes) -> str:
    """Hex sha256 of bytes."""
    return hashlib.sha256(data).hexdigest()


def build_document(
    doc_id: str,
    raw: str,
    *,
    fmt: str,
    source_path: str,
    digest: str,
    rules: BoilerplateRules,
    hints: Hints | None = None,
    pdf: bool = False,
    pages: int = 1,
) -> Document:
    """Normalise ``raw`` and combine format hints with metadata read from the text."""
    if len(raw) > MAX_DOC_CHARS:
        raise Rejected(
            Code.TW106,
            f"text of {len(raw):,} characters is over the {MAX_DOC_CHARS:,}-character limit for one "
            "document; split it into articles",
        )
    raw, bad = clean_str(raw)
    mt = normalize(raw, pdf=pdf, pages=pages, rules=rules)
    letters = sum(ch.isalpha() for ch in mt.text)
    if letters < MIN_LETTERS:
        raise Rejected(Code.TW108, f"no article text: {letters} letters after extraction and clean-up")
    found = from_text(mt.text)
    h = _clean_hints(hints or Hints())
    meta: dict[str, Any] = dict(h.meta)
    meta.update(found.extra)
    if bad:
        meta["surrogates_replaced"] = int(meta.get("surrogates_replaced", 0)) + bad
    return Document(
        id=doc_id,
        text=mt.text,
        sha256=digest,
        source_path=source_path,
        title=h.title or found.title,
        outlet=h.outlet or found.outlet,
        date=h.date or found.date,
        url=h.url,
        author=h.author or found.author,
        dateline=found.dateline,
        fmt=fmt,
        offset_map=mt.anchors(),
        raw_text=raw,
        meta=meta,
    )


def _clean_hints(h: Hints) -> Hints:
    """Hints without lone surrogates (a JSON row may carry ``"\\ud800"`` in any field)."""
    def one(v: str | None) -> str | None:
        return None if v is None else clean_str(v)[0]

    meta, _ = clean_value(h.meta)
    return Hints(title=one(h.title), outlet=one(h.outlet), date=one(h.date), url=one(h.url),
                 author=one(h.author), meta=meta)


def single(inp: FileInput, raw: str, *, fmt: str, hints: Hints | None = None, pdf: bool = False,
           pages: int = 1) -> ReadResult:
    """A one-document file: its source is the file, its id the stem (qualified on a collision)."""
    candidates = id_candidates(inp.path)
    doc = build_document(
        candidates[0], raw, fmt=fmt, source_path=inp.name, digest=inp.sha256, rules=inp.rules,
        hints=hints, pdf=pdf, pages=pages,
    )
    return ReadResult(documents=[doc], rows=[None], sources=[DocSource(inp.key, candidates)])
