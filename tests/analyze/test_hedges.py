"""Hedges and boosters with their context rules."""

from __future__ import annotations

from collections.abc import Callable

from tests.analyze.conftest import seed_text
from tracewire.analyze.hedges import HedgeLexicon, find_hedges
from tracewire.pipeline import Analysis


def _lex() -> HedgeLexicon:
    """A small hedge lexicon written inline."""
    return HedgeLexicon.from_packs(
        [{"hedges": ["reportedly", "may", "may have"], "boosters": ["clear", "it is now clear"], "negators": ["not"]}]
    )


def test_longest_phrase_negation_and_month() -> None:
    """Longest phrase negation and month."""
    text = "It is now clear that they may have left in May 2017, but it is not clear why."
    found = [(h.text, h.kind) for h in find_hedges(text, 0, len(text), _lex())]
    assert found == [("It is now clear", "booster"), ("may have", "hedge"), ("clear", "hedge")]


def test_quoted_hedge_belongs_to_speaker() -> None:
    """Quoted hedge belongs to speaker."""
    text = "“They reportedly fled,” he said, and reportedly left."
    hs = find_hedges(text, 0, len(text), _lex(), [(0, 22)])
    assert [(h.text, h.quoted) for h in hs] == [("reportedly", True), ("reportedly", False)]


def test_seed_boosters(analyze: Callable[[str], Analysis]) -> None:
    """Seed boosters."""
    for prefix in ("004", "002"):
        ana = analyze(seed_text(prefix))
        first = ana.claims[0]
        assert first.text.startswith("It is now clear")
        assert ("It is now clear", "booster") in [(h.text, h.kind) for h in first.hedges]
    ana = analyze(seed_text("004"))
    kinds = {h.text.lower(): h.kind for c in ana.claims for h in c.hedges}
    assert kinds.get("there’s no chance") == "booster"
    assert kinds.get("apparently") == "hedge"


def test_seed_003_hedges(analyze: Callable[[str], Analysis]) -> None:
    """Seed 003 hedges."""
    ana = analyze(seed_text("003"))
    c = next(c for c in ana.claims if c.text.startswith("The coalition of Arab and Kurdish fighters"))
    assert {h.text for h in c.hedges} >= {"allegedly", "reportedly"}
