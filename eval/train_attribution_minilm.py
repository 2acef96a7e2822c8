"""Experiment (issue 12): all-MiniLM-L6-v2 fine-tuned as a PolNeAR cue/source tagger, alone and with the CRF.

    python eval/train_attribution_minilm.py train [--out /tmp/attrft] [--epochs 2] [--max-pieces 360000]
    python eval/train_attribution_minilm.py combine [--out /tmp/attrft] [--cache DIR]
    python eval/train_attribution_minilm.py cost [--out /tmp/attrft] [--cache DIR]
    python eval/train_attribution_minilm.py train --init DIR/model-ep2.pt --epochs 1 [--drawn-share 0.25] [--loss-weights 1 1 0.5]
    python eval/train_attribution_minilm.py average --average A.pt B.pt --epoch K --out DIR
    python eval/train_attribution_minilm.py combine --roles "cue=0.6,bb=0.2" ... --roles-only [--pool mean]
    python eval/train_attribution_minilm.py train --folds 2 --fold K --epochs 1 --max-pieces 300000 --out DIR/foldK
    python eval/train_attribution_minilm.py train --seed 13 --max-pieces 600000 --out DIR
    python eval/train_attribution_minilm.py train --window 254 --batch 8 --max-pieces 500000 --out DIR
    python eval/train_attribution_minilm.py combine --epoch 2 --ensemble DIR/dev-ep2.npz ... [--ens-share 0.3 0.5 0.7]

``train``: the whole model (all six layers, the offline copy ``tracewire.embeddings.model_dir()``
names) with a linear head per word piece: cue O/B/I, source O/B/I and content O/I (three softmaxes,
summed cross entropy, content at half weight). Reads PolNeAR ``train`` only (every article, its
first annotation file, as ``eval/polnear.py`` scores), spans by their outer bounds. Sentences (the
spaCy parse of the ``--cache`` folder, else parsed here) are packed into windows of at most
``--window`` word pieces, no overlap, so every piece is seen once per epoch. An epoch costs about
1.8 ms of one core per piece, so the windows are subsampled: every window holding a gold cue, and a
fixed share of the others, up to ``--max-pieces``. One thread, fixed seed, fixed order: deterministic
(two runs of ``--max-steps 15`` gave identical weights, every tensor equal).
After each epoch it writes the dev pieces' probabilities (``dev-ep{k}.npz``) and the weights.
``--folds N --fold K`` trains on the training articles whose index modulo N is not K and, after the
last epoch, writes the probabilities of the others (``train-oof-foldK.npz``, with ``train-meta.npz``):
cross-fitted probabilities for ``eval/train_attribution_crf.py --minilm-oof``.

``combine``: dev source / cue F1 (``eval/polnear.py``'s exact measure) of the CRF alone, the MiniLM
tagger alone (its token labels through the same linking code, ``find_learned``), and the CRF's
Viterbi with ``w * log q(label)`` added to each token's state score (q the MiniLM probability of
the label, product of the cue and source heads), for a grid of ``w``; and the per-token mix of CRF
marginals and MiniLM probabilities. ``cost``: CPU seconds per article of parse + CRF, and of the
MiniLM pass (fp32 and int8 dynamic quantisation, one thread), on PolNeAR dev and FA-KES.
``export``: the package's weights file (``tracewire/models/attribution_minilm.npz``) from an epoch.

Shipped (issue 12): ``train --epochs 2 --max-pieces 500000`` (7,858 windows of 126 pieces at most
over the 814,610 train pieces, 7,175 of them holding a gold cue; 4,654 of those drawn, 499,985
pieces; 34 min wall, 900 CPU s on a shared machine), ``export --epoch 2``, weight 0.5.
Measured on dev (``combine``, exact F1 source / cue; the CRF alone 0.7661 / 0.7081):
epoch 1: MiniLM alone (argmax per token) 0.7194 / 0.5560, MiniLM alone through the CRF's
transitions 0.6388 / 0.5424; CRF Viterbi + w log q, w 0.25 0.7899 / 0.7305, 0.5 0.7908 / 0.7311,
0.75 0.7898 / 0.7235, 1 0.7867 / 0.7168, 1.5 0.7849 / 0.7104, 2 0.7808 / 0.6984, 3 0.7759 / 0.6855;
posterior mix of CRF marginals and q, a = 0 (CRF marginals alone) 0.7576 / 0.7010, 0.3 0.7676 /
0.6958, 0.5 0.7625 / 0.6714, 0.7 0.7464 / 0.6146.
epoch 2: MiniLM alone 0.7516 / 0.6166 (argmax), 0.6519 / 0.5791 (CRF transitions); CRF Viterbi
+ w log q, w 0.25 0.7986 / 0.7340, 0.4 0.8018 / 0.7370, **0.5 0.8014 / 0.7385** (P/R source
0.837 / 0.769, cue 0.771 / 0.709), 0.6 0.7980 / 0.7353, 0.75 0.7952 / 0.7356, 1 0.7939 / 0.7314,
1.5 0.7893 / 0.7215; posterior mix 0.3 0.7711 / 0.7006.
Cost (``cost --onnx``, CPU s per article, one thread, 30 articles each of PolNeAR dev / FA-KES,
1,083 / 492 word pieces): parse 0.138 / 0.049, CRF 0.041 / 0.010, the MiniLM pass in torch fp32
0.254 / 0.123, int8 dynamic quantisation 0.147 / 0.072 (dev with weight 0.5 drops to 0.7836 /
0.7310), ONNX Runtime fp32 (opset 17) 0.261 / 0.115 (probabilities within 3.4e-6 of torch's): no
faster, so the package runs torch fp32.
``combine --roles``: a weight of log q per label group (``cue``, ``src``, ``cont``, ``o``; 0.5 each
unless given) and a bias on the B-CUE / I-CUE state scores (``bb``, ``bi``); ``train --init``: one
more epoch from saved weights over the windows the first run did not draw and a share
(``--drawn-share``) of those it did; ``average``: the mean of saved weights (one model, the same cost).

Decoding variants on epoch 2 (issue 12, attrft2; ``combine --epoch 2 --roles-only --roles ...``,
dev exact F1 source / cue, cue P / R; the shipped uniform 0.5 is 0.8014 / 0.7385, 0.771 / 0.709):
cue bias bb = bi = -0.3 0.7983 / 0.7383, -0.15 0.7996 / 0.7365, 0.1 0.7995 / 0.7372, 0.3 0.7973 /
0.7297 (0.748 / 0.713), 0.5 0.7985 / 0.7244 (0.734 / 0.715); bb alone 0.2 0.8005 / 0.7383, 0.5
0.7999 / 0.7352; bi alone 0.2 0.7991 / 0.7332, 0.5 0.7972 / 0.7257: a bias buys little recall
(0.709 -> 0.715) for much precision. Cue weight 0.3 0.7976 / 0.7312, 0.4 0.7993 / 0.7353, 0.6
0.8010 / 0.7351, 0.75 0.7980 / 0.7348, 1 0.7957 / 0.7347 (more weight on the cue labels raises
cue precision, lowers recall); source weight 0.3 0.7967 / 0.7380, 0.4 0.7989 / 0.7388, 0.6 0.7995
/ 0.7362, 0.75 0.8016 / 0.7373; content weight 0 0.7754 / 0.7057, 0.25 0.7948 / 0.7272, 0.75
0.7966 / 0.7354, 1 0.7898 / 0.7323; O weight 0.25 0.7881 / 0.7384 (0.8115 / 0.6775), 0.75 0.7922 /
0.7247, 1 0.7908 / 0.7225 (0.719 / 0.726). Content weight 0 aside, every cue figure lies within 0.7225-0.7388: the uniform
0.5 sits on the plateau and no per-group weight or bias beats it by more than noise, so it stays.
A third epoch (``train --init /tmp/attrft/model-ep2.pt --epochs 1 --drawn-share 0.25 --lr 4e-5
--head-lr 5e-4 --warmup 30``: the 3,204 windows not drawn, 330,341 pieces, 2,521 with a cue, and
1,138 of the 4,654 drawn; 452,720 pieces, 405 CPU s): MiniLM alone 0.7600 / 0.6468, CRF Viterbi +
w log q, w 0.25 0.7970 / 0.7350, 0.4 0.7962 / 0.7346, 0.5 0.7936 / 0.7336 (cue P / R 0.783 /
0.690), 0.6 0.7945 / 0.7362, 0.75 0.7961 / 0.7375, 1 0.7946 / 0.7364; with per-group weights and
cue bias (w 0.75 and bb 0.2, O at 0.6 or 0.9, source 0.25 or 0.4) 0.7913-0.7958 / 0.7311-0.7374.
The same with the cue loss doubled (``--loss-weights 2 1 0.5 --lr 2e-5 --head-lr 3e-4``, 417 CPU
s): alone 0.7576 / 0.6423; w 0.25 0.7971 / 0.7353, 0.4 0.7944 / 0.7317, 0.5 0.7943 / 0.7345, 0.6
0.7959 / 0.7362, 0.75 0.7946 / 0.7334, 1 0.7960 / 0.7349. The mean of the epoch 2 and epoch 3
weights (``average``): alone 0.7590 / 0.6310; w 0.25 0.8000 / 0.7347, 0.4 0.7986 / 0.7347, 0.5
0.7964 / 0.7356, 0.6 0.7972 / 0.7353, 0.75 0.7973 / 0.7358, 1 0.7973 / 0.7346. The mean of their
probabilities (two passes, twice the cost): w 0.4 0.7992 / 0.7344, 0.5 0.7962 / 0.7350, 0.6 0.7984
/ 0.7361, 0.75 0.7969 / 0.7371. A third epoch makes the head alone better (source 0.752 -> 0.760,
cue 0.617 -> 0.647) but the combination no better and its source recall lower (0.769 -> 0.747), so
epoch 2 ships. The mean of the epoch 1 and 2 weights: alone 0.7373 / 0.5930; w 0.25 0.7934 / 0.7345,
0.4 0.7918 / 0.7333, 0.5 0.7932 / 0.7333, 0.6 0.7942 / 0.7325, 0.75 0.7937 / 0.7309, 1 0.7900 /
0.7244. Epoch 2 with a token's probabilities the mean of all its word pieces (``combine --pool
mean``) instead of its first piece's: w 0.25 0.7978 / 0.7347, 0.4 0.8026 / 0.7384, 0.5 0.7997 /
0.7375, 0.6 0.7965 / 0.7345, 0.75 0.7947 / 0.7358, 1 0.7921 / 0.7321: the same plateau.
Windows of 254 pieces (issue 12, attr32, not shipped): so that a cue or source can lean on the sentences
beside it. ``train --window 254 --batch 8 --epochs 2 --max-pieces 500000 --cache DIR --out DIR/w254``
(batch 8: about the shipped run's pieces per step and number of steps): 3,794 windows over train's
814,610 pieces, 3,647 of them holding a gold cue (804,543 pieces), 2,262 drawn (499,994 pieces); 566
steps, 1,410 CPU s (dev passes included), 24 min wall on a shared core: 1.6 times the shipped run's 900
CPU s for the same pieces and epochs. Piece F1 cue / source / content after epoch 1 0.6436 / 0.8020 /
0.8601 (the shipped head's 0.6664 / 0.8128 / 0.8626), after epoch 2 0.6743 / 0.8211 / 0.8772 (0.6869 /
0.8264 / 0.8810). Dev (``combine --epoch 2 --weights 0.25 0.4 0.5 0.6 0.75 1 --mix 0.3 --cache DIR --out
DIR/w254``, exact F1 source / cue): alone 0.7519 / 0.6175 (argmax), 0.6235 / 0.5435 (CRF transitions);
CRF Viterbi + w log q, w 0.25 0.7874 / 0.7275, 0.4 0.7906 / 0.7283, 0.5 0.7928 / 0.7311 (cue P / R 0.770
/ 0.696), 0.6 0.7947 / 0.7309, 0.75 0.7940 / 0.7317, 1 0.7936 / 0.7313; posterior mix 0.3 0.7695 /
0.7021. The same with the shipped batch of 16 windows (``--batch 16``: 284 steps, twice the pieces per
step, 1,342 CPU s): piece F1 after epoch 1 0.6227 / 0.7610 / 0.8273, after epoch 2 0.6502 / 0.8017 /
0.8612; alone 0.7082 / 0.5538 (argmax), 0.5814 / 0.4949 (CRF transitions); w 0.25 0.7811 / 0.7279, 0.4
0.7794 / 0.7262, 0.5 0.7807 / 0.7252, 0.6 0.7802 / 0.7232, 0.75 0.7769 / 0.7191, 1 0.7789 / 0.7169;
posterior mix 0.3 0.7638 / 0.6991. Both lie below the shipped 126-piece head on every weight (0.8014 /
0.7385 at w 0.5; best 254-piece cue F1 0.7317, source 0.7947): at the same piece budget the longer
windows cost 1.5 to 1.6 times the CPU and train a weaker head, so the 126-piece head stays. (The package
packs text at ``WINDOW`` = 126 pieces; a head trained with another window would need that stored with
its weights, which the export does not do.)
The MiniLM probabilities as CRF features (issue 12, attr28): two folds (``train --folds 2 --fold K
--epochs 1 --max-pieces 300000 --cache DIR --out DIR/foldK``, 401 / 416 CPU s each), then the stacked
CRF (``eval/train_attribution_crf.py --minilm-oof DIR/fold0 --out FILE --dev``): best dev 0.7922 /
0.7291 (w 0.5), below the shipped 0.8014 / 0.7385; figures in ``eval/train_attribution_crf.py``.

An ensemble of heads (issue 12, attr30, not shipped): ``combine --ensemble FILE ...`` mixes, per token, the
head's q with the mean q of other heads' dev probabilities (``prob``: (1 - s) q + s q_others; ``logp``:
(1 - s) log q + s log q_others; s from ``--ens-share``), then adds w log q to the CRF's state scores as
above. ``train --seed`` (default 12, the shipped run's: its weights rebuild unchanged) draws other windows
and another initialisation, dropout and batch order. Dev exact F1 source / cue (shipped 0.8014 / 0.7385):
the two cross-fitted folds above (one epoch on half of train each; ``combine --out DIR/foldK --epoch 1
--roles-only --roles o=0.5``, i.e. w 0.5): fold 0 0.7627 / 0.7130, fold 1 0.7669 / 0.7171, their ensemble
(``--ensemble`` the other fold, s 0.5) w 0.5 0.7651 / 0.7138 (prob) and 0.7651 / 0.7130 (logp), w 0.75
0.7606 / 0.7074 and 0.7592 / 0.7072, w 1 0.7572 / 0.7011 and 0.7584 / 0.7021: between its members, no
lift. The shipped head with both folds (``--out /tmp/attrft --epoch 2 --ensemble fold0 fold1``), s 0.3: w 0.5
0.7961 / 0.7347 (prob), 0.7956 / 0.7323 (logp), w 0.75 0.7977 / 0.7356, 0.7960 / 0.7337; s 0.5: w 0.5
0.7922 / 0.7317, 0.7910 / 0.7345, w 0.75 0.7932 / 0.7321, 0.7923 / 0.7324. A second full head
(``train --seed 13 --epochs 2 --max-pieces 600000``: 5,593 windows, 599,999 pieces, all holding a cue;
700 steps, 1,289 CPU s, 33 min wall on a shared core; piece F1 cue / source / content 0.6941 / 0.8372 /
0.8884, the shipped head's 0.6869 / 0.8264 / 0.8810): alone 0.7633 / 0.6298 (argmax), 0.6586 / 0.5744
(CRF transitions); CRF Viterbi + w log q, w 0.25 0.8039 / 0.7390 (cue P / R 0.783 / 0.699), 0.4 0.8016 /
0.7369, 0.5 0.7998 / 0.7379, 0.6 0.7999 / 0.7355, 0.75 0.7995 / 0.7355, 1 0.7987 / 0.7334. The shipped
head with it (``--ensemble /tmp/attr30/seed13/dev-ep2.npz``), prob / logp: s 0.3, w 0.25 0.7996 / 0.7363,
0.8008 / 0.7360; w 0.5 0.8006 / 0.7373, 0.8025 / 0.7381; w 0.75 0.7998 / 0.7372, 0.8000 / 0.7377. s 0.5,
w 0.25 0.8022 / 0.7372, 0.8035 / 0.7377; w 0.3 0.8027 / 0.7379, 0.8029 / 0.7386; w 0.4 0.8019 / 0.7369,
0.8033 / 0.7385; w 0.5 0.7989 / 0.7379, 0.7984 / 0.7369; w 0.6 0.7993 / 0.7369, 0.8003 / 0.7368; w 0.75
0.7986 / 0.7357, 0.7983 / 0.7353; w 1 0.7974 / 0.7335, 0.7976 / 0.7326. s 0.7, w 0.25 0.8048 / 0.7383,
0.8051 / 0.7397 (cue P / R 0.783 / 0.701); w 0.5 0.8014 / 0.7375, 0.8015 / 0.7376; w 0.75 0.7989 / 0.7345,
0.7982 / 0.7346. s 0.85, w 0.25 0.8039 / 0.7392, 0.8044 / 0.7392; w 0.3 0.8044 / 0.7392, 0.8045 / 0.7387.
Both heads and both folds (s 0.5 / 0.67 for the three others): w 0.5 0.7974 / 0.7347, 0.7963 / 0.7337 and
0.7950 / 0.7354, 0.7940 / 0.7358; w 0.75 0.7965 / 0.7380, 0.7958 / 0.7359 and 0.7954 / 0.7355, 0.7945 /
0.7373. Every mix with the shipped head lies within 0.7317-0.7397 cue F1: the best (logp, s 0.7, w 0.25,
+0.0012, about two cues of 2,192) is the largest of 46 settings and sits beside the second head alone at
w 0.25 (0.7390; the shipped head at w 0.25 0.7340); the two equal folds gain nothing together. Not
worth a second MiniLM pass per document (0.25 CPU s per dev article), so one head ships, unchanged.
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
from techniques import DEFAULT_PTC, fakes_texts  # noqa: E402
from train_techniques_tagger import pad_batch  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from eval import polnear  # noqa: E402
from eval.train_attribution_crf import gold_spans  # noqa: E402
from tracewire import embeddings  # noqa: E402
from tracewire.analyze.attribution_minilm import (  # noqa: E402
    HEADS,
    MODEL_PATH,
    N_OUT,
    CrfWeights,
    apply_deltas,
    delta_rows,
    make_model,
    pack,
    probs_of,
    token_q,
)
from tracewire.settings import offline_libraries  # noqa: E402

SEED = 12
EXPORT_ROWS = 1e-4  # a word-embedding row is stored when training moved a weight of it by more than this


class Crf(CrfWeights):
    """The CRF's weights with posterior marginals too (for the ``posterior mix`` variant)."""

    def marginals(self, s: np.ndarray) -> np.ndarray:
        """(tokens, labels) posterior marginals for state scores ``s``."""
        from scipy.special import logsumexp

        n, k = s.shape
        a = np.zeros((n, k))
        b = np.zeros((n, k))
        a[0] = s[0]
        for i in range(1, n):
            a[i] = logsumexp(a[i - 1][:, None] + self.t, axis=0) + s[i]
        for i in range(n - 2, -1, -1):
            b[i] = logsumexp(self.t + (s[i + 1] + b[i + 1])[None, :], axis=1)
        g = a + b
        out: np.ndarray = np.exp(g - logsumexp(g, axis=1, keepdims=True))
        return out



