"""Contradictions: one event told with different figures (kind ``quantity``), dates (``date``) or
places (``place``), and one source denying what another accuses an actor of (``fact``).

Two routes find them. A rewrite or copy whose word edits replace one figure with another (the
reuse stage's ``passages[].edits``) is the most telling case: the same text, a different number.
Between texts that are not copies of each other, two figures of one quantity category (killed,
injured, force, equipment) are compared when their claims are close in meaning, share an actor or
a place below the country (a shared "Syria" or "Russian" ties nothing), and their documents are
dated within a few days of each other (or undated). An actor ties nothing between two documents that each
name countries (by name or demonym) but none in common: a report on Haiti's cholera outbreak and one on
Zimbabwe's both cite the United Nations. Pairs that cannot be one event are left out:
figures about different victims (children against a whole toll, fighters against civilians), a
cumulative toll ("since 2011", "in the war", "over the past week") against a single toll, a part
added to a toll told before ("four were also killed", "two more"), figures more than ``max_ratio``
apart, claims that name different days of the week for the event, and a claim that states the
other's figure too. The words behind those rules (victim groups, running-total phrases, the words
of a part, the weekdays) are the packs' ``contradictions.toml`` (``tracewire/packs/core`` has the
English ones), so a domain pack can add its own.

Dates and places are told apart only when everything else names one event: two claims that give it
the same figure (as above, but equal) contradict on the date when both name one explicit date for
it (a weekday or "yesterday" resolved against the article's date, "12 March" in the article's year;
not the date a statement was made, "said on Tuesday", nor the article's own date in its header),
the dates differ, and both name the same precise place; they contradict on the place when both
name the same date and precise places at least ``min_km`` apart. A precise place is a town, a
village, a base (``point_features``), never a region, a dateline, a place "near" which it happened,
or a town named like its region ("Idlib" may be the province), so a town and its governorate never
contradict. The same weekday named in both is the same words, not a contradiction. A copy or
rewrite whose word edit replaced the date or the precise place is flagged as such, as for figures.

A ``fact`` contradiction is a claim that denies ("denied using chemical weapons", the packs'
``denial`` patterns) against a claim of another source and text that accuses an actor both name
("accused the army of using chemical agents"), in documents dated within ``fact_days``, sharing
``fact_words`` content words besides the actor and the frame. The accuser's source span never names
the accused, and accusations told as a pretext or of an earlier event (``not_accusation``, a year
other than the article's) are left out.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt

from ..errors import Code, UsageError
from .corroboration import ATTRIBUTED, Origin, claim_root

Row = dict[str, Any]
EVENT_CATEGORIES = ("killed", "injured", "force", "equipment")
VICTIM_GROUPS = ("children", "women", "fighters", "civilians")  # tried in this order, then the trades
BROAD_PLACES = ("country", "demonym", "continent", "sea", None)  # features too wide to tie two reports to one event
COUNTRY_LEVEL = ("country", "demonym")  # how a document names a country ("Haiti", "Haitian")


@dataclass(frozen=True, slots=True)
class ContradictionLexicon:
    """The word lists that tell whether two figures can count one event, from the packs'
    ``contradictions.toml`` (format at the top of ``tracewire/packs/core/contradictions.toml``)."""

    groups: tuple[tuple[str, frozenset[str]], ...]  # victim groups in the order they are tried
    trades: frozenset[str]  # each word its own group (medics, doctors)
    running_total: re.Pattern[str]
    partial: re.Pattern[str]
    weekdays: tuple[str, ...]  # Monday first
    weekday: re.Pattern[str]
    months: tuple[tuple[str, ...], ...] = ()  # each month's forms, January first
    relative: tuple[tuple[str, int], ...] = ()  # "yesterday" -> -1: days relative to the article's date
    statement: frozenset[str] = frozenset()  # a date next to these is when something was said
    not_event: frozenset[str] = frozenset()  # a date right after these bounds a span ("since Tuesday")
    vague: frozenset[str] = frozenset()  # a place right after these is not where the event was ("near")
    point_features: frozenset[str] = frozenset()
    region_words: frozenset[str] = frozenset()
    seats: frozenset[str] = frozenset()  # name keys that also name a region ("idlib"), set by ``lexicon``
    date: re.Pattern[str] = re.compile(r"(?!x)x")  # one date expression (weekday, day and month, relative)
    denial: re.Pattern[str] = re.compile(r"(?!x)x")  # "denied that", "rejected the allegations"
    accusation: re.Pattern[str] = re.compile(r"(?!x)x")  # "accused", "blamed"
    not_accusation: re.Pattern[str] = re.compile(r"(?!x)x")  # "a pretext for accusing", "previously accused"
    fact_cues: tuple[str, ...] = ()  # substrings every denial and accusation holds: a quick filter
    fact_frame: frozenset[str] = frozenset()  # frame words left out when a denial and an accusation are compared

    @classmethod
    def from_packs(cls, files: Sequence[Mapping[str, Any]]) -> ContradictionLexicon:
        """Merge ``contradictions.toml`` data: word lists and patterns add up; the last ``weekdays`` wins."""
        groups: dict[str, set[str]] = {g: set() for g in VICTIM_GROUPS}
        trades: set[str] = set()
        totals: list[str] = []
        parts: list[str] = []
        weekdays: list[str] = []
        months: list[list[str]] = []
        relative: dict[str, int] = {}
        lists: dict[str, set[str]] = {k: set() for k in ("statement", "not_event", "vague", "point_features",
                                                          "region_words", "fact_frame", "fact_cues")}
        patterns: dict[str, list[str]] = {"denial": [], "accusation": [], "not_accusation": []}
        for data in files:
            for g, words in data.get("victims", {}).items():
                if g != "trades" and g not in groups:
                    raise UsageError(f"contradictions.toml: victim group {g!r} is unknown; use one of "
                                     f"{', '.join((*VICTIM_GROUPS, 'trades'))}", Code.TW002)
                (trades if g == "trades" else groups[g]).update(w.lower() for w in words)
            totals += [t for t in data.get("running_total", []) if t not in totals]
            parts += [w.lower() for w in data.get("partial", []) if w.lower() not in parts]
            weekdays = [w.lower() for w in data.get("weekdays", weekdays)]
            months = [[f.lower() for f in forms] for forms in data.get("months", months)]
            relative = {k.lower(): int(v) for k, v in data.get("relative_days", relative).items()}
            for k, got in lists.items():
                got.update(w.lower() for w in data.get(k, []))
            for k, pats in patterns.items():
                pats += [x for x in data.get(k, []) if x not in pats]
        if months and (len(months) != 12 or not all(months)):
            raise UsageError(f"contradictions.toml: months={months!r} must give the twelve months' forms, "
                             "January first", Code.TW002)
        if len(weekdays) != 7:
            raise UsageError(f"contradictions.toml: weekdays={weekdays!r} must name the seven days, Monday first",
                             Code.TW002)
        try:
            running_total = re.compile("|".join(totals) or r"(?!x)x", re.IGNORECASE)
        except re.error as e:
            raise UsageError(f"contradictions.toml: a running_total pattern is not a regular expression ({e}); "
                             "fix it or remove it", Code.TW002) from e
        compiled: dict[str, re.Pattern[str]] = {}
        for k, pats in patterns.items():
            try:
                compiled[k] = re.compile("|".join(pats) or r"(?!x)x", re.IGNORECASE)
            except re.error as e:
                raise UsageError(f"contradictions.toml: a {k} pattern is not a regular expression ({e}); "
                                 "fix it or remove it", Code.TW002) from e
        return cls(tuple((g, frozenset(groups[g])) for g in VICTIM_GROUPS), frozenset(trades), running_total,
                   re.compile(r"\b(" + ("|".join(map(re.escape, parts)) or r"(?!x)x") + r")\b", re.IGNORECASE),
                   tuple(weekdays),
                   re.compile(r"\b(" + "|".join(map(re.escape, weekdays)) + r")\b", re.IGNORECASE),
                   months=tuple(tuple(m) for m in months), relative=tuple(sorted(relative.items())),
                   statement=frozenset(lists["statement"]), not_event=frozenset(lists["not_event"]),
                   vague=frozenset(lists["vague"]), point_features=frozenset(lists["point_features"]),
                   region_words=frozenset(lists["region_words"]),
                   date=_date_pattern(weekdays, months, list(relative)), denial=compiled["denial"],
                   accusation=compiled["accusation"], not_accusation=compiled["not_accusation"],
                   fact_frame=frozenset(lists["fact_frame"]), fact_cues=tuple(sorted(lists["fact_cues"])))


def _alt(forms: Sequence[str]) -> str:
    """A regular-expression alternation of ``forms``, longest first (never matches when empty)."""
    return "|".join(re.escape(f).replace(r"\ ", r"\s+") for f in sorted(set(forms), key=lambda f: (-len(f), f))) \
        or r"(?!x)x"


def _date_pattern(weekdays: Sequence[str], months: Sequence[Sequence[str]], relative: Sequence[str]) -> re.Pattern[str]:
    """One date expression: a weekday, a day and month (either order, the year optional) or a relative day."""
    m = _alt([f for forms in months for f in forms])
    return re.compile(
        rf"\b(?:(?P<d1>[0-3]?\d)(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m1>{m})\b(?:\.(?=,?\s+(?:19|20)\d\d))?(?:,?\s+(?P<y1>(?:19|20)\d\d)\b)?"
        rf"|(?P<m2>{m})\b\.?\s+(?P<d2>[0-3]?\d)(?:st|nd|rd|th)?\b(?:,?\s+(?P<y2>(?:19|20)\d\d)\b)?"
        rf"|(?P<wd>{_alt(weekdays)})\b|(?P<rel>{_alt(relative)})\b)", re.IGNORECASE)


def lexicon(packs: Sequence[str] | None = None) -> ContradictionLexicon:
    """The lexicon of ``packs`` (default: the ``pack`` setting), read once per process."""
    from .. import settings

    return _lexicon(settings.packs() if packs is None else tuple(packs))


@lru_cache(maxsize=8)
def _lexicon(packs: tuple[str, ...]) -> ContradictionLexicon:
    """``lexicon`` of the given packs, cached."""
    from ..packs import load_toml

    lex = ContradictionLexicon.from_packs(load_toml(packs, "contradictions.toml"))
    return replace(lex, seats=region_seats(packs, lex.region_words))


REGION_FEATURES = frozenset({"governorate", "admin1", "admin2", "region", "state", "province"})


def region_seats(packs: Sequence[str], region_words: frozenset[str]) -> frozenset[str]:
    """Name keys of the packs' regions without their region words ("Idlib province" -> "idlib"): a
    town of that name may stand for its region, so it places no event precisely."""
    from ..analyze.gazetteer import read_pack_tsv
    from ..packs import pack_dirs

    out: set[str] = set()
    for d in pack_dirs(packs):
        f = d / "gazetteer.tsv"
        if f.is_file():
            for names, entry in read_pack_tsv(f, d.name):
                if entry.feature in REGION_FEATURES:
                    out.update(_seat(n, region_words) for n in names)
    return frozenset(out - {""})


def _seat(name: str, region_words: frozenset[str]) -> str:
    """The name key of a region's name without its region words."""
    from ..analyze.gazetteer import name_key

    return name_key(" ".join(w for w in name.split() if w.lower() not in region_words))


