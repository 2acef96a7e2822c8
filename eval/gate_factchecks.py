"""Quality gate: fact-check retrieval on the CheckThat! 2020 Task 2 development tweets.

Recomputes ``eval/factcheck_retrieval.py dev`` (the re-ranker trains on the training tweets and
was tuned on these) and fails when MAP@1/3/5 or MRR of the re-ranked matcher drops more than 3 %
(relative) below ``eval/factchecks_pins.json``. The held-out tweets are printed by that script,
never read here. The verified claims' vectors are kept in ``eval/.cache/checkthat2020.db`` after
the first run (encoding them takes minutes on two cores; later runs take seconds).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eval.gate_claims import check_pins
from tests.conftest import shared_path

PINS = json.loads((Path(__file__).parent / "factchecks_pins.json").read_text(encoding="utf-8"))


@pytest.mark.shared
def test_checkthat2020_dev_gate() -> None:
    """MAP@1, MAP@3, MAP@5 and MRR of the re-ranked matcher on the development tweets."""
    shared_path("data", "checkthat2020-task2", "data", "v3.zip")
    from eval import factcheck_retrieval

    r = factcheck_retrieval.run("dev")
    check_pins(r["reranked"], PINS["checkthat2020_dev"])
