"""Cue-edge re-ranker and cue filter for the attribution tagger (issue 12, attr29; neither shipped).

A learned second stage after the tagger (the CRF plus 0.5 log q of the MiniLM head): for each tagged
cue (tokens [a0, b0) of its sentence) the candidates are the spans whose left edge moves by ``LEFT``
(-2..2) and right edge by ``RIGHT`` (-3..4) tokens, at most ``MAX_LEN`` long, the cue itself first. A
logistic model scores each candidate from string features (the words, parts of speech and
dependencies of its first and last tokens and of the tokens around it, the tokens it adds or drops
with the cue head's lemma, its whole text, the tagger's labels inside it) and two numbers: how much
log posterior cue mass it gains over the cue (CRF plus head, forward-backward over the sentence,
``marginals``) and how much of the head's own cue probability; the best candidate replaces the cue when
it beats the cue's score by a margin. The filter instead drops a cue whose probability of being a
gold cue (the cue's own features and its candidates' best gains) falls below a threshold.

Both are trained on PolNeAR train's predictions by models that never saw the article: each article's
cues from a CRF trained on the other half of train (``crf-folds``, the shipped settings) read with the
cross-fitted MiniLM probabilities of ``eval/train_attribution_minilm.py train --folds 2 --fold K
--epochs 1 --max-pieces 300000`` (attr28's two folds), at weight 0.5 as shipped::

    python eval/attribution_cue_edges.py crf-folds --cache DIR --out OUT
    python eval/attribution_cue_edges.py rows train --cache DIR --out OUT/train-rows.pkl \
        --crf-folds OUT --minilm-oof FOLDS/fold0      # both folds' train-oof-fold*.npz in fold0
    python eval/attribution_cue_edges.py rows dev --cache DIR --out OUT/dev-rows.pkl
    python eval/attribution_cue_edges.py fit OUT/train-rows.pkl OUT/dev-rows.pkl --c 0.1 1
    python eval/attribution_cue_edges.py fit OUT/train-rows.pkl OUT/dev-rows.pkl --kind conditional --c 1 10
    python eval/attribution_cue_edges.py filter OUT/train-rows.pkl OUT/dev-rows.pkl

Out-of-fold train: source 0.7251, cue 0.6846 (P 0.764, R 0.620); 16,024 tagged cues, 12,236 exact,
13,543 with the gold span among their candidates. Dev (the shipped tagger, as ``eval/polnear.py dev``):
0.8014 / 0.7385; 1,994 cues (colons aside), 1,534 exact, 1,696 with the gold span among their
candidates, so a perfect chooser would fix 162. ``fit`` reports the model fitted on train's even
articles and scored on its odd ones (cue 0.6912 before), and fitted on all of train and scored on dev
(389,606 candidates, 194,300 features seen twice); in brackets the moves ``apply`` counts: a wrong cue
moved onto a gold span not yet found / a gold cue moved off / the others:

- pointwise logistic (is the candidate the gold cue), C 0.1, margin 0 / 0.5 / 1 / 2: train odd 0.6913
  (58 / 66 / 43) / 0.6916 / 0.6908 / 0.6911; dev 0.7375 (11 / 16 / 9) / 0.7378 / 0.7377 / 0.7388 (1 / 1 / 1);
- C 1: train odd 0.6923 (129 / 141 / 113) / 0.6912 / 0.6913 / 0.6926 (31 / 19 / 13); dev 0.7380 (23 / 31 /
  16) / 0.7366 / 0.7406 (12 / 9 / 7; P 0.774, R 0.710) / 0.7390 (5 / 5 / 3);
- conditional logit (softmax over each cue's candidates), L2 1 / 10, margins 0 to 2: train odd 0.6602 to
  0.6727 / 0.6862 to 0.6886; dev 0.6983 to 0.7078 / 0.7307 to 0.7348 (L2 10, margin 0: 22 / 51 / 54): the
  cues whose gold span is not among the candidates drop out of its training, and it moves too many;
- the cue filter, C 0.1 / 1, thresholds 0.1 / 0.2 / 0.3 / 0.4: train odd 0.6911 /
  0.6911 / 0.6916 / 0.6913 and 0.6926 / 0.6916 / 0.6910 / 0.6862; dev 0.7385 / 0.7375 / 0.7383 / 0.7389 and
  0.7385 / 0.7412 / 0.7415 (P 0.814, R 0.681; 60 right cues dropped with 119 wrong) / 0.7398.

The settings best on train's odd half (re-ranker C 1, margin 2: +0.0014; filter C 1, threshold 0.1:
+0.0014) give dev 0.7390 and 0.7385.

Every move the re-ranker learns is about as often wrong as right on unseen articles (on train's odd
half as on dev): PolNeAR's edges (a trailing preposition, "in a statement", a time adverb, an
auxiliary) follow no convention that the edge words, the parse or the tagger's posteriors predict, as
attr28 found for hand rules (``eval/polnear_errors.py --prep-rules``). The best dev figure, 0.7406,
is 0.002 above the shipped 0.7385 and below the 0.748 that would justify shipping a second stage.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from eval import polnear  # noqa: E402
from eval import train_attribution_crf as tac  # noqa: E402
from tracewire.analyze.attribution import load_cues  # noqa: E402

if TYPE_CHECKING:
    from numpy.typing import NDArray


LEFT = (-2, -1, 0, 1, 2)
RIGHT = (-3, -2, -1, 0, 1, 2, 3, 4)
MAX_LEN = 12


def marginals(s: NDArray[np.float64], t: NDArray[np.float64]) -> NDArray[np.float64]:
    """(tokens, labels) posterior marginals of a linear-chain CRF with state scores ``s``, transitions ``t``."""
    n, k = s.shape
    alpha = np.zeros((n, k))
    beta = np.zeros((n, k))
    alpha[0] = s[0]
    for i in range(1, n):
        m = alpha[i - 1][:, None] + t
        mx = m.max(0)
        alpha[i] = mx + np.log(np.exp(m - mx).sum(0)) + s[i]
    for i in range(n - 2, -1, -1):
        m = t + (s[i + 1] + beta[i + 1])[None, :]
        mx = m.max(1)
        beta[i] = mx + np.log(np.exp(m - mx[:, None]).sum(1))
    ab = alpha + beta
    ab -= ab.max(1, keepdims=True)
    p = np.exp(ab)
    out: NDArray[np.float64] = p / p.sum(1, keepdims=True)
    return out


def candidates(lo: int, hi: int, a0: int, b0: int) -> list[tuple[int, int]]:
    """Token spans [a, b) inside [lo, hi) whose edges move by LEFT / RIGHT from [a0, b0); the cue first."""
    out = [(a0, b0)]
    for dl in LEFT:
        for dr in RIGHT:
            a, b = a0 + dl, b0 + dr
            if (dl or dr) and lo <= a < b <= hi and b - a <= MAX_LEN:
                out.append((a, b))
    return out


def _cue_mass(p: NDArray[np.float64], bi: int, ii: int, a: int, b: int, w0: int, w1: int) -> float:
    """log probability mass of tokens [a, b) being the cue and the rest of [w0, w1) not inside it."""
    eps = 1e-6
    v = float(np.log(p[a, bi] + eps))
    if b > a + 1:
        v += float(np.log(p[a + 1 : b, ii] + eps).sum())
    out = [i for i in range(w0, w1) if not a <= i < b]
    if out:
        v += float(np.log(np.maximum(1.0 - p[out, bi] - p[out, ii], 0.0) + eps).sum())
    return v


def _tok(prefix: str, t: Any) -> list[str]:
    return [f"{prefix}w={t.lower_}", f"{prefix}p={t.pos_}", f"{prefix}d={t.dep_}", f"{prefix}pw={t.pos_}|{t.lower_}"]


def features(
    parsed: Any, lo: int, hi: int, a0: int, b0: int, a: int, b: int,
    marg: NDArray[np.float64], q: NDArray[np.float64], labels: Sequence[str], tagged: Sequence[str],
) -> tuple[list[str], list[float]]:
    """(string features, numeric features) of candidate [a, b) for the cue [a0, b0); ``marg`` and ``q``
    (tokens of the sentence [lo, hi), labels) are the tagger's marginals and the head's probabilities,
    ``tagged`` the sentence's decoded labels."""
    col = {lab: i for i, lab in enumerate(labels)}
    bi, ii = col["B-CUE"], col["I-CUE"]
    dl, dr = a - a0, b - b0
    f = [f"dl={dl}", f"dr={dr}", f"dldr={dl},{dr}", f"len={min(b - a, 6)}"]
    first, last = parsed[a], parsed[b - 1]
    f += _tok("F", first) + _tok("L", last)
    f.append("prev=" + (parsed[a - 1].lower_ if a > lo else "<s>"))
    f.append("prevp=" + (parsed[a - 1].pos_ if a > lo else "<s>"))
    f.append("next=" + (parsed[b].lower_ if b < hi else "</s>"))
    f.append("nextp=" + (parsed[b].pos_ if b < hi else "</s>"))
    f.append("nextpw=" + (f"{parsed[b].pos_}|{last.pos_}" if b < hi else "</s>"))
    head = parsed[a0:b0].root
    hl = head.lemma_.lower()
    if dr:
        moved = parsed[b0:b] if dr > 0 else parsed[b:b0]
        sign = "+" if dr > 0 else "-"
        words = " ".join(t.lower_ for t in moved)
        f += [f"R{sign}w={words}", f"R{sign}p=" + " ".join(t.pos_ for t in moved),
              f"R{sign}w1={moved[0].lower_}", f"R{sign}w1h={moved[0].lower_}|{hl}", f"R{sign}d1={moved[0].dep_}"]
    if dl:
        moved = parsed[a:a0] if dl < 0 else parsed[a0:a]
        sign = "+" if dl < 0 else "-"
        f += [f"L{sign}w=" + " ".join(t.lower_ for t in moved), f"L{sign}p=" + " ".join(t.pos_ for t in moved),
              f"L{sign}w1h={moved[-1].lower_}|{hl}"]
    f.append("text=" + " ".join(t.lower_ for t in parsed[a:b]))
    f.append("lastlemma=" + last.lemma_.lower() + "|" + hl)
    kinds = {tagged[i - lo][2:] for i in range(a, b) if tagged[i - lo] != "O"}
    f.append("kinds=" + ",".join(sorted(kinds)))
    if any(not t.text.strip() or t.is_punct for t in parsed[a:b]):
        f.append("punct")
    w0, w1 = max(lo, min(a, a0) - 1), min(hi, max(b, b0) + 1)
    m = marg
    base_m = _cue_mass(m, bi, ii, a0 - lo, b0 - lo, w0 - lo, w1 - lo)
    base_q = _cue_mass(q, bi, ii, a0 - lo, b0 - lo, w0 - lo, w1 - lo)
    dm = _cue_mass(m, bi, ii, a - lo, b - lo, w0 - lo, w1 - lo) - base_m
    dq = _cue_mass(q, bi, ii, a - lo, b - lo, w0 - lo, w1 - lo) - base_q
    return f, [max(dm, -20.0) / 5.0, max(dq, -20.0) / 5.0, float(dl == 0 and dr == 0)]


