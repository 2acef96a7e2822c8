"""Experiment (issue 12, acceptance 4): decodings of the shipped token and sentence probabilities into
technique spans, each scored on the 62 PTC development articles with its settings chosen on them (a
development figure, optimistic) and by 5-fold cross-validation over those articles (settings, or a fitted
rescorer, chosen on four folds' articles and applied to the fifth; the held folds' spans pooled and scored
once with ``si_scores``: the honest development figure).

    python eval/techniques_decode_cv.py [--cache /tmp/sp31/dev_cache.pkl] [--variants shipped hyst ... crf]

The cache holds, per development article, the shipped pipeline's linear token and gate probabilities, the
MiniLM members' mean token probabilities (with the run-time cascade, as ``TechniqueModel.mixed_probs`` runs
them) and the mixed probabilities decoding reads; it is built once (about 40 CPU s) and each variant then
costs seconds. The shipped decode on it reproduces ``eval/techniques.py --split dev`` (SI 0.4348).

Variants (``VARIANTS``; the token probability ``p`` and sentence gate ``q`` are the shipped mixes):

- ``shipped``: one span per sentence with ``q >= gate``, first to last token with ``p >= thr``, edge
  punctuation trimmed (``TechniqueModel.decode``);
- ``hyst``: hysteresis, a token at ``p >= hi`` starts a span and neighbouring tokens at ``p >= lo`` extend it
  (first seed's run to the last seed's run);
- ``split``: several spans per sentence, runs of ``p >= thr`` apart by more than ``gap`` tokens;
- ``trim``: the shipped span with stop words also trimmed from its left / right edge;
- ``snap``: the shipped span's edges moved out to a clause boundary (sentence edge or , ; : ( ) - and
  quotes) when one lies within ``k`` tokens;
- ``hmm``: a two-state Viterbi path per kept sentence (emission ``logit(p) - logit(thr)`` for "in",
  switching cost ``cost``), one span from its first to its last "in" token;
- ``kadane``: per kept sentence the one run of tokens with the largest sum of ``p - c``;
- ``relgate``: the shipped decode, a sentence also needing ``q`` at least ``delta`` above its article's mean;
- ``rescore``: the shipped spans (candidate gate 0.3, or chosen among 0.2 to 0.35 in each fold), each kept
  or dropped by a logistic regression on span features (``span_table``: largest and mean mixed, MiniLM and
  linear probability, both gates, words, share of the sentence, position, quotes, neighbours' gates, the
  article's mean gate, and optionally the span classifier's 14 probabilities, its top one and entropy)
  with soft labels (the span's share of precision); C and keep-threshold chosen in-sample on the training
  folds;
- ``crf`` (only when named; 160 CPU s): a linear-chain CRF (pycrfsuite) on per-token features of the same
  probabilities, labels in / out of gold, its marginals decoded as the shipped decode; nested CV (the
  thresholds of each held fold chosen on inner out-of-fold marginals of the other four).

Results (SI F1 on the 62 development articles; "dev" with every setting chosen on them, "CV" the pooled
held folds; `python eval/techniques_decode_cv.py` and `--variants crf`, branch sp31):

=========  ======  ======  ==================================================================
variant    dev     CV      dev-chosen setting
=========  ======  ======  ==================================================================
shipped    0.4348  0.4225  gate 0.3, thr 0.2 (the shipped decode; P 0.3796, R 0.5089)
hyst       0.4350  0.4240  gate 0.3, hi 0.2, lo 0.15
split      0.4336  0.4209  gate 0.3, thr 0.2, gaps over 16 tokens
trim       0.4347  0.4238  gate 0.3, thr 0.2, stop words trimmed on the right
snap       0.4348  0.4225  (no snap helps: the shipped spans)
hmm        0.4340  0.4199  gate 0.3, thr 0.15, cost 0.1
kadane     0.4295  0.4136  gate 0.3, c 0.15
relgate    0.4348  0.4208  (no relative gate helps)
rescore    0.4362  0.4298  gate 0.3, C 1, tau 0.175, tagger features only
rescore    0.4375  0.4329  the same with the span classifier's probabilities (P 0.3881, R 0.4895 CV)
rescore    0.4375  0.4267  with classifier features, candidate gate chosen per fold
crf        0.4173  0.4093  c1 0, c2 1 (c1 0.1, c2 0.1: 0.4113 / 0.4051)
=========  ======  ======  ==================================================================

The best cross-validated figure, the rescorer's 0.4329, stays under the shipped decode's development 0.4348
(itself 0.4225 under the same cross-validation: the decode's two thresholds were chosen on these articles),
and no variant gains more than 0.003 on dev with its settings picked there, so the shipped decode stays.
The folds matter as much as the variants: with the folds of seeds 13, 1, 2, 3 and 4 (``--seeds 1 2 3 4
--variants shipped hyst trim rescore``) the mean CV SI F1 is 0.4283 for the shipped decode (0.4211 to
0.4348), 0.4271 hysteresis, 0.4277 stop-word trim, 0.4299 the rescorer on tagger features (0.4264 to
0.4314), 0.4268 with the classifier's probabilities (0.4169 to 0.4337), 0.4262 / 0.4184 with the
candidate gate chosen in the folds: the rescorer's lead under seed 13 is fold luck.
Every decode costs under 1 CPU ms an article (the shipped one 0.23 ms), negligible beside the MiniLM tagging.

A fine-tuned sentence gate (branch ``sg32``): ``--gate-probs`` adds ``eval/train_techniques_gate.py``'s
development probabilities ``g`` per sentence, prints the sentence-level AUC, average precision and best F1
of the shipped gate ``q``, the linear gate and ``g`` (label: a token of the sentence overlaps gold), and
enables the variants ``gate`` (``g`` in place of ``q``), ``gatemix`` (``(1 - w) q + w g``, w in 0.1, 0.25,
0.5, 0.75), ``gatelogit`` (the same mix of log-odds), ``gateswap`` (``g`` in place of the linear gate in the
shipped mix, ``(1 - a) g + a q_min``) and ``oraclegate`` (exactly the sentences with gold: an
upper bound, not a method). ``--gate-probs /tmp/sg32/r4/dev_gate.npz --variants shipped gate gatemix
gatelogit gateswap --seeds 13 1 2 3 4`` (the binary-label gate, epoch 3):

==========  ======  ==========  ==========================================
variant     dev     mean CV     dev-chosen setting
==========  ======  ==========  ==========================================
shipped     0.4348  0.4283      gate 0.3, thr 0.2
gate        0.4269  0.4220      gate 0.1, thr 0.2
gatemix     0.4356  0.4271      w 0.25, gate 0.25, thr 0.2 (P 0.3661, R 0.5376)
gatelogit   0.4339  0.4262      w 0.1, gate 0.25, thr 0.2
gateswap    0.4302  0.4227      a 0.5, gate 0.2, thr 0.2
==========  ======  ==========  ==========================================

(CV per fold draw, seeds 13 / 1 / 2 / 3 / 4: gatemix 0.4243 / 0.4228 / 0.4265 / 0.4318 / 0.4300 against the
shipped 0.4225 / 0.4348 / 0.4211 / 0.4283 / 0.4348.) With the soft-label gate (``--soft``): 0.3863 / 0.3858,
0.4314 / 0.4201, 0.4294 / 0.4189. Sentence level: ``g`` AUC 0.7889, AP 0.5581, best F1 0.5593; shipped
``q`` 0.8164 / 0.6039 / 0.5904; linear gate 0.7711 / 0.5304 / 0.5460 (3445 sentences, 25.7 % positive).
``--variants oraclegate``: 0.6789 (P 0.6127, R 0.7612), the room a perfect gate would leave.
"""

