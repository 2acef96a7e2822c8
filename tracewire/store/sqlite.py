"""SQLite store: one file, WAL, foreign keys on, UNIQUE keys, batched transactions, migrations."""

from __future__ import annotations

import json
import sqlite3
import time
import zlib
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import Code, StoreError
from ..records import Claim, Document, DocumentAnalysis, Rejection, ReuseLink
from . import explore, queries, reuse_tables
from . import narratives as narrative_sql
from . import vectors as vector_sql
from .base import Collision, DocSource, FinishReuse, IndexedDocument, IngestBatch, IngestCounts, Row, Store
from .readmodel import PAGE_SIZE, STORY_GRAPHS, ClaimFilters

if TYPE_CHECKING:
    from ..signatures import Signature

# the per-document layers the store writes (a component's ``provides``); "parsed" is never stored
LAYERS = ("sentences", "claims", "attribution", "hedges", "quantities", "actors", "places", "techniques")

APPLICATION_ID = 0x74726377  # "trcw": marks a tracewire database


def _now() -> str:
    """Current UTC time as ISO 8601."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def migrations() -> list[tuple[int, str, str]]:
    """Shipped migrations as (version, name, sql), ordered by version."""
    found = []
    for entry in resources.files("tracewire.store").joinpath("migrations").iterdir():
        name = entry.name
        if name.endswith(".sql") and name[:3].isdigit():
            found.append((int(name[:3]), name, entry.read_text(encoding="utf-8")))
    return sorted(found)


def _statements(script: str) -> Iterator[str]:
    """Split a migration script into single SQL statements (so they run in our own transaction).

    Cut at each ``;`` that ends a complete statement (SQLite decides, so semicolons inside strings
    and trigger bodies stay put); the last statement may lack its semicolon.
    """
    buf = ""
    pieces = script.split(";")
    for piece in pieces[:-1]:
        buf += piece + ";"
        if sqlite3.complete_statement(buf):
            if _code(buf):
                yield buf
            buf = ""
    rest = buf + pieces[-1]
    if _code(rest):  # a last statement without its semicolon
        yield rest


def _code(sql: str) -> bool:
    """True when ``sql`` holds something besides comments, whitespace and semicolons."""
    lines = [ln.split("--", 1)[0] for ln in sql.splitlines()]
    return bool("".join(lines).replace(";", "").strip())


def _retry_locked(step: Callable[[], object], seconds: float = 30.0) -> None:
    """Run ``step``, retrying while another process holds the lock SQLite's busy timeout skips."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            step()
            return
        except sqlite3.OperationalError as e:
            busy = getattr(e, "sqlite_errorcode", None) in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
            if not busy or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


