"""Persuasion and propaganda techniques as character spans (the 14 SemEval-2020 Task 11 labels).

Two linear models over hashed, human-readable features, trained on the PTC corpus by
``eval/train_techniques.py`` and shipped in ``tracewire/models/techniques/``:

1. span identification: a token tagger (is this token inside a technique span?) over words,
   word shapes, neighbours, sentence shape (quotes, "!", "?"), repetition within the article and
   cue phrases from the techniques pack; runs of likely tokens become candidate spans, scored by
   a Platt-calibrated probability that the span is a technique;
2. technique classification: a multinomial logistic regression over the span's words, character
   n-grams, length, repetition count, cues and context, with temperature-scaled probabilities.

A span's score is P(span is a technique) x P(technique | span). Evidence lists the features
that pushed the chosen technique most (cue words, repeated phrase, sentence shape).
"""

from __future__ import annotations

import json
import logging
import re
import tomllib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..errors import Code, UsageError
from ..packs import pack_dirs
from ..pipeline import Analysis, Component, Resources
from ..records import Document, Technique

log = logging.getLogger(__name__)

LABELS: tuple[str, ...] = (
    "Loaded_Language",
    "Name_Calling,Labeling",
    "Repetition",
    "Doubt",
    "Exaggeration,Minimisation",
    "Appeal_to_fear-prejudice",
    "Flag-Waving",
    "Causal_Oversimplification",
    "Appeal_to_Authority",
    "Slogans",
    "Whataboutism,Straw_Men,Red_Herring",
    "Black-and-White_Fallacy",
    "Thought-terminating_Cliches",
    "Bandwagon,Reductio_ad_hitlerum",
)

# techniques annotated on a few words; inside a longer span, cue words of these become nested spans
WORD_LEVEL: frozenset[str] = frozenset({"Loaded_Language", "Name_Calling,Labeling", "Exaggeration,Minimisation"})

MODEL_PACKAGE = "tracewire.models.techniques"
N_FEATURES = 2**18

_TOKEN = re.compile(r"\w+(?:['’]\w+)*|[^\w\s]")
# sentence ends; closing quotes before a capital and spaced dashes also end a segment, so a
# quoted headline or slogan is not glued to the sentence after it
_SENT_BREAK = re.compile(r"(?<=[.!?…])[\"”’)]*\s+(?=[\"“‘(]?[A-Z0-9])|(?<=[”\"])\s+(?=[A-Z])|\s+[–—]\s+")
_QUOTES = frozenset("\"“”«»")
_STOP = frozenset(
    """a an the and or but if of to in on at by for with from as is are was were be been being it its
    this that these those he she they we you i his her their our your my me him them us not no so
    than then there here who whom which what when where why how has have had do does did will would
    can could should may might must shall s t also just about into over after before up down out
    more most some any all one two said says""".split()
)


@dataclass(frozen=True, slots=True)
class Token:
    """A word or punctuation mark with its offsets and the index of its sentence."""

    start: int
    end: int
    text: str
    lower: str
    sent: int


def normalise_quotes(s: str) -> str:
    """Lowercase and fold curly apostrophes so lexicon matching ignores typography."""
    return s.lower().replace("’", "'").replace("‘", "'")


def sentence_bounds(text: str) -> list[tuple[int, int]]:
    """Sentence (start, end) offsets: one per line, lines split further after . ! ? before a capital."""
    out: list[tuple[int, int]] = []
    pos = 0
    for line in text.split("\n"):
        lstart, lend = pos, pos + len(line)
        pos = lend + 1
        if not line.strip():
            continue
        cur = lstart
        for m in _SENT_BREAK.finditer(text, lstart, lend):
            if text[cur : m.start()].strip():
                out.append((cur, m.start()))
            cur = m.end()
        if text[cur:lend].strip():
            out.append((cur, lend))
    return out


def tokenize(text: str) -> list[Token]:
    """Words and punctuation of ``text`` with character offsets and sentence numbers."""
    toks: list[Token] = []
    for si, (s, e) in enumerate(sentence_bounds(text)):
        for m in _TOKEN.finditer(text, s, e):
            toks.append(Token(m.start(), m.end(), m.group(), normalise_quotes(m.group()), si))
    return toks