from __future__ import annotations

import argparse
import itertools
import pickle
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from techniques import DEFAULT_PTC, ROOT, load_part, merge, si_scores  # noqa: E402

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

Span = tuple[int, int]
FOLDS = 5
SEED = 13
CLAUSE = frozenset(",;:()-–—\"“”«»")


class Row:
    """One development article: token flags and offsets, sentence ranges, probabilities and gold spans."""

    def __init__(self, d: dict[str, Any]) -> None:
        from tracewire.analyze.techniques_features import _QUOTES, _STOP

        self.id: str = d["id"]
        self.gold: list[Span] = d["gold"]
        texts = [t[2] for t in d["toks"]]
        self.start = np.array([t[0] for t in d["toks"]], dtype=np.int64)
        self.end = np.array([t[1] for t in d["toks"]], dtype=np.int64)
        self.alnum = np.array([x[:1].isalnum() for x in texts], dtype=bool)
        self.keep_left = self.alnum | np.array([x in _QUOTES for x in texts], dtype=bool)
        self.keep_right = self.alnum | np.array([x != "" and x in "!?" for x in texts], dtype=bool)
        self.stop = np.array([x.lower() in _STOP for x in texts], dtype=bool)
        self.clause = np.array([x in CLAUSE for x in texts], dtype=bool)
        self.quote = np.array([x in _QUOTES for x in texts], dtype=bool)
        self.sent_tokens: list[Span] = [tuple(x) for x in d["sent_tokens"]]  # type: ignore[misc]
        self.p: np.ndarray = d["p_mix"]
        self.q: np.ndarray = d["q_mix"]
        self.p_lin: np.ndarray = d["p_lin"]
        self.q_lin: np.ndarray = d["q_lin"]
        self.p_min: np.ndarray = d["p_min"]
        self.shipped: list[Span] = d["dec"]
        # per sentence with a span at token threshold 0.2: its characters and the classifier's probabilities
        self.cls: dict[int, tuple[int, int, np.ndarray]] = d.get("cls", {})
        # the fine-tuned sentence gate's probability per sentence (``--gate-probs``), when given
        self.g: np.ndarray = d.get("g", np.zeros(len(self.sent_tokens)))

    def sentence_labels(self) -> np.ndarray:
        """Per sentence, 1 when one of its tokens overlaps a gold span (sentences without tokens: -1)."""
        gs = merge(s for s in self.gold if s[1] > s[0])
        out = np.full(len(self.sent_tokens), -1.0)
        for k, (a, b) in enumerate(self.sent_tokens):
            if b > a:
                out[k] = float(any(u < self.end[b - 1] and self.start[a] < w for u, w in gs))
        return out


