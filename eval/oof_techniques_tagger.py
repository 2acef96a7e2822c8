"""Experiment (issue 12): out-of-fold probabilities on the 235 PTC training articles, so that the MiniLM
tagger's mix and thresholds can be chosen by cross-validation on TRAIN instead of on the 62 development
articles (``eval/combine_techniques_tagger.py --oof-linear ... --oof-minilm ...``).

    python eval/oof_techniques_tagger.py minilm --folds 2 --epochs 2 \
        --states /tmp/techft/r4/states-l2-w254-s200.pt --out /tmp/si28/oof_minilm.npz
    python eval/oof_techniques_tagger.py linear --out /tmp/si28/oof_linear.npz

``minilm``: for each fold (``--folds 5``: those of ``eval/train_techniques.py``, same seed and article
order; another number: folds of the same shuffled order), the top 4 layers of all-MiniLM-L6-v2 and the
in/out head fine-tuned as the shipped tagger is (``train_techniques_tagger.py --trainable-layers 4``,
``--epochs`` 3 unless given, its defaults otherwise) on the other folds, then the float32 probability of
every word piece of the fold's articles (windows as at run time, a piece's probability the mean over its
windows) with the pieces' character offsets; the file is rewritten after every fold. The frozen bottom
layers' outputs come from the training script's cache (``--states``; computed when absent). With
``--folds 2 --epochs 2`` (the README's figures) 610 CPU seconds in one thread; 5 folds of 3 epochs train
six times as many article-epochs.

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

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from techniques import DEFAULT_PTC, ROOT, load_part  # noqa: E402

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def run_minilm(args: argparse.Namespace) -> None:
    """Out-of-fold MiniLM piece probabilities on TRAIN, fold by fold."""
    import torch
    from train_techniques import folds
    from train_techniques_tagger import (
        SEED,
        bottom_states,
        build_windows,
        doc_probs,
        encode,
        make_top,
        run_top,
    )
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
    n_frozen = 6 - args.trainable_layers
    if args.states is not None and args.states.is_file():
        states = torch.load(args.states)[0]  # (train, dev) as the training script caches them
    else:
        bert0 = BertModel.from_pretrained(mdir, add_pooling_layer=False)
        bert0.eval()
        states = bottom_states(bert0, wins, n_frozen, 16)
    assert len(states) == len(wins), "the cached states are not those of these windows"
    out: dict[str, np.ndarray] = {"ids": np.array([a.id for a in train])}
    t0 = time.process_time()
    order = np.random.default_rng(SEED).permutation(len(train))
    parts = folds(len(train)) if args.folds == 5 else [order[k :: args.folds] for k in range(args.folds)]
    for k, test_idx in enumerate(parts):
        held = set(test_idx.tolist())
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
                y = torch.zeros_like(logits)
                keep = torch.zeros_like(logits, dtype=torch.bool)
                for j, i in enumerate(idx):
                    n = len(wins[i]["y"])
                    y[j, 1 : 1 + n] = torch.from_numpy(wins[i]["y"])
                    keep[j, 1 : 1 + n] = True
                loss = torch.nn.functional.binary_cross_entropy_with_logits(logits[keep], y[keep])
                opt.zero_grad()
                loss.backward()
                torch.nn.utils.clip_grad_norm_(top.parameters(), 1.0)
                opt.step()
                sched.step()
        te = [i for i, w in enumerate(wins) if w["doc"] in held]
        sub = [wins[i] for i in te]
        probs = doc_probs(top, [states[i] for i in te], sub, docs, 16)
        for i in sorted(held):
            out[f"p{i}"] = probs[i]
            out[f"o{i}"] = docs[i]["offs"]
        print(f"fold {k + 1}: {len(held)} articles, {time.process_time() - t0:.0f} CPU s", flush=True)
        np.savez_compressed(args.out, **out)  # after every fold, so that a run cut short keeps what it did
        print(f"wrote {args.out}", flush=True)


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
    ap.add_argument("--states", type=Path, default=None, help="states-l2-w254-s200.pt of train_techniques_tagger.py")
    ap.add_argument("--trainable-layers", type=int, default=4)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--folds", type=int, default=5,
                    help="minilm: 5 uses eval/train_techniques.py's folds; another number, folds of the same "
                         "shuffled order (2: each model sees half the articles, 2.5 times less CPU than 5)")
    args = ap.parse_args(argv)
    if args.what == "minilm":
        run_minilm(args)
    else:
        run_linear(args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
