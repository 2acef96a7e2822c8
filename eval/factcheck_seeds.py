"""The seeds against EUvsDisinfo (issue 14, acceptance 2): how many judged seed claims get a same-narrative case in their top 3.

Run: ``python eval/factcheck_seeds.py --db FILE`` on a store where ``tracewire ingest ../shared/seeds``,
``tracewire factchecks import ../shared/data/euvsdisinfo/full_dataset_formatted.csv`` and
``tracewire analyze`` ran. For each claim in ``eval/factcheck_seeds_gold.json`` (judged by a person: the
EUvsDisinfo rows of the same narrative) it prints whether one of them is in the stored top 3 and the
rank of the best one among the re-ranked candidates (``-`` when no retriever found it), then the count.
A report, not a gate: the seeds are the acceptance set, so nothing is tuned on them.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

GOLD = json.loads((Path(__file__).parent / "factcheck_seeds_gold.json").read_text(encoding="utf-8"))


def main(argv: Sequence[str] | None = None) -> int:
    """Print the seed table and the top-3 count."""
    from tracewire import settings
    from tracewire.corpus.factcheck import (
        LOW_CONFIDENCE,
        MatchConfig,
        build_index,
        content_words,
        embed,
        rank,
        shipped_reranker,
    )
    from tracewire.store import open_store
    from tracewire.store.factchecks import FactcheckStore

    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--db", type=Path, required=True)
    args = ap.parse_args(argv)
    store = open_store(args.db)
    fs = FactcheckStore.of(store)
    index, _ = build_index(store, settings.packs())
    claims = fs.claims(MatchConfig().min_checkworthy)
    vecs, _ = embed(fs, [c["text"] for c in claims])
    row_of = {fc.id: fc.row for fc in index.fcs}
    stored: dict[tuple[str, int], list[int]] = {}
    unsure: set[tuple[str, int, int]] = set()  # (doc, start, row) of stored top-3 matches flagged low confidence
    for m in fs.match_rows():
        if m["rank"] <= 3:
            row = row_of.get(m["factcheck"]) or 0
            stored.setdefault((m["doc"][:3], m["start"]), []).append(row)
            if any(str(e).startswith(LOW_CONFIDENCE) for e in m["evidence"] or ()):
                unsure.add((m["doc"][:3], m["start"], row))
    hits = confident = 0
    for g in GOLD["claims"]:
        i = next((i for i, c in enumerate(claims) if c["doc"].startswith(g["doc"]) and c["start"] == g["start"]), None)
        if i is None:
            print(f"MISS {g['doc']}:{g['start']:<5} no check-worthy claim starts here (the claims component moved?)")
            continue
        seen: set[str] = set()
        order: list[int] = []
        for cand, _ in rank(index, claims[i]["text"], vecs[i], shipped_reranker(), MatchConfig().depth):
            key = " ".join(content_words(index.fcs[cand.pos].claim_reviewed))
            if key not in seen:  # EUvsDisinfo repeats cases; the matcher shows each once
                seen.add(key)
                order.append(index.fcs[cand.pos].row or 0)
        best = next((r + 1 for r, x in enumerate(order) if x in g["rows"]), None)
        top3 = stored.get((g["doc"], g["start"]), [])
        right = set(top3) & set(g["rows"])
        ok = bool(right)
        sure = any((g["doc"], g["start"], r) not in unsure for r in right)
        hits += ok
        confident += sure
        print(f"{'ok  ' if ok else 'MISS'}{' (low confidence)' if ok and not sure else ''} {g['doc']}:{claims[i]['start']}-{claims[i]['end']:<5} best rank "
              f"{best or '-':>3}  top 3 rows {top3}  ({g['narrative']})")
    print(f"{hits} of {len(GOLD['claims'])} judged seed claims have a same-narrative case in their top 3, "
          f"{confident} of them not flagged low confidence")
    store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