def build_cache(path: Path, ptc: Path) -> None:
    """Write the development articles' probabilities (see the module docstring) to ``path``."""
    from tracewire.analyze.techniques import article_view, load_model

    dev = load_part(ptc, "dev")
    model = load_model(minilm=True)
    assert model.tagger is not None, "the package ships no MiniLM tagger"
    cfg = model.tagger.config
    out = []
    cpu = 0.0
    for a in dev:
        v = article_view(a.text, model.lexicon)
        p = model.token_probs(v)
        q = model.sentence_probs(v, p)
        pm, qm = model.mixed_probs(v, p, q)
        gmix, gate = float(cfg["gate_mix"]), float(cfg["sent_threshold"])
        keep = [k for k, x in enumerate(q.tolist()) if (1 - gmix) * x + gmix >= gate]
        p_min = model.tagger.token_probs(v, keep, (p, q))
        c0 = time.process_time()
        dec = model.decode(v, pm, qm)
        cpu += time.process_time() - c0
        # the span classifier's probabilities for each sentence's span at token threshold 0.2 (any gate)
        cand = []
        for k, s, t in _token_spans(v.sent_tokens, np.ones(len(v.sent_tokens)), pm, 0.0, 0.2):
            if (st := _trim_tokens(v, s, t)) is not None:
                cand.append((k, *st))
        rows = model.classify(v, [(s, t) for _, s, t in cand])
        out.append({"id": a.id, "gold": [(s, e) for s, e, _ in a.spans],
                    "toks": [(t.start, t.end, t.text) for t in v.toks], "sent_tokens": list(v.sent_tokens),
                    "p_lin": p, "q_lin": q, "p_min": p_min, "p_mix": pm, "q_mix": qm,
                    "dec": [(v.toks[s].start, v.toks[t - 1].end) for s, t, _ in dec],
                    "cls": {k: (v.toks[s].start, v.toks[t - 1].end, row) for (k, s, t), row in zip(cand, rows, strict=True)}})
    print(f"shipped decode: {cpu / len(dev) * 1000:.2f} CPU ms per article")
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        pickle.dump(out, fh)


def _token_spans(sent_tokens: Sequence[Span], q: np.ndarray, p: np.ndarray, gate: float, thr: float
                 ) -> list[tuple[int, int, int]]:
    """The shipped decode before trimming: (sentence, first token, end token) per kept sentence."""
    out = []
    for k, ((a, b), qs) in enumerate(zip(sent_tokens, q, strict=True)):
        if qs < gate or b <= a:
            continue
        on = np.flatnonzero(p[a:b] >= thr)
        if len(on):
            out.append((k, a + int(on[0]), a + int(on[-1]) + 1))
    return out


def _trim_tokens(v: Any, s: int, t: int) -> Span | None:
    """``TechniqueModel.decode``'s edge trimming of tokens [s, t) of an article view (None: nothing left)."""
    from tracewire.analyze.techniques_features import _QUOTES

    while s < t and not v.toks[s].text[:1].isalnum() and v.toks[s].text not in _QUOTES:
        s += 1
    while t > s and not v.toks[t - 1].text[:1].isalnum() and v.toks[t - 1].text not in "!?":
        t -= 1
    return (s, t) if t > s and any(v.toks[m].text[:1].isalnum() for m in range(s, t)) else None


def trimmed(r: Row, s: int, t: int) -> Span | None:
    """Tokens [s, t) trimmed as ``TechniqueModel.decode`` trims, as characters; None when nothing is left."""
    while s < t and not r.keep_left[s]:
        s += 1
    while t > s and not r.keep_right[t - 1]:
        t -= 1
    return (int(r.start[s]), int(r.end[t - 1])) if t > s and r.alnum[s:t].any() else None


def token_spans(r: Row, gate: float, thr: float) -> list[tuple[int, int, int]]:
    """The shipped decode before trimming: (sentence, first token, end token) per kept sentence."""
    return _token_spans(r.sent_tokens, r.q, r.p, gate, thr)


def shipped(r: Row, gate: float, thr: float) -> list[Span]:
    """``TechniqueModel.decode``."""
    return [x for _, s, t in token_spans(r, gate, thr) if (x := trimmed(r, s, t)) is not None]


def kept_sentences(r: Row, gate: float) -> Iterator[tuple[int, int]]:
    """The token bounds of each sentence the gate keeps (its probability at least ``gate``, not empty)."""
    for (a, b), q in zip(r.sent_tokens, r.q, strict=True):
        if q >= gate and b > a:
            yield a, b


def hyst(r: Row, gate: float, hi: float, lo: float) -> list[Span]:
    """Hysteresis: seeds at ``hi``, extended over neighbouring tokens at ``lo``; first seed to last seed."""
    out = []
    for a, b in kept_sentences(r, gate):
        on = np.flatnonzero(r.p[a:b] >= hi)
        if not len(on):
            continue
        s, t = a + int(on[0]), a + int(on[-1]) + 1
        while s > a and r.p[s - 1] >= lo:
            s -= 1
        while t < b and r.p[t] >= lo:
            t += 1
        if (x := trimmed(r, s, t)) is not None:
            out.append(x)
    return out


def split(r: Row, gate: float, thr: float, gap: int) -> list[Span]:
    """Runs of tokens at ``thr`` in a kept sentence, apart by more than ``gap`` tokens, as separate spans."""
    out = []
    for a, b in kept_sentences(r, gate):
        on = np.flatnonzero(r.p[a:b] >= thr)
        if not len(on):
            continue
        runs = [[int(on[0]), int(on[0])]]
        for i in on[1:].tolist():
            if i - runs[-1][1] > gap:
                runs.append([i, i])
            else:
                runs[-1][1] = i
        out.extend(x for s, t in runs if (x := trimmed(r, a + s, a + t + 1)) is not None)
    return out


