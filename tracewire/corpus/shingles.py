"""Word tokens, stable 64-bit token hashes, word n-gram shingles and winnowed anchors.

Every stage of reuse detection sees a document as a sequence of lower-cased word tokens
(``\\w+``, so "Deir ez-\\nZor" and "Deir ez-Zor" tokenise alike and PDF line breaks do not
matter). Token hashes are stable across processes (BLAKE2b, not Python's salted ``hash``),
so anchors stored in the database stay valid between runs.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

WORD = re.compile(r"\w+")

U64 = npt.NDArray[np.uint64]
I64 = npt.NDArray[np.int64]

# Odd 64-bit multipliers for combining the n token hashes of a shingle (fixed: hashes are stored).
_MULT = np.array(
    [
        0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0xD6E8FEB86659FD93,
        0xFF51AFD7ED558CCD, 0xC4CEB9FE1A85EC53, 0x94D049BB133111EB, 0xBF58476D1CE4E5B9,
    ],
    dtype=np.uint64,
)
MAX_N = len(_MULT)


@dataclass(frozen=True, slots=True)
class Tokens:
    """A document's word tokens: character offsets into its text and stable token hashes."""

    starts: I64
    ends: I64
    hashes: U64

    def __len__(self) -> int:
        """Number of word tokens."""
        return int(self.hashes.shape[0])


class TokenHasher:
    """Maps tokens to stable 64-bit hashes, remembering each distinct token for one run only."""

    def __init__(self) -> None:
        self._seen: dict[str, int] = {}

    def _add(self, tokens: Iterable[str]) -> None:
        """Hash tokens not seen before in this run."""
        for t in tokens:
            if t not in self._seen:
                digest = hashlib.blake2b(t.encode("utf-8"), digest_size=8).digest()
                self._seen[t] = int.from_bytes(digest, "little") >> 1  # 63 bits: fits int64

    def hash_tokens(self, tokens: Sequence[str]) -> U64:
        """Stable hashes of ``tokens`` in order."""
        seen = self._seen
        try:
            values = np.fromiter(map(seen.__getitem__, tokens), dtype=np.int64, count=len(tokens))
        except KeyError:
            self._add(tokens)
            values = np.fromiter(map(seen.__getitem__, tokens), dtype=np.int64, count=len(tokens))
        return values.view(np.uint64)

    def words(self, text: str) -> U64:
        """Token hashes of a text, without offsets (the fast path for indexing)."""
        return self.hash_tokens(WORD.findall(text.casefold()))

    def tokens(self, text: str, words: U64 | None = None) -> Tokens:
        """Token hashes of a text with the character span of each token.

        Pass ``words`` (the text's token hashes, already computed) to skip hashing again: the
        spans are then found vectorised, and checked to give the same number of tokens.
        """
        folded = text.casefold()
        if len(folded) != len(text):  # casefold changed lengths (e.g. "ß"): keep offsets true
            folded = text.lower() if len(text.lower()) == len(text) else text
        if words is not None:
            spans = word_spans(folded)
            if spans is not None and spans.shape[0] == words.shape[0]:
                return Tokens(starts=spans[:, 0].copy(), ends=spans[:, 1].copy(), hashes=words)
        spans = np.array([m.span() for m in WORD.finditer(folded)], dtype=np.int64).reshape(-1, 2)
        hashes = self.hash_tokens(WORD.findall(folded))
        return Tokens(starts=spans[:, 0].copy(), ends=spans[:, 1].copy(), hashes=hashes)


_ASCII_WORD = np.zeros(128, dtype=bool)
for _c in range(128):
    _ASCII_WORD[_c] = bool(WORD.fullmatch(chr(_c)))


def word_spans(text: str) -> npt.NDArray[np.int64] | None:
    """(start, end) of every ``\\w+`` run, vectorised over code points; None if not UTF-32-able."""
    if not text:
        return np.empty((0, 2), dtype=np.int64)
    try:
        cps = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    except UnicodeEncodeError:
        return None
    is_word = np.zeros(cps.shape[0], dtype=bool)
    ascii_ = cps < 128
    is_word[ascii_] = _ASCII_WORD[cps[ascii_]]
    other = np.nonzero(~ascii_)[0]
    if other.size:
        uniq, inv = np.unique(cps[other], return_inverse=True)
        flags = np.array([bool(WORD.fullmatch(chr(int(c)))) for c in uniq], dtype=bool)
        is_word[other] = flags[inv]
    edges = np.diff(np.concatenate([[False], is_word, [False]]).astype(np.int8))
    starts = np.nonzero(edges == 1)[0]
    ends = np.nonzero(edges == -1)[0]
    return np.stack([starts, ends], axis=1).astype(np.int64)


