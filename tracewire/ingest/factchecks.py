"""Fact-check databases as input: ClaimReview JSON-LD and JSON Lines, the EUvsDisinfo CSV.

Each record becomes a ``FactCheck`` with its provenance (the database or file it came from, the
path and row) or a coded rejection (TW109 bad JSON, TW112 no reviewed claim, TW113 a bad value);
one bad record never stops the file. Ids are stable: ``<source>:<16 hex of sha256(url + claim)>``,
so importing the same file again changes nothing.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ..errors import Code, Rejected
from ..records import FactCheck, Rejection
from ..store.base import Store
from ..store.factchecks import FactcheckStore

EUVSDISINFO = "euvsdisinfo"
EUVSDISINFO_COLUMNS = {"issue", "date", "outlet", "language", "keywords", "source", "title", "summary", "disproof"}
MAX_TEXT = 100_000  # characters of one field; longer is a TW113 (a page pasted into a claim)


@dataclass(slots=True)
class ImportSummary:
    """What one ``factchecks import`` did."""

    new: int = 0
    changed: int = 0
    unchanged: int = 0
    files: int = 0
    rejections: list[Rejection] = field(default_factory=list)

    def by_code(self) -> dict[str, int]:
        """Rejection counts by code."""
        out: dict[str, int] = {}
        for r in self.rejections:
            out[r.code] = out.get(r.code, 0) + 1
        return dict(sorted(out.items()))


def stable_id(source: str, url: str | None, claim: str) -> str:
    """``<source>:<16 hex>`` from the review URL and the claim text: the same record, the same id."""
    digest = hashlib.sha256(f"{url or ''}\n{' '.join(claim.split())}".encode()).hexdigest()[:16]
    return f"{source}:{digest}"


def _text(value: Any, what: str) -> str | None:
    """A field as stripped text (name of an Organization/Person, first of a list); None when empty."""
    if isinstance(value, list):
        value = next((v for v in value if v), None)
    if isinstance(value, dict):
        value = value.get("name") or value.get("@id") or value.get("url")
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise Rejected(Code.TW113, f"{what} is {type(value).__name__} {str(value)[:60]!r}, expected text; "
                       "give it as a string or as an object with a name")
    value = " ".join(value.split())
    if len(value) > MAX_TEXT:
        raise Rejected(Code.TW113, f"{what} has {len(value):,} characters (over {MAX_TEXT:,}); shorten it")
    return value or None


def _url(value: Any, what: str) -> str | None:
    """An http(s) URL, else a TW113 naming it (a javascript: or file: link is never kept)."""
    url = _text(value, what)
    if url is None:
        return None
    if not re.match(r"^https?://[^\s/]+", url, re.IGNORECASE):
        raise Rejected(Code.TW113, f"{what} {url[:80]!r} is not an http or https URL; fix or remove it")
    return url


_DATE_FORMATS = ("%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S.%f%z",
                 "%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M%z", "%Y-%m")


def _iso_date(value: Any, what: str) -> str | None:
    """An ISO 8601 date (YYYY-MM-DD) from a schema.org Date/DateTime, else TW113."""
    text = _text(value, what)
    if text is None:
        return None
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date().isoformat()
        except ValueError:
            continue
    try:
        return datetime.fromisoformat(text).date().isoformat()
    except ValueError:
        raise Rejected(Code.TW113, f"{what} {text[:40]!r} is not an ISO 8601 date; write it as YYYY-MM-DD") from None


def _types(obj: dict[str, Any]) -> set[str]:
    """The object's @type values without a vocabulary prefix."""
    t = obj.get("@type", [])
    return {str(x).rsplit("/", 1)[-1].rsplit(":", 1)[-1] for x in (t if isinstance(t, list) else [t])}


def _rating(value: Any) -> str | None:
    """A Rating as people read it: alternateName, else name, else ratingValue (of bestRating)."""
    if value is None:
        return None
    if isinstance(value, list):
        value = value[0] if value else None
    if not isinstance(value, dict):
        return _text(value, "reviewRating")
    named = _text(value.get("alternateName") or value.get("name"), "reviewRating.alternateName")
    if named:
        return named
    v = _text(value.get("ratingValue"), "reviewRating.ratingValue")
    best = _text(value.get("bestRating"), "reviewRating.bestRating")
    return f"{v}/{best}" if v and best else v