def trim_stop(r: Row, gate: float, thr: float, left: bool, right: bool) -> list[Span]:
    """The shipped spans with stop words (and punctuation) also trimmed from the chosen edges."""
    out = []
    for _, s, t in token_spans(r, gate, thr):
        while True:
            s0, t0 = s, t
            while s < t and (not r.keep_left[s] or (left and r.stop[s])):
                s += 1
            while t > s and (not r.keep_right[t - 1] or (right and r.stop[t - 1])):
                t -= 1
            if (s, t) == (s0, t0):
                break
        if t > s and r.alnum[s:t].any():
            out.append((int(r.start[s]), int(r.end[t - 1])))
    return out


def snap(r: Row, gate: float, thr: float, k: int) -> list[Span]:
    """The shipped spans with each edge moved out to a clause boundary within ``k`` tokens (if any)."""
    out = []
    for si, s, t in token_spans(r, gate, thr):
        a, b = r.sent_tokens[si]
        for j in range(1, k + 1):
            if s - j < a:
                s = a
                break
            if r.clause[s - j]:
                s = s - j + 1
                break
        for j in range(k):
            if t + j >= b:
                t = b
                break
            if r.clause[t + j]:
                t = t + j
                break
        if (x := trimmed(r, s, t)) is not None:
            out.append(x)
    return out


def _logit(x: np.ndarray | float) -> np.ndarray:
    """Log-odds, clipped away from 0 and 1."""
    y = np.clip(np.asarray(x, dtype=np.float64), 1e-4, 1 - 1e-4)
    out: np.ndarray = np.log(y / (1 - y))
    return out


def viterbi(score: np.ndarray, cost: float) -> np.ndarray:
    """The best in/out path over tokens whose "in" scores are ``score`` ("out" scores 0), ``cost`` per switch."""
    n = len(score)
    back = np.zeros((n, 2), dtype=np.int8)
    v0, v1 = 0.0, float(score[0])
    for i in range(1, n):
        from0, from1 = (v0, v1 - cost), (v0 - cost, v1)
        back[i, 0] = int(from0[1] > from0[0])
        back[i, 1] = int(from1[1] > from1[0])
        v0, v1 = max(from0), max(from1) + float(score[i])
    path = np.zeros(n, dtype=np.int8)
    path[-1] = int(v1 > v0)
    for i in range(n - 1, 0, -1):
        path[i - 1] = back[i, path[i]]
    return path


def hmm(r: Row, gate: float, thr: float, cost: float) -> list[Span]:
    """A two-state Viterbi path per kept sentence; one span from its first to its last "in" token."""
    out = []
    lt = float(_logit(thr))
    for a, b in kept_sentences(r, gate):
        on = np.flatnonzero(viterbi(_logit(r.p[a:b]) - lt, cost))
        if len(on) and (x := trimmed(r, a + int(on[0]), a + int(on[-1]) + 1)) is not None:
            out.append(x)
    return out


def kadane(r: Row, gate: float, c: float) -> list[Span]:
    """Per kept sentence, the one run of tokens with the largest sum of ``p - c`` (none when no sum is positive)."""
    out = []
    for a, b in kept_sentences(r, gate):
        best, s_best, t_best, run, s0 = 0.0, 0, 0, 0.0, a
        for i in range(a, b):
            if run <= 0:
                run, s0 = 0.0, i
            run += float(r.p[i]) - c
            if run > best:
                best, s_best, t_best = run, s0, i + 1
        if best > 0 and (x := trimmed(r, s_best, t_best)) is not None:
            out.append(x)
    return out


def relgate(r: Row, gate: float, thr: float, delta: float) -> list[Span]:
    """The shipped decode with a sentence also needing ``q`` at least ``delta`` above its article's mean."""
    floor = max(gate, float(r.q.mean()) + delta) if len(r.q) else gate
    return shipped(r, floor, thr)


def gate(r: Row, gate: float, thr: float) -> list[Span]:
    """The shipped decode with the fine-tuned sentence gate's probability ``g`` in place of ``q``."""
    return [x for _, s, t in _token_spans(r.sent_tokens, r.g, r.p, gate, thr) if (x := trimmed(r, s, t)) is not None]


def gatemix(r: Row, w: float, gate: float, thr: float) -> list[Span]:
    """The shipped decode on the sentence probability ``(1 - w) q + w g`` (``g`` the fine-tuned gate's)."""
    q = (1 - w) * r.q + w * r.g
    return [x for _, s, t in _token_spans(r.sent_tokens, q, r.p, gate, thr) if (x := trimmed(r, s, t)) is not None]


def gatelogit(r: Row, w: float, gate: float, thr: float) -> list[Span]:
    """The shipped decode on the sentence probability ``sigmoid((1 - w) logit(q) + w logit(g))``."""
    q = 1 / (1 + np.exp(-((1 - w) * _logit(r.q) + w * _logit(r.g))))
    return [x for _, s, t in _token_spans(r.sent_tokens, q, r.p, gate, thr) if (x := trimmed(r, s, t)) is not None]


def gateswap(r: Row, a: float, gate: float, thr: float) -> list[Span]:
    """The shipped sentence mix with the fine-tuned gate in place of the linear one: ``(1 - a) g + a q_min``,
    ``q_min = 2 q - q_lin`` the taggers' largest probability in the sentence (``q`` mixes them half and half)."""
    q = (1 - a) * r.g + a * np.clip(2 * r.q - r.q_lin, 0.0, 1.0)
    return [x for _, s, t in _token_spans(r.sent_tokens, q, r.p, gate, thr) if (x := trimmed(r, s, t)) is not None]