class SQLiteStore(Store):
    """The default store, readable with ``sqlite3`` or Datasette."""

    def __init__(self, path: Path, *, shared: bool = False) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        # shared: one connection used from several threads, one at a time (the web server's writer)
        self.conn = sqlite3.connect(str(path), timeout=30.0, isolation_level=None, check_same_thread=not shared)
        self.conn.row_factory = sqlite3.Row
        self.conn.execute("PRAGMA foreign_keys=ON")
        _retry_locked(lambda: self.conn.execute("PRAGMA journal_mode=WAL"))
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self._migrate()

    @classmethod
    def reader(cls, path: Path) -> SQLiteStore:
        """A read-only store on an existing, migrated database, usable from any thread (one at a time)."""
        self = cls.__new__(cls)
        self.path = path
        self.conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False, timeout=30.0)
        self.conn.row_factory = sqlite3.Row
        self.conn.execute("PRAGMA query_only=ON")
        self.conn.execute("PRAGMA cache_size=-16000")
        self.conn.execute("PRAGMA mmap_size=268435456")
        return self

    # -- schema ---------------------------------------------------------------------------
    def _up_to_date(self, shipped: list[tuple[int, str, str]]) -> bool:
        """True when this is a tracewire database with every shipped migration (read without a lock)."""
        if self.conn.execute("PRAGMA application_id").fetchone()[0] != APPLICATION_ID:
            return False
        try:
            done = {r[0] for r in self.conn.execute("SELECT version FROM schema_migrations")}
        except sqlite3.OperationalError:
            return False
        return {v for v, _, _ in shipped} <= done and max(done, default=0) <= max(
            (v for v, _, _ in shipped), default=0)

    def _migrate(self) -> None:
        """Apply every shipped migration not yet recorded, under the database's write lock.

        Two processes opening a new database at once both reach this point: ``BEGIN IMMEDIATE``
        makes the second wait until the first has created and stamped the schema, and the
        second then finds nothing to do (it re-reads the state inside its own transaction).
        """
        shipped = migrations()
        if self._up_to_date(shipped):
            return
        _retry_locked(lambda: self.conn.execute("BEGIN IMMEDIATE"))
        try:
            self._migrate_locked(shipped)
            self.conn.execute("COMMIT")
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise

    def _migrate_locked(self, shipped: list[tuple[int, str, str]]) -> None:
        """Check the database is ours and apply the missing migrations (inside one transaction)."""
        app_id = self.conn.execute("PRAGMA application_id").fetchone()[0]
        tables = {r[0] for r in self.conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if app_id not in (0, APPLICATION_ID) or (app_id == 0 and tables):
            raise StoreError(
                f"{self.path} is not a tracewire database (it has tables {sorted(tables)[:5]}). "
                "Pass another --db path.",
                Code.TW202,
            )
        self.conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
        )
        done = {r[0] for r in self.conn.execute("SELECT version FROM schema_migrations")}
        newest = max((v for v, _, _ in shipped), default=0)
        if done and max(done) > newest:
            raise StoreError(
                f"{self.path} has schema version {max(done)}, newer than this tracewire ({newest}). "
                "Upgrade tracewire.",
                Code.TW201,
            )
        for version, name, sql in shipped:
            if version in done:
                continue
            for statement in _statements(sql):
                self.conn.execute(statement)
            self.conn.execute(
                "INSERT INTO schema_migrations(version, name, applied_at) VALUES (?, ?, ?)",
                (version, name, _now()),
            )
        self.conn.execute(f"PRAGMA application_id={APPLICATION_ID}")

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: committed on success, rolled back on error."""
        with self.conn:
            self.conn.execute("BEGIN IMMEDIATE")
            yield self.conn

    # -- ingest ---------------------------------------------------------------------------
    def known_input(self, path: str, sha256: str) -> bool:
        """True when this exact file was ingested before."""
        row = self.conn.execute("SELECT 1 FROM inputs WHERE path=? AND sha256=?", (path, sha256)).fetchone()
        return row is not None

    def write_ingest_batch(self, batch: IngestBatch) -> IngestCounts:
        """Write a batch atomically: blobs, documents (versioned), rejections, inputs."""
        counts = IngestCounts()
        now = _now()
        with self.transaction() as c:
            for sha, data in batch.blobs.items():
                packed = zlib.compress(data, 6)
                c.execute(
                    "INSERT OR IGNORE INTO blobs(sha256, size, compression, data) VALUES (?, ?, 'zlib', ?)",
                    (sha, len(data), packed),
                )
            for i, (doc, blob_sha, row) in enumerate(batch.documents):
                source = batch.sources[i] if i < len(batch.sources) else None
                doc_id, existed, wanted = _identity(c, doc, source)
                if wanted is not None:
                    counts.collisions.append(Collision(wanted, doc_id, source.key if source else doc_id))
                cur = c.execute(
                    "INSERT OR IGNORE INTO documents(id, version, sha256, title, outlet, date, url, author,"
                    " dateline, fmt, source_path, blob_sha256, row, text, raw_text, offset_map, meta,"
                    " ingested_at, source, wanted_id) VALUES (?, (SELECT COALESCE(MAX(version), 0) + 1"
                    " FROM documents WHERE id=?), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        doc_id, doc_id, doc.sha256, doc.title, doc.outlet, doc.date, doc.url, doc.author,
                        doc.dateline, doc.fmt, doc.source_path, blob_sha, row, doc.text, doc.raw_text,
                        json.dumps(doc.offset_map, separators=(",", ":")),
                        json.dumps(doc.meta, ensure_ascii=False), now,
                        source.key if source else None, wanted,
                    ),
                )
                if cur.rowcount == 0:
                    counts.unchanged += 1
                elif existed:
                    counts.new_versions += 1
                else:
                    counts.ingested += 1
            for rej, blob_sha in batch.rejections:
                cur = c.execute(
                    "INSERT OR IGNORE INTO rejections(path, code, message, sha256, size, blob_sha256,"
                    " rejected_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (rej.path, rej.code, rej.message, rej.sha256, rej.size, blob_sha, now),
                )
                counts.rejected += 1
            for path, sha, fmt, ndocs, nrej in batch.inputs:
                c.execute(
                    "INSERT OR IGNORE INTO inputs(path, sha256, fmt, documents, rejected, ingested_at)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    (path, sha, fmt, ndocs, nrej, now),
                )
        return counts

    # -- analysis -------------------------------------------------------------------------
    def pending_analysis(self, pipeline: str) -> list[str]:
        """Ids of current documents never analysed, or analysed by another pipeline."""
        rows = self.conn.execute(
            "SELECT d.id FROM current_documents d LEFT JOIN analysis_runs a USING (doc_key)"
            " WHERE a.doc_key IS NULL OR a.pipeline != ? ORDER BY d.id",
            (pipeline,),
        )
        return [r[0] for r in rows]

    def record_signatures(self, signatures: Iterable[Signature]) -> None:
        """Keep each signature's parts under its digest (once), so later runs can say what changed."""
        now = _now()
        with self.transaction() as c:
            c.executemany(
                "INSERT OR IGNORE INTO analysis_signatures(digest, component, parts, recorded_at)"
                " VALUES (?, ?, ?, ?)",
                [(sig.digest, sig.name, sig.to_json(), now) for sig in signatures],
            )

    def layer_signatures(self) -> dict[str, dict[str, str]]:
        """For every current document id: component (without version) -> digest of its stored layer."""
        out: dict[str, dict[str, str]] = {r[0]: {} for r in self.conn.execute("SELECT id FROM current_documents")}
        for doc_id, comp, digest in self.conn.execute(
            "SELECT d.id, l.component, l.digest FROM current_documents d JOIN analysis_layers l USING (doc_key)"
        ):
            out[doc_id][comp] = digest
        return out

    def signatures(self, digests: Iterable[str]) -> dict[str, Signature]:
        """The stored signatures with these digests, by digest."""
        from ..signatures import Signature

        out: dict[str, Signature] = {}
        for digest in set(digests):
            row = self.conn.execute(
                "SELECT component, parts FROM analysis_signatures WHERE digest=?", (digest,)
            ).fetchone()
            if row is not None:
                out[digest] = Signature.from_json(row[0], row[1])
        return out

    def write_analyses(
        self,
        analyses: Sequence[DocumentAnalysis],
        pipeline: str,
        layers: Collection[str] | None = None,
        signatures: Sequence[Signature] = (),
    ) -> None:
        """Replace the given ``layers`` (all when None) of each analysed document version in one
        transaction, and record ``signatures`` as the analysis of those layers."""
        now = datetime.now(UTC).isoformat(timespec="microseconds")
        todo = set(LAYERS) if layers is None else set(layers)
        with self.transaction() as c:
            for ana in analyses:
                doc = ana.doc
                row = c.execute(
                    "SELECT doc_key FROM documents WHERE id=? AND version=?", (doc.id, doc.version)
                ).fetchone()
                if row is None:  # the document was replaced while it was analysed
                    continue
                _write_layers(c, row[0], ana, todo)
                _record_run(c, row[0], ana, pipeline, signatures, now)

    # -- site furniture (tracewire.corpus.furniture) ----------------------------------------
    def furniture_sources(self) -> list[tuple[str, str, str | None, str | None, str]]:
        """(id, sha256, outlet, url, source_path) of every current document: what furniture is grouped by."""
        return [(r[0], r[1], r[2], r[3], r[4] or "") for r in self.conn.execute(
            "SELECT id, sha256, outlet, url, source_path FROM current_documents")]

    def furniture_rows(self) -> dict[str, tuple[str, str, str, str]]:
        """Stored furniture per document id: (sha256, group, spans JSON, house text JSON)."""
        return {r[0]: (r[1], r[2], r[3], r[4])
                for r in self.conn.execute("SELECT id, sha256, grp, spans, house FROM furniture")}

    def furniture_spans(self, doc_id: str) -> str:
        """The stored furniture spans (JSON) of one document, '[]' when none are stored."""
        row = self.conn.execute("SELECT spans FROM furniture WHERE id=?", (doc_id,)).fetchone()
        return str(row[0]) if row else "[]"

    def write_furniture(self, rows: Sequence[tuple[str, str, str, str, str]], gone: Sequence[str]) -> int:
        """Replace the furniture of documents (id, sha256, group, spans, house), drop ``gone`` ones;
        returns how many documents now have furniture."""
        with self.transaction() as c:
            c.executemany("DELETE FROM furniture WHERE id=?", [(x,) for x in gone])
            c.executemany("INSERT OR REPLACE INTO furniture(id, sha256, grp, spans, house) VALUES (?, ?, ?, ?, ?)",
                          rows)
            return int(c.execute("SELECT COUNT(*) FROM furniture WHERE spans != '[]'").fetchone()[0])

    # -- reading --------------------------------------------------------------------------
    def documents(self, ids: list[str] | None = None) -> Iterator[Document]:
        """Current version of each document, ordered by id."""
        if ids is None:
            cur = self.conn.execute("SELECT * FROM current_documents ORDER BY id")
            for row in cur:
                yield _document(row)
            return
        for doc_id in ids:
            yield self.document(doc_id)

    def document(self, doc_id: str) -> Document:
        """Current version of one document."""
        row = self.conn.execute("SELECT * FROM current_documents WHERE id=?", (doc_id,)).fetchone()
        if row is None:
            raise KeyError(f"No document with id {doc_id!r} in {self.path}")
        return _document(row)

    def doc_keys(self) -> dict[str, int]:
        """Map each current document id to its row key."""
        return {r[0]: r[1] for r in self.conn.execute("SELECT id, doc_key FROM current_documents")}

    def count_documents(self) -> int:
        """How many current documents the store holds."""
        n: int = self.conn.execute("SELECT COUNT(*) FROM current_documents").fetchone()[0]
        return n

    def rejections(self) -> Iterator[Rejection]:
        """Every recorded rejection, oldest first."""
        for r in self.conn.execute("SELECT * FROM rejections ORDER BY rejection_key"):
            yield Rejection(path=r["path"], code=r["code"], message=r["message"], sha256=r["sha256"],
                            size=r["size"])

    def raw_bytes(self, sha256: str) -> bytes:
        """Decompressed raw input bytes stored under ``sha256``."""
        row = self.conn.execute("SELECT compression, data FROM blobs WHERE sha256=?", (sha256,)).fetchone()
        if row is None:
            raise KeyError(f"No raw input stored with sha256 {sha256}")
        data: bytes = row["data"]
        return zlib.decompress(data) if row["compression"] == "zlib" else data

    # -- export records (SQL in queries.py) ------------------------------------------------
    def claim_rows(self) -> Iterator[Row]:
        """Claims of current documents with attribution and hedges, by document and offset."""
        return queries.export_claims(self.conn)

    def span_rows(self, layer: str) -> Iterator[Row]:
        """Spans of one layer of current documents, by document and offset."""
        return queries.export_spans(self.conn, layer)

    def reuse_rows(self) -> Iterator[Row]:
        """Reuse links with their passages, by source and target."""
        return queries.export_reuse(self.conn)

    def story_rows(self) -> Iterator[Row]:
        """Stories with members and derivation tree, by story id."""
        return queries.export_stories(self.conn)

    # -- derived web tables and read models (SQL in queries.py) ---------------------------
    def web_tables_fresh(self) -> bool:
        """True when the derived tables were built from the store as it is now."""
        return queries.is_fresh(self.conn)

    def refresh_web_tables(self, only_if_stale: bool = False) -> bool:
        """Rebuild the derived tables in one transaction; True when it rebuilt them."""
        with self._writing("rebuild the web tables"):
            return queries.refresh(self.conn, only_if_stale)

    def ensure_web_tables(self) -> bool:
        """Rebuild the derived tables when the store changed; True when it rebuilt them."""
        with self._writing("rebuild the web tables"):
            return queries.ensure_fresh(self.conn)

    @contextmanager
    def _writing(self, what: str) -> Iterator[None]:
        """Turn a SQLite failure while writing into a coded StoreError that names the store."""
        try:
            yield
        except sqlite3.Error as e:
            raise StoreError(
                f"Could not {what} in {self.path}: {e}. Check that the file is writable and that no other "
                "process holds its write lock for long, then try again.",
                Code.TW203,
            ) from e

    def data_version(self) -> int:
        """SQLite's ``PRAGMA data_version``: changes when another connection commits."""
        version: int = self.conn.execute("PRAGMA data_version").fetchone()[0]
        return version

    def overview(self) -> Row:
        """The precomputed overview."""
        return queries.overview(self.conn)

    def documents_page(self, outlet: str | None = None, page: int = 1, size: int = PAGE_SIZE, q: str = "",
                       sort: str = "date", order: str | None = None) -> Row:
        """One page of current documents, newest first or by ``sort``, optionally of one outlet or matching ``q``."""
        return queries.documents(self.conn, outlet, page, size, q, sort, order)

    def document_ids(self) -> Iterator[str]:
        """Every current document id, ordered."""
        return queries.all_document_ids(self.conn)

    def documents_by_outlet(self) -> list[Row]:
        """Every current document by outlet, then newest first."""
        return queries.documents_by_outlet(self.conn)

    def document_view(self, doc_id: str) -> Row:
        """A document with all its layers, reuse links and stories; KeyError when absent."""
        return queries.document(self.conn, doc_id)

    def reuse_page(self, page: int = 1, size: int = PAGE_SIZE) -> Row:
        """One page of reuse links, largest shared text first."""
        return queries.reuse_links(self.conn, page, size)

    def reuse_pairs(self) -> Iterator[tuple[str, str]]:
        """Every (source, target) reuse pair."""
        return queries.all_reuse_pairs(self.conn)

    def reuse_pair(self, source: str, target: str) -> Row:
        """A reuse link with both documents' texts; KeyError when absent."""
        return queries.reuse_pair(self.conn, source, target)

    def stories_page(self, limit: int = STORY_GRAPHS, page: int = 1) -> Row:
        """The largest stories with their members as a tree."""
        return queries.stories(self.conn, limit, page)

    def claims_page(self, f: ClaimFilters, size: int = PAGE_SIZE) -> Row:
        """One page of claims matching the filters."""
        return queries.claims(self.conn, f, size)

    def filtered_claims(self, f: ClaimFilters) -> Iterator[Row]:
        """Every claim matching the filters, in page order."""
        return queries.iter_claims(self.conn, f)

    def claims_total(self) -> int:
        """How many claims the current documents hold."""
        return queries.claims_total(self.conn)

    def claim_facets(self) -> dict[str, list[str]]:
        """Values offered in the claims explorer's filter lists."""
        return queries.claim_facets(self.conn)

    def claim_tags(self, claim_keys: list[int]) -> dict[int, dict[str, list[str]]]:
        """Actors and places inside each claim span."""
        return queries.claim_tags(self.conn, claim_keys)

    def map_points(self) -> Row:
        """Resolved places of current documents, most mentioned first."""
        return queries.map_points(self.conn)

    def place_mentions(self, name: str, page: int = 1, size: int = PAGE_SIZE) -> Row:
        """Mentions of one place with their document and context."""
        return queries.place_mentions(self.conn, name, page, size)

    # -- the reuse stage (tracewire.corpus.reuse, tracewire.engines.spark) ----------------------
    def document_versions(self) -> dict[str, tuple[str, str | None]]:
        """Every current document id -> (sha256, date)."""
        return reuse_tables.document_versions(self.conn)

    def reuse_index_state(self) -> dict[str, tuple[str, str]]:
        """Every document in the reuse index -> (sha256, furniture JSON) it was indexed with."""
        return reuse_tables.index_state(self.conn)

    def reuse_index_anchors(self) -> Iterator[tuple[str, bytes]]:
        """(id, anchors BLOB) of every indexed document, ordered by id."""
        return reuse_tables.index_anchors(self.conn)

    def write_reuse(self, stale: Sequence[str], indexed: Iterable[IndexedDocument], links: Iterable[ReuseLink],
                    finish: FinishReuse, *, replace_all: bool = False) -> tuple[int, int]:
        """Update the reuse index, links and stories in one transaction; returns (links, stories)."""
        with self.transaction() as c:
            if replace_all:
                reuse_tables.clear_reuse(c)
            return reuse_tables.write_reuse(c, stale, indexed, links, finish, _now())

    def stage_state(self, stage: str) -> tuple[str, str] | None:
        """(digest, fingerprint) of the last run of a corpus stage, None when it never ran."""
        r = self.conn.execute("SELECT digest, fingerprint FROM corpus_stage_state WHERE stage=?", (stage,)).fetchone()
        return (r[0], r[1]) if r is not None else None

    def write_stage_state(self, stage: str, digest: str, fingerprint: str) -> None:
        """Remember what a corpus stage's last run saw."""
        with self.transaction() as c:
            c.execute("INSERT OR REPLACE INTO corpus_stage_state(stage, digest, fingerprint, updated_at)"
                      " VALUES (?, ?, ?, ?)", (stage, digest, fingerprint, _now()))

    def explore_view(self, view: explore.Explore, aliases: Mapping[str, list[tuple[str, ...]]],
                     with_facets: bool = True) -> Row:
        """One page of the faceted claims explorer with its total and facet counts."""
        return explore.explore(self.conn, view, aliases, with_facets)

    def explore_rows(self, view: explore.Explore, aliases: Mapping[str, list[tuple[str, ...]]]) -> Iterator[Row]:
        """Every claim of an explorer view, in its order (CSV export)."""
        return explore.iter_rows(self.conn, view, aliases)

    def explore_report(self) -> Row:
        """Every claim for the static report: facet columns, display rows and search postings."""
        return explore.report_data(self.conn)

    def story_list(self) -> list[Row]:
        """Every story with root title, outlets and date range, largest first."""
        return explore.story_list(self.conn)

    def story_view(self, story_id: str) -> Row:
        """One story with members by date and its reuse links' word diffs; KeyError when absent."""
        return explore.story(self.conn, story_id)

    def place_months(self) -> dict[str, dict[str, int]]:
        """Mentions of each resolved place per month of its documents' dates (the map's timeline brush)."""
        return explore.place_months(self.conn)

    def claim_features(self, doc_key: int) -> dict[int, list[str]]:
        """The check-worthiness model's features of each claim of one document, by claim key."""
        return explore.claim_features(self.conn, doc_key)
    # -- narratives, corroboration, contradictions (SQL in narratives.py) ------------------
    def corpus_layers(self) -> dict[str, list[Row]]:
        """Current documents, claims, actors, places and quantities for the corpus stages."""
        return narrative_sql.corpus_layers(self.conn)

    def claim_vectors(self, shas: Sequence[str], model: str) -> dict[str, bytes]:
        """Stored sentence vectors of these text hashes under ``model``, by text hash."""
        return vector_sql.read_vectors(self.conn, shas, model)

    def vectors_for(self, texts: Sequence[str], encode: vector_sql.Encode | None = None,
                    progress: vector_sql.Progress | None = None, threads: int | None = None
                    ) -> tuple[vector_sql.F32, int]:
        """Sentence vectors of ``texts`` from the shared table, encoding only the missing ones; (matrix, new)."""
        return vector_sql.cached_vectors(self.conn, texts, encode, progress, threads=threads)

    def write_narratives(self, narratives: Sequence[Row], corroboration: Sequence[Row],
                         contradictions: Sequence[Row]) -> None:
        """Replace the narratives, corroboration and contradictions in one transaction."""
        with self.transaction() as c:
            narrative_sql.write_results(c, narratives, corroboration, contradictions)

    def narrative_rows(self) -> Iterator[Row]:
        """Narratives (export records), by id."""
        return narrative_sql.export_narratives(self.conn)

    def corroboration_rows(self) -> Iterator[Row]:
        """Corroboration of each narrative (export records), by narrative id."""
        return narrative_sql.export_corroboration(self.conn)

    def contradiction_rows(self) -> Iterator[Row]:
        """Contradictions (export records), most telling first."""
        return narrative_sql.export_contradictions(self.conn)

    def narratives_page(self) -> Row:
        """Every narrative with its corroboration, most documents first."""
        return narrative_sql.narratives_page(self.conn)

    def narrative_view(self, narrative: str) -> Row:
        """One narrative with corroboration and members; KeyError when absent."""
        return narrative_sql.narrative_view(self.conn, narrative)

    def contradictions_page(self, doc: str | None = None) -> list[Row]:
        """Contradictions (of one document, when given), most telling first."""
        return narrative_sql.contradictions_page(self.conn, doc)

    def document_narratives(self, doc: str) -> list[Row]:
        """Narratives that a document's claims belong to."""
        return narrative_sql.document_narratives(self.conn, doc)

    # -- escape hatch -----------------------------------------------------------------------
    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
        """Run SQL and return rows as dicts."""
        return [dict(r) for r in self.conn.execute(sql, params)]

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()


