"""Issue 12 (acceptance 4): a MiniLM span classifier for techniques classification (TC), trained on PTC train only.

    python eval/train_techniques_tc.py [--ptc ../shared/data/ptc] [--out /tmp/tc28] [--depth 6]
        [--trainable-layers 4] [--epochs 4] [--context none|sentence] [--folds 0] [--mix-from dev|train-cv]
        [--export tracewire/models/techniques/minilm_classifier.npz]
        [--config tracewire/models/techniques/minilm_classifier.json]

The shipped classifier (``tracewire/analyze/techniques_tc_minilm.py``) is rebuilt with

    python eval/train_techniques_tc.py --out /tmp/tc28 --depth 4 --trainable-layers 4 --epochs 5 --folds 3 \
        --mix-from train-cv --export tracewire/models/techniques/minilm_classifier.npz \
        --config tracewire/models/techniques/minilm_classifier.json

``--epochs 0`` measures (and exports) the checkpoint an earlier run left in ``--out`` (the shipped files
were written so, from the run of the command above without ``--folds``/``--export``).

all-MiniLM-L6-v2 (``tracewire.embeddings.model_dir()``), cut to its bottom ``--depth`` layers, reads
``[CLS] span [SEP]`` (``--context sentence``: then the span's sentences as a second segment) and a linear
head over [CLS] and the mean of the span's pieces gives 14 logits (the run time builds the same inputs).
The embeddings and the bottom ``depth - k`` layers stay frozen (the base model's). One example per gold
(span, technique) of the 235 training articles; cross-entropy, AdamW, linear warm-up and decay; seed 13,
one thread, fixed order.

After every epoch it prints the development TC micro-F1 (eval/techniques.py's measure, the 62 development
articles, never the 74 held-out ones) of the classifier alone and mixed with the shipped linear classifier,
``(1 - w) p_linear + w p_minilm``, for w in 0, 0.05, ..., 1, with the temperature that minimises the
development log-loss, and keeps the epoch whose mix scores best. ``--folds k`` also trains k models (as
many epochs as the kept one) on k - 1 folds of the training articles each (folds drawn as
eval/train_techniques.py draws its five) and the linear classifier the same way (its C and temperature),
and prints the mix weight and temperature that cross-validation on TRAIN picks, with their development
figure; ``--mix-from train-cv`` writes those to ``--config``.

``--none-from CACHE`` (the candidates cache of ``eval/techniques_none_filter.py``) adds a 15th output, ``none``,
trained on the training candidates of the tagger pipeline (out-of-fold tagger probabilities) that overlap no
gold span; ``--none-positives`` also adds the candidates that overlap gold spans, labelled with the technique of
the gold span they overlap most. After every epoch it then also prints the development SI of dropping the
development candidates whose P(none) (softmax over the 15 logits) exceeds a threshold, at the best threshold
(chosen on dev, optimistic), and the ROC AUC of -P(none) against "overlaps gold"; the TC figures read the 14
techniques' logits only. ``--folds`` does not take it.

``--export`` writes the kept epoch's fine-tuned layers and head in float16 with fixed zip entries and, with
``--config``, the settings file (mix weight, temperature, context) the run time reads.

Figures (2026-11-29, one thread on the shared two-core machine; development TC micro-F1, float32 torch;
the linear classifier alone 0.5612; "mix" at the weight and temperature chosen on dev):

- ``--depth 6 --trainable-layers 4 --epochs 5`` (top 4 of 6 layers, 50 CPU s an epoch): alone / mix after
  epochs 1-5: 0.544 / 0.571, 0.583 / 0.617, 0.608 / 0.612, 0.611 / 0.615, 0.608 / 0.625 (w 0.65). Its int8
  ONNX export (per-tensor scales, one span a run) in ``eval/techniques.py --split dev``: TC 0.6013, 4.4
  articles per CPU second on the loaded machine; per-channel int8 scales 0.617 in the mix, float32 ONNX
  0.625 but three times slower.
- ``--depth 4 --trainable-layers 4 --epochs 5`` (shipped: a third cheaper, 42 CPU s an epoch): 0.536 /
  0.574, 0.603 / 0.615, 0.599 / 0.618, 0.609 / 0.624 (w 0.75, temperature 1.76), 0.607 / 0.623; epoch 4 kept.
  ``--folds 3`` (4 epochs a fold, 15 wall minutes): out of fold on TRAIN linear alone 0.5652, MiniLM alone
  0.6158, mixed 0.6277 at w 0.7, temperature 1.529 (shipped); dev at those 0.6224. Int8 per-channel export
  in ``eval/techniques.py --split dev``: TC **0.6195** (SI unchanged, 0.4259); 4.3 articles per CPU second
  against 4.6 without the classifier, one run after the other on the loaded machine (load 4.5).
- ``--none-from /tmp/si29/none_feats.npz`` (a 15th output, none, on the 1,692 training candidates that overlap
  no gold span; branch si29): after epoch 1 dev AUC of P(none) 0.473, no threshold improves SI (0.4259), TC
  mix 0.586; stopped there. Negatives are sentence-long candidates and positives short gold spans, so none
  learns the length, not the technique.
- ``--depth 4 --trainable-layers 4 --epochs 4 --none-from /tmp/si29/none_feats.npz --none-positives`` (all
  3,483 training candidates, those overlapping gold labelled with its technique; 2.5 times the pieces, 110 CPU s
  an epoch): after epochs 1-4, dev AUC of -P(none) 0.550 / 0.559 / 0.589 / 0.586, dev SI at the best
  threshold (chosen on dev) 0.4268 / 0.4275 / 0.4261 / 0.4259 (0.4259 without the filter), TC alone / mix
  0.549 / 0.583, 0.573 / 0.601, 0.584 / 0.619, 0.572 / 0.619 (the shipped classifier: 0.609 / 0.624 after
  epoch 4). Not exported.
- ``--context sentence`` (the span's sentences as a second segment) quadruples the word pieces (179,313
  instead of 45,833 an epoch) and the run-time cost; stopped before its first epoch for lack of time.
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
from techniques import DEFAULT_PTC, ROOT, Article, load_part, tc_micro_f1, token_span  # noqa: E402

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tracewire import embeddings  # noqa: E402
from tracewire.analyze import techniques_tc_minilm as tcm  # noqa: E402
from tracewire.analyze.techniques import LABELS  # noqa: E402
from tracewire.settings import offline_libraries  # noqa: E402

SEED = 13
FOLDS_SEED = 13  # eval/train_techniques.py's folds
MIXES = tuple(round(x, 2) for x in np.arange(0.0, 1.001, 0.05))


def examples(tok: Any, arts: Sequence[Article], context: str, cls: int, sep: int) -> tuple[list[dict], list]:
    """One record per gold (span, technique) and the (article, start, end) key of each."""
    out, keys = [], []
    for a in arts:
        for s, e, tech in a.spans:
            ids, types, n = tcm.span_inputs(tok, a.text, s, e, context, cls, sep)
            out.append({"ids": ids, "types": types, "n": n, "y": LABELS.index(tech)})
            keys.append((a.id, s, e))
    return out, keys


def unique_keys(arts: Sequence[Article]) -> tuple[list[tuple[str, int, int]], dict[tuple[str, int, int], list[str]]]:
    """Gold span keys in order and their gold technique lists."""
    gold: dict[tuple[str, int, int], list[str]] = {}
    for a in arts:
        for s, e, tech in a.spans:
            gold.setdefault((a.id, s, e), []).append(tech)
    return list(gold), gold


def n_labels(args: argparse.Namespace) -> int:
    """Outputs of the head: the 14 techniques, and ``none`` with ``--none-from``."""
    return len(LABELS) + (1 if getattr(args, "none_from", None) is not None else 0)


def none_rows(tok: Any, arts: Sequence[Article], cache: Any, part: str, context: str, cls: int, sep: int,
              negatives_only: bool) -> tuple[list[dict], np.ndarray]:
    """Candidate spans of ``part`` from eval/techniques_none_filter.py's cache as examples of class 14
    (``none``), only those that overlap no gold span when ``negatives_only``; and their indices there."""
    art, char, ps = cache[f"{part}.art"], cache[f"{part}.char"], cache[f"{part}.ps"]
    idx = np.flatnonzero(ps == 0) if negatives_only else np.arange(len(ps))
    out = []
    for k in idx.tolist():
        a, (s, e) = arts[int(art[k])], (int(char[k][0]), int(char[k][1]))
        ids, types, n = tcm.span_inputs(tok, a.text, s, e, context, cls, sep)
        # the technique of the gold span it overlaps most (none when it overlaps none)
        over = [(min(e, ge) - max(s, gs), LABELS.index(tech)) for gs, ge, tech in a.spans]
        y = max(over)[1] if over and max(over)[0] > 0 else len(LABELS)
        out.append({"ids": ids, "types": types, "n": n, "y": y})
    return out, idx


def none_si(cache: Any, p_none: np.ndarray) -> tuple[float, float, float, float]:
    """Best development SI (P, R, F1) over thresholds on P(none) (candidates with P(none) above it dropped)
    and the threshold."""
    ps, pr, n_gold = cache["dev.ps"], cache["dev.pr"], int(cache["dev.n_gold"])
    best = (0.0, 0.0, -1.0, 1.0)
    for thr in [round(0.05 * k, 2) for k in range(1, 21)]:
        kept = p_none <= thr
        n = int(kept.sum())
        p = float(ps[kept].sum()) / n if n else 0.0
        r = float(pr[kept].sum()) / n_gold
        f = 2 * p * r / (p + r) if p + r else 0.0
        if f > best[2] + 1e-9:
            best = (p, r, f, thr)
    return best


def batch_tensors(rows: Sequence[dict]) -> tuple[Any, Any, Any, Any]:
    """Padded ids, types, attention mask and span mask of ``rows``."""
    import torch

    n = max(len(r["ids"]) for r in rows)
    ids = torch.zeros(len(rows), n, dtype=torch.long)
    types = torch.zeros(len(rows), n, dtype=torch.long)
    att = torch.zeros(len(rows), n, dtype=torch.long)
    span = torch.zeros(len(rows), n)
    for i, r in enumerate(rows):
        k = len(r["ids"])
        ids[i, :k] = torch.from_numpy(r["ids"])
        types[i, :k] = torch.from_numpy(r["types"])
        att[i, :k] = 1
        span[i, 1 : 1 + r["n"]] = 1.0
    return ids, types, att, span


class Model:
    """Frozen embeddings and bottom layers, trainable top layers and head (``n_labels`` outputs: the 14
    techniques, and with ``--none-from`` a 15th, ``none``)."""

    def __init__(self, n_trainable: int, depth: int = 6, n_labels: int = len(LABELS)) -> None:
        import torch
        from transformers import BertModel

        self.bert: Any = BertModel.from_pretrained(str(embeddings.model_dir()), add_pooling_layer=False)
        self.bert.set_attn_implementation("eager")
        self.bert.encoder.layer = self.bert.encoder.layer[:depth]  # the base's bottom ``depth`` layers only
        self.n_frozen = depth - n_trainable
        self.layers = torch.nn.ModuleList(self.bert.encoder.layer[self.n_frozen:])
        self.head = tcm.make_head(self.bert.config.hidden_size, n_labels)
        for p in self.bert.parameters():
            p.requires_grad_(False)
        for p in list(self.layers.parameters()) + list(self.head.parameters()):
            p.requires_grad_(True)

    def train(self, on: bool) -> None:
        """Dropout on in the trainable parts only."""
        self.bert.eval()
        self.layers.train(on)
        self.head.train(on)

    def logits(self, rows: Sequence[dict]) -> Any:
        """Logits (batch, 14) of ``rows``."""
        import torch

        ids, types, att, span = batch_tensors(rows)
        ext = (1.0 - att[:, None, None, :].float()) * torch.finfo(torch.float32).min
        with torch.no_grad():
            h = self.bert.embeddings(input_ids=ids, token_type_ids=types)
            for layer in self.bert.encoder.layer[: self.n_frozen]:
                out = layer(h, attention_mask=ext)
                h = out[0] if isinstance(out, tuple) else out
        for layer in self.layers:
            out = layer(h, attention_mask=ext)
            h = out[0] if isinstance(out, tuple) else out
        return self.head(h, span)

    def state(self) -> dict[str, Any]:
        """Trainable weights by export name."""
        out = {f"layers.{k}": v for k, v in self.layers.state_dict().items()}
        out.update({f"head.{k}": v for k, v in self.head.state_dict().items()})
        return out

    def load(self, state: dict[str, Any]) -> None:
        """Load ``state`` (as ``state`` returns it)."""
        self.layers.load_state_dict({k[7:]: v for k, v in state.items() if k.startswith("layers.")})
        self.head.load_state_dict({k[5:]: v for k, v in state.items() if k.startswith("head.")})


def predict(model: Model, rows: Sequence[dict], batch: int = 32) -> np.ndarray:
    """Logits of ``rows`` (eval mode, batches of similar length)."""
    import torch

    model.train(False)
    order = sorted(range(len(rows)), key=lambda i: len(rows[i]["ids"]))
    out = np.zeros((len(rows), int(model.head.out.out_features)))
    with torch.no_grad():
        for k in range(0, len(order), batch):
            idx = order[k : k + batch]
            out[idx] = model.logits([rows[i] for i in idx]).numpy()
    return out


def fit(rows: list[dict], epochs: int, args: argparse.Namespace, on_epoch: Any = None) -> Model:
    """Train a fresh model on ``rows``; ``on_epoch(epoch, model)`` after each epoch."""
    import torch

    torch.manual_seed(SEED)
    model = Model(args.trainable_layers, args.depth, n_labels(args))
    params = [{"params": list(model.layers.parameters()), "lr": args.lr},
              {"params": list(model.head.parameters()), "lr": args.head_lr}]
    opt = torch.optim.AdamW(params, weight_decay=0.01)
    per_epoch = (len(rows) + args.batch - 1) // args.batch
    steps = max(1, epochs * per_epoch)
    warm = max(1, int(0.1 * steps))
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda k: min(1.0, (k + 1) / warm) * max(0.0, 1 - k / steps))
    rng = np.random.default_rng(SEED)
    for ep in range(1, epochs + 1):
        model.train(True)
        perm = rng.permutation(len(rows))
        # batches of similar length: chunks of 50 batches sorted by length, then the batches shuffled
        chunk = args.batch * 50
        batches = []
        for c in range(0, len(perm), chunk):
            part = sorted(perm[c : c + chunk].tolist(), key=lambda i: len(rows[i]["ids"]))
            batches += [part[k : k + args.batch] for k in range(0, len(part), args.batch)]
        loss_sum = 0.0
        for b in rng.permutation(len(batches)).tolist():
            idx = batches[b]
            logits = model.logits([rows[i] for i in idx])
            y = torch.tensor([rows[i]["y"] for i in idx])
            loss = torch.nn.functional.cross_entropy(logits, y)
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_([p for g in params for p in g["params"]], 1.0)
            opt.step()
            sched.step()
            loss_sum += float(loss.detach()) * len(idx)
        if on_epoch is not None:
            on_epoch(ep, model, loss_sum / len(rows))
    return model


def softmax(z: np.ndarray) -> np.ndarray:
    """Row softmax."""
    z = z - z.max(1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(1, keepdims=True)


def fit_temperature(logits: np.ndarray, y: np.ndarray) -> float:
    """Temperature minimising the log-loss of ``logits`` against labels ``y``."""
    from scipy.optimize import minimize_scalar

    def nll(t: float) -> float:
        p = softmax(logits / t)
        return float(-np.log(p[np.arange(len(y)), y] + 1e-12).mean())

    return float(minimize_scalar(nll, bounds=(0.2, 5.0), method="bounded").x)


def micro_f1(keys: Sequence[tuple[str, int, int]], probs: np.ndarray, gold: dict) -> float:
    """eval/techniques.py's TC micro-F1 of ranked predictions (one row of ``probs`` per key)."""
    pred = {k: [LABELS[j] for j in np.argsort(-row, kind="stable")] for k, row in zip(keys, probs, strict=True)}
    return tc_micro_f1(pred, gold)


