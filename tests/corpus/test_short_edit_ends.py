"""A short copied run with a word changed near its end (issue 10, bench10): among many outlets it links.

Twelve of thirteen words in common, the change one word before the end: the aligned passage
holds eleven words, and extension's cost of two per changed word does not pass the change for
one matching word. Where the corpus knows many outlets and the run's words are rare across them,
the link test measures the run through the change (``short_run_words``); among a few outlets it
does not (a ten-word phrase and a changed word may be one speaker quoted twice).
"""

from __future__ import annotations

import random

from tracewire.corpus.reuse import find_reuse

from .fixtures import doc
from .test_short_passages import RUN, _article

NEAR_END = "Inspectors from the capital will examine the damaged crane before the marina reopens."  # word 12 changed


def _corpus(outlets: int) -> list:  # type: ignore[type-arg]
    """The run and its edited copy in two articles of two outlets, and articles of ``outlets`` - 2 others."""
    rng = random.Random(20261129)
    docs = [doc("run_a", _article(rng, 10, RUN), outlet="alpha.example"),
            doc("run_b", _article(rng, 12, NEAR_END), outlet="beta.example")]
    for k in range(outlets - 2):
        docs.append(doc(f"other{k:02d}", _article(rng, 11), outlet=f"other{k}.example"))
    return docs


def test_a_run_changed_near_its_end_links_among_many_outlets() -> None:
    """Forty outlets: the two articles that share the run (one word changed) are linked, nothing else."""
    links = find_reuse(_corpus(40))
    assert [(lk.source, lk.target) for lk in links] in ([("run_a", "run_b")], [("run_b", "run_a")])


def test_a_run_changed_near_its_end_does_not_link_among_a_few_outlets() -> None:
    """Twenty outlets: eleven matching words and a changed one are not enough to call it a copy."""
    assert find_reuse(_corpus(20)) == []
