"""Passage alignment of a candidate pair: seed on shared word n-grams, chain, extend over edits.

In the spirit of passim and BLAST: every word n-gram that occurs once in each document is a
seed (a, b) (token positions in A and B); so is one that a document holds twice as part of a
passage it prints twice (a tweet as text and again as an embed), at its first copy. Seeds are
chained in A's reading order while each
stays near the diagonal (b - a) of the previous one and close to it on both sides, so small
edits (a changed word, a dropped clause) stay inside one passage while a dropped or added
paragraph ends it. A passage is reported with token and character offsets on both sides.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .anchors import AnchorStats
from .shingles import I64, U64, corpus_shingles, winnow_keep


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
    seed_df: I64  # corpus document frequency of each seed n-gram that is an anchor, else 0
    seeds_a: I64 | None = None  # token position in A of each seed, in A's order ...
    seeds_b: I64 | None = None  # ... and in B (the word-level edits are read between them)
    extra: tuple[tuple[int, int, int, int], ...] = ()  # matched blocks found by extending the ends
    seed_outlets: I64 | None = None  # distinct outlets of each seed n-gram, where the corpus counted them
    one_block: bool = False  # True: the seeds make one unbroken block on one diagonal (no edit inside)


@dataclass(frozen=True, slots=True)
class Prepared:
    """A document ready for alignment: its token hashes and its once-only n-grams sorted by hash."""

    words: U64  # token hashes in reading order
    hashes: U64  # n-gram hashes that occur once in the document (or twice, in a passage printed twice), sorted
    positions: I64  # token position of each
    df: I64  # document frequency of each as an anchor: 0 not an anchor, 1 a rare one, else its df
    outlets: I64 | None = None  # distinct outlets of each frequent anchor (0 where not counted)


def prepare(words: U64, n: int, window: int = 1, stats: AnchorStats | None = None) -> Prepared:
    """Index a document's n-grams for alignment; repeated n-grams are left out (they align anywhere),
    except those of a passage the document prints twice, kept at their first copy (``_printed_twice``)."""
    return prepare_many(words, np.array([0, words.shape[0]], dtype=np.int64), n, window, stats)[0]


def prepare_many(
    words: U64, offsets: I64, n: int, window: int = 1, stats: AnchorStats | None = None
) -> list[Prepared]:
    """``prepare`` for many documents at once (vectorised): document i owns words[offsets[i]:offsets[i+1]].

    Each n-gram also gets the document frequency rarity weights need: 0 when winnowing
    (``window``, as at indexing) does not keep it as an anchor; its frequency from ``stats``
    (which holds only frequent anchors) when listed there; otherwise 1, standing for "an anchor
    too rare to lower a passage's weight", so the rare ones need no lookup.
    """
    ndocs = offsets.shape[0] - 1
    lengths = np.diff(offsets)
    sh, owner = corpus_shingles(words, offsets, n)
    long_enough = lengths[owner] >= n if owner.size else np.empty(0, dtype=bool)
    sh, owner = sh[long_enough], owner[long_enough]
    is_anchor = np.zeros(sh.shape[0], dtype=bool)
    is_anchor[winnow_keep(sh, owner, window)] = True
    # token position of each shingle within its document (shingles come in document order)
    first = np.searchsorted(owner, np.arange(ndocs + 1), side="left")
    pos = np.arange(owner.shape[0], dtype=np.int64) - first[owner]
    # by document, then hash: a quick sort of the hashes, then a stable (radix, for up to 65,535
    # documents) sort by document; equal hashes within a document are dropped below whatever their order
    by_hash = np.argsort(sh)
    order = by_hash[np.argsort(owner[by_hash].astype(np.uint16 if ndocs <= 0xFFFF else np.int64), kind="stable")]
    hs, ds, ps, anchor = sh[order], owner[order], pos[order], is_anchor[order]
    dup = (hs[1:] == hs[:-1]) & (ds[1:] == ds[:-1])
    once = np.ones(hs.shape[0], dtype=bool)
    once[1:] &= ~dup
    once[:-1] &= ~dup
    if dup.any():
        once |= _printed_twice(ds, ps, dup)
        # a passage printed twice keeps its first copy's position (and is an anchor where either copy is)
        first = np.flatnonzero(np.concatenate([[False], dup]))
        ps[first - 1] = np.minimum(ps[first - 1], ps[first])
        anchor[first - 1] |= anchor[first]
    hs, ds, ps, anchor = hs[once], ds[once], ps[once], anchor[once]
    df = anchor.astype(np.int64)
    outs = None
    if stats is not None and stats.hashes.size:
        found, outs = stats.lookup_both(hs)
        df = np.maximum(df, found)
    bounds = np.searchsorted(ds, np.arange(ndocs + 1), side="left")
    out: list[Prepared] = []
    for i in range(ndocs):
        lo, hi = int(bounds[i]), int(bounds[i + 1])
        out.append(Prepared(words[int(offsets[i]) : int(offsets[i + 1])], hs[lo:hi], ps[lo:hi], df[lo:hi],
                            outs[lo:hi] if outs is not None else None))
    return out


def _printed_twice(ds: I64, ps: I64, dup: npt.NDArray[np.bool_]) -> npt.NDArray[np.bool_]:
    """Which entries (n-grams sorted by document, then hash) open a pair of occurrences that belongs to a
    passage printed twice in its document: the n-gram occurs exactly twice, and the next or the previous
    word's n-gram occurs twice at the same distance (a tweet printed as text and again as an embed)."""
    m = ds.shape[0]
    start = np.flatnonzero(np.concatenate([[True], ~dup]))  # first entry of each run of equal (doc, hash)
    size = np.diff(np.append(start, m))
    two = start[size == 2]
    p, q = np.minimum(ps[two], ps[two + 1]), np.maximum(ps[two], ps[two + 1])
    d = ds[two].astype(np.int64)
    key = (d << 42) | (p << 21) | (q - p)
    known = np.sort(key)
    near = np.zeros(two.shape[0], dtype=bool)
    for step in (1, -1):
        k2 = (d << 42) | ((p + step) << 21) | (q - p)
        at = np.minimum(np.searchsorted(known, k2), known.shape[0] - 1)
        near |= known[at] == k2
    out = np.zeros(m, dtype=bool)
    out[two[near]] = True
    return out


