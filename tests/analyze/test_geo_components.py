"""Quantities, actors and places on text written for these tests and on the real seeds."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.conftest import shared_path
from tracewire.analyze.actors import find_actors, lexicon
from tracewire.analyze.gazetteer import haversine_km
from tracewire.analyze.parse import nlp
from tracewire.analyze.places import find_places, gazetteer, resolve_names
from tracewire.analyze.quantities import find_quantities, parse_digits
from tracewire.pipeline import Resources, analyze_document, build
from tracewire.records import Document, Quantity


@pytest.fixture(scope="module")
def res() -> Resources:
    """One Resources (spaCy model, gazetteer, actor lexicon) for the whole module."""
    return Resources(packs=("syria",))


def _seed(name: str) -> str:
    """A seed's text; the PDF-extracted 004 gets its broken lines and hyphenations joined."""
    path = next(shared_path("seeds").glob(f"{name}_*.txt"))
    text = path.read_text(encoding="utf-8")
    if name == "004":
        text = re.sub(r"-\s*\n\s*\n\s*", "-", text)
        text = re.sub(r"\s*\n\s*\n\s*", " ", text)
    return text


def _q(res: Resources, text: str) -> list[Quantity]:
    """Quantities of ``text``."""
    return find_quantities("t", nlp(res)(text))


def _one(qs: list[Quantity], needle: str) -> Quantity:
    """The quantity whose text contains ``needle``."""
    hits = [q for q in qs if needle in q.text]
    assert hits, f"{needle!r} not among {[q.text for q in qs]}"
    return hits[0]


# ------------------------------------------------------------------------------- quantities


@pytest.mark.parametrize(("raw", "value"), [("6.000", 6000), ("6,000", 6000), ("6.5", 6.5), ("1.250.000", 1250000), ("12,500.5", 12500.5)])
def test_parse_digits_separators(raw: str, value: float) -> None:
    """European and English thousands separators; a single short fraction stays a decimal."""
    assert parse_digits(raw) == value


@pytest.mark.parametrize("raw", ["1.623,427.54", "1.623.427.54", "1.234,567"])
def test_parse_digits_reads_disagreeing_separators_as_no_number(raw: str) -> None:
    """A typo that mixes separators (LGL's "$1.623,427.54" made the quantities component fail) is no number."""
    assert parse_digits(raw) is None


def test_quantities_survive_a_separator_typo(res: Resources) -> None:
    """The sentence with the typo keeps its well-formed figure; nothing raises."""
    qs = _q(res, "Year to date the city has received $2,104,006.98 compared to $1.623,427.54 in 2008.")
    assert any(q.value == 2104006.98 for q in qs)


def test_quantities_on_own_text(res: Resources) -> None:
    """Categories, qualifiers and units on sentences written for this test."""
    qs = _q(
        res,
        "Militants killed at least twenty border guards near the crossing on 3 May 2021. "
        "About 150 fighters and 12 armoured vehicles reached the town, 35 kilometers away. "
        "The company lost more than $2.5 billion and nearly 40,000 barrels a day. "
        "Fourteen civilians were wounded. The 45th Brigade marked its 2-year anniversary in 2019.",
    )
    twenty = _one(qs, "twenty")
    assert (twenty.value, twenty.category, twenty.qualifier) == (20, "killed", "at least")
    assert _one(qs, "150").category == "force" and _one(qs, "150").qualifier == "about"
    assert _one(qs, "12 armoured").category == "equipment"
    assert _one(qs, "35 kilometers").category == "distance"
    money = _one(qs, "$2.5 billion")
    assert (money.value, money.category, money.qualifier) == (2.5e9, "money", "over")
    assert _one(qs, "40,000").category == "volume"
    assert _one(qs, "Fourteen").category == "injured"
    texts = " | ".join(q.text for q in qs)
    for not_a_count in ("45", "2021", "2019", "3 May", "2-year"):
        assert not any(q.text.startswith(not_a_count) for q in qs), texts


def test_quantities_subject_is_not_killed(res: Resources) -> None:
    """The attackers in "30 militants killed 10 soldiers" are a force, the soldiers are killed."""
    qs = _q(res, "Thirty militants killed 10 soldiers in the raid.")
    assert _one(qs, "10 soldiers").category == "killed"
    assert _one(qs, "Thirty").category == "force"


