"""Techniques, step 1: the article as the models see it (tokens, sentences, cue lexicons from the packs)
and the hashed, human-readable token and span features."""

from __future__ import annotations

import logging
import re
import tomllib
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import Code, UsageError
from ..packs import pack_dirs
from .memo import remembered

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
    return _tokenize(text, sentence_bounds(text))


_LOWER: dict[str, str] = {}  # token text -> normalise_quotes(text), process-wide


def _tokenize(text: str, sents: Sequence[tuple[int, int]]) -> list[Token]:
    """``tokenize`` with the sentence bounds already known (each token text's lowercase form remembered)."""
    toks: list[Token] = []
    lower = _LOWER
    if len(lower) >= 500_000:
        lower.clear()
    for si, (s, e) in enumerate(sents):
        for m in _TOKEN.finditer(text, s, e):
            g = m.group()
            low = lower.get(g)
            if low is None:
                low = lower[g] = normalise_quotes(g)
            toks.append(Token(m.start(), m.end(), g, low, si))
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
        self._cands: dict[str, tuple[tuple[tuple[str, ...], str, str], ...]] = {}
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
        words = tuple(t.lower for t in toks)
        memo = self._cands
        for i, w in enumerate(words):
            cands = memo.get(w)
            if cands is None:
                cands = self._candidates(w)
            if not cands:
                continue
            for pat, tech, phrase in cands:
                j = i + len(pat)
                if len(pat) == 1 or words[i:j] == pat:
                    hits.append((i, j, tech, phrase))
        return hits

    def _candidates(self, w: str) -> tuple[tuple[tuple[str, ...], str, str], ...]:
        """The cues that may start at word ``w`` (whole patterns; wildcard stems already checked), in
        ``match``'s order: exact first words, then wildcard stems; remembered per word."""
        out = list(self._index.get(w, ()))
        for stem, rest, tech, phrase in self._prefix.get(w[:3], ()):
            if w.startswith(stem):
                out.append(((w, *rest), tech, phrase))
        if len(self._cands) >= 200_000:
            self._cands.clear()
        c = self._cands[w] = tuple(out)
        return c


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


_NO_CUES: frozenset[str] = frozenset()


@dataclass(slots=True)
class ArticleView:
    """Per-article facts shared by token and span features."""

    text: str
    toks: list[Token]
    sents: list[tuple[int, int]]
    sent_tokens: list[tuple[int, int]]  # token index range per sentence
    cue_at: list[AbstractSet[str]]  # techniques whose cue covers each token (one shared empty set if none)
    cue_words: list[Sequence[tuple[str, str]]]  # (technique, cue phrase) covering each token
    count: Counter[str]  # content-word counts in the article
    rep3: list[int]  # how often the 3-gram starting at or covering a token recurs
    in_quote: list[bool]
    has_title: bool  # first line is a short headline followed by a blank line


def article_view(text: str, lexicon: Lexicon) -> ArticleView:
    """Tokenise ``text`` and precompute cues, repetition counts and quote state."""
    sents = sentence_bounds(text)
    toks = _tokenize(text, sents)
    n = len(toks)
    sent_tokens: list[tuple[int, int]] = [(0, 0)] * len(sents)
    per_sent = Counter(t.sent for t in toks)
    i = 0
    for si in range(len(sents)):
        j = i + per_sent.get(si, 0)
        sent_tokens[si] = (i, j)
        i = j
    cue_sets: dict[int, set[str]] = {}
    cue_lists: dict[int, list[tuple[str, str]]] = {}
    for a, b, tech, phrase in lexicon.match(toks):
        for k in range(a, b):
            cue_sets.setdefault(k, set()).add(tech)
            cue_lists.setdefault(k, []).append((tech, phrase))
    cue_at: list[AbstractSet[str]] = [_NO_CUES] * n
    cue_words: list[Sequence[tuple[str, str]]] = [()] * n
    for k, cs in cue_sets.items():
        cue_at[k] = cs
        cue_words[k] = cue_lists[k]
    words = [t.lower for t in toks]
    count = Counter(w for w in words if w.isalpha() and w not in _STOP)
    trigrams = list(zip(words, words[1:], words[2:], strict=False))
    grams = Counter(trigrams)
    rep3 = [0] * n
    repeated = {g: c for g, c in grams.items() if c > 1 and any(w.isalpha() and w not in _STOP for w in g)}
    if repeated:
        for k, g in enumerate(trigrams):
            c = repeated.get(g)
            if c:
                for m in range(k, k + 3):
                    rep3[m] = max(rep3[m], c)
    in_quote = [False] * n
    for a, b in sent_tokens:
        if _QUOTES.isdisjoint(words[a:b]):  # a quote mark's lowercase form is itself
            continue
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


