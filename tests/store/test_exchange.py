"""The Parquet exchange format through the CLI: ingest --to parquet, load, export --format parquet."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest

from tests.conftest import ROOT
from tracewire.cli import main

DEMO = ROOT / "tracewire" / "demo" / "corpus"


def _export(kind: str, db: Path, capsys: pytest.CaptureFixture[str]) -> str:
    """One export kind as JSON Lines."""
    capsys.readouterr()
    assert main(["export", kind, "--db", str(db)]) == 0
    return capsys.readouterr().out


def test_ingest_to_parquet_then_load_gives_the_same_store(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Documents and rejections loaded from the exchange folder export exactly as ingested directly."""
    direct, loaded, folder = tmp_path / "direct.db", tmp_path / "loaded.db", tmp_path / "pq"
    assert main(["ingest", str(DEMO), "--db", str(direct)]) == 0
    assert main(["ingest", str(DEMO), "--to", "parquet", str(folder)]) == 0
    assert "wrote 13 documents, 2 rejections" in capsys.readouterr().out
    assert sorted(p.name for p in folder.iterdir()) == ["blobs.parquet", "documents.parquet", "inputs.parquet",
                                                         "rejections.parquet"]
    assert pq.read_table(folder / "documents.parquet").num_rows == 13
    assert main(["load", str(folder), "--db", str(loaded)]) == 0
    assert "loaded 13 new documents" in capsys.readouterr().out
    for kind in ("documents", "rejections"):
        assert _export(kind, loaded, capsys) == _export(kind, direct, capsys), kind
    assert main(["load", str(folder), "--db", str(loaded)]) == 0  # loading again adds nothing
    assert "loaded 0 new documents, 0 new versions, 13 unchanged" in capsys.readouterr().out


def test_load_names_what_is_missing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A folder that is not an exchange folder is a usage error naming the missing file and the fix."""
    (tmp_path / "empty").mkdir()
    assert main(["load", str(tmp_path / "empty"), "--db", str(tmp_path / "x.db")]) == 2
    err = capsys.readouterr().err
    assert "documents.parquet is missing" in err and "--to parquet DIR" in err


def test_export_parquet_round_trips_the_records(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """export documents --format parquet holds the same ids and texts as the JSON Lines export."""
    db, out = tmp_path / "tw.db", tmp_path / "documents.parquet"
    assert main(["ingest", str(DEMO), "--db", str(db)]) == 0
    assert main(["export", "documents", "--db", str(db), "--format", "parquet", "--out", str(out)]) == 0
    rows = pq.read_table(out).to_pylist()
    import json
    lines = [json.loads(x) for x in _export("documents", db, capsys).splitlines()]
    assert [(r["id"], r["text"]) for r in rows] == [(x["id"], x["text"]) for x in lines]
