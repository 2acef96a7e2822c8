"""Gazetteer: transliteration keys, pack file parsing, and pack coordinates checked against GeoNames."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tracewire.analyze.gazetteer import (
    _geonames_dir,
    haversine_km,
    name_key,
    read_pack_tsv,
    skeleton_keys,
)
from tracewire.errors import UsageError

PACK_TSV = Path(__file__).resolve().parents[2] / "tracewire" / "packs" / "syria" / "gazetteer.tsv"


@pytest.mark.parametrize(
    "variants",
    [
        ["Deir ez-Zor", "Deir Ez-zor", "Deir Ezzor", "deir-ez-zor"],
        ["al-Qaryatain", "Qaryatain", "Al Qaryatain"],
        ["Raqqa", "Al-Raqqah", "ar-Raqqa"],
        ["Ma'arrat al-Nu'man", "Maarrat al-Numan"],
    ],
)
def test_name_key_joins_spelling_variants(variants: list[str]) -> None:
    """Case, articles, hyphens, apostrophes, doubled letters and a final h do not change the key."""
    assert len({name_key(v) for v in variants}) == 1


def test_skeleton_joins_looser_transliterations() -> None:
    """Vowel spellings and a glued article meet on the consonant skeleton."""
    assert set(skeleton_keys("Dayr Az Zawr")) & set(skeleton_keys("Deir al-Zour"))
    assert set(skeleton_keys("Albukamal")) & set(skeleton_keys("Boukamal"))
    assert not set(skeleton_keys("Centre")) & set(skeleton_keys("Quneitra"))  # first letters differ
    assert skeleton_keys("Russian") == []  # three consonants are too few to match anything


def test_haversine_known_distance() -> None:
    """Damascus to Aleppo is about 310 km as the crow flies."""
    assert 290 < haversine_km(33.513, 36.292, 36.202, 37.134) < 330


def test_bad_pack_line_names_line_and_fix(tmp_path: Path) -> None:
    """A malformed pack line raises a coded error naming the file, the line and the expected columns."""
    f = tmp_path / "gazetteer.tsv"
    f.write_text("# comment\nFoo\tBar\t1.0\t2.0\tSY\n", encoding="utf-8")
    with pytest.raises(UsageError, match=r"gazetteer.tsv:2 has 5 tab-separated columns, expected 7"):
        read_pack_tsv(f, "mine")


def test_pack_coordinates_agree_with_geonames() -> None:
    """Every pack town that GeoNames also lists (by primary name key, same country) lies within 30 km of it."""
    cities = json.loads((_geonames_dir() / "cities1000.json").read_text(encoding="utf-8"))
    by_key: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for c in cities.values():
        by_key.setdefault((name_key(c["name"]), c["countrycode"]), []).append((c["latitude"], c["longitude"]))
    checked, far = 0, []
    for names, entry in read_pack_tsv(PACK_TSV, "syria"):
        if entry.feature not in ("city", "town"):
            continue
        points = [p for n in names for p in by_key.get((name_key(n), entry.country), [])]
        if not points:
            continue
        checked += 1
        best = min(haversine_km(entry.lat, entry.lon, la, lo) for la, lo in points)
        if best > 30:
            far.append((entry.name, round(best)))
    assert checked >= 25
    assert not far, far
