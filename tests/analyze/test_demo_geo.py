"""The demo corpus answer key: quantities, places and actors are found (skipped until the demo ships)."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "tracewire" / "demo"
PINS = json.loads((ROOT / "eval" / "places_pins.json").read_text(encoding="utf-8"))["demo"]
REL_TOLERANCE = 0.05  # one item of a few dozen


def _recall_module() -> Any:
    """Import eval/demo_recall_geo.py (eval/ holds scripts)."""
    spec = importlib.util.spec_from_file_location("tw_demo_recall_geo", ROOT / "eval" / "demo_recall_geo.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


def test_demo_answers_recall_and_precision() -> None:
    """Recall and precision (against the key) of quantities, places and actors stay near their pins."""
    if not (DEMO / "answers.toml").exists():
        pytest.skip("the demo corpus (tracewire/demo/answers.toml) is not in this checkout")
    report = _recall_module().run(DEMO)
    measured = {
        "quantities_recall": report["quantities"]["recall"],
        "quantities_precision": report["quantities"]["precision"],
        "places_recall_within_30km": report["places"]["recall_within_30km"],
        "places_precision_within_30km": report["places"]["precision_within_30km"],
        "actors_recall": report["actors"]["recall"],
        "actors_precision": report["actors"]["precision"],
    }
    low = {k: (v, PINS[k]) for k, v in measured.items() if v < PINS[k] * (1 - REL_TOLERANCE)}
    assert not low, f"below pins (measured, pinned); see python eval/demo_recall_geo.py -v: {low}"
