"""The storage interface every backend implements."""

from __future__ import annotations

import abc
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..records import Document, DocumentAnalysis, Rejection, ReuseLink, Story
from .readmodel import PAGE_SIZE, STORY_GRAPHS, ClaimFilters

if TYPE_CHECKING:
    from ..signatures import Signature

Row = dict[str, Any]


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


@dataclass(frozen=True, slots=True)
class IndexedDocument:
    """One document in the reuse index: the version and furniture it was indexed with, its anchors."""

    id: str
    sha256: str
    words: int
    anchors: bytes  # unique anchor hashes, little-endian uint64
    furniture: str  # furniture spans + house text JSON it was indexed with


# what the reuse stage makes of every stored link inside the write: (marked links, stories)
FinishReuse = Callable[[list[ReuseLink]], tuple[list[ReuseLink], list[Story]]]


class Store(abc.ABC):
    """A tracewire store: raw inputs, documents, rejections, analysis tables and the read models over them.

    Export, the report and the web UI read only through these methods; a read-only store (the web
    server's per-worker readers) answers the read models and raises on writes.
    """

    @abc.abstractmethod
    def known_input(self, path: str, sha256: str) -> bool:
        """True when this exact file (path and bytes) was ingested before."""

    @abc.abstractmethod
    def write_ingest_batch(self, batch: IngestBatch) -> IngestCounts:
        """Write a batch atomically; identical documents are ignored, changed ones versioned."""

    # -- per-document analysis --
    @abc.abstractmethod
    def pending_analysis(self, pipeline: str) -> list[str]:
        """Ids of current documents never analysed, or analysed by another pipeline, ordered."""

    @abc.abstractmethod
    def write_analyses(
        self,
        analyses: Sequence[DocumentAnalysis],
        pipeline: str,
        layers: Collection[str] | None = None,
        signatures: Sequence[Signature] = (),
    ) -> None:
        """Replace the given ``layers`` (all when None) of each analysed document version in one
        transaction, and record ``signatures`` as the analysis of those layers."""

    # -- records --
    @abc.abstractmethod
    def documents(self, ids: list[str] | None = None) -> Iterator[Document]:
        """Current version of each document (or of the given ids), ordered by id."""

    @abc.abstractmethod
    def document(self, doc_id: str) -> Document:
        """Current version of one document; KeyError when absent."""

    @abc.abstractmethod
    def count_documents(self) -> int:
        """How many current documents the store holds."""

    @abc.abstractmethod
    def rejections(self) -> Iterator[Rejection]:
        """Every recorded rejection, oldest first."""

    @abc.abstractmethod
    def raw_bytes(self, sha256: str) -> bytes:
        """The raw input bytes stored under ``sha256``."""

    # -- export records (the JSON Lines contract of README) --
    @abc.abstractmethod
    def claim_rows(self) -> Iterator[Row]:
        """Claims of current documents with attribution and hedges, by document and offset."""

    @abc.abstractmethod
    def span_rows(self, layer: str) -> Iterator[Row]:
        """Spans of ``layer`` (quantities, places, actors, techniques), by document and offset."""

    @abc.abstractmethod
    def reuse_rows(self) -> Iterator[Row]:
        """Reuse links with their passages, by source and target."""

    @abc.abstractmethod
    def story_rows(self) -> Iterator[Row]:
        """Stories with members and derivation tree, by story id."""

    # -- derived tables of the report and web UI --
    @abc.abstractmethod
    def web_tables_fresh(self) -> bool:
        """True when the derived tables were built from the store as it is now."""

    @abc.abstractmethod
    def refresh_web_tables(self, only_if_stale: bool = False) -> bool:
        """Rebuild the derived tables (unless, with ``only_if_stale``, they are fresh); True when rebuilt."""

    @abc.abstractmethod
    def ensure_web_tables(self) -> bool:
        """Rebuild the derived tables when the store changed; True when rebuilt."""

    @abc.abstractmethod
    def data_version(self) -> int:
        """A number that changes whenever another connection commits to the store."""

    # -- read models of the report and web UI (JSON-ready dicts) --
    @abc.abstractmethod
    def overview(self) -> Row:
        """The precomputed overview: counts, outlets, timeline, stories, top claims, map, facets."""

    @abc.abstractmethod
    def documents_page(self, outlet: str | None = None, page: int = 1, size: int = PAGE_SIZE, q: str = "",
                       sort: str = "date", order: str | None = None) -> Row:
        """One page of current documents, newest first or by ``sort``, optionally of one outlet or matching ``q``."""

    @abc.abstractmethod
    def document_ids(self) -> Iterator[str]:
        """Every current document id, ordered."""

    @abc.abstractmethod
    def documents_by_outlet(self) -> list[Row]:
        """Every current document (id, title, outlet, date, n_claims) by outlet, then newest first."""

    @abc.abstractmethod
    def document_view(self, doc_id: str) -> Row:
        """A document with all its layers, reuse links and stories; KeyError when absent."""

    @abc.abstractmethod
    def reuse_page(self, page: int = 1, size: int = PAGE_SIZE) -> Row:
        """One page of reuse links, largest shared text first, with both titles."""

    @abc.abstractmethod
    def reuse_pairs(self) -> Iterator[tuple[str, str]]:
        """Every (source, target) reuse pair."""

    @abc.abstractmethod
    def reuse_pair(self, source: str, target: str) -> Row:
        """A reuse link with both documents' texts; KeyError when the pair or a document is absent."""

    @abc.abstractmethod
    def stories_page(self, limit: int = STORY_GRAPHS, page: int = 1) -> Row:
        """The largest stories (reuse clusters) with their members as a tree."""

    @abc.abstractmethod
    def claims_page(self, f: ClaimFilters, size: int = PAGE_SIZE) -> Row:
        """One page of claims matching the filters."""

    @abc.abstractmethod
    def filtered_claims(self, f: ClaimFilters) -> Iterator[Row]:
        """Every claim matching the filters, in page order."""

    @abc.abstractmethod
    def claims_total(self) -> int:
        """How many claims the current documents hold."""

    @abc.abstractmethod
    def claim_facets(self) -> dict[str, list[str]]:
        """Values offered in the claims explorer's filter lists."""

    @abc.abstractmethod
    def claim_tags(self, claim_keys: list[int]) -> dict[int, dict[str, list[str]]]:
        """Actors and places inside each claim span."""

    @abc.abstractmethod
    def map_points(self) -> Row:
        """Resolved places of current documents, most mentioned first."""

    @abc.abstractmethod
    def place_mentions(self, name: str, page: int = 1, size: int = PAGE_SIZE) -> Row:
        """Mentions of one place with their document and context."""

    # -- site furniture (tracewire.corpus.furniture) --
    @abc.abstractmethod
    def furniture_sources(self) -> list[tuple[str, str, str | None, str | None, str]]:
        """(id, sha256, outlet, url, source_path) of every current document: what furniture is grouped by."""

    @abc.abstractmethod
    def furniture_rows(self) -> dict[str, tuple[str, str, str, str]]:
        """Stored furniture per document id: (sha256, group, spans JSON, house text JSON)."""

    @abc.abstractmethod
    def furniture_spans(self, doc_id: str) -> str:
        """The stored furniture spans (JSON) of one document, '[]' when none are stored."""

    @abc.abstractmethod
    def write_furniture(self, rows: Sequence[tuple[str, str, str, str, str]], gone: Sequence[str]) -> int:
        """Replace the furniture of documents (id, sha256, group, spans, house), drop ``gone`` ones;
        returns how many documents now have furniture."""

    # -- the reuse stage: its anchor index, links and stories --
    @abc.abstractmethod
    def document_versions(self) -> dict[str, tuple[str, str | None]]:
        """Every current document id -> (sha256, date)."""

    @abc.abstractmethod
    def reuse_index_state(self) -> dict[str, tuple[str, str]]:
        """Every document in the reuse index -> (sha256, furniture JSON) it was indexed with."""

    @abc.abstractmethod
    def reuse_index_anchors(self) -> Iterator[tuple[str, bytes]]:
        """(id, anchors as little-endian uint64 bytes) of every indexed document, ordered by id."""

    @abc.abstractmethod
    def write_reuse(self, stale: Sequence[str], indexed: Iterable[IndexedDocument], links: Iterable[ReuseLink],
                    finish: FinishReuse, *, replace_all: bool = False) -> tuple[int, int]:
        """In one transaction: drop ``stale`` documents (every indexed one with ``replace_all``) from the
        index and links, add ``indexed`` and ``links``, and replace all links and stories by what
        ``finish`` makes of every stored link; returns (links, stories) now stored."""

    # -- corpus stages: what each one's last run saw --
    @abc.abstractmethod
    def stage_state(self, stage: str) -> tuple[str, str] | None:
        """(signature digest, input fingerprint) of a corpus stage's last run; None when it never ran."""

    @abc.abstractmethod
    def write_stage_state(self, stage: str, digest: str, fingerprint: str) -> None:
        """Remember the signature digest and input fingerprint a corpus stage's run saw."""

    @abc.abstractmethod
    def explore_view(self, view: Any, aliases: Any, with_facets: bool = True) -> Row:
        """One page of the faceted claims explorer (``store.explore.Explore``) with total and facet counts."""

    @abc.abstractmethod
    def explore_rows(self, view: Any, aliases: Any) -> Iterator[Row]:
        """Every claim of an explorer view, in its order."""

    @abc.abstractmethod
    def explore_report(self) -> Row:
        """Every claim for the static report: facet columns, display rows and search postings."""

    @abc.abstractmethod
    def story_list(self) -> list[Row]:
        """Every story with root title, outlets and date range, largest first."""

    @abc.abstractmethod
    def story_view(self, story_id: str) -> Row:
        """One story with members by date and its links' word diffs; KeyError when absent."""

    @abc.abstractmethod
    def place_months(self) -> dict[str, dict[str, int]]:
        """Mentions of each resolved place per month of its documents' dates (the map's timeline brush)."""

    @abc.abstractmethod
    def claim_features(self, doc_key: int) -> dict[int, list[str]]:
        """The check-worthiness model's features of each claim of one document, by claim key."""
    # -- narratives, corroboration, contradictions --
    @abc.abstractmethod
    def narrative_rows(self) -> Iterator[Row]:
        """Narratives (export records), by id."""

    @abc.abstractmethod
    def corroboration_rows(self) -> Iterator[Row]:
        """Corroboration of each narrative (export records), by narrative id."""

    @abc.abstractmethod
    def contradiction_rows(self) -> Iterator[Row]:
        """Contradictions (export records), most telling first."""

    @abc.abstractmethod
    def narratives_page(self) -> Row:
        """Every narrative with its corroboration, most documents first."""

    @abc.abstractmethod
    def narrative_view(self, narrative: str) -> Row:
        """One narrative with corroboration and members; KeyError when absent."""

    @abc.abstractmethod
    def contradictions_page(self, doc: str | None = None) -> list[Row]:
        """Contradictions (of one document, when given), most telling first."""

    @abc.abstractmethod
    def document_narratives(self, doc: str) -> list[Row]:
        """Narratives that a document's claims belong to."""

    # -- escape hatch and lifetime --
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
