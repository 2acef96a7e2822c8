"""Learn the attribution cue lexicon on the PolNeAR training split only.

Run: ``python eval/train_attribution.py`` (about a minute). Candidate cue lemmas are the verbs
that carry a gold Cue at least a quarter of the time in ``train``; the finder runs with all of
them, and a lemma is kept when at least 40 % of the cues it produced overlap a gold cue (three
predictions at least). Writes ``tracewire/models/attribution_cues.json``.
"""

from __future__ import annotations

import collections
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from eval.polnear import articles, load_gold, parse  # noqa: E402
from tracewire.analyze.attribution import CORE_CUES, CUE_LEMMAS, CUES_PATH, find_all  # noqa: E402
from tracewire.analyze.sentences import blocks, split  # noqa: E402


def main() -> None:
    """Select cue lemmas on PolNeAR train and write them."""
    arts = articles("train")
    texts = [t for t, _ in arts]
    gold = [load_gold(a)[1] for _, a in arts]
    docs = parse(texts)
    raw_tot: collections.Counter[str] = collections.Counter()
    raw_hit: collections.Counter[str] = collections.Counter()
    for doc, cues in zip(docs, gold, strict=True):
        covered = {i for s, e in cues for i in range(s, e)}
        for tok in doc:
            if tok.pos_ == "VERB":
                lemma = tok.lemma_.lower()
                raw_tot[lemma] += 1
                raw_hit[lemma] += tok.idx in covered
    candidates = frozenset(
        lemma for lemma, n in raw_tot.items() if n >= 5 and raw_hit[lemma] / n >= 0.25
    ) | CUE_LEMMAS
    pred_tot: collections.Counter[str] = collections.Counter()
    pred_hit: collections.Counter[str] = collections.Counter()
    for text, doc, cues in zip(texts, docs, gold, strict=True):
        spans = split(text, [x.start_char for x in doc.sents])
        founds, _ = find_all(text, doc, spans, blocks(text), candidates)
        for fs in founds:
            for f in fs:
                head = doc.char_span(f.cue_start, f.cue_end, alignment_mode="expand")
                lemma = "accord" if f.cue == "according to" else (
                    [t for t in head if t.pos_ == "VERB"] or list(head))[-1].lemma_.lower()
                pred_tot[lemma] += 1
                pred_hit[lemma] += any(f.cue_start < e and s < f.cue_end for s, e in cues)
    keep = sorted(
        lemma for lemma, n in pred_tot.items() if n >= 3 and pred_hit[lemma] / n >= 0.4 and lemma in candidates
    )
    keep = sorted(set(keep) | CORE_CUES)
    CUES_PATH.write_text(
        json.dumps({"trained_on": "PolNeAR train", "min_precision": 0.4, "lemmas": keep}, indent=0) + "\n",
        encoding="utf-8",
    )
    print(f"{len(candidates)} candidate lemmas, kept {len(keep)}; wrote {CUES_PATH}")


if __name__ == "__main__":
    main()
