"""Acceptance: EUvsDisinfo imported, the seeds analysed; hand-written expectations on their matches."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import shared_path
from tracewire.cli import main

# (seed document prefix, start of the claim, words of the EUvsDisinfo case that must be in its top 3)
EXPECTED = [
    # the US staged the ISIS counterattack at Deir ez-Zor -> the US created ISIS / evacuated Daesh commanders there
    ("004_", "It is now clear that the unexpected counterattack", ("created ISIS", "evacuated 2 Daesh field commanders")),
    ("004_", "However, Washington hasn’t simply assisted ISIS", ("created ISIS",)),
    ("001_", "While the White House claims its troops are present in Syria to confront ISIS", ("White House defends Daesh",)),
    ("000_", "In the White Desert the Pentagon is obviously working", ("Pentagon and CIA have established close ties",)),
]


@pytest.mark.shared
def test_seed_claims_get_the_us_isis_cases(seeds: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Seed claims about the US and ISIS get an EUvsDisinfo case of that narrative in their top 3; 002 inherits 004's."""
    cases = shared_path("data", "euvsdisinfo", "full_dataset_formatted.csv")
    db = str(tmp_path / "tw.db")
    assert main(["ingest", str(seeds), "--db", db]) == 0
    assert main(["factchecks", "import", str(cases), "--db", db]) == 0
    assert main(["analyze", "--db", db]) == 0
    capsys.readouterr()

    def rows(kind: str) -> list[dict[str, object]]:
        assert main(["export", kind, "--db", db]) == 0
        return [json.loads(x) for x in capsys.readouterr().out.splitlines()]

    texts = {str(d["id"]): str(d["text"]) for d in rows("documents")}
    fcs = {str(f["id"]): str(f["claim_reviewed"]) for f in rows("factchecks")}
    matches = rows("factcheck_matches")
    for prefix, start, wanted in EXPECTED:
        mine = [m for m in matches if str(m["doc"]).startswith(prefix)
                and texts[str(m["doc"])][int(m["start"]):int(m["end"])].lstrip().startswith(start)]  # type: ignore[call-overload]
        top3 = [fcs[str(m["factcheck"])] for m in mine if int(m["rank"]) <= 3]  # type: ignore[call-overload]
        assert any(w in fc for w in wanted for fc in top3), (prefix, start, top3)
    inherited = [m for m in matches if str(m["doc"]).startswith("002_") and m["via"]]
    assert inherited and all(m["via"]["source"].startswith("004_") for m in inherited)  # type: ignore[index]
