"""eval/attribution_cue_edges.py: the re-ranker's candidates and its forward-backward marginals."""

from __future__ import annotations

import itertools

import numpy as np

from eval.attribution_cue_edges import candidates, marginals


def test_marginals_equal_brute_force_over_every_label_sequence() -> None:
    """Posterior marginals of a 4-token, 3-label chain match the sum over all 81 sequences."""
    rng = np.random.default_rng(0)
    s, t = rng.normal(size=(4, 3)), rng.normal(size=(3, 3))
    want = np.zeros((4, 3))
    for y in itertools.product(range(3), repeat=4):
        w = np.exp(sum(s[i, y[i]] for i in range(4)) + sum(t[y[i - 1], y[i]] for i in range(1, 4)))
        for i in range(4):
            want[i, y[i]] += w
    want /= want.sum(1, keepdims=True)
    assert np.allclose(marginals(s, t), want)


def test_candidates_move_each_edge_inside_the_sentence_the_cue_first() -> None:
    """A one-token cue at a sentence's start: only rightward left edges, right edges up to 4 further."""
    got = candidates(10, 20, 10, 11)
    assert got[0] == (10, 11)
    assert len(set(got)) == len(got)
    assert all(10 <= a < b <= 20 for a, b in got)
    assert (10, 15) in got and (10, 16) not in got and (9, 11) not in got and (11, 12) in got