@dataclass(frozen=True, slots=True)
class ContradictionConfig:
    """The knobs of contradiction finding."""

    min_cosine: float = 0.55  # claims this close in meaning can be about one event
    actor_cosine: float = 0.7  # without a shared place, claims sharing an actor must be this close
    days: int = 3  # documents dated further apart than this tell different events
    max_ratio: float = 10.0  # figures further apart than this factor count different things (a day against a campaign)
    categories: tuple[str, ...] = EVENT_CATEGORIES
    min_km: float = 30.0  # precise places this far apart cannot both be where one attack was
    fact_days: int = 7  # a denial answers an accusation made this many days before or after it
    fact_words: int = 2  # a denial and an accusation share this many content words on what happened

    def __post_init__(self) -> None:
        """Validate early, naming the bad value and the fix."""
        if not -1.0 <= self.min_cosine <= 1.0:
            raise UsageError(f"ContradictionConfig.min_cosine={self.min_cosine} must be a cosine in [-1, 1]")
        if self.days < 0:
            raise UsageError(f"ContradictionConfig.days={self.days} must be 0 or more")
        if self.fact_days < 0 or self.fact_words < 1:
            raise UsageError(f"ContradictionConfig.fact_days={self.fact_days} must be 0 or more and fact_words="
                             f"{self.fact_words} 1 or more (7 and 2 by default)")
        if self.min_km <= 0:
            raise UsageError(f"ContradictionConfig.min_km={self.min_km} must be above 0 (30 keeps a town and its "
                             "suburbs together)")
        if self.max_ratio < 1.0:
            raise UsageError(f"ContradictionConfig.max_ratio={self.max_ratio} must be 1 or more (10 keeps figures "
                             "within a factor of ten)")


@dataclass(frozen=True, slots=True)
class Figure:
    """A quantity inside a claim, with the claim's lexical context."""

    doc: str
    q: Row
    claim: Row
    actors: frozenset[str]
    places: frozenset[str]
    local: frozenset[str] = frozenset()  # the places below the country level (towns, cities, regions)
    inside: tuple[Row, ...] = ()  # the place rows inside the claim (``claim_points`` reads them when needed)
    doc_countries: frozenset[str] = frozenset()  # every country its document names, by name or demonym


@dataclass(frozen=True, slots=True)
class Point:
    """A precise place of a claim: a town, a village, a base (never a region or a town named like one)."""

    name: str
    feature: str
    lat: float
    lon: float


@dataclass(frozen=True, slots=True)
class EventDate:
    """The one date a claim gives its event, resolved against its article's date."""

    day: date
    said: str  # the words as written ("on Tuesday", "12 March")
    start: int  # offsets of ``said`` in the document
    end: int
    article: date | None
    weekday: str | None = None  # the weekday as written when only a weekday names the date


