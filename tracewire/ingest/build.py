"""Assemble a Document from extracted raw text: normalise, read metadata, merge format hints."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from ..errors import Code, Rejected
from ..records import Document
from .boilerplate import BoilerplateRules
from .metadata import from_text
from .normalize import normalize

# fewer letters than this after normalisation and there is no article
MIN_LETTERS = 20


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
    mt = normalize(raw, pdf=pdf, pages=pages, rules=rules)
    letters = sum(ch.isalpha() for ch in mt.text)
    if letters < MIN_LETTERS:
        raise Rejected(Code.TW108, f"no article text: {letters} letters after extraction and clean-up")
    found = from_text(mt.text)
    h = hints or Hints()
    meta: dict[str, Any] = dict(h.meta)
    meta.update(found.extra)
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
