"""Reuse detection on hand-written fixtures: identical, tiny, boilerplate, two sources, edits."""

from __future__ import annotations

import pytest

from tracewire.corpus.reuse import ReuseConfig, find_reuse, find_stories, link_pair
from tracewire.errors import UsageError

from .fixtures import EDITORIAL, FOOTER, OTHER, WIRE, doc, join


def _pairs(links):  # type: ignore[no-untyped-def]
    """Links as a set of (source, target)."""
    return {(lk.source, lk.target) for lk in links}


def test_identical_documents_link_without_direction() -> None:
    """Two identical undated texts are one reuse link; nothing says which came first."""
    text = join(*WIRE)
    links = find_reuse([doc("b_copy", text), doc("a_copy", text)])
    assert len(links) == 1
    lk = links[0]
    assert (lk.source, lk.target) == ("a_copy", "b_copy")  # smaller id when direction unknown
    assert lk.direction_known is False
    assert lk.source_coverage == pytest.approx(1.0) and lk.target_coverage == pytest.approx(1.0)
    assert lk.target_additions == () and lk.source_cuts == ()
    assert lk.passages[0].source_start == 0 and lk.passages[-1].target_end == len(text) - 1 or \
        lk.passages[-1].target_end == len(text)
    assert any("which came first" in e for e in lk.evidence)


def test_one_word_and_empty_documents() -> None:
    """One-word and empty documents never link and never crash the batch."""
    docs = [doc("w1", "Flooding"), doc("w2", "Flooding"), doc("w3", "flooding."), doc("e", ""),
            doc("long", join(*WIRE))]
    assert find_reuse(docs) == []


def test_shared_boilerplate_alone_is_not_reuse() -> None:
    """Documents of one site share only its footer: no link, however often it repeats."""
    docs = [doc(f"site{k}", join(OTHER[k], WIRE[k], FOOTER)) for k in range(5)]
    assert find_reuse(docs) == []


def test_boilerplate_does_not_hide_real_reuse() -> None:
    """A real copy on the same site is still found, and its passages cover the copied text."""
    docs = [doc(f"site{k}", join(OTHER[k], OTHER[k + 1], FOOTER)) for k in range(0, 4, 2)]
    docs.append(doc("orig", join(*WIRE), date="2024-05-01"))
    docs.append(doc("copy", join(*WIRE[:4], FOOTER), date="2024-05-02"))
    links = find_reuse(docs)
    assert _pairs(links) == {("orig", "copy")}
    assert links[0].direction_known and links[0].shared_words >= 120


def test_document_reusing_two_sources() -> None:
    """A round-up built from two earlier reports links to both; the two sources stay unlinked."""
    flood = doc("flood", join(*WIRE), date="2024-05-01")
    ferry = doc("ferry", join(*OTHER[:3]), date="2024-05-02")
    roundup_text = join("Here is our weekly round-up of regional news.", WIRE[0], WIRE[1], WIRE[2],
                        OTHER[0], OTHER[1], "That is all for this week.")
    roundup = doc("roundup", roundup_text, date="2024-05-06")
    links = find_reuse([flood, ferry, roundup])
    assert _pairs(links) == {("flood", "roundup"), ("ferry", "roundup")}
    for lk in links:
        assert lk.direction_known
        for p in lk.passages:  # offsets point at the same words on both sides
            src = {"flood": flood, "ferry": ferry}[lk.source].text
            assert src[p.source_start : p.source_end].split()[:3] == \
                roundup_text[p.target_start : p.target_end].split()[:3]
    stories = find_stories([flood, ferry, roundup], links)
    assert len(stories) == 1 and len(stories[0].members) == 3


def test_edited_copy_and_editorial_tail_give_direction_without_dates() -> None:
    """Undated: a copy with changed words, cut paragraphs and an opinion tail is the target."""
    edited = [WIRE[0].replace("about four thousand", "nearly 4,000"), WIRE[1],
              WIRE[3].replace("Farmers", "Growers")]
    original = doc("first", join(*WIRE))
    copy = doc("second", join(*edited, EDITORIAL))
    lk = link_pair(copy, original)
    assert lk is not None
    assert (lk.source, lk.target, lk.direction_known) == ("first", "second", True)
    tail = copy.text.index("We have said it")
    assert any(s <= tail < e for s, e in lk.target_additions)
    assert any("editorialise" in e for e in lk.evidence)
    assert any("middle of first" in e for e in lk.evidence)


