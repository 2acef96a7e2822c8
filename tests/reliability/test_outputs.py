"""What tracewire writes for people: CSV exports neutralise formulas, the same way everywhere."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from tracewire.cli import main
from tracewire.export import csv_cell

ARTICLE = ("Local sources told the Levant Wire that three rockets struck the Conoco gas field on "
           "Saturday morning, a spokesman said. ") * 2


def test_cli_csv_export_neutralises_formula_cells(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Titles and outlets such as =HYPERLINK(...) and @SUM(...) come out of `export --format csv` inert."""
    rows = [
        {"id": "f1", "title": '=HYPERLINK("http://evil.example","click")', "outlet": "@SUM(A1:A9)",
         "text": ARTICLE},
        {"id": "f2", "title": "+1+cmd|' /C calc'!A0", "outlet": "-2+3", "text": ARTICLE + " two"},
        {"id": "f3", "title": "A plain title", "outlet": "Levant Wire", "text": ARTICLE + " three"},
    ]
    src = tmp_path / "rows.jsonl"
    src.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    db = tmp_path / "tw.db"
    assert main(["ingest", str(src), "--db", str(db)]) == 0
    out = tmp_path / "docs.csv"
    assert main(["export", "documents", "--format", "csv", "--out", str(out), "--db", str(db)]) == 0
    got = {r["id"]: r for r in csv.DictReader(io.StringIO(out.read_text(encoding="utf-8")))}
    assert got["f1"]["title"] == "'=HYPERLINK(\"http://evil.example\",\"click\")"
    assert got["f1"]["outlet"] == "'@SUM(A1:A9)"
    assert got["f2"]["title"].startswith("'+1") and got["f2"]["outlet"] == "'-2+3"
    assert got["f3"]["title"] == "A plain title"
    for r in got.values():
        for value in r.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), value
    capsys.readouterr()


def test_web_csv_uses_the_same_function() -> None:
    """The web UI's claims.csv neutralises with export.csv_cell, not a copy of it."""
    from tracewire.web import app

    assert app.csv_cell is csv_cell
    assert csv_cell("\t=1") == "'\t=1" and csv_cell(3) == 3 and csv_cell("ok") == "ok"


def test_jsonl_export_keeps_one_record_per_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A title holding U+2028, U+2029 or NEL stays on its record's line for str.splitlines and JS readers.

    JSON leaves these characters raw; LGL's news texts hold a NEL, and an export split with
    ``splitlines`` broke a record in two before they were escaped.
    """
    rows = [{"id": "g1", "title": "Aleppo\u2028update\u2029 and\x85 more", "outlet": "Levant Wire",
             "text": ARTICLE},
            {"id": "g2", "title": "A plain title", "outlet": "Levant Wire", "text": ARTICLE + " two"}]
    src = tmp_path / "rows.jsonl"
    src.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    db = tmp_path / "tw.db"
    assert main(["ingest", str(src), "--db", str(db)]) == 0
    out = tmp_path / "docs.jsonl"
    assert main(["export", "documents", "--out", str(out), "--db", str(db)]) == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    got = {r["id"]: r for r in map(json.loads, lines)}
    assert len(lines) == 2 and set(got) == {"g1", "g2"}
    assert "\u2028" in got["g1"]["title"] and "\u2029" in got["g1"]["title"]
    capsys.readouterr()