class Lexicon:
    """Cue phrases per technique, read from pack TOML files; matches whole tokens."""

    def __init__(self, cues: dict[str, list[str]]) -> None:
        unknown = sorted(set(cues) - set(LABELS))
        if unknown:
            raise UsageError(
                f"Unknown technique table(s) {unknown} in a techniques pack file. "
                f"Use the SemEval-2020 labels: {', '.join(LABELS)}.",
                Code.TW002,
            )
        # first token -> list of (pattern tokens, technique, phrase)
        self._index: dict[str, list[tuple[tuple[str, ...], str, str]]] = {}
        # cues ending in "*": first three letters of the stem -> (stem, rest, technique, phrase)
        self._prefix: dict[str, list[tuple[str, tuple[str, ...], str, str]]] = {}
        self.size = 0
        for tech, phrases in cues.items():
            for phrase in phrases:
                pat = tuple(t.lower() for t in _TOKEN.findall(normalise_quotes(phrase)))
                if not pat:
                    continue
                self.size += 1
                if pat[0].endswith("*") or (len(pat) > 1 and pat[1] == "*"):
                    stem = pat[0].rstrip("*")
                    rest = pat[2:] if len(pat) > 1 and pat[1] == "*" else pat[1:]
                    if len(stem) < 3:
                        raise UsageError(
                            f"Cue {phrase!r} of [{tech}] has a wildcard stem shorter than 3 letters; "
                            "write at least three letters before '*'.",
                            Code.TW002,
                        )
                    self._prefix.setdefault(stem[:3], []).append((stem, rest, tech, phrase))
                else:
                    self._index.setdefault(pat[0], []).append((pat, tech, phrase))

    @classmethod
    def from_files(cls, paths: Iterable[Path | Any]) -> Lexicon:
        """Merge the ``[technique] cues = [...]`` tables of several TOML files."""
        merged: dict[str, list[str]] = {}
        for p in paths:
            try:
                data = tomllib.loads(p.read_text(encoding="utf-8"))
            except tomllib.TOMLDecodeError as e:
                raise UsageError(f"Techniques pack file {p} is not valid TOML: {e}. Fix the syntax.") from e
            for tech, table in data.items():
                cues = table.get("cues", []) if isinstance(table, dict) else []
                if not isinstance(cues, list) or not all(isinstance(c, str) for c in cues):
                    raise UsageError(
                        f"[{tech}] cues in {p} must be a list of strings, got {cues!r}.", Code.TW002
                    )
                merged.setdefault(tech, []).extend(cues)
        return cls(merged)

    def match(self, toks: Sequence[Token]) -> list[tuple[int, int, str, str]]:
        """All cue hits as (first token, end token exclusive, technique, phrase)."""
        hits: list[tuple[int, int, str, str]] = []
        n = len(toks)
        for i, t in enumerate(toks):
            for pat, tech, phrase in self._index.get(t.lower, ()):
                j = i + len(pat)
                if j <= n and all(toks[i + k].lower == pat[k] for k in range(1, len(pat))):
                    hits.append((i, j, tech, phrase))
            for stem, rest, tech, phrase in self._prefix.get(t.lower[:3], ()):
                if t.lower.startswith(stem):
                    j = i + 1 + len(rest)
                    if j <= n and all(toks[i + 1 + k].lower == rest[k] for k in range(len(rest))):
                        hits.append((i, j, tech, phrase))
        return hits


def pack_files(packs: Sequence[str] = ()) -> list[Path]:
    """``techniques.toml`` of the core pack and of each named pack or folder that has one."""
    return [d / "techniques.toml" for d in pack_dirs(packs) if (d / "techniques.toml").is_file()]


def _shape(w: str) -> str:
    """Coarse word shape: Xx, X, x, d or p."""
    if w.isdigit():
        return "d"
    if not w[:1].isalnum():
        return "p"
    if w.isupper() and len(w) > 1:
        return "X"
    if w[:1].isupper():
        return "Xx"
    return "x"


def _bucket(n: int, edges: Sequence[int]) -> str:
    """Label for the first edge that ``n`` does not exceed (or '>last')."""
    for e in edges:
        if n <= e:
            return str(e)
    return f">{edges[-1]}"


@dataclass(slots=True)
class ArticleView:
    """Per-article facts shared by token and span features."""

    text: str
    toks: list[Token]
    sents: list[tuple[int, int]]
    sent_tokens: list[tuple[int, int]]  # token index range per sentence
    cue_at: list[set[str]]  # techniques whose cue covers each token
    cue_words: list[list[tuple[str, str]]]  # (technique, cue phrase) covering each token
    count: Counter[str]  # content-word counts in the article
    rep3: list[int]  # how often the 3-gram starting at or covering a token recurs
    in_quote: list[bool]
    has_title: bool  # first line is a short headline followed by a blank line