def _column(feat: str) -> int:
    """Hashed column of one feature string (see ``techniques_model.feature_columns``)."""
    from murmurhash.mrmr import hash as murmur

    return abs(int(murmur(feat))) % N_FEATURES


class ColumnMemo:
    """Hashed columns of the feature strings that recur from token to token (words, shapes, flags)."""

    LIMIT = 500_000  # entries per table before it is emptied, so a long run stays bounded

    def __init__(self) -> None:
        self.word: dict[str, tuple[int, int, int, int, int, int]] = {}
        self.feat: dict[str, int] = {}
        self.shape: dict[str, int] = {}  # token text -> column of its sh= feature
        self.bigram: dict[str, tuple[int, int]] = {}  # "a|b" -> columns of bg-=a|b and bg+=a|b
        self.cluster: dict[str, tuple[int, int, int, int, int]] = {}  # cluster -> cl=, cl-2=, cl-1=, cl+1=, cl+2=
        self.cluster_pair: dict[tuple[str, str], int] = {}  # (previous, own) cluster -> column of cl-1,0=
        self.bag: dict[str, int] = {}  # word -> column of sbow=

    def col(self, feat: str) -> int:
        """Column of ``feat``, remembered."""
        return remembered(self.feat, feat, lambda: _column(feat), self.LIMIT)

    def shape_col(self, text: str) -> int:
        """Column of the sh= feature of a token's text, remembered."""
        return remembered(self.shape, text, lambda: _column(f"sh={_shape(text)}"), self.LIMIT)

    def bigram_col(self, pair: str) -> tuple[int, int]:
        """Columns of bg-= and bg+= for the word pair ``a|b``, remembered."""
        return remembered(self.bigram, pair, lambda: (_column(f"bg-={pair}"), _column(f"bg+={pair}")), self.LIMIT)

    def word_cols(self, w: str) -> tuple[int, int, int, int, int, int]:
        """Columns of w=, suf=, w-2=, w-1=, w+1=, w+2= for the lowercased word ``w``, remembered."""
        return remembered(self.word, w, lambda: (
            _column(f"w={w}"), _column(f"suf={w[-3:]}"), _column(f"w-2={w}"),
            _column(f"w-1={w}"), _column(f"w+1={w}"), _column(f"w+2={w}"),
        ), self.LIMIT)

    def cluster_cols(self, c: str) -> tuple[int, int, int, int, int]:
        """Columns of cl=, cl-2=, cl-1=, cl+1= and cl+2= for the cluster ``c`` (or ``B``), remembered."""
        return remembered(self.cluster, c, lambda: (
            _column(f"cl={c}"), _column(f"cl-2={c}"), _column(f"cl-1={c}"), _column(f"cl+1={c}"), _column(f"cl+2={c}"),
        ), self.LIMIT)

    def cluster_pair_col(self, prev: str, c: str) -> int:
        """Column of cl-1,0= for the (previous, own) cluster pair, remembered."""
        return remembered(self.cluster_pair, (prev, c), lambda: _column(f"cl-1,0={prev}|{c}"), self.LIMIT)

    def bag_col(self, w: str) -> int:
        """Column of sbow= for the word ``w``, remembered."""
        return remembered(self.bag, w, lambda: _column(f"sbow={w}"), self.LIMIT)


