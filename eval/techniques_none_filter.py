"""Experiment (issue 12, acceptance 4): a span-level "is this a technique span at all?" filter on the candidate
spans the tagger pipeline decodes, read from the shipped MiniLM span classifier's encoder.

    python eval/oof_techniques_tagger.py linear --out /tmp/si29/oof_linear.npz
    python eval/oof_techniques_tagger.py minilm --folds 2 --epochs 2 --out /tmp/si29/oof_minilm.npz
    python eval/techniques_none_filter.py --oof-linear /tmp/si29/oof_linear.npz \
        --oof-minilm /tmp/si29/oof_minilm.npz --cache /tmp/si29/none_feats.npz

Candidates: on the 235 training articles, the spans ``TechniqueModel.decode`` gives on the out-of-fold linear
and MiniLM probabilities mixed at the shipped setting (``minilm_tagger.json``); on the 62 development articles,
the spans of the shipped run-time path (``token_probs``, ``sentence_probs``, ``mixed_probs``, ``decode``). A
candidate is positive when it overlaps a gold span. Features per candidate (variants): the tagger's (mean and
largest mixed token probability, sentence probability, log length, share of its sentence covered), the span
classifier's 14 logits, and the classifier's pooled representation (the 768 numbers its head reads: [CLS]
and the mean of the span's pieces, float32 torch on the shipped weights); ``base``: the span's sentence
embedding by the base all-MiniLM-L6-v2 (``tracewire.embeddings.encode``, 384 numbers; an extra encoder run
at run time). A standardised logistic
regression gives P(technique span); candidates below a threshold are dropped (the nested cue groups inside
them with them, as the SI measure merges them anyway). The regression's C and the threshold are chosen by
5-fold cross-validation over the training articles (eval/train_techniques.py's folds), maximising the
training articles' SI F1 of the kept candidates; the development SI at that choice is printed, with the best
development threshold beside it (optimistic). TC is untouched: the filter drops spans, the classifier's 14
outputs do not change.

Figures (2026-11-29, branch si29, one thread; development SI F1 of the shipped pipeline 0.4259, P 0.3646,
R 0.5121; TRAIN out of fold at the shipped setting 0.4046, 3,483 candidates, 1,692 of them overlapping no gold
span; dev: 947 candidates, 435 overlapping none), per variant: TRAIN-CV SI at its C and threshold, dev SI there
(P, R, F1; candidates dropped), the best dev F1 over thresholds, dev ROC AUC of P(technique span) against
"overlaps gold":

- tag (5 tagger numbers): TRAIN 0.4047 (C 1, 0.26); dev 0.364 / 0.512 / 0.4255 (4 dropped); best 0.4259; AUC 0.663
- logits (the classifier's 14): TRAIN 0.4047 (C 0.01, 0.20); dev 0.365 / 0.512 / 0.4262 (1); best 0.4265; AUC 0.583
- tag+logits: TRAIN 0.4074 (C 1, 0.32); dev 0.370 / 0.495 / 0.4234 (88); best 0.4296 (0.28); AUC 0.661
- pooled (768): TRAIN 0.4063 (C 0.01, 0.16); dev 0.367 / 0.509 / 0.4266 (28); best 0.4271; AUC 0.604
- tag+pooled and tag+logits+pooled: TRAIN 0.4084 (C 0.01, 0.20); dev 0.368 / 0.507 / 0.4263 (42); best 0.4270;
  AUC 0.638

With ``--learner gbt --variants tag tag+logits`` (gradient-boosted trees, 150 rounds of 15 leaves): tag TRAIN
0.4081 (0.24), dev 0.362 / 0.501 / 0.4203 (48 dropped), best 0.4259, AUC 0.657; tag+logits TRAIN 0.4095 (0.22),
dev 0.371 / 0.505 / 0.4276 (48), best 0.4280 (0.24), AUC 0.664.

With ``--variants base tag+base tag+logits+base`` (the base model's sentence embedding of the span, not trained
on PTC, so not in-sample on TRAIN): base TRAIN 0.4080 (C 0.01, 0.28), dev 0.359 / 0.476 / 0.4090 (117 dropped),
best 0.4273, AUC 0.647; tag+base TRAIN 0.4113 (0.30), dev 0.358 / 0.475 / 0.4084 (119), best 0.4284, AUC 0.668;
tag+logits+base TRAIN 0.4114 (0.28), dev 0.361 / 0.482 / 0.4128 (106), best 0.4279, AUC 0.670.

None reaches 0.435: the candidates that overlap no gold span are not separable from the others by these
numbers (AUC at most 0.66), and a dropped candidate that overlaps gold costs recall (dropping exactly the 435
that overlap none would give 0.582: P 0.674, R 0.512). The classifier retrained with a 15th class, ``none``
(``eval/train_techniques_tc.py --none-from`` this script's cache), does no better; its figures are in that
script's docstring.

Never reads the held-out articles.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from techniques import DEFAULT_PTC, ROOT, credit, load_part, merge  # noqa: E402

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

THRESHOLDS = tuple(round(0.02 * k, 2) for k in range(0, 41))
CS = (0.01, 0.1, 1.0)


def tagger_feats(v: Any, p: np.ndarray, q: np.ndarray, s: int, t: int) -> list[float]:
    """Mean and largest token probability, sentence probability, log length, share of its sentence."""
    k = next(i for i, (a, b) in enumerate(v.sent_tokens) if a <= s < b)
    a, b = v.sent_tokens[k]
    return [float(p[s:t].mean()), float(p[s:t].max()), float(q[k]), float(np.log1p(t - s)), (t - s) / max(1, b - a)]


def collect(args: argparse.Namespace) -> dict[str, Any]:
    """Candidates of TRAIN (out of fold) and dev with their tagger features, credits and articles."""
    from tracewire.analyze.techniques import article_view, load_model
    from tracewire.analyze.techniques_minilm import token_max

    model = load_model()
    cfg = model.tagger.config
    mix, gmix = float(cfg["mix"]), float(cfg["gate_mix"])
    out: dict[str, Any] = {}
    lin, mini = np.load(args.oof_linear), np.load(args.oof_minilm)
    for part in ("train", "dev"):
        arts = load_part(args.ptc, part)
        if part == "train":
            for data in (lin, mini):
                assert [str(x) for x in data["ids"]] == [a.id for a in arts], "not the training articles'"
        rows: dict[str, list[Any]] = {"art": [], "char": [], "tag": [], "ps": [], "pr": [], "text": []}
        n_gold = 0
        for i, a in enumerate(arts):
            v = article_view(a.text, model.lexicon)
            if part == "train":
                p_min = token_max(mini[f"o{i}"], mini[f"p{i}"], v.toks)
                q_min = np.array([p_min[s:t].max() if t > s else 0.0 for s, t in v.sent_tokens])
                p = (1 - mix) * lin[f"p{i}"] + mix * p_min
                q = (1 - gmix) * lin[f"q{i}"] + gmix * q_min
            else:
                p0 = model.token_probs(v)
                p, q = model.mixed_probs(v, p0, model.sentence_probs(v, p0))
            gold = merge((s, e) for s, e, _ in a.spans if e > s)
            n_gold += len(gold)
            for s, t, _ in model.decode(v, p, q):
                ch = (v.toks[s].start, v.toks[t - 1].end)
                ps, pr = credit(ch, gold)
                rows["art"].append(i)
                rows["char"].append(ch)
                rows["tag"].append(tagger_feats(v, p, q, s, t))
                rows["ps"].append(ps)
                rows["pr"].append(pr)
        out[part] = {"art": np.array(rows["art"]), "char": np.array(rows["char"]), "tag": np.array(rows["tag"]),
                     "ps": np.array(rows["ps"]), "pr": np.array(rows["pr"]), "n_gold": n_gold,
                     "texts": [a.text for a in arts], "n_art": len(arts)}
        print(f"{part}: {len(arts)} articles, {len(rows['art'])} candidates, {n_gold} merged gold spans, "
              f"SI of all {si(out[part], np.ones(len(rows['art']), dtype=bool))}", flush=True)
    return out


def encoder_feats(texts: Sequence[str], arts: np.ndarray, chars: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pooled representation (768) and the 14 logits of the shipped span classifier (float32 torch)."""
    import torch

    from tracewire import embeddings
    from tracewire.analyze import techniques_tc_minilm as tcm
    from tracewire.analyze.techniques_minilm import load_weights

    npz, _ = tcm.files()
    net = tcm.build_torch(load_weights(npz))
    tok, cls, sep = embeddings.piece_tokenizer()
    inputs = [tcm.span_inputs(tok, texts[int(a)], int(s), int(e), "none", cls, sep) for a, (s, e) in zip(arts, chars,
                                                                                                        strict=True)]
    pooled = np.zeros((len(inputs), 2 * 384), dtype=np.float32)
    logits = np.zeros((len(inputs), 14), dtype=np.float32)
    with torch.inference_mode():
        for group in tcm.batches([len(x[0]) for x in inputs]):
            n = max(len(inputs[k][0]) for k in group)
            ids = torch.zeros((len(group), n), dtype=torch.long)
            types = torch.zeros_like(ids)
            att = torch.zeros_like(ids)
            mask = torch.zeros((len(group), n))
            for r, k in enumerate(group):
                i, t, m = inputs[k]
                ids[r, : len(i)] = torch.from_numpy(i)
                types[r, : len(i)] = torch.from_numpy(t)
                att[r, : len(i)] = 1
                mask[r, 1 : 1 + m] = 1.0
            h = net.bert(input_ids=ids, token_type_ids=types, attention_mask=att).last_hidden_state
            mm = mask.unsqueeze(-1)
            pool = torch.cat([h[:, 0], (h * mm).sum(1) / mm.sum(1).clamp(min=1.0)], dim=-1)
            pooled[group] = pool.numpy()
            logits[group] = net.head.out(pool).numpy()
    return pooled, logits


