"""Honest re-analysis through the CLI: packs from TRACEWIRE_PACK, signatures that see a changed pack
file or component version, and exactly the affected layers redone (with the same result as a fresh run)."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from pathlib import Path

import pytest

from tracewire import pipeline
from tracewire.cli import main

KINDS = ("claims", "quantities", "places", "actors", "techniques")

# Fixture texts written for this test.
TEXTS = {
    "a": "The NFB seized Tawil depot from IS fighters near Raqqa on Monday, local sources told Sputnik. "
         "Word on the street is that 12 fighters were killed in the clashes, the Syrian army said.",
    "b": "Government forces shelled positions east of Homs, the Syrian Observatory for Human Rights reported. "
         "At least 30 civilians have reportedly fled towards Tawil depot since Friday.",
    "c": "The Pentagon said on Tuesday that US troops had delivered 40 trucks of aid to Deir ez-Zor, "
         "where officials clearly expect more fighting.",
}


def _corpus(tmp_path: Path) -> Path:
    """A folder with the three fixture texts."""
    d = tmp_path / "corpus"
    d.mkdir()
    for name, text in TEXTS.items():
        (d / f"{name}.txt").write_text(text, encoding="utf-8")
    return d


def _analyze(db: Path, capsys: pytest.CaptureFixture[str]) -> str:
    """Run `tracewire analyze` and return what it printed."""
    capsys.readouterr()
    assert main(["analyze", "--db", str(db)]) == 0
    return capsys.readouterr().out


def _exports(db: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, str]:
    """Every per-document layer as exported JSON Lines."""
    out: dict[str, str] = {}
    for kind in KINDS:
        capsys.readouterr()
        assert main(["export", kind, "--db", str(db)]) == 0
        out[kind] = capsys.readouterr().out
    return out


def _layer_times(db: Path) -> dict[tuple[str, str], str]:
    """(document, component) -> when its layer was last written."""
    with sqlite3.connect(db) as c:
        return {(d, comp): t for d, comp, t in c.execute(
            "SELECT d.id, l.component, l.analyzed_at FROM analysis_layers l JOIN documents d USING (doc_key)")}


def _claim_keys(db: Path) -> list[int]:
    """Row keys of the claims table (unchanged when claims are not rewritten)."""
    with sqlite3.connect(db) as c:
        return [r[0] for r in c.execute("SELECT claim_key FROM claims ORDER BY claim_key")]


def _rewritten(before: dict[tuple[str, str], str], after: dict[tuple[str, str], str]) -> set[str]:
    """Components whose layer was written again for some document."""
    return {key[1].rsplit(".", 1)[-1] for key, when in after.items() if before.get(key) != when}


@pytest.mark.slow
def test_pack_edits_and_versions_redo_exactly_the_affected_layers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pack folder named in TRACEWIRE_PACK changes analyze's output; editing its files or a component's
    version redoes those layers (and what reads them) only, and the result equals a fresh analysis."""
    pack = tmp_path / "mypack"
    pack.mkdir()
    db = tmp_path / "tw.db"
    monkeypatch.setenv("TRACEWIRE_PACK", "syria")
    assert main(["ingest", str(_corpus(tmp_path)), "--db", str(db)]) == 0
    out = _analyze(db, capsys)
    assert "analysed 3 new documents, re-analysed 0" in out
    base = _exports(db, capsys)
    assert "Northern Falcons Brigade" not in base["actors"] and "Qasr Tawil depot" not in base["places"]
    assert "re-analysed 0, 3 already up to date" in _analyze(db, capsys)

    # 1. a pack folder given by path in TRACEWIRE_PACK: an alias and a gazetteer row
    (pack / "actors.toml").write_text('[[actor]]\nname = "Northern Falcons Brigade"\nkind = "armed_group"\n'
                                      'aliases = ["Falcons Brigade", "NFB"]\n', encoding="utf-8")
    (pack / "gazetteer.tsv").write_text("Qasr Tawil depot\tTawil depot\t35.1\t39.2\tSY\tbase\t0\n", encoding="utf-8")
    monkeypatch.setenv("TRACEWIRE_PACK", f"syria,{pack}")
    times, keys = _layer_times(db), _claim_keys(db)
    out = _analyze(db, capsys)
    # places read actors.toml too (an armed group's name is never a place), so both redo for both files
    assert "re-analysing 3 documents: actors, places changed (pack file mypack/actors.toml added, pack file " \
           "mypack/gazetteer.tsv added)" in out, out
    assert "layers written: tracewire.actors.v1 3, tracewire.places.v1 3" in out
    assert _rewritten(times, _layer_times(db)) == {"actors", "places"}
    assert _claim_keys(db) == keys
    now = _exports(db, capsys)
    assert "Northern Falcons Brigade" in now["actors"] and "Qasr Tawil depot" in now["places"]
    assert all(now[k] == base[k] for k in ("claims", "quantities", "techniques"))

    # 2. a sources lexicon redoes attribution (its columns are updated, claims keep their rows) and
    # places (outlets in sources.toml never become places)
    (pack / "sources.toml").write_text('[[source]]\nname = "Syrian Arab Army"\nkind = "government_body"\n'
                                       'aliases = ["Syrian army"]\n', encoding="utf-8")
    times, keys, before = _layer_times(db), _claim_keys(db), now
    out = _analyze(db, capsys)
    assert "re-analysing 3 documents: attribution, places changed (pack file mypack/sources.toml added)" in out, out
    assert _rewritten(times, _layer_times(db)) == {"attribution", "places"}
    assert _claim_keys(db) == keys
    now = _exports(db, capsys)
    assert all(now[k] == before[k] for k in ("quantities", "actors", "techniques"))

    # 3. a new hedge phrase: claims read the hedge lexicon too, so claims and hedges change, and
    # attribution, which reads claims, follows
    (pack / "hedges.toml").write_text('hedges = ["word on the street is"]\n', encoding="utf-8")
    times, before = _layer_times(db), now
    out = _analyze(db, capsys)
    assert "re-analysing 3 documents: claims, hedges changed (pack file mypack/hedges.toml added); " \
           "then what reads those layers: attribution" in out, out
    assert _rewritten(times, _layer_times(db)) == {"claims", "attribution", "hedges"}
    now = _exports(db, capsys)
    hedges = {h["text"].lower() for line in now["claims"].splitlines() for h in json.loads(line)["hedges"]}
    assert "word on the street is" in hedges and now["claims"] != before["claims"]
    assert all(now[k] == before[k] for k in ("quantities", "places", "actors", "techniques"))

    (pack / "gazetteer.tsv").write_text("Qasr Tawil depot\tTawil depot\t35.2\t39.3\tSY\tbase\t0\n", encoding="utf-8")
    times = _layer_times(db)
    out = _analyze(db, capsys)
    assert "places changed (pack file mypack/gazetteer.tsv)" in out and "hedges" not in out, out
    assert _rewritten(times, _layer_times(db)) == {"actors", "places"}

    # 4. a component's new version: hedges v2 redoes hedges only (rows of claims kept, flags updated)
    monkeypatch.setitem(pipeline.REGISTRY, "tracewire.hedges.v2", f"{__name__}:HEDGES_V2")
    monkeypatch.setitem(pipeline.REGISTRY, "tracewire.claims.v2", f"{__name__}:CLAIMS_V2")
    monkeypatch.setattr(pipeline, "DEFAULT_PIPELINE", tuple(
        "tracewire.hedges.v2" if n == "tracewire.hedges.v1" else n for n in pipeline.DEFAULT_PIPELINE))
    times, keys, before = _layer_times(db), _claim_keys(db), _exports(db, capsys)
    out = _analyze(db, capsys)
    assert "re-analysing 3 documents: hedges changed (version v1 -> v2)" in out and "then" not in out, out
    assert _rewritten(times, _layer_times(db)) == {"hedges"}
    assert _claim_keys(db) == keys and _exports(db, capsys) == before

    # 5. claims v2 redoes claims and what reads them (attribution, hedges)
    monkeypatch.setattr(pipeline, "DEFAULT_PIPELINE", tuple(
        "tracewire.claims.v2" if n == "tracewire.claims.v1" else n for n in pipeline.DEFAULT_PIPELINE))
    times = _layer_times(db)
    out = _analyze(db, capsys)
    assert "re-analysing 3 documents: claims changed (version v1 -> v2); then what reads those layers: " \
           "attribution, hedges" in out, out
    assert _rewritten(times, _layer_times(db)) == {"claims", "attribution", "hedges"}
    final = _exports(db, capsys)

    # the same configuration analysed from scratch gives the same records
    fresh = tmp_path / "fresh.db"
    assert main(["ingest", str(tmp_path / "corpus"), "--db", str(fresh)]) == 0
    assert "analysed 3 new documents" in _analyze(fresh, capsys)
    assert _exports(fresh, capsys) == final


HEDGES_V2 = dataclasses.replace(pipeline.load_component("tracewire.hedges.v1"), name="tracewire.hedges.v2")
CLAIMS_V2 = dataclasses.replace(pipeline.load_component("tracewire.claims.v1"), name="tracewire.claims.v2")


def test_report_says_when_the_analysis_is_stale(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """`report` reads the packs from settings and says that analyze has work to do."""
    monkeypatch.setenv("TRACEWIRE_PACK", "syria")
    db = tmp_path / "tw.db"
    assert main(["ingest", str(_corpus(tmp_path)), "--db", str(db)]) == 0
    capsys.readouterr()
    assert main(["report", "--db", str(db), "--out", str(tmp_path / "report")]) == 0
    out = capsys.readouterr().out
    assert "the analysis of 3 documents is not up to date with packs syria (3 new)" in out, out
