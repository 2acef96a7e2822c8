"""``make test`` reads no held-out evaluation split: static scan, script guards and the audit hook."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from eval import splits
from tests import conftest
from tests.conftest import ROOT, SHARED, shared_path

EVAL = ROOT / "eval"


def _test_sources() -> list[Path]:
    """Every file pytest runs: tests/**/*.py, the gates and eval/conftest.py."""
    return sorted(ROOT.joinpath("tests").rglob("*.py")) + sorted(EVAL.glob("gate_*.py")) + [EVAL / "conftest.py"]


def test_no_test_source_names_a_held_out_split() -> None:
    """No test or gate names a held-out path, and no gate asks a script for its held-out split."""
    words = re.compile("|".join(re.escape(w) for w in splits.HELD_OUT_WORDS))
    named = [f"{p.relative_to(ROOT)}: {m.group(0)}" for p in _test_sources()
             for m in [words.search(p.read_text(encoding="utf-8"))] if m]
    assert not named, f"held-out splits named by tests: {named}"
    asks = re.compile(r"""\b(run|load_split|load_part|articles|load_gwn|load_trnews)\(([^)]*["'](test|heldout)["'])""")
    held = [f"{p.name}: {m.group(0)}" for p in sorted(EVAL.glob("gate_*.py"))
            for m in asks.finditer(p.read_text(encoding="utf-8"))]
    assert not held, f"gates that request a held-out split: {held}"


def test_every_gate_runs_a_dev_split() -> None:
    """Each corpus gate names the development split it scores."""
    want = {"gate_claims.py": ['polnear.run("dev")', 'checkthat2019.run("dev")'],
            "gate_places.py": ['half="dev"'], "gate_techniques.py": ['load_part(ptc, "dev")'],
            "gate_factchecks.py": ['factcheck_retrieval.run("dev")']}
    for name, calls in want.items():
        text = (EVAL / name).read_text(encoding="utf-8")
        assert all(c in text for c in calls), (name, calls)


def test_scripts_refuse_held_out_splits_under_pytest() -> None:
    """Every eval loader of a held-out split raises while the test run's guard is set."""
    for p in (str(ROOT), str(EVAL)):
        if p not in sys.path:
            sys.path.insert(0, p)
    import techniques  # eval/techniques.py

    from eval import checkthat2019, polnear

    with pytest.raises(splits.HeldOutSplitError, match="TW901"):
        polnear.articles(splits.POLNEAR_HELD_OUT)
    with pytest.raises(splits.HeldOutSplitError, match="TW901"):
        checkthat2019.load_split("test")
    with pytest.raises(splits.HeldOutSplitError, match="TW901"):
        techniques.load_part(SHARED / "data" / "ptc", "heldout")
    with pytest.raises(splits.HeldOutSplitError, match="TW901"):
        splits.refuse_under_gates("the held-out half of GeoWebNews / TR-News")


@pytest.mark.parametrize("parts", [
    ("data", "polnear", "data", splits.POLNEAR_HELD_OUT, "text", "x.txt"),
    ("data", "checkthat2019-task1", "data", splits.CHECKTHAT_HELD_OUT, "x.tsv"),
    ("data", "ptc", splits.PTC_HELD_OUT_LIST),
])
def test_audit_hook_refuses_held_out_files(parts: tuple[str, ...]) -> None:
    """Opening a held-out file fails before the file system is touched (present or not)."""
    path = SHARED.joinpath(*parts)
    try:
        with pytest.raises(splits.HeldOutSplitError, match="TW901"):
            path.open(encoding="utf-8")
    finally:
        conftest.REFUSED.remove(str(path))  # this test's own refusals must not fail the session


def test_audit_hook_refuses_ptc_articles_outside_the_dev_fold() -> None:
    """A PTC article outside the development fold is refused; one inside it opens."""
    arts = shared_path("data", "ptc", "train-articles")
    dev = splits.ptc_dev_ids()
    assert len(dev) == 62
    assert (arts / f"article{dev[0]}.txt").read_text(encoding="utf-8")
    outside = next(p for p in sorted(arts.iterdir()) if p.stem.removeprefix("article") not in set(dev))
    try:
        with pytest.raises(splits.HeldOutSplitError):
            outside.read_text(encoding="utf-8")
    finally:
        conftest.REFUSED.remove(str(outside))


def test_dev_folds_follow_their_rules() -> None:
    """The fixed development folds are the ones their hash rules give."""
    train = shared_path("data", "checkthat2019-task1", "data", splits.CHECKTHAT_TRAIN)
    assert splits.checkthat_dev_rule([f.stem for f in train.glob("*.tsv")]) == splits.CHECKTHAT_DEV_DEBATES
    assert all(splits.ptc_is_dev(i) for i in splits.ptc_dev_ids())
    assert {splits.geo_half(f"gwn-{i}") for i in range(40)} == {"dev", "heldout"}


def test_missing_shared_skips_locally_and_fails_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    """shared_path skips without ../shared, and fails instead under TRACEWIRE_REQUIRE_SHARED=1."""
    monkeypatch.delenv(conftest.REQUIRE_SHARED, raising=False)
    with pytest.raises(pytest.skip.Exception):
        shared_path("no-such-folder-here")
    monkeypatch.setenv(conftest.REQUIRE_SHARED, "1")
    with pytest.raises(pytest.fail.Exception, match="TRACEWIRE_REQUIRE_SHARED"):
        shared_path("no-such-folder-here")


def test_ci_requires_shared() -> None:
    """.ci/run exports TRACEWIRE_REQUIRE_SHARED=1 before make test."""
    text = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "export TRACEWIRE_REQUIRE_SHARED=1" in text
    assert text.index("export TRACEWIRE_REQUIRE_SHARED=1") < text.index("\nmake test")


def test_checkthat2020_test_tweets_are_refused() -> None:
    """The CheckThat! 2020 Task 2 test tweets: the eval loader refuses them and the audit hook refuses the file."""
    from eval import factcheck_retrieval

    with pytest.raises(splits.HeldOutSplitError, match="TW901"):
        factcheck_retrieval.load_split("test")
    path = SHARED / "data" / "checkthat2020-task2" / splits.CHECKTHAT2020_HELD_OUT / "x.zip"
    try:
        with pytest.raises(splits.HeldOutSplitError, match="TW901"):
            path.open("rb")
    finally:
        conftest.REFUSED.remove(str(path))
