"""eval/polnear_errors.py: brat attributions read whole, source boundary errors named, held-out split refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from eval import polnear_errors, splits

TEXT = "Officials said Monday, Mr. Smith, the mayor, told reporters that it rained in April."


def test_gold_attributions_join_source_cue_and_content(tmp_path: Path) -> None:
    """An E line joins its Source, Cue and Content; a discontinuous span counts by its outer bounds."""
    ann = tmp_path / "a.ann"
    ann.write_text(
        "T1\tSource 23 32\tMr. Smith\nT2\tCue 45 49;50 59\ttold reporters\nT3\tContent 65 83\tit rained in April\n"
        "T4\tAttribution 45 49\ttold\nE1\tAttribution:T4 Content:T3 Cue:T2 Source:T1\n"
        "T5\tCue 10 14\tsaid\nT6\tAttribution 10 14\tsaid\nE2\tAttribution:T6 Cue:T5\n",
        encoding="utf-8",
    )
    got = polnear_errors.gold_attributions(ann)
    assert got == [
        {"Source": (23, 32), "Cue": (45, 59), "Content": (65, 83)},
        {"Source": None, "Cue": (10, 14), "Content": None},
    ]


@pytest.mark.parametrize(("pred", "gold", "kind"), [
    ((23, 33), (23, 32), "punctuation"),  # "Mr. Smith," against "Mr. Smith"
    ((23, 44), (23, 32), "pred_longer_comma"),  # the apposition ", the mayor," kept
    ((0, 14), (0, 9), "pred_longer"),  # "Officials said" against "Officials"
    ((27, 32), (23, 32), "pred_shorter"),  # "Smith" against "Mr. Smith"
    ((27, 44), (23, 33), "shifted"),
])
def test_source_boundary_kinds(pred: tuple[int, int], gold: tuple[int, int], kind: str) -> None:
    """Each way a predicted source can overlap its gold span without matching it gets its own name."""
    assert polnear_errors.source_boundary(TEXT, pred, gold) == kind


def test_the_held_out_split_is_refused() -> None:
    """The analysis runs on dev or train only: asked for the held-out split it stops before reading it."""
    with pytest.raises(SystemExit, match="dev or train only"):
        polnear_errors.analyse(splits.POLNEAR_HELD_OUT, None, None, None)
