"""`export store --format parquet` then `load`: the analysis results travel with the documents."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracewire.cli import main
from tracewire.export import EXPORTS
from tracewire.store import SQLiteStore
from tracewire.store.queries import overview, refresh

# written for this test: a wire report, a copy of it by a second outlet, and an unrelated article
WIRE = ("Damascus, 3 March. The Syrian Observatory for Human Rights said on Tuesday that at least 14 civilians were "
        "killed in air strikes on the town of Saraqeb in Idlib province. \"The strikes hit the market at noon,\" "
        "said Rami Abdulrahman, the head of the monitoring group. Residents reported that two schools were closed "
        "after the attack, and local officials said rescue teams were still searching the rubble for survivors.")
COPY = WIRE + " The ministry of defence in Moscow denied that Russian aircraft had flown over the province."
OTHER = ("Aleppo, 5 March. The United Nations said that 900,000 people had fled their homes since December, most of "
         "them women and children. Aid agencies warned that camps near the Turkish border were full.")


def _exports(db: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, str]:
    """Every export kind of the store at ``db``, as JSON Lines."""
    out = {}
    for kind in EXPORTS:
        capsys.readouterr()
        assert main(["export", kind, "--db", str(db)]) == 0
        out[kind] = capsys.readouterr().out
    return out


def test_export_store_then_load_brings_every_result(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A store loaded from `export store` exports the same records, shows the same overview, and `analyze`
    finds nothing to redo there."""
    corpus = tmp_path / "in"
    corpus.mkdir()
    for name, text in (("wire", WIRE), ("copy", COPY), ("other", OTHER)):
        (corpus / f"{name}.txt").write_text(text, encoding="utf-8")
    src, dst, folder = tmp_path / "src.db", tmp_path / "dst.db", tmp_path / "pq"
    assert main(["ingest", str(corpus), "--db", str(src)]) == 0
    assert main(["analyze", "--db", str(src)]) == 0
    assert main(["export", "store", "--db", str(src), "--format", "parquet", "--out", str(folder)]) == 0
    assert "analysis rows" in capsys.readouterr().out
    assert (folder / "results" / "claims.parquet").is_file()
    assert main(["load", str(folder), "--db", str(dst)]) == 0
    loaded = capsys.readouterr().out
    assert "loaded 3 new documents" in loaded and "analysis results: " in loaded and "claims " in loaded
    before, after = _exports(src, capsys), _exports(dst, capsys)
    assert before["claims"].count("\n") >= 4 and before["reuse"].count("\n") == 1
    for kind in EXPORTS:
        assert after[kind] == before[kind], kind
    views = []
    for db in (src, dst):
        store = SQLiteStore(db)
        refresh(store.conn)
        views.append(overview(store.conn))
        store.close()
    assert views[0] == views[1]
    assert main(["analyze", "--db", str(dst)]) == 0
    assert "analysed 0 new documents, re-analysed 0, 3 already up to date" in capsys.readouterr().out
    # results load only into a database without any: loading twice is a usage error naming the fix
    assert main(["load", str(folder), "--db", str(dst)]) == 2
    assert "Use a new --db FILE" in capsys.readouterr().err
