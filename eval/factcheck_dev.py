"""FA-KES claims against EUvsDisinfo: the narrative-matching DEV set of issue 14 (the seeds stay the acceptance set).

Run: ``python eval/factcheck_dev.py --db FILE`` on a store where FA-KES was ingested (``tracewire ingest
../shared/data/fakes/FA-KES-Dataset.csv --field id=unit_id --field text=article_content --field outlet=source``),
``tracewire factchecks import ../shared/data/euvsdisinfo/full_dataset_formatted.csv`` ran and ``tracewire analyze``
ran (it stores the claims and the vectors this reads). For each claim of ``eval/factcheck_dev_gold.json`` (drawn by
``eval/factcheck_dev_draw.py``, judged by a person: the protocol is the gold's ``_comment``) it runs the matcher
as ``tracewire analyze`` does (``match_claims``: re-ranker, floors, top 5, repeated cases shown once) and prints
whether a same-narrative case is in the top 3, the rank of the best one among the re-ranked candidates (``-``
when no retriever found it), then: the top-3 and top-10 counts over claims with a same-narrative case, the rank
distribution, and the false top-3 rate (claims judged to have no such case that still get a match in their top 3;
and how many of those get one that is not in the claim's ``related`` cases either).
A case counts when its row is in the gold or it repeats a gold row's case (same content words).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

GOLD_FILE = Path(__file__).parent / "factcheck_dev_gold.json"


def main(argv: Sequence[str] | None = None) -> int:
    """Print the dev table and the figures."""
    from tracewire import settings
    from tracewire.corpus.factcheck import (
        MatchConfig,
        build_index,
        content_words,
        embed,
        match_claims,
        rank,
        shipped_reranker,
    )
    from tracewire.store import open_store
    from tracewire.store.factchecks import FactcheckStore

    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--db", type=Path, required=True)
    ap.add_argument("--quiet", action="store_true", help="the figures only, not the table")
    args = ap.parse_args(argv)
    gold = json.loads(GOLD_FILE.read_text(encoding="utf-8"))["claims"]
    store = open_store(args.db)
    fs = FactcheckStore.of(store)
    index, _ = build_index(store, settings.packs())
    cfg = MatchConfig()
    reranker = shipped_reranker()
    by = {(c["doc"], c["start"]): c for c in fs.claims(cfg.min_checkworthy)}
    missing = [g for g in gold if (g["doc"], g["start"]) not in by]
    for g in missing:
        print(f"MISS {g['doc']}:{g['start']} no check-worthy claim starts here (the claims component moved?)")
    gold = [g for g in gold if (g["doc"], g["start"]) in by]
    claims = [by[(g["doc"], g["start"])] for g in gold]
    vecs, _ = embed(fs, [c["text"] for c in claims])
    key = [" ".join(content_words(fc.claim_reviewed)) for fc in index.fcs]
    key_of_row = {fc.row: key[i] for i, fc in enumerate(index.fcs)}
    matched = match_claims(index, claims, vecs, reranker, cfg)
    top3_hits = top10_hits = positives = false_top3 = unrelated_top3 = negatives = 0
    ranks: Counter[str] = Counter()
    for i, (g, c) in enumerate(zip(gold, claims, strict=True)):
        want = {key_of_row[r] for r in g["rows"] if r in key_of_row}
        shown = matched.get((c["doc"], c["start"], c["end"]), [])[:3]
        top3 = [index.fcs[index.pos[m.factcheck]] for m in shown]
        order: list[str] = []
        for cand, _ in rank(index, c["text"], vecs[i], reranker, cfg.depth):
            if key[cand.pos] not in order:
                order.append(key[cand.pos])
        best = next((r + 1 for r, k in enumerate(order) if k in want), None)
        if want:
            positives += 1
            ok = any(key[index.pos[fc.id]] in want for fc in top3)
            top3_hits += ok
            top10_hits += best is not None and best <= 10
            ranks["-" if best is None else str(best) if best <= 10 else ">10"] += 1
            mark = "ok  " if ok else "MISS"
        else:
            negatives += 1
            false_top3 += bool(top3)
            related = {key_of_row[r] for r in g.get("related", []) if r in key_of_row}
            unrelated_top3 += any(key[index.pos[fc.id]] not in related for fc in top3)
            mark = "FALSE" if top3 else "none"
        if not args.quiet:
            print(f"{mark:<5} {c['doc']}:{c['start']}-{c['end']:<5} best rank {best or '-':>3}  "
                  f"top 3 rows {[fc.row for fc in top3]}  ({g['narrative']})")
    print(f"{top3_hits} of {positives} dev claims with a same-narrative case get one in their top 3; "
          f"{top10_hits} in the top 10 of the re-ranked candidates")
    order_keys = sorted(ranks, key=lambda k: (k == "-", k == ">10", int(k) if k.isdigit() else 0))
    print("best rank of a same-narrative case: " + ", ".join(f"{k}: {ranks[k]}" for k in order_keys))
    print(f"false top 3: {false_top3} of {negatives} claims judged to have none get a match in their top 3 "
          f"({unrelated_top3} a match that is not even about the same event or theme: not in the gold's related)")
    store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
