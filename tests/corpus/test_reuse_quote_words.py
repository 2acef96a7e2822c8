"""A shared quotation is measured by the speaker's words: the attribution both reports print after it
("the mayor said") does not count towards ``quote_words``."""

from __future__ import annotations

import random

from tracewire.corpus.reuse import find_reuse

from .fixtures import doc, join
from .test_reuse_names_signup import _filler

# a speaker's words (our own), ten and fourteen of them
SHORT = "We will not open the old dam until the engineers agree"
LONG = "We will not open the old dam until the engineers from the coast agree"


def _reports(quote: str) -> list:
    """Three outlets' reports of one council meeting quote the mayor and name her after the quotation;
    seventeen other outlets' articles share nothing (so the quotation's words are not rare)."""
    rng = random.Random(5)
    quoting = [doc(f"q{k}", join(_filler(rng, k), f'"{quote}," the mayor said.', _filler(rng, k + 1)),
                   date="2016-03-01", outlet=f"Outlet {k}") for k in range(3)]
    rest = [doc(f"o{k}", join(_filler(rng, k), _filler(rng, k + 2)), date="2016-03-01", outlet=f"Other {k}")
            for k in range(17)]
    return [*quoting, *rest]


def test_a_ten_word_quotation_and_its_attribution_link_nothing() -> None:
    """Ten quoted words and "the mayor said" are thirteen shared words but a ten-word quotation: under
    the twelve words a shared quotation needs (before: linked, the attribution counted)."""
    assert find_reuse(_reports(SHORT)) == []


def test_a_fourteen_word_quotation_with_its_attribution_links_the_reports() -> None:
    """Fourteen quoted words are a shared quotation: the three reports are linked pairwise."""
    links = find_reuse(_reports(LONG))
    assert {tuple(sorted((lk.source, lk.target))) for lk in links} == {("q0", "q1"), ("q0", "q2"), ("q1", "q2")}
    assert {lk.kind for lk in links} == {"shared_quotation"}
