"""eval/train_techniques_tagger.py: the learning-curve subset and the refit's options."""

from __future__ import annotations

import hashlib

import pytest

from eval.train_techniques_tagger import Article, main, train_share


def test_train_share_keeps_the_first_by_sha256_in_their_order() -> None:
    """0.8 of 10 articles: the 8 with the smallest sha256("ptc-share:" + id), in the given order."""
    arts = [Article(id=str(700000000 + k), text="", spans=()) for k in range(10)]
    got = train_share(arts, 0.8)
    ranked = sorted(a.id for a in arts)
    ranked.sort(key=lambda i: hashlib.sha256(("ptc-share:" + i).encode()).hexdigest())
    assert [a.id for a in got] == [a.id for a in arts if a.id in set(ranked[:8])]
    assert len(got) == 8 and train_share(arts, 1.0) == arts
    assert train_share(list(reversed(arts)), 0.8) == list(reversed(got))


def test_with_dev_needs_a_fixed_export_epoch() -> None:
    """Training on train+dev cannot choose its epoch on dev (in-sample): --export-epoch is required."""
    with pytest.raises(SystemExit):
        main(["--with-dev", "--epochs", "3"])
    with pytest.raises(SystemExit):
        main(["--with-dev", "--epochs", "3", "--export-epoch", "4"])