def test_quantities_on_seeds(res: Resources) -> None:
    """The acceptance numbers of seeds 001, 003 and 004."""
    s1 = _q(res, _seed("001"))
    assert (_one(s1, "33 soldiers").value, _one(s1, "33 soldiers").category) == (33, "killed")
    dozen = _one(s1, "two dozen Syrian army soldiers")
    assert dozen.value >= 24 and dozen.qualifier == "over" and dozen.category == "killed"
    assert (_one(s1, "$107 billion").value, _one(s1, "$107 billion").category) == (107e9, "money")
    assert (_one(s1, "three million barrels").value, _one(s1, "three million barrels").category) == (3e6, "volume")
    s3 = _q(res, _seed("003"))
    assert (_one(s3, "250 km2").value, _one(s3, "250 km2").category) == (250, "area")
    assert (_one(s3, "35 kilometers").value, _one(s3, "35 kilometers").category) == (35, "distance")
    assert not any(q.text.startswith(("113", "17")) for q in s3)
    s4 = _q(res, _seed("004"))
    assert (_one(s4, "6.000").value, _one(s4, "6.000").qualifier) == (6000, "up to")
    assert (_one(s4, "800 men").value, _one(s4, "800 men").category) == (800, "force")
    assert (_one(s4, "50 tanks").value, _one(s4, "50 tanks").category) == (50, "equipment")
    assert not any("2-year" in q.text or q.value == 22 for q in s4)  # 2-year anniversary, F-22


# ------------------------------------------------------------------------------------ actors


def _actors(res: Resources, text: str) -> list[tuple[str, str]]:
    """(mention, actor) pairs of ``text``."""
    return [(a.mention, a.actor) for a in find_actors("t", nlp(res)(text), lexicon(res), gazetteer(res))]


def test_actor_aliases_and_case(res: Resources) -> None:
    """Aliases map to one actor; the verb "is" and the pronoun "us" are not IS or US."""
    got = _actors(
        res,
        "The Pentagon said IS fighters attacked the SDF. It is clear, he told us, that Daesh "
        "and the Syrian Arab Army will clash. Hezbollah sent advisers.",
    )
    actors = [a for _, a in got]
    assert actors.count("Islamic State") == 2 and "United States" in actors
    assert "Syrian Democratic Forces" in actors and "Syrian government" in actors and "Hezbollah" in actors
    assert not any(m in ("is", "us") for m, _ in got)


def test_capital_is_actor_only_when_it_acts(res: Resources) -> None:
    """ "Damascus rejected" is the government; "in Damascus" is only a place."""
    got = _actors(res, "Damascus rejected the plan. Aid workers in Damascus said the roads were closed.")
    assert got.count(("Damascus", "Syrian government")) == 1


def test_unknown_named_actors_kept(res: Resources) -> None:
    """A person the pack does not know keeps the normalised mention as canonical name."""
    got = _actors(res, "Commander Farid Haddad of the Northern Brigade said the town had fallen.")
    assert any(a == "Farid Haddad" for _, a in got)


def test_actors_on_seed_003(res: Resources) -> None:
    """CJTF–OIR, the Pentagon and the coalition are the United States; the regime is the government."""
    got = set(_actors(res, _seed("003")))
    assert ("CJTF–OIR", "United States") in got
    assert ("Pentagon", "United States") in got
    assert ("regime", "Syrian government") in got or ("the regime", "Syrian government") in got
    assert ("Daesh", "Islamic State") in got and ("Michael Maloof", "Michael Maloof") in got


# ------------------------------------------------------------------------------------ places


TRUE = {  # true locations (decimal degrees)
    "Palmyra": (34.5624, 38.2840),
    "Deir ez-Zor": (35.3359, 40.1408),
    "Al-Tanf": (33.50, 38.63),
    "Albukamal": (34.4506, 40.9187),
    "al-Qaryatain": (34.2296, 37.2407),
}


def _places(res: Resources, text: str, home: tuple[str, ...] = ("SY",)) -> list[Any]:
    """Places of ``text`` with the Syria pack's home country."""
    return find_places("t", nlp(res)(text), gazetteer(res), home)


