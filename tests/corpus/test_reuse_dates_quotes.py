"""Short shared text across weeks, embedded posts as quotations, a poll's question and an author's bio in the widget pool."""

from __future__ import annotations

from tracewire.corpus.edits import quote_spans
from tracewire.corpus.furniture import learn
from tracewire.corpus.reuse import days_apart, find_reuse
from tracewire.records import Document

from .fixtures import OTHER, WIRE, doc, join
from .test_widgets import ENDINGS, EVENTS, LATER, WIDGET

# an agency's background sentence (our own words), printed in its reports of two different events
BACKGROUND = "More than nine thousand people have left the valley since the dams began to fail in the spring."
# a speaker's post, embedded as markup the way PolNeAR keeps tweets (our own words)
POST = ("Another terrible night for the valley towns. Many homes lost and families in shelters. When will the "
        "council act? It keeps getting worse.")


def _pair(date_b: str, shared: str) -> list[Document]:
    """Two reports of different events by two outlets that share one sentence, plus unrelated articles."""
    a = doc("a", join(EVENTS[0], shared, LATER[0]), date="2016-03-01", outlet="Valley Post")
    b = doc("b", join(EVENTS[1], shared, LATER[1]), date=date_b, outlet="Coast Daily")
    rest = [doc(f"o{k}", join(OTHER[k], ENDINGS[k]), outlet=f"Paper {k}") for k in range(3)]
    return [a, b, *rest]


def test_days_apart_reads_iso_dates_and_assumes_nothing_without_them() -> None:
    """Days between ISO dates (times ignored); 0 when a date is missing or unreadable."""
    assert days_apart("2016-03-01", "2016-03-31T10:00:00") == 30
    assert days_apart("2016-03-01", None) == 0 and days_apart("March", "2016-03-01") == 0


def test_a_background_sentence_links_reports_days_apart_not_weeks_apart() -> None:
    """An 18-word sentence in two reports a day apart is a copy; a month apart it is the agency's
    background, and links nothing; a wire passage of more words still links across the month."""
    assert {(lk.source, lk.target) for lk in find_reuse(_pair("2016-03-02", BACKGROUND))} == {("a", "b")}
    assert find_reuse(_pair("2016-03-31", BACKGROUND)) == []
    assert len(find_reuse(_pair("2016-03-31", join(WIRE[0], WIRE[1])))) == 1


def test_an_embedded_post_is_a_quotation_and_links_across_weeks() -> None:
    """A tweet kept as markup is a quotation: quoted by one report as an embed and by another in
    marks, it links them as a shared quotation even a month apart."""
    embed = f'<tweet author="mayor_ilse" timestamp="1">{POST}</tweet>.'
    text = f"The mayor wrote: {embed}"
    assert POST in [text[s:e] for s, e in quote_spans(text)]
    docs = _pair("2016-03-31", "")
    docs[0] = doc("a", join(EVENTS[0], f"The mayor wrote: {embed}", LATER[0]), date="2016-03-01", outlet="Valley Post")
    docs[1] = doc("b", join(EVENTS[1], f'The mayor posted: "{POST}"', LATER[1]), date="2016-03-31", outlet="Coast Daily")
    (link,) = find_reuse(docs)
    assert link.kind == "shared_quotation"


def test_pool_masks_a_poll_whose_cue_shares_a_line_with_prose_and_a_bio_under_a_credit() -> None:
    """Articles without outlet: a poll whose cue line runs on from a paragraph starts at its question,
    which is masked with the rest; an author's bio after a 'posted with permission' line, to the end
    of the document, is masked too; and they link nothing."""
    lines = WIDGET.splitlines()
    bio = "Article posted with permission from Mara Quill\nMara Quill's long campaign for open archives shines in her three books"
    docs = [doc(f"n{k}", join(OTHER[k] + " " + lines[0] + "\n" + "\n".join(lines[1:]), ENDINGS[k]) + "\n" + bio)
            for k in range(3)]
    spans = learn(docs)
    for d in docs:
        masked = [d.text[s:e] for s, e in spans[d.id]]
        assert any(lines[1] in m for m in masked), masked
        assert any(m.endswith("her three books") for m in masked), masked
    assert find_reuse(docs) == []