def article_view(text: str, lexicon: Lexicon) -> ArticleView:
    """Tokenise ``text`` and precompute cues, repetition counts and quote state."""
    toks = tokenize(text)
    sents = sentence_bounds(text)
    n = len(toks)
    sent_tokens: list[tuple[int, int]] = [(0, 0)] * len(sents)
    i = 0
    for si in range(len(sents)):
        j = i
        while j < n and toks[j].sent == si:
            j += 1
        sent_tokens[si] = (i, j)
        i = j
    cue_at: list[set[str]] = [set() for _ in range(n)]
    cue_words: list[list[tuple[str, str]]] = [[] for _ in range(n)]
    for a, b, tech, phrase in lexicon.match(toks):
        for k in range(a, b):
            cue_at[k].add(tech)
            cue_words[k].append((tech, phrase))
    words = [t.lower for t in toks]
    count = Counter(w for w in words if w.isalpha() and w not in _STOP)
    grams = Counter(tuple(words[k : k + 3]) for k in range(n - 2))
    rep3 = [0] * n
    for k in range(n - 2):
        g = tuple(words[k : k + 3])
        c = grams[g]
        if c > 1 and any(w.isalpha() and w not in _STOP for w in g):
            for m in range(k, k + 3):
                rep3[m] = max(rep3[m], c)
    in_quote = [False] * n
    for a, b in sent_tokens:
        inside = False
        for k in range(a, b):
            if toks[k].text in _QUOTES:
                inside = not inside
                in_quote[k] = True
            else:
                in_quote[k] = inside
    first, _, rest = text.partition("\n")
    has_title = 0 < len(first.strip()) <= 200 and rest.startswith("\n")
    return ArticleView(text, toks, sents, sent_tokens, cue_at, cue_words, count, rep3, in_quote, has_title)


def token_features(v: ArticleView) -> list[list[str]]:
    """String features of every token for the span-identification tagger."""
    toks = v.toks
    words = [t.lower for t in toks]
    feats: list[list[str]] = []
    sent_shape: list[list[str]] = []
    for si, (a, b) in enumerate(v.sent_tokens):
        st = words[a:b]
        shape = [f"slen={_bucket(b - a, (5, 10, 20, 35, 60))}"]
        if "!" in st:
            shape.append("s_excl")
        if "?" in st:
            shape.append("s_quest")
        if any(w in _QUOTES for w in st):
            shape.append("s_quote")
        if v.has_title and si == 0:
            shape.append("s_title")
        sent_shape.append(shape)
    for i, t in enumerate(toks):
        w = words[i]
        a, b = v.sent_tokens[t.sent]
        f = [f"w={w}", f"sh={_shape(t.text)}", f"suf={w[-3:]}", "bias"]
        for d in (-2, -1, 1, 2):
            k = i + d
            nw = words[k] if a <= k < b else ("<s>" if k < a else "</s>")
            f.append(f"w{d:+d}={nw}")
        f.append(f"bg-={words[i - 1] if i > a else '<s>'}|{w}")
        f.append(f"bg+={w}|{words[i + 1] if i + 1 < b else '</s>'}")
        pos = (i - a) / max(1, b - a)
        f.append(f"pos={int(pos * 5)}")
        f.extend(sent_shape[t.sent])
        if v.in_quote[i]:
            f.append("in_quote")
        c = v.count.get(w, 0)
        if c > 1:
            f.append(f"wcount={_bucket(c, (2, 3, 5, 9))}")
        if v.rep3[i]:
            f.append(f"rep3={_bucket(v.rep3[i], (2, 3, 5))}")
        if i > 0 and words[i - 1] == w and w.isalpha():
            f.append("immediate_repeat")
        for tech in v.cue_at[i]:
            f.append(f"cue={tech}")
        near: set[str] = set()
        for k in range(max(a, i - 3), min(b, i + 4)):
            near |= v.cue_at[k]
        for tech in near:
            f.append(f"cue_near={tech}")
        feats.append(f)
    return feats


