"""The Parquet exchange format: a store's inputs as a folder of Parquet files, and back.

``ingest ... --to parquet DIR`` writes, and ``load DIR --db FILE`` reads, one folder:

- ``documents.parquet``: the current version of every document (every ``Document`` field; offset
  map and meta as JSON text) with its input's blob hash, row and source key;
- ``rejections.parquet``: every rejection with its code and message;
- ``blobs.parquet``: the raw input bytes by sha256 (nothing lost on the way);
- ``inputs.parquet``: each input file read (path, sha256, format, counts).

Loading into a store goes through ``Store.write_ingest_batch``, so ids, versions and duplicates
follow the same rules as ingest. Older document versions stay behind (the current ones travel).

``export store --format parquet --out DIR`` writes the same folder from an analysed store and adds
``results/``: one Parquet file per table of analysis results (per-document layers with their
signatures, reuse links and index, stories, furniture, narratives, fact-check matches, reviews,
embeddings), rows of the current documents only, the store's internal document key replaced by
the document id. ``load`` puts them back under the new store's keys, so the report and the UI
show what the analysing machine found (the web tables are derived: they rebuild on first use).
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import Code, MissingDependencyError, UsageError
from ..records import Document, Rejection
from .base import DocSource, IngestBatch, IngestCounts, Store
from .sqlite import SQLiteStore

FILES = ("documents", "rejections", "blobs", "inputs")
# result tables in load order (a table after those its foreign keys name); the ones keyed by the
# internal document key travel with the document id instead (column doc_id)
RESULTS = ("analysis_signatures", "analysis_runs", "analysis_layers", "sentences", "claims", "hedges", "quantities",
           "places", "actors", "techniques", "furniture", "reuse_index_docs", "reuse", "stories", "story_members",
           "claim_vectors", "narratives", "narrative_members", "corroboration", "contradictions",
           "factchecks", "factchecks_fts", "factcheck_matches", "reviews", "corpus_stage_state")
_ARROW = {"INTEGER": "int64", "REAL": "float64", "BLOB": "binary"}
BATCH = 500  # documents per Parquet row group and per load transaction


def _pyarrow() -> tuple[Any, Any]:
    """pyarrow and pyarrow.parquet, or a coded error naming the extra."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as e:
        raise MissingDependencyError("the Parquet exchange format needs pyarrow: pip install 'tracewire[parquet]'",
                                     Code.TW004) from e
    return pa, pq


_QUERIES = {
    "documents": "SELECT id, version, sha256, title, outlet, date, url, author, dateline, fmt, source_path, "
                 "blob_sha256, row, text, raw_text, offset_map, meta, source, wanted_id FROM current_documents "
                 "ORDER BY id",
    "rejections": "SELECT path, code, message, sha256, size, blob_sha256 FROM rejections ORDER BY rowid",
    "blobs": "SELECT sha256, size, compression, data FROM blobs ORDER BY sha256",
    "inputs": "SELECT path, sha256, fmt, documents, rejected FROM inputs ORDER BY rowid",
}


def _schema(pa: Any, name: str) -> Any:
    """The Arrow schema of one exchange file."""
    s, i, b = pa.string(), pa.int64(), pa.binary()
    cols = {
        "documents": [("id", s), ("version", i), ("sha256", s), ("title", s), ("outlet", s), ("date", s),
                      ("url", s), ("author", s), ("dateline", s), ("fmt", s), ("source_path", s),
                      ("blob_sha256", s), ("row", i), ("text", s), ("raw_text", s), ("offset_map", s),
                      ("meta", s), ("source", s), ("wanted_id", s)],
        "rejections": [("path", s), ("code", s), ("message", s), ("sha256", s), ("size", i), ("blob_sha256", s)],
        "blobs": [("sha256", s), ("size", i), ("data", b)],
        "inputs": [("path", s), ("sha256", s), ("fmt", s), ("documents", i), ("rejected", i)],
    }[name]
    return pa.schema(cols)


def _rows(store: SQLiteStore, name: str) -> Iterator[dict[str, Any]]:
    """The rows of one exchange file, read from the store (blobs uncompressed)."""
    for r in store.conn.execute(_QUERIES[name]):
        row = dict(r)
        if name == "blobs":
            data = bytes(row.pop("data"))
            row["data"] = zlib.decompress(data) if row.pop("compression") == "zlib" else data
        yield row


def write_exchange(store: SQLiteStore, out: Path) -> dict[str, int]:
    """Write the store's current documents, rejections, raw bytes and inputs to ``out`` as Parquet files."""
    pa, pq = _pyarrow()
    out.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    for name in FILES:
        schema = _schema(pa, name)
        n = 0
        with pq.ParquetWriter(str(out / f"{name}.parquet"), schema) as writer:
            held: list[dict[str, Any]] = []
            for row in _rows(store, name):
                held.append(row)
                if len(held) >= BATCH:
                    writer.write_table(pa.Table.from_pylist(held, schema=schema))
                    n += len(held)
                    held = []
            if held or n == 0:
                writer.write_table(pa.Table.from_pylist(held, schema=schema))
                n += len(held)
        counts[name] = n
    return counts


def _columns(store: SQLiteStore, table: str) -> list[tuple[str, str]]:
    """(name, declared type) of each column of ``table`` (fts5 tables: their indexed columns, as text)."""
    if table == "factchecks_fts":
        return [("id", "TEXT"), ("text", "TEXT")]
    return [(r["name"], (r["type"] or "TEXT").upper()) for r in store.conn.execute(f"PRAGMA table_info({table})")]


