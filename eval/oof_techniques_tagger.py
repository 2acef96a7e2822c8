"""Experiment (issue 12): out-of-fold probabilities on the 235 PTC training articles, so that the MiniLM
tagger's mix and thresholds can be chosen by cross-validation on TRAIN instead of on the 62 development
articles (``eval/combine_techniques_tagger.py --oof-linear ... --oof-minilm ...``).

    python eval/oof_techniques_tagger.py minilm --folds 2 --epochs 2 --trainable-layers 4 \
        --states /tmp/techft/r4/states-l2-w254-s200.pt --out /tmp/si28/oof_minilm.npz
    python eval/oof_techniques_tagger.py linear --out /tmp/si28/oof_linear.npz

``minilm``: for each tagger of the shipped ensemble (``members`` of ``minilm_tagger.json``: the top 4 and
all 6 layers fine-tuned; ``--trainable-layers 4`` for the single top-4 tagger of the figures below) and each
fold (``--folds 5``: those of ``eval/train_techniques.py``, same seed and article order; another number:
folds of the same shuffled order), the top layers of all-MiniLM-L6-v2 and the in/out head fine-tuned as
that member is (``train_techniques_tagger.py --trainable-layers N``, ``--epochs`` 3 unless given, its
defaults otherwise) on the other folds, then the float32 probability of every word piece of the fold's
articles (windows as at run time, a piece's probability the mean over its windows), averaged over the
taggers as the shipped graph averages them, with the pieces' character offsets; the file is rewritten
after each of the last tagger's folds. The frozen bottom
layers' outputs come from the training script's cache (``--states``; computed when absent). With
``--folds 2 --epochs 2 --trainable-layers 4`` (the README's figures) 610 CPU seconds in one thread; the
shipped pair costs more (its 6-layer tagger fine-tunes every layer; not run here); 5 folds of 3 epochs train six times as many article-epochs.

``linear``: the linear tagger's out-of-fold token probabilities and the sentence gate's out-of-fold
probabilities on them, exactly as ``eval/train_techniques.py`` computes them to pick its thresholds
(C 0.1, gate C 0.3). A few minutes.

Never reads the development or held-out articles.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from techniques import DEFAULT_PTC, ROOT, load_part  # noqa: E402

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def run_minilm(args: argparse.Namespace) -> None:
    """Out-of-fold MiniLM piece probabilities on TRAIN, fold by fold, for each tagger of
    ``--trainable-layers``; the file holds their mean per piece (written after each of the last one's folds)."""
    import torch
    from train_techniques import folds
    from train_techniques_tagger import SEED, bottom_states, build_windows, encode
    from transformers import AutoTokenizer, BertModel

    from tracewire import embeddings
    from tracewire.settings import offline_libraries

    offline_libraries()
    torch.set_num_threads(1)
    mdir = str(embeddings.model_dir())
    tok = AutoTokenizer.from_pretrained(mdir)
    train = load_part(args.ptc, "train")
    docs = encode(tok, train)
    wins = build_windows(docs, 254, 200, tok.cls_token_id, tok.sep_token_id)
    out: dict[str, np.ndarray] = {"ids": np.array([a.id for a in train]),
                                  "trainable_layers": np.array(args.trainable_layers, dtype=np.int64)}
    t0 = time.process_time()
    order = np.random.default_rng(SEED).permutation(len(train))
    parts = folds(len(train)) if args.folds == 5 else [order[k :: args.folds] for k in range(args.folds)]
    sums: dict[int, np.ndarray] = {}
    for m, trainable in enumerate(args.trainable_layers):
        n_frozen = 6 - trainable
        cached = states_file(args.states, n_frozen)
        if cached is not None:
            states = torch.load(cached)[0]  # (train, dev) as the training script caches them
        else:
            bert0 = BertModel.from_pretrained(mdir, add_pooling_layer=False)
            bert0.eval()
            states = bottom_states(bert0, wins, n_frozen, 16)
        assert len(states) == len(wins), "the cached states are not those of these windows"
        for k, test_idx in enumerate(parts):
            held = set(test_idx.tolist())
            probs = fold_probs(args, mdir, states, wins, docs, held, n_frozen)
            for i in sorted(held):
                sums[i] = probs[i] if m == 0 else sums[i] + probs[i]
                if m == len(args.trainable_layers) - 1:
                    out[f"p{i}"] = sums[i] / len(args.trainable_layers)  # the members' mean per piece
                    out[f"o{i}"] = docs[i]["offs"]
            print(f"tagger {m + 1} ({trainable} layers fine-tuned), fold {k + 1}: {len(held)} articles, "
                  f"{time.process_time() - t0:.0f} CPU s", flush=True)
            if m == len(args.trainable_layers) - 1:
                np.savez_compressed(args.out, **out)  # after every last-member fold: a run cut short keeps those
                print(f"wrote {args.out}", flush=True)


def states_file(states: Path | None, n_frozen: int) -> Path | None:
    """The cached bottom states (``train_techniques_tagger.py``'s ``states-l{n_frozen}-...pt``) for a tagger
    with ``n_frozen`` frozen layers: ``states`` itself when it is such a file, the matching file in it when it
    is a folder; None when there is none (they are then computed)."""
    if states is None:
        return None
    if states.is_dir():
        found = sorted(states.glob(f"states-l{n_frozen}-w254-s200.pt"))
        return found[0] if found else None
    return states if states.is_file() and states.name.startswith(f"states-l{n_frozen}-") else None


def fold_probs(args: argparse.Namespace, mdir: str, states: list[Any], wins: list[dict], docs: list[dict],
               held: set[int], n_frozen: int) -> list[np.ndarray]:
    """One tagger (layers ``n_frozen``.. and the head) fine-tuned on the windows of the articles not ``held``,
    as ``train_techniques_tagger.py`` trains it; its per-piece probabilities of every article (read for
    ``held``)."""
    import torch
    from train_techniques_tagger import SEED, doc_probs, make_top, run_top, window_targets
    from transformers import BertModel

    torch.manual_seed(SEED)
    bert = BertModel.from_pretrained(mdir, add_pooling_layer=False)  # fresh layers for every fold
    bert.eval()
    top = make_top(bert, n_frozen)
    for p in bert.parameters():
        p.requires_grad_(False)
    for p in top.parameters():
        p.requires_grad_(True)
    tr = [i for i, w in enumerate(wins) if w["doc"] not in held]
    opt = torch.optim.AdamW([
        {"params": [p for n, p in top.named_parameters() if not n.startswith("head")], "lr": 1e-4},
        {"params": top.head.parameters(), "lr": 1e-3},
    ], weight_decay=0.01)
    batch = 8
    steps = max(1, args.epochs * ((len(tr) + batch - 1) // batch))
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s, n=steps: min(1.0, (s + 1) / 100) * max(0.0, 1 - s / n))
    rng = np.random.default_rng(SEED)
    for _ in range(args.epochs):
        top.train()
        order = rng.permutation(len(tr))
        for b in range(0, len(order), batch):
            idx = [tr[int(i)] for i in order[b : b + batch]]
            logits, _ = run_top(top, states, idx)
            y, keep = window_targets(logits, wins, idx)
            loss = torch.nn.functional.binary_cross_entropy_with_logits(logits[keep], y[keep])
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(top.parameters(), 1.0)
            opt.step()
            sched.step()
    te = [i for i, w in enumerate(wins) if w["doc"] in held]
    probs: list[np.ndarray] = doc_probs(top, [states[i] for i in te], [wins[i] for i in te], docs, 16)
    return probs


def shipped_trainable_layers() -> list[int]:
    """Per tagger of the shipped ``members`` (``minilm_tagger.json``), how many top layers it fine-tuned."""
    from tracewire.analyze.techniques_minilm import files, load_weights, member_files, shipped_config

    return [6 - int(load_weights(files(name)[0])["n_frozen"]) for name in member_files(shipped_config())]


def run_linear(args: argparse.Namespace) -> None:
    """Out-of-fold linear tagger and gate probabilities on TRAIN, as eval/train_techniques.py computes them."""
    from train_techniques import HASHER, SENT_C, fit_gate, fit_si, folds, sentence_labels, token_labels

    from tracewire.analyze.techniques import (
        Lexicon,
        article_view,
        pack_files,
        sentence_features,
        tagger_features,
        word_clusters,
    )

    assert SENT_C == 0.3
    train = load_part(args.ptc, "train")
    lexicon = Lexicon.from_files(pack_files())
    views = [article_view(a.text, lexicon) for a in train]
    clusters = word_clusters()
    xs = [HASHER.transform(tagger_features(v, clusters)) for v in views]
    ys = [token_labels(v, a) for v, a in zip(views, train, strict=True)]
    sent_ys = [sentence_labels(v, a) for v, a in zip(views, train, strict=True)]
    fl = folds(len(train))
    oof: list[np.ndarray] = [np.zeros(0)] * len(train)
    for test_idx in fl:
        held = set(test_idx.tolist())
        clf = fit_si(xs, ys, [i for i in range(len(train)) if i not in held], 0.1)
        for i in test_idx:
            oof[i] = clf.predict_proba(xs[i])[:, 1]
    sxs = [HASHER.transform(sentence_features(v, p.tolist(), clusters)) for v, p in zip(views, oof, strict=True)]
    gates: list[np.ndarray] = [np.zeros(0)] * len(train)
    for test_idx in fl:
        held = set(test_idx.tolist())
        gate_clf = fit_gate(sxs, sent_ys, [i for i in range(len(train)) if i not in held])
        for i in test_idx:
            gates[i] = gate_clf.predict_proba(sxs[i])[:, 1]
    np.savez_compressed(args.out, ids=np.array([a.id for a in train]),
                        **{f"p{i}": p for i, p in enumerate(oof)}, **{f"q{i}": q for i, q in enumerate(gates)})
    print(f"wrote {args.out}")


def main(argv: Sequence[str] | None = None) -> int:
    """Write out-of-fold probabilities of the MiniLM or the linear tagger on the training articles."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("what", choices=("minilm", "linear"))
    ap.add_argument("--ptc", type=Path, default=DEFAULT_PTC)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--states", type=Path, default=None,
                    help="states-l2-w254-s200.pt of train_techniques_tagger.py (used for taggers with 2 frozen "
                         "layers), or its --out folder (each tagger's states-l{frozen}-w254-s200.pt there)")
    ap.add_argument("--trainable-layers", type=int, nargs="+", default=None,
                    help="minilm: per tagger, the top layers fine-tuned; the probabilities are their mean per "
                         "piece (default: those of the shipped members of minilm_tagger.json, 4 and 6)")
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--folds", type=int, default=5,
                    help="minilm: 5 uses eval/train_techniques.py's folds; another number, folds of the same "
                         "shuffled order (2: each model sees half the articles, 2.5 times less CPU than 5)")
    args = ap.parse_args(argv)
    if args.trainable_layers is None:
        args.trainable_layers = shipped_trainable_layers()
    if args.what == "minilm":
        run_minilm(args)
    else:
        run_linear(args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