LEMMAS = load_cues()


def crf_folds(out: Path, cache: Path, folds: int = 2) -> None:
    """Write ``out/crf-fold{K}.crfsuite``: the CRF trained on the training articles whose index modulo
    ``folds`` is not K."""
    import pycrfsuite

    arts = polnear.articles("train")
    texts = [t for t, _ in arts]
    docs = polnear.parse(texts, "train", cache)
    seqs = tac.sequences(texts, docs, load_cues())
    out.mkdir(parents=True, exist_ok=True)
    for k in range(folds):
        trainer = pycrfsuite.Trainer(verbose=False)
        for d_i, ((_, ann), doc, ss) in enumerate(zip(arts, docs, seqs, strict=True)):
            if d_i % folds == k:
                continue
            labels = tac.token_labels(doc, tac.gold_spans(ann))
            for a, b, feats in ss:
                if feats:
                    trainer.append(feats, labels[a:b])
        trainer.set_params(tac.PARAMS)
        trainer.train(str(out / f"crf-fold{k}.crfsuite"))
        print(f"wrote {out / f'crf-fold{k}.crfsuite'}", flush=True)


class Recorder:
    """One document's tagger (the CRF plus ``weight`` log q, as ``attribution_minilm.DocumentTagger``) that
    keeps each sentence's state scores and labels for the re-ranker's features."""

    def __init__(self, crf: Any, logq: Any, weight: float) -> None:
        self.crf, self.logq, self.weight = crf, logq, weight
        self.sents: dict[int, tuple[Any, list[str]]] = {}

    def tag(self, feats: Sequence[Sequence[str]], start: int) -> list[str]:
        s = self.crf.states(feats) + self.weight * self.logq[start : start + len(feats)]
        labels = self.crf.viterbi(s)
        self.sents[start] = (s, labels)
        return labels

    def for_document(self, text: str, parsed: Any) -> Recorder:
        return self


