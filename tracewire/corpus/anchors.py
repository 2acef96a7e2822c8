"""Anchor index: candidate pairs from rare shared passages, passim style, without all-pairs.

Each document is reduced to winnowed word-shingle anchors (see ``shingles.winnow``). Two
documents become a candidate pair when they share at least ``min_shared`` anchors whose
document frequency is at most ``max_df``: anchors in more documents than that are site
furniture or stock phrases (and would make the pair count quadratic), so they are skipped.
Pairs are counted with sort-based grouping in bounded chunks, never as an N x N matrix.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .shingles import I64, U64

CHUNK = 8_000_000  # pair keys counted per reduction step (bounds peak memory)


@dataclass(frozen=True, slots=True)
class AnchorStats:
    """Document frequency of every distinct anchor hash (sorted by hash)."""

    hashes: U64
    df: I64

    def lookup(self, hashes: U64) -> I64:
        """Document frequency of each of ``hashes``; 0 for hashes that are not anchors."""
        if self.hashes.size == 0 or hashes.size == 0:
            return np.zeros(hashes.shape[0], dtype=np.int64)
        pos = np.searchsorted(self.hashes, hashes)
        pos = np.minimum(pos, self.hashes.shape[0] - 1)
        hit = self.hashes[pos] == hashes
        return np.where(hit, self.df[pos], 0).astype(np.int64)


def dedupe(hashes: U64, docs: I64) -> tuple[U64, I64]:
    """Anchors sorted by hash (then document), each (hash, doc) once."""
    order = np.argsort(hashes, kind="stable")  # stable: documents stay ascending within a hash
    hs, ds = hashes[order], docs[order]
    if not np.all(ds[:-1][hs[1:] == hs[:-1]] <= ds[1:][hs[1:] == hs[:-1]]):
        order = np.lexsort((ds, hs))
        hs, ds = hs[order], ds[order]
    keep = np.ones(hs.shape[0], dtype=bool)
    keep[1:] = (hs[1:] != hs[:-1]) | (ds[1:] != ds[:-1])
    return hs[keep], ds[keep]


def anchor_stats(hashes: U64, docs: I64) -> AnchorStats:
    """Document frequency of each anchor hash."""
    if hashes.size == 0:
        return AnchorStats(np.empty(0, dtype=np.uint64), np.empty(0, dtype=np.int64))
    hs, _ = dedupe(hashes, docs)
    return _stats_sorted(hs)


def _stats_sorted(hs: U64) -> AnchorStats:
    """Document frequency from deduplicated anchor hashes sorted by hash."""
    first = np.ones(hs.shape[0], dtype=bool)
    first[1:] = hs[1:] != hs[:-1]
    starts = np.nonzero(first)[0]
    sizes = np.diff(np.append(starts, hs.shape[0]))
    return AnchorStats(hs[starts], sizes.astype(np.int64))


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


def candidate_pairs(
    hashes: U64,
    docs: I64,
    ndocs: int,
    *,
    max_df: int,
    min_shared: int,
    only: npt.NDArray[np.bool_] | None = None,
) -> tuple[I64, I64, I64, AnchorStats]:
    """Pairs (i < j) of documents sharing >= ``min_shared`` anchors of df <= ``max_df``.

    ``hashes``/``docs`` are (hash, doc) anchors, repeats allowed. When ``only`` is given (a
    boolean per document), pairs where neither side is marked are dropped: the incremental
    case, where only new documents are compared against the rest. Returns (i, j, shared anchor
    count) and the document frequency of every anchor (for the boilerplate check).
    """
    if min_shared < 1:
        raise ValueError(f"min_shared={min_shared} must be at least 1")
    if max_df < 2:
        raise ValueError(f"max_df={max_df} must be at least 2, or no anchor can link two documents")
    empty = np.empty(0, dtype=np.int64)
    if hashes.size == 0:
        return empty, empty, empty, anchor_stats(hashes, docs)
    hs, ds = dedupe(hashes, docs)
    stats = _stats_sorted(hs)
    first = np.ones(hs.shape[0], dtype=bool)
    first[1:] = hs[1:] != hs[:-1]
    starts = np.nonzero(first)[0]
    sizes = np.diff(np.append(starts, hs.shape[0]))
    ok = (sizes >= 2) & (sizes <= max_df)
    if only is not None:
        marked = np.add.reduceat(only[ds].astype(np.int64), starts) > 0
        ok &= marked
    acc_k = np.empty(0, dtype=np.uint64)
    acc_w = np.empty(0, dtype=np.int64)
    pend_k: list[npt.NDArray[np.uint64]] = []
    pending = 0
    n64 = np.uint64(ndocs)
    for size in np.nonzero(np.bincount(sizes[ok]))[0]:
        s = int(size)
        group_starts = starts[ok & (sizes == s)]
        iu, ju = np.triu_indices(s, 1)
        per_group = iu.shape[0]
        step = max(1, CHUNK // per_group)
        for lo in range(0, group_starts.shape[0], step):
            gs = group_starts[lo : lo + step]
            mat = ds[gs[:, None] + np.arange(s)[None, :]]
            a, b = mat[:, iu].ravel(), mat[:, ju].ravel()
            i, j = np.minimum(a, b), np.maximum(a, b)
            if only is not None:
                sel = only[i] | only[j]
                i, j = i[sel], j[sel]
            pend_k.append(i.astype(np.uint64) * n64 + j.astype(np.uint64))
            pending += i.shape[0]
            if pending >= CHUNK:
                keys = np.concatenate([acc_k, *pend_k])
                weights = np.concatenate([acc_w, np.ones(pending, dtype=np.int64)])
                acc_k, acc_w = _reduce(keys, weights)
                pend_k, pending = [], 0
    if pend_k:
        keys = np.concatenate([acc_k, *pend_k])
        weights = np.concatenate([acc_w, np.ones(pending, dtype=np.int64)])
        acc_k, acc_w = _reduce(keys, weights)
    keep = acc_w >= min_shared
    k = acc_k[keep]
    return (k // n64).astype(np.int64), (k % n64).astype(np.int64), acc_w[keep], stats
