"""Quality gate: the shipped techniques model on the 74 PTC evaluation articles.

Fails when span-identification F1 or technique-classification micro-F1 drops more than
``TOLERANCE`` below the figures pinned in ``eval/techniques_pins.json``. Skips without ../shared.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from tests.conftest import shared_path

HERE = Path(__file__).resolve().parent
TOLERANCE = 0.02


@pytest.mark.shared
def test_techniques_gate() -> None:
    """SI F1 and TC micro-F1 stay within TOLERANCE of their pinned values."""
    ptc = shared_path("data", "ptc")
    if str(HERE) not in sys.path:
        sys.path.insert(0, str(HERE))
    import techniques as ev  # eval/techniques.py

    pins = json.loads((HERE / "techniques_pins.json").read_text(encoding="utf-8"))
    _, test = ev.load_ptc(ptc)
    got = ev.evaluate(test)
    for key in ("si_f1", "tc_micro_f1"):
        assert got[key] >= pins[key] - TOLERANCE, (
            f"{key} fell to {got[key]:.4f}, pinned {pins[key]:.4f} (tolerance {TOLERANCE}); "
            "run `python eval/techniques.py` to see the figures"
        )
