"""Document votes for narrative matching (issue 14, session 28): fit and measure the corpus stage's second ranking step.

Run: ``python eval/factcheck_docvotes.py --db FILE [--train]`` on the store ``eval/factcheck_dev.py`` reads (FA-KES
ingested, EUvsDisinfo imported, analysed). The narrative dev set (``eval/factcheck_dev_gold.json``, 216 claims, 39
with a same-narrative case) is split by document into ``choose`` and ``confirm``; only ``choose`` fits or chooses
anything. For every claim of the dev set's documents (all their check-worthy claims: the votes come from them) it
ranks the candidates as the corpus stage does (``tracewire.corpus.factcheck.doc_ranked``) and reads, per (claim,
case): the first-stage re-ranker's logit, the document votes (how many of the article's other claims have the case
among the first 10 distinct cases of their own ranking) and the date relation (the case within 30 / 365 days of the
article). Each feature set is a pairwise logistic regression (C=0.1, no intercept; pairs of a same-narrative case and
another candidate of one claim, features scaled by their mean absolute difference), its weights divided by the
logit's so that a claim without votes keeps its first-stage score. It prints, per feature set, the top-3 hits of
``choose`` under three cross-validations by document (5 folds with two shuffles, and one document out), then,
fitted on all of ``choose``, the top-3 hits of ``choose`` (in sample), ``confirm`` and all (places 1-3 filled down
to ``fill_score`` on the new score, cosine at least ``min_cosine``, repeated cases once, as the stage stores them).

The choice rule, fixed before ``confirm`` was scored: the feature set with the best mean of the three
cross-validated ``choose`` figures (ties to fewer features); it ships if it beats the first stage on ``choose`` and
all 39 without losing a ``confirm`` hit. ``--train`` writes its weight into ``tracewire/models/factcheck_docvotes.json``.
The rule chose logit + votes (weight 0.65), but ``MatchConfig.doc_votes`` is off: with it on, the seeds' acceptance test
``tests/test_factchecks_seeds.py`` fails (README, "Document votes"). The two bounded variants at the end of
``FEATURE_SETS`` were added after that, measured only.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

GOLD_FILE = Path(__file__).parent / "factcheck_dev_gold.json"
C = 0.1
FEATURE_SETS = {
    "first stage alone (logit)": ("logit",),
    "logit + votes (chosen)": ("logit", "votes"),
    "logit + log(1 + votes)": ("logit", "log_votes"),
    "logit + log(1 + votes) + within 30 days": ("logit", "log_votes", "d30"),
    "logit + votes + within 30 / 365 days": ("logit", "votes", "d30", "d365"),
    # added after the seeds' acceptance test failed with the votes on (a long article's many claims flood each top
    # 3): bounded votes, measured on the same footing, after the choice
    "logit + share of the article's other claims": ("logit", "share"),
    "logit + min(votes, 3)": ("logit", "votes3"),
}
CHOSEN = "logit + votes (chosen)"


def _days(a: str | None, b: str | None) -> int | None:
    try:
        return abs((date.fromisoformat((b or "")[:10]) - date.fromisoformat((a or "")[:10])).days)
    except ValueError:
        return None


def dev_context(store: Any, index: Any, split: str = "all") -> tuple[list[dict[str, Any]], list[dict[str, Any]], Any,
                                                                      list[int | None]]:
    """The dev gold of ``split``, every check-worthy claim of its documents (the votes' context, in store order), their
    vectors, and each gold claim's index among them (None: no check-worthy claim starts there)."""
    from tracewire.corpus.factcheck import MatchConfig, embed
    from tracewire.store.factchecks import FactcheckStore

    gold = [g for g in json.loads(GOLD_FILE.read_text(encoding="utf-8"))["claims"]
            if split == "all" or g["split"] == split]
    fs = FactcheckStore.of(store)
    docs = {g["doc"] for g in gold}
    ctx = [c for c in fs.claims(MatchConfig().min_checkworthy) if c["doc"] in docs]
    at = {(c["doc"], c["start"]): i for i, c in enumerate(ctx)}
    vecs, _ = embed(fs, [c["text"] for c in ctx])
    return gold, ctx, vecs, [at.get((g["doc"], g["start"])) for g in gold]


def main(argv: Sequence[str] | None = None) -> int:
    """Print the feature sets' figures (and write the chosen weight with --train)."""
    from sklearn.linear_model import LogisticRegression

    from tracewire import settings
    from tracewire.corpus.factcheck import (
        VOTES_FILE,
        DocVotes,
        MatchConfig,
        build_index,
        doc_ranked,
        shipped_reranker,
    )
    from tracewire.store import open_store

    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--db", type=Path, required=True)
    ap.add_argument("--train", action="store_true", help=f"write the chosen weight into tracewire/models/{VOTES_FILE}")
    args = ap.parse_args(argv)
    store = open_store(args.db)
    index, _ = build_index(store, settings.packs())
    cfg, rr = MatchConfig(), shipped_reranker()
    gold, ctx, vecs, gi = dev_context(store, index)
    kor = {fc.row: index.keys[i] for i, fc in enumerate(index.fcs)}
    want = [{kor[r] for r in g["rows"] if r in kor} for g in gold]
    ranked = dict(doc_ranked(index, ctx, vecs, rr, cfg, DocVotes(0.0, 10)))
    names = ("logit", "votes", "log_votes", "d30", "d365", "share", "votes3")
    voters = {d: sum(1 for j in ranked if ctx[j]["doc"] == d and ranked[j]) for d in {c["doc"] for c in ctx}}
    rows: dict[int, tuple[Any, list[tuple[str, float, float]]]] = {}  # gold n -> features, (key, first score, cosine)
    for n, i in enumerate(gi):
        if i is None or not ranked.get(i):
            continue
        x, ks, seen = [], [], set()
        for c, s, v, _ in ranked[i]:
            k = index.keys[c.pos]
            if k in seen:
                continue
            seen.add(k)
            d = _days(ctx[i]["date"], index.fcs[c.pos].date)
            x.append([math.log(max(s, 1e-9) / max(1 - s, 1e-9)), v, math.log1p(v), float(d is not None and d <= 30),
                      float(d is not None and d <= 365), v / max(1, voters[ctx[i]["doc"]] - 1), min(v, 3)])
            ks.append((k, s, c.cos))
        rows[n] = (np.asarray(x), ks)

    def fit(members: list[int], cols: list[int]) -> Any:
        diffs = []
        for n in members:
            if n not in rows or not want[n]:
                continue
            x, ks = rows[n]
            pos = [o for o, (k, _, _) in enumerate(ks) if k in want[n]]
            neg = [o for o, (k, _, _) in enumerate(ks) if k not in want[n]]
            diffs += [x[a, cols] - x[b, cols] for a in pos for b in neg]
        d = np.asarray(diffs)
        scale = np.abs(d).mean(0) + 1e-9
        model = LogisticRegression(C=C, max_iter=5000, fit_intercept=False).fit(
            np.vstack([d, -d]) / scale, np.concatenate([np.ones(len(d)), np.zeros(len(d))]))
        w = model.coef_[0] / scale
        return w / w[0]

    def hits(members: list[int], cols: list[int], w: Any) -> tuple[int, int]:
        got = total = 0
        for n in members:
            if not want[n]:
                continue
            total += 1
            if n not in rows:
                continue
            x, ks = rows[n]
            z = x[:, cols] @ w
            top: list[str] = []
            for o in np.argsort(-z, kind="stable").tolist():
                k, _, cos = ks[o]
                if 1 / (1 + math.exp(-z[o])) < min(cfg.fill_score, cfg.min_score) or len(top) == 3:
                    break
                if cos >= cfg.min_cosine and k not in top:
                    top.append(k)
            got += any(k in want[n] for k in top)
        return got, total

    def cv(members: list[int], cols: list[int], folds: int | None, seed: int = 0) -> int:
        docs = sorted({gold[n]["doc"] for n in members})
        random.Random(seed).shuffle(docs)
        fold = {d: i % (folds or len(docs)) for i, d in enumerate(docs)}
        out = 0
        for f in set(fold.values()):
            train = [n for n in members if fold[gold[n]["doc"]] != f]
            w = fit(train, cols) if len(cols) > 1 else np.ones(1)
            out += hits([n for n in members if fold[gold[n]["doc"]] == f], cols, w)[0]
        return out

    halves = {h: [n for n, g in enumerate(gold) if h == "all" or g["split"] == h] for h in ("choose", "confirm", "all")}
    print(f"{'feature set':<44} {'choose CV 5x2, 1 doc out':>26} {'weights':>26} {'choose (in)':>11} {'confirm':>8} {'all':>6}")
    best: tuple[float, int, str] | None = None
    fitted = {}
    for name, feats in FEATURE_SETS.items():
        cols = [names.index(f) for f in feats]
        w = fit(halves["choose"], cols) if len(cols) > 1 else np.ones(1)
        fitted[name] = w
        folds = (cv(halves["choose"], cols, 5, 0), cv(halves["choose"], cols, 5, 1), cv(halves["choose"], cols, None))
        cells = [hits(halves[h], cols, w) for h in ("choose", "confirm", "all")]
        print(f"{name:<44} {', '.join(map(str, folds)):>26} {' '.join(f'{v:.3f}' for v in w):>26} "
              + " ".join(f"{a}/{b}".rjust(k) for (a, b), k in zip(cells, (11, 8, 6), strict=True)))
        key = (sum(folds) / 3, -len(cols), name)
        if best is None or key[:2] > best[:2]:
            best = key
    assert best is not None
    print(f"chosen by the rule (best mean cross-validated choose, ties to fewer features): {best[2]}")
    if args.train:
        if best[2] != CHOSEN:
            print(f"the rule now chooses {best[2]!r}, not {CHOSEN!r}: the votes file holds the weight of logit + votes "
                  "only; not written", file=sys.stderr)
            return 1
        w = fitted[CHOSEN]
        total = sum(1 for n in halves["choose"] if want[n])
        about = (f"pairwise logistic regression (C={C}, no intercept) over the first-stage logit and the document votes "
                 f"(top 10), fitted on the 'choose' half of the FA-KES narrative dev set (eval/factcheck_dev_gold.json, "
                 f"{total} claims with a same-narrative EUvsDisinfo case), weights divided by the logit's; chosen by "
                 f"cross-validation on 'choose', confirmed on 'confirm' (eval/factcheck_docvotes.py --train); applied only with "
                 f"MatchConfig(doc_votes=True), off by default")
        out = ROOT / "tracewire" / "models" / VOTES_FILE
        out.write_text(DocVotes(round(float(w[1]), 4), 10, about).to_json(), encoding="utf-8")
        print(f"wrote {out.relative_to(ROOT)}: weight {round(float(w[1]), 4)}")
    store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
