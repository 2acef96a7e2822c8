"""CPU seconds of the places component alone on FA-KES articles that are parsed once beforehand.

    .venv/bin/python bench/places.py [--docs 200] [--repeat 3] [--csv ../shared/data/fakes/FA-KES-Dataset.csv]

Prints, as JSON: the CPU seconds (``time.process_time``) of the first call, which loads the
gazetteer, the ranker and the pack names; the CPU seconds of each full pass of
``tracewire.places.v1`` over the parsed articles (the spaCy parse is not counted); and how many
places the last pass found. To compare two checkouts, run it from each one on the same quiet
machine and take the smallest pass of each.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.analyze import DEFAULT_CSV, load_docs  # noqa: E402
from tracewire.analyze import places  # noqa: E402
from tracewire.analyze.parse import nlp as parsing_nlp  # noqa: E402
from tracewire.pipeline import Analysis, Resources  # noqa: E402


def main() -> None:
    """Parse the articles once, then time the places component over them."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--docs", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--csv", type=Path, default=DEFAULT_CSV)
    args = ap.parse_args()
    if not args.csv.exists():
        sys.exit(f"needs {args.csv} (../shared beside the checkout)")
    docs = load_docs(args.csv, args.docs)
    res = Resources(("syria",))
    parsed = list(parsing_nlp(res).pipe([d.text for d in docs], batch_size=16))
    t = time.process_time()
    places.places(docs[0], Analysis(doc=docs[0], parsed=parsed[0], layers={"parsed"}), res)
    first = time.process_time() - t
    passes, found = [], 0
    for _ in range(args.repeat):
        t = time.process_time()
        found = 0
        for d, p in zip(docs, parsed, strict=True):
            ana = Analysis(doc=d, parsed=p, layers={"parsed"})
            places.places(d, ana, res)
            found += len(ana.places)
        passes.append(round(time.process_time() - t, 3))
    print(json.dumps({"articles": len(docs), "first_call_cpu_s": round(first, 2), "pass_cpu_s": passes,
                      "places": found}))


if __name__ == "__main__":
    main()
