"""Quality gate: geoparsing on the development halves of GeoWebNews and TR-News stays at its pins.

Scores the development half of each corpus (eval/splits.py) with ``eval/geoparsing.py --half dev``
and fails when a figure, precision included, drops more than ``REL_TOLERANCE`` (relative) below
``eval/places_pins.json``. The held-out halves are printed by ``eval/geoparsing.py`` only.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import shared_path

PINS = json.loads((Path(__file__).parent / "places_pins.json").read_text(encoding="utf-8"))
REL_TOLERANCE = 0.03
METRICS = ("strict_precision", "strict_recall", "strict_f1", "overlap_precision", "overlap_recall", "overlap_f1",
           "acc161", "acc161_all_gold", "gold_names_acc161")


def _geoparsing() -> Any:
    """Import eval/geoparsing.py (eval/ is a folder of scripts, not a package)."""
    spec = importlib.util.spec_from_file_location("tw_eval_geoparsing", Path(__file__).with_name("geoparsing.py"))
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # dataclasses look their module up while the class is built
    spec.loader.exec_module(mod)
    return mod


def figures_of(got: dict[str, Any]) -> dict[str, float]:
    """The pinned figures of one corpus's result."""
    return {"strict_precision": got["strict"]["precision"], "strict_recall": got["strict"]["recall"],
            "strict_f1": got["strict"]["f1"], "overlap_precision": got["overlap"]["precision"],
            "overlap_recall": got["overlap"]["recall"], "overlap_f1": got["overlap"]["f1"],
            "acc161": got["acc161"], "acc161_all_gold": got["acc161_all_gold"],
            "gold_names_acc161": got["gold_names"]["acc161"]}


@pytest.fixture(scope="module")
def figures() -> dict[str, dict[str, Any]]:
    """Development-half figures (under a minute on two cores), computed once for the module."""
    shared = shared_path("data", "geoparsing", "data", "GWN.xml").parents[3]
    result: dict[str, dict[str, Any]] = _geoparsing().run(shared, "all", half="dev")
    return result


@pytest.mark.shared
@pytest.mark.parametrize("corpus", ["GeoWebNews", "TR-News"])
@pytest.mark.parametrize("metric", METRICS)
def test_places_figure_holds(figures: dict[str, dict[str, Any]], corpus: str, metric: str) -> None:
    """A figure may not drop more than REL_TOLERANCE (relative) below its pin."""
    value = figures_of(figures[corpus])[metric]
    pin = PINS[corpus][metric]
    assert value >= pin * (1 - REL_TOLERANCE), (
        f"{corpus} {metric} (dev half) fell to {value:.4f}, pinned {pin:.4f}; "
        "see python eval/geoparsing.py --half dev")
