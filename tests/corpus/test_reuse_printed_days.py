"""Reports that print dates more than a week apart at their top share background, not copy, past their ledes."""

from __future__ import annotations

from tracewire.corpus.reuse import find_reuse, printed_date
from tracewire.records import Document

from .fixtures import OTHER, WIRE, doc, join
from .test_widgets import ENDINGS, EVENTS, LATER

# an agency's background paragraph (our own words), 31 words: over apart_words, so the metadata's
# week does not hold it apart
BACKGROUND = ("The valley lies on the western plain of the province, which has become a battleground between "
              "several armed groups as well as the regional guard and the volunteers who hold the old railway line.")


def test_printed_date_reads_the_date_at_a_texts_top() -> None:
    """Day first or month first, with a weekday or a label before it; a date further down or none: None."""
    assert printed_date("Date of publication 5 July 2016 The bomber") == "2016-07-05"
    assert printed_date("Saturday 6 Aug 2016 Air raids kill 10") == "2016-08-06"
    assert printed_date("Published October 26 2016 Air strikes") == "2016-10-26"
    assert printed_date("Floods in the valley Monitor AFP Sunday 5 Jun 2016 Dozens of") == "2016-06-05"
    assert printed_date("Sept 31 2016 is no day") is None
    assert printed_date("In March 2016 the council met") is None
    assert printed_date("x" * 130 + " 5 July 2016") is None


def _reports(day_b: int, *, lede: bool = False) -> list[Document]:
    """Two outlets' reports of different events (same metadata date) that share the background paragraph
    past their ledes, or (``lede``) a wire paragraph at their top; three unrelated articles."""
    head_a, head_b = "Date of publication 2 March 2016", f"Published March {day_b} 2016"
    body = (WIRE[0], WIRE[0]) if lede else (EVENTS[0], EVENTS[1])
    # past the first 40 words of both (``lede_words``)
    a = doc("a", join(head_a, body[0], LATER[0], EVENTS[2], LATER[2], BACKGROUND, OTHER[3]), date="2016-03-02",
            outlet="Valley Post")
    b = doc("b", join(head_b, body[1], LATER[1], EVENTS[3], LATER[3], BACKGROUND, OTHER[4]), date="2016-03-02",
            outlet="Coast Daily")
    rest = [doc(f"o{k}", join(OTHER[k], ENDINGS[k]), outlet=f"Paper {k}") for k in range(3)]
    return [a, b, *rest]


def test_background_past_the_ledes_links_reports_printed_days_apart_not_weeks_apart() -> None:
    """Printed two days apart the paragraph links the reports; printed twelve days apart it does not
    (before: linked, the metadata dated both the same day); a wire paragraph in both ledes still does."""
    assert {(lk.source, lk.target) for lk in find_reuse(_reports(4))} in ({("a", "b")}, {("b", "a")})
    assert find_reuse(_reports(14)) == []
    assert len(find_reuse(_reports(14, lede=True))) == 1
