"""Draw the claim pairs of eval/narratives_real/ from an analysed FA-KES store (run once; seed fixed).

Usage: python eval/narratives_draw.py DB OUT.jsonl

DB is FA-KES ingested and analysed as eval/narratives_real/README.md says (its claim vectors stored
by the narratives stage). Pairs of claims from documents that are not copies of each other are
sampled at random within strata of meaning (cosine of their sentence vectors) and, for
contradictions, among claims carrying a figure of one category. OUT gets ids, offsets, the stratum
and the claim texts for reading; the texts are dropped when the labelled pairs are written.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tracewire import embeddings  # noqa: E402
from tracewire.corpus.corroboration import origins  # noqa: E402
from tracewire.corpus.narratives import NarrativeConfig, claim_items, text_sha  # noqa: E402
from tracewire.store.sqlite import SQLiteStore  # noqa: E402

SEED = 20261128
STRATA = (("cos>=0.75", 0.75, 1.01, 55), ("cos 0.6-0.75", 0.6, 0.75, 55), ("cos 0.45-0.6", 0.45, 0.6, 50),
          ("cos 0.3-0.45", 0.3, 0.45, 25))
FIGURES = 60


def main() -> None:
    """Sample pairs and write them with texts (for reading) to OUT."""
    db, out = Path(sys.argv[1]), Path(sys.argv[2])
    store = SQLiteStore(db)
    layers = store.corpus_layers()
    docs = {d["id"]: d for d in layers["documents"]}
    orig = origins(list(store.reuse_rows()), {k: v["date"] for k, v in docs.items()})
    items, rows = claim_items(layers, NarrativeConfig())
    model = embeddings.model_hash()
    stored = store.claim_vectors(sorted({text_sha(it.text) for it in items}), model)
    vecs = np.stack([embeddings.from_blob(stored[text_sha(it.text)]) for it in items])
    root = [orig[it.doc].root if it.doc in orig else it.doc for it in items]
    rng = random.Random(SEED)
    n = len(items)
    picked: dict[tuple[int, int], str] = {}
    # sample candidate pairs in blocks: for random anchors, every other claim's cosine
    anchors = rng.sample(range(n), min(n, 3000))
    pools: dict[str, list[tuple[int, int]]] = {name: [] for name, *_ in STRATA}
    for i in anchors:
        sims = vecs @ vecs[i]
        for name, lo, hi, _ in STRATA:
            js = np.nonzero((sims >= lo) & (sims < hi))[0]
            js = [int(j) for j in js if root[int(j)] != root[i] and items[int(j)].doc != items[i].doc]
            if js:
                pools[name].append((min(i, j := rng.choice(js)), max(i, j)))
    for name, _, _, want in STRATA:
        pool = sorted(set(pools[name]))
        rng.shuffle(pool)
        for p in pool:
            if len([1 for v in picked.values() if v == name]) >= want:
                break
            picked.setdefault(p, name)
    # figures: claims with a killed/injured figure, paired with a close claim carrying one of the same category
    qcat: dict[int, str] = {}
    index = {(it.doc, it.start, it.end): k for k, it in enumerate(items)}
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
    cands = []
    for i in fig:
        for j in fig:
            if i < j and qcat[i] == qcat[j] and root[i] != root[j] and items[i].doc != items[j].doc:
                s = float(vecs[i] @ vecs[j])
                if s >= 0.5:
                    cands.append((i, j))
    rng.shuffle(cands)
    added = 0
    for p in cands:
        if added >= FIGURES:
            break
        if p not in picked:
            picked[p] = "figures"
            added += 1
    with out.open("w", encoding="utf-8") as f:
        for (i, j), name in sorted(picked.items()):
            a, b = items[i], items[j]
            f.write(json.dumps({"a": a.doc, "a_start": a.start, "a_end": a.end, "b": b.doc, "b_start": b.start,
                                "b_end": b.end, "drawn_from": name, "cosine": round(float(vecs[i] @ vecs[j]), 3),
                                "a_text": a.text, "b_text": b.text,
                                "a_date": docs[a.doc]["date"], "b_date": docs[b.doc]["date"]},
                               ensure_ascii=False) + "\n")
    print(f"{len(picked)} pairs written to {out}")


if __name__ == "__main__":
    main()