def span_features(v: ArticleView, i: int, j: int) -> list[str]:
    """String features of the token span [i, j) for the technique classifier."""
    toks = v.toks
    words = [t.lower for t in toks[i:j]]
    if not words:
        return ["bias", "empty"]
    f = ["bias", f"len={_bucket(j - i, (1, 2, 3, 5, 8, 12, 20, 35))}"]
    f.extend(f"sw={w}" for w in set(words))
    f.extend(f"sb={a}|{b}" for a, b in set(zip(words, words[1:], strict=False)))
    f.append(f"first={words[0]}")
    f.append(f"last={words[-1]}")
    low = " " + normalise_quotes(v.text[toks[i].start : toks[j - 1].end]) + " "
    f.extend({f"c3={low[k : k + 3]}" for k in range(len(low) - 2)} if len(low) < 120 else set())
    span_text = low.strip()
    reps = v.text.lower().count(v.text[toks[i].start : toks[j - 1].end].lower()) if j - i <= 12 else 1
    f.append(f"rep={_bucket(reps, (1, 2, 3, 5))}")
    content = [w for w in words if w.isalpha() and w not in _STOP]
    if content:
        top = max(v.count.get(w, 0) for w in content)
        f.append(f"maxwcount={_bucket(top, (1, 2, 3, 5, 9))}")
    if max(v.rep3[i:j], default=0):
        f.append("rep3")
    for tech in set().union(*v.cue_at[i:j]):
        f.append(f"cue={tech}")
    si = toks[i].sent
    a, b = v.sent_tokens[si]
    for tech in set().union(*v.cue_at[a:b]) if b > a else ():
        f.append(f"scue={tech}")
    f.extend(f"lw={toks[k].lower}" for k in range(max(a, i - 3), i))
    f.extend(f"rw={toks[k].lower}" for k in range(j, min(b, j + 3)))
    f.append(f"cover={_bucket(int(10 * (j - i) / max(1, b - a)), (2, 5, 8, 10))}")
    sent = [t.lower for t in toks[a:b]]
    if "!" in sent:
        f.append("s_excl")
    if "?" in sent:
        f.append("s_quest")
    if "!" in words:
        f.append("excl")
    if "?" in words:
        f.append("quest")
    if any(v.in_quote[i:j]):
        f.append("quoted")
    if i > a and toks[i - 1].text in _QUOTES or (j < b and toks[j].text in _QUOTES):
        f.append("quote_edge")
    alpha = [t.text for t in toks[i:j] if t.text[:1].isalpha()]
    if alpha and sum(w[:1].isupper() for w in alpha) >= 0.7 * len(alpha) and len(alpha) > 1:
        f.append("titlecase")
    if alpha and any(w.isupper() and len(w) > 2 for w in alpha):
        f.append("allcaps_word")
    if v.has_title and si == 0:
        f.append("in_title")
    if any(x == y and x.isalpha() for x, y in zip(words, words[2:], strict=False)) or any(
        x == y and x.isalpha() for x, y in zip(words, words[1:], strict=False)
    ):
        f.append("emphatic_repeat")
    if span_text.endswith("?"):
        f.append("ends_q")
    return f


def _sigmoid(x: NDArray[np.float64]) -> NDArray[np.float64]:
    """Logistic function."""
    out: NDArray[np.float64] = 1.0 / (1.0 + np.exp(-x))
    return out


