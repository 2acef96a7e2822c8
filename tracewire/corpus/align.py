"""Passage alignment of a candidate pair: seed on shared word n-grams, chain, extend over edits.

In the spirit of passim and BLAST: every word n-gram the two documents share is a seed
(a, b) (token positions in A and B). Seeds are chained greedily in reading order when they
lie near the same diagonal (b - a) and close to the previous seed on both sides, so small
edits (a changed word, a dropped clause) stay inside one passage while a dropped or added
paragraph ends it. A passage is reported with token and character offsets on both sides.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .shingles import Tokens, shingles


@dataclass(frozen=True, slots=True)
class AlignConfig:
    """Knobs of the aligner (token counts)."""

    n: int = 5  # seed n-gram size, in words
    max_gap: int = 20  # largest gap, in words on either side, bridged inside one passage
    max_shift: int = 10  # largest drift of the diagonal inside one passage (insertions/deletions)
    min_passage_words: int = 10  # matching words a passage needs to be kept
    max_repeat: int = 4  # seeds repeated more often than this in a document are ignored

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
    seed_hashes: tuple[int, ...]  # the n-gram hashes that seeded it (for boilerplate checks)


class _Chain:
    """A growing chain of seeds near one diagonal."""

    __slots__ = ("a_first", "a_last", "b_first", "b_last", "diag", "matched", "cover_end", "seeds")

    def __init__(self, x: int, y: int, n: int, seed: int) -> None:
        self.a_first, self.a_last, self.b_first, self.b_last = x, x, y, y
        self.diag, self.matched, self.cover_end = y - x, n, x + n
        self.seeds = [seed]

    def extend(self, x: int, y: int, n: int, seed: int) -> None:
        """Add seed (x, y): count the newly covered words of A and follow the diagonal."""
        self.matched += max(0, min(n, x + n - self.cover_end))
        self.cover_end = max(self.cover_end, x + n)
        self.a_last, self.b_last, self.diag = x, y, y - x
        self.seeds.append(seed)


def _seeds(ha: np.ndarray, hb: np.ndarray, max_repeat: int) -> tuple[np.ndarray, np.ndarray]:
    """All (a, b) positions with equal n-gram hashes, skipping n-grams repeated too often."""
    if ha.size == 0 or hb.size == 0:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty
    in_b = np.isin(ha, hb)
    a_pos = np.nonzero(in_b)[0]
    if a_pos.size == 0:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty
    order_b = np.argsort(hb, kind="stable")
    hb_sorted = hb[order_b]
    left = np.searchsorted(hb_sorted, ha[a_pos], side="left")
    right = np.searchsorted(hb_sorted, ha[a_pos], side="right")
    count = right - left
    # an n-gram repeated in A also gets skipped: repetitive text aligns anywhere
    _, inv, a_counts = np.unique(ha[a_pos], return_inverse=True, return_counts=True)
    ok = (count <= max_repeat) & (a_counts[inv] <= max_repeat)
    a_pos, left, count = a_pos[ok], left[ok], count[ok]
    a = np.repeat(a_pos, count)
    offs = np.arange(a.shape[0]) - np.repeat(np.cumsum(count) - count, count)
    b = order_b[np.repeat(left, count) + offs]
    return a.astype(np.int64), b.astype(np.int64)


def align(a: Tokens, b: Tokens, config: AlignConfig | None = None) -> list[TokenPassage]:
    """Aligned passages between two tokenised documents, in A's reading order, non-overlapping."""
    cfg = config or AlignConfig()
    n = cfg.n
    if len(a) < n or len(b) < n:
        # too short for n-gram seeds: only an exact match of the whole short text counts
        if len(a) and len(a) == len(b) and np.array_equal(a.hashes, b.hashes):
            return [TokenPassage(0, len(a), 0, len(b), len(a), ())]
        return []
    ha, hb = shingles(a.hashes, n), shingles(b.hashes, n)
    sa, sb = _seeds(ha, hb, cfg.max_repeat)
    if sa.size == 0:
        return []
    order = np.lexsort((sb, sa))
    sa_list, sb_list = sa[order].tolist(), sb[order].tolist()
    ha_list = ha.tolist()
    open_chains: list[_Chain] = []
    done: list[_Chain] = []
    gap, shift = cfg.max_gap + n, cfg.max_shift
    for x, y in zip(sa_list, sb_list, strict=True):
        best: _Chain | None = None
        best_d = shift + 1
        still: list[_Chain] = []
        for ch in open_chains:
            if x - ch.a_last > gap:
                done.append(ch)
                continue
            still.append(ch)
            if x > ch.a_last and ch.b_last < y <= ch.b_last + gap:
                d = abs((y - x) - ch.diag)
                if d < best_d:
                    best, best_d = ch, d
        open_chains = still
        if best is None:
            open_chains.append(_Chain(x, y, n, ha_list[x]))
        else:
            best.extend(x, y, n, ha_list[x])
    done.extend(open_chains)
    chains = [
        TokenPassage(ch.a_first, ch.a_last + n, ch.b_first, ch.b_last + n, ch.matched, tuple(ch.seeds))
        for ch in done
        if ch.matched >= cfg.min_passage_words
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