def _identity(c: sqlite3.Connection, doc: Document, source: DocSource | None) -> tuple[str, bool, str | None]:
    """The id a document is stored under, whether its source had one before, and the plain id it
    wanted when another source holds that (None when it got it)."""
    if source is None:  # the caller chose the id: identity is the id, as before sources existed
        existed = c.execute("SELECT 1 FROM documents WHERE id=? LIMIT 1", (doc.id,)).fetchone()
        return doc.id, existed is not None, None
    mine = c.execute(
        "SELECT id, wanted_id FROM documents WHERE source=? ORDER BY version DESC LIMIT 1", (source.key,)
    ).fetchone()
    if mine is not None:
        return mine[0], True, mine[1]
    candidates = source.candidates or (source.key,)
    for n, cand in enumerate((*candidates, *(f"{candidates[-1]}~{k}" for k in range(2, 1000)))):
        owner = c.execute("SELECT source FROM documents WHERE id=? LIMIT 1", (cand,)).fetchone()
        if owner is None:
            return cand, False, (candidates[0] if n else None)
        if owner[0] is None and n < len(candidates):
            # a document stored before sources were recorded: the source asking for its id adopts it
            c.execute("UPDATE documents SET source=? WHERE id=? AND source IS NULL", (source.key, cand))
            return cand, True, (candidates[0] if n else None)
    raise StoreError(f"no free id for {source.key!r} after 1,000 tries; rename the input", Code.TW202)