def test_dates_decide_direction_and_say_so() -> None:
    """With both dates known, the earlier text is the source and the evidence names the dates."""
    a = doc("zz_early", join(*WIRE), date="2024-05-01")
    b = doc("aa_late", join(*WIRE), date="2024-05-03")
    (lk,) = find_reuse([a, b])
    assert (lk.source, lk.target, lk.direction_known) == ("zz_early", "aa_late", True)
    assert lk.confidence > 0.9
    assert any("2024-05-01" in e and "2024-05-03" in e for e in lk.evidence)


def test_copies_of_one_original_are_siblings() -> None:
    """Two papers copying the same wire share text through it: their own link has no direction."""
    wire = doc("wire", join(*WIRE), date="2024-05-01", outlet="Karsu Press Agency")
    p1 = doc("paper1", join(*WIRE[:4], "Source: Karsu Press Agency"), date="2024-05-02")
    p2 = doc("paper2", join("Our correspondent adds nothing new today.", *WIRE), date="2024-05-03")
    links = {(lk.source, lk.target): lk for lk in find_reuse([wire, p1, p2])}
    assert links[("wire", "paper1")].direction_known
    assert links[("wire", "paper2")].direction_known
    sib = links[("paper1", "paper2")]
    assert not sib.direction_known and any("copy wire" in e for e in sib.evidence)
    (story,) = find_stories([wire, p1, p2], list(links.values()))
    assert story.root == "wire"
    assert {m.doc: m.parent for m in story.members} == {"wire": None, "paper1": "wire", "paper2": "wire"}


def test_unrelated_texts_on_one_topic_do_not_link() -> None:
    """Texts that only share a few stock phrases are not reuse."""
    a = doc("a", join(OTHER[0], "The regional emergency office in Velmora said it was ready.", OTHER[3]))
    b = doc("b", join(OTHER[4], "The regional emergency office in Velmora said it was ready.", OTHER[2]))
    assert find_reuse([a, b]) == []


def test_bad_input_is_named() -> None:
    """Duplicate ids and bad settings raise coded errors that name the value."""
    with pytest.raises(UsageError, match="duplicate document ids"):
        find_reuse([doc("x", "one"), doc("x", "two")])
    with pytest.raises(UsageError, match="min_anchors=0"):
        ReuseConfig(min_anchors=0)


def test_mass_reprint_links_every_copy_to_the_earliest() -> None:
    """A wire text in more papers than max_df still links: each copy to the earliest-dated one.

    Its anchors are too frequent to pair every copy with every other (quadratic), so copies are
    paired with one hub; a site footer that is just as frequent proposes nothing.
    """
    cfg = ReuseConfig(max_df=8)
    wire = doc("wire", join(*WIRE), date="2024-05-01")
    copies = [doc(f"paper{k:02d}", join(f"Paper {k} reports from the valley.", *WIRE, FOOTER),
                  date=f"2024-05-{2 + k % 20:02d}") for k in range(20)]
    site = [doc(f"site{k}", join(OTHER[k], FOOTER)) for k in range(5)]  # the footer is in 25 texts
    links = find_reuse([*copies, *site, wire], config=cfg)
    assert {lk.source for lk in links} == {"wire"}
    assert {lk.target for lk in links} == {c.id for c in copies}
    assert all(lk.direction_known and lk.shared_words >= 180 for lk in links)
    (story,) = find_stories([wire, *copies], links)
    assert story.root == "wire" and len(story.members) == 21
    # the same corpus with the default max_df pairs the copies with each other too (siblings)
    assert len(find_reuse([*copies, wire])) == 21 * 20 // 2


def test_a_shared_quotation_links_without_direction_and_names_the_speaker() -> None:
    """Two different reports quote one sentence of a speaker: kind shared_quotation, no direction."""
    quote = ("\u201cWe will rebuild every bridge on the Karsu before the first snow falls on the "
             "valley,\u201d said Mayor Ilse Norrand on Tuesday.")
    a = doc("report-a", join(OTHER[0], quote, OTHER[1]), date="2024-05-01", outlet="Valley Courier")
    b = doc("report-b", join(OTHER[3], "The mayor spoke at the shelter. " + quote, OTHER[4]),
            date="2024-05-02", outlet="Coast Gazette")
    (lk,) = find_reuse([a, b])
    assert lk.kind == "shared_quotation" and not lk.direction_known
    assert any("Ilse Norrand" in e for e in lk.evidence), lk.evidence
