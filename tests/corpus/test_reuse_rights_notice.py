"""A wire's rights notice under two different stories is furniture of the wire, not reuse (issue 10, batch 13).

GeoWebNews holds AP, CNN NewSource and Scripps stories on many sites, each ending with its agency's
notice word for word ("Copyright 2018 ... All rights reserved. This material may not be published,
broadcast, rewritten or redistributed."). Before ``ReuseConfig.notice_rides`` tracewire linked 12 pairs
of different stories of different sites by that notice alone (eval/reuse_real dev, gwn: precision 0.143).
"""

from __future__ import annotations

from tracewire.analyze.notices import rights_notice
from tracewire.corpus.reuse import ReuseConfig, find_reuse
from tracewire.records import ReuseLink

from .fixtures import OTHER, WIRE, doc, join

# a fictional agency's notice, printed under each of its stories on every site that takes them
NOTICE = ("Copyright 2026 The Levant Wire Agency. All rights reserved. This material may not be published, "
          "broadcast, rewritten or redistributed.")


def _pairs(links: list[ReuseLink]) -> set[frozenset[str]]:
    """The linked pairs, unordered."""
    return {frozenset((lk.source, lk.target)) for lk in links}


def test_rights_notice_reads_notices_only() -> None:
    """Notice sentences (cut fragments aside) are a notice; a sentence of news beside them, or news about
    copyright, is not."""
    assert rights_notice(NOTICE)
    assert rights_notice("Copyright 2026 by Levant TV. All rights reserved. This material may not be published")
    assert rights_notice("s said. \u00a9 2026 Levant News Network, Inc. All rights reserved.")
    assert not rights_notice(NOTICE + " The river is expected to crest near Velmora on Friday afternoon.")
    assert not rights_notice("The court said the copyright claim over the song was filed too late to be heard.")
    assert not rights_notice("")


def test_two_stories_sharing_only_their_agencys_notice_are_not_linked() -> None:
    """Two sites print two different stories of one agency with its notice: no link; with the rule off, the
    notice alone links them (the method before batch 13)."""
    docs = [doc("flood", join(WIRE[0], WIRE[2], NOTICE), outlet="site-a"),
            doc("ferry", join(OTHER[0], OTHER[1], NOTICE), outlet="site-b"),
            doc("third", join(OTHER[2], OTHER[3]), outlet="site-c")]
    assert _pairs(find_reuse(docs)) == set()
    assert _pairs(find_reuse(docs, ReuseConfig(notice_rides=False))) == {frozenset(("flood", "ferry"))}


def test_one_story_on_two_sites_stays_linked_with_its_notice() -> None:
    """The same story on two sites is a copy; the notice rides along with the link."""
    docs = [doc("a", join(WIRE[0], WIRE[1], WIRE[2], NOTICE), outlet="site-a"),
            doc("b", join(WIRE[0], WIRE[1], WIRE[2], NOTICE), outlet="site-b"),
            doc("c", join(OTHER[0], OTHER[1]), outlet="site-c")]
    links = find_reuse(docs)
    assert _pairs(links) == {frozenset(("a", "b"))}
    assert links[0].kind == "copy"