def oraclegate(r: Row, thr: float) -> list[Span]:
    """An upper bound, not a method: the shipped decode on exactly the sentences that overlap a gold span."""
    q = (r.sentence_labels() > 0).astype(np.float64)
    return [x for _, s, t in _token_spans(r.sent_tokens, q, r.p, 0.5, thr) if (x := trimmed(r, s, t)) is not None]


GRID = (0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4)
GATE_GRID = (*GRID, 0.45, 0.5, 0.55, 0.6)
VARIANTS: dict[str, tuple[Callable[..., list[Span]], list[tuple[Any, ...]]]] = {
    "shipped": (shipped, [(g, t) for g in GRID for t in GRID]),
    "hyst": (hyst, [(g, hi, lo) for g in GRID for hi in (*GRID, 0.45, 0.5, 0.6) for lo in GRID if lo < hi]),
    "split": (split, [(g, t, gap) for g in GRID for t in (0.15, 0.2, 0.25, 0.3) for gap in (2, 4, 8, 16)]),
    "trim": (trim_stop, [(g, t, le, ri) for g in GRID for t in (0.15, 0.2, 0.25)
                         for le, ri in ((True, False), (False, True), (True, True))]),
    "snap": (snap, [(g, t, k) for g in GRID for t in (0.15, 0.2, 0.25) for k in (1, 2, 3, 5)]),
    "kadane": (kadane, [(g, c) for g in GRID for c in (0.05, 0.1, 0.15, 0.2, 0.25, 0.3)]),
    "relgate": (relgate, [(g, t, d) for g in GRID for t in (0.15, 0.2, 0.25)
                          for d in (-0.2, -0.1, -0.05, 0.0, 0.05, 0.1)]),
    "hmm": (hmm, [(g, t, c) for g in GRID for t in (0.15, 0.2, 0.25, 0.3) for c in (0.1, 0.25, 0.5, 1.0, 2.0)]),
    # only with --gate-probs
    "gate": (gate, [(g, t) for g in GATE_GRID for t in GRID]),
    "gatemix": (gatemix, [(w, g, t) for w in (0.1, 0.25, 0.5, 0.75) for g in GATE_GRID for t in GRID]),
}
VARIANTS["gatelogit"] = (gatelogit, VARIANTS["gatemix"][1])
VARIANTS["gateswap"] = (gateswap, [(a, g, t) for a in (0.25, 0.5, 0.75) for g in GATE_GRID for t in GRID])
VARIANTS["oraclegate"] = (oraclegate, [(t,) for t in GRID])
GATE_VARIANTS = ("gate", "gatemix", "gatelogit", "gateswap", "oraclegate")


def folds(rows: Sequence[Row], seed: int = SEED) -> list[int]:
    """The fold (0..4) of each article: a seeded permutation dealt round-robin."""
    order = np.random.default_rng(seed).permutation(len(rows))
    fold = [0] * len(rows)
    for k, i in enumerate(order.tolist()):
        fold[i] = k % FOLDS
    return fold


def parts(rows: Sequence[Row], preds: Sequence[Sequence[Span]]) -> np.ndarray:
    """Per article, ``si_scores``' four sums (precision sum, predicted spans, recall sum, gold spans), so that
    any set of articles is scored by adding rows (``score``)."""
    out = np.zeros((len(rows), 4))
    for i, (r, pr) in enumerate(zip(rows, preds, strict=True)):
        p, rc, _ = si_scores({r.id: pr}, {r.id: r.gold})
        n_s = len(merge(s for s in pr if s[1] > s[0]))
        n_t = len(merge(s for s in r.gold if s[1] > s[0]))
        out[i] = (p * n_s, n_s, rc * n_t, n_t)
    return out


def score(sums: np.ndarray) -> float:
    """SI F1 from ``parts`` rows added up."""
    p = sums[0] / sums[1] if sums[1] else 0.0
    r = sums[2] / sums[3] if sums[3] else 0.0
    return float(2 * p * r / (p + r)) if p + r else 0.0


def run_grid(rows: Sequence[Row], fn: Callable[..., list[Span]], settings: Iterable[tuple[Any, ...]]
             ) -> tuple[dict[tuple[Any, ...], list[list[Span]]], dict[tuple[Any, ...], np.ndarray]]:
    """Every setting's spans per article and its ``parts``."""
    preds, table = {}, {}
    for st in settings:
        preds[st] = [fn(r, *st) for r in rows]
        table[st] = parts(rows, preds[st])
    return preds, table


def report(name: str, rows: Sequence[Row], preds: dict[tuple[Any, ...], list[list[Span]]],
           table: dict[tuple[Any, ...], np.ndarray], fold: Sequence[int]) -> tuple[float, float]:
    """Print the dev-best setting's SI and the 5-fold CV SI (settings chosen on four folds); return both F1s."""
    gold = {r.id: r.gold for r in rows}
    best = max(table, key=lambda st: score(table[st].sum(0)))
    p, rc, f = si_scores({r.id: pr for r, pr in zip(rows, preds[best], strict=True)}, gold)
    cv: dict[str, list[Span]] = {}
    chosen = []
    fa = np.array(fold)
    for k in range(FOLDS):
        st = max(table, key=lambda s: score(table[s][fa != k].sum(0)))
        chosen.append(st)
        for i in np.flatnonzero(fa == k).tolist():
            cv[rows[i].id] = preds[st][i]
    cp, cr, cf = si_scores(cv, gold)
    print(f"{name}: dev-chosen {best} SI P={p:.4f} R={rc:.4f} F1={f:.4f}; 5-fold CV SI P={cp:.4f} R={cr:.4f} "
          f"F1={cf:.4f} (chosen per fold: {chosen})", flush=True)
    return f, cf