PUBLICATION_HEAD = 120  # an article's own date this close to its start is its header, not an event's date
MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
               "November", "December")
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _day(value: str | None) -> date | None:
    """The date part of an ISO date, or None."""
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def _source(claim: Row, outlet: str | None) -> str:
    """Who the claim rests on: its attributed source (with the channel), else the outlet as author."""
    if claim.get("source_kind") in ATTRIBUTED and (claim.get("source_canonical") or claim.get("source")):
        name = str(claim.get("source_canonical") or claim.get("source"))
        return f"{name} (via {claim['channel']})" if claim.get("channel") else name
    return f"{outlet or 'the author'} (unattributed)"


def _side(f: Figure, outlet: str | None) -> Row:
    """One side of a contradiction: the claim span, its text and its source."""
    c = f.claim
    return {"doc": f.doc, "start": c["start"], "end": c["end"], "text": c["text"], "source": _source(c, outlet)}


def _figure_text(q: Row) -> str:
    """A figure as written, with its qualifier when the text does not show it."""
    qual = q.get("qualifier")
    return f"{qual} {q['text']}" if qual and str(qual).lower() not in str(q["text"]).lower() else str(q["text"])


def _bound_note(qa: Row, qb: Row) -> str | None:
    """When one figure is a bound ('at least', 'over') that the other satisfies, say so."""
    for x, y in ((qa, qb), (qb, qa)):
        qual = (x.get("qualifier") or "").lower()
        if (qual in ("over", "at least", "more than") or qual.startswith("dozens")) and \
                float(y["value"]) >= float(x["value"]):
            return (f"'{_figure_text(x)}' is a lower bound that {y['value']:g} meets: the figures differ "
                    "but need not exclude each other")
    return None


def _link_between(links_by_pair: Mapping[tuple[str, str], Row], a: str, b: str) -> Row | None:
    """The reuse link between two documents, as {source, target, kind}, if any."""
    lk = links_by_pair.get((a, b)) or links_by_pair.get((b, a))
    return {"source": lk["source"], "target": lk["target"], "kind": lk["kind"]} if lk else None


def _cid(a: Row, b: Row, qa: Row, qb: Row) -> str:
    """A stable id of a contradiction from its two sides and the two figures."""
    key = (f"{a['doc']}\t{a['start']}\t{a['end']}\t{qa['start']}\t{b['doc']}\t{b['start']}\t{b['end']}"
           f"\t{qb['start']}")
    return "contradiction-" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:12]


def claim_points(claim: Row, places: Sequence[Row], lex: ContradictionLexicon) -> tuple[Point, ...]:
    """The precise places inside ``claim`` (its doc's ``places``): a feature of ``point_features`` with
    coordinates, not named like a region ("Idlib" may mean its province), not after a ``vague`` word
    ("near", "north of", "based in" say where the event was not)."""
    from ..analyze.gazetteer import name_key

    text, start = str(claim["text"]), int(claim["start"])
    out: dict[str, Point] = {}
    for p in places:
        if not (start <= p["start"] and p["end"] <= claim["end"]) or p.get("feature") not in lex.point_features \
                or p.get("lat") is None or p.get("lon") is None:
            continue
        if name_key(str(p["name"])) in lex.seats or name_key(str(p.get("mention") or p["name"])) in lex.seats:
            continue
        before = re.findall(r"[a-z]+", text[max(0, p["start"] - start - 40):p["start"] - start].lower())[-2:]
        if any(w in lex.vague for w in before):
            continue
        mention = text[p["start"] - start:p["end"] - start]
        if (mention.isupper() and len(mention) > 3) or text[p["end"] - start:p["end"] - start + 2] in (" (", " –"):
            continue  # a dateline ("BEIRUT (Sputnik)"): where the report was filed, not the event
        out.setdefault(str(p["name"]), Point(str(p["name"]), str(p["feature"]), float(p["lat"]), float(p["lon"])))
    return tuple(out[k] for k in sorted(out))


def _statement_date(text: str, m: re.Match[str], lex: ContradictionLexicon) -> bool:
    """Whether a date tells when something was said ("said on Tuesday") or bounds a span ("since
    Tuesday") rather than when the event was."""
    before = re.findall(r"[a-z]+", text[max(0, m.start() - 60):m.start()].lower())
    after = re.findall(r"[a-z]+", text[m.end():m.end() + 20].lower())[:1]
    near = [w for w in before if w != "on"]
    return any(w in lex.statement for w in before[-5:] + after) or bool(near and near[-1] in lex.not_event)


def event_date(claim: Row, article: date | None, lex: ContradictionLexicon | None = None) -> EventDate | None:
    """The one date ``claim`` gives its event (a weekday or "yesterday" resolved against the article's
    date, "12 March" in the article's year), or None when it gives none, several, or one it cannot
    resolve; dates of statements ("said on Tuesday") and span bounds ("since Tuesday") do not count."""
    lex = lex or lexicon()
    text, start = str(claim["text"]), int(claim["start"])
    absolute: list[tuple[date, re.Match[str]]] = []
    relative: list[tuple[date, re.Match[str], int | None]] = []  # with the weekday named, if one was
    offsets = dict(lex.relative)
    matches = list(lex.date.finditer(text))
    header = {k for k, m in enumerate(matches) if start + m.start() < PUBLICATION_HEAD and not m.group("wd")
              and not m.group("rel") and _header_date(m, article, lex)}
    header |= {k for k in range(len(matches) - 1) if k + 1 in header and matches[k].group("wd")
               and matches[k + 1].start() - matches[k].end() <= 2}  # "Saturday 16 Jul 2016" in a header
    for k, m in enumerate(matches):
        if k in header or _statement_date(text, m, lex):
            continue
        g = m.groupdict()
        if g["wd"] or g["rel"]:
            if article is None:
                return None  # a date that cannot be resolved: the claim's date is unknown
            if g["wd"]:
                w = lex.weekdays.index(g["wd"].lower())
                relative.append((date.fromordinal(_event_day(article, w)), m, w))
            else:
                relative.append((date.fromordinal(article.toordinal() + offsets[" ".join(g["rel"].lower().split())]),
                                 m, None))
            continue
        word = g["m1"] or g["m2"]
        if not word[:1].isupper():
            continue  # "they may 12": a month name is capitalised
        month = next(k for k, forms in enumerate(lex.months, start=1) if word.lower() in forms)
        year = g["y1"] or g["y2"]
        if year is None and article is None:
            return None
        try:
            day = date(int(year) if year else article.year, month, int(g["d1"] or g["d2"]))  # type: ignore[union-attr]
            if year is None and article is not None and day > date.fromordinal(article.toordinal() + 1):
                day = day.replace(year=day.year - 1)  # "28 December" in a January article
        except ValueError:
            continue
        absolute.append((day, m))
    if len({d for d, _ in absolute}) > 1:
        return None
    if absolute:
        day, m = absolute[0]
        if any(d != day and w != day.weekday() for d, _, w in relative):
            return None  # "Tuesday, 12 March" agrees when 12 March is a Tuesday
        return EventDate(day, m.group(0), start + m.start(), start + m.end(), article)
    if len({d for d, _, _ in relative}) != 1:
        return None
    day, m = relative[0][0], relative[0][1]
    named = {x.group("wd").lower() for _, x, _ in relative if x.group("wd")}
    only_weekdays = all(wd is not None for _, _, wd in relative)
    return EventDate(day, m.group(0), start + m.start(), start + m.end(), article,
                     named.pop() if len(named) == 1 and only_weekdays else None)


