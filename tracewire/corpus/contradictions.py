"""Contradictions: one event told with different figures.

Two routes find them. A rewrite or copy whose word edits replace one figure with another (the
reuse stage's ``passages[].edits``) is the most telling case: the same text, a different number.
Between texts that are not copies of each other, two figures of one quantity category (killed,
injured, force, equipment) are compared when their claims are close in meaning, share an actor or
a place below the country (a shared "Syria" or "Russian" ties nothing), and their documents are
dated within a few days of each other (or undated). Pairs that cannot be one event are left out:
figures about different victims (children against a whole toll, fighters against civilians), a
cumulative toll ("since 2011", "in the war", "over the past week") against a single toll, a part
added to a toll told before ("four were also killed", "two more"), figures more than ``max_ratio``
apart, claims that name different days of the week for the event, and a claim that states the
other's figure too. The words behind those rules (victim groups, running-total phrases, the words
of a part, the weekdays) are the packs' ``contradictions.toml`` (``tracewire/packs/core`` has the
English ones), so a domain pack can add its own.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
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

    @classmethod
    def from_packs(cls, files: Sequence[Mapping[str, Any]]) -> ContradictionLexicon:
        """Merge ``contradictions.toml`` data: word lists and patterns add up; the last ``weekdays`` wins."""
        groups: dict[str, set[str]] = {g: set() for g in VICTIM_GROUPS}
        trades: set[str] = set()
        totals: list[str] = []
        parts: list[str] = []
        weekdays: list[str] = []
        for data in files:
            for g, words in data.get("victims", {}).items():
                if g != "trades" and g not in groups:
                    raise UsageError(f"contradictions.toml: victim group {g!r} is unknown; use one of "
                                     f"{', '.join((*VICTIM_GROUPS, 'trades'))}", Code.TW002)
                (trades if g == "trades" else groups[g]).update(w.lower() for w in words)
            totals += [t for t in data.get("running_total", []) if t not in totals]
            parts += [w.lower() for w in data.get("partial", []) if w.lower() not in parts]
            weekdays = [w.lower() for w in data.get("weekdays", weekdays)]
        if len(weekdays) != 7:
            raise UsageError(f"contradictions.toml: weekdays={weekdays!r} must name the seven days, Monday first",
                             Code.TW002)
        try:
            running_total = re.compile("|".join(totals) or r"(?!x)x", re.IGNORECASE)
        except re.error as e:
            raise UsageError(f"contradictions.toml: a running_total pattern is not a regular expression ({e}); "
                             "fix it or remove it", Code.TW002) from e
        return cls(tuple((g, frozenset(groups[g])) for g in VICTIM_GROUPS), frozenset(trades), running_total,
                   re.compile(r"\b(" + ("|".join(map(re.escape, parts)) or r"(?!x)x") + r")\b", re.IGNORECASE),
                   tuple(weekdays),
                   re.compile(r"\b(" + "|".join(map(re.escape, weekdays)) + r")\b", re.IGNORECASE))


def lexicon(packs: Sequence[str] | None = None) -> ContradictionLexicon:
    """The lexicon of ``packs`` (default: the ``pack`` setting), read once per process."""
    from .. import settings

    return _lexicon(settings.packs() if packs is None else tuple(packs))


@lru_cache(maxsize=8)
def _lexicon(packs: tuple[str, ...]) -> ContradictionLexicon:
    """``lexicon`` of the given packs, cached."""
    from ..packs import load_toml

    return ContradictionLexicon.from_packs(load_toml(packs, "contradictions.toml"))


@dataclass(frozen=True, slots=True)
class ContradictionConfig:
    """The knobs of contradiction finding."""

    min_cosine: float = 0.55  # claims this close in meaning can be about one event
    actor_cosine: float = 0.7  # without a shared place, claims sharing an actor must be this close
    days: int = 3  # documents dated further apart than this tell different events
    max_ratio: float = 10.0  # figures further apart than this factor count different things (a day against a campaign)
    categories: tuple[str, ...] = EVENT_CATEGORIES

    def __post_init__(self) -> None:
        """Validate early, naming the bad value and the fix."""
        if not -1.0 <= self.min_cosine <= 1.0:
            raise UsageError(f"ContradictionConfig.min_cosine={self.min_cosine} must be a cosine in [-1, 1]")
        if self.days < 0:
            raise UsageError(f"ContradictionConfig.days={self.days} must be 0 or more")
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
        out.append(Figure(d, q, c, acts, frozenset(p["name"] for p in inside),
                          frozenset(p["name"] for p in inside if p.get("feature") not in BROAD_PLACES)))
    return out


def _rewrites(layers: Mapping[str, Sequence[Row]], links: Sequence[Row], docs: Mapping[str, Row]) -> list[Row]:
    """Figures that a copy or rewrite replaced by another figure (from the reuse edits)."""
    figs: dict[str, list[Figure]] = defaultdict(list)
    for f in figures(layers, tuple({q["category"] for q in layers["quantities"]})):
        figs[f.doc].append(f)
    out: list[Row] = []
    for lk in links:
        if lk["kind"] not in ("copy", "rewrite"):
            continue
        src, tgt = lk["source"], lk["target"]
        for p in lk["passages"]:
            for e in p.get("edits", []):
                if e["op"] != "sub":
                    continue
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
              lex: ContradictionLexicon) -> npt.NDArray[np.bool_]:
    """The pairs of figures that can contradict, as a matrix: other documents and other roots (copies
    differ only through their edits, handled apart), different values, a shared place (or shared
    actors with close claims or one narrative), dates within the window (or undated), and nothing
    that makes them different events (other victims, a running total, another scale, another day)."""
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
    one_event = (table[kind[:, None], kind[None, :]] & (total[:, None] == total[None, :]) & scale & ~other_day
                 & ~part[:, None] & ~part[None, :])
    tied = _incidence([f.local for f in figs]) | (
        _incidence([f.actors for f in figs]) & ((sims >= cfg.actor_cosine) | same_tag))
    far = dated[:, None] & dated[None, :] & (np.abs(ordinal[:, None] - ordinal[None, :]) > cfg.days)
    out: npt.NDArray[np.bool_] = ((doc[:, None] != doc[None, :]) & (root[:, None] != root[None, :])
                                  & (value[:, None] != value[None, :]) & tied & ~far & one_event)
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
    for r in _rewrites(layers, links, docs):  # one record per pair of figures, however many edits touch it
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
    for cat in sorted(by_cat):
        figs = by_cat[cat]
        rows = np.array([index[(f.doc, f.claim["start"], f.claim["end"])] for f in figs], dtype=np.int64)
        sims = np.round(vectors[rows] @ vectors[rows].T, 4)
        close = sims >= cfg.min_cosine
        tags = [narrative_of.get((f.doc, f.claim["start"], f.claim["end"])) for f in figs]
        codes = {t: k for k, t in enumerate(sorted({t for t in tags if t is not None}))}
        tag_ids = np.array([codes[t] if t is not None else -1 for t in tags], dtype=np.int64)
        close |= (tag_ids[:, None] == tag_ids[None, :]) & (tag_ids[:, None] >= 0)
        ii, jj = np.nonzero(np.triu(close & _possible(figs, orig, cfg, docs, sims, tag_ids, lex), k=1))
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
            moved: set[str] = set()
            if key in found:
                old = found[key]
                if (old["a"]["doc"], old["b"]["doc"]) in ((ra, rb), (rb, ra)) or (a.doc, b.doc) != (ra, rb):
                    copies_of[old["id"]].update({a.doc, b.doc} - {old["a"]["doc"], old["b"]["doc"]})
                    continue
                # the originals themselves speak for the pair; the copies found before are listed
                moved = copies_of.pop(old["id"], set()) | ({old["a"]["doc"], old["b"]["doc"]} - {a.doc, b.doc})
            same = tags[i] is not None and tags[i] == tags[j]
            evidence = [f"{cat}: '{_figure_text(a.q)}' ({a.doc}) against '{_figure_text(b.q)}' ({b.doc})",
                        f"claims close in meaning (cosine {float(sims[i, j]):.2f}"
                        + (f"; both in {tags[i]})" if same else ")")]
            if shared_places:
                evidence.append(f"same place: {', '.join(sorted(shared_places))}")
            if shared_actors:
                evidence.append(f"same actors: {', '.join(sorted(shared_actors))}")
            if da is None or db is None:
                evidence.append("at least one document is undated: the date window could not be checked")
            else:
                evidence.append(f"dated {abs((da - db).days)} day(s) apart (window {cfg.days})")
            note = _bound_note(a.q, b.q)
            if note:
                evidence.append(note)
            rec: Row = {"id": _cid(sa, sb, a.q, b.q), "a": sa, "b": sb,
                   "about": {"actors": sorted(shared_actors), "place": min(shared_places, default=None),
                             "date_window": _window(docs, a.doc, b.doc), "category": cat},
                   "kind": "quantity", "reuse": _link_between(pairs, a.doc, b.doc),
                   "evidence": evidence}
            found[key] = rec
            if moved:
                copies_of[rec["id"]].update(moved)
    for rec in sorted(found.values(), key=lambda r: (r["a"]["doc"], r["a"]["start"], r["b"]["doc"], r["b"]["start"])):
        copies = copies_of.get(rec["id"])
        if copies:
            rec["evidence"].append(f"the same figures recur in copies: {', '.join(sorted(copies))}")
        if rec["id"] not in seen:
            seen.add(rec["id"])
            out.append(rec)
    return out