def span_table(rows: Sequence[Row], gate: float, thr: float, cls: bool = True) -> list[tuple[int, Span, np.ndarray, float]]:
    """The shipped decode's spans at (gate, thr) with rescoring features: (article, char span, features,
    share of precision against the merged gold spans)."""
    out = []
    for i, r in enumerate(rows):
        gs = merge(s for s in r.gold if s[1] > s[0])
        n = len(r.sent_tokens)
        for si, s, t in token_spans(r, gate, thr):
            x = trimmed(r, s, t)
            if x is None:
                continue
            a, b = r.sent_tokens[si]
            s2 = int(np.searchsorted(r.start, x[0]))
            t2 = int(np.searchsorted(r.end, x[1])) + 1
            seg = r.p[s2:t2]
            words = int(r.alnum[s2:t2].sum())
            feats = np.array([
                _logit(seg.max()), _logit(seg.mean()), _logit(r.p_min[s2:t2].mean()), _logit(r.p_lin[s2:t2].mean()),
                _logit(r.q[si]), _logit(r.q_lin[si]), np.log1p(words), words / max(1, int(r.alnum[a:b].sum())),
                float((seg >= thr).mean()), si / max(1, n - 1), float(si == 0), float(r.quote[s2:t2].any()),
                float(r.quote[a:b].any()), np.log1p(n)], dtype=np.float64)
            qs = r.q
            extra = [_logit(qs[si - 1]) if si else -5.0, _logit(qs[si + 1]) if si + 1 < n else -5.0,
                     float(_logit(qs).mean()), float((qs >= gate).mean())]
            if cls:
                row = r.cls[si][2] if si in r.cls and thr == 0.2 else np.full(14, 1 / 14)
                extra += [float(row.max()), float(-(row * np.log(row + 1e-9)).sum()), *row.tolist()]
            feats = np.concatenate([feats, extra])
            ps = sum(max(0, min(x[1], w) - max(x[0], u)) for u, w in gs) / (x[1] - x[0])
            out.append((i, x, feats, ps))
    return out


def rescore(rows: Sequence[Row], fold: Sequence[int], gates: Sequence[float], thr: float, cls: bool = True,
            cs: Sequence[float] = (0.01, 0.1, 1.0),
            taus: Sequence[float] = tuple(np.round(np.arange(0.0, 0.61, 0.025), 3))) -> tuple[float, float]:
    """The span rescorer on the shipped decode's spans at token threshold ``thr``: a logistic regression on
    ``span_table``'s features, soft labels (each span twice, weighted by its share of precision and by the
    rest). 5-fold CV SI (candidate gate, C and keep-threshold chosen in-sample on the four training folds)
    and the in-sample dev SI of the setting chosen on every article; both F1s returned."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    tables = {g: span_table(rows, g, thr, cls) for g in gates}
    fa = np.array(fold)

    def fit(spans: list[Any], idx: np.ndarray, c: float) -> Any:
        x = np.vstack([spans[k][2] for k in idx])
        y = np.array([spans[k][3] for k in idx])
        sc = StandardScaler().fit(x)
        xx = np.vstack([sc.transform(x)] * 2)
        yy = np.concatenate([np.ones(len(idx)), np.zeros(len(idx))])
        lr = LogisticRegression(C=c, max_iter=2000).fit(xx, yy, sample_weight=np.concatenate([y, 1 - y]) + 1e-6)
        return lambda ks: lr.predict_proba(sc.transform(np.vstack([spans[k][2] for k in ks])))[:, 1]

    def kept(spans: list[Any], ks: np.ndarray, arts: Iterable[int]) -> dict[str, list[Span]]:
        out: dict[int, list[Span]] = {i: [] for i in arts}
        for k in ks.tolist():
            out[spans[k][0]].append(spans[k][1])
        return {rows[i].id: sp for i, sp in out.items()}

    def choose(arts: list[int]) -> tuple[float, float, float, float, Any]:
        gold = {rows[i].id: rows[i].gold for i in arts}
        best: tuple[float, float, float, float, Any] = (-1.0, 0.0, 0.0, 0.0, None)
        inside = set(arts)
        for g, spans in tables.items():
            idx = np.array([k for k, sp in enumerate(spans) if sp[0] in inside])
            for c in cs:
                f_ = fit(spans, idx, c)
                prob = f_(idx)
                for tau in taus:
                    f1 = si_scores(kept(spans, idx[prob >= tau], arts), gold)[2]
                    if f1 > best[0]:
                        best = (f1, g, c, tau, f_)
        return best

    gold = {r.id: r.gold for r in rows}
    cv: dict[str, list[Span]] = {}
    picks = []
    for k in range(FOLDS):
        _, g, c, tau, f_ = choose([i for i in range(len(rows)) if fold[i] != k])
        picks.append((g, c, float(tau)))
        spans = tables[g]
        held = np.array([j for j, sp in enumerate(spans) if fa[sp[0]] == k])
        cv.update(kept(spans, held[f_(held) >= tau], [i for i in range(len(rows)) if fold[i] == k]))
    cp, cr, cf = si_scores(cv, gold)
    f_all, g, c, tau, _ = choose(list(range(len(rows))))
    print(f"rescore (candidate gates {list(gates)}, thr={thr}, classifier features {cls}): 5-fold CV SI P={cp:.4f} "
          f"R={cr:.4f} F1={cf:.4f} (gate, C, tau per fold: {picks}); chosen on all dev (gate={g}, C={c}, "
          f"tau={float(tau)}) in-sample F1={f_all:.4f}", flush=True)
    return f_all, cf


def crf_features(r: Row, a: int, b: int) -> list[dict[str, float]]:
    """Per token of sentence [a, b): the mixed, linear and MiniLM probabilities (values and tenths), the
    neighbours', the sentence gate, and word-shape flags, as pycrfsuite attribute weights."""
    out = []
    q = float(r.q[r_sentence(r, a)])
    for i in range(a, b):
        f: dict[str, float] = {"bias": 1.0, "p": float(r.p[i]), "lp": float(_logit(r.p[i])) / 5,
                               "pl": float(r.p_lin[i]), "pm": float(r.p_min[i]), "q": q,
                               f"pb={int(r.p[i] * 10)}": 1.0, f"qb={int(q * 10)}": 1.0}
        for d in (-2, -1, 1, 2):
            j = i + d
            f[f"p{d}"] = float(r.p[j]) if a <= j < b else 0.0
            f[f"pb{d}={int(r.p[j] * 10) if a <= j < b else -1}"] = 1.0
        f["alnum"], f["stop"], f["quote"], f["clause"] = (float(r.alnum[i]), float(r.stop[i]), float(r.quote[i]),
                                                          float(r.clause[i]))
        f["first"], f["last"] = float(i == a), float(i == b - 1)
        out.append(f)
    return out