def claimreview(obj: dict[str, Any], source: str, path: str, row: int | None) -> FactCheck:
    """One schema.org ClaimReview object as a FactCheck; Rejected (TW112/TW113) when it cannot be."""
    if "ClaimReview" not in _types(obj):
        raise Rejected(Code.TW112, f"record of @type {obj.get('@type')!r} is not a ClaimReview; give objects with "
                       '"@type": "ClaimReview" (single, in a list, or under "@graph")')
    claim = _text(obj.get("claimReviewed"), "claimReviewed")
    reviewed = obj.get("itemReviewed")
    item: dict[str, Any] = reviewed if isinstance(reviewed, dict) else {}
    if not claim:
        claim = _text(item.get("text") or item.get("name"), "itemReviewed.text")
    if not claim:
        raise Rejected(Code.TW112, "ClaimReview has no claimReviewed (nor itemReviewed.text); add the text of the "
                       "claim it reviews")
    url = _url(obj.get("url"), "url")
    appearance = item.get("appearance") or item.get("firstAppearance")
    kw = obj.get("keywords")
    keywords = tuple(k.strip() for k in (kw.split(",") if isinstance(kw, str) else kw or []) if isinstance(k, str)
                     and k.strip())
    return FactCheck(
        id=stable_id(source, url, claim), source=source, source_path=path, row=row, claim_reviewed=claim,
        title=_text(obj.get("headline") or obj.get("name"), "headline"), rating=_rating(obj.get("reviewRating")),
        url=url, date=_iso_date(obj.get("datePublished"), "datePublished"), author=_text(obj.get("author"), "author"),
        claimant=_text(item.get("author"), "itemReviewed.author"),
        appearance=_url(appearance.get("url") if isinstance(appearance, dict) else appearance,
                        "itemReviewed.appearance"),
        language=_text(obj.get("inLanguage"), "inLanguage"), review_body=_text(obj.get("reviewBody"), "reviewBody"),
        keywords=keywords)


