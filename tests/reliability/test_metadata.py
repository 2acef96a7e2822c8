"""Hostile metadata through the whole user path: ``ingest``, ``analyze --workers 2``, every export, the report.

Text is what the other reliability tests vary; here every row has a good article and odd metadata: dates that
are no date, malformed or hostile URLs (``http://[::1`` made the reuse stage raise and stopped ``analyze`` for the
whole store), outlets and titles with markup, NULs and bidi overrides, ids that are empty, numbers or paths, and
values of the wrong JSON type. Every row must be stored, every stage must finish, and every output must read.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tracewire.cli import main
from tracewire.export import EXPORTS

ARTICLE = ("The ministry said {n} people were killed in shelling on the town of Saraqib on Tuesday, and the "
           "Syrian Observatory for Human Rights said the toll could rise. Local sources told the Levant Wire that "
           "rescue teams were still searching the rubble near the {w} on Wednesday.")
WORDS = ("bridge", "market", "school", "bakery", "clinic", "mosque", "station", "depot")
ODD: dict[str, list[Any]] = {
    "date": ["2016-02-30", "0000-00-00", "99999-01-01", "yesterday", "", 20160201, 1.5e300, True, ["2016-01-01"],
             {"d": 1}, "2016-02-01T25:61:00+99:00"],
    "url": ["http://[::1", "http://[::1/x", "https://", "javascript:alert(1)", "http://exa mple.com/x",
            "http://例え.テスト/a", "//no-scheme.test/a", "http://a.test:99999/", "\x00http://a.test", 12345,
            "http://a.test/" + "x" * 5000],
    "outlet": ["", "   ", "\u202eevil", "<script>alert(1)</script>", "x" * 3000, "Outlet\x00Nul", 42, ["a"], "www."],
    "title": ["<img src=x onerror=alert(1)>", "t" * 10000, "\x00title", 3.14, {"t": 1}],
    "id": ["", 7, "../../etc/passwd", "x" * 2000, "nul\x00id", "dup", "dup"],
}


def _rows() -> list[dict[str, Any]]:
    rows = []
    for field, values in ODD.items():
        for i, v in enumerate(values):
            row = {"id": f"{field}{i}", field: v}
            row["text"] = ARTICLE.format(n=10 + len(rows), w=WORDS[len(rows) % len(WORDS)])
            rows.append(row)
    return rows


@pytest.mark.slow
def test_hostile_metadata_ends_stored_and_every_stage_finishes(tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "odd.jsonl"
    rows = _rows()
    src.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    db = str(tmp_path / "tw.db")
    assert main(["ingest", str(src), "--db", db]) == 0
    assert f"ingested {len(rows)} new documents" in capsys.readouterr().out
    assert main(["analyze", "--workers", "2", "--db", db]) == 0
    out = capsys.readouterr().out
    assert "failed" not in out.lower(), out
    for kind in EXPORTS:
        target = tmp_path / f"{kind}.jsonl"
        assert main(["export", kind, "--db", db, "--out", str(target)]) == 0, kind
        records = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
        if kind == "documents":
            assert len(records) == len(rows)
        if kind in ("claims", "reuse"):
            assert records, kind  # the articles hold claims, and each is a copy of the others with a figure changed
    assert main(["export", "claims", "--format", "csv", "--db", db, "--out", str(tmp_path / "c.csv")]) == 0
    assert main(["report", "--db", db, "--out", str(tmp_path / "report")]) == 0
    html = (tmp_path / "report" / "index.html").read_text(encoding="utf-8")
    assert "<script>alert(1)" not in html and "<img src=x" not in html