def piece_labels(offs: np.ndarray, gold: Sequence[tuple[str, int, int]]) -> np.ndarray:
    """(pieces, 3) int labels: cue and source 0 O / 1 B / 2 I, content 0 O / 1 I; a span's first piece is B."""
    y = np.zeros((len(offs), 3), dtype=np.int64)
    for col, kind in enumerate(("CUE", "SRC", "CONT")):
        for label, s, e in sorted(gold, key=lambda g: (g[1], g[2])):
            if label != kind:
                continue
            on = np.flatnonzero((offs[:, 0] < e) & (offs[:, 1] > s) & (offs[:, 1] > offs[:, 0]))
            if len(on) == 0:
                continue
            if kind == "CONT":
                y[on, col] = 1
            else:
                y[on, col] = np.where(y[on, col] == 1, 1, 2)
                y[on[0], col] = 1
    return y


def encode_split(tok: Any, split: str, docs: Sequence[Any], size: int) -> tuple[list[dict], list[dict]]:
    """Per article its pieces, offsets and labels; and its windows."""
    arts = polnear.articles(split)
    per, wins = [], []
    for d_i, ((text, ann), doc) in enumerate(zip(arts, docs, strict=True)):
        enc = tok(text, add_special_tokens=False, return_offsets_mapping=True)
        ids = np.array(enc["input_ids"], dtype=np.int64)
        offs = np.array(enc["offset_mapping"], dtype=np.int64).reshape(-1, 2)
        y = piece_labels(offs, gold_spans(ann))
        per.append({"ids": ids, "offs": offs, "y": y})
        for s, e in pack([x.start_char for x in doc.sents], offs, size):
            wins.append({"doc": d_i, "s": s, "e": e, "ids": np.concatenate([[tok.cls_token_id], ids[s:e], [tok.sep_token_id]]),
                         "y": y[s:e], "cue": bool((y[s:e, 0] == 1).any())})
    return per, wins


