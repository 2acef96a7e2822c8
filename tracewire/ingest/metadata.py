"""Metadata found in article text: title, date, outlet, dateline, author. Unknown stays None."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [
            ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",),
            ("june", "jun"), ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"),
            ("october", "oct"), ("november", "nov"), ("december", "dec"),
        ]
    )
    for m in names
}
_MONTH = r"(?P<month>Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
_WEEKDAY = r"(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*,?\s+)?"
_DATE_PATTERNS = [
    re.compile(rf"{_WEEKDAY}{_MONTH}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<year>\d{{4}})", re.I),
    re.compile(rf"{_WEEKDAY}(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+{_MONTH},?\s+(?P<year>\d{{4}})", re.I),
    re.compile(r"(?P<year>\d{4})-(?P<mnum>\d{2})-(?P<day>\d{2})(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?"),
]
_DATE_LINE_PREFIX = re.compile(r"^(?:published|posted|updated|date|last updated)(?: on)?\s*:?\s*", re.I)
_FROM_LINE = re.compile(r"^(?i:from|via|originally published (?:by|on|at))\s+(?P<outlet>[A-Z][\w&.' -]{1,60}?)\s*:?$")
_SOURCE_LINE = re.compile(r"^(?:source|sources|originally published by)\s*:\s*(?P<outlet>[^\n]{1,60}?)\s*\.?$", re.I)
_DESK_LINE = re.compile(r"^(?P<outlet>[A-Z][\w&.' -]{1,50}?)\s+(?i:news\s+)?(?i:desk)$")
_BY_LINE = re.compile(r"^(?i:by)\s+(?P<author>[A-Z][\w.'-]+(?:\s+[A-Z][\w.'-]+){0,3})(?:\s*[,|–-].*)?$")
_DATELINE = re.compile(
    r"^(?P<place>[A-Z][A-Z'.-]+(?:[ -][A-Z][A-Z'.-]+){0,3})(?:,\s*[A-Z][a-z]+\.?(?:\s+\d{1,2})?)?"
    r"(?:\s*\([A-Za-z .]+\))?\s*[–—-]{1,2}\s+"
)


@dataclass(slots=True)
class TextMetadata:
    """Metadata read from the text itself, with which line each value came from."""

    title: str | None = None
    date: str | None = None
    outlet: str | None = None
    author: str | None = None
    dateline: str | None = None
    extra: dict[str, str] = field(default_factory=dict)


def parse_date(value: str, *, order: str | None = None) -> str | None:
    """ISO date from a written date ("August 12, 2023", "12 August 2023", ISO); None if unsure.

    Numeric day/month dates ("4/5/2017") are read only with an explicit ``order`` ("MDY" or
    "DMY"), or when one part is above 12 and so cannot be a month.
    """
    value = value.strip()
    for pat in _DATE_PATTERNS:
        m = pat.fullmatch(value)
        if not m:
            continue
        gd = m.groupdict()
        month = int(gd["mnum"]) if gd.get("mnum") else MONTHS.get(gd["month"].lower().rstrip("."))
        return _iso(int(gd["year"]), month, int(gd["day"]))
    m = re.fullmatch(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})", value)
    if m:
        a, b, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
        if order == "MDY" or (order is None and b > 12 >= a):
            return _iso(y, a, b)
        if order == "DMY" or (order is None and a > 12 >= b):
            return _iso(y, b, a)
    return None


def _iso(year: int, month: int | None, day: int) -> str | None:
    """ISO string for a valid calendar date, else None."""
    if month is None:
        return None
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def numeric_date_order(values: list[str]) -> str | None:
    """Infer MDY or DMY for a column of numeric dates from the values that are unambiguous."""
    mdy = dmy = 0
    for v in values:
        m = re.fullmatch(r"\s*(\d{1,2})[/.](\d{1,2})[/.](\d{4})\s*", v or "")
        if not m:
            continue
        a, b = int(m.group(1)), int(m.group(2))
        mdy += b > 12 >= a
        dmy += a > 12 >= b
    if mdy and not dmy:
        return "MDY"
    if dmy and not mdy:
        return "DMY"
    return None


def _headline(line: str) -> bool:
    """A line that reads as a headline: short, no final full stop, not a caption."""
    return (
        5 <= len(line) <= 200
        and not re.search(r"[.;,]$", line)
        and "©" not in line
        and not re.search(r"\b(?:AFP|Reuters|Getty|AP Photo)\s*$", line)
        and len(line.split()) >= 3
    )


def from_text(text: str) -> TextMetadata:
    """Read title, date, outlet, author and dateline from the first and last lines of ``text``."""
    meta = TextMetadata()
    lines = [ln.strip() for ln in text.split("\n") if ln.strip()]
    head = lines[:6]
    for ln in head:
        d = parse_date(_DATE_LINE_PREFIX.sub("", ln))
        if d and meta.date is None:
            meta.date = d
            meta.extra["date_line"] = ln
            continue
        m = _FROM_LINE.match(ln)
        if m and meta.outlet is None:
            meta.outlet = m.group("outlet").strip()
            continue
        m = _DESK_LINE.match(ln)
        if m:
            meta.extra["credited"] = m.group("outlet").strip()
            continue
        m = _BY_LINE.match(ln)
        if m and meta.author is None:
            meta.author = m.group("author")
            continue
        if meta.title is None and _headline(ln) and not _DATELINE.match(ln):
            meta.title = ln
    for ln in lines[-8:]:
        m = _SOURCE_LINE.match(ln)
        if m:
            # "Source: X" credits where the text came from; a "From Y" header names the site itself
            meta.extra["source_credit"] = m.group("outlet").strip()
            if meta.outlet is None:
                meta.outlet = meta.extra["source_credit"]
    if meta.outlet is None and "credited" in meta.extra:
        meta.outlet = meta.extra["credited"]
    for ln in lines[:8]:
        m = _DATELINE.match(ln)
        if m and len(m.group("place")) >= 3:
            meta.dateline = m.group("place")
            break
    return meta
