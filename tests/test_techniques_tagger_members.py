"""The techniques tagger's evaluation scripts read the shipped ensemble (``members`` of minilm_tagger.json)
and the span decodings of eval/techniques_decode_cv.py."""

from __future__ import annotations

import argparse
import itertools
from pathlib import Path

import numpy as np

from eval.combine_techniques_tagger import shipped_members
from eval.oof_techniques_tagger import shipped_trainable_layers, states_file
from eval.techniques_decode_cv import Row, hyst, shipped, viterbi
from tracewire.analyze import techniques_minilm as tm


def test_shipped_weights_join_every_member() -> None:
    """``shipped_weights`` is the top-4 tagger and the 6-layer one joined (what ``load`` exports), and None
    when the settings name a file the package lacks."""
    weights = tm.shipped_weights()
    assert weights is not None
    members = tm.split_members(weights)
    assert [int(m["n_frozen"]) for m in members] == [2, 0]
    assert tm.shipped_weights({"members": ["minilm_tagger.npz", "no_such_tagger.npz"]}) is None
    single = tm.shipped_weights({})  # no members: the one tagger of minilm_tagger.npz
    assert single is not None and len(tm.split_members(single)) == 1


def test_out_of_fold_script_trains_the_shipped_members_kinds() -> None:
    """eval/oof_techniques_tagger.py fine-tunes one tagger per shipped member: 4 and 6 top layers."""
    assert shipped_trainable_layers() == [4, 6]


def test_out_of_fold_states_are_those_of_each_members_frozen_layers(tmp_path: Path) -> None:
    """A states file serves only taggers with its number of frozen layers; a folder gives each its own."""
    l2 = tmp_path / "states-l2-w254-s200.pt"
    l0 = tmp_path / "states-l0-w254-s200.pt"
    l2.write_bytes(b"x")
    assert states_file(l2, 2) == l2 and states_file(l2, 0) is None
    assert states_file(tmp_path, 0) is None
    l0.write_bytes(b"x")
    assert states_file(tmp_path, 0) == l0 and states_file(tmp_path, 2) == l2
    assert states_file(None, 2) is None


def test_combine_scores_the_shipped_members_by_default() -> None:
    """Without --weights or --probs, eval/combine_techniques_tagger.py (and its --post) reads both members,
    quantised per output channel as shipped; given weights keep the old defaults."""
    args = argparse.Namespace(weights=None, probs=None, per_channel=False, stride=None)
    shipped_members(args)
    assert [p.name for p in args.weights] == ["minilm_tagger.npz", "minilm_tagger6.npz"]
    assert all(p.is_file() for p in args.weights)
    assert args.per_channel is True and args.stride == 200
    given = argparse.Namespace(weights=[Path("a.npz")], probs=None, per_channel=False, stride=None)
    shipped_members(given)
    assert given.weights == [Path("a.npz")] and given.per_channel is False and given.stride == 200


def test_viterbi_is_the_best_in_out_path() -> None:
    """The two-state path maximises the "in" scores minus the switching costs over all 2**6 paths."""
    rng = np.random.default_rng(3)
    for _ in range(20):
        score, cost = rng.normal(size=6), float(rng.uniform(0, 2))

        def value(path: tuple[int, ...], score: np.ndarray = score, cost: float = cost) -> float:
            return float(sum(s for s, y in zip(score, path, strict=True) if y)
                         - cost * sum(a != b for a, b in itertools.pairwise(path)))

        best = max(value(p) for p in itertools.product((0, 1), repeat=6))
        assert np.isclose(value(tuple(viterbi(score, cost).tolist())), best)


def _row(p: list[float]) -> Row:
    """One made-up sentence of words (and a final full stop) with token probabilities ``p``."""
    words = ["w"] * (len(p) - 1) + ["."]
    toks = [(2 * k, 2 * k + 1, w) for k, w in enumerate(words)]
    arr = np.array(p)
    return Row({"id": "x", "gold": [], "toks": toks, "sent_tokens": [(0, len(p))], "p_mix": arr,
                "q_mix": np.array([0.9]), "p_lin": arr, "q_lin": np.array([0.9]), "p_min": arr, "dec": []})


def test_hysteresis_extends_seeds_over_neighbours_above_the_low_threshold() -> None:
    """A token at ``hi`` starts a span that grows over adjacent tokens at ``lo``; with ``lo == hi`` it is
    the shipped decode, and a sentence without a seed gives no span."""
    r = _row([0.1, 0.2, 0.25, 0.5, 0.22, 0.1, 0.3, 0.05])
    assert hyst(r, 0.3, 0.45, 0.2) == [(2, 9)]  # tokens 1..4: 0.2, 0.25 before the seed, 0.22 after
    assert hyst(r, 0.3, 0.3, 0.3) == shipped(r, 0.3, 0.3) == [(6, 13)]
    assert hyst(r, 0.3, 0.6, 0.2) == []
