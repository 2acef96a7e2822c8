"""Gate: narratives and contradictions on the dev half of the labelled FA-KES claim pairs.

Runs ``eval/narratives.py`` and ``eval/contradictions.py`` on ``eval/narratives_real/`` (dev half)
over the test session's analysed FA-KES store (the ``fakes_store`` fixture: ``eval/narratives.py``'s
own build, made once per session from the code under test, never the script's cache) and checks no
figure drops more than ``tolerance`` below ``eval/narratives_pins.json``. Skips when ../shared is
absent.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

PINS = json.loads((Path(__file__).parent / "narratives_pins.json").read_text(encoding="utf-8"))


@pytest.mark.shared
@pytest.mark.slow
def test_narratives_dev_pins(fakes_store: Path) -> None:
    """Pairwise precision and recall of the clustering on the dev half stay at their pins."""
    from eval import narratives

    got = narratives.run("dev", fakes_store)
    low = {m: (round(got[m], 4), v) for m, v in PINS["narratives_dev"].items() if got[m] < v - PINS["tolerance"]}
    assert not low, f"dev figures dropped below their pins (measured, pinned): {low}"


@pytest.mark.shared
@pytest.mark.slow
def test_contradictions_dev_pins(fakes_store: Path) -> None:
    """Precision and recall of contradiction finding on the dev half stay at their pins."""
    from eval import contradictions

    got = contradictions.run("dev", fakes_store)
    low = {m: (round(got[m], 4), v) for m, v in PINS["contradictions_dev"].items()
           if got[m] < v - PINS["tolerance"]}
    assert not low, f"dev figures dropped below their pins (measured, pinned): {low}"
