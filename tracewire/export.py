"""Export records as JSON Lines or CSV (the record formats are a contract: see README)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from typing import IO, Any

from .errors import Code, MissingDependencyError, UsageError
from .store.sqlite import SQLiteStore

Row = dict[str, Any]


def _documents(store: SQLiteStore) -> Iterator[Row]:
    """Current documents."""
    for d in store.documents():
        yield {"id": d.id, "title": d.title, "outlet": d.outlet, "date": d.date, "url": d.url,
               "source_path": d.source_path, "sha256": d.sha256, "text": d.text}


def _rejections(store: SQLiteStore) -> Iterator[Row]:
    """Recorded rejections."""
    for r in store.rejections():
        yield {"path": r.path, "code": r.code, "message": r.message}


def _claims(store: SQLiteStore) -> Iterator[Row]:
    """Claims with attribution and hedges."""
    hedges: dict[int, list[Row]] = {}
    for h in store.conn.execute("SELECT * FROM hedges ORDER BY claim_key, start"):
        hedges.setdefault(h["claim_key"], []).append(
            {"text": h["text"], "kind": h["kind"], "start": h["start"], "end": h["end"],
             "quoted": bool(h["quoted"])})
    sql = ("SELECT c.*, d.id AS doc FROM claims c JOIN current_documents d USING (doc_key) "
           "ORDER BY d.id, c.start")
    for c in store.conn.execute(sql):
        attribution = None
        if c["source_kind"] is not None:
            attribution = {"source": c["source"], "kind": c["source_kind"], "cue": c["cue"],
                           "start": c["source_start"], "end": c["source_end"], "channel": c["channel"],
                           "canonical": c["source_canonical"], "cue_start": c["cue_start"],
                           "cue_end": c["cue_end"]}
        yield {"doc": c["doc"], "start": c["start"], "end": c["end"], "text": c["text"],
               "checkworthy": c["checkworthy"], "attribution": attribution,
               "hedges": hedges.get(c["claim_key"], []), "features": json.loads(c["features"])}


def _layer(table: str, columns: tuple[str, ...], json_cols: tuple[str, ...] = ()) -> Callable[
        [SQLiteStore], Iterator[Row]]:
    """Exporter for a per-document span table."""
    def rows(store: SQLiteStore) -> Iterator[Row]:
        cols = ", ".join(f"t.{c}" for c in columns)
        sql = (f"SELECT d.id AS doc, t.start, t.end, {cols} FROM {table} t "
               "JOIN current_documents d USING (doc_key) ORDER BY d.id, t.start")
        for r in store.conn.execute(sql):
            row = dict(r)
            for c in json_cols:
                row[c] = json.loads(row[c])
            yield row
    return rows


def _reuse(store: SQLiteStore) -> Iterator[Row]:
    """Reuse links with their kind and aligned passages (each with its word-level edits)."""
    for r in store.conn.execute("SELECT * FROM reuse ORDER BY source, target"):
        yield {"source": r["source"], "target": r["target"], "kind": r["kind"],
               "direction_known": bool(r["direction_known"]),
               "confidence": r["confidence"], "shared_words": r["shared_words"],
               "source_coverage": r["source_coverage"], "target_coverage": r["target_coverage"],
               "passages": [{**p, "edits": p.get("edits", [])} for p in json.loads(r["passages"])],
               "target_additions": [{"start": s, "end": e} for s, e in json.loads(r["target_additions"])],
               "source_cuts": [{"start": s, "end": e} for s, e in json.loads(r["source_cuts"])],
               "evidence": json.loads(r["evidence"])}


def _stories(store: SQLiteStore) -> Iterator[Row]:
    """Stories: reuse clusters with a root and a derivation tree."""
    members: dict[str, list[Row]] = {}
    for m in store.conn.execute("SELECT * FROM story_members ORDER BY story_id, depth, doc"):
        members.setdefault(m["story_id"], []).append(
            {"doc": m["doc"], "parent": m["parent"], "depth": m["depth"]})
    for s in store.conn.execute("SELECT * FROM stories ORDER BY story_id"):
        yield {"story": s["story_id"], "root": s["root"], "size": s["size"],
               "members": members.get(s["story_id"], []), "tree": json.loads(s["tree"])}


EXPORTS: dict[str, Callable[[SQLiteStore], Iterator[Row]]] = {
    "documents": _documents,
    "rejections": _rejections,
    "claims": _claims,
    "quantities": _layer("quantities", ("text", "value", "category", "qualifier", "unit")),
    "places": _layer("places", ("mention", "name", "lat", "lon", "country_code", "feature", "confidence")),
    "actors": _layer("actors", ("mention", "actor")),
    "techniques": _layer("techniques", ("technique", "score", "evidence"), ("evidence",)),
    "reuse": _reuse,
    "stories": _stories,
}


def export(store: SQLiteStore, kind: str, out: IO[str], fmt: str = "jsonl") -> int:
    """Write every record of ``kind`` to ``out`` as jsonl or csv; returns the record count."""
    if kind not in EXPORTS:
        raise UsageError(f"Unknown export kind {kind!r}; choose one of: {', '.join(EXPORTS)}", Code.TW003)
    if fmt not in ("jsonl", "csv"):
        raise UsageError(f"Unknown export format {fmt!r}; choose jsonl or csv", Code.TW002)
    n = 0
    writer: csv.DictWriter[str] | None = None
    for row in EXPORTS[kind](store):
        if fmt == "jsonl":
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
        else:
            flat = {k: json.dumps(v, ensure_ascii=False) if isinstance(v, (list, dict)) else v
                    for k, v in row.items()}
            if writer is None:
                writer = csv.DictWriter(out, fieldnames=list(flat), lineterminator="\n")
                writer.writeheader()
            writer.writerow(flat)
        n += 1
    return n


def export_parquet(store: SQLiteStore, kind: str, path: str) -> int:
    """Write every record of ``kind`` to a Parquet file (nested values as JSON text)."""
    if kind not in EXPORTS:
        raise UsageError(f"Unknown export kind {kind!r}; choose one of: {', '.join(EXPORTS)}", Code.TW003)
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as e:
        raise MissingDependencyError(
            "Parquet export needs pyarrow: pip install 'tracewire[parquet]'", Code.TW004
        ) from e
    rows = [
        {k: json.dumps(v, ensure_ascii=False) if isinstance(v, (list, dict)) else v for k, v in row.items()}
        for row in EXPORTS[kind](store)
    ]
    pq.write_table(pa.Table.from_pylist(rows), path)
    return len(rows)


def export_string(store: SQLiteStore, kind: str, fmt: str = "jsonl") -> str:
    """Export to a string (for tests and the Python API)."""
    buf = io.StringIO()
    export(store, kind, buf, fmt)
    return buf.getvalue()
