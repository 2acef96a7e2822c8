"""eval/reuse_real_margin.py: where a pair's link test flips, and the gap each threshold leaves on the dev half."""

from __future__ import annotations

from typing import Any

import pytest

from eval import reuse_real_margin as m


def test_flip_finds_the_value_where_the_answer_turns(monkeypatch: pytest.MonkeyPatch) -> None:
    """A pair that weighs 13 words is linked up to a threshold of 13 and not above; the ends of the
    searched range come back when it never turns there."""
    call = m.Call("a", "b", {}, True)
    monkeypatch.setattr(m, "_answer", lambda _call, threshold: threshold <= 13.0)
    assert m._flip(call, lambda x: x, 1.0, 100.0) == pytest.approx(13.0, rel=0.01)
    assert m._flip(call, lambda x: x, 1.0, 10.0) == 10.0  # linked even at the strict end
    assert m._flip(call, lambda x: x, 20.0, 100.0) == 20.0  # not linked even at the loose end


def _row(label: str, linked: bool, **knobs: float) -> dict[str, Any]:
    base = {"s": m.HI, "min_link_words": 12.0 * m.HI, "apart_words": 25.0 * m.LO, "quote_words": 12.0 * m.HI,
            "same_outlet_words": 60.0 * m.HI, "stock_rarity": 1.0}
    if not linked:
        base |= {"s": m.LO, "min_link_words": 12.0 * m.LO, "quote_words": 12.0 * m.LO,
                 "same_outlet_words": 60.0 * m.LO, "stock_rarity": 0.01}
    return {"corpus": "c", "a": "x", "b": "y", "label": label, "linked": linked, "aligned": True,
            "tested": linked, "anchors": 5, "days": 0, "printed_gap": -1, "past_ledes": False, **base, **knobs}


def test_gaps_take_the_nearest_unlinked_negative_and_the_nearest_linked_reuse_pair() -> None:
    """min_link_words: negatives link at 11.0 and 9.0 or less, reuse links hold up to 12.5 and 20.0: the
    gap is (11.0, 12.5). A negative the knob alone never links (at the bottom of the range) and a linked
    negative do not count."""
    table = [_row("reuse", True, s=1.04, min_link_words=12.5), _row("reuse", True, s=1.6, min_link_words=20.0),
             _row("independent", False, s=0.92, min_link_words=11.0), _row("stock_phrase", False, s=0.75,
                                                                            min_link_words=9.0),
             _row("furniture", False), _row("stock_phrase", True, s=2.0, min_link_words=24.0)]
    got = {k: (n, p) for k, _, n, p, _, _ in m.gaps(table)}
    assert got["min_link_words"] == (11.0, 12.5)
    assert got["s"] == (0.92, 1.04)
    assert "min_link_words" in m.report(table)
