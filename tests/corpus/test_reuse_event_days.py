"""An agency's background paragraph in reports of different events is not a copy (issue 10, reuse on real news)."""

from __future__ import annotations

from tracewire.corpus.reuse import ReuseConfig, event_days_differ, find_reuse
from tracewire.records import Document, ReuseLink

from .fixtures import OTHER, WIRE, doc, join

# a background paragraph an agency appends to its reports of a long crisis (our own words): no day, no number
BACKGROUND = (
    "The Karsu valley has been cut off from the coast since the old railway bridge at Ostrev was closed, "
    "and the regional council, which has promised a new crossing every spring, says the money for it has "
    "gone to repairing the earthen dams instead of the roads."
)

# the lede of a second report of the flood of WIRE[0], in other words, on the same day
SAME_DAY = (
    "Thousands of residents of Velmora spent the night in the municipal sports hall after the Karsu burst "
    "its banks on Tuesday, officials said, and the army sent trucks to carry families from the flooded "
    "streets near the river to schools on higher ground north of the old town."
)

# the lede of a report of another event, on another day
OTHER_DAY = (
    "A landslide blocked the mountain road between Ostrev and the upper valley on Thursday, stranding a "
    "bus of schoolchildren for several hours until a road crew cleared a lane, the police in the district "
    "said, adding that nobody was hurt and the road would stay closed."
)


def _reports() -> list[Document]:
    """Four reports of four outlets that each carry the background paragraph after their own lede."""
    return [
        doc("flood", join(WIRE[0], WIRE[2], BACKGROUND, OTHER[3]), outlet="north"),  # Tuesday
        doc("ferry", join(OTHER[0], OTHER[1], BACKGROUND, OTHER[2]), outlet="south"),  # Monday
        doc("slide", join(OTHER_DAY, BACKGROUND, OTHER[4]), outlet="east"),  # Thursday
        doc("shelter", join(SAME_DAY, BACKGROUND, WIRE[4]), outlet="west"),  # Tuesday, the flood again
    ]


def _pairs(links: list[ReuseLink]) -> set[frozenset[str]]:
    """The linked pairs, unordered."""
    return {frozenset((lk.source, lk.target)) for lk in links}


def test_a_background_paragraph_links_only_reports_of_the_same_day() -> None:
    """Four outlets append one background paragraph to their reports of events on Tuesday, Monday,
    Thursday and Tuesday: only the two Tuesday reports (one flood) are linked; the rest share a formula."""
    assert _pairs(find_reuse(_reports())) == {frozenset(("flood", "shelter"))}


def test_without_the_event_day_test_every_report_links() -> None:
    """The same reports with the rule off: the background paragraph alone links all six pairs."""
    assert len(_pairs(find_reuse(_reports(), ReuseConfig(event_days=False)))) == 6


def test_a_passage_in_the_lede_is_news_not_background() -> None:
    """The paragraph opening both reports (in their lede) links them, whatever days they name later."""
    docs = [doc("a", join(BACKGROUND, WIRE[0], OTHER[3]), outlet="north"),
            doc("b", join(BACKGROUND, OTHER[0], OTHER[2]), outlet="south"),
            doc("c", join(BACKGROUND, OTHER_DAY, OTHER[4]), outlet="east")]
    assert len(_pairs(find_reuse(docs))) == 3


def test_event_days_differ_needs_a_day_in_both_and_no_shared_number() -> None:
    """Different first weekdays outside the shared spans tell of different events, unless a number is shared."""
    a = "Rockets hit the crowded market of Velmora on Monday, killing 14 people. BACKGROUND"
    b = "A car bomb exploded near the bridge at Ostrev on Saturday, wounding 9 people. BACKGROUND"
    spans = [(a.index("BACKGROUND"), len(a))]
    spans_b = [(b.index("BACKGROUND"), len(b))]
    assert event_days_differ(a, b, spans, spans_b)
    assert not event_days_differ(a, b.replace("9", "14"), spans, spans_b)  # a shared count: maybe one event
    assert not event_days_differ(a, b.replace("Saturday", "Monday"), spans, spans_b)
    assert not event_days_differ(a, b.replace("on Saturday", "overnight"), spans, spans_b)  # no day named
    assert event_days_differ(a.replace("14", "2016"), b.replace("9", "2016"), spans, spans_b)  # a year is no count
    # a weekday that opens a text is its dateline (the day it was published), not the day of its event
    dated = "Monday 4 April. " + b
    assert event_days_differ(a, dated, spans, [(s + 16, e + 16) for s, e in spans_b])
