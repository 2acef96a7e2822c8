"""Acceptance: EUvsDisinfo imported, the seeds analysed; hand-written expectations on their matches."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import shared_path
from tracewire.cli import main

# Hand-written expectations, read off the seeds and the EUvsDisinfo export by a person: (seed document
# prefix, start of the claim, EUvsDisinfo case ids of the same narrative, one of which must be in its top 3).
# EUvsDisinfo records some cases twice (rows 75 and 77): either record counts.
CREATED_ISIS = "euvsdisinfo:90dfb9053a5f8b26"  # "USA / NATO created ISIS to fight Assad ..."
EVACUATED = {"euvsdisinfo:7296dfd7f3d40587", "euvsdisinfo:808e9e133670a9d4"}  # US helicopters evacuated Daesh commanders near Deir ez-Zor
EXPECTED: list[tuple[str, str, set[str]]] = [
    # the US staged the ISIS counterattack at Deir ez-Zor
    ("004_", "It is now clear that the unexpected counterattack", {CREATED_ISIS, *EVACUATED}),
    ("004_", "However, Washington hasn’t simply assisted ISIS", {CREATED_ISIS}),
    # US aircraft stopped patrolling so that ISIS could attack -> "US pilots are prohibited to engage ISIS convoys"
    ("004_", "Moreover, all US-coalition aircraft have ceased patrols", {"euvsdisinfo:ebf975b01cb55082"}),
    # Washington cooperates with ISIS -> "USA helps NATO with providing the Islamic State with supplies"
    ("004_", "Iranian Foreign Mohammad Javad Zarif", {"euvsdisinfo:7785b1b7b372deb7"}),
    # the US fights terrorism only in name -> "US pretends that it is fighting against IS ... finances it"
    ("004_", "In fact, it’s trying to stab its partners", {"euvsdisinfo:e7cc9a5a1d26e857"}),
    # ISIS is the US's creation -> "ISIL and ISIS are a product of American, British and Israeli secret services"
    ("002_", "ISIS is but the illegitimate spawn", {"euvsdisinfo:4f51a0a639988fc0"}),
    # US forces house and train militants at Al-Tanf -> "The White House defends Daesh"
    ("001_", "While the White House claims its troops are present in Syria to confront ISIS", {"euvsdisinfo:c4b116b644907e89"}),
    # the Pentagon uses terrorists against the government -> "Pentagon and CIA have established close ties with Islamic terrorists"
    ("000_", "In the White Desert the Pentagon is obviously working", {"euvsdisinfo:d4aa309fb58151d1"}),
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
    matches = rows("factcheck_matches")
    for prefix, start, wanted in EXPECTED:
        mine = [m for m in matches if str(m["doc"]).startswith(prefix)
                and " ".join(texts[str(m["doc"])][int(m["start"]):int(m["end"])].split()).startswith(start)]  # type: ignore[call-overload]
        top3 = {str(m["factcheck"]) for m in mine if int(m["rank"]) <= 3}  # type: ignore[call-overload]
        assert mine, (prefix, start, "no match for this claim")
        assert top3 & wanted, (prefix, start, top3)
    inherited = [m for m in matches if str(m["doc"]).startswith("002_") and m["via"]]
    assert inherited and all(m["via"]["source"].startswith("004_") for m in inherited)  # type: ignore[index]
