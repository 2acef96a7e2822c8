"""A numbered text both documents cite, and one agency's template filled with other facts, make no link."""

from __future__ import annotations

from tracewire.corpus.reuse import ReuseConfig, cited_passage, filled_template, find_reuse
from tracewire.records import Document

from .fixtures import OTHER, doc, join
from .test_widgets import ENDINGS, EVENTS, LATER

# a paragraph of a fictional numbered code (our own words), 30 words: over full_words, so it counts in full
CODE = ("Harbour masters shall keep the outer channel free of anchored vessels at night. They shall light the "
        "northern beacon before dusk. They shall record every departure in the common ledger.")


def _cited(ref_a: str, ref_b: str) -> list[Document]:
    """Two outlets' articles on different subjects that quote the code's paragraph, each followed by its
    reference; three unrelated articles."""
    a = doc("a", join(EVENTS[0], LATER[0], f"The code is plain: “{CODE}” {ref_a}", OTHER[3]),
            date="2016-03-02", outlet="Valley Post")
    b = doc("b", join(EVENTS[1], LATER[1], CODE, ref_b, OTHER[4]), date="2016-03-03", outlet="Coast Daily")
    rest = [doc(f"o{k}", join(OTHER[k], ENDINGS[k]), outlet=f"Paper {k}") for k in range(3)]
    return [a, b, *rest]


def test_cited_passage_reads_the_same_numbered_reference_after_both() -> None:
    """The same number in a parenthetical naming a text, just after the passage in both; else False."""
    a, b = "the words end here” (HC 114). Then the story", "the words end here.\nMore.\n(Harbour Code, 114)"
    assert cited_passage(a, b, 18, 18)
    assert not cited_passage(a, b.replace("114", "115"), 18, 18)
    assert not cited_passage(a, "the words end here (114) and more", 18, 18)  # a bare number names no text
    assert not cited_passage(a, "the words end here" + " x" * 100 + " (Harbour Code, 114)", 18, 18)


def test_a_paragraph_of_a_numbered_text_both_cite_makes_no_link() -> None:
    """Quoted by two articles on different subjects, each with its reference: no link (before: linked, the
    30 words weigh in full); the same paragraph with no reference after it still links them."""
    assert find_reuse(_cited("(HC 114).", "(Harbour Code, 114)")) == []
    assert len(find_reuse(_cited("(HC 114).", "(Harbour Code, 114)"), ReuseConfig(cited_rides=False))) == 1
    assert len(find_reuse(_cited("", ""))) == 1


# one fictional agency's press-release template (our own words): its slots are filled per operation
LEDE = ("Officers of the Regional Customs Office arrested {n} smugglers and cargo violators in {place} during a "
        "{days}-day inspection campaign, which ended {day}. During this campaign, customs officers seized goods "
        "in the following towns of {region}")
FIXED = [
    "All of the people arrested in this campaign were liable to prosecution under the customs law of the "
    "republic, and most of the goods seized were cigarettes, fuel and counterfeit medicines hidden in trucks.",
    "Customs officers carry out targeted inspections daily across the country as part of the office's "
    "ongoing efforts to protect public revenue, uphold public safety and secure the integrity of the border.",
]


def _template(fills_a: dict[str, str], fills_b: dict[str, str]) -> list[Document]:
    """Two outlets' releases written from the template with the given fills; three unrelated articles."""
    a = doc("a", join(LEDE.format(**fills_a), EVENTS[0], FIXED[0], LATER[0], FIXED[1]), date="2016-03-02",
            outlet="Valley Post")
    b = doc("b", join(LEDE.format(**fills_b), EVENTS[1], FIXED[0], LATER[1], FIXED[1]), date="2016-03-04",
            outlet="Coast Daily")
    rest = [doc(f"o{k}", join(OTHER[k], ENDINGS[k]), outlet=f"Paper {k}") for k in range(3)]
    return [a, b, *rest]


NORTH = {"n": "22", "place": "Velmora", "days": "three", "day": "Monday", "region": "Velmora"}
SOUTH = {"n": "145", "place": "Ostrev", "days": "seven", "day": "Thursday", "region": "Ostrev"}


def test_filled_template_needs_other_numbers_and_another_name() -> None:
    """Numbers and a place differ: a filled template; an updated toll (numbers only) or a name spelt two
    ways is not one."""
    w = str.split
    assert filled_template(w("arrested 22 people in Velmora during a three day raid"),
                           w("arrested 145 people in Ostrev during a seven day raid"))
    assert not filled_template(w("killed 15 people in Velmora and four in a village near it"),
                               w("killed 18 people in Velmora and five in a village near it"))
    assert not filled_template(w("killed 15 people in Deir Ezzor and four in a village near it"),
                               w("killed 18 people in Deir Ezzour and five in a village near it"))


def test_one_template_filled_for_two_operations_makes_no_link() -> None:
    """The releases of two operations (other counts, places, days) share the template's fixed paragraphs:
    no link (before: linked); two outlets printing one release still link."""
    assert find_reuse(_template(NORTH, SOUTH)) == []
    assert len(find_reuse(_template(NORTH, SOUTH), ReuseConfig(template_fill=False))) == 1
    assert len(find_reuse(_template(NORTH, NORTH))) == 1
    assert len(find_reuse(_template(NORTH, {**NORTH, "n": "24"}))) == 1  # an updated count: still one release
