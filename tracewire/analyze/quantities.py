"""Numbers with what they count: "33 soldiers" killed, "over two dozen" (>= 24), "$107 billion".

A left-to-right scan over spaCy tokens reads number phrases in digits or words ("6.000" with a
European thousands separator, "three million", "two dozen", "a total of 800"), the qualifier
before them ("at least", "over", "up to", "about" ...), a currency sign or unit after them, and the
counted noun. The parse decides the category: the noun's governing verb ("killed", "wounded"), a
"dead" complement, or a participle after the noun ("soldiers killed"). Dates, times, years,
ordinals ("113th Brigade") and identifiers ("F-22", "T-4") are not counts and are skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ..pipeline import Analysis, Component, Resources
from ..records import Document, Quantity

UNITS_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30,
    "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}
SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000,
          "trillion": 1_000_000_000_000, "mln": 1_000_000, "bn": 1_000_000_000, "k": 1_000}
# Vague plurals: "dozens of" reads as at least 24, "hundreds of" as at least 200.
VAGUE = {"dozens": 24, "scores": 40, "hundreds": 200, "thousands": 2_000, "millions": 2_000_000}
QUALIFIERS = (
    "more than", "less than", "fewer than", "at least", "at most", "up to", "as many as", "as few as",
    "upwards of", "close to", "nearly", "almost", "about", "around", "approximately", "roughly",
    "some", "over", "under", "an estimated", "estimated", "just over", "just under",
    "no fewer than", "no less than", "no more than", "at least some", "exceeded", "exceeding", "exceeds",
)
# Qualifiers as written -> normalised ("more than" and "over" say the same thing).
NORMALISED = {
    "more than": "over", "upwards of": "over", "just over": "over", "in excess of": "over",
    "some": "about", "around": "about", "approximately": "about", "roughly": "about", "an estimated": "about",
    "estimated": "about", "almost": "nearly", "close to": "nearly", "just under": "nearly",
    "as many as": "up to", "no fewer than": "at least", "no less than": "at least", "at least some": "at least",
    "fewer than": "less than", "exceeded": "over", "exceeding": "over", "exceeds": "over", "under": "less than", "no more than": "at most",
}
CURRENCY_SIGNS = {"$": "USD", "€": "EUR", "£": "GBP", "US$": "USD"}
CURRENCY_WORDS = {"dollars": "USD", "dollar": "USD", "usd": "USD", "euros": "EUR", "euro": "EUR",
                  "eur": "EUR", "pounds": "GBP", "lira": "TRY", "liras": "TRY", "rubles": "RUB",
                  "roubles": "RUB", "rials": "IRR", "riyals": "SAR"}
UNITS = {
    "km": ("distance", "km"), "kilometers": ("distance", "km"), "kilometres": ("distance", "km"),
    "kilometer": ("distance", "km"), "kilometre": ("distance", "km"), "miles": ("distance", "mi"),
    "mile": ("distance", "mi"), "meters": ("distance", "m"), "metres": ("distance", "m"),
    "meter": ("distance", "m"), "metre": ("distance", "m"), "kms": ("distance", "km"),
    "km2": ("area", "km2"), "km²": ("area", "km2"), "sq": ("area", None), "square": ("area", None),
    "hectares": ("area", "ha"), "hectare": ("area", "ha"), "acres": ("area", "acre"), "dunams": ("area", "dunam"),
    "barrels": ("volume", "barrels"), "barrel": ("volume", "barrels"), "bpd": ("volume", "barrels/day"),
    "liters": ("volume", "l"), "litres": ("volume", "l"), "gallons": ("volume", "gal"),
    "cubic": ("volume", None), "bcm": ("volume", "bcm"), "tons": ("other", "t"), "tonnes": ("other", "t"),
    "percent": ("other", "%"), "%": ("other", "%"), "per": ("other", None),
}
PEOPLE = frozenset(
    "soldier soldiers troop troops militant militants fighter fighters man men people person persons "
    "civilian civilians child children woman women member members personnel rebel rebels terrorist "
    "terrorists insurgent insurgents jihadist jihadists citizen citizens refugee refugees officer "
    "officers servicemen serviceman marine marines guard guards militiaman militiamen recruit recruits "
    "volunteer volunteers mercenary mercenaries commander commanders harvester harvesters worker workers "
    "resident residents villager villagers civilian casualties victims victim syrians kurds iraqis "
    "iranians russians americans gunmen gunman advisers advisors operatives prisoners prisoner "
    "detainees hostages staff police policemen policeman killed dead wounded injured casualties others families "
    "pupils students schoolchildren journalists doctors nurses patients protesters demonstrators worshippers "
    "migrants passengers fishermen farmers shepherds employees teachers babies infants girls boys "
    "individuals youths adults relatives aid-workers medics paramedics rescuers".split()
)
COMBATANTS = frozenset(
    "soldier soldiers troop troops militant militants fighter fighters man men personnel rebel rebels "
    "terrorist terrorists insurgent insurgents jihadist jihadists officer officers servicemen serviceman "
    "marine marines guard guards militiaman militiamen recruit recruits volunteer volunteers mercenary "
    "mercenaries gunmen gunman advisers advisors operatives commander commanders".split()
)
EQUIPMENT = frozenset(
    "tank tanks jet jets aircraft plane planes warplane warplanes helicopter helicopters drone drones "
    "vehicle vehicles truck trucks bus buses rocket rockets missile missiles shell shells gun guns "
    "artillery howitzer howitzers mortar mortars bomb bombs apc apcs bmp ship ships vessel vessels "
    "launcher launchers weapon weapons rifles rifle tankers tanker convoy convoys boats boat car cars pickup pickups motorcycles motorcycle".split()
)
KILL = frozenset("kill slay execute massacre murder behead die perish lose eliminate shoot".split())
HURT = frozenset("wound injure hurt maim".split())
DEAD_WORDS = frozenset({"dead", "killed", "deaths", "death", "fatalities", "casualties", "slain", "lifeless"})
HURT_WORDS = frozenset({"wounded", "injured", "injuries", "hurt", "injuring", "wounding"})
SKIP_ENTS = frozenset({"DATE", "TIME", "ORDINAL"})
MONTHS = frozenset(
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec".split()
)
_DIGITS = re.compile(r"^\d{1,3}(?:([.,])\d{3})+(?:\.\d+)?$|^\d+(?:[.,]\d+)?$")


@dataclass(slots=True)
class _Num:
    """A number phrase over tokens [start, end) with its value."""

    start: int
    end: int
    value: float
    vague: str | None = None


def parse_digits(text: str) -> float | None:
    """Read "6.000" and "6,000" as 6000, "6.5" as 6.5 and "1.234.567" as 1234567.

    Separators that disagree ("1.623,427.54", a typo in a city's tax report) or a point both
    grouping and ending ("1.623.427.54") read as no number rather than a guess.
    """
    t = text.strip()
    if not _DIGITS.match(t):
        return None
    m = re.match(r"^\d{1,3}(?:([.,])\d{3})(?:\1\d{3})*$", t)
    if m:  # "6.000" or "6,000": a thousands separator, never a three-decimal fraction in news counts
        return float(re.sub(r"[.,]", "", t))
    if re.match(r"^\d{1,3}(?:,\d{3})+\.\d+$", t):
        return float(t.replace(",", ""))
    if re.match(r"^\d+(?:[.,]\d+)?$", t):
        return float(t.replace(",", "."))
    return None


def _read_number(doc: Any, i: int) -> _Num | None:
    """The number phrase starting at token ``i`` ("three million", "two dozen", "6.000", "10k")."""
    n = len(doc)
    tok = doc[i]
    low = tok.lower_
    if low in VAGUE and i + 1 < n and doc[i + 1].lower_ == "of":
        return _Num(i, i + 2, float(VAGUE[low]), vague=f"{low} of")
    value: float | None
    if tok.text[:1].isdigit():
        value = parse_digits(tok.text)
        if value is None:
            m = re.match(r"^(\d+(?:\.\d+)?)(k|m|bn|mln)$", low)
            if not m:
                return None
            return _Num(i, i + 1, float(m.group(1)) * {"k": 1e3, "m": 1e6, "bn": 1e9, "mln": 1e6}[m.group(2)])
    elif low in UNITS_WORDS:
        value = float(UNITS_WORDS[low])
        j = i + 1
        if j + 1 < n and doc[j].text == "-" and doc[j + 1].lower_ in UNITS_WORDS:  # "twenty-five"
            value += UNITS_WORDS[doc[j + 1].lower_]
            i_end = j + 2
        elif value >= 20 and value % 10 == 0 and j < n and doc[j].lower_ in UNITS_WORDS and UNITS_WORDS[doc[j].lower_] < 10:
            value += UNITS_WORDS[doc[j].lower_]  # "thirty one"
            i_end = j + 1
        else:
            i_end = j
        return _scales(doc, i, i_end, value)
    elif low in ("a", "an") and i + 1 < n and doc[i + 1].lower_ in ("dozen", "hundred", "thousand", "million", "billion"):
        return _scales(doc, i, i + 1, 1.0)
    else:
        return None
    return _scales(doc, i, i + 1, value)


def _scales(doc: Any, start: int, j: int, value: float) -> _Num:
    """Apply trailing multipliers: "three million", "two dozen", "1.5 billion", "a couple hundred"."""
    n = len(doc)
    while j < n:
        low = doc[j].lower_
        if low in SCALES:
            value *= SCALES[low]
        elif low == "dozen":
            value *= 12
        elif low == "and" and j + 1 < n and doc[j + 1].lower_ in UNITS_WORDS and value >= 100:
            value += UNITS_WORDS[doc[j + 1].lower_]  # "two hundred and fifty"
            j += 1
        else:
            break
        j += 1
    return _Num(start, j, value)


def _qualifier(doc: Any, i: int) -> tuple[str | None, int]:
    """The qualifier ending right before token ``i`` and the token where it starts."""
    best: tuple[str | None, int] = (None, i)
    for q in QUALIFIERS:
        words = q.split()
        s = i - len(words)
        if s >= 0 and [t.lower_ for t in doc[s:i]] == words and (best[0] is None or s < best[1]):
            best = (q, s)
    return best


def _skip(doc: Any, num: _Num) -> bool:
    """Numbers that are not counts: dates, years, times, ordinals, identifiers (F-22, T-4), "one of"."""
    tok = doc[num.start]
    if tok.ent_type_ in SKIP_ENTS:
        nxt = doc[num.end] if num.end < len(doc) else None
        if not (nxt is not None and (nxt.lower_ in PEOPLE or nxt.lower_ in EQUIPMENT)):
            return True
    if num.start > 0 and doc[num.start - 1].text in ("-", "#", "/") and num.start > 1 and doc[num.start - 2].is_alpha:
        return True  # F-22, T-4, UNSC 2254/...
    if num.start > 0 and doc[num.start - 1].text[-1:].isalpha() and not doc[num.start - 1].whitespace_:
        return True  # "Su24", glued identifiers
    if tok.text.isdigit() and len(tok.text) == 4 and 1800 <= int(tok.text) <= 2100 and num.end == num.start + 1:
        nxt = doc[num.end] if num.end < len(doc) else None
        if nxt is None or nxt.lower_ not in PEOPLE | EQUIPMENT:
            return True  # a year
    if num.end < len(doc) and doc[num.end].text == "-" and num.end + 1 < len(doc):
        after = doc[num.end + 1].lower_
        if after in ("year", "month", "day", "week", "hour", "minute", "old", "year-old", "th"):
            return True  # "2-year anniversary"
    nxt_low = doc[num.end].lower_ if num.end < len(doc) else ""
    prev = doc[num.start - 1] if num.start > 0 else None
    if nxt_low in MONTHS or (prev is not None and prev.lower_ in MONTHS):
        return True  # "12 August", "September 30"
    if prev is not None and prev.pos_ == "PROPN" and tok.text[:1].isdigit() and not prev.text.isupper():
        if not (nxt_low in PEOPLE or nxt_low in EQUIPMENT or nxt_low in UNITS):
            return True  # "Syria 360", "Resolution 2254": part of a name
    if tok.lower_ == "one" and num.end < len(doc) and doc[num.end].lower_ in ("of", "another", ","):
        return True
    if tok.lower_ == "one" and tok.pos_ == "PRON":
        return True
    return False


def _unit(doc: Any, j: int) -> tuple[str | None, str | None, int]:
    """A unit right after token ``j``: (category, unit, end token); "sq km", "square kilometers"."""
    n = len(doc)
    if j < n and doc[j].text == "-" and j + 1 < n:  # "60-miles long"
        j += 1
    if j >= n:
        return None, None, j
    low = doc[j].lower_
    if low in CURRENCY_WORDS:
        return "money", CURRENCY_WORDS[low], j + 1
    if doc[j].pos_ in ("ADJ", "PROPN") and j + 1 < n and doc[j + 1].lower_ in CURRENCY_WORDS:
        return "money", f"{doc[j].text} {doc[j + 1].lower_}", j + 2  # "Syrian pounds"
    if low in ("square", "sq", "sq.") and j + 1 < n and doc[j + 1].lower_ in UNITS:
        base = UNITS[doc[j + 1].lower_][1] or doc[j + 1].lower_
        return "area", f"{base}2", j + 2
    if low == "cubic" and j + 1 < n and doc[j + 1].lower_ in UNITS:
        return "volume", f"{UNITS[doc[j + 1].lower_][1]}3", j + 2
    if low in UNITS and UNITS[low][1] is not None:
        cat, unit = UNITS[low]
        if unit == "barrels" and j + 2 < n and doc[j + 1].lower_ == "per" and doc[j + 2].lower_ == "day":
            return cat, "barrels/day", j + 3
        return cat, unit, j + 1
    return None, None, j


def _counted_noun(doc: Any, num: _Num) -> Any | None:
    """The noun a number counts: its syntactic head, else the first noun within four tokens."""
    last = doc[num.end - 1]
    if (
        last.dep_ in ("nummod", "quantmod", "compound") and last.head.pos_ in ("NOUN", "PROPN")
        and last.head.i >= num.end and "\n" not in doc[last.i : last.head.i].text
    ):
        return last.head
    for k in range(num.end, min(num.end + 5, len(doc))):
        t = doc[k]
        if t.is_space or "\n" in doc[k - 1].whitespace_ or t.is_sent_start:
            break  # a number counts nothing in the next sentence or paragraph
        if t.pos_ in ("NOUN", "PROPN") and (t.lower_ in PEOPLE or t.lower_ in EQUIPMENT or t.pos_ == "NOUN"):
            if t.lower_ in PEOPLE or t.lower_ in EQUIPMENT:
                return t
            nxt = doc[k + 1] if k + 1 < len(doc) else None
            if nxt is not None and nxt.pos_ == "NOUN" and (nxt.lower_ in PEOPLE or nxt.lower_ in EQUIPMENT):
                return nxt  # "Syrian army soldiers"
            return t
        if t.pos_ not in ("ADJ", "PROPN", "PUNCT", "NOUN", "ADV") and t.text != "-":
            break
    return None


def _casualty(noun: Any) -> str | None:
    """killed / injured from the noun's syntax: object of "killed", "left ... dead", "soldiers killed"."""
    sent_end = noun.sent.end
    for k in range(noun.i + 1, min(noun.i + 3, sent_end)):
        w = noun.doc[k].lower_
        if any(c.dep_ == "dobj" for c in noun.doc[k].children):
            break  # "militants killed 10 soldiers": the noun is the subject of an active verb
        if w in ("killed", "dead", "slain"):
            return "killed"
        if w in ("wounded", "injured", "hurt"):
            return "injured"
        if w not in ("were", "was", "have", "had", "been", "are", "is", "reportedly"):
            break
    for child in noun.children:
        if child.dep_ in ("acl", "amod", "relcl") and child.lemma_ in KILL | HURT and child.i > noun.i:
            return "killed" if child.lemma_ in KILL else "injured"
    head = noun
    for _ in range(3):
        rel = head.dep_
        head = head.head
        if head.lemma_ in KILL:
            if rel in ("dobj", "nsubjpass", "pobj", "conj", "appos") or (rel == "nsubj" and head.lemma_ in ("die", "perish")):
                return "killed"
        if head.lemma_ in HURT and rel in ("dobj", "nsubjpass", "pobj", "conj"):
            return "injured"
        if head.lemma_ in ("leave", "declare", "find", "report", "be") and rel in ("dobj", "nsubj", "conj"):
            for k in range(noun.i + 1, min(noun.i + 8, sent_end)):
                w = noun.doc[k].lower_
                if w in DEAD_WORDS:
                    return "killed"
                if w in HURT_WORDS:
                    return "injured"
        if head.dep_ == "ROOT" or head is head.head:
            break
    return None


def _clause_outcome(noun: Any) -> str | None:
    """Fallback when the parse is off: "killed"/"wounded" later in the same clause of the noun."""
    doc = noun.doc
    if noun.dep_ == "nsubj" and any(c.dep_ == "dobj" for c in noun.head.children):
        return None  # the subject of an active "killed ..." is the killer
    for k in range(noun.i + 1, min(noun.i + 12, noun.sent.end)):
        t = doc[k]
        if t.lower_ in (";", "but", "while", "and") and t.i > noun.i + 1 and doc[k - 1].text != ",":
            break
        if t.lower_ in ("killed", "dead", "slain", "executed"):
            return "killed"
        if t.lower_ in ("wounded", "injured", "hurt"):
            return "injured"
    return None


def _of_noun(doc: Any, num: _Num) -> Any | None:
    """The noun in "eight of the wounded", "two of the dead"."""
    j = num.end
    if j < len(doc) and doc[j].lower_ == "of":
        j += 1
        if j < len(doc) and doc[j].lower_ in ("the", "them", "those"):
            j += 1
        if j < len(doc) and (doc[j].lower_ in DEAD_WORDS or doc[j].lower_ in HURT_WORDS or doc[j].lower_ in PEOPLE):
            return doc[j]
    return None


def _outcome_nearby(doc: Any, num: _Num, qstart: int, noun: Any | None) -> str | None:
    """"killing at least 15 civilians", "kills 3 schoolchildren", "and 14 injured": the verb is adjacent."""
    after = doc[num.end] if num.end < len(doc) else None
    if noun is None and after is not None:
        if after.lower_ in ("killed", "dead", "slain"):
            return "killed"
        if after.lower_ in ("injured", "wounded", "hurt"):
            return "injured"
    start = min(qstart, num.start)
    before = doc[start - 1] if start > 0 else None
    if before is not None and before.pos_ == "VERB" and before.i >= before.sent.start:
        if before.lemma_ in KILL:
            return "killed"
        if before.lemma_ in HURT:
            return "injured"
    return None


def _toll(doc: Any, num: _Num) -> str | None:
    """A bare number completing a toll: "the death toll rose to 41", "soldiers killed ... has risen to 41"."""
    sent = doc[num.start].sent
    before = [t.lower_ for t in doc[sent.start : num.start]]
    prev = doc[num.start - 1] if num.start > 0 else None
    rising = prev is not None and prev.lower_ in ("to", "at") and prev.head.lemma_ in ("rise", "reach", "climb", "increase", "stand", "jump", "hit")
    if "toll" in before or rising:
        if any(w in HURT_WORDS for w in before) and not any(w in DEAD_WORDS for w in before):
            return "injured"
        if "toll" in before or any(w in DEAD_WORDS for w in before):
            return "killed"
    return None


def _category(doc: Any, num: _Num, noun: Any | None) -> str:
    """Category of a counted number from its noun and the noun's governing verb."""
    if noun is None:
        return "other"
    low = noun.lower_
    if low in ("dead", "killed", "deaths", "fatalities", "casualties", "bodies", "victims", "lives"):
        return "killed"
    if low in ("wounded", "injured", "injuries"):
        return "injured"
    if low in PEOPLE:
        hit = _casualty(noun) or _clause_outcome(noun)
        if hit:
            return hit
        return "force" if low in COMBATANTS else "other"
    if low in EQUIPMENT:
        return "equipment"
    return _casualty(noun) or "other"  # "kills 3 pupils": a noun the lexicon lacks


def _scan(doc: Any) -> Iterator[tuple[_Num, int, str | None, str, str | None, int]]:
    """Yield (number, start token, qualifier, category, unit, end token) for each count in ``doc``."""
    n, i = len(doc), 0
    while i < n:
        num = _read_number(doc, i)
        if num is None:
            i += 1
            continue
        i = num.end
        if _skip(doc, num):
            continue
        qual, qstart = _qualifier(doc, num.start)
        if num.vague:
            qual, qstart = (qual + " " + num.vague if qual else num.vague), min(qstart, num.start)
        cur = None
        if num.start > 0 and doc[num.start - 1].text in CURRENCY_SIGNS:
            cur = CURRENCY_SIGNS[doc[num.start - 1].text]
            if qstart == num.start:
                qstart = num.start - 1
                qual2, qs2 = _qualifier(doc, num.start - 1)
                qual, qstart = (qual2, qs2) if qual2 else (qual, qstart)
        cat, unit, end = _unit(doc, num.end)
        if cur:
            cat, unit, end = "money", cur, num.end
        if cat is None:
            noun = _of_noun(doc, num) or _counted_noun(doc, num)
            if noun is None and doc[num.start].is_alpha and num.value < 10 and not num.vague:
                continue  # "two" with nothing counted: a pronoun-like use, not a quantity
            cat = _category(doc, num, noun)
            toll = _toll(doc, num) if noun is None else None
            if toll:
                cat = toll
            if cat == "other" and (noun is None or noun.lower_ in PEOPLE):
                cat = _outcome_nearby(doc, num, qstart, noun) or cat
            if noun is not None:
                unit = noun.lower_
                if noun.i == num.end or (noun.i > num.end and noun.i - num.end <= 4):
                    end = max(end, noun.i + 1)
            if cat == "other" and doc[num.start].is_alpha and num.value < 10 and not num.vague:
                if noun is None or noun.lower_ not in PEOPLE:
                    continue
        yield num, qstart, qual, cat, unit, end
        i = max(i, num.end)


def find_quantities(doc_id: str, parsed: Any) -> list[Quantity]:
    """All quantities in a parsed document, in text order.

    ``text`` spans the number and what it counts ("33 soldiers", "$107 billion"); the qualifier
    ("at least") is not part of it and is given, normalised, in ``qualifier``.
    """
    out: list[Quantity] = []
    text = parsed.text
    for num, qstart, qual, cat, unit, end in _scan(parsed):
        first = num.start
        if first > 0 and parsed[first - 1].text in CURRENCY_SIGNS:
            first -= 1
        start = parsed[min(first, qstart) if num.vague else first].idx
        if qual is not None:
            qual = " ".join(NORMALISED.get(q, q) for q in [qual] if q)
        last = parsed[end - 1]
        stop = last.idx + len(last.text)
        out.append(Quantity(doc_id, start, stop, text[start:stop], num.value, cat, qual, unit))
    return out


def quantities(doc: Document, ana: Analysis, res: Resources) -> None:
    """Fill ``ana.quantities`` from the parse."""
    ana.quantities = find_quantities(doc.id, ana.parsed)


component = Component("tracewire.quantities.v1", quantities, requires=("parsed",), provides=("quantities",))