class TechniqueModel:
    """The shipped tagger and classifier weights with their decoding settings."""

    def __init__(self, arrays: dict[str, NDArray[Any]], meta: dict[str, Any], lexicon: Lexicon) -> None:
        from sklearn.feature_extraction import FeatureHasher

        if tuple(meta.get("labels", ())) != LABELS:
            raise UsageError(
                f"Technique model labels {meta.get('labels')!r} differ from {LABELS!r}. "
                "Rebuild the model with `python eval/train_techniques.py`.",
                Code.TW002,
            )
        self.si_w = arrays["si_w"].astype(np.float64)
        self.tc_w = arrays["tc_w"].astype(np.float64)  # (N_FEATURES, n_labels)
        self.tc_b = arrays["tc_b"].astype(np.float64)
        self.meta = meta
        self.lexicon = lexicon
        self.hasher = FeatureHasher(n_features=N_FEATURES, input_type="string", alternate_sign=False)

    def token_probs(self, v: ArticleView) -> NDArray[np.float64]:
        """P(token inside a technique span) for every token."""
        if not v.toks:
            return np.zeros(0)
        x = self.hasher.transform(token_features(v))
        return _sigmoid(x @ self.si_w + float(self.meta["si_b"]))

    def classify(self, v: ArticleView, spans: Sequence[tuple[int, int]]) -> NDArray[np.float64]:
        """Temperature-scaled P(technique | span) for token spans, one row per span."""
        if not spans:
            return np.zeros((0, len(LABELS)))
        x = self.hasher.transform([span_features(v, i, j) for i, j in spans])
        z = (x @ self.tc_w + self.tc_b) / float(self.meta["temperature"])
        z = z - z.max(axis=1, keepdims=True)
        e = np.exp(z)
        out: NDArray[np.float64] = e / e.sum(axis=1, keepdims=True)
        return out

    def explain(self, v: ArticleView, i: int, j: int, label: int, k: int = 3) -> tuple[str, ...]:
        """The ``k`` features of span [i, j) that pushed towards ``label`` most, as readable strings."""
        feats = span_features(v, i, j)
        cols = self.hasher.transform([[f] for f in feats]).indices
        contrib = self.tc_w[cols, label]
        cues: dict[str, list[str]] = {}
        for m in range(i, j):
            for tech, phrase in v.cue_words[m]:
                if phrase not in cues.setdefault(tech, []):
                    cues[tech].append(phrase)
        out: list[str] = []
        # ties broken by the feature's name: span_features builds some from sets, whose order differs
        # between processes (hash randomisation), and the evidence must not
        for pos in sorted(range(len(feats)), key=lambda q: (-float(contrib[q]), feats[q])):
            if contrib[pos] <= 0 or len(out) >= k:
                break
            text = _readable(feats[pos])
            key, _, tech = feats[pos].partition("=")
            if key == "cue" and cues.get(tech):
                text = f"{tech} cue: " + ", ".join(f'"{c}"' for c in cues[tech][:3])
            if text and text not in out:
                out.append(text)
        return tuple(out)

    def decode(self, v: ArticleView, probs: NDArray[np.float64]) -> list[tuple[int, int, float]]:
        """Runs of likely tokens as (first, end exclusive, mean probability) after gap filling."""
        thr = float(self.meta["si_threshold"])
        gap = int(self.meta["si_gap"])
        spans: list[tuple[int, int, float]] = []
        for a, b in v.sent_tokens:
            k = a
            while k < b:
                if probs[k] < thr:
                    k += 1
                    continue
                e = k + 1
                while e < b:
                    if probs[e] >= thr:
                        e += 1
                        continue
                    nxt = next((m for m in range(e, min(b, e + gap + 1)) if probs[m] >= thr), None)
                    if nxt is None:
                        break
                    e = nxt + 1
                s, t = k, e
                while s < t and not v.toks[s].text[:1].isalnum() and v.toks[s].text not in _QUOTES:
                    s += 1
                while t > s and not v.toks[t - 1].text[:1].isalnum() and v.toks[t - 1].text not in "!?":
                    t -= 1
                if t > s and any(v.toks[m].text[:1].isalnum() for m in range(s, t)):
                    spans.append((s, t, float(probs[s:t].mean())))
                k = e
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
        min_span = float(self.meta.get("min_span_score", 0.0))
        second = float(self.meta.get("second_label_min", 1.0))
        runs = []
        for s, t, mp in self.decode(v, probs):
            p_span = self.span_score(mp, t - s)
            if p_span >= min_span:
                runs.append((s, t, p_span))
        inner = self.nested(v, runs)
        spans = [(s, t) for s, t, _ in runs] + inner
        if not spans:
            return []
        rows = self.classify(v, spans)
        out: list[Technique] = []
        for k, ((s, t), row) in enumerate(zip(spans, rows, strict=True)):
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
                out.append(
                    Technique(
                        doc=doc_id,
                        start=v.toks[s].start,
                        end=v.toks[t - 1].end,
                        technique=LABELS[label],
                        score=round(p_span * float(row[label]), 4),
                        evidence=self.explain(v, s, t, label),
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


def load_model(packs: Sequence[str] = ()) -> TechniqueModel:
    """Load the shipped techniques model and the cue lexicons of the core pack and ``packs``."""
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
    return TechniqueModel(arrays, meta, Lexicon.from_files(pack_files(packs)))


def model(res: Resources) -> TechniqueModel:
    """The process-wide techniques model held by ``res``."""
    loaded: TechniqueModel = res.get("techniques", lambda: load_model(res.packs))
    return loaded


def detect_techniques(text: str, doc_id: str, res: Resources) -> list[Technique]:
    """Technique spans of one text; the function ``bench/analyze.py`` times."""
    return model(res).detect(text, doc_id)


def analyze(doc: Document, ana: Analysis, res: Resources) -> None:
    """Fill ``ana.techniques`` with the technique spans of the document."""
    ana.techniques = detect_techniques(doc.text, doc.id, res)


component = Component("tracewire.techniques.v1", analyze, requires=(), provides=("techniques",),
                      packs=("techniques.toml",), models=("tracewire.models.techniques:",))
