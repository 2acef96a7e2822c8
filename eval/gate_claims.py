"""Quality gate: PolNeAR attribution and CheckThat! 2019 check-worthiness figures stay pinned.

Recomputes the figures of ``eval/polnear.py`` (test split) and ``eval/checkthat2019.py``
(test_annotated) and fails when one drops more than 0.02 below ``eval/claims_pins.json``.
Skips when ../shared is absent. Also holds the recall of the demo corpus's hand-written
attributions and hedges (``eval/demo_recall.py``; skipped until ``tracewire/demo/answers.toml``
exists). About a minute on two cores.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import shared_path

PINS = json.loads((Path(__file__).parent / "claims_pins.json").read_text(encoding="utf-8"))
TOLERANCE = 0.02


def _check(measured: dict[str, float], pinned: dict[str, float]) -> None:
    """Fail listing every figure more than TOLERANCE below its pin."""
    low = {k: (round(measured[k], 4), v) for k, v in pinned.items() if measured[k] < v - TOLERANCE}
    assert not low, f"figures dropped below their pins (measured, pinned): {low}"


@pytest.mark.shared
def test_polnear_attribution_gate() -> None:
    """Source and cue F1 (exact and overlap) on PolNeAR test."""
    shared_path("data", "polnear", "data", "test")
    from eval import polnear

    r = polnear.run("test")
    measured = {f"{kind}_{m}": r[kind][m] for kind in ("source", "cue") for m in ("exact_f1", "overlap_f1")}
    _check(measured, PINS["polnear_test"])


@pytest.mark.shared
def test_checkthat2019_gate() -> None:
    """MAP, pooled AP and F1 on CheckThat! 2019 Task 1 test, for the model and the component."""
    shared_path("data", "checkthat2019-task1", "data", "test_annotated")
    from eval import checkthat2019

    r = checkthat2019.run()
    measured = {
        "model_map": r["model"]["map"],
        "model_ap_pooled": r["model"]["ap_pooled"],
        "model_f1": r["model"]["f1"],
        "component_map": r["component"]["map"],
        "component_f1": r["component"]["f1"],
    }
    _check(measured, PINS["checkthat2019_test"])


def test_demo_answers_recall() -> None:
    """Recall of the demo corpus's [[attributions]] and [[hedges]] answers."""
    demo = Path(__file__).resolve().parents[1] / "tracewire" / "demo"
    if not (demo / "answers.toml").is_file():
        pytest.skip(f"needs {demo / 'answers.toml'} (the demo corpus)")
    from eval import demo_recall

    r = demo_recall.run(demo)
    _check({k: r[k] for k in PINS["demo_answers"]}, PINS["demo_answers"])
