"""Contradiction finding alone on an analysed store: CPU seconds (best of ``--repeat``) and records by kind.

    PYTHONPATH=. .venv/bin/python bench/contradictions.py --db FILE [--repeat 7]

The store must be analysed (``tracewire analyze``; its claim vectors stored, so nothing is encoded).
The narratives are clustered once in memory as ``eval/narratives.py`` does, then
``find_contradictions`` runs ``--repeat`` times and the least CPU time (``time.process_time``) is
printed with the number of records of each kind and how many a rewrite's edits gave.

Measured 2026-11-28 on the shared 2-core machine (load average 5-9, so figures swing by a third
between runs) on an FA-KES store analysed at d8c1365, the same code of main 484c829 timed by a
scratch copy of this loop: main 0.96, 0.96 CPU s (load 5), then 1.30, 1.18, 1.43 (load 7-8); with
the ``date`` and ``place`` kinds 1.27, 1.19, 1.03 (load 5; 725 records, all ``quantity``, 17 from
rewrites, byte-identical to main's); with the ``fact`` kind too 1.90, 1.40, 1.30 (load 7-8,
interleaved with the main runs; 757 records: 725 ``quantity`` and 32 ``fact``). The ``fact`` search
alone (``_facts``) takes about 0.05 CPU s once the ``fact_cues`` filter skips claims without a cue
(0.3 s before it). Re-run on a quiet machine for figures that compare.
"""

from __future__ import annotations

import argparse
import collections
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
from eval import narratives  # noqa: E402
from eval.contradictions import _links  # noqa: E402


def main() -> None:
    """Print the best CPU time of contradiction finding and its records by kind."""
    from tracewire.corpus.contradictions import find_contradictions, lexicon

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", type=Path, required=True, help="an analysed store")
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    of, ctx = narratives.in_memory(args.db, {})
    index = {(it.doc, it.start, it.end): k for k, it in enumerate(ctx["items"])}
    links = _links(args.db)
    lexicon()
    best, found = float("inf"), []
    for _ in range(args.repeat):
        t = time.process_time()
        found = find_contradictions(ctx["layers"], links, ctx["docs"], ctx["orig"], ctx["vectors"], index,
                                    narrative_of=of)
        best = min(best, time.process_time() - t)
    kinds = collections.Counter(r["kind"] for r in found)
    rewrites = collections.Counter(r["kind"] for r in found if " changed a " in r["evidence"][0])
    print(json.dumps({"cpu_s": round(best, 3), "records": len(found), "kinds": dict(sorted(kinds.items())),
                      "from_rewrites": dict(sorted(rewrites.items()))}, indent=1))


if __name__ == "__main__":
    main()