def batch_tensors(wins: Sequence[dict]) -> tuple[Any, Any]:
    """Padded ids and mask of ``wins``."""
    import torch

    ids = torch.from_numpy(pad_batch([w["ids"] for w in wins]))
    return ids, (ids != 0).long()


def doc_probs(model: Any, wins: Sequence[dict], per: Sequence[dict], batch: int = 16) -> list[np.ndarray]:
    """Per article, each piece's head probabilities (windows do not overlap)."""
    import torch

    out = [np.zeros((len(d["ids"]), N_OUT), dtype=np.float32) for d in per]
    model.eval()
    order = sorted(range(len(wins)), key=lambda i: len(wins[i]["ids"]))  # similar lengths per batch
    with torch.no_grad():
        for k in range(0, len(order), batch):
            chunk = [wins[i] for i in order[k : k + batch]]
            ids, mask = batch_tensors(chunk)
            p = probs_of(model(ids, mask)).numpy()
            for j, w in enumerate(chunk):
                out[w["doc"]][w["s"] : w["e"]] = p[j, 1 : 1 + w["e"] - w["s"]]
    return out


def load_docs(split: str, cache: Path | None) -> list[Any]:
    """spaCy parses of ``split`` (from ``cache`` when it holds them)."""
    return polnear.parse([t for t, _ in polnear.articles(split)], split, cache)


