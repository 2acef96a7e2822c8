"""Quality gate: geoparsing F1 and accuracy@161 km on GeoWebNews and TR-News stay at their pins."""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("TRACEWIRE_SHARED", ROOT.parent / "shared"))
PINS = json.loads((Path(__file__).parent / "places_pins.json").read_text(encoding="utf-8"))
TOLERANCE = 0.02


def _geoparsing() -> Any:
    """Import eval/geoparsing.py (eval/ is a folder of scripts, not a package)."""
    spec = importlib.util.spec_from_file_location("tw_eval_geoparsing", Path(__file__).with_name("geoparsing.py"))
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # dataclasses look their module up while the class is built
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def figures() -> dict[str, dict[str, Any]]:
    """Whole-corpus figures (about a minute on two cores), computed once for the module."""
    if not (SHARED / "data" / "geoparsing" / "data" / "GWN.xml").exists():
        pytest.skip(f"needs {SHARED}/data/geoparsing (the ../shared folder beside the checkout is absent)")
    result: dict[str, dict[str, Any]] = _geoparsing().run(SHARED, "all")
    return result


@pytest.mark.shared
@pytest.mark.parametrize("corpus", ["GeoWebNews", "TR-News"])
@pytest.mark.parametrize("metric", ["strict_f1", "overlap_f1", "acc161", "gold_names_acc161"])
def test_places_figure_holds(figures: dict[str, dict[str, Any]], corpus: str, metric: str) -> None:
    """A figure may not drop more than 0.02 below its pinned value."""
    got = figures[corpus]
    value = {"strict_f1": got["strict"]["f1"], "overlap_f1": got["overlap"]["f1"], "acc161": got["acc161"],
             "gold_names_acc161": got["gold_names"]["acc161"]}[metric]
    pin = PINS[corpus][metric]
    assert value >= pin - TOLERANCE, f"{corpus} {metric} fell to {value:.4f} (pinned {pin:.4f}); see eval/geoparsing.py"
