"""The fine-tuned sentence gate experiment: eval/train_techniques_gate.py's per-window sentence targets and
the gate variants of eval/techniques_decode_cv.py."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from eval.techniques_decode_cv import Row, add_gate, gate, gatelogit, gatemix, gateswap, oraclegate, shipped
from eval.train_techniques_gate import window_targets


def _row(g: list[float]) -> Row:
    """Two made-up sentences of four tokens each (probabilities 0.5), gate q 0.9 / 0.1, a gold span in the
    second; ``g`` the fine-tuned gate's probabilities."""
    toks = [(2 * k, 2 * k + 1, "w") for k in range(8)]
    p = np.full(8, 0.5)
    return Row({"id": "x", "gold": [(10, 13)], "toks": toks, "sent_tokens": [(0, 4), (4, 8)], "p_mix": p,
                "q_mix": np.array([0.9, 0.1]), "p_lin": p, "q_lin": np.array([0.9, 0.1]), "p_min": p, "dec": [],
                "g": np.array(g)})


def test_gate_variants_swap_or_mix_the_sentence_probability() -> None:
    """``gate`` decodes on ``g`` alone, ``gatemix``/``gatelogit`` on a mix that is ``q`` at weight 0 and
    ``g`` at weight 1; the oracle keeps exactly the sentences with gold."""
    r = _row([0.2, 0.8])
    assert shipped(r, 0.5, 0.3) == [(0, 7)]
    assert gate(r, 0.5, 0.3) == [(8, 15)]
    assert gatemix(r, 0.0, 0.5, 0.3) == gatelogit(r, 0.0, 0.5, 0.3) == shipped(r, 0.5, 0.3)
    assert gatemix(r, 1.0, 0.5, 0.3) == gatelogit(r, 1.0, 0.5, 0.3) == gate(r, 0.5, 0.3)
    assert gatemix(r, 0.5, 0.5, 0.3) == [(0, 7)]  # mixed 0.55 and 0.45
    assert gatemix(r, 0.5, 0.45, 0.3) == [(0, 7), (8, 15)]
    assert oraclegate(r, 0.3) == [(8, 15)]
    # q = 0.9 / 0.1 with q_lin the same: the taggers' share 2 q - q_lin is q itself; a 0 leaves g alone
    assert gateswap(r, 0.0, 0.5, 0.3) == gate(r, 0.5, 0.3) and gateswap(r, 1.0, 0.5, 0.3) == shipped(r, 0.5, 0.3)
    assert r.sentence_labels().tolist() == [0.0, 1.0]


def test_add_gate_matches_articles_by_id_and_checks_the_sentences(tmp_path: Path) -> None:
    """The gate's probabilities join the cached rows by article id; a count of sentences that differs fails."""
    path = tmp_path / "g.npz"
    np.savez(path, ids=np.array(["b", "a"]), g0=np.array([0.3]), g1=np.array([0.1, 0.2]))
    data = [{"id": "a", "sent_tokens": [(0, 1), (1, 2)]}, {"id": "b", "sent_tokens": [(0, 1)]}]
    add_gate(data, path)
    assert data[0]["g"].tolist() == [0.1, 0.2] and data[1]["g"].tolist() == [0.3]
    with pytest.raises(AssertionError):
        add_gate([{"id": "b", "sent_tokens": [(0, 1), (1, 2)]}], path)


def test_window_targets_average_each_sentences_pieces_in_the_window() -> None:
    """Per window, one row per sentence it holds pieces of, averaging those pieces (after [CLS]); pieces
    outside any sentence (-1) are left out; labels hard or soft."""
    doc = {"sent": np.array([0, 0, 1, 1, 1, -1, 2]), "hard": np.array([1.0, 0.0, 1.0], dtype=np.float32),
           "soft": np.array([0.5, 0.0, 0.25], dtype=np.float32)}
    wins = [{"doc": 0, "s": 1, "e": 6}]
    (m, lab, ks), = window_targets(wins, [doc], soft=False)
    assert ks.tolist() == [0, 1] and lab.tolist() == [1.0, 0.0]
    assert m.shape == (2, 7)  # [CLS], 5 pieces, [SEP]
    assert np.allclose(m[0], [0, 1, 0, 0, 0, 0, 0]) and np.allclose(m[1], [0, 0, 1 / 3, 1 / 3, 1 / 3, 0, 0])
    assert window_targets(wins, [doc], soft=True)[0][1].tolist() == [0.5, 0.0]
