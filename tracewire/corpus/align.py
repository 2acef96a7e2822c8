"""Passage alignment of a candidate pair: seed on shared word n-grams, chain, extend over edits.

In the spirit of passim and BLAST: every word n-gram that occurs once in each document is a
seed (a, b) (token positions in A and B). Seeds are chained in A's reading order while each
stays near the diagonal (b - a) of the previous one and close to it on both sides, so small
edits (a changed word, a dropped clause) stay inside one passage while a dropped or added
paragraph ends it. A passage is reported with token and character offsets on both sides.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .shingles import U64, shingles


@dataclass(frozen=True, slots=True)
class AlignConfig:
    """Knobs of the aligner (token counts)."""

    n: int = 5  # seed n-gram size, in words
    max_gap: int = 20  # largest gap, in words on either side, bridged inside one passage
    max_shift: int = 10  # largest drift of the diagonal inside one passage (insertions/deletions)
    min_passage_words: int = 10  # matching words a passage needs to be kept

    def __post_init__(self) -> None:
        """Validate the knobs early, naming the bad value."""
        if self.n < 1:
            raise ValueError(f"AlignConfig.n={self.n} must be at least 1")
        if self.max_gap < 0 or self.max_shift < 0:
            raise ValueError(
                f"AlignConfig.max_gap={self.max_gap} and max_shift={self.max_shift} must be >= 0"
            )


@dataclass(frozen=True, slots=True)
class TokenPassage:
    """One aligned passage in token positions (end exclusive) with its matching word count."""

    a_start: int
    a_end: int
    b_start: int
    b_end: int
    matched: int  # words of A covered by seeds (exact matches)
    seed_hashes: U64  # the n-gram hashes that seeded it (for boilerplate checks)


@dataclass(frozen=True, slots=True)
class Prepared:
    """A document ready for alignment: its token hashes and its once-only n-grams sorted by hash."""

    words: U64  # token hashes in reading order
    hashes: np.ndarray  # n-gram hashes that occur exactly once in the document, sorted
    positions: np.ndarray  # token position of each


def prepare(words: U64, n: int) -> Prepared:
    """Index a document's n-grams for alignment; repeated n-grams are left out (they align anywhere)."""
    sh = shingles(words, n) if words.shape[0] >= n else np.empty(0, dtype=np.uint64)
    if sh.size == 0:
        return Prepared(words, sh, np.empty(0, dtype=np.int64))
    order = np.argsort(sh, kind="stable")
    hs = sh[order]
    once = np.ones(hs.shape[0], dtype=bool)
    dup = hs[1:] == hs[:-1]
    once[1:] &= ~dup
    once[:-1] &= ~dup
    return Prepared(words, hs[once], order[once].astype(np.int64))


def align(pa: Prepared, pb: Prepared, config: AlignConfig | None = None) -> list[TokenPassage]:
    """Aligned passages between two prepared documents, in A's reading order, non-overlapping."""
    cfg = config or AlignConfig()
    n = cfg.n
    la, lb = pa.words.shape[0], pb.words.shape[0]
    if la < n or lb < n:
        # too short for n-gram seeds: only an exact match of the whole short text counts
        if la and la == lb and np.array_equal(pa.words, pb.words):
            return [TokenPassage(0, la, 0, lb, la, np.empty(0, dtype=np.uint64))]
        return []
    common, ia, ib = np.intersect1d(pa.hashes, pb.hashes, assume_unique=True, return_indices=True)
    if common.size == 0:
        return []
    sa, sb = pa.positions[ia], pb.positions[ib]
    order = np.argsort(sa, kind="stable")
    sa, sb, seeds = sa[order], sb[order], common[order]
    # chain consecutive seeds (in A's order) that stay close on both sides and near one diagonal
    gap = cfg.max_gap + n
    da, db = np.diff(sa), np.diff(sb)
    shift = np.abs(db - da)
    brk = (da > gap) | (db <= 0) | (db > gap) | (shift > cfg.max_shift)
    starts = np.concatenate([[0], np.nonzero(brk)[0] + 1])
    ends = np.append(starts[1:], sa.shape[0])
    gain = np.concatenate([[n], np.minimum(da, n)])
    gain[starts] = n
    matched = np.add.reduceat(gain, starts)
    chains = [
        TokenPassage(int(sa[s]), int(sa[e - 1]) + n, int(sb[s]), int(sb[e - 1]) + n, int(m), seeds[s:e])
        for s, e, m in zip(starts.tolist(), ends.tolist(), matched.tolist(), strict=True)
        if m >= cfg.min_passage_words
    ]
    # keep the strongest passages first; drop any that overlap a kept one on either side
    chains.sort(key=lambda p: (-p.matched, p.a_start))
    kept: list[TokenPassage] = []
    for p in chains:
        if any(p.a_start < k.a_end and k.a_start < p.a_end for k in kept):
            continue
        if any(p.b_start < k.b_end and k.b_start < p.b_end for k in kept):
            continue
        kept.append(p)
    kept.sort(key=lambda p: p.a_start)
    return kept