def _google_claim(obj: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The Google Fact Check Tools API shape ({text, claimant, claimReview: [...]}) as ClaimReview objects."""
    for rv in obj.get("claimReview") or []:
        if isinstance(rv, dict):
            yield {"@type": "ClaimReview", "claimReviewed": obj.get("text"), "url": rv.get("url"),
                   "datePublished": rv.get("reviewDate"), "author": rv.get("publisher"), "headline": rv.get("title"),
                   "reviewRating": {"alternateName": rv.get("textualRating")}, "inLanguage": rv.get("languageCode"),
                   "itemReviewed": {"author": obj.get("claimant"), "datePublished": obj.get("claimDate")}}


def _objects(data: Any) -> Iterator[dict[str, Any]]:
    """ClaimReview candidates in parsed JSON: one object, a list, an ``@graph``, or Google's claim shape."""
    if isinstance(data, list):
        for x in data:
            yield from _objects(x)
    elif isinstance(data, dict):
        if isinstance(data.get("@graph"), list):
            yield from _objects(data["@graph"])
        elif "claimReview" in data and "ClaimReview" not in _types(data):
            yield from _google_claim(data)
        else:
            yield data
    else:
        yield {"@type": type(data).__name__}


def _records(objs: Iterable[tuple[int | None, Any]], source: str, path: str) -> Iterator[FactCheck | Rejection]:
    """Fact-checks or rejections from (row, parsed JSON) pairs."""
    for row, data in objs:
        for obj in _objects(data):
            try:
                yield claimreview(obj, source, path, row)
            except Rejected as e:
                where = f"{path}#row={row}" if row is not None else path
                yield Rejection(where, e.code.value, e.reason, hashlib.sha256(
                    json.dumps(obj, sort_keys=True, default=str).encode()).hexdigest())


def read_json(text: str, source: str, path: str) -> Iterator[FactCheck | Rejection]:
    """A JSON-LD document (object, list, @graph); falls back to JSON Lines when it is several values."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        yield from read_jsonl(text, source, path)
        return
    yield from _records([(None, data)], source, path)


def read_jsonl(text: str, source: str, path: str) -> Iterator[FactCheck | Rejection]:
    """A ClaimReview feed, one JSON object per line; a bad line is TW109 and the rest goes on."""
    def parsed() -> Iterator[tuple[int | None, Any]]:
        for n, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                yield n, json.loads(line)
            except json.JSONDecodeError as e:
                yield n, {"@type": "__bad_json__", "error": f"{e.msg} at column {e.colno}"}
    for item in _records(parsed(), source, path):
        if isinstance(item, Rejection) and "__bad_json__" in item.message:
            row = item.path.rsplit("#row=", 1)[-1]
            item = Rejection(item.path, Code.TW109.value, f"line {row} is not valid JSON; fix or remove that line",
                             item.sha256)
        yield item


def _euvs_date(value: str) -> str:
    """EUvsDisinfo's MM/DD/YY date as ISO 8601, else TW113."""
    try:
        return datetime.strptime(value.strip(), "%m/%d/%y").date().isoformat()
    except ValueError:
        try:
            return date.fromisoformat(value.strip()).isoformat()
        except ValueError:
            raise Rejected(Code.TW113, f"date {value[:40]!r} is neither MM/DD/YY (the EUvsDisinfo export) nor "
                           "YYYY-MM-DD; fix the cell") from None


def read_euvsdisinfo(text: str, path: str) -> Iterator[FactCheck | Rejection]:
    """The EUvsDisinfo case CSV: summary is the claim, disproof the review, outlet the claimant."""
    reader = csv.DictReader(io.StringIO(text))
    cols = {c.strip().lower() for c in reader.fieldnames or []}
    if not {"summary", "disproof"} <= cols:
        yield Rejection(path, Code.TW112.value, f"CSV columns {sorted(cols)[:8]} are not the EUvsDisinfo export "
                        f"(needs {', '.join(sorted(EUVSDISINFO_COLUMNS))}); convert it to ClaimReview JSON Lines")
        return
    for n, raw in enumerate(reader, 2):
        row = {(k or "").strip().lower(): (v or "") for k, v in raw.items()}
        try:
            summary = _text(row.get("summary"), "summary") or _text(row.get("title"), "title")
            if not summary:
                raise Rejected(Code.TW112, "case has no summary nor title; add the disinformation claim's text")
            appearance = _url(row.get("source"), "source") if row.get("source", "").startswith(("http", "HTTP")) \
                else None
            if row.get("source", "").strip() and appearance is None and "://" in row.get("source", ""):
                raise Rejected(Code.TW113, f"source {row['source'][:80]!r} is not an http or https URL; fix the cell")
            kws = tuple(k.strip() for k in row.get("keywords", "").split(",") if k.strip())
            yield FactCheck(
                id=stable_id(EUVSDISINFO, appearance, summary), source=EUVSDISINFO, source_path=path, row=n,
                claim_reviewed=summary, title=_text(row.get("title"), "title"), rating="disinformation",
                url=None, date=_euvs_date(row.get("date", "")), author="EUvsDisinfo",
                claimant=_text(row.get("outlet"), "outlet"), appearance=appearance,
                language=_text(row.get("language"), "language"), review_body=_text(row.get("disproof"), "disproof"),
                keywords=kws)
        except Rejected as e:
            yield Rejection(f"{path}#row={n}", e.code.value, e.reason,
                            hashlib.sha256(json.dumps(row, sort_keys=True).encode()).hexdigest())


def read_file(path: Path) -> Iterator[FactCheck | Rejection]:
    """Fact-checks and rejections of one file, by its extension (.json/.jsonld, .jsonl/.ndjson, .csv)."""
    where = str(path.resolve())
    try:
        data = path.read_bytes()
    except OSError as e:
        yield Rejection(where, Code.TW107.value, f"cannot read {path}: {e.strerror or e}; check the path and permissions")
        return
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        yield Rejection(where, Code.TW103.value, f"not UTF-8 (byte {e.start}); re-save the file as UTF-8",
                        hashlib.sha256(data).hexdigest(), len(data))
        return
    if not text.strip():
        yield Rejection(where, Code.TW101.value, "empty file", hashlib.sha256(data).hexdigest(), 0)
        return
    suffix = path.suffix.lower()
    if suffix == ".csv":
        yield from read_euvsdisinfo(text, where)
    elif suffix in (".jsonl", ".ndjson"):
        yield from read_jsonl(text, path.name, where)
    elif suffix in (".json", ".jsonld"):
        yield from read_json(text, path.name, where)
    else:
        yield Rejection(where, Code.TW102.value, f"{path.name}: unknown fact-check format {suffix or '(none)'}; give "
                        ".jsonld/.json (ClaimReview), .jsonl (one ClaimReview per line) or the EUvsDisinfo .csv")


def import_factchecks(paths: Iterable[str | Path], store: Store) -> ImportSummary:
    """Read each file and store its fact-checks (new, changed, unchanged) and coded rejections."""
    summary = ImportSummary()
    fs = FactcheckStore.of(store)
    for p in paths:
        path = Path(p)
        files = sorted(f for f in path.rglob("*") if f.is_file()) if path.is_dir() else [path]
        for f in files:
            summary.files += 1
            records: dict[str, FactCheck] = {}
            rejections: list[Rejection] = []
            for item in read_file(f):
                if isinstance(item, FactCheck):
                    records.setdefault(item.id, item)
                else:
                    rejections.append(item)
            new, changed, same = fs.write(list(records.values()), rejections)
            summary.new += new
            summary.changed += changed
            summary.unchanged += same
            summary.rejections.extend(rejections)
    return summary
