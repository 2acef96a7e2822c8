"""Word tokens, stable 64-bit token hashes, word n-gram shingles and winnowed anchors.

Every stage of reuse detection sees a document as a sequence of lower-cased word tokens
(``\\w+``, so "Deir ez-\\nZor" and "Deir ez-Zor" tokenise alike and PDF line breaks do not
matter). Token hashes are stable across processes (a polynomial over code points, not Python's
salted ``hash``), so anchors stored in the database stay valid between runs; tokenising and
hashing run vectorised over a whole batch of texts.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
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


_P = np.uint64(0x100000001B3)  # FNV-style odd multiplier


def _fold(text: str) -> str:
    """Case-folded text with the same length (offsets stay true); lower() or as-is otherwise."""
    folded = text.casefold()
    if len(folded) == len(text):
        return folded
    lowered = text.lower()
    return lowered if len(lowered) == len(text) else text


def _is_word(cps: npt.NDArray[np.uint32]) -> npt.NDArray[np.bool_]:
    """``\\w`` membership of every code point (a table for ASCII, the regex for the rest)."""
    if cps.size == 0 or int(cps.max()) < 128:
        return _ASCII_WORD[cps]
    is_word = np.zeros(cps.shape[0], dtype=bool)
    ascii_ = cps < 128
    is_word[ascii_] = _ASCII_WORD[cps[ascii_]]
    other = np.nonzero(~ascii_)[0]
    if other.size:
        uniq, inv = np.unique(cps[other], return_inverse=True)
        flags = np.array([bool(WORD.fullmatch(chr(int(c)))) for c in uniq], dtype=bool)
        is_word[other] = flags[inv]
    return is_word


CHUNK_CHARS = 1 << 18  # characters tokenised together: their per-character arrays stay small


def tokenize_many(texts: Sequence[str]) -> tuple[U64, I64, I64, I64]:
    """Tokens of many texts at once, vectorised over code points.

    Returns (token hashes, start and end character offsets within each token's own text,
    token offsets per text: text i owns tokens ``offsets[i]:offsets[i+1]``). A token is a run
    of ``\\w`` characters of the case-folded text; its hash is a polynomial over its code
    points, finalised with splitmix64, so it is the same in every process and run.

    Texts go in chunks of about CHUNK_CHARS characters: the arrays made per character (a dozen
    of them, 8 bytes an entry) then fit in memory the allocator reuses, where one array per
    several thousand texts would be mapped afresh, page by page, for every call.
    """
    cuts = [0]
    size = 0
    for k, t in enumerate(texts):
        size += len(t) + 1
        if size >= CHUNK_CHARS and k + 1 < len(texts):
            cuts.append(k + 1)
            size = 0
    if len(cuts) == 1:
        return _tokenize_chunk(texts)
    cuts.append(len(texts))
    parts = [_tokenize_chunk(texts[lo:hi]) for lo, hi in zip(cuts, cuts[1:], strict=False)]
    offsets = [np.zeros(1, dtype=np.int64)]
    done = 0
    for part in parts:
        offsets.append(part[3][1:] + done)
        done += int(part[3][-1])
    return (np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts]),
            np.concatenate([p[2] for p in parts]), np.concatenate(offsets))


def _tokenize_chunk(texts: Sequence[str]) -> tuple[U64, I64, I64, I64]:
    """``tokenize_many`` of texts tokenised in one go."""
    folded = [_fold(t) for t in texts]
    lengths = np.array([len(t) for t in folded], dtype=np.int64)
    text_start = np.zeros(len(folded) + 1, dtype=np.int64)
    np.cumsum(lengths + 1, out=text_start[1:])
    joined = "\x00".join(folded) + "\x00"
    cps = np.frombuffer(joined.encode("utf-32-le", errors="surrogatepass"), dtype=np.uint32)
    is_word = _is_word(cps)
    edges = np.diff(np.concatenate([[False], is_word, [False]]).view(np.int8))
    starts = np.flatnonzero(edges == 1)
    ends = np.flatnonzero(edges == -1)
    if starts.size == 0:
        empty = np.empty(0, dtype=np.int64)
        return np.empty(0, dtype=np.uint64), empty, empty, np.zeros(len(texts) + 1, dtype=np.int64)
    # hash = sum of (c + 1) * P**k over the k-th character of each token (mod 2**64)
    lengths_tok = ends - starts
    first = np.zeros(starts.shape[0], dtype=np.int64)
    np.cumsum(lengths_tok[:-1], out=first[1:])
    word_pos = np.flatnonzero(is_word)  # every word character, token after token
    rel = word_pos - np.repeat(starts, lengths_tok)  # position of each within its token
    table = np.full(int(lengths_tok.max()), _P, dtype=np.uint64)
    table[0] = np.uint64(1)
    table = np.cumprod(table, dtype=np.uint64)
    vals = (cps[word_pos].astype(np.uint64) + np.uint64(1)) * table[rel]
    raw: U64 = np.add.reduceat(vals, first, dtype=np.uint64)
    hashes = _mix(np.bitwise_xor(raw, lengths_tok.astype(np.uint64)))
    doc = np.searchsorted(text_start, starts, side="right") - 1
    tok_offsets = np.searchsorted(doc, np.arange(len(texts) + 1), side="left").astype(np.int64)
    return hashes, starts - text_start[doc], ends - text_start[doc], tok_offsets


class TokenHasher:
    """Tokenises texts into stable 64-bit token hashes (stateless: kept as a class for callers)."""

    def words(self, text: str) -> U64:
        """Token hashes of a text, without offsets."""
        return tokenize_many([text])[0]

    def words_many(self, texts: Sequence[str]) -> tuple[U64, I64]:
        """Token hashes of many texts: (hashes concatenated, token offsets per text)."""
        hashes, _, _, offsets = tokenize_many(texts)
        return hashes, offsets

    def tokens(self, text: str) -> Tokens:
        """Token hashes of a text with the character span of each token."""
        hashes, starts, ends, _ = tokenize_many([text])
        return Tokens(starts=starts, ends=ends, hashes=hashes)


_ASCII_WORD = np.zeros(128, dtype=bool)
for _c in range(128):
    _ASCII_WORD[_c] = bool(WORD.fullmatch(chr(_c)))


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


def winnow_keep(hashes: U64, docs: I64, window: int) -> I64:
    """Indices of the shingles that winnowing keeps (see ``winnow``), ascending."""
    total = hashes.shape[0]
    if total == 0:
        return np.empty(0, dtype=np.int64)
    if window <= 1 or total < window:
        return np.arange(total, dtype=np.int64)
    view = np.lib.stride_tricks.sliding_window_view(hashes, window)
    dview = np.lib.stride_tricks.sliding_window_view(docs, window)
    whole = dview[:, 0] == dview[:, -1]
    arg = np.argmin(view, axis=1) + np.arange(view.shape[0])
    picked = arg[whole]
    # documents shorter than one window keep every shingle
    counts = np.bincount(docs, minlength=int(docs.max()) + 1)
    mask = counts[docs] < window
    mask[picked] = True
    return np.nonzero(mask)[0].astype(np.int64)


def winnow(hashes: U64, docs: I64, window: int) -> tuple[U64, I64]:
    """Winnowing (Schleimer et al. 2003): keep the minimum hash of every window of shingles.

    Any passage of ``window + n - 1`` words shared by two documents yields at least one anchor
    that both keep, so candidates are found from shared passages, not whole-document similarity.
    Each window's minimum is a one-permutation MinHash of that passage, so the anchor index is
    a passage-level MinHash-LSH index with bands of one row. Returns (hash, doc) anchors in
    document order.
    """
    keep = winnow_keep(hashes, docs, window)
    # the same anchor may be kept twice in one document; anchors.candidate_pairs drops such repeats
    return hashes[keep], docs[keep]