def draw(w_tr: Sequence[dict[str, Any]], max_pieces: int, rng: Any) -> tuple[list[dict[str, Any]], list[dict[str, Any]], float]:
    """The training windows: every window holding a gold cue and a fixed share of the others, up to
    ``max_pieces`` (a fixed draw when the cue windows alone exceed it); the cue windows; the share."""
    with_cue = [w for w in w_tr if w["cue"]]
    others = [w for w in w_tr if not w["cue"]]
    pieces_cue = sum(len(w["ids"]) for w in with_cue)
    share = min(1.0, max(0.0, (max_pieces - pieces_cue) / max(1, sum(len(w["ids"]) for w in others))))
    keep_other = [w for w, r in zip(others, rng.random(len(others)), strict=True) if r < share]
    chosen = with_cue + keep_other
    if sum(len(w["ids"]) for w in chosen) > max_pieces:  # more cue windows than the budget: a fixed draw
        idx = rng.permutation(len(chosen))
        keep, tot = [], 0
        for i in idx:
            if tot + len(chosen[i]["ids"]) > max_pieces:
                continue
            keep.append(int(i))
            tot += len(chosen[i]["ids"])
        chosen = [chosen[i] for i in sorted(keep)]
    return chosen, with_cue, share


def cmd_train(args: argparse.Namespace) -> None:
    """Fine-tune and write per-epoch dev probabilities and weights."""
    offline_libraries()
    import torch
    from transformers import AutoTokenizer

    torch.set_num_threads(1)
    torch.manual_seed(args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    mdir = str(embeddings.model_dir())
    tok = AutoTokenizer.from_pretrained(mdir)
    per_tr, w_tr = encode_split(tok, "train", load_docs("train", args.cache), args.window)
    per_dv, w_dv = encode_split(tok, "dev", load_docs("dev", args.cache), args.window)
    n_tr = sum(len(d["ids"]) for d in per_tr)
    rng = np.random.default_rng(args.seed)
    if args.folds:  # cross-fitting: train on the other folds' articles, predict this fold's (``train-oof-fold{k}.npz``)
        held = [d_i % args.folds == args.fold for d_i in range(len(per_tr))]
        w_oof = [w for w in w_tr if held[w["doc"]]]
        w_tr = [w for w in w_tr if not held[w["doc"]]]
    chosen, with_cue, share = draw(w_tr, args.max_pieces, rng)
    if args.init:  # continue a run: the windows it did not draw, and a fixed share of those it did
        first, _, _ = draw(w_tr, args.first_max_pieces, np.random.default_rng(SEED))
        seen = {(w["doc"], w["s"]) for w in first}
        rest = [w for w in w_tr if (w["doc"], w["s"]) not in seen]
        again = [w for w, r in zip(first, rng.random(len(first)), strict=True) if r < args.drawn_share]
        chosen = sorted(rest + again, key=lambda w: (w["doc"], w["s"]))
        print(f"continuing {args.init}: {len(rest)} windows the first run did not draw "
              f"({sum(len(w['ids']) for w in rest)} pieces, {sum(w['cue'] for w in rest)} with a cue), "
              f"{len(again)} of its {len(first)} drawn again", flush=True)
    n_chosen = sum(len(w["ids"]) for w in chosen)
    print(f"train: {len(per_tr)} articles, {n_tr} pieces, {len(w_tr)} windows ({len(with_cue)} with a cue, "
          f"{sum(len(w['ids']) for w in with_cue)} pieces); chosen {len(chosen)} windows, {n_chosen} pieces "
          f"(others kept at {share:.3f}); dev {len(per_dv)} articles, {sum(len(d['ids']) for d in per_dv)} pieces, "
          f"{len(w_dv)} windows", flush=True)
    np.savez_compressed(args.out / "dev-meta.npz", **{f"offs{i}": d["offs"] for i, d in enumerate(per_dv)})
    model = make_model(mdir)
    ep0 = 0
    if args.init:
        model.load_state_dict(torch.load(args.init))
        ep0 = args.init_epoch
    opt = torch.optim.AdamW([
        {"params": model.bert.parameters(), "lr": args.lr},
        {"params": model.head.parameters(), "lr": args.head_lr},
    ], weight_decay=0.01)
    # batches of similar length (fewer padded pieces), the batch order shuffled each epoch
    by_len = sorted(range(len(chosen)), key=lambda i: (len(chosen[i]["ids"]), i))
    batches = [by_len[k : k + args.batch] for k in range(0, len(by_len), args.batch)]
    steps = args.epochs * len(batches)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda k: min(1.0, (k + 1) / args.warmup) * max(0.0, 1 - k / steps))
    weights = tuple(args.loss_weights)
    t0, c0 = time.perf_counter(), time.process_time()
    step = 0
    for ep in range(ep0 + 1, ep0 + args.epochs + 1):
        model.train()
        loss_sum = 0.0
        for b_i in rng.permutation(len(batches)):
            chunk = [chosen[i] for i in batches[int(b_i)]]
            ids, mask = batch_tensors(chunk)
            logits = model(ids, mask)
            y = torch.full((len(chunk), ids.shape[1], 3), -100, dtype=torch.long)
            for j, w in enumerate(chunk):
                y[j, 1 : 1 + len(w["y"])] = torch.from_numpy(w["y"])
            loss = torch.zeros(())
            k = 0
            for h, ((_, n), wt) in enumerate(zip(HEADS, weights, strict=True)):
                loss = loss + wt * torch.nn.functional.cross_entropy(
                    logits[..., k : k + n].reshape(-1, n), y[..., h].reshape(-1), ignore_index=-100)
                k += n
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            loss_sum += float(loss.detach())
            step += 1
            if args.max_steps and step >= args.max_steps:
                break
            if step % 50 == 0:
                el = time.perf_counter() - t0
                print(f"step {step}/{steps} loss {loss_sum / (step - (ep - ep0 - 1) * len(batches)):.4f} "
                      f"{el:.0f} s wall {time.process_time() - c0:.0f} CPU s", flush=True)
        if args.max_steps and step >= args.max_steps:
            torch.save(model.state_dict(), args.out / f"model-step{step}.pt")
            print(f"stopped after {step} steps (--max-steps)", flush=True)
            return
        probs = doc_probs(model, w_dv, per_dv)
        np.savez_compressed(args.out / f"dev-ep{ep}.npz", *probs)
        torch.save(model.state_dict(), args.out / f"model-ep{ep}.pt")
        if args.folds and ep == ep0 + args.epochs:
            oof = doc_probs(model, w_oof, per_tr)
            np.savez_compressed(args.out / f"train-oof-fold{args.fold}.npz",
                                **{f"p{i}": oof[i] for i in range(len(per_tr)) if held[i]})
            np.savez_compressed(args.out / "train-meta.npz", **{f"offs{i}": d["offs"] for i, d in enumerate(per_tr)})
        print(json.dumps({"epoch": ep, "loss": loss_sum / len(batches), "piece_acc": piece_scores(probs, per_dv),
                          "wall_s": round(time.perf_counter() - t0), "cpu_s": round(time.process_time() - c0)}), flush=True)


