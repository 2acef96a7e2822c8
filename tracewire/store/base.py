"""The storage interface every backend implements."""

from __future__ import annotations

import abc
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ..records import Document, Rejection


@dataclass(frozen=True, slots=True)
class DocSource:
    """Where a document comes from (its identity) and the ids it may take, plainest first.

    ``key`` is the input path (escaped, absolute), plus ``#id=…`` or ``#row=…`` for a corpus row.
    The store gives a new source the first candidate no other source holds; a source it knows
    keeps its id, and changed content becomes a new version of that id.
    """

    key: str
    candidates: tuple[str, ...]


@dataclass(slots=True)
class IngestBatch:
    """Documents, rejections and raw bytes written together in one transaction.

    ``sources[i]`` is the source of ``documents[i]``; documents without one (callers that set ids
    themselves) are identified by their id, and a changed one with the same id is a new version.
    """

    blobs: dict[str, bytes] = field(default_factory=dict)
    documents: list[tuple[Document, str | None, int | None]] = field(default_factory=list)
    rejections: list[tuple[Rejection, str | None]] = field(default_factory=list)
    inputs: list[tuple[str, str, str, int, int]] = field(default_factory=list)
    sources: list[DocSource | None] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Collision:
    """A document whose plain id another source already held, stored under a qualified id."""

    wanted: str
    stored_as: str
    source: str


@dataclass(slots=True)
class IngestCounts:
    """What one batch changed: new documents, new versions, unchanged inputs, rejections."""

    ingested: int = 0
    new_versions: int = 0
    unchanged: int = 0
    rejected: int = 0
    collisions: list[Collision] = field(default_factory=list)

    def add(self, other: IngestCounts) -> None:
        """Accumulate another batch's counts."""
        self.ingested += other.ingested
        self.new_versions += other.new_versions
        self.unchanged += other.unchanged
        self.rejected += other.rejected
        self.collisions.extend(other.collisions)


class Store(abc.ABC):
    """A tracewire store: raw inputs, documents, rejections and analysis tables."""

    @abc.abstractmethod
    def known_input(self, path: str, sha256: str) -> bool:
        """True when this exact file (path and bytes) was ingested before."""

    @abc.abstractmethod
    def write_ingest_batch(self, batch: IngestBatch) -> IngestCounts:
        """Write a batch atomically; identical documents are ignored, changed ones versioned."""

    @abc.abstractmethod
    def documents(self, ids: list[str] | None = None) -> Iterator[Document]:
        """Current version of each document (or of the given ids), ordered by id."""

    @abc.abstractmethod
    def document(self, doc_id: str) -> Document:
        """Current version of one document; KeyError when absent."""

    @abc.abstractmethod
    def rejections(self) -> Iterator[Rejection]:
        """Every recorded rejection, oldest first."""

    @abc.abstractmethod
    def raw_bytes(self, sha256: str) -> bytes:
        """The raw input bytes stored under ``sha256``."""

    @abc.abstractmethod
    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
        """Run a read-only SQL query and return rows as dicts."""

    @abc.abstractmethod
    def close(self) -> None:
        """Release the connection."""