def _header_date(m: re.Match[str], article: date | None, lex: ContradictionLexicon) -> bool:
    """Whether a day-and-month date is the article's own date (near its start, it is the header's
    publication date, "AFP Saturday 16 Jul 2016", not the event's)."""
    word = (m.group("m1") or m.group("m2") or "").lower()
    year = m.group("y1") or m.group("y2")
    month = next((k for k, forms in enumerate(lex.months, start=1) if word in forms), 0)
    return article is not None and (month, int(m.group("d1") or m.group("d2"))) == (article.month, article.day) \
        and (year is None or int(year) == article.year)


def _say_date(e: EventDate) -> str:
    """A resolved date as evidence: "'on Tuesday' = Tuesday 12 March 2017 (article 2017-03-14)"."""
    d = e.day
    article = f" (article {e.article.isoformat()})" if e.article else ""
    return f"'{e.said}' = {WEEKDAY_NAMES[d.weekday()]} {d.day} {MONTH_NAMES[d.month - 1]} {d.year}{article}"


def _far_apart(pa: Sequence[Point], pb: Sequence[Point]) -> float | None:
    """The least distance in km between two claims' precise places, or None when either has none or
    they share one."""
    from ..analyze.gazetteer import haversine_km

    if not pa or not pb or {p.name for p in pa} & {p.name for p in pb}:
        return None
    return min(haversine_km(x.lat, x.lon, y.lat, y.lon) for x in pa for y in pb)


def _say_points(points: Sequence[Point]) -> str:
    """Precise places as evidence: "Saraqib (town), Taftanaz (town)"."""
    return ", ".join(f"{p.name} ({p.feature})" for p in points)


def figures(layers: Mapping[str, Sequence[Row]], categories: Sequence[str]) -> list[Figure]:
    """Quantities of the given categories that lie inside a claim, with the claim's actors and places."""
    claims: dict[str, list[Row]] = defaultdict(list)
    for row in layers["claims"]:
        claims[row["doc"]].append(row)
    actors: dict[str, list[Row]] = defaultdict(list)
    for a in layers["actors"]:
        actors[a["doc"]].append(a)
    places: dict[str, list[Row]] = defaultdict(list)
    for p in layers["places"]:
        places[p["doc"]].append(p)
    countries: dict[str, frozenset[str]] = {}
    out: list[Figure] = []
    for q in layers["quantities"]:
        if q["category"] not in categories:
            continue
        d = q["doc"]
        c: Row | None = next((x for x in claims.get(d, []) if x["start"] <= q["start"] and q["end"] <= x["end"]),
                             None)
        if c is None:
            continue
        acts = frozenset(a["actor"] for a in actors.get(d, ()) if c["start"] <= a["start"] and a["end"] <= c["end"])
        inside = [p for p in places.get(d, ()) if c["start"] <= p["start"] and p["end"] <= c["end"]]
        if d not in countries:
            countries[d] = frozenset(p["name"] for p in places.get(d, ()) if p.get("feature") in COUNTRY_LEVEL)
        out.append(Figure(d, q, c, acts, frozenset(p["name"] for p in inside),
                          frozenset(p["name"] for p in inside if p.get("feature") not in BROAD_PLACES),
                          tuple(inside), countries[d]))
    return out


def _rewrites(layers: Mapping[str, Sequence[Row]], links: Sequence[Row], docs: Mapping[str, Row],
              lex: ContradictionLexicon, cfg: ContradictionConfig) -> list[Row]:
    """Figures, event dates and precise places that a copy or rewrite replaced by others (from the reuse edits)."""
    figs: dict[str, list[Figure]] = defaultdict(list)
    for f in figures(layers, tuple({q["category"] for q in layers["quantities"]})):
        figs[f.doc].append(f)
    out: list[Row] = []
    edited = {d for lk in links if lk["kind"] in ("copy", "rewrite") for d in (lk["source"], lk["target"])}
    claims: dict[str, list[Row]] = defaultdict(list)
    places: dict[str, list[Row]] = defaultdict(list)
    for c in layers["claims"]:
        if c["doc"] in edited:
            claims[c["doc"]].append(c)
    for pl in layers["places"]:
        if pl["doc"] in edited:
            places[pl["doc"]].append(pl)
    for lk in links:
        if lk["kind"] not in ("copy", "rewrite"):
            continue
        src, tgt = lk["source"], lk["target"]
        for p in lk["passages"]:
            for e in p.get("edits", []):
                if e["op"] != "sub":
                    continue
                out += _changed_facts(lk, e, claims, places, docs, lex, cfg)
                fa = [f for f in figs.get(src, ()) if f.q["start"] < e["source_end"] and e["source_start"] < f.q["end"]]
                fb = [f for f in figs.get(tgt, ()) if f.q["start"] < e["target_end"] and e["target_start"] < f.q["end"]]
                for a in fa:
                    for b in fb:
                        if float(a.q["value"]) == float(b.q["value"]):
                            continue
                        sa, sb = _side(a, docs.get(src, {}).get("outlet")), _side(b, docs.get(tgt, {}).get("outlet"))
                        direction = "" if lk["direction_known"] else " (direction unknown)"
                        out.append({
                            "id": _cid(sa, sb, a.q, b.q), "a": sa, "b": sb,
                            "about": {"actors": sorted(a.actors | b.actors), "place": min(a.places | b.places, default=None),
                                      "date_window": _window(docs, src, tgt), "category": a.q["category"]},
                            "kind": "quantity",
                            "reuse": {"source": src, "target": tgt, "kind": lk["kind"]},
                            "evidence": [
                                f"a {lk['kind']} changed a number: '{_figure_text(a.q)}' in {src} became "
                                f"'{_figure_text(b.q)}' in {tgt}{direction}; the same text with another "
                                "figure is the most telling case",
                                f"word edit {e['source_start']}-{e['source_end']} → {e['target_start']}-{e['target_end']}"
                                " inside a shared passage",
                            ],
                        })
    return out


