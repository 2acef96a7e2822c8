"""Techniques, step 2: the shipped tagger and classifier (weights, decoding, calibrated scores and the
evidence behind each span), loaded once per process."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from importlib import resources
from itertools import chain
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from ..errors import Code, UsageError
from ..records import Technique
from .techniques_features import (
    _QUOTES,
    LABELS,
    MODEL_PACKAGE,
    N_FEATURES,
    WORD_LEVEL,
    ArticleView,
    ColumnMemo,
    Lexicon,
    article_view,
    bag_columns,
    cluster_columns,
    pack_files,
    sentence_features,
    span_features,
    token_columns,
    word_clusters,
)

if TYPE_CHECKING:
    from .techniques_minilm import MiniLMTagger
    from .techniques_tc_minilm import MiniLMClassifier


def _sigmoid(x: NDArray[np.float64]) -> NDArray[np.float64]:
    """Logistic function."""
    out: NDArray[np.float64] = 1.0 / (1.0 + np.exp(-x))
    return out


def feature_columns(feats: Iterable[str]) -> NDArray[np.int64]:
    """The column of each feature string, as scikit-learn's ``FeatureHasher(n_features=N_FEATURES,
    alternate_sign=False)`` places it: |MurmurHash3_x86_32 of its UTF-8 bytes, seed 0| mod N_FEATURES.

    spaCy's ``murmurhash`` package computes the same hash, so scoring needs no scikit-learn (whose
    import, scipy.stats with it, took over a CPU second per process); the model is trained with
    FeatureHasher itself (``eval/train_techniques.py``).
    """
    from murmurhash.mrmr import hash as murmur

    hashes = np.fromiter(map(murmur, feats), dtype=np.int64)
    cols: NDArray[np.int64] = np.abs(hashes) % N_FEATURES  # in int64 |-2**31| needs no special case
    return cols


def hashed(rows: Sequence[Sequence[str]]) -> Any:
    """The rows' features as the sparse matrix ``FeatureHasher.transform`` builds from them (float64 ones,
    duplicates summed, columns sorted), so products with it add up in the same order."""
    from scipy import sparse

    indptr = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum([len(r) for r in rows], out=indptr[1:])
    x = sparse.csr_array((np.ones(int(indptr[-1])), feature_columns(chain.from_iterable(rows)).astype(np.int32),
                          indptr.astype(np.int32)), shape=(len(rows), N_FEATURES))
    x.sum_duplicates()
    return x


def hashed_columns(indptr: Sequence[int], cols: Sequence[int]) -> Any:
    """``hashed`` of rows already turned into columns (row pointers and columns, as ``token_columns``)."""
    from scipy import sparse

    x = sparse.csr_array((np.ones(len(cols)), np.array(cols, dtype=np.int32), np.array(indptr, dtype=np.int32)),
                         shape=(len(indptr) - 1, N_FEATURES))
    x.sum_duplicates()
    return x


class TechniqueModel:
    """The shipped tagger and classifier weights with their decoding settings."""

    def __init__(
        self, arrays: dict[str, NDArray[Any]], meta: dict[str, Any], lexicon: Lexicon,
        tagger: MiniLMTagger | None = None, classifier: MiniLMClassifier | None = None,
    ) -> None:
        if tuple(meta.get("labels", ())) != LABELS:
            raise UsageError(
                f"Technique model labels {meta.get('labels')!r} differ from {LABELS!r}. "
                "Rebuild the model with `python eval/train_techniques.py`.",
                Code.TW002,
            )
        self.si_w = arrays["si_w"].astype(np.float64)
        self.tc_w = arrays["tc_w"].astype(np.float64)  # (N_FEATURES, n_labels)
        self.tc_b = arrays["tc_b"].astype(np.float64)
        self.sent_w = arrays["sent_w"].astype(np.float64)
        self.meta = meta
        self.clusters = word_clusters()
        self.lexicon = lexicon
        self.memo = ColumnMemo()
        # the fine-tuned MiniLM tagger (techniques_minilm), mixed into the token probabilities when shipped
        self.tagger = tagger
        # the fine-tuned MiniLM span classifier (techniques_tc_minilm), mixed into classify's probabilities
        self.classifier = classifier

    def token_probs(self, v: ArticleView) -> NDArray[np.float64]:
        """P(token inside a technique span) for every token: the weights times its ``token_features``, its
        ``cluster_features`` and its sentence's ``sentence_bags`` (one product per sentence)."""
        if not v.toks:
            return np.zeros(0)
        z = hashed_columns(*token_columns(v, self.memo)) @ self.si_w
        z += hashed_columns(*cluster_columns(v, self.clusters, self.memo)) @ self.si_w
        per_sent = hashed_columns(*bag_columns(v, self.memo)) @ self.si_w
        z += per_sent[[t.sent for t in v.toks]]
        return _sigmoid(z + float(self.meta["si_b"]))

    def sentence_probs(self, v: ArticleView, probs: NDArray[np.float64]) -> NDArray[np.float64]:
        """P(sentence holds a technique span) for every sentence, from its ``sentence_features``."""
        if not v.sent_tokens:
            return np.zeros(0)
        x = hashed(sentence_features(v, probs.tolist(), self.clusters))
        return _sigmoid(x @ self.sent_w + float(self.meta["sent_b"]))

    def classify(
        self, v: ArticleView, spans: Sequence[tuple[int, int]], feats: Sequence[list[str]] | None = None
    ) -> NDArray[np.float64]:
        """Temperature-scaled P(technique | span) for token spans, one row per span (``feats``: their
        span_features when already built). With a MiniLM span classifier, ``(1 - mix) p_linear + mix
        p_minilm`` per span (empty spans keep the linear row)."""
        if not spans:
            return np.zeros((0, len(LABELS)))
        x = hashed(feats if feats is not None else [span_features(v, i, j) for i, j in spans])
        z = (x @ self.tc_w + self.tc_b) / float(self.meta["temperature"])
        z = z - z.max(axis=1, keepdims=True)
        e = np.exp(z)
        out: NDArray[np.float64] = e / e.sum(axis=1, keepdims=True)
        if self.classifier is not None:
            rows = [k for k, (i, j) in enumerate(spans) if j > i]
            if rows:
                chars = [(v.toks[spans[k][0]].start, v.toks[spans[k][1] - 1].end) for k in rows]
                mix = self.classifier.mix
                out[rows] = (1.0 - mix) * out[rows] + mix * self.classifier.probs(v.text, chars)
        return out

    def explain(
        self, v: ArticleView, i: int, j: int, label: int, k: int = 3,
        feats: list[str] | None = None, cols: NDArray[np.int64] | None = None,
    ) -> tuple[str, ...]:
        """The ``k`` features of span [i, j) that pushed towards ``label`` most, as readable strings
        (``feats``/``cols``: its span_features and their columns when already built)."""
        if feats is None:
            feats = span_features(v, i, j)
        if cols is None:
            cols = feature_columns(feats)
        contrib: list[float] = self.tc_w[cols, label].tolist()
        cues: dict[str, list[str]] = {}
        for m in range(i, j):
            for tech, phrase in v.cue_words[m]:
                if phrase not in cues.setdefault(tech, []):
                    cues[tech].append(phrase)
        out: list[str] = []
        # ties broken by the feature's name: span_features builds some from sets, whose order differs
        # between processes (hash randomisation), and the evidence must not
        # only features that push towards the label can be listed: sort just those
        for pos in sorted((q for q in range(len(feats)) if contrib[q] > 0), key=lambda q: (-contrib[q], feats[q])):
            if len(out) >= k:
                break
            text = _readable(feats[pos])
            key, _, tech = feats[pos].partition("=")
            if key == "cue" and cues.get(tech):
                text = f"{tech} cue: " + ", ".join(f'"{c}"' for c in cues[tech][:3])
            if text and text not in out:
                out.append(text)
        return tuple(out)

    def mixed_probs(
        self, v: ArticleView, probs: NDArray[np.float64], sent_probs: NDArray[np.float64]
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """The token and sentence probabilities decoding uses: the linear tagger's and gate's alone, or, with
        a MiniLM tagger, ``(1 - mix) p_linear + mix p_minilm`` per token and ``(1 - gate_mix) q_gate +
        gate_mix q_minilm`` per sentence, ``q_minilm`` the largest MiniLM token probability in it. MiniLM
        tags only the sentences that can pass the gate (the others give no span whatever it says), and skips
        the windows the linear probabilities rule out (``MiniLMTagger.token_probs``, ``skip_below``)."""
        if self.tagger is None:
            return probs, sent_probs
        cfg = self.tagger.config
        gate, mix, gmix = float(cfg["sent_threshold"]), self.tagger.mix, float(cfg.get("gate_mix", 0.0))
        keep = [k for k, q in enumerate(sent_probs.tolist()) if (1.0 - gmix) * q + gmix >= gate]
        if not keep:
            return probs, sent_probs
        p_min = self.tagger.token_probs(v, keep, (probs, sent_probs))
        out: NDArray[np.float64] = (1.0 - mix) * probs + mix * p_min
        q_min = np.array([p_min[a:b].max() if b > a else 0.0 for a, b in v.sent_tokens])
        sent: NDArray[np.float64] = (1.0 - gmix) * sent_probs + gmix * q_min
        return out, sent

    def decode(
        self, v: ArticleView, probs: NDArray[np.float64], sent_probs: NDArray[np.float64]
    ) -> list[tuple[int, int, float]]:
        """One span per sentence the gate keeps (P >= ``sent_threshold``): from its first to its last token
        at or above ``si_threshold``, edge punctuation trimmed, as (first, end exclusive, mean probability).

        SemEval's SI measure gives partial credit by overlap and averages precision over predicted spans,
        so one span over a sentence's likely stretch beats several fragments of it (cross-validated on TRAIN
        by ``eval/train_techniques.py``, which picks both thresholds; with a MiniLM tagger, its
        ``minilm_tagger.json`` holds them, chosen on the development articles by
        ``eval/combine_techniques_tagger.py``).
        """
        cfg = self.meta if self.tagger is None else self.tagger.config
        thr = float(cfg["si_threshold"])
        gate = float(cfg["sent_threshold"])
        spans: list[tuple[int, int, float]] = []
        p: list[float] = probs.tolist()  # the same floats, compared without numpy scalars
        for (a, b), q in zip(v.sent_tokens, sent_probs.tolist(), strict=True):
            if q < gate:
                continue
            on = [k for k in range(a, b) if p[k] >= thr]
            if not on:
                continue
            s, t = on[0], on[-1] + 1
            while s < t and not v.toks[s].text[:1].isalnum() and v.toks[s].text not in _QUOTES:
                s += 1
            while t > s and not v.toks[t - 1].text[:1].isalnum() and v.toks[t - 1].text not in "!?":
                t -= 1
            if t > s and any(v.toks[m].text[:1].isalnum() for m in range(s, t)):
                spans.append((s, t, float(probs[s:t].mean())))
        return spans

    def nested(self, v: ArticleView, runs: Sequence[tuple[int, int, float]]) -> list[tuple[int, int]]:
        """Word-level cue groups inside longer runs (adjacent cue words of LL/NC/EM, gaps of one word)."""
        out: list[tuple[int, int]] = []
        for s, t, _ in runs:
            if t - s < 5:
                continue
            k = s
            while k < t:
                if not (v.cue_at[k] & WORD_LEVEL) or not v.toks[k].text[:1].isalnum():
                    k += 1
                    continue
                e = k + 1
                while e < t and (
                    v.cue_at[e] & WORD_LEVEL
                    or (e + 1 < t and v.cue_at[e + 1] & WORD_LEVEL and v.toks[e].text not in ".;:!?")
                ):
                    e += 1
                while e > k and not v.toks[e - 1].text[:1].isalnum():
                    e -= 1
                if (k, e) != (s, t):
                    out.append((k, e))
                k = e + 1
        return out

    def span_score(self, mean_prob: float, length: int) -> float:
        """Platt-calibrated P(span is a technique) from its mean token probability and length."""
        a, b, c = self.meta["platt"]
        z = a * mean_prob + b * np.log1p(length) + c
        return float(1.0 / (1.0 + np.exp(-z)))

    def detect(self, text: str, doc_id: str) -> list[Technique]:
        """Technique spans in ``text`` with calibrated scores and readable evidence."""
        v = article_view(text, self.lexicon)
        probs = self.token_probs(v)
        sent_probs = self.sentence_probs(v, probs)
        probs, sent_probs = self.mixed_probs(v, probs, sent_probs)
        min_span = float(self.meta.get("min_span_score", 0.0))
        second = float(self.meta.get("second_label_min", 1.0))
        runs = []
        for s, t, mp in self.decode(v, probs, sent_probs):
            p_span = self.span_score(mp, t - s)
            if p_span >= min_span:
                runs.append((s, t, p_span))
        inner = self.nested(v, runs)
        spans = [(s, t) for s, t, _ in runs] + inner
        if not spans:
            return []
        feats = [span_features(v, i, j) for i, j in spans]
        rows = self.classify(v, spans, feats)
        out: list[Technique] = []
        for k, ((s, t), row) in enumerate(zip(spans, rows, strict=True)):
            cols: NDArray[np.int64] | None = None
            order = np.argsort(-row)
            if k < len(runs):
                p_span = runs[k][2]
                # a span may carry a second technique (PTC spans often do) when it is nearly as likely
                labels = [int(order[0])] + ([int(order[1])] if row[order[1]] >= second else [])
            else:
                # nested cue groups only add word-level techniques to the span around them
                if LABELS[int(order[0])] not in WORD_LEVEL:
                    continue
                p_span = self.span_score(float(probs[s:t].mean()), t - s)
                labels = [int(order[0])]
            for label in labels:
                if cols is None:
                    cols = feature_columns(feats[k])
                out.append(
                    Technique(
                        doc=doc_id,
                        start=v.toks[s].start,
                        end=v.toks[t - 1].end,
                        technique=LABELS[label],
                        score=round(p_span * float(row[label]), 4),
                        evidence=self.explain(v, s, t, label, feats=feats[k], cols=cols),
                    )
                )
        out.sort(key=lambda x: (x.start, x.end, -x.score))
        return out


def _readable(feat: str) -> str:
    """Turn an internal feature name into a short explanation, or '' for uninformative ones."""
    key, _, val = feat.partition("=")
    names = {
        "sw": 'word "{}"',
        "sb": 'phrase "{}"',
        "first": 'starts "{}"',
        "last": 'ends "{}"',
        "cue": "cue phrase for {}",
        "scue": "sentence has a cue for {}",
        "lw": 'after "{}"',
        "rw": 'before "{}"',
        "rep": "span text occurs {}x in the article",
        "maxwcount": "a content word occurs {}x",
        "len": "length <= {} tokens",
    }
    flags = {
        "rep3": "repeated phrase in the article",
        "s_excl": "exclamatory sentence",
        "s_quest": "question sentence",
        "excl": "exclamation mark",
        "quest": "question mark",
        "quoted": "inside quotes",
        "quote_edge": "quoted phrase",
        "titlecase": "title-case phrase",
        "allcaps_word": "ALL-CAPS word",
        "in_title": "in the headline",
        "ends_q": "ends with a question",
        "emphatic_repeat": "a word repeated for emphasis",
    }
    if feat in flags:
        return flags[feat]
    if key in names and val:
        if key == "rep" and val == "1":
            return ""
        if key == "maxwcount" and val == "1":
            return "its words are not repeated in the article"
        return names[key].format(val.replace("|", " "))
    return ""


def model_files() -> tuple[Any, Any]:
    """The shipped weights (.npz) and metadata (.json) of the techniques model."""
    base = resources.files(MODEL_PACKAGE)
    return base.joinpath("model.npz"), base.joinpath("model.json")


def load_model(packs: Sequence[str] = (), minilm: bool = True) -> TechniqueModel:
    """Load the shipped techniques model and the cue lexicons of the core pack and ``packs``; with
    ``minilm``, also the MiniLM tagger and span classifier when the package ships them (``techniques_minilm``,
    ``techniques_tc_minilm``; without onnxruntime the classifier is left out with a logged warning)."""
    npz, meta_file = model_files()
    if not npz.is_file() or not meta_file.is_file():
        raise UsageError(
            f"Techniques model files are missing from {MODEL_PACKAGE}. "
            "Reinstall tracewire or rebuild them with `python eval/train_techniques.py`.",
            Code.TW004,
        )
    with npz.open("rb") as fh, np.load(fh) as data:
        arrays = {k: data[k] for k in data.files}
    meta = json.loads(meta_file.read_text(encoding="utf-8"))
    tagger = classifier = None
    if minilm:
        from . import techniques_minilm, techniques_tc_minilm

        tagger = techniques_minilm.load()
        classifier = techniques_tc_minilm.load()
    return TechniqueModel(arrays, meta, Lexicon.from_files(pack_files(packs)), tagger, classifier)

