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


# a wire lede (our own words, 20 words) that five outlets open their reports of one bombing with, then their own words
LEDE = ("A car bomb struck a convoy of buses carrying families evacuated from two besieged valley towns "
        "near Ostrev and the northern dam")
OWN = [
    "killing at least forty people on Saturday, the regional office said, while rescuers searched the wreckage.",
    "on Saturday, and medics at the field hospital counted dozens of wounded children among the passengers.",
    "and the road to the coast stayed closed on Saturday while soldiers checked every vehicle at the bridge.",
    "as the evacuation paused on Saturday, with hundreds of people left waiting in a car park by the depot.",
    "on Saturday afternoon; witnesses described a column of smoke visible from the hills above the river.",
]


def _lede_reports(day_b: str) -> list[Document]:
    """Five outlets' reports that open with the same wire lede among twenty unrelated articles; the fifth report
    is dated ten days after the first (a corpus's noisy date) and names the day of its event as ``day_b``."""
    docs = [doc(f"r{k}", join(f"{LEDE} {OWN[k]}", OTHER[k]), date=f"2016-03-0{1 + k % 2}", outlet=f"Wire {k}")
            for k in range(4)]
    last = OWN[4].replace("Saturday", day_b)
    docs.append(doc("r4", join(f"{LEDE} {last}", ENDINGS[0]), date="2016-03-11", outlet="Wire 4"))
    docs += [doc(f"o{i}{j}", join(OTHER[i], WIRE[j]), date="2016-03-05", outlet=f"Paper {i}{j}")
             for i in range(5) for j in range(4)]
    return docs


def test_a_wire_lede_two_reports_open_with_links_them_whatever_their_dates() -> None:
    """A 20-word wire lede that five reports of one bombing open with is a copy in each: its words count, not
    their rarity (five of the corpus's 25 documents print it), and a corpus's date ten days off does not make
    it background (no ``apart_words``); the same lede in a report of an event on another day links nothing."""
    linked = {frozenset((lk.source, lk.target)) for lk in find_reuse(_lede_reports("Saturday"))}
    assert frozenset(("r0", "r4")) in linked and frozenset(("r1", "r4")) in linked
    linked = {frozenset((lk.source, lk.target)) for lk in find_reuse(_lede_reports("Monday"))}
    assert not any("r4" in pair for pair in linked)
    assert frozenset(("r0", "r1")) in linked  # the four dated within days of each other link as before