def write_results(store: SQLiteStore, out: Path) -> dict[str, int]:
    """Write every analysis-result table of the store's current documents to ``out/results``."""
    pa, pq = _pyarrow()
    folder = out / "results"
    folder.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    for table in RESULTS:
        cols = _columns(store, table)
        keyed = any(c == "doc_key" for c, _ in cols)
        names = [c for c, _ in cols if c != "doc_key"]
        fields = [("doc_id", pa.string())] if keyed else []
        fields += [(c, getattr(pa, _ARROW.get(t, "string"))()) for c, t in cols if c != "doc_key"]
        schema = pa.schema(fields)
        select = ", ".join(f"t.{c}" for c in names)
        sql = (f"SELECT d.id AS doc_id, {select} FROM {table} t JOIN current_documents d ON d.doc_key = t.doc_key"
               if keyed else f"SELECT {select} FROM {table} t")
        n = 0
        with pq.ParquetWriter(str(folder / f"{table}.parquet"), schema) as writer:
            cur = store.conn.execute(sql)
            while True:
                held = [dict(r) for r in cur.fetchmany(BATCH)]
                if not held and n:
                    break
                writer.write_table(pa.Table.from_pylist(held, schema=schema))
                n += len(held)
                if not held:
                    break
        counts[table] = n
    return counts


def load_results(src: Path, store: Store) -> dict[str, int]:
    """Load ``src/results`` (written by ``export store``) into a store that holds no analysis yet.

    Document ids are mapped to this store's current documents, which ``load_exchange`` has just
    written; a result of a document this store does not hold is a coded error.
    """
    folder = src / "results"
    _pyarrow()
    if not isinstance(store, SQLiteStore):
        raise UsageError(f"analysis results load into a SQLite store, not {type(store).__name__}: use --db FILE.db",
                         Code.TW002)
    have = [t for t in RESULTS if store.conn.execute(f"SELECT 1 FROM {t} LIMIT 1").fetchone() is not None]
    if have:
        raise UsageError(f"{store.path} already holds analysis results ({', '.join(have[:4])}): results from "
                         f"{src} load only into a database without them. Use a new --db FILE", Code.TW002)
    keys = {r["id"]: r["doc_key"] for r in store.conn.execute("SELECT id, doc_key FROM current_documents")}
    counts: dict[str, int] = {}
    with store.transaction():
        for table in RESULTS:
            path = folder / f"{table}.parquet"
            if not path.is_file():
                continue
            n = 0
            for row in _read(src, f"results/{table}"):
                if "doc_id" in row:
                    doc = row.pop("doc_id")
                    if doc not in keys:
                        raise UsageError(f"{path} has results of document {doc!r}, which {src} does not hold: "
                                         "write the folder again with `tracewire export store --format parquet "
                                         "--out DIR`", Code.TW002)
                    row["doc_key"] = keys[doc]
                cols = ", ".join(row)
                store.conn.execute(f"INSERT INTO {table}({cols}) VALUES ({', '.join('?' * len(row))})",
                                   tuple(row.values()))
                n += 1
            counts[table] = n
        store.conn.execute("INSERT INTO claims_fts(claims_fts) VALUES ('rebuild')")
    return counts


def _read(src: Path, name: str) -> Iterator[dict[str, Any]]:
    """Rows of one exchange file, batch by batch."""
    _, pq = _pyarrow()
    path = src / f"{name}.parquet"
    if not path.is_file():
        raise UsageError(f"{src} is not a tracewire Parquet folder: {path.name} is missing. Write one with "
                         "`tracewire ingest PATH... --to parquet DIR`", Code.TW002)
    for batch in pq.ParquetFile(str(path)).iter_batches(batch_size=BATCH):
        yield from batch.to_pylist()


def _document(r: dict[str, Any]) -> Document:
    """A documents.parquet row as a Document."""
    return Document(
        id=r["id"], text=r["text"], sha256=r["sha256"], source_path=r["source_path"] or "", title=r["title"],
        outlet=r["outlet"], date=r["date"], url=r["url"], author=r["author"], dateline=r["dateline"],
        fmt=r["fmt"], offset_map=tuple((int(a), int(b)) for a, b in json.loads(r["offset_map"] or "[]")),
        raw_text=r["raw_text"], meta=json.loads(r["meta"] or "{}"), version=int(r["version"] or 1),
    )


def load_exchange(src: Path, store: Store) -> IngestCounts:
    """Load a Parquet exchange folder into ``store`` (same rules as ingest: identical documents add nothing)."""
    for name in FILES:
        if not (src / f"{name}.parquet").is_file():
            raise UsageError(f"{src} is not a tracewire Parquet folder: {name}.parquet is missing. Write one "
                             "with `tracewire ingest PATH... --to parquet DIR`", Code.TW002)
    counts = IngestCounts()
    blobs = {r["sha256"]: bytes(r["data"]) for r in _read(src, "blobs")}
    batch = IngestBatch(blobs=blobs)
    batch.inputs = [(r["path"], r["sha256"], r["fmt"], int(r["documents"]), int(r["rejected"]))
                    for r in _read(src, "inputs")]
    batch.rejections = [(Rejection(r["path"], r["code"], r["message"], r["sha256"], r["size"]), r["blob_sha256"])
                        for r in _read(src, "rejections")]
    for r in _read(src, "documents"):
        batch.documents.append((_document(r), r["blob_sha256"], r["row"]))
        batch.sources.append(DocSource(r["source"], (r["id"],)) if r["source"] else None)
        if len(batch.documents) >= BATCH:
            counts.add(store.write_ingest_batch(batch))
            batch = IngestBatch()
    counts.add(store.write_ingest_batch(batch))
    return counts
