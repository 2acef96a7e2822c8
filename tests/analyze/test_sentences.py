"""Sentence segmentation on news and PDF text."""

from __future__ import annotations

from collections.abc import Callable

from tests.analyze.conftest import seed_text
from tracewire.pipeline import Analysis


def _sents(analyze: Callable[[str], Analysis], text: str) -> list[str]:
    """Sentence texts of an analysed text."""
    return [s.text for s in analyze(text).sentences]


def test_headline_is_its_own_sentence(analyze: Callable[[str], Analysis]) -> None:
    """Headline is its own sentence."""
    text = (
        "Rebels Seize Hilltop Near Hama After Night Raid\n\n"
        "Rebel fighters captured a strategic hilltop north of Hama on Tuesday. The army sent reinforcements."
    )
    assert _sents(analyze, text) == [
        "Rebels Seize Hilltop Near Hama After Night Raid",
        "Rebel fighters captured a strategic hilltop north of Hama on Tuesday.",
        "The army sent reinforcements.",
    ]


def test_dateline_stays_with_first_sentence(analyze: Callable[[str], Analysis]) -> None:
    """Dateline stays with first sentence."""
    sents = _sents(analyze, "DAMASCUS –\nTwo car bombs exploded near a bus station on Monday. Nine people died.")
    assert sents[0].startswith("DAMASCUS –") and sents[0].endswith("on Monday.")
    assert len(sents) == 2


def test_abbreviations_do_not_end_sentences(analyze: Callable[[str], Analysis]) -> None:
    """Abbreviations do not end sentences."""
    text = (
        "Gen. Karim Nassar and Lt. Col. J. Rowe met U.S. envoys in Amman. "
        "The U.S. Army said the talks went well. They ended at 5 p.m. on Friday."
    )
    assert _sents(analyze, text) == [
        "Gen. Karim Nassar and Lt. Col. J. Rowe met U.S. envoys in Amman.",
        "The U.S. Army said the talks went well.",
        "They ended at 5 p.m. on Friday.",
    ]


def test_quote_then_speaker_is_one_sentence(analyze: Callable[[str], Analysis]) -> None:
    """Quote then speaker is one sentence."""
    text = "“The road is closed. Nobody passes,” the officer said. Traffic backed up for miles."
    assert _sents(analyze, text) == [
        "“The road is closed.",
        "Nobody passes,” the officer said.",
        "Traffic backed up for miles.",
    ]


def test_hard_wrapped_pdf_lines_are_joined(analyze: Callable[[str], Analysis]) -> None:
    """Hard wrapped pdf lines are joined."""
    lines = [
        "The convoy of aid trucks left the border crossing early on Thursday morning and headed",
        "south along the main highway towards the besieged town, where thousands of residents",
        "have waited for food and medicine for several weeks. Local officials said the trucks",
        "carried flour, infant formula and surgical supplies donated by several charities in the",
        "region. The drivers were stopped twice at checkpoints but were allowed to continue after",
        "their papers were inspected by soldiers stationed along the road near the old bridge.",
    ]
    sents = _sents(analyze, "\n\n".join(lines))
    assert len(sents) == 3
    assert sents[0].startswith("The convoy") and sents[0].endswith("several weeks.")


def test_seed_headline_not_merged(analyze: Callable[[str], Analysis]) -> None:
    """Seed headline not merged."""
    sents = _sents(analyze, seed_text("003"))
    assert "US-Backed Forces on Collision Course with Syrian Army in ‘Race for Deir ez-Zor Oilfields’" in sents
    assert any(s.startswith("“It’s going to be a race,” former Pentagon official Michael Maloof told RT.") for s in sents)
    assert "Similar Posts" in sents


def test_seed_004_pdf_sentences(analyze: Callable[[str], Analysis]) -> None:
    """Seed 004 pdf sentences."""
    sents = _sents(analyze, seed_text("004"))
    assert sents[0].startswith("It is now clear that") and sents[0].endswith("local Sunni tribes.")
    assert any(s.startswith("There’s no chance that one could land such a shot") for s in sents)


def test_quote_opened_mid_sentence_is_not_split(analyze: Callable[[str], Analysis]) -> None:
    """A quotation inside a sentence keeps the sentence whole; one after a colon may split."""
    assert _sents(analyze, 'He called it "a disaster. A total disaster" and left. Then he came back.') == [
        'He called it "a disaster. A total disaster" and left.',
        "Then he came back.",
    ]
    assert _sents(analyze, "He said: “We will win. We always win.” Nobody believed him.") == [
        "He said: “We will win.",
        "We always win.”",
        "Nobody believed him.",
    ]