def r_sentence(r: Row, a: int) -> int:
    """The sentence whose first token is ``a``."""
    return next(k for k, (s, _) in enumerate(r.sent_tokens) if s == a)


def crf_labels(r: Row, a: int, b: int) -> list[str]:
    """I for tokens that overlap a gold span, O otherwise."""
    gs = merge(s for s in r.gold if s[1] > s[0])
    return ["I" if any(u < r.end[i] and r.start[i] < w for u, w in gs) else "O" for i in range(a, b)]


def crf_marginals(rows: Sequence[Row], train: Sequence[int], apply: Sequence[int], c1: float, c2: float,
                  tmp: Path) -> dict[int, np.ndarray]:
    """A linear-chain CRF trained on the sentences of articles ``train``; P(I) per token of articles ``apply``."""
    import pycrfsuite

    tr = pycrfsuite.Trainer(verbose=False)
    for i in train:
        r = rows[i]
        for a, b in r.sent_tokens:
            if b > a:
                tr.append(crf_features(r, a, b), crf_labels(r, a, b))
    tr.set_params({"c1": c1, "c2": c2, "max_iterations": 150})
    tr.train(str(tmp))
    tg = pycrfsuite.Tagger()
    tg.open(str(tmp))
    out = {}
    for i in apply:
        r = rows[i]
        m = np.zeros(len(r.p))
        for a, b in r.sent_tokens:
            if b > a:
                tg.set(crf_features(r, a, b))
                m[a:b] = [tg.marginal("I", k) for k in range(b - a)]
        out[i] = m
    tg.close()
    return out


class _Swapped:
    """A row whose token probabilities are replaced (the CRF's marginals), for ``shipped``."""

    def __init__(self, r: Row, p: np.ndarray) -> None:
        self.__dict__.update(r.__dict__)
        self.p = p


def crf(rows: Sequence[Row], fold: Sequence[int], c1: float, c2: float, tmp: Path) -> tuple[float, float]:
    """The CRF's marginals decoded as the shipped decode (gate on the shipped sentence probability), nested
    5-fold CV: per held fold, (gate, thr) chosen on the other folds' inner out-of-fold marginals."""
    fa = np.array(fold)
    every = list(range(len(rows)))
    settings = VARIANTS["shipped"][1]
    gold = {r.id: r.gold for r in rows}
    oof: dict[int, np.ndarray] = {}
    for k in range(FOLDS):
        oof.update(crf_marginals(rows, [i for i in every if fa[i] != k], [i for i in every if fa[i] == k], c1, c2, tmp))
    swapped = [_Swapped(r, oof[i]) for i, r in enumerate(rows)]
    preds, table = run_grid(swapped, shipped, settings)  # type: ignore[arg-type]
    best = max(table, key=lambda st: score(table[st].sum(0)))
    p, rc, f = si_scores({r.id: pr for r, pr in zip(rows, preds[best], strict=True)}, gold)
    cv: dict[str, list[Span]] = {}
    picks = []
    for k in range(FOLDS):
        outer = [i for i in every if fa[i] != k]
        inner: dict[int, np.ndarray] = {}
        for j in range(FOLDS):
            if j != k:
                inner.update(crf_marginals(rows, [i for i in outer if fa[i] != j], [i for i in outer if fa[i] == j],
                                           c1, c2, tmp))
        sub = [_Swapped(rows[i], inner[i]) for i in outer]
        _, t_in = run_grid(sub, shipped, settings)  # type: ignore[arg-type]
        st = max(t_in, key=lambda s: score(t_in[s].sum(0)))
        picks.append(st)
        held = [i for i in every if fa[i] == k]
        for i in held:
            cv[rows[i].id] = shipped(_Swapped(rows[i], oof[i]), *st)  # type: ignore[arg-type]
    cp, cr, cf = si_scores(cv, gold)
    print(f"crf c1={c1} c2={c2}: out-of-fold marginals, dev-chosen {best} SI P={p:.4f} R={rc:.4f} F1={f:.4f}; "
          f"nested 5-fold CV SI P={cp:.4f} R={cr:.4f} F1={cf:.4f} (chosen per fold: {picks})", flush=True)
    return f, cf


