"""Learned attribution tagger: a linear-chain CRF over spaCy features marks cue, source and content tokens.

Trained on the PolNeAR training split (``eval/train_attribution_crf.py``), tuned on dev. Each
sentence is one sequence; each token gets one label of ``B-/I-`` x ``CUE``, ``SRC``, ``CONT`` or
``O`` (a token that belongs to several spans takes the first of cue, source, content). The features
are the token's own (lower form, lemma, POS, dependency, entity, shape), its head's, its path to the
nearest ancestor cue verb, its position relative to quotation marks, its neighbours', the word
clusters of the token, its head and its neighbours (``attribution_clusters.tsv.gz``: k-means over
word vectors, so "lambasted" and "conceded" share a feature with "claimed", "indictment" with
"allegation"), and the rule finder's output (``attribution.find``): the rules are features and,
without a model file, the fallback. Noun and multiword cues ("indictment of", "made no direct
reference to") are learned from the lemma and cluster features.
"""

from __future__ import annotations

import bisect
import functools
import gzip
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import Code, MissingDependencyError
from .memo import remembered

MODEL_PATH = Path(__file__).resolve().parent.parent / "models" / "attribution_crf.crfsuite"
CLUSTERS_PATH = Path(__file__).resolve().parent.parent / "models" / "attribution_clusters.tsv.gz"
# feature groups beyond the base set: "c" word clusters of the token, its head and neighbours
GROUPS: frozenset[str] = frozenset({"c"})
LABELS = ("CUE", "SRC", "CONT")
_QUOTE_CHARS = frozenset('"“”‘’«»')


@dataclass(frozen=True, slots=True)
class Tagged:
    """One span the tagger marked: its label (CUE, SRC or CONT) and token range [start, end)."""

    label: str
    start: int
    end: int


def _bucket(n: int) -> str:
    """A coarse distance bucket for a signed token distance."""
    a = abs(n)
    b = "0" if a == 0 else "1" if a == 1 else "2" if a == 2 else "3-5" if a <= 5 else "6-10" if a <= 10 else "far"
    return ("-" if n < 0 else "+") + b


@dataclass(frozen=True, slots=True)
class Table:
    """The token attributes the features read, taken from a spaCy Doc in one pass (spaCy's are slow to reach)."""

    lower: list[str]
    lemma: list[str]
    pos: list[str]
    tag: list[str]
    dep: list[str]
    ent: list[str]
    shape: list[str]
    text: list[str]
    head: list[int]
    idx: list[int]
    kids: list[int]
    cluster: list[str]

    @classmethod
    def of(cls, doc: Any, clusters: Mapping[str, str] | None = None) -> Table:
        """The table of the parsed document ``doc`` (read through ``Doc.to_array``, strings looked up once)."""
        from spacy.attrs import (
            DEP,
            ENT_TYPE,
            HEAD,
            IDX,
            IS_LOWER,
            IS_TITLE,
            IS_UPPER,
            LEMMA,
            LOWER,
            ORTH,
            POS,
            TAG,
        )

        arr = doc.to_array([LOWER, LEMMA, POS, TAG, DEP, ENT_TYPE, HEAD, IDX, IS_TITLE, IS_UPPER, IS_LOWER, ORTH]).tolist()
        strings = doc.vocab.strings
        cols: list[tuple[int, ...]] = list(zip(*arr, strict=True)) if arr else [()] * 12
        memo = {h: strings[h] for c in (0, 1, 2, 3, 4, 5, 11) for h in set(cols[c]) if h}  # each string once
        memo[0] = ""
        n = len(arr)
        head = [i + (h if h < 1 << 63 else h - (1 << 64)) for i, h in enumerate(cols[6])]
        lower = [memo[h] for h in cols[0]]
        lemma = [memo[h].lower() for h in cols[1]]
        dep = [memo[h] for h in cols[4]]
        cl = clusters or {}
        cluster = [cl.get(w) or cl.get(lm) or "-" for w, lm in zip(lower, lemma, strict=True)]
        kids = [0] * n
        for i, h in enumerate(head):
            if h != i:
                kids[h] += 1
        return cls(
            lower=lower, lemma=lemma, pos=[memo[h] for h in cols[2]],
            tag=[memo[h] for h in cols[3]], dep=dep, ent=[memo[h] or "-" for h in cols[5]],
            shape=["T" if r[8] else "U" if r[9] else "l" if r[10] else "o" for r in arr],
            text=[memo[h] for h in cols[11]], head=head, idx=list(cols[7]), kids=[min(3, k) for k in kids],
            cluster=cluster,
        )


