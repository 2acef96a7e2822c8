"""One outlet's background paragraph in its reports of two events is no copy of one article (issue 10, rr34).

Within one outlet only an article printed twice (or updated) is reuse; eval/reuse_real's batch 12 found the
shipped method linking two reports of one outlet on different days' strikes through the agency's background
paragraph alone (``ReuseConfig.same_outlet_events``).
"""

from __future__ import annotations

from tracewire.corpus.reuse import ReuseConfig, find_reuse
from tracewire.records import Document, ReuseLink

from .fixtures import OTHER, WIRE, doc, join

# a long background paragraph one outlet appends to its reports of a long crisis (our own words): no day, no number
BACKGROUND = (
    "The Karsu valley has been cut off from the coast since the old railway bridge at Ostrev was closed, "
    "and the regional council, which has promised a new crossing every spring, says the money for it has "
    "gone to repairing the earthen dams instead of the roads. Traders in the upper villages now carry their "
    "goods over the mountain pass on mules, as their grandparents did, and the schools there share one "
    "teacher who travels between them on foot through the pine forest above the lakes."
)

# the lede of a report of another event, on another day
OTHER_DAY = (
    "A landslide blocked the mountain road between Ostrev and the upper valley on Thursday, stranding a "
    "bus of schoolchildren for several hours until a road crew cleared a lane, the police in the district "
    "said, adding that nobody was hurt and the road would stay closed."
)

# the lede of a second report of the flood of WIRE[0], in other words, on the same day
SAME_DAY = (
    "Thousands of residents of Velmora spent the night in the municipal sports hall after the Karsu burst "
    "its banks on Tuesday, officials said, and the army sent trucks to carry families from the flooded "
    "streets near the river to schools on higher ground north of the old town."
)


def _pairs(links: list[ReuseLink]) -> set[frozenset[str]]:
    """The linked pairs, unordered."""
    return {frozenset((lk.source, lk.target)) for lk in links}


def _outlet(*texts: tuple[str, str]) -> list[Document]:
    """Reports of one outlet, with an unrelated report of another outlet beside them."""
    return [doc(i, t, outlet="courier") for i, t in texts] + \
        [doc("other", join(OTHER[0], OTHER[1], OTHER[2]), outlet="herald")]


def test_one_outlets_background_paragraph_in_reports_of_two_days_is_no_link() -> None:
    """A flood on Tuesday and a landslide on Thursday, each followed by the outlet's paragraph: not linked;
    with the rule off, the paragraph alone links them (the method before rr34)."""
    docs = _outlet(("flood", join(WIRE[0], WIRE[2], BACKGROUND, OTHER[3])),
                   ("slide", join(OTHER_DAY, BACKGROUND, OTHER[4])))
    assert _pairs(find_reuse(docs)) == set()
    assert _pairs(find_reuse(docs, ReuseConfig(same_outlet_events=False))) == {frozenset(("flood", "slide"))}


def test_one_outlets_reports_of_the_same_day_stay_linked() -> None:
    """Two reports of one flood (both on Tuesday) sharing the paragraph: the rule leaves them linked."""
    docs = _outlet(("flood", join(WIRE[0], WIRE[2], BACKGROUND, OTHER[3])),
                   ("shelter", join(SAME_DAY, BACKGROUND, WIRE[4])))
    assert _pairs(find_reuse(docs)) == {frozenset(("flood", "shelter"))}


def test_an_article_printed_twice_stays_linked_whatever_days_it_names() -> None:
    """The same article printed twice, the second copy updated with a later day in its last paragraph: the lede
    is shared, so the rule does not apply."""
    first = join(WIRE[0], WIRE[1], BACKGROUND)
    docs = _outlet(("v1", first), ("v2", join(first, "The water began to fall on Saturday, the office said.")))
    assert _pairs(find_reuse(docs)) == {frozenset(("v1", "v2"))}