def add_gate(data: list[dict[str, Any]], path: Path) -> None:
    """Add the fine-tuned gate's probabilities (``g{i}`` per article id of ``ids``) to the cached rows as ``g``."""
    with np.load(path) as z:
        by_id = {str(x): z[f"g{i}"] for i, x in enumerate(z["ids"].tolist())}
    for d in data:
        g = by_id[d["id"]]
        assert len(g) == len(d["sent_tokens"]), f"{d['id']}: gate probabilities for other sentences"
        d["g"] = g


def sentence_report(rows: Sequence[Row]) -> None:
    """Sentence-level AUC, average precision and best-threshold F1 of the shipped mixed gate ``q``, the
    linear gate and the fine-tuned gate ``g`` (label: a token of the sentence overlaps a gold span)."""
    from sklearn.metrics import average_precision_score, roc_auc_score

    y = np.concatenate([r.sentence_labels() for r in rows])
    on = y >= 0
    for name, col in (("shipped gate q", "q"), ("linear gate", "q_lin"), ("fine-tuned gate g", "g")):
        p = np.concatenate([getattr(r, col) for r in rows])[on]
        yy = y[on]
        f, t = max((2 * float(((p >= t) & (yy == 1)).sum()) / max(1.0, float((p >= t).sum() + yy.sum())), float(t))
                   for t in np.round(np.arange(0.05, 0.96, 0.05), 2))
        print(f"{name}: sentence AUC {roc_auc_score(yy, p):.4f}, AP {average_precision_score(yy, p):.4f}, "
              f"best F1 {f:.4f} at {t} ({len(yy)} sentences, {yy.mean():.3f} positive)", flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    """Print dev and cross-validated SI for every decoding variant."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ptc", type=Path, default=DEFAULT_PTC)
    ap.add_argument("--cache", type=Path, default=Path("/tmp/sp31/dev_cache.pkl"),
                    help="the development articles' probabilities (built when missing)")
    ap.add_argument("--variants", nargs="+", default=[*(v for v in VARIANTS if v not in GATE_VARIANTS), "rescore"])
    ap.add_argument("--gate-probs", type=Path, default=None,
                    help="the fine-tuned sentence gate's development probabilities (eval/train_techniques_gate.py's "
                         "dev_gate.npz), added to the cached rows as ``g``; the variants gate, gatemix, gatelogit, gateswap and oraclegate read them")
    ap.add_argument("--seeds", type=int, nargs="+", default=[SEED],
                    help="seeds of the article folds: the CV figures are printed for each")
    args = ap.parse_args(argv)
    if not args.cache.is_file():
        build_cache(args.cache, args.ptc)
    with args.cache.open("rb") as fh:
        data = pickle.load(fh)
    if args.gate_probs is not None:
        add_gate(data, args.gate_probs)
    rows = [Row(d) for d in data]
    gold = {r.id: r.gold for r in rows}
    p, rc, f = si_scores({r.id: r.shipped for r in rows}, gold)
    print(f"shipped pipeline (cache): SI P={p:.4f} R={rc:.4f} F1={f:.4f}")
    if args.gate_probs is not None:
        sentence_report(rows)
    check = {r.id: shipped(r, 0.3, 0.2) for r in rows}
    assert all(check[r.id] == r.shipped for r in rows), "the shipped decode differs from TechniqueModel.decode"
    cvs: dict[str, list[float]] = {}
    for seed in args.seeds:
        fold = folds(rows, seed)
        print(f"folds of seed {seed}:")
        for name in args.variants:
            if name == "crf":
                for c1, c2 in ((0.0, 1.0), (0.1, 0.1)):
                    crf(rows, fold, c1, c2, args.cache.with_suffix(".crf"))
                continue
            if name == "rescore":
                for gates, cls in itertools.product(((0.3,), (0.2, 0.25, 0.3, 0.35)), (False, True)):
                    rescore(rows, fold, gates, 0.2, cls)
                continue
            fn, settings = VARIANTS[name]
            c0 = time.process_time()
            preds, table = run_grid(rows, fn, settings)
            cvs.setdefault(name, []).append(report(name, rows, preds, table, fold)[1])
            print(f"  ({len(settings)} settings, {(time.process_time() - c0) / len(settings) / len(rows) * 1000:.2f} "
                  f"CPU ms per article and setting)")
    if len(args.seeds) > 1:
        for name, fs in cvs.items():
            print(f"{name}: mean 5-fold CV SI F1 over the folds of seeds {args.seeds}: {np.mean(fs):.4f} "
                  f"({min(fs):.4f} to {max(fs):.4f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