@pytest.mark.parametrize(("seed", "mention"), [("004", "Palmyra"), ("004", "Deir ez-Zor"), ("001", "Al-Tanf"), ("003", "Albukamal"), ("004", "al-Qaryatain")])
def test_seed_places_within_30_km(res: Resources, seed: str, mention: str) -> None:
    """Acceptance: the five seed toponyms resolve within 30 km of their true location."""
    found = [p for p in _places(res, _seed(seed)) if p.mention == mention]
    assert found, f"{mention} not found in seed {seed}"
    lat, lon = TRUE[mention]
    for p in found:
        assert p.lat is not None and p.lon is not None
        assert haversine_km(p.lat, p.lon, lat, lon) <= 30, (p.name, p.lat, p.lon)


def test_variants_and_features(res: Resources) -> None:
    """Transliteration variants and pack features (fields, camps, bases) resolve; NER misses do not matter."""
    ps = _places(res, "Convoys left Dayr Az Zawr for Boukamal, passing al-Baguz, the Jafra field and Rukban camp near T-4.")
    names = {p.mention: p.name for p in ps}
    assert names.get("Dayr Az Zawr") == "Deir ez-Zor"
    assert names.get("Boukamal") == "Albukamal"
    assert names.get("al-Baguz") == "al-Baguz"
    assert any(p.name == "Rukban" for p in ps) and any(p.name == "T-4" for p in ps)
    assert any(p.name == "Jafra oil field" for p in ps)


def test_unresolvable_name_keeps_the_others(res: Resources) -> None:
    """An unknown toponym is kept with no coordinates; the known ones still resolve."""
    ps = _places(res, "Fighting spread from Zorvanistan Valley to Homs and Hama.")
    assert {p.name for p in ps if p.lat is not None} >= {"Homs", "Hama"}
    assert all(p.confidence <= 0.3 for p in ps if p.lat is None)


def test_person_names_are_not_places(res: Resources) -> None:
    """ "Jordan" inside the person name "Michael Jordan" is no place; the country alone is."""
    ps = _places(res, "Michael Jordan visited the refugees. Jordan closed the border.")
    assert [p.mention for p in ps] == ["Jordan"] and ps[0].country_code == "JO"


def test_country_context_disambiguates(res: Resources) -> None:
    """A qualified name ("Paris, Texas") is the American Paris; with no context, the French one."""
    us = _places(res, "Storms hit Paris, Texas, and the nearby town of Greenville; Dallas sent crews.", home=())
    assert next(p for p in us if p.mention == "Paris").country_code == "US"
    fr = _places(res, "Paris hosted the talks.", home=())
    assert next(p for p in fr if p.mention == "Paris").country_code == "FR"


def test_default_pipeline_fills_all_layers(res: Resources) -> None:
    """The default pipeline runs parse, quantities, actors and places in order."""
    comps = build()
    doc = Document("d1", "ISIS killed 12 soldiers near Palmyra, the Pentagon said.", "0" * 64, "d1.txt")
    ana = analyze_document(doc, comps, res)
    assert not ana.errors
    assert {"quantities", "actors", "places"} <= ana.layers
    assert ana.quantities[0].category == "killed" and ana.places[0].name == "Palmyra"
    assert {a.actor for a in ana.actors} >= {"Islamic State", "United States"}


def test_user_pack_extends_actors_and_gazetteer(tmp_path: Any) -> None:
    """A pack folder given by path adds an actor alias and a gazetteer feature on top of the Syria pack."""
    (tmp_path / "actors.toml").write_text(
        '[[actor]]\nname = "Northern Falcons Brigade"\nkind = "armed_group"\naliases = ["Falcons Brigade", "NFB"]\n',
        encoding="utf-8",
    )
    (tmp_path / "gazetteer.tsv").write_text(
        "Qasr Tawil depot\tTawil depot\t35.1\t39.2\tSY\tbase\t0\n", encoding="utf-8"
    )
    res = Resources(packs=("syria", str(tmp_path)))
    parsed = nlp(res)("The NFB seized Tawil depot from IS fighters near Raqqa.")
    actors = {(a.mention, a.actor) for a in find_actors("t", parsed, lexicon(res), gazetteer(res))}
    assert ("NFB", "Northern Falcons Brigade") in actors and ("IS", "Islamic State") in actors
    places = {p.name for p in find_places("t", parsed, gazetteer(res), ("SY",))}
    assert {"Qasr Tawil depot", "Raqqa"} <= places


