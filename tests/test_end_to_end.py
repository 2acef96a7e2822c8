"""The seeds through the whole pipeline: ingest, analyze, export, report."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tracewire.cli import main


def _export(capsys: pytest.CaptureFixture[str], kind: str, db: str) -> list[dict[str, Any]]:
    """Records of one export kind as dicts."""
    capsys.readouterr()
    assert main(["export", kind, "--db", db]) == 0
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_seeds_end_to_end(seeds: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Every layer comes out of `tracewire analyze` on the seeds, and the report shows 004 -> 002."""
    db = str(tmp_path / "tw.db")
    assert main(["ingest", str(seeds), "--db", db]) == 0
    assert main(["analyze", "--db", db]) == 0
    assert "links 1" in capsys.readouterr().out

    reuse = _export(capsys, "reuse", db)
    assert [(r["source"][:3], r["target"][:3], r["direction_known"]) for r in reuse] == [("004", "002", True)]
    assert reuse[0]["shared_words"] >= 400
    assert reuse[0]["kind"] == "rewrite"
    docs = {d["id"]: d["text"] for d in _export(capsys, "documents", db)}
    src, tgt = docs[reuse[0]["source"]], docs[reuse[0]["target"]]
    edits = [(e["op"], src[e["source_start"] : e["source_end"]], tgt[e["target_start"] : e["target_end"]])
             for p in reuse[0]["passages"] for e in p["edits"]]
    assert ("sub", "militants", "Takfiri\u2019s") in edits

    claims = _export(capsys, "claims", db)
    sputnik = [c for c in claims if c["text"].startswith("Local sources told Sputnik")]
    assert sputnik and sputnik[0]["attribution"]["kind"] == "anonymous"
    assert sputnik[0]["attribution"]["channel"] == "Sputnik"
    assert any(h["kind"] == "booster" for c in claims if c["doc"].startswith("004") for h in c["hedges"])

    quantities = _export(capsys, "quantities", db)
    assert any(q["value"] == 6000 for q in quantities if q["doc"].startswith("004"))
    places = {p["name"] for p in _export(capsys, "places", db)}
    assert {"Palmyra", "Deir ez-Zor", "Al-Tanf"} <= places
    assert {a["actor"] for a in _export(capsys, "actors", db)} >= {"United States", "Islamic State"}
    techniques = _export(capsys, "techniques", db)
    assert any(t["doc"].startswith("002") for t in techniques)

    out = tmp_path / "report"
    assert main(["report", "--db", db, "--out", str(out)]) == 0
    pair = next(out.glob("pair-004_*--002_*.html")).read_text(encoding="utf-8")
    added = re.findall(r'<span class="seg l-added"[^>]*>(.*?)</span>', pair, flags=re.S)
    assert any("Facts Don’t Lie" in a and "AA-Magnum Analyst Blog" in a for a in added)
