"""What a reader receives (one input file) and returns (documents and row rejections)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from ..records import Document, Rejection
from ..store.base import DocSource
from .boilerplate import BoilerplateRules


@dataclass(slots=True)
class FieldMap:
    """Which column/field of a JSONL or CSV corpus holds each document field, in priority order."""

    id: tuple[str, ...] = ("id",)
    title: tuple[str, ...] = ("title", "article_title", "headline")
    text: tuple[str, ...] = ("text", "content", "article_content", "body", "article")
    url: tuple[str, ...] = ("url", "link")
    date: tuple[str, ...] = ("date", "published", "publish_date", "pubdate")
    outlet: tuple[str, ...] = ("outlet", "source", "site", "publisher")
    author: tuple[str, ...] = ("author", "byline")

    def with_overrides(self, pairs: list[str]) -> FieldMap:
        """Apply ``field=column`` overrides from the command line (the column is tried first)."""
        from ..errors import UsageError

        fm = FieldMap(**{k: getattr(self, k) for k in self.__slots__})
        for pair in pairs:
            key, sep, column = pair.partition("=")
            if not sep or key not in self.__slots__ or not column:
                raise UsageError(
                    f"Bad field mapping {pair!r}: use FIELD=COLUMN with FIELD one of "
                    "id, title, text, url, date, outlet, author (e.g. --field text=article_content)"
                )
            setattr(fm, key, (column, *getattr(fm, key)))
        return fm


@dataclass(slots=True)
class FileInput:
    """One input file's bytes and what the readers need to turn it into documents."""

    path: Path
    data: bytes
    sha256: str
    rules: BoilerplateRules
    fields: FieldMap = field(default_factory=FieldMap)
    # the path as storable, printable-safe text (undecodable bytes escaped) and the source key
    name: str = ""
    key: str = ""
    # seconds a reader may spend on this file (PDFs check it between steps)
    budget_s: float = 30.0

    def __post_init__(self) -> None:
        from .names import escape_name

        if not self.name:
            self.name = escape_name(self.path)
        if not self.key:
            self.key = escape_name(os.path.abspath(self.path))


@dataclass(slots=True)
class ReadResult:
    """Documents read from one input, plus rejections of single rows inside it."""

    documents: list[Document] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    # row number of each document inside a corpus file (None for one-document files)
    rows: list[int | None] = field(default_factory=list)
    # where each document comes from and the ids it may take (see store.base.DocSource)
    sources: list[DocSource] = field(default_factory=list)