def test_all_caps_headline_is_not_read_as_acronyms(res: Resources) -> None:
    """In an all-caps line "IS" and "US" are ordinary words."""
    got = _actors(res, "WHAT IS LEFT FOR US AFTER THE WAR. Later, the SDF said IS cells were active.")
    assert [a for _, a in got].count("Islamic State") == 1
    assert "United States" not in [a for _, a in got]


def test_quantities_wire_style_tolls(res: Resources) -> None:
    """Headline and wire phrasing: "kills 3 pupils", "and 14 injured", "Thirty one fighters"."""
    qs = _q(
        res,
        "Shelling kills 3 pupils in northern town. At least three children were killed and 14 injured "
        "in the strike. Thirty one fighters surrendered. The toll has risen to 52.",
    )
    assert _one(qs, "3 pupils").category == "killed"
    assert _one(qs, "14").category == "injured"
    assert _one(qs, "Thirty one").value == 31
    assert _one(qs, "52").category == "killed"


def test_resolve_names_given_spans(res: Resources) -> None:
    """Names found elsewhere resolve with the same context rules; an unknown one stays unresolved."""
    text = "Convoys left the Al-Tanf base for Palmyra, then reached the Zorvik crossing and Homs's outskirts."
    names = ["the Al-Tanf", "Palmyra", "Zorvik", "Homs's"]  # a leading "the" and a possessive are dropped
    spans = [(text.index(n), text.index(n) + len(n)) for n in names]
    got = {p.mention: p for p in resolve_names("d", text, spans, gazetteer(res))}
    assert got["Palmyra"].country_code == "SY" and got["the Al-Tanf"].country_code == "SY"
    assert haversine_km(34.56, 38.28, got["Palmyra"].lat, got["Palmyra"].lon) < 30  # type: ignore[arg-type]
    assert got["Homs's"].country_code == "SY"
    assert got["Zorvik"].lat is None and got["Zorvik"].confidence < 0.5


def test_news_agencies_and_outlets_are_never_places(res: Resources) -> None:
    """SANA is the Syrian Arab News Agency, not Sanaa; Al Mayadeen is the channel beside a media word."""
    from tracewire.analyze.places import outlets

    text = ("Syrian state news agency SANA said two soldiers were killed near Palmyra. "
            "Lebanese TV station Al Mayadeen reported clashes, and Al Mayadeen TV showed the convoy. "
            "Hundreds of families fled the town of Al Mayadeen in eastern Syria, SANA added.")
    found = find_places("t", nlp(res)(text), gazetteer(res), ("SY",), outlets(res))
    by_mention = [(p.mention, p.country_code) for p in found]
    assert ("SANA", "YE") not in by_mention and all(p.mention != "SANA" for p in found), by_mention
    assert ("Palmyra", "SY") in by_mention
    town = text.index("town of Al Mayadeen") + len("town of ")
    mayadeen = [p for p in found if p.mention.endswith("Mayadeen")]
    assert [p.country_code for p in mayadeen] == ["SY"], by_mention
    assert town <= mayadeen[0].start < town + len("Al Mayadeen"), by_mention


def test_plural_demonyms_are_people_not_places(res: Resources) -> None:
    """ "Canadians" are people; "Canadian" in "the Canadian government" names the country."""
    ps = _places(res, "Canadians voted. The Canadian government said so.", home=())
    assert [(p.mention, p.country_code) for p in ps] == [("Canadian", "CA")]


def test_hyphenated_demonyms_name_each_country(res: Resources) -> None:
    """ "Turkish-Russian talks" name Turkey and Russia, each on its own span."""
    ps = _places(res, "A Turkish-Russian deal was signed on Monday.", home=())
    assert [(p.mention, p.country_code) for p in ps] == [("Turkish", "TR"), ("Russian", "RU")]