@functools.lru_cache(maxsize=4)
def load_clusters(path: Path = CLUSTERS_PATH) -> Mapping[str, str]:
    """The word -> cluster table of ``path`` (``eval/build_word_clusters.py``), read once per path; empty if absent."""
    if not path.is_file():
        return {}
    out: dict[str, str] = {}
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            c, _, words = line.rstrip("\n").partition("\t")
            for w in words.split(" "):
                out[w] = c
    return out


def _cue_path(tab: Table, i: int, cue_tokens: set[int]) -> str:
    """The dependency of token ``i``'s branch under its nearest ancestor cue ("nsubj", "ccomp"), else "none"."""
    cur = i
    for _ in range(8):
        h = tab.head[cur]
        if h == cur:
            return "none"
        if h in cue_tokens:
            return tab.dep[cur]
        cur = h
    return "none"


_OFFSETS = (-2, -1, 1, 2)
_Forms = tuple[str, str, str, str, str]
_MEMO_LIMIT = 200_000  # entries per table, to bound the memory a long run can hold
_FORMS: dict[str, dict[str, _Forms]] = {}
_ONE: dict[str, dict[str, str]] = {}


def _forms(name: str, value: str) -> _Forms:
    """The feature ``name=value`` and its four neighbour forms ("-2:name=value" …), built once per value."""
    return remembered(_FORMS.setdefault(name, {}), value, lambda: _with_neighbours(name + "=" + value), _MEMO_LIMIT)


def _with_neighbours(own: str) -> _Forms:
    """``own`` and its four neighbour forms."""
    return (own, "-2:" + own, "-1:" + own, "1:" + own, "2:" + own)


def _one(name: str, value: str) -> str:
    """The feature ``name=value``, built once per value."""
    return remembered(_ONE.setdefault(name, {}), value, lambda: name + "=" + value, _MEMO_LIMIT)


def _nearest(cue_pos: Sequence[int], i: int) -> int:
    """The position of ``cue_pos`` (sorted, not empty) nearest ``i``, the earlier one on a tie."""
    k = bisect.bisect_left(cue_pos, i)
    if k == 0:
        return cue_pos[0]
    if k == len(cue_pos):
        return cue_pos[-1]
    left, right = cue_pos[k - 1], cue_pos[k]
    return left if i - left <= right - i else right


def sentence_features(
    tab: Table, lo: int, hi: int, cues: frozenset[str], in_quote: Sequence[bool], rule: dict[int, str],
    groups: frozenset[str] = GROUPS,
) -> list[list[str]]:
    """Feature strings of tokens [lo, hi) of the document ``tab``.

    ``in_quote[i]`` says whether token i lies inside a quotation; ``rule`` maps a token index to the
    rule finder's tag for it (``cue`` or ``src``). Repeated strings come from memos, not rebuilt per token.
    """
    lemma, pos, dep, head = tab.lemma, tab.pos, tab.dep, tab.head
    cue_tokens = {i for i in range(lo, hi) if lemma[i] in cues and pos[i] in ("VERB", "NOUN")}
    cue_pos = sorted(cue_tokens)
    # per token: (own, -2:, -1:, 1:, 2:) forms of w, l, p, t, q and r, in the neighbour feature order
    fw, fl, fp, ft, fq, fr = (_FORMS.setdefault(x, {}) for x in ("w", "l", "p", "t", "q", "r"))
    od, oe, osh, ohl, ohp = (_ONE.setdefault(x, {}) for x in ("d", "e", "sh", "hl", "hp"))
    nb = [
        (fw[vw] if (vw := tab.lower[i]) in fw else _forms("w", vw), fl[vl] if (vl := lemma[i]) in fl else _forms("l", vl),
         fp[vp] if (vp := pos[i]) in fp else _forms("p", vp), ft[vt] if (vt := tab.tag[i]) in ft else _forms("t", vt),
         fq[vq] if (vq := str(in_quote[i])) in fq else _forms("q", vq),
         fr[vr] if (vr := rule.get(i, "-")) in fr else _forms("r", vr))
        for i in range(lo, hi)
    ]
    out: list[list[str]] = []
    n = hi - lo
    for k in range(n):
        i = lo + k
        h = head[i]
        w, l_, p, t, q, r = nb[k]
        f = [
            "bias", w[0], l_[0], p[0], t[0], od[vd] if (vd := dep[i]) in od else _one("d", vd),
            oe[ve] if (ve := tab.ent[i]) in oe else _one("e", ve), osh[vsh] if (vsh := tab.shape[i]) in osh else _one("sh", vsh),
            ohl[vhl] if (vhl := lemma[h]) in ohl else _one("hl", vhl), ohp[vhp] if (vhp := pos[h]) in ohp else _one("hp", vhp),
            "dhl=" + vd + "|" + vhl,
            "cue=True" if i in cue_tokens else "cue=False", "hcue=True" if h in cue_tokens else "hcue=False",
            _one("path", _cue_path(tab, i, cue_tokens)), q[0],
            "qc=True" if tab.text[i] in _QUOTE_CHARS else "qc=False", r[0],
            "lp=" + lemma[i] + "|" + pos[i], _one("nkids", str(tab.kids[i])),
            "root=True" if h == i else "root=False", "first=True" if k == 0 else "first=False",
            "last=True" if k == n - 1 else "last=False",
            _one("cd", _bucket(i - _nearest(cue_pos, i))) if cue_pos else "cd=none",
        ]
        if "c" in groups:
            c, hc = tab.cluster[i], tab.cluster[h]
            f += (_one("c", c), _one("hc", hc), "dhc=" + vd + "|" + hc, "cp=" + c + "|" + pos[i])
            if k > 0:
                f.append(_one("-1:c", tab.cluster[i - 1]))
            if k + 1 < n:
                f.append(_one("1:c", tab.cluster[i + 1]))
        if k > 0:
            f.append("pd=" + dep[i - 1] + ">" + dep[i])
            f.append("-bi=" + lemma[i - 1] + "_" + lemma[i])
        if k + 1 < n:
            f.append("bi=" + lemma[i] + "_" + lemma[i + 1])
        for x, off in enumerate(_OFFSETS, 1):
            j = k + off
            if 0 <= j < n:
                w, l_, p, t, q, r = nb[j]
                f += (w[x], l_[x], p[x], t[x], q[x], r[x])
            else:
                f.append(f"{off}:edge")
        out.append(f)
    return out


