"""SQLite store: one file, WAL, foreign keys on, UNIQUE keys, batched transactions, migrations."""

from __future__ import annotations

import json
import sqlite3
import zlib
from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import Code, StoreError
from ..records import Claim, Document, Rejection
from .base import IngestBatch, IngestCounts, Store

if TYPE_CHECKING:
    from ..pipeline import Analysis
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


class SQLiteStore(Store):
    """The default store, readable with ``sqlite3`` or Datasette."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self.conn = sqlite3.connect(str(path), timeout=30.0, isolation_level=None)
        self.conn.row_factory = sqlite3.Row
        self.conn.execute("PRAGMA foreign_keys=ON")
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self._migrate()

    # -- schema ---------------------------------------------------------------------------
    def _migrate(self) -> None:
        """Apply every shipped migration not yet recorded in ``schema_migrations``."""
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
        shipped = migrations()
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
            name_sql = name.replace("'", "''")
            try:  # each migration and its record are one transaction
                self.conn.executescript(
                    f"BEGIN;\n{sql}\n;\nINSERT INTO schema_migrations(version, name, applied_at) "
                    f"VALUES ({version}, '{name_sql}', '{_now()}');\nCOMMIT;"
                )
            except sqlite3.Error:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                raise
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
            for doc, blob_sha, row in batch.documents:
                existed = c.execute("SELECT 1 FROM documents WHERE id=? LIMIT 1", (doc.id,)).fetchone()
                cur = c.execute(
                    "INSERT OR IGNORE INTO documents(id, version, sha256, title, outlet, date, url, author,"
                    " dateline, fmt, source_path, blob_sha256, row, text, raw_text, offset_map, meta,"
                    " ingested_at) VALUES (?, (SELECT COALESCE(MAX(version), 0) + 1 FROM documents"
                    " WHERE id=?), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        doc.id, doc.id, doc.sha256, doc.title, doc.outlet, doc.date, doc.url, doc.author,
                        doc.dateline, doc.fmt, doc.source_path, blob_sha, row, doc.text, doc.raw_text,
                        json.dumps(doc.offset_map, separators=(",", ":")),
                        json.dumps(doc.meta, ensure_ascii=False), now,
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
        analyses: Sequence[Analysis],
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

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
        """Run SQL and return rows as dicts."""
        return [dict(r) for r in self.conn.execute(sql, params)]

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()


def _document(row: sqlite3.Row) -> Document:
    """Build a Document from a documents row."""
    return Document(
        id=row["id"], text=row["text"], sha256=row["sha256"], source_path=row["source_path"],
        title=row["title"], outlet=row["outlet"], date=row["date"], url=row["url"], author=row["author"],
        dateline=row["dateline"], fmt=row["fmt"],
        offset_map=tuple(tuple(p) for p in json.loads(row["offset_map"])),
        raw_text=row["raw_text"], meta=json.loads(row["meta"]), version=row["version"],
    )


def _claim_rows(key: int, ana: Analysis) -> list[Claim]:
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


def _write_layers(c: sqlite3.Connection, key: int, ana: Analysis, layers: set[str]) -> None:
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


def _record_run(c: sqlite3.Connection, key: int, ana: Analysis, pipeline: str,
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
