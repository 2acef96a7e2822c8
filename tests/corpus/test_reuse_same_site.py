"""Pages of no known outlet that open with the same short line (a site's masthead) are one site's pages."""

from __future__ import annotations

from tracewire.corpus.reuse import find_reuse, same_site

from .fixtures import OTHER, WIRE, doc, join

MASTHEAD = "Harbour Watch Daily."
# a refrain the site inserts into its stories (our own words): 17 words, rare, not quoted
REFRAIN = ("The harbour charter leaves every decision on mooring fees to the elected council and never to "
           "the judges.")


def test_same_site_reads_a_short_opening_line_not_a_headline() -> None:
    """The same short first line names one site; a headline (longer) or different lines do not."""
    assert same_site(join(MASTHEAD, OTHER[0]), join(MASTHEAD, WIRE[0]))
    assert same_site("\n  harbour watch daily.\n" + OTHER[0], join(MASTHEAD, WIRE[0]))  # case and blank lines aside
    assert not same_site(join("Valley Courier Online.", OTHER[0]), join(MASTHEAD, WIRE[0]))
    headline = "Flooding forces four thousand from their homes in Velmora"
    assert not same_site(join(headline, WIRE[0]), join(headline, WIRE[1]))
    assert not same_site("", "")


def test_one_sites_refrain_links_nothing_but_its_republished_article_does() -> None:
    """Two stories of one site (the same masthead, no outlet known) share the site's 17-word refrain: not
    a copy (before: linked, as any 12 rare words across outlets). The same refrain on pages of two sites
    is linked, and so is an article the site prints twice."""
    a = doc("a", join(MASTHEAD, OTHER[0], REFRAIN, OTHER[1]))
    b = doc("b", join(MASTHEAD, WIRE[0], REFRAIN, WIRE[3]))
    assert find_reuse([a, b]) == []
    other_site = doc("c", join("Valley Courier Online.", WIRE[0], REFRAIN, WIRE[3]))
    assert [(lk.source, lk.target) for lk in find_reuse([a, other_site])] in ([("a", "c")], [("c", "a")])
    printed_twice = [doc("d", join(MASTHEAD, *WIRE)), doc("e", join(MASTHEAD, *WIRE[:4], OTHER[3]))]
    assert len(find_reuse(printed_twice)) == 1