def load_tagger(path: Path = MODEL_PATH) -> Any:
    """The CRF tagger of ``path`` (python-crfsuite); a coded error when the library is missing."""
    try:
        import pycrfsuite
    except ImportError as e:
        raise MissingDependencyError(
            "The attribution tagger needs python-crfsuite. Run `pip install python-crfsuite==0.9.12`.", Code.TW004
        ) from e
    tagger = pycrfsuite.Tagger()
    tagger.open(str(path))
    return tagger


def spans_of(labels: Sequence[str], offset: int) -> list[Tagged]:
    """Tagged spans (document token indices) from one sentence's BIO labels; an I- after O starts a span."""
    out: list[Tagged] = []
    cur: str | None = None
    start = 0
    for k, lab in enumerate([*labels, "O"]):
        kind = lab[2:] if lab != "O" else None
        if cur is not None and (kind != cur or lab.startswith("B-")):
            out.append(Tagged(cur, offset + start, offset + k))
            cur = None
        if kind is not None and cur is None:
            cur, start = kind, k
    return out


def tag(tagger: Any, feats: list[list[str]]) -> list[str]:
    """The most likely label of each token."""
    labels: list[str] = tagger.tag(feats)
    return labels


def document_sequences(
    parsed: Any, spans: Sequence[tuple[int, int]], quotes: Sequence[tuple[int, int]],
    founds: Sequence[Sequence[Any]], cues: frozenset[str], groups: frozenset[str] | None = None,
) -> list[tuple[int, int, list[list[str]]]]:
    """(first token, end token, features) of each sentence span, with the rule finder's ``founds`` as features."""
    groups = GROUPS if groups is None else groups
    tab = Table.of(parsed, load_clusters(CLUSTERS_PATH) if "c" in groups else None)
    starts = tab.idx
    in_quote = [False] * len(starts)
    for qa, qb in quotes:
        for i in range(bisect.bisect_left(starts, qa), bisect.bisect_left(starts, qb)):
            in_quote[i] = True
    out: list[tuple[int, int, list[list[str]]]] = []
    for (s, e), found in zip(spans, founds, strict=True):
        lo, hi = bisect.bisect_left(starts, s), bisect.bisect_left(starts, e)
        while lo < hi and not tab.text[lo].strip():
            lo += 1
        if lo >= hi:
            out.append((0, 0, []))
            continue
        rule: dict[int, str] = {}
        for f in found:
            for a, b, name in ((f.source_start, f.source_end, "src"), (f.cue_start, f.cue_end, "cue")):
                if a is not None and b is not None:
                    for i in range(max(lo, bisect.bisect_right(starts, a) - 1), bisect.bisect_left(starts, b)):
                        rule[i] = name
        out.append((lo, hi, sentence_features(tab, lo, hi, cues, in_quote, rule, groups)))
    return out
