"""Corpus files: JSON Lines and CSV, one document per row, fields mapped by FieldMap.

Rows are read one at a time and each is checked against limits (nesting depth, integer digits,
row and field size); a bad row is rejected alone (TW109) and the rest of the file goes on. CSV
records are assembled line by line with their quotes counted, so an unbalanced quote is reported
on its row instead of swallowing the rows after it.
"""

from __future__ import annotations

import csv
import io
import json
from collections import deque
from collections.abc import Iterator
from typing import Any

from ..errors import Code, Rejected
from ..records import Rejection
from ..store.base import DocSource
from .build import MAX_DOC_CHARS, Hints, build_document, sha256
from .context import FileInput, ReadResult
from .detect import decode
from .metadata import numeric_date_order, parse_date
from .names import clean_value, id_candidates

# limits of one corpus row: a row over them is rejected alone (TW109)
MAX_DEPTH = 32
MAX_ROW_CHARS = MAX_DOC_CHARS + 100_000
MAX_FIELD_CHARS = MAX_DOC_CHARS
# a quoted CSV field may span lines; one spanning more than this is an unbalanced quote
MAX_RECORD_LINES = 10_000

Row = tuple[int, str, dict[str, Any] | str]


def _pick(row: dict[str, Any], names: tuple[str, ...]) -> str | None:
    """First non-empty value among ``names`` (case-insensitive column match)."""
    lower = {str(k).lower(): v for k, v in row.items()}
    for n in names:
        v = lower.get(n.lower())
        if v is not None and str(v).strip():
            return str(v).strip()
    return None


