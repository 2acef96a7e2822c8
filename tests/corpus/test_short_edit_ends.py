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


def _weighed(outlets: int, df: int) -> list:  # type: ignore[type-arg]
    """shared_passages of two articles sharing RUN whose every 5-gram is in ``df`` documents of ``df``
    outlets, in a corpus of 100,000 documents and ``outlets`` known outlets."""
    import numpy as np

    from tracewire.corpus.align import prepare_many
    from tracewire.corpus.anchors import AnchorStats
    from tracewire.corpus.reuse import ReuseConfig, shared_passages
    from tracewire.corpus.shingles import corpus_shingles, tokenize_many

    rng = random.Random(7)
    texts = [_article(rng, 10, RUN), _article(rng, 12, RUN)]
    cfg = ReuseConfig()
    h, _, _, offs = tokenize_many([RUN])
    sh, _ = corpus_shingles(h, offs, cfg.align.n)
    hashes = np.unique(sh)
    stats = AnchorStats(hashes, np.full(hashes.shape[0], df, dtype=np.int64), 0, 100_000,
                        np.full(hashes.shape[0], df, dtype=np.int64), outlets)
    h, _, _, offs = tokenize_many(texts)
    pa, pb = prepare_many(h, offs, cfg.align.n, cfg.window, stats)
    return shared_passages(pa, pb, cfg, 100_000, outlets=outlets)


def test_a_run_five_of_a_thousand_outlets_print_is_rare() -> None:
    """13 words in 5 documents of 5 outlets: rare among 1,000 known outlets (a link), not among 100 (weight 13 x 0.915 = 11.9 < 12)."""
    assert _weighed(1000, 5)
    assert not _weighed(100, 5)
    assert _weighed(100, 4)
    assert not _weighed(1000, 6)