def _document(row: sqlite3.Row) -> Document:
    """Build a Document from a documents row."""
    return Document(
        id=row["id"], text=row["text"], sha256=row["sha256"], source_path=row["source_path"],
        title=row["title"], outlet=row["outlet"], date=row["date"], url=row["url"], author=row["author"],
        dateline=row["dateline"], fmt=row["fmt"],
        offset_map=tuple(tuple(p) for p in json.loads(row["offset_map"])),
        raw_text=row["raw_text"], meta=json.loads(row["meta"]), version=row["version"],
    )


def _claim_rows(key: int, ana: DocumentAnalysis) -> list[Claim]:
    """The document's claims, first of each span only (the claims table keeps one per span)."""
    seen: set[tuple[int, int]] = set()
    out: list[Claim] = []
    for cl in ana.claims:
        if (cl.start, cl.end) not in seen:
            seen.add((cl.start, cl.end))
            out.append(cl)
    return out


def _attribution_values(cl: Claim) -> tuple[object, ...]:
    """The attribution columns of a claims row."""
    a = cl.attribution
    return (a.source if a else None, a.kind if a else None, a.canonical if a else None,
            a.start if a else None, a.end if a else None, a.cue if a else None,
            a.cue_start if a else None, a.cue_end if a else None, a.channel if a else None)