def token_columns(v: ArticleView, memo: ColumnMemo) -> tuple[list[int], list[int]]:
    """The hashed columns of ``token_features(v)`` as (row pointers, columns), built without the strings
    that repeat (same multiset of columns per row, so the same hashed matrix)."""
    toks = v.toks
    words = [t.lower for t in toks]
    wget = memo.word.get
    wc = [wget(w) or memo.word_cols(w) for w in words]
    col = memo.col
    bias = col("bias")
    start = (col("w-2=<s>"), col("w-1=<s>"))
    end = (col("w+1=</s>"), col("w+2=</s>"))
    in_quote = col("in_quote")
    imm = col("immediate_repeat")
    sent_cols: list[list[int]] = []
    for si, (a, b) in enumerate(v.sent_tokens):
        st = words[a:b]
        shape = [col(f"slen={_bucket(b - a, (5, 10, 20, 35, 60))}")]
        if "!" in st:
            shape.append(col("s_excl"))
        if "?" in st:
            shape.append(col("s_quest"))
        if any(w in _QUOTES for w in st):
            shape.append(col("s_quote"))
        if v.has_title and si == 0:
            shape.append(col("s_title"))
        sent_cols.append(shape)
    n = len(toks)
    near: list[set[str] | None] = [None] * n  # techniques cued within three tokens in the same sentence
    for a, b in v.sent_tokens:
        for k in range(a, b):
            if v.cue_at[k]:
                for i in range(max(a, k - 3), min(b, k + 4)):
                    s = near[i]
                    if s is None:
                        s = near[i] = set()
                    s |= v.cue_at[k]
    pos_cols = [col(f"pos={k}") for k in range(6)]
    in_q, count, rep3, cue_at = v.in_quote, v.count, v.rep3, v.cue_at
    wcount_cols: dict[int, int] = {}
    rep3_cols: dict[int, int] = {}
    shape_cols = memo.shape
    bigram = memo.bigram
    cols: list[int] = []
    indptr = [0]
    for si, (a, b) in enumerate(v.sent_tokens):
        scols = sent_cols[si]
        span = max(1, b - a)
        if a < b:
            pair = f"<s>|{words[a]}"
            bg = bigram.get(pair) or memo.bigram_col(pair)  # columns of the pair (previous word, word)
        for i in range(a, b):
            w = words[i]
            c = wc[i]
            text = toks[i].text
            shc = shape_cols.get(text)
            if shc is None:
                shc = memo.shape_col(text)
            pair = f"{w}|{words[i + 1] if i + 1 < b else '</s>'}"
            nbg = bigram.get(pair) or memo.bigram_col(pair)
            cols += (
                c[0], shc, c[1], bias,
                wc[i - 2][2] if i - 2 >= a else start[0],
                wc[i - 1][3] if i - 1 >= a else start[1],
                wc[i + 1][4] if i + 1 < b else end[0],
                wc[i + 2][5] if i + 2 < b else end[1],
                bg[0], nbg[1],
                pos_cols[int((i - a) / span * 5)],
            )
            bg = nbg
            cols += scols
            if in_q[i]:
                cols.append(in_quote)
            cnt = count.get(w, 0)
            if cnt > 1:
                wcol = wcount_cols.get(cnt)
                if wcol is None:
                    wcol = wcount_cols[cnt] = col(f"wcount={_bucket(cnt, (2, 3, 5, 9))}")
                cols.append(wcol)
            r3 = rep3[i]
            if r3:
                rcol = rep3_cols.get(r3)
                if rcol is None:
                    rcol = rep3_cols[r3] = col(f"rep3={_bucket(r3, (2, 3, 5))}")
                cols.append(rcol)
            if i > 0 and words[i - 1] == w and w.isalpha():
                cols.append(imm)
            if cue_at[i]:
                for tech in cue_at[i]:
                    cols.append(col(f"cue={tech}"))
            ns = near[i]
            if ns:
                for tech in ns:
                    cols.append(col(f"cue_near={tech}"))
            indptr.append(len(cols))
    return indptr, cols


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
    clusters = word_clusters()
    f.extend(sorted({f"scl={clusters.get(w, 'na')}" for w in words}))
    f.extend(f"lcl={clusters.get(toks[k].lower, 'na')}" for k in range(max(a, i - 2), i))
    f.extend(f"rcl={clusters.get(toks[k].lower, 'na')}" for k in range(j, min(b, j + 2)))
    return f



def word_clusters() -> Mapping[str, str]:
    """Word -> cluster id of ``tracewire/models/attribution_clusters.tsv.gz`` (512 k-means clusters of
    en_core_web_md word vectors), read once per process; the tagger reads a token's and its neighbours'."""
    from .attribution_crf import load_clusters

    return load_clusters()


def cluster_features(v: ArticleView, clusters: Mapping[str, str]) -> list[list[str]]:
    """Word-cluster features of every token: its cluster, its neighbours' within two tokens (``B`` past the
    sentence edge) and the (previous, own) cluster pair; unknown words are cluster ``na``."""
    cl = [clusters.get(t.lower, "na") for t in v.toks]
    out: list[list[str]] = []
    for i, t in enumerate(v.toks):
        a, b = v.sent_tokens[t.sent]
        out.append([
            f"cl={cl[i]}",
            f"cl-2={cl[i - 2] if i - 2 >= a else 'B'}",
            f"cl-1={cl[i - 1] if i - 1 >= a else 'B'}",
            f"cl+1={cl[i + 1] if i + 1 < b else 'B'}",
            f"cl+2={cl[i + 2] if i + 2 < b else 'B'}",
            f"cl-1,0={cl[i - 1] if i > a else 'B'}|{cl[i]}",
        ])
    return out