def _changed_facts(lk: Row, e: Row, claims: Mapping[str, Sequence[Row]], places: Mapping[str, Sequence[Row]],
                   docs: Mapping[str, Row], lex: ContradictionLexicon, cfg: ContradictionConfig) -> list[Row]:
    """The event date or precise place that one word edit of a copy or rewrite replaced by another."""
    src, tgt = lk["source"], lk["target"]
    ca = next((c for c in claims.get(src, ()) if c["start"] <= e["source_start"] and e["source_end"] <= c["end"]), None)
    cb = next((c for c in claims.get(tgt, ()) if c["start"] <= e["target_start"] and e["target_end"] <= c["end"]), None)
    if ca is None or cb is None:
        return []
    direction = "" if lk["direction_known"] else " (direction unknown)"
    sa, sb = _side_of(src, ca, docs), _side_of(tgt, cb, docs)
    da, db = _day(docs.get(src, {}).get("date")), _day(docs.get(tgt, {}).get("date"))
    cut_a = str(ca["text"])[max(0, e["source_start"] - ca["start"] - 12):e["source_end"] - ca["start"] + 12]
    cut_b = str(cb["text"])[max(0, e["target_start"] - cb["start"] - 12):e["target_end"] - cb["start"] + 12]
    dated = lex.date.search(cut_a) is not None and lex.date.search(cut_b) is not None  # most edits touch no date
    ea, eb = (event_date(ca, da, lex), event_date(cb, db, lex)) if dated else (None, None)
    out: list[Row] = []
    about = {"actors": [], "place": None, "date_window": _window(docs, src, tgt), "category": None}
    reuse = {"source": src, "target": tgt, "kind": lk["kind"]}
    edit = (f"word edit {e['source_start']}-{e['source_end']} → {e['target_start']}-{e['target_end']} inside a "
            "shared passage")
    if ea is not None and eb is not None and ea.day != eb.day and ea.start < e["source_end"] \
            and e["source_start"] < ea.end and eb.start < e["target_end"] and e["target_start"] < eb.end:
        out.append({"id": _fid("date", sa, sb, ea.start, eb.start), "a": sa, "b": sb, "about": about, "kind": "date",
                    "reuse": reuse, "evidence": [
                        f"a {lk['kind']} changed a date: {_say_date(ea)} in {src} became {_say_date(eb)} in "
                        f"{tgt}{direction}; the same text with another date is the most telling case", edit]})
    in_a = [r for r in places.get(src, ()) if r["start"] < e["source_end"] and e["source_start"] < r["end"]]
    in_b = [r for r in places.get(tgt, ()) if r["start"] < e["target_end"] and e["target_start"] < r["end"]]
    pa = [p for p in claim_points(ca, in_a, lex) if _overlaps(p, in_a, e, "source")] if in_a and in_b else []
    pb = [p for p in claim_points(cb, in_b, lex) if _overlaps(p, in_b, e, "target")] if pa else []
    km = _far_apart(pa, pb)
    if km is not None and km >= cfg.min_km:
        out.append({"id": _fid("place", sa, sb, e["source_start"], e["target_start"]), "a": sa, "b": sb,
                    "about": about, "kind": "place", "reuse": reuse, "evidence": [
                        f"a {lk['kind']} changed a place: {_say_points(pa)} in {src} became {_say_points(pb)} in "
                        f"{tgt}{direction}, {km:.0f} km apart; the same text with another place is the most "
                        "telling case", edit]})
    return out


def _overlaps(p: Point, places: Sequence[Row], e: Row, side: str) -> bool:
    """Whether a mention of ``p`` lies in the ``side`` ("source" or "target") span of edit ``e``."""
    lo, hi = e[f"{side}_start"], e[f"{side}_end"]
    return any(r["name"] == p.name and r["start"] < hi and lo < r["end"] for r in places)


def _side_of(doc: str, claim: Row, docs: Mapping[str, Row]) -> Row:
    """One side of a contradiction from a claim row."""
    return {"doc": doc, "start": claim["start"], "end": claim["end"], "text": claim["text"],
            "source": _source(claim, docs.get(doc, {}).get("outlet"))}


def _fid(kind: str, a: Row, b: Row, at_a: int, at_b: int) -> str:
    """A stable id of a date or place contradiction from its kind, its two sides and where they differ."""
    key = f"{kind}\t{a['doc']}\t{a['start']}\t{a['end']}\t{at_a}\t{b['doc']}\t{b['start']}\t{b['end']}\t{at_b}"
    return "contradiction-" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:12]


def _window(docs: Mapping[str, Row], a: str, b: str) -> list[str | None]:
    """The earliest and latest date of two documents (None where undated)."""
    dates = sorted(x for x in (docs.get(a, {}).get("date"), docs.get(b, {}).get("date")) if x)
    return [dates[0][:10], dates[-1][:10]] if dates else [None, None]


def _incidence(sets: Sequence[frozenset[str]]) -> npt.NDArray[np.bool_]:
    """Pairs of rows whose sets share an element (a boolean n x n matrix)."""
    names = {x: k for k, x in enumerate(sorted({x for s in sets for x in s}))}
    m = np.zeros((len(sets), max(len(names), 1)), dtype=np.float32)
    for r, s in enumerate(sets):
        for x in s:
            m[r, names[x]] = 1.0
    out: npt.NDArray[np.bool_] = (m @ m.T) > 0
    return out


def _elsewhere(figs: Sequence[Figure]) -> npt.NDArray[np.bool_]:
    """Pairs of figures whose documents name countries, by name or demonym, and none in common: a report on Haiti's
    cholera outbreak and one on Zimbabwe's tell of two events, whatever actors ("the United Nations") they share."""
    some = np.array([bool(f.doc_countries) for f in figs], dtype=bool)
    out: npt.NDArray[np.bool_] = ~_incidence([f.doc_countries for f in figs]) & some[:, None] & some[None, :]
    return out


_COMPATIBLE = frozenset({("generic", "civilians"), ("generic", "fighters")})


def victims(q: Row, lex: ContradictionLexicon | None = None) -> str:
    """Whom a figure counts: children, women, fighters, civilians, one trade (medics), or anyone (generic)."""
    lex = lex or lexicon()
    words: list[str] = re.findall(r"[a-z]+", str(q["text"]).lower())
    for word in words:
        for name, group in lex.groups:
            if word in group:
                return name
        if word in lex.trades:
            return word
    return "generic"


def comparable(x: str, y: str) -> bool:
    """Whether figures of two kinds of victims can count the same dead (children and a whole toll cannot)."""
    return x == y or (x, y) in _COMPATIBLE or (y, x) in _COMPATIBLE


def cumulative(text: str, lex: ContradictionLexicon | None = None) -> bool:
    """Whether a claim gives a running total ('since 2011', 'in the war', 'over the past week')."""
    return (lex or lexicon()).running_total.search(text) is not None


def partial(text: str, figure: str, lex: ContradictionLexicon | None = None) -> bool:
    """Whether a figure adds to a toll told before ('four people were also killed', 'another six', 'two more')."""
    words = figure.lower().split()
    return (lex or lexicon()).partial.search(text) is not None or ("more" in words and "than" not in words)


def event_weekday(text: str, lex: ContradictionLexicon | None = None) -> int | None:
    """The one day of the week a claim names for its event (0 = Monday), or None (none or several)."""
    lex = lex or lexicon()
    names = {m.group(1).lower() for m in lex.weekday.finditer(text)}
    return lex.weekdays.index(names.pop()) if len(names) == 1 else None


def _event_day(day: date | None, weekday: int | None) -> int:
    """The ordinal of the event day (the named weekday on or before the document's date); -1 when unknown."""
    if day is None or weekday is None:
        return -1
    return day.toordinal() - (day.weekday() - weekday) % 7


