"""Anchor index: candidate pairs from rare shared passages, passim style, without all-pairs.

Each document is reduced to winnowed word-shingle anchors (see ``shingles.winnow``). Two
documents become a candidate pair when they share at least ``min_shared`` anchors whose
document frequency is at most ``max_df``: anchors in more documents than that are site
furniture or stock phrases (and would make the pair count quadratic), so they are skipped.
Pairs are counted with sort-based grouping in bounded chunks, never as an N x N matrix.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .shingles import I64, U64

CHUNK = 8_000_000  # pair keys counted per reduction step (bounds peak memory)


@dataclass(frozen=True, slots=True)
class AnchorStats:
    """Document frequency of distinct anchor hashes (sorted by hash): all, or only the frequent ones."""

    hashes: U64  # anchor hashes, or their top 64 - shift bits when built from packed keys
    df: I64
    shift: int = 0
    ndocs: int = 0  # documents in the corpus the frequencies were counted in
    outlets: I64 | None = None  # distinct outlets of each (None: outlets unknown)
    known_outlets: int = 0  # distinct known outlets in the corpus (0: none known, or not counted)

    def lookup(self, hashes: U64) -> I64:
        """Document frequency of each of ``hashes``; 0 for hashes that are not anchors."""
        if self.hashes.size == 0 or hashes.size == 0:
            return np.zeros(hashes.shape[0], dtype=np.int64)
        if self.shift:
            hashes = hashes >> np.uint64(self.shift)
        pos = np.searchsorted(self.hashes, hashes)
        pos = np.minimum(pos, self.hashes.shape[0] - 1)
        hit = self.hashes[pos] == hashes
        return np.where(hit, self.df[pos], 0).astype(np.int64)

    def lookup_both(self, hashes: U64) -> tuple[I64, I64 | None]:
        """``lookup`` and ``lookup_outlets`` of the same hashes with one search (None: outlets unknown)."""
        if self.hashes.size == 0 or hashes.size == 0:
            zero = np.zeros(hashes.shape[0], dtype=np.int64)
            return zero, None if self.outlets is None else zero.copy()
        if self.shift:
            hashes = hashes >> np.uint64(self.shift)
        pos = np.minimum(np.searchsorted(self.hashes, hashes), self.hashes.shape[0] - 1)
        hit = self.hashes[pos] == hashes
        df = np.where(hit, self.df[pos], 0).astype(np.int64)
        return df, None if self.outlets is None else np.where(hit, self.outlets[pos], 0).astype(np.int64)

    def lookup_outlets(self, hashes: U64) -> I64:
        """Distinct outlets holding each of ``hashes``; 0 for hashes that are not listed (or unknown)."""
        if self.outlets is None or self.hashes.size == 0 or hashes.size == 0:
            return np.zeros(hashes.shape[0], dtype=np.int64)
        if self.shift:
            hashes = hashes >> np.uint64(self.shift)
        pos = np.minimum(np.searchsorted(self.hashes, hashes), self.hashes.shape[0] - 1)
        return np.where(self.hashes[pos] == hashes, self.outlets[pos], 0).astype(np.int64)


def doc_bits(ndocs: int) -> int:
    """Low bits of a packed key that hold the document index."""
    return max(1, (max(ndocs, 1) - 1).bit_length())


def pack(hashes: U64, docs: I64, ndocs: int) -> U64:
    """(anchor, document) pairs as single sortable keys: the hash's top bits, then the document.

    One 8-byte key per anchor instead of two arrays plus a sort order: a million documents'
    anchors sort in place. The hash keeps 64 - ``doc_bits(ndocs)`` bits (44 for a million
    documents), so two different anchors look alike only by a negligible chance, and a pair
    still needs several shared anchors before it is aligned (and alignment uses full hashes).
    """
    bits = np.uint64(doc_bits(ndocs))
    return ((hashes >> bits) << bits) | docs.astype(np.uint64)


def _reduce(keys: npt.NDArray[np.uint64], weights: I64) -> tuple[npt.NDArray[np.uint64], I64]:
    """Sum weights per distinct key."""
    if keys.size == 0:
        return keys, weights
    order = np.argsort(keys, kind="stable")
    k, w = keys[order], weights[order]
    first = np.ones(k.shape[0], dtype=bool)
    first[1:] = k[1:] != k[:-1]
    idx = np.nonzero(first)[0]
    return k[idx], np.add.reduceat(w, idx).astype(np.int64)


STEP = 1 << 20  # keys read per step where a pass works chunk by chunk (its temporaries stay small)


def _shared_keys(keys: npt.NDArray[np.uint64], bits: int, shared_only: bool) -> npt.NDArray[np.uint64]:
    """The distinct keys of sorted packed ``keys`` (a copy), only those whose anchor (the bits above
    ``bits``) two or more documents hold when ``shared_only``.

    Repeats are dropped in place (``keys`` is overwritten), then neighbours compared, a chunk of STEP
    keys at a time: no temporary as long as the keys is made.
    """
    n = keys.shape[0]
    w = 0
    last = None
    for lo in range(0, n, STEP):
        c = keys[lo : lo + STEP]
        keep = np.empty(c.shape[0], dtype=bool)
        keep[0] = last is None or c[0] != last
        np.not_equal(c[1:], c[:-1], out=keep[1:])
        last = c[-1]
        kept = c[keep]
        keys[w : w + kept.shape[0]] = kept
        w += kept.shape[0]
    d = keys[:w]
    if not shared_only or w == 0:
        return d.copy()
    shared = np.zeros(w, dtype=bool)
    below = np.uint64(1 << bits)  # two distinct keys of one anchor differ in their low bits only
    for lo in range(0, w - 1, STEP):
        hi = min(lo + STEP, w - 1)
        same = (d[lo + 1 : hi + 1] ^ d[lo:hi]) < below  # key k and k + 1 (sorted): one anchor
        shared[lo:hi] |= same
        shared[lo + 1 : hi + 1] |= same
    return d[shared]


def _count(keys: npt.NDArray[np.uint64]) -> tuple[npt.NDArray[np.uint64], I64]:
    """Distinct keys and how often each occurs (sorted in place: no sort order is kept)."""
    keys.sort()
    first = np.ones(keys.shape[0], dtype=bool)
    first[1:] = keys[1:] != keys[:-1]
    idx = np.flatnonzero(first)
    return keys[idx], np.diff(np.append(idx, keys.shape[0])).astype(np.int64)


class _PairCounter:
    """Counts pair keys in bounded steps: at most CHUNK uncounted keys are held at a time."""

    def __init__(self) -> None:
        self.acc_k = np.empty(0, dtype=np.uint64)
        self.acc_w = np.empty(0, dtype=np.int64)
        self.pending: list[npt.NDArray[np.uint64]] = []
        self.n = 0

    def add(self, keys: npt.NDArray[np.uint64]) -> None:
        """Queue pair keys (one per shared anchor) for counting."""
        self.pending.append(keys)
        self.n += keys.shape[0]
        if self.n >= CHUNK:
            self._flush()

    def _flush(self) -> None:
        if not self.pending:
            return
        k, w = _count(np.concatenate(self.pending))
        self.pending, self.n = [], 0
        if self.acc_k.size:
            k, w = _reduce(np.concatenate([self.acc_k, k]), np.concatenate([self.acc_w, w]))
        self.acc_k, self.acc_w = k, w

    def result(self) -> tuple[npt.NDArray[np.uint64], I64]:
        """(distinct pair keys, shared anchor count of each)."""
        self._flush()
        return self.acc_k, self.acc_w


def candidate_pairs(
    keys: npt.NDArray[np.uint64],
    ndocs: int,
    *,
    max_df: int,
    min_shared: int,
    only: npt.NDArray[np.bool_] | None = None,
    stats_min_df: int = 1,
    rank: I64 | None = None,
    mass_min_shared: int | None = None,
    outlet: I64 | None = None,
    short_min_shared: int | None = None,
    known: npt.NDArray[np.bool_] | None = None,
    day: I64 | None = None,
    max_days: int = 0,
    one_max_df: int = 0,
) -> tuple[I64, I64, I64, AnchorStats]:
    """Pairs (i < j) of documents sharing >= ``min_shared`` anchors of df <= ``max_df``.

    ``keys`` are packed (anchor, doc) keys (``pack``), repeats allowed; they are sorted in
    place, so the caller hands them over (as a temporary, so they are freed once read). When
    ``only`` is given (a boolean per document), pairs where neither side is marked are dropped: the incremental
    case, where only new documents are compared against the rest. Returns (i, j, shared anchor
    count) and the document frequency of every anchor in at least ``stats_min_df`` documents
    (for the rarity weights of shared passages; leaving out the rare majority keeps that table
    small).

    Mass reprints (a wire story in hundreds of papers) share anchors whose df is above
    ``max_df``; all their pairs would be quadratic. With ``mass_min_shared`` set, each member
    of such an anchor is paired with the anchor's hub instead (the member of lowest ``rank``:
    the caller ranks the earliest-dated first), and a (hub, member) pair is a candidate when
    they share >= ``mass_min_shared`` such anchors: many more than a site footer has, so
    furniture shared by thousands of pages proposes nothing. Linear in the number of members.

    ``outlet`` (an outlet number per document) adds to the statistics how many distinct outlets
    hold each frequent anchor: a phrase that a few outlets repeat in many of their documents
    is their formula, not a text they copied.

    ``short_min_shared`` (with ``outlet``; ``known``, a flag per document: its outlet is known,
    counts the corpus's known outlets) makes two documents of different outlets a candidate from
    that many shared anchors: a copied run of 12-15 words holds two or three, and across outlets
    such a run is what reuse is made of. A page of no known outlet is its own outlet here: the
    quotation or wire sentence two such pages share is found too, while a line one site prints on
    its pages is left to the link test (rarity, the widget and edge rules).
    With ``day`` (a day number per document, -1 when undated), such a pair must also be dated at
    most ``max_days`` apart (or undated): wire copy is reprinted within days, while a 12-word
    quotation or description that recurs for months is a formula.

    ``one_max_df`` (with ``short_min_shared`` and ``known``; 0: off) makes two documents of different
    known outlets a candidate from one shared anchor that 3 to ``one_max_df`` documents hold, when two
    of its holders are a candidate pair of ``min_shared`` anchors: one edited word breaks up to five
    word 5-grams, so an edited copy of a 12-20-word passage may keep one anchor of it, and the other
    outlets that print the passage intact confirm that anchor as the passage's, not a chance 5-gram.
    (A lone shared anchor is left: at 10,000 documents of the benchmark it proposed 9,461 pairs for 17
    planted ones.) In the incremental case the confirming pair may be two old documents: their shared
    anchors are counted for that question only (they are not returned).
    """
    if min_shared < 1:
        raise ValueError(f"min_shared={min_shared} must be at least 1")
    if max_df < 2:
        raise ValueError(f"max_df={max_df} must be at least 2, or no anchor can link two documents")
    empty = np.empty(0, dtype=np.int64)
    if keys.size == 0:
        return empty, empty, empty, AnchorStats(np.empty(0, dtype=np.uint64), empty, 0, ndocs)
    keys.sort()
    bits = doc_bits(ndocs)
    # each (anchor, doc) once; an anchor of one document proposes no pair and, from stats_min_df 2 on, is
    # no statistic either: most anchors are (4 in 5 at 100,000 documents of the benchmark), so they are
    # dropped first, chunk by chunk in the keys' own memory, and every step after works on the rest
    hs = _shared_keys(keys, bits, stats_min_df >= 2)
    del keys  # the last reference when the caller passed a temporary
    ds = hs & np.uint64((1 << bits) - 1)  # document of each anchor (uint64 serves as an index)
    np.right_shift(hs, np.uint64(bits), out=hs)
    first = np.ones(hs.shape[0], dtype=bool)
    first[1:] = hs[1:] != hs[:-1]
    starts = np.flatnonzero(first)
    del first
    sizes = np.diff(np.append(starts, hs.shape[0]))
    frequent = sizes >= stats_min_df
    n_out = None
    if outlet is not None:
        n_out = _distinct_outlets(ds, starts[frequent], sizes[frequent], outlet)
    n_known = int(np.unique(outlet[known]).shape[0]) if outlet is not None and known is not None else 0
    stats = AnchorStats(hs[starts[frequent]], sizes[frequent].astype(np.int64), bits, ndocs, n_out, n_known)
    del frequent, hs
    ok = (sizes >= 2) & (sizes <= max_df)
    if only is not None:
        marked = np.add.reduceat(only[ds].astype(np.int64), starts) > 0
        ok &= marked
    # groups that propose pairs, ordered by size so each size is one slice
    g_starts, g_sizes = starts[ok], sizes[ok]
    order = np.argsort(g_sizes, kind="stable")
    g_starts, g_sizes = g_starts[order], g_sizes[order]
    n64 = np.uint64(ndocs)
    acc_k, acc_w = _count_pairs(ds, g_starts, g_sizes, n64, None if only is None else (lambda i, j: only[i] | only[j]))
    keep = acc_w >= min_shared
    if short_min_shared is not None and outlet is not None and short_min_shared < min_shared:
        least = acc_w >= short_min_shared
        if one_max_df >= 3 and known is not None:
            # pairs of two old documents are not counted above (incremental): those the rule asks about are
            old = None if only is None else _old_strong(ds, starts, sizes, g_starts, g_sizes, one_max_df, max_df,
                                                        min_shared, only, n64)
            least |= _confirmed(acc_k, keep, ds, g_starts, g_sizes, one_max_df, n64, old) & known[
                (acc_k // n64).astype(np.int64)] & known[(acc_k % n64).astype(np.int64)]
        few = np.flatnonzero(~keep & least)
        fi, fj = (acc_k[few] // n64).astype(np.int64), (acc_k[few] % n64).astype(np.int64)
        ok = outlet[fi] != outlet[fj]
        if day is not None:
            ok &= (day[fi] < 0) | (day[fj] < 0) | (np.abs(day[fi] - day[fj]) <= max_days)
        keep[few[ok]] = True
    k, w = acc_k[keep], acc_w[keep]
    if mass_min_shared is not None:
        mk, mw = _hub_pairs(ds, starts, sizes, max_df, ndocs, only, rank, mass_min_shared)
        if mk.size:
            k, w = _reduce(np.concatenate([k, mk]), np.concatenate([w, mw]))
    return (k // n64).astype(np.int64), (k % n64).astype(np.int64), w, stats


def _count_pairs(ds: npt.NDArray[np.uint64], g_starts: I64, g_sizes: I64, n64: np.uint64,
                 select: Callable[[npt.NDArray[np.uint64], npt.NDArray[np.uint64]], npt.NDArray[np.bool_]] | None
                 ) -> tuple[npt.NDArray[np.uint64], I64]:
    """(distinct pair keys i * ndocs + j, i < j, shared anchors of each) over the anchor groups given by
    start and size (ordered by size); ``select`` keeps only some of the pairs (i, j)."""
    counter = _PairCounter()
    for size in np.unique(g_sizes):
        s = int(size)
        lo_s, hi_s = np.searchsorted(g_sizes, [s, s + 1])
        group_starts = g_starts[lo_s:hi_s]
        iu, ju = np.triu_indices(s, 1)
        step = max(1, CHUNK // iu.shape[0])
        for lo in range(0, group_starts.shape[0], step):
            gs = group_starts[lo : lo + step]
            mat = ds[gs[:, None] + np.arange(s)[None, :]]
            i, j = mat[:, iu].ravel(), mat[:, ju].ravel()  # i < j: a group's documents are sorted
            if select is not None:
                sel = select(i, j)
                i, j = i[sel], j[sel]
            counter.add(i * n64 + j)
    return counter.result()


def _group_pairs(ds: npt.NDArray[np.uint64], g_starts: I64, g_sizes: I64, lo_size: int, hi_size: int,
                 n64: np.uint64) -> tuple[npt.NDArray[np.uint64], I64]:
    """Pair keys of the documents of every group of ``lo_size`` to ``hi_size`` documents (groups ordered by
    size), and the group (its index in ``g_starts``) of each."""
    keys: list[npt.NDArray[np.uint64]] = [np.empty(0, dtype=np.uint64)]
    owner: list[I64] = [np.empty(0, dtype=np.int64)]
    for s in range(lo_size, hi_size + 1):
        lo_s, hi_s = np.searchsorted(g_sizes, [s, s + 1])
        if hi_s <= lo_s:
            continue
        iu, ju = np.triu_indices(s, 1)
        mat = ds[g_starts[lo_s:hi_s, None] + np.arange(s)[None, :]]
        keys.append(mat[:, iu].ravel() * n64 + mat[:, ju].ravel())  # a group's documents are sorted
        owner.append(np.repeat(np.arange(lo_s, hi_s, dtype=np.int64), iu.shape[0]))
    return np.concatenate(keys), np.concatenate(owner)


def _confirmed(acc_k: npt.NDArray[np.uint64], strong: npt.NDArray[np.bool_], ds: npt.NDArray[np.uint64],
               g_starts: I64, g_sizes: I64, max_size: int, n64: np.uint64,
               old: npt.NDArray[np.uint64] | None = None) -> npt.NDArray[np.bool_]:
    """Which pair keys (``acc_k``: sorted, distinct) share an anchor that 3 to ``max_size`` documents hold,
    two of which make a ``strong`` pair (a flag per key of ``acc_k``, or one of the sorted keys ``old``):
    a candidate through a longer passage."""
    out = np.zeros(acc_k.shape[0], dtype=bool)
    keys, owner = _group_pairs(ds, g_starts, g_sizes, 3, max_size, n64)
    if keys.size == 0 or acc_k.size == 0:
        return out
    order = np.argsort(keys)  # sorted needles: the binary searches walk the keys in order (5x faster)
    at = np.empty(keys.shape[0], dtype=np.int64)
    at[order] = np.minimum(np.searchsorted(acc_k, keys[order]), acc_k.shape[0] - 1)
    listed = acc_k[at] == keys
    hit = listed & strong[at]
    if old is not None and old.size:
        o_at = np.minimum(np.searchsorted(old, keys), old.shape[0] - 1)
        hit |= old[o_at] == keys
    held = np.zeros(g_starts.shape[0], dtype=bool)
    held[owner[hit]] = True
    out[at[listed & held[owner]]] = True
    return out


def _old_strong(ds: npt.NDArray[np.uint64], starts: I64, sizes: I64, g_starts: I64, g_sizes: I64,
                max_size: int, max_df: int, min_shared: int, only: npt.NDArray[np.bool_], n64: np.uint64
                ) -> npt.NDArray[np.uint64]:
    """The incremental case: pairs of two old documents (``only`` False) that share an anchor of 3 to
    ``max_size`` documents with a new one and share ``min_shared`` anchors of df <= ``max_df`` (sorted keys),
    counted over every anchor group that holds one of their documents."""
    keys, _ = _group_pairs(ds, g_starts, g_sizes, 3, max_size, n64)
    old = ~only[(keys // n64).astype(np.int64)] & ~only[(keys % n64).astype(np.int64)]
    asked = np.unique(keys[old])
    if asked.size == 0:
        return asked
    member = np.zeros(only.shape[0], dtype=bool)
    member[(asked // n64).astype(np.int64)] = True
    member[(asked % n64).astype(np.int64)] = True
    ok = (sizes >= 2) & (sizes <= max_df) & (np.add.reduceat(member[ds].astype(np.int64), starts) > 0)
    h_starts, h_sizes = starts[ok], sizes[ok]
    order = np.argsort(h_sizes, kind="stable")

    def asked_pair(i: npt.NDArray[np.uint64], j: npt.NDArray[np.uint64]) -> npt.NDArray[np.bool_]:
        k = i * n64 + j
        at = np.minimum(np.searchsorted(asked, k), asked.shape[0] - 1)
        hit: npt.NDArray[np.bool_] = asked[at] == k
        return hit

    k, w = _count_pairs(ds, h_starts[order], h_sizes[order], n64, asked_pair)
    return k[w >= min_shared]


def _distinct_outlets(ds: npt.NDArray[np.uint64], g_starts: I64, g_sizes: I64, outlet: I64) -> I64:
    """Distinct outlets among the documents of each anchor group (groups given by start and size)."""
    if g_starts.size == 0:
        return np.empty(0, dtype=np.int64)
    offsets = np.zeros(g_sizes.shape[0], dtype=np.int64)
    np.cumsum(g_sizes[:-1], out=offsets[1:])
    total = int(g_sizes.sum())
    pos = np.repeat(g_starts - offsets, g_sizes)
    pos += np.arange(total, dtype=np.int64)
    width = int(outlet.max()) + 1 if outlet.size else 1
    # distinct (group, outlet) values by a sort (np.unique's hash table costs several times more here)
    pairs = outlet[ds[pos]]
    pairs += np.repeat(np.arange(0, g_sizes.shape[0] * width, width, dtype=np.int64), g_sizes)
    pairs.sort()
    new = np.ones(pairs.shape[0], dtype=bool)
    new[1:] = pairs[1:] != pairs[:-1]
    return np.bincount(pairs[new] // width, minlength=g_sizes.shape[0]).astype(np.int64)


def _hub_pairs(
    ds: npt.NDArray[np.uint64],
    starts: I64,
    sizes: I64,
    max_df: int,
    ndocs: int,
    only: npt.NDArray[np.bool_] | None,
    rank: I64 | None,
    min_shared: int,
) -> tuple[npt.NDArray[np.uint64], I64]:
    """(pair key, shared count) of (hub, member) pairs through anchors in more than ``max_df`` documents."""
    mass = sizes > max_df
    if not mass.any():
        return np.empty(0, dtype=np.uint64), np.empty(0, dtype=np.int64)
    g_starts, g_sizes = starts[mass], sizes[mass]
    offsets = np.zeros(g_sizes.shape[0], dtype=np.int64)
    np.cumsum(g_sizes[:-1], out=offsets[1:])
    total = int(g_sizes.sum())
    pos = np.repeat(g_starts - offsets, g_sizes) + np.arange(total, dtype=np.int64)
    members = ds[pos].astype(np.int64)
    order_key = rank[members] if rank is not None else members
    hub_key = np.minimum.reduceat(order_key, offsets)
    by_key = np.empty(ndocs, dtype=np.int64)
    by_key[order_key] = members  # rank is a permutation of 0..ndocs-1
    hubs = np.repeat(by_key[hub_key], g_sizes)
    sel = members != hubs
    if only is not None:
        sel &= only[members] | only[hubs]
    a, b = hubs[sel], members[sel]
    i, j = np.minimum(a, b).astype(np.uint64), np.maximum(a, b).astype(np.uint64)
    keys, counts = _reduce(i * np.uint64(ndocs) + j, np.ones(i.shape[0], dtype=np.int64))
    keep = counts >= min_shared
    return keys[keep], counts[keep]