def _depth(value: Any, limit: int) -> int:
    """Nesting depth of a parsed JSON value, counted up to ``limit + 1`` (iteratively)."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        v, d = stack.pop()
        if isinstance(v, dict | list):
            deepest = max(deepest, d)
            if deepest > limit:
                return deepest
            stack.extend((x, d + 1) for x in (v.values() if isinstance(v, dict) else v))
    return deepest


def _too_big(obj: dict[str, Any]) -> str | None:
    """Name the first field over MAX_FIELD_CHARS, if any."""
    for k, v in obj.items():
        if isinstance(v, str) and len(v) > MAX_FIELD_CHARS:
            return f"field {str(k)[:40]!r} has {len(v):,} characters, over the {MAX_FIELD_CHARS:,} limit"
    return None


def _rows_jsonl(text: str) -> Iterator[Row]:
    """(row number, raw line, parsed object or error message) for every non-blank line, one by one."""
    for n, line in enumerate(io.StringIO(text, newline="\n"), start=1):
        if not line.strip():
            continue
        if len(line) > MAX_ROW_CHARS:
            yield n, "", f"line {n} has {len(line):,} characters, over the {MAX_ROW_CHARS:,} limit for a row"
            continue
        line = line.rstrip("\n")
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            yield n, line, f"line {n} is not valid JSON: {e.msg} at column {e.colno}"
            continue
        except RecursionError:
            yield n, line, f"line {n} nests deeper than Python can parse (the limit is {MAX_DEPTH} levels)"
            continue
        except ValueError as e:  # e.g. an integer over sys.get_int_max_str_digits() digits
            yield n, line, f"line {n} has a value JSON cannot hold here: {e}"
            continue
        if not isinstance(obj, dict):
            yield n, line, f"line {n} is a JSON {type(obj).__name__}, expected an object"
            continue
        depth = _depth(obj, MAX_DEPTH)
        if depth > MAX_DEPTH:
            yield n, line, f"line {n} nests more than {MAX_DEPTH} levels deep"
            continue
        big = _too_big(obj)
        if big:
            yield n, line, f"line {n}: {big}"
            continue
        yield n, line, obj


def _record(lines: deque[str]) -> tuple[list[str], bool]:
    """The next CSV record from ``lines`` as its physical lines, and whether its quotes balance.

    A record ends at a line end with an even number of quote characters so far (RFC 4180 doubles
    quotes inside fields, so the count stays even). One that does not end within the limits is
    returned unbalanced, as its first line alone; the lines after it go back to be read again.
    """
    buf = [lines.popleft()]
    quotes = buf[0].count('"')
    size = len(buf[0])
    while quotes % 2 and lines and len(buf) < MAX_RECORD_LINES and size <= MAX_ROW_CHARS:
        nxt = lines.popleft()
        buf.append(nxt)
        quotes += nxt.count('"')
        size += len(nxt)
    if quotes % 2 == 0:
        return buf, True
    lines.extendleft(reversed(buf[1:]))
    return buf[:1], False


def _parse(record: str, delimiter: str) -> list[str]:
    """Parse one CSV record strictly; raises csv.Error when it is not exactly one well-quoted row."""
    rows = list(csv.reader(io.StringIO(record, newline=""), delimiter=delimiter, strict=True))
    if len(rows) != 1:
        raise csv.Error(f"{len(rows)} rows where one was expected")
    return rows[0]


def _rows_csv(text: str, delimiter: str) -> Iterator[Row]:
    """(row number, raw row, dict or error message) for every data row of a CSV/TSV file."""
    csv.field_size_limit(MAX_ROW_CHARS + 1)
    pending = deque(io.StringIO(text, newline=""))
    header: list[str] | None = None
    n = 0
    while pending:
        lines, balanced = _record(pending)
        record = "".join(lines)
        if header is None:
            if not record.strip():
                continue
            try:
                header = _parse(record, delimiter) if balanced else []
            except csv.Error:
                header = []
            if not header or not balanced:
                raise Rejected(Code.TW109, "CSV header could not be read: unbalanced or stray quote in the "
                               "first line; fix the quoting")
            continue
        n += 1
        if not record.strip():
            n -= 1
            continue
        if not balanced:
            yield n, record, (f"row {n} has an unbalanced quote (no closing quote within "
                              f"{MAX_RECORD_LINES:,} lines or {MAX_ROW_CHARS:,} characters); "
                              "the rows after it are read on their own")
            continue
        if len(record) > MAX_ROW_CHARS:
            yield n, "", f"row {n} has {len(record):,} characters, over the {MAX_ROW_CHARS:,} limit for a row"
            continue
        try:
            values = _parse(record, delimiter)
            error = None if len(values) == len(header) else (
                f"row {n} has {len(values)} fields, the header has {len(header)}")
        except csv.Error as e:
            values, error = [], f"row {n} is not valid CSV ({e})"
        if error and len(lines) > 1:
            # a stray quote opened a field that later lines closed: only the first line is this row
            yield n, lines[0], (f"row {n} has an unbalanced quote: its quoted field ran over "
                                f"{len(lines) - 1} more lines and then {error.split(' ', 2)[-1]}; the "
                                "lines after it are read as rows of their own")
            pending.extendleft(reversed(lines[1:]))
            continue
        if error:
            yield n, record, error
            continue
        if not any(v.strip() for v in values):
            continue
        raw = json.dumps(values, ensure_ascii=False)
        row = dict(zip(header, values, strict=True))
        big = _too_big(row)
        if big:
            yield n, raw, f"row {n}: {big}"
            continue
        yield n, raw, row


def _rows(inp: FileInput, kind: str, text: str) -> Iterator[Row]:
    """The rows of a JSONL or CSV/TSV file."""
    if kind == "jsonl":
        return _rows_jsonl(text)
    return _rows_csv(text, "\t" if inp.path.suffix.lower() == ".tsv" else ",")


def read_tabular(inp: FileInput, kind: str) -> ReadResult:
    """Each row becomes a document with id = the row's id field, else ``<stem>:<row>``."""
    decoded = decode(inp.data)
    text = decoded.text
    fm = inp.fields
    # numeric dates need the whole column to tell day/month order: a first pass keeps only dates
    dates = [_pick(r, fm.date) or "" for _, _, r in _rows(inp, kind, text) if isinstance(r, dict)]
    order = numeric_date_order(dates)
    del dates
    result = ReadResult()
    seen_ids: set[str] = set()
    rows = 0
    for n, raw, parsed in _rows(inp, kind, text):
        rows += 1
        where = f"{inp.name}:{n}"
        digest = sha256(raw.encode("utf-8", errors="surrogatepass"))
        if isinstance(parsed, str):
            result.rejections.append(Rejection(where, Code.TW109.value, parsed, digest))
            continue
        row, replaced = clean_value(parsed)
        body = _pick(row, fm.text)
        if body is None:
            cols = ", ".join(str(c) for c in list(row)[:8])
            result.rejections.append(Rejection(
                where, Code.TW109.value,
                f"row {n} has no text in any of the columns {', '.join(fm.text)} (it has: {cols}); "
                "map the text column with --field text=COLUMN",
                digest,
            ))
            continue
        row_id = _pick(row, fm.id)
        if row_id is not None and row_id not in seen_ids:
            seen_ids.add(row_id)
            source = DocSource(f"{inp.key}#id={row_id}", id_candidates(inp.path, f":{row_id}", plain=row_id))
        elif row_id is not None:  # the same id twice in one file: the later row is told apart by number
            source = DocSource(f"{inp.key}#row={n}", (row_id, *id_candidates(inp.path, f":{n}")))
        else:
            source = DocSource(f"{inp.key}#row={n}", id_candidates(inp.path, f":{n}"))
        raw_date = _pick(row, fm.date)
        meta: dict[str, Any] = {"row": n, **decoded.meta()}
        if raw_date:
            meta["date_raw"] = raw_date
        if replaced:  # lone surrogate escapes ("\ud800") cannot be stored: U+FFFD stands in for each
            meta["surrogates_replaced"] = replaced
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
                source.candidates[0], body, fmt=kind, source_path=inp.name, digest=digest,
                rules=inp.rules, hints=hints,
            )
        except Rejected as e:
            result.rejections.append(Rejection(where, e.code.value, e.reason, digest))
            continue
        result.documents.append(doc)
        result.rows.append(n)
        result.sources.append(source)
    if not rows:
        raise Rejected(Code.TW108, f"{kind.upper()} file has no data rows")
    return result


def _mapped(fm: Any) -> set[str]:
    """Lower-cased column names consumed by the field map."""
    return {c.lower() for k in fm.__slots__ for c in getattr(fm, k)}