def align(pa: Prepared, pb: Prepared, config: AlignConfig | None = None) -> list[TokenPassage]:
    """Aligned passages between two prepared documents, in A's reading order, non-overlapping."""
    cfg = config or AlignConfig()
    n = cfg.n
    la, lb = pa.words.shape[0], pb.words.shape[0]
    if la < n or lb < n:
        # too short for n-gram seeds: only an exact match of the whole short text counts
        if la and la == lb and np.array_equal(pa.words, pb.words):
            return [TokenPassage(0, la, 0, lb, la, np.empty(0, dtype=np.int64))]
        return []
    # both hash lists are sorted and unique: a merge by binary search finds the shared n-grams
    if pa.hashes.size == 0 or pb.hashes.size == 0:
        return []
    at = np.minimum(np.searchsorted(pb.hashes, pa.hashes), pb.hashes.shape[0] - 1)
    hit = pb.hashes[at] == pa.hashes
    ia = np.flatnonzero(hit)
    if ia.size == 0:
        return []
    ib = at[ia]
    sa, sb = pa.positions[ia], pb.positions[ib]
    order = np.argsort(sa, kind="stable")
    sa, sb, seeds = sa[order], sb[order], np.maximum(pa.df[ia], pb.df[ib])[order]
    souts = (np.maximum(pa.outlets[ia], pb.outlets[ib])[order]
             if pa.outlets is not None and pb.outlets is not None else None)
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
        TokenPassage(int(sa[s]), int(sa[e - 1]) + n, int(sb[s]), int(sb[e - 1]) + n, int(m), seeds[s:e],
                     sa[s:e], sb[s:e], (), souts[s:e] if souts is not None else None)
        for s, e, m in zip(starts.tolist(), ends.tolist(), matched.tolist(), strict=True)
        if m >= cfg.min_passage_words
    ]
    return _resolve(chains)


def _resolve(chains: list[TokenPassage]) -> list[TokenPassage]:
    """Keep the strongest chains first, drop any that overlap a kept one on either side; A's order."""
    if len(chains) == 1:
        return chains
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


def _ranges(lo: I64, hi: I64) -> I64:
    """The indices lo[0]..hi[0]-1, lo[1]..hi[1]-1, ... concatenated."""
    sizes = hi - lo
    total = int(sizes.sum())
    if total == 0:
        return np.empty(0, dtype=np.int64)
    starts = np.zeros(sizes.shape[0], dtype=np.int64)
    np.cumsum(sizes[:-1], out=starts[1:])
    return np.repeat(lo - starts, sizes) + np.arange(total, dtype=np.int64)