def doc_groups(text: str, doc: Any, rec: Recorder, gold_cues: set[tuple[int, int]] | None) -> tuple[Any, list[Any]]:
    """Run the tagger on one document; per predicted cue, its candidate spans with features (and
    labels when ``gold_cues`` is given). Returns ((sources, cues), groups)."""
    import bisect

    import numpy as np

    from tracewire.analyze.attribution import find_learned
    from tracewire.analyze.sentences import blocks, split

    spans = split(text, [x.start_char for x in doc.sents])
    founds, _ = find_learned(text, doc, spans, blocks(text), LEMMAS, rec)
    srcs, cues = set(), set()
    for fs in founds:
        for f in fs:
            cues.add((f.cue_start, f.cue_end))
            if f.source_start is not None and f.source_end is not None and not f.anonymous_passive:
                srcs.add((f.source_start, f.source_end))
    starts = sorted(rec.sents)
    q = np.exp(rec.logq)
    groups = []
    for cs, ce in sorted(cues):
        sp = doc.char_span(cs, ce, alignment_mode="expand")
        if sp is None or len(sp) == 0 or text[cs:ce] == ":":
            continue
        a0, b0 = sp.start, sp.end
        k = bisect.bisect_right(starts, a0) - 1
        if k < 0:
            continue
        lo = starts[k]
        s, tagged = rec.sents[lo]
        hi = lo + len(tagged)
        if b0 > hi:
            continue
        marg = marginals(s, rec.crf.t)
        rows = []
        for a, b in candidates(lo, hi, a0, b0):
            fs, nums = features(doc, lo, hi, a0, b0, a, b, marg, q[lo:hi], rec.crf.labels, tagged)
            span = (doc[a].idx, doc[b - 1].idx + len(doc[b - 1].text))
            rows.append((span, fs, nums, None if gold_cues is None else span in gold_cues))
        groups.append(((cs, ce), rows))
    return (srcs, cues), groups