def _hedge_flags(cl: Claim) -> tuple[int, int]:
    """(hedged, boosted) columns of a claims row."""
    return int(any(h.kind == "hedge" for h in cl.hedges)), int(any(h.kind == "booster" for h in cl.hedges))


def _insert_hedges(c: sqlite3.Connection, key: int, claim_key: int, cl: Claim) -> None:
    """The hedges rows of one claim."""
    c.executemany(
        "INSERT OR IGNORE INTO hedges(claim_key, doc_key, start, end, text, kind, quoted)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(claim_key, key, h.start, h.end, h.text, h.kind, int(h.quoted)) for h in cl.hedges],
    )


def _write_layers(c: sqlite3.Connection, key: int, ana: DocumentAnalysis, layers: set[str]) -> None:
    """Replace the rows of ``layers`` for document ``key``; claims carry attribution and hedges, so
    rewriting the claims layer rewrites those too, and they alone update their own columns."""
    if "sentences" in layers:
        c.execute("DELETE FROM sentences WHERE doc_key=?", (key,))
        c.executemany(
            "INSERT INTO sentences(doc_key, idx, start, end) VALUES (?, ?, ?, ?)",
            [(key, i, s.start, s.end) for i, s in enumerate(ana.sentences)],
        )
    if "claims" in layers:
        c.execute("DELETE FROM hedges WHERE doc_key=?", (key,))
        c.execute("DELETE FROM claims WHERE doc_key=?", (key,))
        for cl in _claim_rows(key, ana):
            cur = c.execute(
                "INSERT INTO claims(doc_key, start, end, text, checkworthy, features, source,"
                " source_kind, source_canonical, source_start, source_end, cue, cue_start, cue_end,"
                " channel, hedged, boosted) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (key, cl.start, cl.end, cl.text, cl.checkworthy, json.dumps(list(cl.features)),
                 *_attribution_values(cl), *_hedge_flags(cl)),
            )
            _insert_hedges(c, key, int(cur.lastrowid or 0), cl)
    else:
        if "attribution" in layers:
            kept = {(cl.start, cl.end) for cl in _claim_rows(key, ana)}
            c.executemany("DELETE FROM claims WHERE doc_key=? AND start=? AND end=?",
                          [(key, a, b) for a, b in {(cl.start, cl.end) for cl in ana.claims} - kept])
            c.executemany(
                "UPDATE claims SET source=?, source_kind=?, source_canonical=?, source_start=?, source_end=?,"
                " cue=?, cue_start=?, cue_end=?, channel=? WHERE doc_key=? AND start=? AND end=?",
                [(*_attribution_values(cl), key, cl.start, cl.end) for cl in _claim_rows(key, ana)],
            )
        if "hedges" in layers:
            c.execute("DELETE FROM hedges WHERE doc_key=?", (key,))
            for cl in _claim_rows(key, ana):
                row = c.execute("SELECT claim_key FROM claims WHERE doc_key=? AND start=? AND end=?",
                                (key, cl.start, cl.end)).fetchone()
                if row is None:
                    continue
                c.execute("UPDATE claims SET hedged=?, boosted=? WHERE claim_key=?", (*_hedge_flags(cl), row[0]))
                _insert_hedges(c, key, row[0], cl)
    if "quantities" in layers:
        c.execute("DELETE FROM quantities WHERE doc_key=?", (key,))
        c.executemany(
            "INSERT OR IGNORE INTO quantities(doc_key, start, end, text, value, category, qualifier,"
            " unit) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [(key, q.start, q.end, q.text, q.value, q.category, q.qualifier, q.unit) for q in ana.quantities],
        )
    if "actors" in layers:
        c.execute("DELETE FROM actors WHERE doc_key=?", (key,))
        c.executemany(
            "INSERT OR IGNORE INTO actors(doc_key, start, end, mention, actor) VALUES (?, ?, ?, ?, ?)",
            [(key, m.start, m.end, m.mention, m.actor) for m in ana.actors],
        )
    if "places" in layers:
        c.execute("DELETE FROM places WHERE doc_key=?", (key,))
        c.executemany(
            "INSERT OR IGNORE INTO places(doc_key, start, end, mention, name, lat, lon, country_code,"
            " feature, confidence) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(key, p.start, p.end, p.mention, p.name, p.lat, p.lon, p.country_code, p.feature,
              p.confidence) for p in ana.places],
        )
    if "techniques" in layers:
        c.execute("DELETE FROM techniques WHERE doc_key=?", (key,))
        c.executemany(
            "INSERT OR IGNORE INTO techniques(doc_key, start, end, technique, score, evidence)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [(key, t.start, t.end, t.technique, t.score, json.dumps(list(t.evidence))) for t in ana.techniques],
        )


def _record_run(c: sqlite3.Connection, key: int, ana: DocumentAnalysis, pipeline: str,
                signatures: Sequence[Signature], now: str) -> None:
    """Record which signature wrote each layer, with its errors, and the document's run summary."""
    for sig in signatures:
        mine = [e for e in ana.errors if e.split(" ", 2)[1:2] == [sig.name + ":"]]
        c.execute(
            "INSERT OR REPLACE INTO analysis_layers(doc_key, component, digest, errors, analyzed_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (key, sig.key, sig.digest, json.dumps(mine), now),
        )
    if signatures:
        errors = [e for (errs,) in c.execute("SELECT errors FROM analysis_layers WHERE doc_key=?"
                                             " ORDER BY component", (key,)) for e in json.loads(errs)]
    else:
        errors = list(ana.errors)
    c.execute(
        "INSERT OR REPLACE INTO analysis_runs(doc_key, pipeline, errors, analyzed_at) VALUES (?, ?, ?, ?)",
        (key, pipeline, json.dumps(errors), now),
    )