def _possible(figs: Sequence[Figure], orig: Mapping[str, Origin], cfg: ContradictionConfig,
              docs: Mapping[str, Row], sims: npt.NDArray[np.float32], tag_ids: npt.NDArray[np.int64],
              lex: ContradictionLexicon) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """The pairs of figures that can contradict, as two matrices. Both: other documents and other
    roots (copies differ only through their edits, handled apart), a shared place (or shared actors
    with close claims or one narrative), dates within the window (or undated), the same victims and
    both a single toll or both a running total, neither a part added to a toll. The first (figures
    that differ): different values, not another scale, not another day. The second (one event by its
    figure, whose date or place may differ): the same value."""
    keys = [(f.doc, claim_root(f.doc, f.claim["start"], f.claim["end"], orig)) for f in figs]
    codes = {k: n for n, k in enumerate(sorted({x for pair in keys for x in pair}))}
    doc = np.array([codes[d] for d, _ in keys], dtype=np.int64)
    root = np.array([codes[r] for _, r in keys], dtype=np.int64)
    value = np.array([float(f.q["value"]) for f in figs], dtype=np.float64)
    days = [_day(docs.get(f.doc, {}).get("date")) for f in figs]
    ordinal = np.array([d.toordinal() if d is not None else 0 for d in days], dtype=np.int64)
    dated = np.array([d is not None for d in days], dtype=bool)
    same_tag = (tag_ids[:, None] == tag_ids[None, :]) & (tag_ids[:, None] >= 0)
    kinds = [victims(f.q, lex) for f in figs]
    names = sorted(set(kinds))
    table = np.array([[comparable(x, y) for y in names] for x in names], dtype=bool)
    kind = np.array([names.index(k) for k in kinds], dtype=np.int64)
    total = np.array([cumulative(str(f.claim["text"]), lex) for f in figs], dtype=bool)
    part = np.array([partial(str(f.claim["text"]), str(f.q["text"]), lex) for f in figs], dtype=bool)
    wd = [event_weekday(str(f.claim["text"]), lex) for f in figs]
    weekday = np.array([-1 if w is None else w for w in wd], dtype=np.int64)
    event = np.array([_event_day(d, w) for d, w in zip(days, wd, strict=True)], dtype=np.int64)
    named = weekday >= 0
    other_day = (named[:, None] & named[None, :]) & np.where(
        (event[:, None] >= 0) & (event[None, :] >= 0), event[:, None] != event[None, :],
        weekday[:, None] != weekday[None, :])
    low, high = np.minimum(value[:, None], value[None, :]), np.maximum(value[:, None], value[None, :])
    scale = high <= cfg.max_ratio * np.maximum(low, 1e-9)
    alike = (table[kind[:, None], kind[None, :]] & (total[:, None] == total[None, :]) & ~part[:, None]
             & ~part[None, :])
    tied = _incidence([f.local for f in figs]) | (
        _incidence([f.actors for f in figs]) & ((sims >= cfg.actor_cosine) | same_tag) & ~_elsewhere(figs))
    far = dated[:, None] & dated[None, :] & (np.abs(ordinal[:, None] - ordinal[None, :]) > cfg.days)
    base = (doc[:, None] != doc[None, :]) & (root[:, None] != root[None, :]) & tied & ~far & alike
    differ: npt.NDArray[np.bool_] = base & (value[:, None] != value[None, :]) & scale & ~other_day
    same: npt.NDArray[np.bool_] = base & (value[:, None] == value[None, :])
    return differ, same


def _same_figure(a: Figure, b: Figure, sim: float, tag_a: str | None, tag_b: str | None, cat: str,
                 orig: Mapping[str, Origin], docs: Mapping[str, Row], pairs: Mapping[tuple[str, str], Row],
                 cfg: ContradictionConfig, lex: ContradictionLexicon, merge_copies: bool,
                 dates: dict[tuple[str, int], EventDate | None], spots: dict[tuple[str, int], tuple[Point, ...]]
                 ) -> tuple[tuple[str, ...], Row, str, str, str, str] | None:
    """A ``date`` or ``place`` contradiction between two claims that give one event the same figure
    (the same victims, within the date window, close in meaning and sharing a place or actors): both
    name the event's date and the dates differ, or both name precise places at least ``min_km`` apart.
    None when neither, and when both differ (then they more likely tell two events). Returns the
    record with its merge key, its documents and their roots."""
    da, db = _day(docs.get(a.doc, {}).get("date")), _day(docs.get(b.doc, {}).get("date"))
    if (str(da or "9999"), a.doc) > (str(db or "9999"), b.doc):
        a, b, da, db, tag_a, tag_b = b, a, db, da, tag_b, tag_a
    for f, d in ((a, da), (b, db)):
        k = (f.doc, int(f.claim["start"]))
        if k not in dates:
            dates[k] = event_date(f.claim, d, lex)
    ea, eb = dates[(a.doc, int(a.claim["start"]))], dates[(b.doc, int(b.claim["start"]))]
    if ea is None or eb is None:
        return None  # a claim that names no date cannot be shown to tell the same event, nor another day
    # the same weekday named twice is the same words: a difference would come from the articles' dates
    other_day = ea.day != eb.day and (ea.weekday is None or ea.weekday != eb.weekday)
    for f in (a, b):
        k = (f.doc, int(f.claim["start"]))
        if k not in spots:
            spots[k] = claim_points(f.claim, f.inside, lex)
    pa, pb = spots[(a.doc, int(a.claim["start"]))], spots[(b.doc, int(b.claim["start"]))]
    km = _far_apart(pa, pb)
    other_place = km is not None and km >= cfg.min_km
    same_place = bool({p.name for p in pa} & {p.name for p in pb})
    # all but one of figure, date and precise place agree: the one that differs contradicts
    if not ((other_day and same_place) or (other_place and ea.day == eb.day)):
        return None
    ra = claim_root(a.doc, a.claim["start"], a.claim["end"], orig)
    rb = claim_root(b.doc, b.claim["start"], b.claim["end"], orig)
    sa, sb = _side(a, docs.get(a.doc, {}).get("outlet")), _side(b, docs.get(b.doc, {}).get("outlet"))
    shared_places, shared_actors = a.local & b.local, a.actors & b.actors
    same = tag_a is not None and tag_a == tag_b
    if other_day:
        kind, at_a, at_b = "date", ea.start, eb.start
        first = (f"date: A ({a.doc}) {_say_date(ea)}; B ({b.doc}) {_say_date(eb)}: "
                 f"{abs((ea.day - eb.day).days)} day(s) apart for one event")
    else:
        kind, at_a, at_b = "place", int(a.q["start"]), int(b.q["start"])
        first = (f"place: A ({a.doc}) names {_say_points(pa)}; B ({b.doc}) names {_say_points(pb)}: "
                 f"{km:.0f} km apart at the nearest (at least {cfg.min_km:g}), and neither is a region the other "
                 "lies in")
    evidence = [first, f"one event by its figure: {cat} '{_figure_text(a.q)}' ({a.doc}) and '{_figure_text(b.q)}' "
                       f"({b.doc})",
                f"claims close in meaning (cosine {sim:.2f}" + (f"; both in {tag_a})" if same else ")")]
    evidence += _same_event_evidence(shared_places, shared_actors, da, db, cfg.days)
    key: tuple[str, ...] = (min(ra, rb), max(ra, rb), kind, cat, f"{float(a.q['value'])}")
    if not merge_copies:
        key = (*key, a.doc, str(a.claim["start"]), b.doc, str(b.claim["start"]))
    rec: Row = {"id": _fid(kind, sa, sb, at_a, at_b), "a": sa, "b": sb,
                "about": {"actors": sorted(shared_actors), "place": min(shared_places, default=None),
                          "date_window": _window(docs, a.doc, b.doc), "category": cat},
                "kind": kind, "reuse": _link_between(pairs, a.doc, b.doc), "evidence": evidence}
    return key, rec, a.doc, b.doc, ra, rb