def piece_scores(probs: Sequence[np.ndarray], per: Sequence[dict]) -> dict[str, float]:
    """Piece-level F1 of "in a span" per head (a quick check while training)."""
    out = {}
    k = 0
    for h, (name, n) in enumerate(HEADS):
        pred = np.concatenate([p[:, k : k + n].argmax(1) > 0 for p in probs])
        gold = np.concatenate([d["y"][:, h] > 0 for d in per])
        tp = float((pred & gold).sum())
        out[name] = round(2 * tp / max(1.0, float(pred.sum() + gold.sum())), 4)
        k += n
    return out


class Replay:
    """A tagger for ``polnear.predict``: hands out precomputed label sequences in the order it is asked."""

    def __init__(self, seqs: Sequence[list[str]]) -> None:
        """``seqs``: every non-empty sentence's labels, documents in order."""
        self.seqs = list(seqs)
        self.k = 0

    def tag(self, feats: Sequence[Any]) -> list[str]:
        """The next sentence's labels (its length checked)."""
        out = self.seqs[self.k]
        self.k += 1
        if len(out) != len(feats):
            raise ValueError("sentence order out of step")
        return out


def minilm_labels(q: np.ndarray, labels: Sequence[str]) -> list[str]:
    """MiniLM alone: each token's most likely label (spans_of reads an I- after O as a start)."""
    return [labels[int(j)] for j in q.argmax(1)]


def pooled(parsed: Any, offs: np.ndarray, p: np.ndarray) -> np.ndarray:
    """``p`` with each token's first piece holding the mean of all the token's pieces (``combine --pool mean``)."""
    out = p.copy()
    starts = offs[:, 0]
    for t in parsed:
        lo, hi = np.searchsorted(starts, t.idx), np.searchsorted(starts, t.idx + len(t.text))
        if hi - lo > 1:
            out[lo] = p[lo:hi].mean(0)
    return out