def align_many(prepared: list[Prepared], ii: I64, jj: I64, config: AlignConfig | None = None
               ) -> list[list[TokenPassage]]:
    """``align(prepared[ii[k]], prepared[jj[k]])`` for every k, with the seed work done for all pairs at once.

    A candidate pair's own alignment is a handful of numpy calls on arrays of a few hundred
    entries, so per-call overhead dominates; here the shared n-grams of a whole block of pairs
    are found by one merge (each n-gram's rank among the block's hashes, offset by its pair) and
    chained in one pass. The result equals ``align`` pair by pair.
    """
    cfg = config or AlignConfig()
    n = cfg.n
    npairs = int(ii.shape[0])
    out: list[list[TokenPassage]] = [[] for _ in range(npairs)]
    if npairs == 0:
        return out
    nw = np.array([p.words.shape[0] for p in prepared], dtype=np.int64)
    short = (nw[ii] < n) | (nw[jj] < n)
    for k in np.flatnonzero(short).tolist():  # too short for seeds: align's whole-text test
        out[k] = align(prepared[int(ii[k])], prepared[int(jj[k])], cfg)
    sizes = np.array([p.hashes.shape[0] for p in prepared], dtype=np.int64)
    offs = np.zeros(len(prepared) + 1, dtype=np.int64)
    np.cumsum(sizes, out=offs[1:])
    hs = np.concatenate([p.hashes for p in prepared])
    pos = np.concatenate([p.positions for p in prepared])
    df = np.concatenate([p.df for p in prepared])
    with_outlets = all(p.outlets is not None for p in prepared)
    outs = np.concatenate([p.outlets for p in prepared if p.outlets is not None]) if with_outlets else None
    uniq, rank = np.unique(hs, return_inverse=True)
    rank = rank.reshape(-1).astype(np.int64)
    width = np.int64(uniq.shape[0] + 1)
    # an n-gram that only one document of the block holds matches nothing: each document's list is
    # cut to the n-grams another one holds too (most are its own), so the merge below searches less
    sel = np.flatnonzero(np.bincount(rank, minlength=uniq.shape[0])[rank] >= 2)
    kept = np.zeros(len(prepared) + 1, dtype=np.int64)
    kept[1:] = np.searchsorted(sel, offs[1:], side="left")
    k_sizes = np.diff(kept)
    live = np.flatnonzero(~short)
    la_, lb_ = ii[live], jj[live]
    a_idx = sel[_ranges(kept[la_], kept[la_ + 1])]
    b_idx = sel[_ranges(kept[lb_], kept[lb_ + 1])]
    a_pair = np.repeat(live, k_sizes[la_])
    b_pair = np.repeat(live, k_sizes[lb_])
    key_a = a_pair * width + rank[a_idx]
    key_b = b_pair * width + rank[b_idx]  # ascending: pairs in order, each document's hashes sorted
    if key_b.size == 0 or key_a.size == 0:
        return out
    at = np.minimum(np.searchsorted(key_b, key_a), key_b.shape[0] - 1)
    hit = np.flatnonzero(key_b[at] == key_a)
    if hit.size == 0:
        return out
    ia, ib, pair = a_idx[hit], b_idx[at[hit]], a_pair[hit]
    sa, sb = pos[ia], pos[ib]
    order = np.lexsort((sa, pair))
    sa, sb, pair = sa[order], sb[order], pair[order]
    seeds = np.maximum(df[ia], df[ib])[order]
    souts = np.maximum(outs[ia], outs[ib])[order] if outs is not None else None
    gap = cfg.max_gap + n
    da, db = np.diff(sa), np.diff(sb)
    brk = (da > gap) | (db <= 0) | (db > gap) | (np.abs(db - da) > cfg.max_shift) | (pair[1:] != pair[:-1])
    starts = np.concatenate([[0], np.flatnonzero(brk) + 1])
    ends = np.append(starts[1:], sa.shape[0])
    gain = np.concatenate([[n], np.minimum(da, n)])
    gain[starts] = n
    matched = np.add.reduceat(gain, starts)
    good = matched >= cfg.min_passage_words
    # a chain is one block when every seed stays on its predecessor's diagonal and overlaps or touches
    # it (what ``edits._block_arrays`` would find): its word diff is then known to be empty
    bent = np.zeros(sa.shape[0], dtype=np.int64)
    np.cumsum((db != da) | (da > n), out=bent[1:])
    flat = bent[ends - 1] == bent[starts]
    chains: dict[int, list[TokenPassage]] = {}
    for s, e, m, f in zip(starts[good].tolist(), ends[good].tolist(), matched[good].tolist(), flat[good].tolist(),
                          strict=True):
        chains.setdefault(int(pair[s]), []).append(
            TokenPassage(int(sa[s]), int(sa[e - 1]) + n, int(sb[s]), int(sb[e - 1]) + n, int(m), seeds[s:e],
                         sa[s:e], sb[s:e], (), souts[s:e] if souts is not None else None, f))
    for k, found in chains.items():
        out[k] = _resolve(found)
    return out
