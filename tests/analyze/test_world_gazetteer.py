"""The compact world gazetteer and the learned ranker: what they resolve, and that they match the code."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from tracewire.analyze.gazetteer import WORLD_FILE, name_key
from tracewire.analyze.places import RANKER_FEATURES, RANKER_FILE, gazetteer, load_ranker, resolve_names
from tracewire.errors import UsageError
from tracewire.pipeline import Resources

DATA = Path(__file__).resolve().parents[2] / "tracewire" / "analyze" / "data"


@pytest.fixture(scope="module")
def res() -> Resources:
    """Resources with the Syria pack (the gazetteer loads once for the module)."""
    return Resources(packs=("syria",))


def _resolve(res: Resources, text: str, *names: str) -> dict[str, tuple[str | None, str | None]]:
    """Resolve the first occurrence of each of ``names`` in ``text``: mention -> (country, feature)."""
    spans = [(text.index(n), text.index(n) + len(n)) for n in names]
    return {p.mention: (p.country_code, p.feature) for p in resolve_names("t", text, spans, gazetteer(res))}


def test_precomputed_keys_match_name_key() -> None:
    """The file's keys are ``name_key`` of its names: a changed key function needs a rebuilt file."""
    with gzip.open(DATA / WORLD_FILE, "rt", encoding="utf-8") as f:
        rows = [line.rstrip("\n").split("\t") for line in f if not line.startswith("#")][::5000]
    assert rows and all(r[1].split("|")[0] == name_key(r[0]) for r in rows)


def test_counties_demonyms_and_capitals_resolve(res: Resources) -> None:
    """An admin-2 county, a demonym given as a place, and a capital over its namesake state."""
    got = _resolve(res, "Fires in Orange County, California. Russian jets flew. Washington said no.",
                   "Orange County", "Russian", "Washington")
    assert got["Orange County"] == ("US", "admin2")
    assert got["Russian"] == ("RU", "country")
    assert got["Washington"] == ("US", "capital")


def test_qualifier_picks_the_namesake(res: Resources) -> None:
    """"London, Ontario" is the Canadian London; "London" alone is the capital of the UK."""
    assert _resolve(res, "He moved to London, Ontario, last year.", "London", "Ontario")["London"][0] == "CA"
    assert _resolve(res, "He moved to London last year.", "London")["London"] == ("GB", "capital")


def test_ranker_file_matches_features(tmp_path: Path) -> None:
    """The shipped weights are for this code's features; a stale file is refused with the fix."""
    data = json.loads((DATA / RANKER_FILE).read_text(encoding="utf-8"))
    assert data["features"] == list(RANKER_FEATURES) and len(data["weights"]) == len(RANKER_FEATURES)
    assert len(load_ranker().weights) == len(RANKER_FEATURES)
    stale = tmp_path / "r.json"
    stale.write_text(json.dumps({**data, "features": data["features"][:-1]}), encoding="utf-8")
    with pytest.raises(UsageError, match="Retrain it with eval/geo_ranker.py"):
        load_ranker(stale)


def test_facility_names_resolve_to_the_place_they_start_with(res: Resources) -> None:
    """ "Colorado State University" and "Cavan County Council" stand at the place they begin with."""
    got = _resolve(res, "At Colorado State University and at Cavan County Council, talks began.",
                   "Colorado State University", "Cavan County Council")
    assert got["Colorado State University"] == ("US", "state")
    assert got["Cavan County Council"][0] == "IE"


def test_region_and_adjective_demonyms(res: Resources) -> None:
    """Continent adjectives, compass-free demonyms and adjectival country forms name their place."""
    got = _resolve(res, "European ministers met Korean and Philippine envoys.", "European", "Korean", "Philippine")
    assert got["European"] == ("ZZ", "continent")
    assert got["Korean"] == ("KR", "country")
    assert got["Philippine"] == ("PH", "country")
    # "African" is Africa's adjective, not South Africa's once its compass word is dropped (GeoVirus: "the African
    # nation of Zimbabwe" put South Africa among a Zimbabwe report's countries)
    got = _resolve(res, "The African nation and South African officials.", "African", "South African")
    assert got["African"] == ("ZZ", "continent")
    assert got["South African"] == ("ZA", "country")


def test_one_qualified_place_per_name(res: Resources) -> None:
    """ "LONDON, Ky." makes every London of the text the Kentucky town; a country is never qualified."""
    text = "LONDON, Ky. - London police arrested two men. Talks in Russia, U.S. officials said."
    spans = [(text.index(n), text.index(n) + len(n)) for n in ("LONDON", "Ky.", "London", "Russia", "U.S.")]
    got = resolve_names("t", text, spans, gazetteer(res))
    assert [p.country_code for p in got] == ["US", "US", "US", "RU", "US"]


def test_parts_and_admin_names_without_generic_words(res: Resources) -> None:
    """ "North London" is London; "Zhejiang" is the province GeoNames calls "Zhejiang Sheng"."""
    got = _resolve(res, "From North London to Zhejiang.", "North London", "Zhejiang")
    assert got["North London"][0] == "GB"
    assert got["Zhejiang"] == ("CN", "admin1")
