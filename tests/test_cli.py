"""The command line: version, help, usage errors, export formats."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from tests.engines.identity import assert_same, count, exports
from tracewire import __version__
from tracewire.cli import main

TEXT = "PALMYRA – Local sources told the Levant Wire that 33 soldiers were killed near Palmyra on Sunday."


def test_version_and_help(capsys: pytest.CaptureFixture[str]) -> None:
    """--version prints the version; --help shows real examples."""
    with pytest.raises(SystemExit) as e:
        main(["--version"])
    assert e.value.code == 0 and __version__ in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "tracewire ingest ../shared/seeds" in out and "exit codes" in out
    with pytest.raises(SystemExit):
        main(["export", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    from tracewire.export import EXPORTS

    assert all(kind in out for kind in EXPORTS), "export --help names every record kind"


def test_usage_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Bad values exit 2 with a sentence, not a traceback."""
    db = str(tmp_path / "tw.db")
    assert main(["export", "nonsense", "--db", db]) == 2
    err = capsys.readouterr().err
    assert "TW003" in err and "claims" in err and "Traceback" not in err
    assert main(["ingest", str(tmp_path), "--db", db, "--field", "bogus"]) == 2
    assert main(["analyze", "--db", db, "--master", "local[2]"]) == 2  # --master needs --engine spark
    assert main(["ingest", str(tmp_path), "--to", "csv", str(tmp_path / "out")]) == 2
    assert main([]) == 2


def test_export_jsonl_and_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Documents and rejections export as JSON Lines and CSV with the contract's fields."""
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "story.txt").write_text(TEXT * 3, encoding="utf-8")
    (tmp_path / "in" / "empty.txt").write_bytes(b"")
    db = str(tmp_path / "tw.db")
    assert main(["ingest", str(tmp_path / "in"), "--db", db]) == 0
    capsys.readouterr()
    assert main(["export", "documents", "--db", db]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["id"] for r in rows] == ["story"]
    assert set(rows[0]) == {"id", "title", "outlet", "date", "url", "source_path", "sha256", "text"}
    out = tmp_path / "rej.csv"
    assert main(["export", "rejections", "--db", db, "--format", "csv", "--out", str(out)]) == 0
    rej = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert rej[0]["code"] == "TW101" and rej[0]["path"].endswith("empty.txt")


def test_analyze_without_documents_exits_1(tmp_path: Path) -> None:
    """Nothing to analyse is exit 1 with a hint."""
    assert main(["analyze", "--db", str(tmp_path / "empty.db")]) == 1


def test_export_parquet(tmp_path: Path) -> None:
    """Parquet export writes the same records as JSON Lines."""
    import pyarrow.parquet as pq

    (tmp_path / "story.txt").write_text(TEXT * 3, encoding="utf-8")
    db = str(tmp_path / "tw.db")
    assert main(["ingest", str(tmp_path / "story.txt"), "--db", db]) == 0
    out = tmp_path / "docs.parquet"
    assert main(["export", "documents", "--db", db, "--format", "parquet", "--out", str(out)]) == 0
    table = pq.read_table(out).to_pylist()
    assert table[0]["id"] == "story" and table[0]["text"].startswith("PALMYRA")
    assert main(["export", "documents", "--db", db, "--format", "parquet"]) == 2


def test_analyze_two_workers_equals_one_through_the_cli(tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    """`analyze --workers 2`, the README's example, runs and exports exactly what one worker does (every kind)."""
    corpus = [[str(Path(__file__).resolve().parent.parent / "tracewire" / "demo" / "corpus")]]
    one = exports(tmp_path / "one.db", corpus, ["--workers", "1"], capsys)
    two = exports(tmp_path / "two.db", corpus, ["--workers", "2"], capsys)
    assert count(one, "claims") > 20 and count(one, "reuse") >= 1
    assert count(one, "narratives") > 0 and count(one, "factcheck_matches") > 0
    assert_same(one, two)