def _other_year(text: str, article: date | None) -> bool:
    """Whether a claim names a year other than its article's ("attacks in 2014 and 2015"): it tells
    an earlier event."""
    return any(article is None or int(y) != article.year for y in re.findall(r"\b(?:19|20)\d\d\b", text))


def _facts(layers: Mapping[str, Sequence[Row]], docs: Mapping[str, Row], orig: Mapping[str, Origin],
           pairs: Mapping[tuple[str, str], Row], cfg: ContradictionConfig, lex: ContradictionLexicon,
           merge_copies: bool) -> list[tuple[tuple[str, ...], Row, str, str, str, str]]:
    """``fact`` contradictions: one claim denies ("denied using chemical weapons") what a claim of
    another source and text accuses an actor both name of ("accused the army of using chemical
    agents"), in documents dated within ``fact_days``, the two sharing at least ``fact_words`` content
    words besides the actor's name and the frame words. The accuser is never the accused (its source
    span names none of the shared actors), and a claim holding both a denial and an accusation is
    neither. Returns records with their merge keys, documents and roots."""
    from .narratives import content_words

    actors: dict[str, list[Row]] = defaultdict(list)
    for r in layers["actors"]:
        actors[r["doc"]].append(r)
    deny: list[tuple[Row, re.Match[str]]] = []
    accuse: list[tuple[Row, re.Match[str]]] = []
    for c in layers["claims"]:
        text = str(c["text"])
        low = text.lower()
        if not any(cue in low for cue in lex.fact_cues):  # most claims hold no cue: no regex search
            continue
        d, a = lex.denial.search(text), lex.accusation.search(text)
        if d is not None and a is None:
            deny.append((c, d))
        elif a is not None and d is None and lex.not_accusation.search(text) is None \
                and not _other_year(text, _day(docs.get(c["doc"], {}).get("date"))):
            accuse.append((c, a))
    if not deny or not accuse:
        return []

    def inside(c: Row, lo: int, hi: int) -> set[str]:
        """Actors of the claim's document mentioned inside [lo, hi)."""
        return {r["actor"] for r in actors.get(c["doc"], ()) if lo <= r["start"] and r["end"] <= hi}

    def said(c: Row) -> str:
        """The claim's source, folded, for telling two sources apart."""
        return str(c.get("source_canonical") or c.get("source") or "").lower().removeprefix("the ")

    frame = {w for f in lex.fact_frame for w in content_words(f)}
    bags: dict[tuple[str, int], set[str]] = {}

    def words(c: Row) -> set[str]:
        """The claim's content words, worked out once."""
        k = (str(c["doc"]), int(c["start"]))
        if k not in bags:
            bags[k] = set(content_words(str(c["text"])))
        return bags[k]

    accusers = []  # each accusation with its actors, its article's date and the actors its source names
    for ab_row, am in accuse:
        day_b = _day(docs.get(ab_row["doc"], {}).get("date"))
        xb = inside(ab_row, ab_row["start"], ab_row["end"])
        if day_b is not None and xb:
            own = inside(ab_row, int(ab_row["source_start"]), int(ab_row["source_end"])) \
                if ab_row.get("source_start") is not None else set()
            accusers.append((ab_row, am, xb, day_b, own))
    out: list[tuple[tuple[str, ...], Row, str, str, str, str]] = []
    for da_row, dm in deny:
        xa = inside(da_row, da_row["start"], da_row["end"])
        day_a = _day(docs.get(da_row["doc"], {}).get("date"))
        if not xa or day_a is None:
            continue
        for ab_row, am, xb, day_b, own in accusers:
            shared = xa & xb
            if not shared or ab_row["doc"] == da_row["doc"] or abs((day_a - day_b).days) > cfg.fact_days:
                continue
            if (said(da_row) and said(da_row) == said(ab_row)) or own & shared:
                continue  # one source, or the accused speaking: no accusation of itself
            names = {w for n in shared for w in content_words(n)}
            overlap = (words(da_row) & words(ab_row)) - names - frame
            if len(overlap) < cfg.fact_words:
                continue
            ra = claim_root(da_row["doc"], da_row["start"], da_row["end"], orig)
            rb = claim_root(ab_row["doc"], ab_row["start"], ab_row["end"], orig)
            if ra == rb:
                continue
            sa, sb = _side_of(da_row["doc"], da_row, docs), _side_of(ab_row["doc"], ab_row, docs)
            first_a = (str(day_a), da_row["doc"]) <= (str(day_b), ab_row["doc"])
            x, y = (sa, sb) if first_a else (sb, sa)
            # the claim's source is not always the one who denies ("... pointed the finger at the
            # government, though it denied any responsibility"): the evidence names it as the claim's
            evidence = [f"fact: {sa['doc']} tells a denial ('{dm.group(0)}'; the claim's source: {sa['source']}) "
                        f"of what {sb['doc']} ({sb['source']}) accuses {', '.join(sorted(shared))} of "
                        f"('{am.group(0)}')",
                        f"the same words on what happened: {', '.join(_surface(overlap, str(da_row['text'])))}",
                        f"dated {abs((day_a - day_b).days)} day(s) apart (window {cfg.fact_days})"]
            key: tuple[str, ...] = (min(ra, rb), max(ra, rb), "fact")
            if not merge_copies:
                key = (*key, x["doc"], str(x["start"]), y["doc"], str(y["start"]))
            rec: Row = {"id": _fid("fact", x, y, int(x["start"]), int(y["start"])), "a": x, "b": y,
                        "about": {"actors": sorted(shared), "place": None,
                                  "date_window": _window(docs, x["doc"], y["doc"]), "category": None},
                        "kind": "fact", "reuse": _link_between(pairs, x["doc"], y["doc"]), "evidence": evidence}
            out.append((key, rec, x["doc"], y["doc"], ra if first_a else rb, rb if first_a else ra))
    return out


