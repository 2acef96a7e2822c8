"""Corpus files: JSON Lines and CSV, one document per row, fields mapped by FieldMap."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from ..errors import Code, Rejected
from ..records import Rejection
from .build import Hints, build_document, sha256
from .context import FileInput, ReadResult
from .detect import decode_text
from .metadata import numeric_date_order, parse_date


def _pick(row: dict[str, Any], names: tuple[str, ...]) -> str | None:
    """First non-empty value among ``names`` (case-insensitive column match)."""
    lower = {str(k).lower(): v for k, v in row.items()}
    for n in names:
        v = lower.get(n.lower())
        if v is not None and str(v).strip():
            return str(v).strip()
    return None


def _rows_jsonl(text: str) -> list[tuple[int, str, dict[str, Any] | str]]:
    """(row number, raw line, parsed object or error message) for every non-blank line."""
    out: list[tuple[int, str, dict[str, Any] | str]] = []
    for n, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            out.append((n, line, f"line {n} is not valid JSON: {e.msg} at column {e.colno}"))
            continue
        if not isinstance(obj, dict):
            out.append((n, line, f"line {n} is a JSON {type(obj).__name__}, expected an object"))
            continue
        out.append((n, line, obj))
    return out


def _rows_csv(text: str, delimiter: str) -> list[tuple[int, str, dict[str, Any] | str]]:
    """(row number, raw row, dict or error message) for every data row of a CSV/TSV file."""
    csv.field_size_limit(1 << 30)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        return []
    except csv.Error as e:
        raise Rejected(Code.TW109, f"CSV header could not be read: {e}") from e
    out: list[tuple[int, str, dict[str, Any] | str]] = []
    n = 0
    while True:
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as e:
            n += 1
            out.append((n, "", f"row {n}: {e}"))
            continue
        n += 1
        if not any(v.strip() for v in values):
            continue
        raw = json.dumps(values, ensure_ascii=False)
        if len(values) != len(header):
            out.append((n, raw, f"row {n} has {len(values)} fields, the header has {len(header)}"))
            continue
        out.append((n, raw, dict(zip(header, values, strict=True))))
    return out


def read_tabular(inp: FileInput, kind: str) -> ReadResult:
    """Each row becomes a document with id = the row's id field, else ``<stem>:<row>``."""
    text, encoding = decode_text(inp.data)
    if kind == "jsonl":
        rows = _rows_jsonl(text)
    else:
        rows = _rows_csv(text, "\t" if inp.path.suffix.lower() == ".tsv" else ",")
    if not rows:
        raise Rejected(Code.TW108, f"{kind.upper()} file has no data rows")
    fm = inp.fields
    dates = [_pick(r, fm.date) or "" for _, _, r in rows if isinstance(r, dict)]
    order = numeric_date_order(dates)
    result = ReadResult()
    for n, raw, row in rows:
        where = f"{inp.path}:{n}"
        if isinstance(row, str):
            result.rejections.append(Rejection(where, Code.TW109.value, row, sha256(raw.encode())))
            continue
        body = _pick(row, fm.text)
        if body is None:
            cols = ", ".join(list(row)[:8])
            result.rejections.append(Rejection(
                where, Code.TW109.value,
                f"row {n} has no text in any of the columns {', '.join(fm.text)} (it has: {cols}); "
                "map the text column with --field text=COLUMN",
                sha256(raw.encode()),
            ))
            continue
        doc_id = _pick(row, fm.id) or f"{inp.path.stem}:{n}"
        raw_date = _pick(row, fm.date)
        meta: dict[str, Any] = {"row": n}
        if raw_date:
            meta["date_raw"] = raw_date
        if encoding != "utf-8":
            meta["encoding"] = encoding
        extra = {k: v for k, v in row.items() if k.lower() not in _mapped(fm) and v not in (None, "")}
        if extra:
            meta["columns"] = extra
        hints = Hints(
            title=_pick(row, fm.title), outlet=_pick(row, fm.outlet), url=_pick(row, fm.url),
            author=_pick(row, fm.author), date=parse_date(raw_date, order=order) if raw_date else None,
            meta=meta,
        )
        try:
            doc = build_document(
                doc_id, body, fmt=kind, source_path=str(inp.path), digest=sha256(raw.encode()),
                rules=inp.rules, hints=hints,
            )
        except Rejected as e:
            result.rejections.append(Rejection(where, e.code.value, e.reason, sha256(raw.encode())))
            continue
        result.documents.append(doc)
        result.rows.append(n)
    return result


def _mapped(fm: Any) -> set[str]:
    """Lower-cased column names consumed by the field map."""
    return {c.lower() for k in fm.__slots__ for c in getattr(fm, k)}
