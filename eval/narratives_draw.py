"""Draw the claim pairs of eval/narratives_real/ from an analysed FA-KES store (run once; seed fixed).

Usage: python eval/narratives_draw.py DB OUT.jsonl

DB is FA-KES ingested and analysed as eval/narratives_real/README.md says (its claim vectors stored
by the narratives stage). Pairs of claims from documents that are not copies of each other are
sampled at random within strata of lexical overlap (content words, actors and places: not the
vectors under test) and, for contradictions, among claims carrying a killed or injured figure
that share a place. OUT gets ids, offsets, the stratum
and the claim texts for reading; the texts are dropped when the labelled pairs are written.
"""

from __future__ import annotations

import json
import random
import sys
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tracewire.corpus.corroboration import origins  # noqa: E402
from tracewire.corpus.narratives import NarrativeConfig, claim_items  # noqa: E402
from tracewire.store.sqlite import SQLiteStore  # noqa: E402

SEED = 20261128
STRATA = (("overlap>=0.4", 0.4, 1.01, 60), ("overlap 0.25-0.4", 0.25, 0.4, 55), ("overlap 0.12-0.25", 0.12, 0.25, 45))
FIGURES = 60
FIGURES_NEAR = 40  # drawn after the rest, so the first 220 pairs stay as they were


def main() -> None:
    """Sample pairs and write them with texts (for reading) to OUT."""
    db, out = Path(sys.argv[1]), Path(sys.argv[2])
    store = SQLiteStore(db)
    layers = store.corpus_layers()
    docs = {d["id"]: d for d in layers["documents"]}
    orig = origins(list(store.reuse_rows()), {k: v["date"] for k, v in docs.items()})
    items, rows = claim_items(layers, NarrativeConfig())
    root = [orig[it.doc].root if it.doc in orig else it.doc for it in items]
    rng = random.Random(SEED)
    n = len(items)
    # strata of lexical closeness (content words and entities), independent of the vectors under test
    by_word: dict[str, list[int]] = {}
    for k, it in enumerate(items):
        for w in it.words | it.entities:
            by_word.setdefault(w, []).append(k)
    pools: dict[str, set[tuple[int, int]]] = {name: set() for name, *_ in STRATA}
    for i in rng.sample(range(n), min(n, 2500)):
        near: dict[int, int] = {}
        for w in items[i].words | items[i].entities:
            if len(by_word[w]) > 300:
                continue
            for j in by_word[w]:
                near[j] = near.get(j, 0) + 1
        for j in sorted(near):
            if root[j] == root[i] or items[j].doc == items[i].doc:
                continue
            a, b = items[i], items[j]
            jac = len((a.words | a.entities) & (b.words | b.entities)) / max(1, len(a.words | a.entities | b.words | b.entities))
            for name, lo, hi, _ in STRATA:
                if lo <= jac < hi:
                    pools[name].add((min(i, j), max(i, j)))
    picked: dict[tuple[int, int], str] = {}
    for name, _, _, want in STRATA:
        pool = sorted(pools[name])
        rng.shuffle(pool)
        for p in pool[:want]:
            picked.setdefault(p, name)
    # figures: claims with a killed/injured figure paired with another of the same category, same place
    index = {(it.doc, it.start, it.end): k for k, it in enumerate(items)}
    qcat: dict[int, str] = {}
    for q in layers["quantities"]:
        if q["category"] not in ("killed", "injured"):
            continue
        for c in rows:
            if c["doc"] == q["doc"] and c["start"] <= q["start"] and q["end"] <= c["end"]:
                k = index.get((c["doc"], c["start"], c["end"]))
                if k is not None:
                    qcat[k] = q["category"]
                break
    fig = sorted(qcat)
    cands = [(i, j) for i in fig for j in fig
             if i < j and qcat[i] == qcat[j] and root[i] != root[j] and items[i].doc != items[j].doc
             and {e for e in items[i].entities if e.startswith("p:")} & items[j].entities]
    rng.shuffle(cands)
    for p in cands[:FIGURES]:
        picked.setdefault(p, "figures")
    # figures of one category in documents dated at most three days apart (same-event candidates)
    def day(k: int) -> date | None:
        """The date of an item's document."""
        value = docs[items[k].doc]["date"]
        return date.fromisoformat(value[:10]) if value else None

    near = [(i, j) for i, j in cands if (di := day(i)) and (dj := day(j)) and abs((di - dj).days) <= 3]
    added = 0
    for p in near:
        if added >= FIGURES_NEAR:
            break
        if p not in picked:
            picked[p] = "figures_near"
            added += 1
    with out.open("w", encoding="utf-8") as f:
        for (i, j), name in sorted(picked.items()):
            a, b = items[i], items[j]
            f.write(json.dumps({"a": a.doc, "a_start": a.start, "a_end": a.end, "b": b.doc, "b_start": b.start,
                                "b_end": b.end, "drawn_from": name,
                                "a_text": a.claim_text, "b_text": b.claim_text,
                                "a_date": docs[a.doc]["date"], "b_date": docs[b.doc]["date"]},
                               ensure_ascii=False) + "\n")
    print(f"{len(picked)} pairs written to {out}")


if __name__ == "__main__":
    main()