def find_contradictions(layers: Mapping[str, Sequence[Row]], links: Sequence[Row], docs: Mapping[str, Row],
                        orig: Mapping[str, Origin], vectors: npt.NDArray[np.float32],
                        index: Mapping[tuple[str, int, int], int],
                        config: ContradictionConfig | None = None,
                        narrative_of: Mapping[tuple[str, int, int], str] | None = None,
                        merge_copies: bool = True, lex: ContradictionLexicon | None = None) -> list[Row]:
    """Contradiction records, most telling first: changed figures in rewrites, then differing figures
    of one event between independent texts (one record per pair of independent roots and figures).

    Two claims can tell one event when their cosine reaches ``min_cosine`` or when they belong to one
    narrative (``narrative_of``: claim key -> narrative id). With ``merge_copies`` off, every pair of
    claims is its own record (evaluation scores claim pairs). ``lex`` defaults to the lexicon of the
    ``pack`` setting.
    """
    cfg = config or ContradictionConfig()
    lex = lex or lexicon()
    narrative_of = narrative_of or {}
    out: list[Row] = []
    seen: set[str] = set()
    for r in _rewrites(layers, links, docs, lex, cfg):  # one record per pair of figures, however many edits touch it
        if r["id"] not in seen:
            seen.add(r["id"])
            out.append(r)
    pairs = {(lk["source"], lk["target"]): lk for lk in links}
    by_cat: dict[str, list[Figure]] = defaultdict(list)
    for f in figures(layers, cfg.categories):
        if (f.doc, f.claim["start"], f.claim["end"]) in index:
            by_cat[f.q["category"]].append(f)
    found: dict[tuple[str, ...], Row] = {}
    copies_of: dict[str, set[str]] = defaultdict(set)
    dates: dict[tuple[str, int], EventDate | None] = {}  # per claim, worked out when a pair needs it
    spots: dict[tuple[str, int], tuple[Point, ...]] = {}

    def _replaces(old: Row, a: str, b: str, ra: str, rb: str) -> bool:
        """Whether the pair (a, b) of roots (ra, rb) speaks for a record found before (the originals
        themselves do); when not, the pair's documents are listed as copies of it."""
        if (old["a"]["doc"], old["b"]["doc"]) in ((ra, rb), (rb, ra)) or (a, b) != (ra, rb):
            copies_of[old["id"]].update({a, b} - {old["a"]["doc"], old["b"]["doc"]})
            return False
        return True

    def keep(key: tuple[str, ...], rec: Row, a: str, b: str, ra: str, rb: str) -> None:
        """Record ``rec`` under ``key`` unless a pair found before speaks for it; copies are listed."""
        moved: set[str] = set()
        if key in found:
            old = found[key]
            if not _replaces(old, a, b, ra, rb):
                return
            # the originals themselves speak for the pair; the copies found before are listed
            moved = copies_of.pop(old["id"], set()) | ({old["a"]["doc"], old["b"]["doc"]} - {a, b})
        found[key] = rec
        if moved:
            copies_of[rec["id"]].update(moved)
    for cat in sorted(by_cat):
        figs = by_cat[cat]
        rows = np.array([index[(f.doc, f.claim["start"], f.claim["end"])] for f in figs], dtype=np.int64)
        sims = np.round(vectors[rows] @ vectors[rows].T, 4)
        close = sims >= cfg.min_cosine
        tags = [narrative_of.get((f.doc, f.claim["start"], f.claim["end"])) for f in figs]
        codes = {t: k for k, t in enumerate(sorted({t for t in tags if t is not None}))}
        tag_ids = np.array([codes[t] if t is not None else -1 for t in tags], dtype=np.int64)
        close |= (tag_ids[:, None] == tag_ids[None, :]) & (tag_ids[:, None] >= 0)
        differ, one_figure = _possible(figs, orig, cfg, docs, sims, tag_ids, lex)
        ii, jj = np.nonzero(np.triu(close & differ, k=1))
        si, sj = np.nonzero(np.triu(close & one_figure, k=1))
        for i, j in zip(si.tolist(), sj.tolist(), strict=True):
            rec_key = _same_figure(figs[i], figs[j], float(sims[i, j]), tags[i], tags[j], cat, orig, docs, pairs,
                                   cfg, lex, merge_copies, dates, spots)
            if rec_key is not None:
                keep(*rec_key)
        carried: dict[tuple[str, int], set[float]] = defaultdict(set)
        for f in figs:
            carried[(f.doc, f.claim["start"])].add(float(f.q["value"]))
        for i, j in zip(ii.tolist(), jj.tolist(), strict=True):
            a, b = figs[i], figs[j]
            if float(b.q["value"]) in carried[(a.doc, a.claim["start"])] or \
                    float(a.q["value"]) in carried[(b.doc, b.claim["start"])]:
                continue  # one claim states the other's figure too ("5 killed and 17 injured" twice): no conflict
            ra = claim_root(a.doc, a.claim["start"], a.claim["end"], orig)
            rb = claim_root(b.doc, b.claim["start"], b.claim["end"], orig)
            shared_places, shared_actors = a.local & b.local, a.actors & b.actors
            da, db = _day(docs.get(a.doc, {}).get("date")), _day(docs.get(b.doc, {}).get("date"))
            if (str(da or "9999"), a.doc) > (str(db or "9999"), b.doc):
                a, b, ra, rb, da, db = b, a, rb, ra, db, da
            key: tuple[str, ...] = (min(ra, rb), max(ra, rb), cat, f"{min(a.q['value'], b.q['value'])}",
                   f"{max(a.q['value'], b.q['value'])}")
            if not merge_copies:
                key = (*key, a.doc, str(a.claim["start"]), b.doc, str(b.claim["start"]))
            sa, sb = _side(a, docs.get(a.doc, {}).get("outlet")), _side(b, docs.get(b.doc, {}).get("outlet"))
            if key in found and not _replaces(found[key], a.doc, b.doc, ra, rb):
                continue
            same = tags[i] is not None and tags[i] == tags[j]
            evidence = [f"{cat}: '{_figure_text(a.q)}' ({a.doc}) against '{_figure_text(b.q)}' ({b.doc})",
                        f"claims close in meaning (cosine {float(sims[i, j]):.2f}"
                        + (f"; both in {tags[i]})" if same else ")")]
            evidence += _same_event_evidence(shared_places, shared_actors, da, db, cfg.days)
            note = _bound_note(a.q, b.q)
            if note:
                evidence.append(note)
            rec: Row = {"id": _cid(sa, sb, a.q, b.q), "a": sa, "b": sb,
                   "about": {"actors": sorted(shared_actors), "place": min(shared_places, default=None),
                             "date_window": _window(docs, a.doc, b.doc), "category": cat},
                   "kind": "quantity", "reuse": _link_between(pairs, a.doc, b.doc),
                   "evidence": evidence}
            keep(key, rec, a.doc, b.doc, ra, rb)
    for fact in _facts(layers, docs, orig, pairs, cfg, lex, merge_copies):
        keep(*fact)
    for rec in sorted(found.values(), key=lambda r: (r["a"]["doc"], r["a"]["start"], r["b"]["doc"], r["b"]["start"])):
        copies = copies_of.get(rec["id"])
        if copies:
            rec["evidence"].append(f"the same figures recur in copies: {', '.join(sorted(copies))}")
        if rec["id"] not in seen:
            seen.add(rec["id"])
            out.append(rec)
    return out


def _surface(stems: set[str], text: str) -> list[str]:
    """The words of ``text`` that ``stems`` (narratives' six-letter content stems) came from, in stem order."""
    words = [w.lower() for w in re.findall(r"[A-Za-z]+", text) if len(w) >= 4]
    return [next((w for w in words if w[:6] == stem), stem) for stem in sorted(stems)]


def _same_event_evidence(places: frozenset[str], actors: frozenset[str], da: date | None, db: date | None,
                         window: int) -> list[str]:
    """Evidence lines that two claims tell one event: the places and actors they share, and their documents' dates."""
    out = []
    if places:
        out.append(f"same place: {', '.join(sorted(places))}")
    if actors:
        out.append(f"same actors: {', '.join(sorted(actors))}")
    if da is None or db is None:
        out.append("at least one document is undated: the date window could not be checked")
    else:
        out.append(f"dated {abs((da - db).days)} day(s) apart (window {window})")
    return out