def linear_probs(arts: Sequence[Article], keys: Sequence[tuple[str, int, int]]) -> np.ndarray:
    """The shipped linear classifier's probabilities for the gold span keys (as eval/techniques.py computes them)."""
    from tracewire.analyze.techniques import article_view, load_model

    model = load_model(minilm=False)
    by_art: dict[str, list[int]] = {}
    for i, (aid, _, _) in enumerate(keys):
        by_art.setdefault(aid, []).append(i)
    out = np.zeros((len(keys), len(LABELS)))
    for a in arts:
        idx = by_art.get(a.id, [])
        if not idx:
            continue
        v = article_view(a.text, model.lexicon)
        spans = [token_span(v.toks, keys[i][1], keys[i][2]) or (0, 0) for i in idx]
        out[idx] = model.classify(v, spans)
    return out


def linear_oof(train: Sequence[Article], fold_of_art: dict[str, int], keys: Sequence, k: int) -> np.ndarray:
    """Out-of-fold probabilities of the linear classifier on the training spans ``keys`` (eval/train_techniques.py's
    features, C and temperature)."""
    from sklearn.feature_extraction import FeatureHasher
    from sklearn.linear_model import LogisticRegression

    from tracewire.analyze.techniques import (
        N_FEATURES,
        Lexicon,
        article_view,
        load_model,
        pack_files,
        span_features,
    )

    meta = load_model(minilm=False).meta
    hasher = FeatureHasher(n_features=N_FEATURES, input_type="string", alternate_sign=False)
    lex = Lexicon.from_files(pack_files())
    views = {a.id: article_view(a.text, lex) for a in train}
    rows, ys, fo = [], [], []
    for a in train:
        v = views[a.id]
        for s, e, tech in a.spans:
            ts = token_span(v.toks, s, e)
            rows.append(span_features(v, *ts) if ts else [])
            ys.append(LABELS.index(tech))
            fo.append(fold_of_art[a.id])
    x, y, fo_a = hasher.transform(rows), np.array(ys), np.array(fo)
    key_rows = [[] for _ in keys]  # type: list[list[str]]
    index = {kk: i for i, kk in enumerate(keys)}
    for a in train:
        v = views[a.id]
        for s, e, _ in a.spans:
            i = index[(a.id, s, e)]
            if not key_rows[i]:
                ts = token_span(v.toks, s, e)
                key_rows[i] = span_features(v, *ts) if ts else []
    xk = hasher.transform(key_rows)
    kf = np.array([fold_of_art[kk[0]] for kk in keys])
    out = np.zeros((len(keys), len(LABELS)))
    for f in range(k):
        clf = LogisticRegression(C=float(meta["tc_c"]), max_iter=2000).fit(x[fo_a != f], y[fo_a != f])
        z = np.zeros((int((kf == f).sum()), len(LABELS)))
        z[:, clf.classes_] = clf.decision_function(xk[kf == f])
        out[kf == f] = softmax(z / float(meta["temperature"]))
    return out


