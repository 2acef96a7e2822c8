"""The demo corpus answer key: quantities, places and actors are found (skipped until the demo ships)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "tracewire" / "demo"


def _recall_module() -> Any:
    """Import eval/demo_recall_geo.py (eval/ holds scripts)."""
    spec = importlib.util.spec_from_file_location("tw_demo_recall_geo", ROOT / "eval" / "demo_recall_geo.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


def test_demo_answers_recall() -> None:
    """At least 90% of the answer key's quantities, places (within 30 km) and actors are found."""
    if not (DEMO / "answers.toml").exists():
        pytest.skip("the demo corpus (tracewire/demo/answers.toml) is not in this checkout")
    report = _recall_module().run(DEMO)
    assert report["quantities"]["recall"] >= 0.9, report
    assert report["places"]["recall_within_30km"] >= 0.9, report
    assert report["actors"]["recall"] >= 0.9, report
