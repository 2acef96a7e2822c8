"""The FA-KES narrative dev set of issue 14 (eval/factcheck_dev_gold.json) holds ids, offsets, rows and short notes only."""

from __future__ import annotations

import json
from pathlib import Path

GOLD = Path(__file__).resolve().parents[1] / "eval" / "factcheck_dev_gold.json"


def test_dev_gold_is_ids_offsets_and_rows_only() -> None:
    """Every judged claim names a document, a span, its draw, CSV rows and a short note; no text is copied."""
    gold = json.loads(GOLD.read_text(encoding="utf-8"))
    claims = gold["claims"]
    assert len(claims) == 216
    assert {c["draw"] for c in claims} == {"themed", "random", "narrative", "accusing", "grown", "grown-other"}
    assert len({(c["doc"], c["start"]) for c in claims}) == len(claims)
    for c in claims:
        assert set(c) == {"doc", "start", "end", "draw", "rows", "related", "narrative", "split"}
        assert c["split"] in ("choose", "confirm")
        assert 0 <= c["start"] < c["end"] and c["end"] - c["start"] <= 240
        assert all(isinstance(r, int) and 2 <= r <= 3072 for r in c["rows"] + c["related"])
        assert not set(c["rows"]) & set(c["related"])
        assert len(c["narrative"]) <= 140
    assert sum(bool(c["rows"]) for c in claims) == 39
    assert sum(bool(c["rows"]) for c in claims[:115]) == 16  # the first draw, as judged before it grew
    # one document, one half: claims of a document drawn twice are never split between choosing and confirming
    halves: dict[str, set[str]] = {}
    for c in claims:
        halves.setdefault(c["doc"], set()).add(c["split"])
    assert all(len(h) == 1 for h in halves.values())
