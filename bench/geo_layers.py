"""Time quantities, actors and places beside the bare spaCy parse they read, on FA-KES articles.

Usage: python bench/geo_layers.py [--n 200] [--csv ../shared/data/fakes/FA-KES-Dataset.csv]

Prints articles/s of the bare ``nlp.pipe`` and the seconds each component adds over the same
parsed documents, so the overhead ratio (parse + components) / parse can be read directly. The
one-off loading of the gazetteer and the actor matchers is timed separately.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tracewire.analyze.actors import find_actors, lexicon  # noqa: E402
from tracewire.analyze.parse import nlp as spacy_nlp  # noqa: E402
from tracewire.analyze.places import _home_countries, find_places, gazetteer  # noqa: E402
from tracewire.analyze.quantities import find_quantities  # noqa: E402
from tracewire.pipeline import Resources  # noqa: E402


def main() -> None:
    """Run the benchmark and print one line per stage."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--csv", type=Path, default=ROOT.parent / "shared" / "data" / "fakes" / "FA-KES-Dataset.csv")
    ap.add_argument("--n", type=int, default=200)
    args = ap.parse_args()
    csv.field_size_limit(10_000_000)
    with args.csv.open(encoding="utf-8", errors="replace", newline="") as fh:
        texts = [row["article_content"] for _, row in zip(range(args.n), csv.DictReader(fh), strict=False)]
    res = Resources(packs=("syria",))
    nlp = spacy_nlp(res)
    t = time.perf_counter()
    gaz, lex = gazetteer(res), lexicon(res)
    home = _home_countries(gaz, res.packs)
    load = time.perf_counter() - t
    t = time.perf_counter()
    docs = list(nlp.pipe(texts, batch_size=32))
    parse = time.perf_counter() - t
    stages = {}
    for name, fn in (
        ("quantities", lambda d: find_quantities("b", d)),
        ("actors", lambda d: find_actors("b", d, lex, gaz)),
        ("places", lambda d: find_places("b", d, gaz, home)),
    ):
        t = time.perf_counter()
        for d in docs:
            fn(d)
        stages[name] = time.perf_counter() - t
    extra = sum(stages.values())
    chars = sum(map(len, texts))
    print(f"{len(texts)} articles, {chars / len(texts):.0f} chars on average; resources loaded once in {load:.1f} s")
    print(f"bare nlp.pipe: {parse:.2f} s ({len(texts) / parse:.1f} articles/s)")
    for name, s in stages.items():
        print(f"  + {name:<10} {s:.2f} s ({100 * s / parse:.1f}% of the parse)")
    print(f"parse + quantities + actors + places: {(parse + extra) / parse:.2f}x the bare parse")


if __name__ == "__main__":
    main()
