"""Check-worthy claims: the shipped model and the news rules."""

from __future__ import annotations

from collections.abc import Callable

from tests.analyze.conftest import seed_text
from tracewire.analyze.checkworthy import hand_features, load_model, ngrams
from tracewire.pipeline import Analysis


def test_model_file_loads_and_ranks() -> None:
    """Model file loads and ranks."""
    m = load_model()
    assert 0.05 < m.threshold < 0.95 and len(m.vocab) > 1000
    factual = m.score("Unemployment fell to 3.5 percent last year, the lowest rate in fifty years.")
    chat = m.score("Thank you very much, everybody.")
    assert factual > 0.5 > chat


def test_vectoriser_matches_scikit_learn_tokens() -> None:
    """Vectoriser matches scikit learn tokens."""
    assert ngrams("The U.S. lost $5 billion") == ["the", "lost", "billion", "the lost", "lost billion"]
    assert "number" in hand_features("about 300 people") and "question" in hand_features("Is it true?")


def test_news_sentences_become_claims(analyze: Callable[[str], Analysis]) -> None:
    """News sentences become claims."""
    text = (
        "Militants killed 14 soldiers in an ambush near Sukhnah on Friday.\n\n"
        "Similar Posts\n\n"
        "What happens next?\n\n"
        "The governor accused the rebels of shelling a school."
    )
    claims = analyze(text).claims
    texts = [c.text for c in claims]
    assert texts == [
        "Militants killed 14 soldiers in an ambush near Sukhnah on Friday.",
        "The governor accused the rebels of shelling a school.",
    ]
    first = claims[0]
    assert 0.0 <= first.checkworthy <= 1.0
    assert "rule:number" in first.features and "rule:event" in first.features
    assert any(f.startswith("ngram:") or f.startswith("feature:") for f in first.features)


def test_a_wires_rights_notice_is_no_claim(analyze: Callable[[str], Analysis]) -> None:
    """The notice a wire prints under its stories (GeoWebNews: 9 documents made it a claim) is not a claim."""
    text = (
        "Militants killed 14 soldiers in an ambush near Sukhnah on Friday.\n\n"
        "Copyright 2026 The Levant Wire Agency. All rights reserved. This material may not be published, "
        "broadcast, rewritten or redistributed."
    )
    assert [c.text for c in analyze(text).claims] == ["Militants killed 14 soldiers in an ambush near Sukhnah on Friday."]


def test_a_contact_line_is_no_claim(analyze: Callable[[str], Analysis]) -> None:
    """A reporter's contact line (LGL: 2 papers end stories with one) is not a claim; a figure with a number is."""
    text = (
        "The council approved 12 new bus routes on Monday after a three-hour debate.\n\n"
        "Dana Vell can be reached at dvell@velmora-courier.example or at 555-0142.\n\n"
        "Police said the caller rang 911 at 4:15 p.m. and reported 12 shots."
    )
    texts = [c.text for c in analyze(text).claims]
    assert texts == ["The council approved 12 new bus routes on Monday after a three-hour debate.",
                     "Police said the caller rang 911 at 4:15 p.m. and reported 12 shots."]


def test_seed_claims_carry_scores(analyze: Callable[[str], Analysis]) -> None:
    """Seed claims carry scores."""
    ana = analyze(seed_text("001"))
    texts = [c.text for c in ana.claims]
    assert any(t.startswith("Local sources told") for t in texts)
    assert not any(t in ("August 12, 2023", "The Cradle News Desk") for t in texts)
    by_text = {c.text[:30]: c.checkworthy for c in ana.claims}
    assert by_text["This has led to losses surpass"] > 0.7
