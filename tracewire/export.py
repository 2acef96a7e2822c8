"""Export records as JSON Lines, CSV or Parquet (the record formats are a contract: see README).

The store builds the records (``Store.claim_rows`` and friends); this module only writes them.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from typing import IO, Any

from .errors import Code, MissingDependencyError, UsageError
from .store import Store

Row = dict[str, Any]

# a cell starting with one of these is run as a formula by spreadsheets (=HYPERLINK(...), @SUM(...))
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


# characters that str.splitlines, JavaScript and many line readers take for a line break although JSON
# leaves them raw: escaped, so one record is always one line (NEL comes in with text decoded as Latin-1)
_LINE_BREAKS_JSON_KEEPS = str.maketrans({"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"})


def jsonl_line(row: Row) -> str:
    """One record as one JSON Lines line (UTF-8 text, no character any line reader splits on)."""
    return json.dumps(row, ensure_ascii=False).translate(_LINE_BREAKS_JSON_KEEPS) + "\n"


def csv_cell(value: Any) -> Any:
    """Neutralise a spreadsheet formula in a text cell: a leading = + - @ tab or CR gets a ``'``.

    Every CSV tracewire writes (``export --format csv``, the web UI's claims.csv) goes through this.
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _documents(store: Store) -> Iterator[Row]:
    """Current documents."""
    for d in store.documents():
        yield {"id": d.id, "title": d.title, "outlet": d.outlet, "date": d.date, "url": d.url,
               "source_path": d.source_path, "sha256": d.sha256, "text": d.text}


def _rejections(store: Store) -> Iterator[Row]:
    """Recorded rejections."""
    for r in store.rejections():
        yield {"path": r.path, "code": r.code, "message": r.message}


EXPORTS: dict[str, Callable[[Store], Iterator[Row]]] = {
    "documents": _documents,
    "rejections": _rejections,
    "claims": lambda store: store.claim_rows(),
    "quantities": lambda store: store.span_rows("quantities"),
    "places": lambda store: store.span_rows("places"),
    "actors": lambda store: store.span_rows("actors"),
    "techniques": lambda store: store.span_rows("techniques"),
    "reuse": lambda store: store.reuse_rows(),
    "stories": lambda store: store.story_rows(),
    "narratives": lambda store: store.narrative_rows(),
    "corroboration": lambda store: store.corroboration_rows(),
    "contradictions": lambda store: store.contradiction_rows(),
}


def _factcheck_exports() -> None:
    """Register the fact-check records: factchecks, factcheck_matches, claimreview (README, Export records)."""
    from .claimreview import claimreview_rows
    from .store.factchecks import FactcheckStore

    EXPORTS["factchecks"] = lambda store: FactcheckStore.of(store).export_rows()
    EXPORTS["factcheck_matches"] = lambda store: FactcheckStore.of(store).match_rows()
    EXPORTS["claimreview"] = claimreview_rows


_factcheck_exports()


def export(store: Store, kind: str, out: IO[str], fmt: str = "jsonl") -> int:
    """Write every record of ``kind`` to ``out`` as jsonl or csv; returns the record count."""
    if kind not in EXPORTS:
        raise UsageError(f"Unknown export kind {kind!r}; choose one of: {', '.join(EXPORTS)}", Code.TW003)
    if fmt not in ("jsonl", "csv"):
        raise UsageError(f"Unknown export format {fmt!r}; choose jsonl or csv", Code.TW002)
    n = 0
    writer: csv.DictWriter[str] | None = None
    for row in EXPORTS[kind](store):
        if fmt == "jsonl":
            out.write(jsonl_line(row))
        else:
            flat = {k: csv_cell(json.dumps(v, ensure_ascii=False) if isinstance(v, (list, dict)) else v)
                    for k, v in row.items()}
            if writer is None:
                writer = csv.DictWriter(out, fieldnames=list(flat), lineterminator="\n")
                writer.writeheader()
            writer.writerow(flat)
        n += 1
    return n


def export_parquet(store: Store, kind: str, path: str) -> int:
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


def export_string(store: Store, kind: str, fmt: str = "jsonl") -> str:
    """Export to a string (for tests and the Python API)."""
    buf = io.StringIO()
    export(store, kind, buf, fmt)
    return buf.getvalue()