def rows(split: str, cache: Path, out: Path, crf_dir: Path | None, oof: Path | None, limit: int) -> None:
    """Pickle, per article of ``split``, its predictions, gold and candidate groups: dev with the shipped
    tagger, train with the fold CRFs of ``crf_dir`` and the cross-fitted MiniLM probabilities of ``oof``."""
    import pickle
    import time

    import numpy as np

    from tracewire.analyze.attribution_crf import MODEL_PATH, load_tagger
    from tracewire.analyze.attribution_minilm import WEIGHT, CrfWeights, load_encoder, token_q

    arts = polnear.articles(split)[: limit or None]
    docs = polnear.parse([t for t, _ in polnear.articles(split)], split, cache)[: len(arts)]
    res = []
    t0 = time.process_time()
    if split == "train":
        assert crf_dir is not None and oof is not None
        crfs = [CrfWeights(load_tagger(crf_dir / f"crf-fold{k}.crfsuite")) for k in range(2)]
        meta = np.load(oof / "train-meta.npz")
        probs: dict[int, Any] = {}
        for f in sorted(oof.glob("train-oof-fold*.npz")):
            with np.load(f) as z:
                probs.update({int(k[1:]): z[k] for k in z.files})
    else:
        crf = CrfWeights(load_tagger(MODEL_PATH))
        enc = load_encoder()
    for i, ((text, ann), doc) in enumerate(zip(arts, docs, strict=True)):
        gold = polnear.load_gold(ann)
        if split == "train":
            c = crfs[i % 2]
            q = token_q(doc, meta[f"offs{i}"], probs[i], c.labels)
        else:
            c = crf
            offs, p = enc.probs(text, [s.start_char for s in doc.sents])
            q = token_q(doc, offs, p, c.labels)
        rec = Recorder(c, np.log(np.maximum(q, 1e-6)), WEIGHT)
        pred, groups = doc_groups(text, doc, rec, gold[1])
        res.append((pred, gold, groups))
        if i % 100 == 0:
            print(i, round(time.process_time() - t0), flush=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("wb") as fh:
        pickle.dump(res, fh)
    s = polnear.scores([r[0][0] for r in res], [r[1][0] for r in res])
    c2 = polnear.scores([r[0][1] for r in res], [r[1][1] for r in res])
    n = sum(len(r[2]) for r in res)
    reach = sum(any(x[3] for x in g[1]) for r in res for g in r[2])
    exact = sum(g[1][0][3] for r in res for g in r[2])
    print(f"{split}: source {s['exact_f1']:.4f} cue {c2['exact_f1']:.4f} (P {c2['exact_p']:.3f} R {c2['exact_r']:.3f}); "
          f"{n} groups, {exact} exact, {reach} with the gold among candidates", flush=True)


def _matrix(res: Sequence[Any], vocab: dict[str, int] | None = None, minfreq: int = 2) -> tuple[Any, Any, dict[str, int]]:
    """Sparse (candidates, features) matrix, labels and the feature vocabulary (built when not given:
    string features seen at least ``minfreq`` times, then the numeric ones)."""
    from collections import Counter

    import numpy as np
    from scipy import sparse

    if vocab is None:
        cnt: Counter[str] = Counter(f for r in res for _, rows_ in r[2] for _, fs, _, _ in rows_ for f in fs)
        vocab = {f: i for i, f in enumerate(sorted(f for f, n in cnt.items() if n >= minfreq))}
    nstr = len(vocab)
    ind, ptr, val, y = [], [0], [], []
    for r in res:
        for _, rows_ in r[2]:
            for _, fs, nums, lab in rows_:
                ids = sorted({vocab[f] for f in fs if f in vocab})
                ind += ids
                val += [1.0] * len(ids)
                ind += [nstr + j for j in range(len(nums))]
                val += nums
                ptr.append(len(ind))
                y.append(bool(lab))
    nnum = len(res[0][2][0][1][0][2]) if res and res[0][2] else 3
    x = sparse.csr_matrix((np.array(val), np.array(ind), np.array(ptr)), shape=(len(y), nstr + nnum))
    return x, np.array(y), vocab


def apply(res: Sequence[Any], scores: Any, margin: float) -> tuple[list[set[tuple[int, int]]], dict[str, int]]:
    """Per article the cues after the re-ranker: each cue moved to its best candidate when that beats the
    cue's own score by ``margin``; with counts of moves: "fixed" a wrong cue onto a gold span not yet
    found, "broke" a gold cue (moved off it), "other" the rest (a wrong cue to another wrong span, or onto
    a gold span another cue already found)."""
    out = []
    k = 0
    moved = {"fixed": 0, "broke": 0, "other": 0}
    for (pred, gold, groups) in res:
        cues = set(pred[1])
        for orig, rows_ in groups:
            sc = scores[k : k + len(rows_)]
            k += len(rows_)
            j = int(sc.argmax())
            if j and sc[j] - sc[0] > margin:
                new = rows_[j][0]
                if orig in gold[1]:
                    moved["broke"] += 1
                elif new in gold[1] and new not in cues:
                    moved["fixed"] += 1
                else:
                    moved["other"] += 1
                cues.discard(orig)
                cues.add(new)
        out.append(cues)
    return out, moved


def _load(path: Path) -> Any:
    import pickle

    with path.open("rb") as fh:
        return pickle.load(fh)


def _group_starts(res: Sequence[Any]) -> NDArray[np.int64]:
    st = [0]
    for r in res:
        for _, rows_ in r[2]:
            st.append(st[-1] + len(rows_))
    return np.array(st)


def _conditional(x: Any, y: Any, st: NDArray[np.int64], l2: float) -> NDArray[np.float64]:
    """Weights of a conditional logit (softmax over each cue's candidates; cues whose gold span is not
    among them left out), L2 ``l2``, by L-BFGS."""
    from scipy.optimize import minimize

    sizes = np.diff(st)
    gid = np.repeat(np.arange(len(sizes)), sizes)
    haspos = np.add.reduceat(y.astype(float), st[:-1]) > 0
    w_row = haspos[gid].astype(float)
    xt = x.T.tocsr()

    def f(w: NDArray[np.float64]) -> tuple[float, NDArray[np.float64]]:
        s = x @ w
        mx = np.maximum.reduceat(s, st[:-1])
        e = np.exp(s - mx[gid])
        z = np.add.reduceat(e, st[:-1])
        nll = -(s[y].sum() - (mx + np.log(z))[haspos].sum())
        return float(nll + 0.5 * l2 * w @ w), xt @ ((e / z[gid] - y) * w_row) + l2 * w

    out: NDArray[np.float64] = minimize(f, np.zeros(x.shape[1]), jac=True, method="L-BFGS-B",
                                        options={"maxiter": 300}).x
    return out


def _scorer(kind: str, c: float, x: Any, y: Any, st: NDArray[np.int64]) -> Any:
    """A function from a feature matrix to candidate scores, fitted on (x, y)."""
    from sklearn.linear_model import LogisticRegression

    if kind == "conditional":
        w = _conditional(x, y, st, c)
        return lambda m: m @ w
    lr = LogisticRegression(C=c, max_iter=2000, solver="liblinear").fit(x, y)
    return lr.decision_function


def fit(train_rows: Path, dev_rows: Path, kind: str, cs: Sequence[float], margins: Sequence[float]) -> None:
    """The re-ranker fitted on train's even articles and scored on its odd ones (both out-of-fold
    predictions), then fitted on all of train and scored on dev; cue F1 by margin."""
    tr, dv = _load(train_rows), _load(dev_rows)
    h0, h1 = tr[0::2], tr[1::2]
    x0, y0, v0 = _matrix(h0)
    x1, _, _ = _matrix(h1, v0)
    xt, yt, vocab = _matrix(tr)
    xd, _, _ = _matrix(dv, vocab)
    print(f"train {xt.shape} positives {int(yt.sum())}; dev {xd.shape}", flush=True)
    for c in cs:
        half = _scorer(kind, c, x0, y0, _group_starts(h0))(x1)
        full = _scorer(kind, c, xt, yt, _group_starts(tr))(xd)
        for name, res, sc in (("train odd", h1, half), ("dev", dv, full)):
            base = polnear.scores([r[0][1] for r in res], [r[1][1] for r in res])["exact_f1"]
            for m in margins:
                cues, moved = apply(res, sc, m)
                f = polnear.scores(cues, [r[1][1] for r in res])
                print(f"{kind} C {c} {name} margin {m}: cue {base:.4f} -> {f['exact_f1']:.4f} "
                      f"(P {f['exact_p']:.3f} R {f['exact_r']:.3f}) {moved}", flush=True)


def _cue_rows(res: Sequence[Any]) -> list[Any]:
    """The filter's rows: per cue, its own candidate's string features (edge moves aside) and the best
    posterior and head gains among its other candidates."""
    out = []
    for p, g, groups in res:
        gr = []
        for o, cands in groups:
            span, fs, _, lab = cands[0]
            dm = max((c[2][0] for c in cands[1:]), default=-4.0)
            dq = max((c[2][1] for c in cands[1:]), default=-4.0)
            keep = [f for f in fs if not f.startswith(("dl=", "dr=", "dldr="))]
            gr.append((o, [(span, keep, [dm, dq, len(cands) / 30], lab)]))
        out.append((p, g, gr))
    return out


def cue_filter(train_rows: Path, dev_rows: Path, cs: Sequence[float], ths: Sequence[float]) -> None:
    """A cue filter (logistic: is the cue exactly a gold one) fitted as ``fit`` is; a cue whose
    probability falls below a threshold is dropped."""
    from sklearn.linear_model import LogisticRegression

    tr, dv = _cue_rows(_load(train_rows)), _cue_rows(_load(dev_rows))
    h0, h1 = tr[0::2], tr[1::2]
    for c in cs:
        x0, y0, v0 = _matrix(h0)
        x1, _, _ = _matrix(h1, v0)
        xt, yt, vocab = _matrix(tr)
        xd, _, _ = _matrix(dv, vocab)
        half = LogisticRegression(C=c, max_iter=2000, solver="liblinear").fit(x0, y0).predict_proba(x1)[:, 1]
        full = LogisticRegression(C=c, max_iter=2000, solver="liblinear").fit(xt, yt).predict_proba(xd)[:, 1]
        for name, res, prob in (("train odd", h1, half), ("dev", dv, full)):
            for th in ths:
                k, cues, dropped = 0, [], {"right": 0, "wrong": 0}
                for p, g, groups in res:
                    cs_ = set(p[1])
                    for o, _ in groups:
                        if prob[k] < th:
                            cs_.discard(o)
                            dropped["right" if o in g[1] else "wrong"] += 1
                        k += 1
                    cues.append(cs_)
                f = polnear.scores(cues, [r[1][1] for r in res])
                print(f"filter C {c} {name} threshold {th}: cue {f['exact_f1']:.4f} (P {f['exact_p']:.3f} "
                      f"R {f['exact_r']:.3f}) dropped {dropped}", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("crf-folds")
    p.add_argument("--cache", type=Path, required=True)
    p.add_argument("--out", type=Path, required=True)
    p = sub.add_parser("rows")
    p.add_argument("split", choices=("train", "dev"))
    p.add_argument("--cache", type=Path, required=True)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--crf-folds", type=Path, default=None)
    p.add_argument("--minilm-oof", type=Path, default=None)
    p.add_argument("--limit", type=int, default=0)
    p = sub.add_parser("fit")
    p.add_argument("train_rows", type=Path)
    p.add_argument("dev_rows", type=Path)
    p.add_argument("--kind", choices=("pointwise", "conditional"), default="pointwise")
    p.add_argument("--c", type=float, nargs="+", default=[0.1, 1.0],
                   help="pointwise: logistic C; conditional: L2 weight")
    p.add_argument("--margins", type=float, nargs="+", default=[0.0, 0.5, 1.0, 2.0])
    p = sub.add_parser("filter")
    p.add_argument("train_rows", type=Path)
    p.add_argument("dev_rows", type=Path)
    p.add_argument("--c", type=float, nargs="+", default=[0.1, 1.0])
    p.add_argument("--thresholds", type=float, nargs="+", default=[0.1, 0.2, 0.3, 0.4])
    args = ap.parse_args()
    if args.cmd == "fit":
        fit(args.train_rows, args.dev_rows, args.kind, args.c, args.margins)
    elif args.cmd == "filter":
        cue_filter(args.train_rows, args.dev_rows, args.c, args.thresholds)
    elif args.cmd == "crf-folds":
        crf_folds(args.out, args.cache)
    elif args.cmd == "rows":
        rows(args.split, args.cache, args.out, args.crf_folds, args.minilm_oof, args.limit)


if __name__ == "__main__":
    main()