def role_weights(spec: str, labels: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Per-label weights of log q and biases from ``spec``, comma-separated key=value: ``cue``, ``src``,
    ``cont``, ``o`` (the weight of log q on the cue / source / content / O labels, 0.5 unless given),
    ``bb``, ``bi`` (a bias added to the B-CUE / I-CUE state scores, 0 unless given)."""
    kv = {"cue": 0.5, "src": 0.5, "cont": 0.5, "o": 0.5, "bb": 0.0, "bi": 0.0}
    for part in spec.split(","):
        k, v = part.split("=")
        if k not in kv:
            raise ValueError(f"unknown key {k!r} in {spec!r}")
        kv[k] = float(v)
    role = {"CUE": "cue", "SRC": "src", "CONT": "cont"}
    wl = np.array([kv[role[lab[2:]]] if lab != "O" else kv["o"] for lab in labels])
    bias = np.array([kv["bb"] if lab == "B-CUE" else kv["bi"] if lab == "I-CUE" else 0.0 for lab in labels])
    return wl, bias


def cmd_combine(args: argparse.Namespace) -> None:
    """Dev F1 of the CRF, MiniLM and their combinations."""
    from tracewire.analyze.attribution import find_all, load_cues
    from tracewire.analyze.attribution_crf import MODEL_PATH as CRF_PATH
    from tracewire.analyze.attribution_crf import document_sequences, load_tagger
    from tracewire.analyze.sentences import blocks, split

    ep = args.epoch or max(int(f.stem[6:]) for f in args.out.glob("dev-ep*.npz") if f.stem[6:].isdigit())
    probs = list(np.load(args.out / f"dev-ep{ep}{args.suffix}.npz").values())
    meta = np.load(args.out / "dev-meta.npz")
    offs = [meta[f"offs{i}"] for i in range(len(probs))]
    arts = polnear.articles("dev")
    texts = [t for t, _ in arts]
    gold = [polnear.load_gold(a) for _, a in arts]
    docs = load_docs("dev", args.cache)
    cues = load_cues()
    crf = Crf(load_tagger(CRF_PATH))
    base = load_tagger(CRF_PATH)
    members = [list(np.load(f).values()) for f in args.ensemble]  # other heads' dev probabilities (same pieces)
    sents: list[tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]] = []  # state scores, log q, marginals, crf labels
    ens_q: list[list[np.ndarray]] = []  # per sentence, each other head's q
    for i, (text, doc, p, o) in enumerate(zip(texts, docs, probs, offs, strict=True)):
        spans = split(text, [x.start_char for x in doc.sents])
        founds, quotes = find_all(text, doc, spans, blocks(text), cues, keep_quoted=True)
        q = token_q(doc, o, pooled(doc, o, p) if args.pool == "mean" else p, crf.labels)
        qs = [token_q(doc, o, m[i], crf.labels) for m in members]
        for a, b, feats in document_sequences(doc, spans, quotes, founds, cues):
            if feats:
                s = crf.states(feats)
                m = crf.marginals(s) if args.mix else s
                sents.append((s, np.log(np.maximum(q[a:b], 1e-6)), m, base.tag(feats)))
                ens_q.append([x[a:b] for x in qs])
    same = sum(crf.viterbi(s) == lab for s, _, _, lab in sents)
    print(f"epoch {ep}: {len(sents)} sentences; numpy Viterbi equals crfsuite's on {same}", flush=True)

    def score(name: str, seqs: Sequence[list[str]]) -> None:
        """Print dev exact F1 of source and cue for these labels."""
        pred = polnear.predict(texts, docs, tagger=Replay(seqs))
        src = polnear.scores([x[0] for x in pred], [g[0] for g in gold])
        cue = polnear.scores([x[1] for x in pred], [g[1] for g in gold])
        print(json.dumps({"variant": name, "source": round(src["exact_f1"], 4), "cue": round(cue["exact_f1"], 4),
                          "src_pr": [round(src["exact_p"], 4), round(src["exact_r"], 4)],
                          "cue_pr": [round(cue["exact_p"], 4), round(cue["exact_r"], 4)]}), flush=True)

    labels = crf.labels
    if members:  # ensemble: the head's q and the others' (their mean), mixed per token, then w log q as usual
        for share in args.ens_share:
            for kind in ("prob", "logp"):
                lqs = []
                for (_, lq, _, _), others in zip(sents, ens_q, strict=True):
                    if kind == "prob":
                        mix = (1 - share) * np.exp(lq) + share * np.mean(others, axis=0)
                        lqs.append(np.log(np.maximum(mix, 1e-6)))
                    else:
                        lqs.append((1 - share) * lq + share * np.mean([np.log(np.maximum(x, 1e-6)) for x in others], axis=0))
                for w in args.weights:
                    score(f"ensemble {kind} share {share} + {w} log q",
                          [crf.viterbi(s + w * lq) for (s, _, _, _), lq in zip(sents, lqs, strict=True)])
        return
    for spec in args.roles:
        wl, bias = role_weights(spec, labels)
        score(f"crf viterbi + per-label weights {spec}", [crf.viterbi(s + wl * lq + bias) for s, lq, _, _ in sents])
    if args.roles_only:
        return
    score("crf (crfsuite)", [lab for *_, lab in sents])
    score("minilm alone (argmax)", [minilm_labels(lq, labels) for _, lq, _, _ in sents])
    score("minilm alone (viterbi, crf transitions)", [crf.viterbi(lq) for _, lq, _, _ in sents])
    for w in args.weights:
        score(f"crf viterbi + {w} log q", [crf.viterbi(s + w * lq) for s, lq, _, _ in sents])
    for a in args.mix:
        score(f"posterior mix {a}", [[labels[int(j)] for j in ((1 - a) * m + a * np.exp(lq)).argmax(1)]
                                      for _, lq, m, _ in sents])


def text_windows(tok: Any, text: str, sent_starts: Sequence[int], size: int) -> tuple[dict, list[dict]]:
    """One text's pieces and offsets, and its windows of whole sentences (as ``encode_split``, no labels)."""
    enc = tok(text, add_special_tokens=False, return_offsets_mapping=True)
    ids = np.array(enc["input_ids"], dtype=np.int64)
    offs = np.array(enc["offset_mapping"], dtype=np.int64).reshape(-1, 2)
    wins = [{"doc": 0, "s": s, "e": e, "ids": np.concatenate([[tok.cls_token_id], ids[s:e], [tok.sep_token_id]])}
            for s, e in pack(sent_starts, offs, size)]
    return {"ids": ids, "offs": offs}, wins


def load_model(args: argparse.Namespace) -> tuple[Any, Any, int]:
    """Tokenizer, fine-tuned model (eval mode) and its epoch."""
    import torch
    from transformers import AutoTokenizer

    offline_libraries()
    torch.set_num_threads(1)
    ep = args.epoch or max(int(f.stem[8:]) for f in args.out.glob("model-ep*.pt"))
    mdir = str(embeddings.model_dir())
    model = make_model(mdir)
    model.load_state_dict(torch.load(args.out / f"model-ep{ep}.pt"))
    model.eval()
    return AutoTokenizer.from_pretrained(mdir), model, ep


def state_bytes(module: Any, half: bool = False) -> int:
    """Bytes of a module's state dict as torch.save writes it (``half``: floating tensors as fp16)."""
    import io

    import torch

    sd = module.state_dict()
    if half:
        sd = {k: v.half() if isinstance(v, torch.Tensor) and v.is_floating_point() else v for k, v in sd.items()}
    buf = io.BytesIO()
    torch.save(sd, buf)
    return buf.getbuffer().nbytes


def onnx_cost(model: Any, tok: Any, sets: dict[str, list[str]], nlp: Any, args: argparse.Namespace) -> None:
    """The fp32 model exported to ONNX (opset 17, eager attention) and run by ONNX Runtime on one thread:
    CPU seconds per article and the largest probability difference from torch."""
    import warnings

    import onnxruntime as ort
    import torch

    path = args.out / "tagger.onnx"
    model.bert.set_attn_implementation("eager")
    with warnings.catch_warnings(), torch.inference_mode():
        warnings.simplefilter("ignore")
        ids = torch.ones((2, 8), dtype=torch.long)
        torch.onnx.export(model, (ids, torch.ones_like(ids)), str(path), input_names=["ids", "mask"],
                          output_names=["logits"], opset_version=17, dynamo=False,
                          dynamic_axes={"ids": {0: "b", 1: "n"}, "mask": {0: "b", 1: "n"}, "logits": {0: "b", 1: "n"}})
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    opts.inter_op_num_threads = 1
    opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    sess = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
    for name, texts in sets.items():
        docs = list(nlp.pipe(texts, batch_size=16))
        c = time.process_time()
        diff = 0.0
        outs = []
        for text, doc in zip(texts, docs, strict=True):
            per, wins = text_windows(tok, text, [x.start_char for x in doc.sents], args.window)
            for k in range(0, len(wins), 16):
                chunk = sorted(wins, key=lambda w: len(w["ids"]))[k : k + 16]
                ids_np = pad_batch([w["ids"] for w in chunk])
                logits = sess.run(["logits"], {"ids": ids_np, "mask": (ids_np != 0).astype(np.int64)})[0]
                outs.append((chunk, probs_of(torch.from_numpy(logits)).numpy()))
        t = (time.process_time() - c) / len(texts)
        for chunk, p in outs[:20]:
            ids_t = torch.from_numpy(pad_batch([w["ids"] for w in chunk]))
            with torch.no_grad():
                ref = probs_of(model(ids_t, (ids_t != 0).long())).numpy()
            m = (ids_t != 0).numpy()
            diff = max(diff, float(np.abs(ref - p)[m].max()))
        print(json.dumps({"set": name, "minilm_onnx_fp32_s": round(t, 4), "max_p_diff_vs_torch": diff}), flush=True)


def cmd_cost(args: argparse.Namespace) -> None:
    """CPU seconds per article: parse, CRF tagging, MiniLM pass fp32 and int8; int8 dev probabilities."""
    import torch

    from tracewire.analyze.attribution import find_learned, load_cues
    from tracewire.analyze.attribution_crf import load_tagger
    from tracewire.analyze.parse import load_nlp
    from tracewire.analyze.sentences import blocks, split

    tok, model, ep = load_model(args)
    qmodel = torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)
    print(f"sizes: fp32 {state_bytes(model) / 1e6:.1f} MB, fp16 {state_bytes(model, True) / 1e6:.1f} MB, "
          f"int8 dynamic {state_bytes(qmodel) / 1e6:.1f} MB; encoder layers + head alone fp16 "
          f"{(state_bytes(model.bert.encoder, True) + state_bytes(model.head, True)) / 1e6:.1f} MB", flush=True)
    nlp = load_nlp()
    cues = load_cues()
    crf = load_tagger()
    sets = {"polnear-dev": [t for t, _ in polnear.articles("dev")][: args.n_cost],
            "fakes": fakes_texts(DEFAULT_PTC.parent / "fakes" / "FA-KES-Dataset.csv")[: args.n_cost]}
    for name, texts in sets.items():
        c = time.process_time()
        docs = list(nlp.pipe(texts, batch_size=16))
        t_parse = time.process_time() - c
        c = time.process_time()
        for text, doc in zip(texts, docs, strict=True):
            find_learned(text, doc, split(text, [x.start_char for x in doc.sents]), blocks(text), cues, crf)
        t_crf = time.process_time() - c
        row = {"set": name, "articles": len(texts), "words": round(float(np.mean([len(d) for d in docs]))),
               "parse_s": t_parse / len(texts), "crf_s": t_crf / len(texts)}
        for label, m in (("minilm_fp32_s", model), ("minilm_int8_s", qmodel)):
            c = time.process_time()
            pieces = 0
            for text, doc in zip(texts, docs, strict=True):
                per, wins = text_windows(tok, text, [x.start_char for x in doc.sents], args.window)
                doc_probs(m, wins, [per])
                pieces += len(per["ids"])
            row[label] = (time.process_time() - c) / len(texts)
            row["pieces"] = round(pieces / len(texts))
        print(json.dumps({k: round(v, 4) if isinstance(v, float) else v for k, v in row.items()}), flush=True)
    if args.onnx:
        onnx_cost(model, tok, sets, nlp, args)
    # int8 probabilities on the whole of dev, for ``combine --suffix -int8``
    arts = polnear.articles("dev")
    docs = load_docs("dev", args.cache)
    probs = []
    for (text, _), doc in zip(arts, docs, strict=True):
        per, wins = text_windows(tok, text, [x.start_char for x in doc.sents], args.window)
        probs.append(doc_probs(qmodel, wins, [per])[0])
    np.savez_compressed(args.out / f"dev-ep{ep}-int8.npz", *probs)
    print(f"wrote {args.out / f'dev-ep{ep}-int8.npz'}", flush=True)