def si(part: dict[str, Any], kept: np.ndarray) -> tuple[float, float, float]:
    """SI P/R/F1 of the kept candidates (each sentence gives one span, so credits add up)."""
    n = int(kept.sum())
    p = float(part["ps"][kept].sum()) / n if n else 0.0
    r = float(part["pr"][kept].sum()) / part["n_gold"] if part["n_gold"] else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return round(p, 4), round(r, 4), round(f, 4)


def features(part: dict[str, Any], which: str) -> np.ndarray:
    """The feature matrix of a variant: tagger, logits, pooled, or '+'-joined names."""
    cols = []
    for name in which.split("+"):
        cols.append(part[name])
    return np.hstack(cols)


def fit(x: np.ndarray, y: np.ndarray, c: float, learner: str = "lr") -> Any:
    """Standardised logistic regression (``gbt``: gradient-boosted trees, ``c`` unused)."""
    if learner == "gbt":
        from sklearn.ensemble import HistGradientBoostingClassifier

        return HistGradientBoostingClassifier(max_iter=150, learning_rate=0.05, max_leaf_nodes=15,
                                              random_state=13).fit(x, y)
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(StandardScaler(), LogisticRegression(C=c, max_iter=3000)).fit(x, y)


def main(argv: Sequence[str] | None = None) -> int:
    """Collect candidates, features, cross-validate the filter on TRAIN and print dev figures per variant."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ptc", type=Path, default=DEFAULT_PTC)
    ap.add_argument("--oof-linear", type=Path, required=True)
    ap.add_argument("--oof-minilm", type=Path, required=True)
    ap.add_argument("--cache", type=Path, default=None, help="candidates and features, written once, then read")
    ap.add_argument("--variants", nargs="+", default=["tag", "logits", "tag+logits", "pooled", "tag+pooled",
                                                       "tag+logits+pooled"])
    ap.add_argument("--learner", choices=("lr", "gbt"), default="lr",
                    help="logistic regression (C chosen by TRAIN-CV) or gradient-boosted trees")
    args = ap.parse_args(argv)
    from tracewire.settings import offline_libraries

    offline_libraries()
    import torch

    torch.set_num_threads(1)
    from train_techniques import folds

    if args.cache is not None and args.cache.is_file():
        z = np.load(args.cache, allow_pickle=False)
        data: dict[str, Any] = {p: {k[len(p) + 1:]: z[k] for k in z.files if k.startswith(p + ".")}
                                for p in ("train", "dev")}
        for p in data:
            data[p]["n_gold"] = int(data[p]["n_gold"])
    else:
        data = collect(args)
        for p in ("train", "dev"):
            d = data[p]
            d["pooled"], d["logits"] = encoder_feats(d.pop("texts"), d["art"], d["char"])
            d["n_art"] = np.array(d["n_art"])
            print(f"{p}: encoder features done", flush=True)
        if args.cache is not None:
            np.savez_compressed(args.cache, **{f"{p}.{k}": np.asarray(v) for p in data for k, v in data[p].items()})
    tr, dv = data["train"], data["dev"]
    if any("base" in w.split("+") for w in args.variants):
        base_cache = None if args.cache is None else args.cache.with_suffix(".base.npz")
        if base_cache is not None and base_cache.is_file():
            zb = np.load(base_cache)
            tr["base"], dv["base"] = zb["train"], zb["dev"]
        else:
            from tracewire import embeddings

            for p, d in (("train", tr), ("dev", dv)):
                texts = [a.text for a in load_part(args.ptc, p)]
                d["base"] = embeddings.encode([texts[int(a)][int(s):int(e)] for a, (s, e) in
                                               zip(d["art"], d["char"], strict=True)], threads=1)
            if base_cache is not None:
                np.savez_compressed(base_cache, train=tr["base"], dev=dv["base"])
    print(f"dev SI of all candidates: {si(dv, np.ones(len(dv['ps']), dtype=bool))}; "
          f"TRAIN (out of fold): {si(tr, np.ones(len(tr['ps']), dtype=bool))}", flush=True)
    ytr = (tr["ps"] > 0).astype(int)
    fl = folds(int(tr["n_art"]))
    fold_of = np.zeros(int(tr["n_art"]), dtype=int)
    for k, idx in enumerate(fl):
        fold_of[idx] = k
    cand_fold = fold_of[tr["art"]]
    results = {}
    for which in args.variants:
        xtr, xdv = features(tr, which), features(dv, which)
        best: tuple[float, float, float] = (-1.0, 0.0, 0.0)
        for c in CS if args.learner == "lr" else CS[:1]:
            oof = np.zeros(len(ytr))
            for k in range(len(fl)):
                m = fit(xtr[cand_fold != k], ytr[cand_fold != k], c, args.learner)
                oof[cand_fold == k] = m.predict_proba(xtr[cand_fold == k])[:, 1]
            for thr in THRESHOLDS:
                f = si(tr, oof >= thr)[2]
                if f > best[0] + 1e-9:
                    best = (f, c, thr)
        f_tr, c, thr = best
        m = fit(xtr, ytr, c, args.learner)
        pdv = m.predict_proba(xdv)[:, 1]
        at = si(dv, pdv >= thr)
        dev_best = max((si(dv, pdv >= t)[2], t) for t in THRESHOLDS)
        from sklearn.metrics import roc_auc_score

        auc = roc_auc_score((dv["ps"] > 0).astype(int), pdv)
        results[which] = {"train_cv_si": f_tr, "C": c, "threshold": thr, "dev_si": at,
                          "dev_dropped": int((pdv < thr).sum()), "dev_best": dev_best, "dev_auc": round(auc, 4)}
        print(which, json.dumps(results[which]), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