def cluster_columns(v: ArticleView, clusters: Mapping[str, str], memo: ColumnMemo) -> tuple[list[int], list[int]]:
    """The hashed columns of ``cluster_features(v, clusters)`` as (row pointers, columns), each feature's
    column remembered per cluster (or cluster pair) instead of formatted and hashed per token."""
    toks = v.toks
    cl = [clusters.get(t.lower, "na") for t in toks]
    cget, pget = memo.cluster.get, memo.cluster_pair.get
    cc = [cget(c) or memo.cluster_cols(c) for c in cl]
    edge = memo.cluster_cols("B")
    cols: list[int] = []
    for a, b in v.sent_tokens:
        for i in range(a, b):
            cols += (
                cc[i][0],
                cc[i - 2][1] if i - 2 >= a else edge[1],
                cc[i - 1][2] if i - 1 >= a else edge[2],
                cc[i + 1][3] if i + 1 < b else edge[3],
                cc[i + 2][4] if i + 2 < b else edge[4],
                pget(pc := (cl[i - 1] if i > a else "B", cl[i])) or memo.cluster_pair_col(*pc),
            )
    return list(range(0, len(cols) + 1, 6)), cols


def bag_columns(v: ArticleView, memo: ColumnMemo) -> tuple[list[int], list[int]]:
    """The hashed columns of ``sentence_bags(v)`` as (row pointers, columns), one row per sentence."""
    get = memo.bag.get
    cols: list[int] = []
    indptr = [0]
    for a, b in v.sent_tokens:
        for w in {t.lower for t in v.toks[a:b] if t.lower.isalpha()}:
            c = get(w)
            cols.append(memo.bag_col(w) if c is None else c)
        indptr.append(len(cols))
    return indptr, cols


def sentence_bags(v: ArticleView) -> list[list[str]]:
    """The distinct alphabetic words of each sentence as ``sbow=`` features: every token of the tagger also
    carries its sentence's bag, so the words around a phrase (not only its neighbours) move its score."""
    return [[f"sbow={w}" for w in sorted({t.lower for t in v.toks[a:b] if t.lower.isalpha()})]
            for a, b in v.sent_tokens]


def tagger_features(v: ArticleView, clusters: Mapping[str, str]) -> list[list[str]]:
    """Every token's full tagger features (training): ``token_features``, ``cluster_features`` and the
    ``sentence_bags`` of its sentence. Scoring adds the three parts' products instead (same sum)."""
    bags = sentence_bags(v)
    return [f + c + bags[t.sent]
            for f, c, t in zip(token_features(v), cluster_features(v, clusters), v.toks, strict=True)]


def sentence_features(v: ArticleView, probs: Sequence[float], clusters: Mapping[str, str]) -> list[list[str]]:
    """Features of each sentence for the sentence gate (does it hold a technique span?): its words, word
    pairs and word clusters, length, position, cues, "!", "?", quotes, and buckets of the tagger's token
    probabilities ``probs``: the sentence's highest, mean and top-three mean, its neighbours' highest, the
    article's mean highest (how much propaganda the article carries) and the sentence's distance to it."""
    tops = [max(probs[a:b]) if b > a else 0.0 for a, b in v.sent_tokens]
    doc = sum(tops) / len(tops) if tops else 0.0
    rows: list[list[str]] = []
    for si, (a, b) in enumerate(v.sent_tokens):
        if b <= a:
            rows.append(["empty"])
            continue
        w = [t.lower for t in v.toks[a:b]]
        q = sorted(probs[a:b])
        f = [f"u={x}" for x in sorted(set(w))] + [f"b={x}|{y}" for x, y in sorted(set(zip(w, w[1:], strict=False)))]
        f += [f"len={min(b - a, 60) // 5}", f"pmax={int(q[-1] * 10)}", f"pmean={int(sum(q) / len(q) * 20)}",
              f"ptop3={int(sum(q[-3:]) / len(q[-3:]) * 10)}", f"pos={min(si, 10)}"]
        if si == 0 and v.has_title:
            f.append("title")
        f += [f"docpmax={int(doc * 20)}", f"rel={int((q[-1] - doc) * 10)}",
              f"prevp={int(tops[si - 1] * 10) if si > 0 else 'B'}",
              f"nextp={int(tops[si + 1] * 10) if si + 1 < len(tops) else 'B'}"]
        f += sorted({f"scl={clusters.get(x, 'na')}" for x in w})
        for k in range(a, b):
            f.extend(f"cue={tech}" for tech in sorted(v.cue_at[k]))
        if "!" in w:
            f.append("excl")
        if "?" in w:
            f.append("quest")
        if any(x in _QUOTES for x in w):
            f.append("quote")
        rows.append(f)
    return rows