def _mix(h: U64) -> U64:
    """Finalise 64-bit hashes (splitmix64 tail) so every bit depends on every input bit."""
    h = h ^ (h >> np.uint64(30))
    h = h * np.uint64(0xBF58476D1CE4E5B9)
    h = h ^ (h >> np.uint64(27))
    h = h * np.uint64(0x94D049BB133111EB)
    return h ^ (h >> np.uint64(31))


def shingles(token_hashes: U64, n: int) -> U64:
    """Hashes of the word n-grams of one document; a document shorter than n gives one shingle."""
    if not 1 <= n <= MAX_N:
        raise ValueError(f"shingle size n={n} must be between 1 and {MAX_N}")
    m = token_hashes.shape[0]
    if m == 0:
        return np.empty(0, dtype=np.uint64)
    if m < n:
        acc = np.zeros(1, dtype=np.uint64)
        for k in range(m):
            acc = acc + token_hashes[k : k + 1] * _MULT[k]
        return _mix(acc + np.uint64(m))
    count = m - n + 1
    acc = np.zeros(count, dtype=np.uint64)
    for k in range(n):
        acc = acc + token_hashes[k : k + count] * _MULT[k]
    return _mix(acc + np.uint64(n))


def corpus_shingles(token_hashes: U64, offsets: I64, n: int) -> tuple[U64, I64]:
    """Shingles of many documents concatenated: (hashes, document index of each), vectorised.

    ``offsets`` has one more entry than there are documents; document i owns tokens
    ``offsets[i]:offsets[i+1]``. Shingles never cross a document boundary.
    """
    ndocs = offsets.shape[0] - 1
    lengths = np.diff(offsets)
    total = token_hashes.shape[0]
    if total >= n:
        count = total - n + 1
        acc = np.zeros(count, dtype=np.uint64)
        for k in range(n):
            acc = acc + token_hashes[k : k + count] * _MULT[k]
        full = _mix(acc + np.uint64(n))
        doc_of = np.repeat(np.arange(ndocs, dtype=np.int64), lengths)[:count]
        pos = np.arange(count, dtype=np.int64)
        keep = pos + n <= offsets[1:][doc_of]
        hashes, docs = full[keep], doc_of[keep]
    else:
        hashes, docs = np.empty(0, dtype=np.uint64), np.empty(0, dtype=np.int64)
    short = np.nonzero((lengths > 0) & (lengths < n))[0]
    if short.size:
        extra = np.concatenate(
            [shingles(token_hashes[offsets[i] : offsets[i + 1]], n) for i in short]
        )
        hashes = np.concatenate([hashes, extra])
        docs = np.concatenate([docs, short.astype(np.int64)])
        order = np.argsort(docs, kind="stable")
        hashes, docs = hashes[order], docs[order]
    return hashes, docs


def winnow(hashes: U64, docs: I64, window: int) -> tuple[U64, I64]:
    """Winnowing (Schleimer et al. 2003): keep the minimum hash of every window of shingles.

    Any passage of ``window + n - 1`` words shared by two documents yields at least one anchor
    that both keep, so candidates are found from shared passages, not whole-document similarity.
    Returns (hash, doc) anchors in document order.
    """
    total = hashes.shape[0]
    if total == 0:
        return hashes, docs
    if window <= 1 or total < window:
        keep = np.arange(total)
    else:
        view = np.lib.stride_tricks.sliding_window_view(hashes, window)
        dview = np.lib.stride_tricks.sliding_window_view(docs, window)
        whole = dview[:, 0] == dview[:, -1]
        arg = np.argmin(view, axis=1) + np.arange(view.shape[0])
        picked = arg[whole]
        # documents shorter than one window keep every shingle
        counts = np.bincount(docs, minlength=int(docs.max()) + 1)
        small = counts[docs] < window
        keep = np.union1d(picked, np.nonzero(small)[0])
    # the same anchor may be kept twice in one document; anchors.dedupe removes such repeats
    return hashes[keep], docs[keep]