def export_weights(model: Model, path: Path) -> int:
    """Write the fine-tuned layers and head in float16, as the tagger's export is written."""
    from train_techniques_tagger import write_float16_npz

    return write_float16_npz(model.n_frozen, model.state(), path)


def best_mix(keys: Sequence, lin: np.ndarray, logits: np.ndarray, temp: float, gold: dict) -> tuple[float, float]:
    """(F1, w) of the best mix weight on these keys (ties: the smaller w)."""
    p = softmax(logits / temp)
    best = (-1.0, 0.0)
    for w in MIXES:
        f = micro_f1(keys, (1 - w) * lin + w * p, gold)
        if f > best[0] + 1e-12:
            best = (f, w)
    return best


def main(argv: Sequence[str] | None = None) -> int:
    """Train, print development figures per epoch, optionally cross-validate the mix on TRAIN and export."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ptc", type=Path, default=DEFAULT_PTC)
    ap.add_argument("--out", type=Path, default=Path("/tmp/tc28"))
    ap.add_argument("--trainable-layers", type=int, default=4)
    ap.add_argument("--depth", type=int, default=6, help="use the base model's bottom N layers only (6: all)")
    ap.add_argument("--epochs", type=int, default=4)
    ap.add_argument("--lr", type=float, default=1e-4)
    ap.add_argument("--head-lr", type=float, default=1e-3)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--context", choices=("none", "sentence"), default="none")
    ap.add_argument("--limit", type=int, default=0, help="train on the first N examples only (timing)")
    ap.add_argument("--folds", type=int, default=0, help="also cross-validate the mix weight on TRAIN with k folds")
    ap.add_argument("--export", type=Path, default=None, help="write the best epoch's weights here (float16 npz)")
    ap.add_argument("--config", type=Path, default=None, help="with --export: write the settings file here")
    ap.add_argument("--mix-from", choices=("dev", "train-cv"), default="dev",
                    help="which choice of mix weight and temperature --config writes")
    ap.add_argument("--none-from", type=Path, default=None,
                    help="eval/techniques_none_filter.py's cache: train a 15th class, none, on the training "
                         "candidates that overlap no gold span, and print the development SI of dropping "
                         "candidates by P(none) after every epoch")
    ap.add_argument("--none-positives", action="store_true",
                    help="with --none-from: also the training candidates that overlap gold spans, labelled with "
                         "the technique of the gold span they overlap most (so that none learns candidate from "
                         "candidate, not candidate from gold span)")
    args = ap.parse_args(argv)
    if args.none_from is not None and args.folds:
        ap.error("--folds does not take the none class (--none-from)")

    offline_libraries()
    import torch
    from tokenizers import Tokenizer

    torch.set_num_threads(1)
    args.out.mkdir(parents=True, exist_ok=True)
    tok = Tokenizer.from_file(str(embeddings.model_dir() / "tokenizer.json"))
    tok.no_padding()
    tok.no_truncation()
    cls, sep = int(tok.token_to_id("[CLS]")), int(tok.token_to_id("[SEP]"))
    train, dev = load_part(args.ptc, "train"), load_part(args.ptc, "dev")
    rows, _ = examples(tok, train, args.context, cls, sep)
    if args.limit:
        rows = rows[: args.limit]
    cache = None
    if args.none_from is not None:
        cache = np.load(args.none_from)
        neg, _ = none_rows(tok, train, cache, "train", args.context, cls, sep, not args.none_positives)
        cand, _ = none_rows(tok, dev, cache, "dev", args.context, cls, sep, False)
        print(f"none: {len(neg)} training candidates ({sum(r['y'] == len(LABELS) for r in neg)} none); "
              f"{len(cand)} development candidates", flush=True)
        rows = rows + neg
    dkeys, dgold = unique_keys(dev)
    drows = []
    by_key = {(a.id, s, e): a for a in dev for s, e, _ in a.spans}
    for aid, s, e in dkeys:
        ids, types, n = tcm.span_inputs(tok, by_key[(aid, s, e)].text, s, e, args.context, cls, sep)
        drows.append({"ids": ids, "types": types, "n": n})
    dy = np.array([LABELS.index(dgold[k][0]) for k in dkeys])
    lin = linear_probs(dev, dkeys)
    print(f"train: {len(rows)} examples, {sum(len(r['ids']) for r in rows)} pieces; dev: {len(dkeys)} spans; "
          f"linear alone on dev: TC micro-F1 {micro_f1(dkeys, lin, dgold):.4f}", flush=True)

    best: dict[str, Any] = {"f1": -1.0}
    t0, c0 = time.perf_counter(), time.process_time()

    def on_epoch(ep: int, model: Model, loss: float) -> None:
        logits = predict(model, drows)
        extra = {}
        if cache is not None:
            full = predict(model, cand)
            p_none = softmax(full)[:, len(LABELS)]
            p, r, f_si, thr = none_si(cache, p_none)
            from sklearn.metrics import roc_auc_score

            auc = roc_auc_score((cache["dev.ps"] > 0).astype(int), -p_none)
            extra = {"dev_si": [round(p, 4), round(r, 4), round(f_si, 4)], "none_thr": thr, "none_auc": round(auc, 4)}
            np.save(args.out / f"dev_pnone_e{ep}.npy", p_none)
            logits = logits[:, : len(LABELS)]
        temp = fit_temperature(logits, dy)
        alone = micro_f1(dkeys, logits, dgold)
        f, w = best_mix(dkeys, lin, logits, temp, dgold)
        row = {"epoch": ep, "loss": round(loss, 4), "dev_alone": round(alone, 4), "dev_mix": round(f, 4), "w": w,
               "temperature": round(temp, 3), "wall_s": round(time.perf_counter() - t0),
               "cpu_s": round(time.process_time() - c0), **extra}
        print(json.dumps(row), flush=True)
        if f > best["f1"]:
            best.update(f1=f, w=w, temperature=temp, epoch=ep, alone=alone, logits=logits)
            if args.epochs:
                torch.save(model.state(), args.out / "best.pt")
                (args.out / "best.json").write_text(json.dumps({"epoch": ep}))

    if args.epochs:
        fit(rows, args.epochs, args, on_epoch)
    else:  # the checkpoint of an earlier run in --out: measure it again (and export it)
        saved = torch.load(args.out / "best.pt")
        model0 = Model(args.trainable_layers, args.depth, n_labels(args))
        model0.load(saved)
        on_epoch(int(json.loads((args.out / "best.json").read_text())["epoch"]), model0, float("nan"))
    print(f"best dev: epoch {best['epoch']}, alone {best['alone']:.4f}, mixed {best['f1']:.4f} at w={best['w']} "
          f"(temperature {best['temperature']:.3f})", flush=True)
    np.savez_compressed(args.out / "dev_logits.npz", logits=best["logits"], lin=lin)
    chosen = {"mix": best["w"], "temperature": round(best["temperature"], 4), "chosen_on": "dev"}

    if args.folds:
        tkeys, tgold = unique_keys(train)
        order = np.random.default_rng(FOLDS_SEED).permutation(len(train))
        fold_of = {train[int(i)].id: k for k in range(args.folds) for i in order[k :: args.folds]}
        tlogits = np.zeros((len(tkeys), len(LABELS)))
        by_tkey = {(a.id, s, e): a for a in train for s, e, _ in a.spans}
        trows = []
        for aid, s, e in tkeys:
            ids, types, n = tcm.span_inputs(tok, by_tkey[(aid, s, e)].text, s, e, args.context, cls, sep)
            trows.append({"ids": ids, "types": types, "n": n})
        row_fold = [fold_of[a.id] for a in train for _ in a.spans]
        for f in range(args.folds):
            part = [r for r, fo in zip(rows, row_fold, strict=True) if fo != f]
            m = fit(part, best["epoch"], args)
            idx = [i for i, kk in enumerate(tkeys) if fold_of[kk[0]] == f]
            tlogits[idx] = predict(m, [trows[i] for i in idx])
            print(f"  fold {f}: {len(part)} examples, {time.perf_counter() - t0:.0f} s", flush=True)
        ty = np.array([LABELS.index(tgold[k][0]) for k in tkeys])
        ttemp = fit_temperature(tlogits, ty)
        tlin = linear_oof(train, fold_of, tkeys, args.folds)
        cv_f, cv_w = best_mix(tkeys, tlin, tlogits, ttemp, tgold)
        dev_at = micro_f1(dkeys, (1 - cv_w) * lin + cv_w * softmax(best["logits"] / ttemp), dgold)
        print(f"TRAIN {args.folds}-fold: linear alone {micro_f1(tkeys, tlin, tgold):.4f}, MiniLM alone "
              f"{micro_f1(tkeys, tlogits, tgold):.4f}, mixed {cv_f:.4f} at w={cv_w} (temperature {ttemp:.3f}); "
              f"dev at that w and temperature: {dev_at:.4f}", flush=True)
        if args.mix_from == "train-cv":
            chosen = {"mix": cv_w, "temperature": round(ttemp, 4), "chosen_on": f"TRAIN {args.folds}-fold"}

    if args.export is not None:
        model = Model(args.trainable_layers, args.depth, n_labels(args))
        model.load(torch.load(args.out / "best.pt"))
        size = export_weights(model, args.export)
        print(f"wrote {args.export}: {size / 1e6:.1f} MB (float16 top layers and head)", flush=True)
        if args.config is not None:
            cfg = {"mix": chosen["mix"], "temperature": chosen["temperature"], "context": args.context,
                   "chosen_on": chosen["chosen_on"], "epochs": best["epoch"],
                   "trainable_layers": args.trainable_layers, "depth": args.depth}
            args.config.write_text(json.dumps(cfg, indent=2) + "\n", encoding="utf-8")
            print(f"wrote {args.config}: {cfg}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
