"""The Parquet exchange format: a store's inputs as a folder of Parquet files, and back.

``ingest ... --to parquet DIR`` writes, and ``load DIR --db FILE`` reads, one folder:

- ``documents.parquet``: the current version of every document (every ``Document`` field; offset
  map and meta as JSON text) with its input's blob hash, row and source key;
- ``rejections.parquet``: every rejection with its code and message;
- ``blobs.parquet``: the raw input bytes by sha256 (nothing lost on the way);
- ``inputs.parquet``: each input file read (path, sha256, format, counts).

Loading into a store goes through ``Store.write_ingest_batch``, so ids, versions and duplicates
follow the same rules as ingest. Older document versions stay behind (the current ones travel).
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
