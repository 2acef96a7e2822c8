"""Experiment (issue 12): the MiniLM tagger of ``eval/train_techniques_tagger.py`` combined with the shipped
linear tagger and sentence gate, scored on the 62 PTC development articles only.

    python eval/combine_techniques_tagger.py --probs /tmp/tech12/dev_probs.npz

``--probs`` holds the MiniLM in/out probability of every word piece of every development article and the
pieces' character offsets (``train_techniques_tagger.py`` writes it at its best epoch). A token of the
shipped tokenizer gets the largest probability of the pieces it overlaps. Variants, each with its
thresholds chosen on the development articles (the figures are development figures, not held-out ones):

- shipped: ``TechniqueModel.detect`` of the linear tagger and gate alone (``load_model(minilm=False)``);
- mix(a, b): token probability ``(1 - a) p_linear + a p_minilm``, sentence gate ``(1 - b) q_linear + b
  q_minilm`` where ``q_minilm`` is the largest MiniLM token probability in the sentence; decoded as the
  shipped model decodes (one span per sentence the gate keeps, first to last token at or above the
  token threshold). a = b = 1 is MiniLM alone with the shipped decoder; a = b = 0 is the shipped model
  with its thresholds re-chosen on dev.

With ``--oof-linear`` and ``--oof-minilm`` (``eval/oof_techniques_tagger.py``) the same grid is also
scored on the 235 training articles' out-of-fold probabilities, and the setting that wins there is
chosen (and written by ``--write-config``), its development figure printed beside it:

    python eval/combine_techniques_tagger.py --weights tracewire/models/techniques/minilm_tagger.npz \
        --oof-linear /tmp/si28/oof_linear.npz --oof-minilm /tmp/si28/oof_minilm.npz

Several ``--weights`` (or ``--probs``) score the taggers' mean per word piece, as the shipped pair of
``minilm_tagger.json``'s ``members`` runs (one graph; ``--per-channel``: int8 scales per output channel):

    python eval/combine_techniques_tagger.py --per-channel --weights tracewire/models/techniques/minilm_tagger.npz \
        tracewire/models/techniques/minilm_tagger6.npz --write-config tracewire/models/techniques/minilm_tagger.json

(branch si30: dev SI 0.4372 at the best setting, mix 0.75, gate mix 0.5, thresholds 0.2 / 0.3, without the
run-time cascade; the top-4 tagger alone 0.4259; ``--write-config`` keeps the shipped ``skip_below`` and its
``skip_below_chosen_on``; ``dev_si_with_skip_below``, measured with the cascade by ``eval/techniques.py --split
dev``, was added to the shipped file by hand).

Without ``--weights`` or ``--probs`` the shipped taggers are scored: the ``members`` of
``minilm_tagger.json``, with its ``per_channel`` and ``stride``; so ``--post`` (span post-processing at
the shipped setting) reads the shipped ensemble, not one tagger:

    python eval/combine_techniques_tagger.py --post

TC is untouched by these variants (the classifier scores gold spans), so it is printed once.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from techniques import DEFAULT_PTC, ROOT, credit, evaluate, load_part, merge, si_scores  # noqa: E402

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

MIX = (0.0, 0.25, 0.5, 0.75, 1.0)
THR = tuple(round(0.05 * k, 2) for k in range(1, 15))


class Prepared:
    """What decoding needs per article: token ranges per sentence, edge-trim flags, char offsets."""

    def __init__(self, v: Any) -> None:
        from tracewire.analyze.techniques_features import _QUOTES

        self.sent_tokens = v.sent_tokens
        self.alnum = np.array([t.text[:1].isalnum() for t in v.toks], dtype=bool)
        self.keep_left = self.alnum | np.array([t.text in _QUOTES for t in v.toks], dtype=bool)
        self.keep_right = self.alnum | np.array([t.text in "!?" and t.text != "" for t in v.toks], dtype=bool)
        self.start = np.array([t.start for t in v.toks], dtype=np.int64)
        self.end = np.array([t.end for t in v.toks], dtype=np.int64)


def decode(pr: Prepared, p: np.ndarray, q: np.ndarray, thr: float, gate: float) -> list[tuple[int, int]]:
    """``TechniqueModel.decode`` on given token and sentence probabilities, as character spans."""
    out = []
    for (a, b), qs in zip(pr.sent_tokens, q, strict=True):
        span = _sentence_span(pr, p, a, b, thr) if qs >= gate else None
        if span is not None:
            out.append(span)
    return out


def _sentence_span(pr: Prepared, p: np.ndarray, a: int, b: int, thr: float) -> tuple[int, int] | None:
    """The character span of tokens ``a``..``b`` (a sentence) from its first to its last token at ``thr`` or
    above, trimmed to what a span may start and end with; None when there is none."""
    on = np.flatnonzero(p[a:b] >= thr) if b > a else np.zeros(0, dtype=np.int64)
    if not len(on):
        return None
    s, t = a + int(on[0]), a + int(on[-1]) + 1
    while s < t and not pr.keep_left[s]:
        s += 1
    while t > s and not pr.keep_right[t - 1]:
        t -= 1
    return (int(pr.start[s]), int(pr.end[t - 1])) if t > s and pr.alnum[s:t].any() else None


def minilm_rows(args: argparse.Namespace, dev: Sequence[Any], views: list[Any], gates: list[np.ndarray],
                gate: float | None) -> tuple[list[np.ndarray], float]:
    """MiniLM token probabilities per development article, from ``--probs`` or through the packaged
    tagger code on ``--weights`` (int8 ONNX); with ``gate``, only sentences whose linear gate probability
    reaches it are tagged. Also the CPU seconds the tagging took."""
    from tracewire.analyze.techniques_minilm import MiniLMTagger, join_members, load_weights, token_max

    if args.probs is not None:
        datas = [np.load(path) for path in args.probs]
        for data in datas:
            ids = [str(x) for x in data["ids"]]
            assert ids == [a.id for a in dev], "the probabilities are not those of the development articles"
        # several files: the mean per word piece (the same windows and pieces in each)
        return [token_max(datas[0][f"o{i}"], np.mean([d[f"p{i}"] for d in datas], axis=0), v.toks)
                for i, v in enumerate(views)], 0.0
    tagger = MiniLMTagger(join_members([load_weights(w) for w in args.weights]),
                          {"mix": 0.5, "stride": args.stride, "per_channel": args.per_channel})
    out = []
    c0 = time.process_time()
    for v, q in zip(views, gates, strict=True):
        keep = None if gate is None else [i for i, x in enumerate(q.tolist()) if x >= gate]
        out.append(tagger.token_probs(v, keep))
    return out, time.process_time() - c0


def sentence_spans(pr: Prepared, p: np.ndarray, thr: float) -> list[tuple[int, int] | None]:
    """Per sentence, the character span ``decode`` gives it when the gate keeps it (None: no span)."""
    return [_sentence_span(pr, p, a, b, thr) for a, b in pr.sent_tokens]


def grid(arts: Sequence[Any], rows: list[tuple], gold: dict[str, list[tuple[int, int]]], gate_mixes: Sequence[float],
         tag_above: float | None = None) -> dict[tuple[float, float, float, float], tuple[float, float, float]]:
    """SI P/R/F1 on ``arts`` for every (token mix, gate mix, token threshold, gate threshold); ``rows`` per
    article: (Prepared, p_linear, q_linear, p_minilm, q_minilm).

    Each sentence gives at most one span and spans of different sentences never overlap, so a span's
    share of precision (its overlap with the merged gold spans over its length) and of recall (the
    sum over gold spans of its overlap over their lengths) do not depend on which other sentences the
    gate keeps: they are computed once per (token mix, token threshold) and summed over the kept
    sentences for every gate, which gives ``si_scores`` (checked on the shipped setting in ``main``)."""
    n_gold = 0
    merged = []
    for a in arts:
        gs = merge(s for s in gold.get(a.id, ()) if s[1] > s[0])
        n_gold += len(gs)
        merged.append(gs)
    results = {}
    for a_mix in MIX:
        for thr in THR:
            pc: list[float] = []
            rc: list[float] = []
            idx: list[tuple[int, int]] = []  # (article, sentence) of each candidate span
            for k, (r, gs) in enumerate(zip(rows, merged, strict=True)):
                p = (1 - a_mix) * r[1] + a_mix * r[3]
                for si, sp in enumerate(sentence_spans(r[0], p, thr)):
                    if sp is None:
                        continue
                    ps, pr_ = credit(sp, gs)
                    pc.append(ps)
                    rc.append(pr_)
                    idx.append((k, si))
            pcs, rcs = np.array(pc), np.array(rc)
            for b_mix in gate_mixes:
                qs = [(1 - b_mix) * r[2] + b_mix * r[4] for r in rows]
                qv = np.array([qs[k][si] for k, si in idx])
                for gate in THR:
                    if tag_above is not None and gate < tag_above:
                        continue  # sentences below tag_above were not tagged
                    kept = qv >= gate
                    n = int(kept.sum())
                    prec = float(pcs[kept].sum()) / n if n else 0.0
                    rec = float(rcs[kept].sum()) / n_gold if n_gold else 0.0
                    f = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
                    results[(a_mix, b_mix, thr, gate)] = (prec, rec, f)
    return results


def oof_rows(args: argparse.Namespace, lexicon: Any) -> tuple[list[Any], list[tuple], dict[str, list[tuple[int, int]]]]:
    """The training articles with the out-of-fold linear and MiniLM probabilities of
    ``eval/oof_techniques_tagger.py`` (``--oof-linear``, ``--oof-minilm``), as ``grid`` reads them."""
    from tracewire.analyze.techniques import article_view
    from tracewire.analyze.techniques_minilm import token_max

    train = load_part(args.ptc, "train")
    lin, mini = np.load(args.oof_linear), np.load(args.oof_minilm)
    for data in (lin, mini):
        assert [str(x) for x in data["ids"]] == [a.id for a in train], "not the training articles' probabilities"
    rows = []
    for i, a in enumerate(train):
        v = article_view(a.text, lexicon)
        p_min = token_max(mini[f"o{i}"], mini[f"p{i}"], v.toks)
        q_min = np.array([p_min[s:t].max() if t > s else 0.0 for s, t in v.sent_tokens])
        rows.append((Prepared(v), lin[f"p{i}"], lin[f"q{i}"], p_min, q_min))
    return train, rows, {a.id: [(s, e) for s, e, _ in a.spans] for a in train}


def post_variants(pr: Prepared, p: np.ndarray, q: np.ndarray, thr: float, gate: float,
                  how: str, x: float) -> list[tuple[int, int]]:
    """Span post-processing variants of ``decode`` (token ranges before trimming and character offsets):
    ``snap`` a span that covers at least ``x`` of its sentence's words out to the whole sentence;
    ``minlen`` drop spans of fewer than ``x`` words; ``split`` a sentence's run at gaps of more than ``x``
    tokens under the threshold (several spans per sentence); ``extra`` add runs of tokens at or above ``x``
    in sentences the gate drops; ``mean`` / ``max`` keep a span only when its mean / largest token
    probability reaches ``x``."""
    out = []
    for (a, b), qs in zip(pr.sent_tokens, q, strict=True):
        if b <= a:
            continue
        if qs < gate:
            if how != "extra":
                continue
            on = np.flatnonzero(p[a:b] >= x)
            runs = [[int(i), int(i)] for i in on[:1]]
            for i in on[1:]:
                if i - runs[-1][1] > 2:
                    runs.append([int(i), int(i)])
                else:
                    runs[-1][1] = int(i)
        else:
            on = np.flatnonzero(p[a:b] >= thr)
            if not len(on):
                continue
            runs = [[int(on[0]), int(on[-1])]]
            if how == "split":
                runs = [[int(on[0]), int(on[0])]]
                for i in on[1:]:
                    if i - runs[-1][1] > x:
                        runs.append([int(i), int(i)])
                    else:
                        runs[-1][1] = int(i)
        for r0, r1 in runs:
            s, t = a + r0, a + r1 + 1
            if how == "snap":
                words = pr.alnum[a:b].sum()
                if words and pr.alnum[s:t].sum() / words >= x:
                    s, t = a, b
            while s < t and not pr.keep_left[s]:
                s += 1
            while t > s and not pr.keep_right[t - 1]:
                t -= 1
            if t <= s or not pr.alnum[s:t].any():
                continue
            if ((how == "minlen" and pr.alnum[s:t].sum() < x) or (how == "mean" and p[s:t].mean() < x)
                    or (how == "max" and p[s:t].max() < x)):
                continue
            out.append((int(pr.start[s]), int(pr.end[t - 1])))
    return out


POST = (("snap", (0.5, 0.7, 0.9)), ("minlen", (2, 3, 4)), ("split", (4, 8, 12)), ("extra", (0.5, 0.6, 0.7)),
        ("mean", (0.2, 0.25)), ("max", (0.3, 0.35, 0.4)))


def _logit(x: np.ndarray) -> np.ndarray:
    """Log-odds, clipped away from 0 and 1."""
    x = np.clip(np.asarray(x, dtype=np.float64), 1e-4, 1 - 1e-4)
    out: np.ndarray = np.log(x / (1 - x))
    return out


def _shift(x: np.ndarray, k: int) -> np.ndarray:
    """``x`` moved ``k`` places later (earlier when negative), zeros filling in."""
    y = np.zeros_like(x)
    if k > 0:
        y[k:] = x[:-k]
    elif k < 0:
        y[:k] = x[-k:]
    return y


def stack_sentence_features(row: tuple) -> np.ndarray:
    """Per sentence, what a stacked gate reads: both gates' log-odds and their product, mean linear and
    MiniLM token probabilities, the largest linear one, the share of tokens whose mean reaches 0.2, length,
    the neighbours' gates, position in the article and the article's length."""
    pr, p_lin, q_lin, p_min, q_min = row
    n = len(pr.sent_tokens)
    lq, lm = _logit(q_lin), _logit(q_min)
    spans = [(a, b) if b > a else (a, a + 1) for a, b in pr.sent_tokens]
    pad = np.append(np.asarray(p_lin), 0.0), np.append(np.asarray(p_min), 0.0)
    mean_min = np.array([pad[1][a:b].mean() for a, b in spans])
    mean_lin = np.array([pad[0][a:b].mean() for a, b in spans])
    max_lin = np.array([pad[0][a:b].max() for a, b in spans])
    frac = np.array([((pad[0][a:b] + pad[1][a:b]) / 2 >= 0.2).mean() for a, b in spans])
    length = np.log1p([b - a for a, b in pr.sent_tokens])
    pos = np.arange(n) / max(1, n - 1)
    return np.column_stack([lq, lm, lq * lm / 10, mean_min, mean_lin, _logit(max_lin), frac, length,
                            _shift(lm, 1), _shift(lm, -1), _shift(lq, 1), _shift(lq, -1), pos,
                            (np.arange(n) == 0).astype(float), np.full(n, np.log1p(n))])


def stack_sentence_labels(row: tuple, spans: Sequence[tuple[int, int]]) -> np.ndarray:
    """1 for sentences that overlap a gold span."""
    pr = row[0]
    return np.array([int(b > a and any(u < pr.end[b - 1] and t > pr.start[a] for u, t in spans))
                     for a, b in pr.sent_tokens], dtype=np.int8)


def stacked_gates(train_rows: list[tuple], train_gold: list[Sequence[tuple[int, int]]], dev_rows: list[tuple],
                  c: float = 1.0) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """A logistic-regression gate over ``stack_sentence_features``: its 5-fold out-of-fold probabilities on
    the training rows (to choose thresholds) and, fitted on all of them, its probabilities on ``dev_rows``."""
    from sklearn.linear_model import LogisticRegression

    xs = [stack_sentence_features(r) for r in train_rows]
    ys = [stack_sentence_labels(r, g) for r, g in zip(train_rows, train_gold, strict=True)]

    def fit(idx: Sequence[int]) -> Any:
        return LogisticRegression(C=c, max_iter=2000).fit(np.vstack([xs[i] for i in idx]),
                                                           np.concatenate([ys[i] for i in idx]))

    order = np.random.default_rng(13).permutation(len(train_rows))
    oof: list[np.ndarray] = [np.zeros(0)] * len(train_rows)
    for k in range(5):
        held = set(order[k::5].tolist())
        clf = fit([i for i in range(len(train_rows)) if i not in held])
        for i in held:
            oof[i] = clf.predict_proba(xs[i])[:, 1]
    clf = fit(range(len(train_rows)))
    return oof, [clf.predict_proba(stack_sentence_features(r))[:, 1] for r in dev_rows]


def shipped_cascade() -> dict[str, Any]:
    """The run-time cascade's threshold in the shipped ``minilm_tagger.json`` (0 when it has none) and the
    note of where it was chosen, so that ``--write-config`` keeps them rather than silently turning the
    cascade off or dropping its provenance."""
    from tracewire.analyze.techniques_minilm import files

    cfg = json.loads(files()[1].read_text(encoding="utf-8"))
    return {"skip_below": float(cfg.get("skip_below", 0.0)),
            **({"skip_below_chosen_on": cfg["skip_below_chosen_on"]} if "skip_below_chosen_on" in cfg else {})}


def shipped_members(args: argparse.Namespace) -> None:
    """Without ``--weights`` and ``--probs``: the weights files of the shipped ``members`` of
    ``minilm_tagger.json``, with its ``per_channel`` (unless ``--per-channel`` is given) and ``stride``
    (unless ``--stride`` is); ``--stride`` defaults to 200 otherwise."""
    from tracewire.analyze.techniques_minilm import STRIDE, files, member_files, shipped_config

    if args.weights is None and args.probs is None:
        cfg = shipped_config()
        args.weights = [Path(str(files(name)[0])) for name in member_files(cfg)]
        args.per_channel = args.per_channel or bool(cfg.get("per_channel", False))
        if args.stride is None:
            args.stride = int(cfg.get("stride", STRIDE))
    if args.stride is None:
        args.stride = STRIDE


def main(argv: Sequence[str] | None = None) -> int:
    """Print dev SI for the shipped model, MiniLM alone and their mixes."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ptc", type=Path, default=DEFAULT_PTC)
    src = ap.add_mutually_exclusive_group()
    src.add_argument("--probs", type=Path, nargs="+",
                     help="dev_probs.npz of train_techniques_tagger.py (fp32 torch); several: their mean per piece")
    src.add_argument("--weights", type=Path, nargs="+",
                     help="minilm_tagger.npz: tag through the packaged int8 ONNX code; several: the ensemble "
                          "whose probability is their mean per piece (one graph, shared base layers); neither "
                          "--weights nor --probs: the members of the shipped minilm_tagger.json")
    ap.add_argument("--tag-above", type=float, default=None,
                    help="with --weights: tag only sentences whose linear gate probability reaches this")
    ap.add_argument("--stride", type=int, default=None,
                    help="with --weights: pieces between window starts (default 200, or the shipped settings' "
                         "stride when the shipped members are scored)")
    ap.add_argument("--per-channel", action="store_true",
                    help="with --weights: int8 scales per output channel (the setting per_channel)")
    ap.add_argument("--gate-mixes", type=float, nargs="+", default=list(MIX), help="values of b to try")
    ap.add_argument("--write-config", type=Path, default=None,
                    help="write the best variant's mix and thresholds here (minilm_tagger.json)")
    ap.add_argument("--skip-below", type=float, default=None,
                    help="with --write-config: the run-time cascade's skip_below to write (default: the shipped "
                         "minilm_tagger.json's; it is not chosen here, eval/techniques_tagger_windows.py measures it)")
    ap.add_argument("--post", action="store_true",
                    help="also score span post-processing variants (post_variants) at the shipped setting "
                         "(without --weights / --probs: on the shipped members' mean)")
    ap.add_argument("--stack", action="store_true",
                    help="with --oof-*: also a logistic-regression gate stacked on both taggers (stacked_gates)")
    ap.add_argument("--oof-linear", type=Path, default=None,
                    help="out-of-fold linear probabilities on TRAIN (eval/oof_techniques_tagger.py linear)")
    ap.add_argument("--oof-minilm", type=Path, default=None,
                    help="out-of-fold MiniLM probabilities on TRAIN (eval/oof_techniques_tagger.py minilm); with "
                         "--oof-linear, the mix and thresholds are chosen on these 235 articles, not on dev")
    args = ap.parse_args(argv)
    shipped_members(args)

    from tracewire.analyze.techniques import article_view, load_model

    dev = load_part(args.ptc, "dev")
    shipped = evaluate(dev, minilm=False)
    print(f"shipped: SI P={shipped['si_precision']:.4f} R={shipped['si_recall']:.4f} F1={shipped['si_f1']:.4f} "
          f"TC={shipped['tc_micro_f1']:.4f}", flush=True)
    model = load_model(minilm=False)
    gold = {a.id: [(s, e) for s, e, _ in a.spans] for a in dev}
    views = [article_view(a.text, model.lexicon) for a in dev]
    p_lins = [model.token_probs(v) for v in views]
    q_lins = [model.sentence_probs(v, p) for v, p in zip(views, p_lins, strict=True)]
    p_mins, cpu = minilm_rows(args, dev, views, q_lins, args.tag_above)
    if cpu:
        print(f"MiniLM tagging: {cpu:.1f} CPU s for {len(dev)} articles ({cpu / len(dev):.3f} s/article)")
    rows = []
    for v, p_lin, q_lin, p_min in zip(views, p_lins, q_lins, p_mins, strict=True):
        q_min = np.array([p_min[s:t].max() if t > s else 0.0 for s, t in v.sent_tokens])
        rows.append((Prepared(v), p_lin, q_lin, p_min, q_min))
    results = grid(dev, rows, gold, args.gate_mixes, args.tag_above)
    lin_default = results.get((0.0, 0.0, float(model.meta["si_threshold"]), float(model.meta["sent_threshold"])))
    print(f"decoder check, a=b=0 at the shipped thresholds: {lin_default}")
    for key in ((0.5, 0.5, 0.2, 0.3), (0.0, 0.0, 0.15, 0.2)):
        pred = {a.id: decode(r[0], (1 - key[0]) * r[1] + key[0] * r[3], (1 - key[1]) * r[2] + key[1] * r[4],
                             key[2], key[3]) for a, r in zip(dev, rows, strict=True)}
        assert np.allclose(si_scores(pred, gold), results[key]), "the fast grid differs from si_scores"
    for a_mix in MIX:
        for b_mix in args.gate_mixes:
            key, (p, r, f) = max(((k, v) for k, v in results.items() if k[:2] == (a_mix, b_mix)),
                                 key=lambda kv: kv[1][2])
            print(f"a={a_mix:.2f} b={b_mix:.2f}: best thr={key[2]:.2f} gate={key[3]:.2f} "
                  f"SI P={p:.4f} R={r:.4f} F1={f:.4f}", flush=True)
    if args.post:
        cfg0 = json.loads((ROOT / "tracewire" / "models" / "techniques" / "minilm_tagger.json").read_text())
        a0, b0, t0, g0 = (float(cfg0[k]) for k in ("mix", "gate_mix", "si_threshold", "sent_threshold"))
        n_pred = n_fp = n_gold = n_miss = 0
        for a, r in zip(dev, rows, strict=True):
            ps = merge(decode(r[0], (1 - a0) * r[1] + a0 * r[3], (1 - b0) * r[2] + b0 * r[4], t0, g0))
            gs = merge(gold[a.id])
            n_pred += len(ps)
            n_fp += sum(not any(min(e, t) > max(s, u) for u, t in gs) for s, e in ps)
            n_gold += len(gs)
            n_miss += sum(not any(min(e, t) > max(s, u) for s, e in ps) for u, t in gs)
        print(f"shipped setting: {n_fp} of {n_pred} predicted spans overlap no gold span; {n_miss} of {n_gold} "
              f"gold spans overlap no predicted one")
        for how, values in POST:
            for x in values:
                pred = {a.id: post_variants(r[0], (1 - a0) * r[1] + a0 * r[3], (1 - b0) * r[2] + b0 * r[4], t0, g0,
                                            how, x) for a, r in zip(dev, rows, strict=True)}
                p, r, f = si_scores(pred, gold)
                print(f"post-processing {how} {x}: dev SI P={p:.4f} R={r:.4f} F1={f:.4f}", flush=True)
    key, (p, r, f) = max(results.items(), key=lambda kv: kv[1][2])
    print(f"best overall: a={key[0]} b={key[1]} thr={key[2]} gate={key[3]} SI P={p:.4f} R={r:.4f} F1={f:.4f}")
    chosen_on = "the 62 PTC development articles (eval/data/ptc_dev_ids.txt), eval/combine_techniques_tagger.py"
    if args.oof_linear is not None and args.oof_minilm is not None:
        train, t_rows, t_gold = oof_rows(args, model.lexicon)
        t_res = grid(train, t_rows, t_gold, args.gate_mixes)
        for a_mix in MIX:
            for b_mix in args.gate_mixes:
                k2, (tp, tr, tf) = max(((k, v) for k, v in t_res.items() if k[:2] == (a_mix, b_mix)),
                                       key=lambda kv: kv[1][2])
                dp, dr, df = results[k2]
                print(f"TRAIN out-of-fold a={a_mix:.2f} b={b_mix:.2f}: best thr={k2[2]:.2f} gate={k2[3]:.2f} "
                      f"SI F1={tf:.4f} (P {tp:.4f} R {tr:.4f}); dev there F1={df:.4f} (P {dp:.4f} R {dr:.4f})",
                      flush=True)
        key, (tp, tr, tf) = max(t_res.items(), key=lambda kv: kv[1][2])
        p, r, f = results[key]
        print(f"chosen on TRAIN out-of-fold: a={key[0]} b={key[1]} thr={key[2]} gate={key[3]} TRAIN SI F1={tf:.4f} "
              f"(P {tp:.4f} R {tr:.4f}); dev SI P={p:.4f} R={r:.4f} F1={f:.4f}")
        if args.stack:
            for c in (0.1, 1.0):
                q_tr, q_dv = stacked_gates(t_rows, [t_gold[a.id] for a in train], rows, c)
                t_st = grid(train, [(r[0], r[1], q, r[3], q) for r, q in zip(t_rows, q_tr, strict=True)], t_gold, [1.0])
                d_st = grid(dev, [(r[0], r[1], q, r[3], q) for r, q in zip(rows, q_dv, strict=True)], gold, [1.0])
                k2, (sp, sr, sf) = max(t_st.items(), key=lambda kv: kv[1][2])
                k3, (dp, dr, df) = max(d_st.items(), key=lambda kv: kv[1][2])
                print(f"stacked gate C={c}: chosen on TRAIN a={k2[0]} thr={k2[2]} gate={k2[3]} TRAIN SI F1={sf:.4f}; "
                      f"dev there P={d_st[k2][0]:.4f} R={d_st[k2][1]:.4f} F1={d_st[k2][2]:.4f} (best on dev "
                      f"{df:.4f} at a={k3[0]} thr={k3[2]} gate={k3[3]})", flush=True)
        chosen_on = ("5-fold cross-validation on the 235 PTC training articles (out-of-fold linear and MiniLM "
                     "probabilities of eval/oof_techniques_tagger.py), eval/combine_techniques_tagger.py")
    if args.write_config is not None:
        if key[0] == 0.0 and key[1] == 0.0:
            raise SystemExit("the best variant is the linear model alone: no MiniLM tagger to ship")
        cfg = {"mix": key[0], "gate_mix": key[1], "si_threshold": key[2], "sent_threshold": key[3],
               "stride": args.stride,
               **({"per_channel": True} if args.per_channel else {}),
               **({"members": [w.name for w in args.weights]} if args.weights and len(args.weights) > 1 else {}),
               **(shipped_cascade() if args.skip_below is None else {"skip_below": args.skip_below}),
               "chosen_on": chosen_on,
               "dev_si": {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4)}}
        args.write_config.write_text(json.dumps(cfg, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {args.write_config}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
