"""Acceptance: EUvsDisinfo imported, the seeds analysed; hand-written expectations on their matches."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import shared_path
from tracewire.cli import main

# Hand-written expectations, read off the seeds and the EUvsDisinfo export by a person. Each names the seed
# claim's span (document prefix, start, end: the sentence the claims component cuts), the first words of
# that span, and the EUvsDisinfo cases of the same narrative by id and CSV row (``factchecks.row``, the
# line in full_dataset_formatted.csv); one of them must be in the claim's top 3. EUvsDisinfo records some
# cases twice (rows 75 and 77): either record counts.
CREATED_ISIS = "euvsdisinfo:90dfb9053a5f8b26"  # row 2879 "USA / NATO created ISIS to fight Assad ..."
EVACUATED = {"euvsdisinfo:7296dfd7f3d40587",   # row 75 \ "US Air Force helicopter has evacuated 2 Daesh
             "euvsdisinfo:808e9e133670a9d4"}   # row 77 /  field commanders ... north-west of Deir ez-Zor"
EXPECTED: list[tuple[str, int, int, str, set[str]]] = [
    # the US staged the ISIS counterattack at Deir ez-Zor -> rows 2879, 75/77
    ("004_", 0, 341, "It is now clear that the unexpected counterattack", {CREATED_ISIS, *EVACUATED}),
    # Washington assisted ISIS -> row 2879
    ("004_", 1590, 1819, "However, Washington hasn’t simply assisted ISIS", {CREATED_ISIS}),
    # US aircraft stopped patrolling so that ISIS could attack -> row 2849 "The US pilots are prohibited to
    # engage ISIS convoys with oil. That proves that the USA are not trying to stop the Islamic State."
    ("004_", 2937, 3099, "Moreover, all US-coalition aircraft have ceased patrols", {"euvsdisinfo:ebf975b01cb55082"}),
    # Zarif: Washington cooperates with any force including ISIS -> row 2845 "USA helps NATO with providing
    # the Islamic State with supplies across the Syrian-Turkish border"
    ("004_", 6993, 7283, "Iranian Foreign Mohammad Javad Zarif", {"euvsdisinfo:7785b1b7b372deb7"}),
    # the US fights terrorism only in name -> row 3004 "US pretends that it is fighting against IS ... but in
    # reality finances it"
    ("004_", 7376, 7529, "In fact, it’s trying to stab its partners", {"euvsdisinfo:e7cc9a5a1d26e857"}),
    # ISIS is the US's creation -> row 2930 "ISIL and ISIS are a product of American, British and Israeli
    # secret services"
    ("002_", 3547, 3755, "ISIS is but the illegitimate spawn", {"euvsdisinfo:4f51a0a639988fc0"}),
    # US forces house and train militants at Al-Tanf while claiming to fight ISIS -> row 1465 "The White
    # House defends Daesh"
    ("001_", 3251, 3503, "While the White House claims its troops are present in Syria to confront ISIS",
     {"euvsdisinfo:c4b116b644907e89"}),
    # the Pentagon uses terrorists against the government -> row 530 "Pentagon and CIA have established close
    # ties with Islamic terrorists"
    ("000_", 3442, 3737, "In the White Desert the Pentagon is obviously working", {"euvsdisinfo:d4aa309fb58151d1"}),
]
# Same narrative, not yet in the top 3 (the closing note of issue 14 gives their ranks); not asserted:
# 000:0-75 title "US Training ISIS Militants" -> rows 2882 "USA is the main sponsor of ISIS - finances and
# training", 972 "Daesh was created and trained by the US"; 000:77-416 militants moved "under the American
# escort" -> rows 3037 (Apache helicopter guards an ISIS convoy), 75/77; 000:597-710 training camps -> 2882,
# 972, 1328; 001:868-1070 oil looted by the US occupation -> 2752; 001:1155-1483 illegal occupation -> 1608;
# 004:972-1589 goals other than fighting ISIS -> 6, 3004, 2863; 004:3611-4057 flights frozen, ISIS given
# room -> 2849, 2863, 6; 002:3268-3467 "US Definitely Helping ISIS" -> 1268, 447, 1445, 2845;
# 003:5018-5164 the US uses the Kurds to entrench itself -> 2815/2816, 1608.


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
    for prefix, start, end, words, wanted in EXPECTED:
        mine = [m for m in matches if str(m["doc"]).startswith(prefix) and (m["start"], m["end"]) == (start, end)]
        assert mine, (f"{prefix}{start}-{end}", words, "no match for this claim span")
        text = " ".join(texts[str(mine[0]["doc"])][start:end].split())
        assert text.startswith(words), (f"{prefix}{start}-{end}", text[:80], "the span moved: re-read the seed")
        top3 = {str(m["factcheck"]) for m in mine if int(m["rank"]) <= 3}  # type: ignore[call-overload]
        assert top3 & wanted, (f"{prefix}{start}-{end}", words, top3)
    inherited = [m for m in matches if str(m["doc"]).startswith("002_") and m["via"]]
    assert inherited and all(m["via"]["source"].startswith("004_") for m in inherited)  # type: ignore[index]
