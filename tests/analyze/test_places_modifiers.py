"""Places inside other names: an organisation's leading place, a town after a locative preposition,
the place a facility's name contains, and seas over their namesake towns."""

from __future__ import annotations

import pytest

from tracewire.analyze.parse import nlp
from tracewire.analyze.places import find_places, gazetteer, organisations, outlets, resolve_names
from tracewire.pipeline import Resources
from tracewire.records import Place


@pytest.fixture(scope="module")
def res() -> Resources:
    """Resources with the Syria pack."""
    return Resources(("syria",))


def _places(res: Resources, text: str) -> dict[str, Place]:
    """Places of ``text`` as the places component finds them, by mention (no home country)."""
    found = find_places("t", nlp(res)(text), gazetteer(res), (), outlets(res), known_orgs=organisations(res))
    return {p.mention: p for p in found}


def _given(res: Resources, text: str, *names: str) -> dict[str, Place]:
    """The first occurrence of each of ``names`` resolved as a given toponym, by mention."""
    spans = [(text.index(n), text.index(n) + len(n)) for n in names]
    return {p.mention: p for p in resolve_names("t", text, spans, gazetteer(res))}


def test_place_an_organisation_begins_with(res: Resources) -> None:
    """The county of "Cuyahoga County Executive" and the country of "Canadian Blood Services" are places;
    a pack organisation ("Syrian Observatory for Human Rights") and a facility word ("South ...") are not."""
    got = _places(res, "Cuyahoga County Executive Armond Budish spoke on Monday. Canadian Blood Services runs "
                       "the exchange. The Syrian Observatory for Human Rights reported clashes. South Kilburn "
                       "Estate residents met.")
    assert got["Cuyahoga County"].country_code == "US", got
    assert got["Canadian"].country_code == "CA", got
    assert not {"Syrian", "South"} & set(got), got


def test_town_after_a_locative_preposition(res: Resources) -> None:
    """ "to Cirencester" and "in Hilversum and Almelo" are towns whatever the NER says; a person's name is not."""
    got = _places(res, "The road to Cirencester will close tonight. The train stops in Hilversum and Almelo. "
                       "Nelson Mandela spoke to Mandela supporters.")
    assert got["Cirencester"].country_code == "GB", got
    assert got["Almelo"].country_code == "NL", got
    assert "Mandela" not in got, got


def test_facility_name_stands_at_the_place_it_names(res: Resources) -> None:
    """A college and a court stand at the town they name; a street stays unresolved, not at Street, Somerset."""
    text = "Robinson College Cambridge. Paranaque Regional Trial Court. Royal Street."
    got = _given(res, text, "Robinson College Cambridge", "Paranaque Regional Trial Court", "Royal Street")
    assert got["Robinson College Cambridge"].name == "Cambridge", got
    assert got["Paranaque Regional Trial Court"].country_code == "PH", got
    assert got["Royal Street"].lat is None, got


def test_seas_over_namesake_towns_and_countries_with_and(res: Resources) -> None:
    """The Atlantic is the ocean, not Atlantic, Iowa; "Trinidad and Tobago" is the country, not Trinidad."""
    got = _places(res, "Storms form in the tropical Atlantic each summer. Trinidad and Tobago sent an envoy.")
    assert got["Atlantic"].feature == "sea", got
    assert got["Trinidad and Tobago"].country_code == "TT", got