def cmd_average(args: argparse.Namespace) -> None:
    """The element-wise mean of fine-tuned weights (``--average`` files) as ``model-ep{--epoch}.pt`` in
    ``--out``, and its dev probabilities (``dev-ep{--epoch}.npz``, with ``dev-meta.npz``) for ``combine``."""
    import torch
    from transformers import AutoTokenizer

    offline_libraries()
    torch.set_num_threads(1)
    sds = [torch.load(p) for p in args.average]
    avg = {k: sum(sd[k].float() for sd in sds) / len(sds) if sds[0][k].is_floating_point() else sds[0][k]
           for k in sds[0]}
    args.out.mkdir(parents=True, exist_ok=True)
    torch.save(avg, args.out / f"model-ep{args.epoch}.pt")
    mdir = str(embeddings.model_dir())
    model = make_model(mdir)
    model.load_state_dict(avg)
    per_dv, w_dv = encode_split(AutoTokenizer.from_pretrained(mdir), "dev", load_docs("dev", args.cache), args.window)
    np.savez_compressed(args.out / "dev-meta.npz", **{f"offs{i}": d["offs"] for i, d in enumerate(per_dv)})
    probs = doc_probs(model, w_dv, per_dv)
    np.savez_compressed(args.out / f"dev-ep{args.epoch}.npz", *probs)
    print(json.dumps({"average": [str(p) for p in args.average], "epoch": args.epoch,
                      "piece_acc": piece_scores(probs, per_dv)}), flush=True)


