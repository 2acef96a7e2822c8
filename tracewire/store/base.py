"""The storage interface every backend implements."""

from __future__ import annotations

import abc
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..records import Document, Rejection

if TYPE_CHECKING:
    from ..signatures import Signature


@dataclass(slots=True)
class IngestBatch:
    """Documents, rejections and raw bytes written together in one transaction."""

    blobs: dict[str, bytes] = field(default_factory=dict)
    documents: list[tuple[Document, str | None, int | None]] = field(default_factory=list)
    rejections: list[tuple[Rejection, str | None]] = field(default_factory=list)
    inputs: list[tuple[str, str, str, int, int]] = field(default_factory=list)


@dataclass(slots=True)
class IngestCounts:
    """What one batch changed: new documents, new versions, unchanged inputs, rejections."""

    ingested: int = 0
    new_versions: int = 0
    unchanged: int = 0
    rejected: int = 0

    def add(self, other: IngestCounts) -> None:
        """Accumulate another batch's counts."""
        self.ingested += other.ingested
        self.new_versions += other.new_versions
        self.unchanged += other.unchanged
        self.rejected += other.rejected


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
    def record_signatures(self, signatures: Iterable[Signature]) -> None:
        """Keep each analysis signature's parts under its digest."""

    @abc.abstractmethod
    def layer_signatures(self) -> dict[str, dict[str, str]]:
        """For every current document id: component (without version) -> digest of its stored layer."""

    @abc.abstractmethod
    def signatures(self, digests: Iterable[str]) -> dict[str, Signature]:
        """The stored signatures with these digests, by digest."""

    @abc.abstractmethod
    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
        """Run a read-only SQL query and return rows as dicts."""

    @abc.abstractmethod
    def close(self) -> None:
        """Release the connection."""
