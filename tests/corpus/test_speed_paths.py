"""The shortcuts of the reuse speed-up give what the long way gives (no timing here)."""

from __future__ import annotations

import numpy as np

from tracewire.corpus.align import TokenPassage, align, prepare
from tracewire.corpus.edits import DiffMemo, _block_arrays, _one_block, token_edits
from tracewire.corpus.furniture import _DocFreq
from tracewire.corpus.shingles import TokenHasher

ORIGINAL = ("The harbour council met on Tuesday night and voted to close the old ferry pier for repairs "
            "after inspectors found cracked pilings under the western landing. The ferry will dock at "
            "the fishing quay until the work ends in the spring, the council clerk said.")
EDITED = ("The harbour council met on Tuesday evening and voted to shut the old ferry pier for repairs "
          "after inspectors found cracked pilings beneath the western landing. The ferry will dock at "
          "the fishing quay until the work ends in late spring, the council clerk said.")


def test_one_block_agrees_with_block_arrays() -> None:
    """Whenever the loop says 'one block', the arrays find one block."""
    rng = np.random.default_rng(3)
    for _ in range(2000):
        k = int(rng.integers(1, 12))
        sa = np.sort(rng.choice(40, size=k, replace=False)).astype(np.int64)
        sb = sa + np.where(rng.random(k) < 0.8, 5, 6).astype(np.int64)
        end = int(sa[-1]) + int(rng.integers(1, 5))
        p = TokenPassage(int(sa[0]), end, int(sb[0]), end + 6, k, np.zeros(k, dtype=np.int64), sa, sb)
        if _one_block(p, 4):
            assert _block_arrays(p, 4)[0].shape[0] == 1


def test_edits_same_with_memo() -> None:
    """Word diffs looked up in a memo are the diffs computed afresh."""
    hasher = TokenHasher()
    ta, tb = hasher.tokens(ORIGINAL), hasher.tokens(EDITED)
    passages = align(prepare(ta.hashes, 4), prepare(tb.hashes, 4))
    assert passages
    memo: DiffMemo = {}
    for p in passages:
        plain = token_edits(p, 4, ta.hashes, tb.hashes)
        assert token_edits(p, 4, ta.hashes, tb.hashes, memo) == plain
        assert token_edits(p, 4, ta.hashes, tb.hashes, memo) == plain


def test_doc_freq_counts_match_brute_force() -> None:
    """Document counts from the one sort equal counting by hand, for every subset asked."""
    rng = np.random.default_rng(5)
    docs = np.sort(rng.integers(0, 30, size=600)).astype(np.int64)
    key = rng.integers(0, 40, size=600).astype(np.int64)
    freq = _DocFreq(key, docs)
    for where in (np.ones(600, dtype=bool), rng.random(600) < 0.2, np.zeros(600, dtype=bool)):
        got = freq.count(where)
        for x in range(600):
            assert got[x] == len({int(docs[y]) for y in range(600) if where[y] and key[y] == key[x]})