def write_npz(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """An uncompressed-format .npz with fixed member dates and order (the same arrays, the same bytes)."""
    import io
    import zipfile

    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name in sorted(arrays):
            buf = io.BytesIO()
            np.lib.format.write_array(buf, np.ascontiguousarray(arrays[name]), allow_pickle=False)
            info = zipfile.ZipInfo(name + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, buf.getvalue(), compresslevel=9)


def cmd_export(args: argparse.Namespace) -> None:
    """Write the package's weights file: int8 differences from the installed base model, the head in float32."""
    import torch

    offline_libraries()
    ep = args.epoch or max(int(f.stem[8:]) for f in args.out.glob("model-ep*.pt"))
    mdir = str(embeddings.model_dir())
    tuned = torch.load(args.out / f"model-ep{ep}.pt")
    base = make_model(mdir).state_dict()
    arrays: dict[str, np.ndarray] = {}
    for name, t in tuned.items():
        v = t.float().numpy()
        if name.startswith("head."):
            arrays["f:" + name] = v.astype(np.float32)
            continue
        d = (v - base[name].float().numpy()).astype(np.float32)
        if not np.abs(d).max() > 0:
            continue
        if name.endswith("word_embeddings.weight"):
            rows = np.flatnonzero(np.abs(d).max(axis=1) > EXPORT_ROWS)
            arrays["r:" + name] = rows.astype(np.int32)
            d = d[rows]
        q, scale = delta_rows(d)
        arrays["q:" + name], arrays["s:" + name] = q, scale
    args.model_path.parent.mkdir(parents=True, exist_ok=True)
    write_npz(args.model_path, arrays)
    rows = len(arrays.get("r:bert.embeddings.word_embeddings.weight", []))
    print(f"wrote {args.model_path} ({args.model_path.stat().st_size / 1e6:.1f} MB; epoch {ep}; "
          f"{rows} word-embedding rows)", flush=True)
    # the rebuilt model against the fine-tuned one, on 20 dev articles' windows
    model = make_model(mdir)
    model.load_state_dict(tuned)
    rebuilt = make_model(mdir)
    with np.load(args.model_path) as data:
        apply_deltas(rebuilt, data)
    tok = __import__("transformers").AutoTokenizer.from_pretrained(mdir)
    per, wins = encode_split(tok, "dev", load_docs("dev", args.cache), args.window)
    wins = [w for w in wins if w["doc"] < 20]
    a = np.concatenate([x for x in doc_probs(model, wins, per[:20])])
    b = np.concatenate([x for x in doc_probs(rebuilt, wins, per[:20])])
    print(f"rebuilt vs fine-tuned on 20 dev articles: max |p diff| {np.abs(a - b).max():.4f}, "
          f"argmax agreement {float(np.mean(a[:, :3].argmax(1) == b[:, :3].argmax(1))):.5f} (cue) "
          f"{float(np.mean(a[:, 3:6].argmax(1) == b[:, 3:6].argmax(1))):.5f} (source)", flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    """Dispatch the sub-commands."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("cmd", choices=("train", "combine", "cost", "export", "average"))
    ap.add_argument("--model-path", type=Path, default=MODEL_PATH, help="export: the weights file to write")
    ap.add_argument("--out", type=Path, default=Path("/tmp/attrft"))
    ap.add_argument("--cache", type=Path, default=None, help="folder with polnear-{train,dev}.spacy parses")
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--lr", type=float, default=8e-5)
    ap.add_argument("--head-lr", type=float, default=1e-3)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--window", type=int, default=126)
    ap.add_argument("--max-pieces", type=int, default=360_000)
    ap.add_argument("--init", type=Path, default=None, help="train: start from these weights (a model-ep*.pt)")
    ap.add_argument("--init-epoch", type=int, default=2, help="train --init: the epoch those weights end")
    ap.add_argument("--first-max-pieces", type=int, default=500_000, help="train --init: the first run's --max-pieces")
    ap.add_argument("--drawn-share", type=float, default=0.3, help="train --init: share of the first run's windows seen again")
    ap.add_argument("--average", type=Path, nargs="*", default=[], help="average: the model-ep*.pt files to average")
    ap.add_argument("--loss-weights", type=float, nargs=3, default=[1.0, 1.0, 0.5],
                    help="train: cross-entropy weights of the cue, source and content heads")
    ap.add_argument("--folds", type=int, default=0, help="train: cross-fit over this many folds of train's articles")
    ap.add_argument("--fold", type=int, default=0, help="train --folds: the fold held out (its probabilities written)")
    ap.add_argument("--seed", type=int, default=SEED,
                    help="train: seed of the window draw, the head's initialisation, dropout and batch order")
    ap.add_argument("--warmup", type=int, default=100, help="train: steps of linear warm-up")
    ap.add_argument("--max-steps", type=int, default=0, help="train: stop after this many steps (a determinism check)")
    ap.add_argument("--epoch", type=int, default=0, help="combine/cost: the epoch's weights (default: the last)")
    ap.add_argument("--weights", type=float, nargs="*", default=[0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0])
    ap.add_argument("--mix", type=float, nargs="*", default=[0.0, 0.3, 0.5, 0.7])
    ap.add_argument("--roles", nargs="*", default=[], help="combine: per-label weight specs (see role_weights)")
    ap.add_argument("--pool", choices=("first", "mean"), default="first",
                    help="combine: a token's probabilities from its first word piece, or the mean of its pieces")
    ap.add_argument("--ensemble", type=Path, nargs="*", default=[],
                    help="combine: other heads' dev probabilities (dev-ep*.npz) mixed with the head's")
    ap.add_argument("--ens-share", type=float, nargs="*", default=[0.5], help="combine --ensemble: the others' share")
    ap.add_argument("--roles-only", action="store_true", help="combine: score only the --roles specs")
    ap.add_argument("--suffix", default="", help="combine: read dev-ep{k}{suffix}.npz (\"-int8\": the cost run's)")
    ap.add_argument("--n-cost", type=int, default=30, help="cost: articles per set")
    ap.add_argument("--onnx", action="store_true", help="cost: also time an ONNX Runtime export")
    args = ap.parse_args(argv)
    if args.cmd == "train":
        cmd_train(args)
    elif args.cmd == "combine":
        cmd_combine(args)
    elif args.cmd == "average":
        cmd_average(args)
    elif args.cmd == "export":
        cmd_export(args)
    else:
        cmd_cost(args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
