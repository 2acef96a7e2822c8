"""`analyze --engine spark` (local[2]) exports exactly what the local engine does, through the CLI.

One Spark session serves the whole module (the CLI reuses a running session and leaves it
running); it is skipped when PySpark or Java is missing (`make test` installs both).
"""

from __future__ import annotations

import importlib.util
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT, shared_path
from tracewire.cli import main

KINDS = ("documents", "claims", "quantities", "places", "actors", "techniques", "reuse", "stories")
DEMO = ROOT / "tracewire" / "demo" / "corpus"

pytestmark = pytest.mark.skipif(importlib.util.find_spec("pyspark") is None or shutil.which("java") is None,
                                reason="needs PySpark and Java 17: pip install 'tracewire[spark]', apt-get install "
                                "openjdk-17-jre-headless (make test does both)")


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    """One local[2] Spark session for every test here."""
    from tracewire.engines.spark import session

    s, _ = session("local[2]")
    yield s
    s.stop()


def _exports(src: Path, db: Path, engine: list[str], capsys: pytest.CaptureFixture[str]) -> dict[str, str]:
    """Ingest ``src``, analyse it through the CLI with ``engine`` options, export every kind."""
    assert main(["ingest", str(src), "--db", str(db)]) == 0
    assert main(["analyze", "--db", str(db), *engine]) == 0
    capsys.readouterr()
    out: dict[str, str] = {}
    for kind in KINDS:
        assert main(["export", kind, "--db", str(db)]) == 0
        out[kind] = capsys.readouterr().out
    return out


def _same(local: dict[str, str], spark: dict[str, str]) -> None:
    """Every export kind is identical, line for line."""
    for kind in KINDS:
        assert spark[kind] == local[kind], kind


@pytest.mark.slow
def test_spark_equals_local_on_the_demo_corpus(spark: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The demo corpus: every layer and the reuse links and stories are the same from Spark."""
    local = _exports(DEMO, tmp_path / "local.db", [], capsys)
    done = _exports(DEMO, tmp_path / "spark.db", ["--engine", "spark", "--master", "local[2]"], capsys)
    assert local["documents"].count("\n") == 13 and local["claims"].count("\n") > 100
    assert local["reuse"].count("\n") >= 5 and local["stories"].count("\n") >= 2
    _same(local, done)
    # a second spark run finds nothing to do and keeps the results
    assert main(["analyze", "--db", str(tmp_path / "spark.db"), "--engine", "spark"]) == 0
    assert "0 new documents, re-analysed 0, 13 already up to date" in capsys.readouterr().out
    assert main(["export", "reuse", "--db", str(tmp_path / "spark.db")]) == 0
    assert capsys.readouterr().out == local["reuse"]


@pytest.mark.slow
@pytest.mark.shared
def test_spark_equals_local_on_the_seeds(spark: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The five real seed articles: Spark exports the same records as the local engine."""
    seeds = shared_path("seeds")
    local = _exports(seeds, tmp_path / "local.db", [], capsys)
    done = _exports(seeds, tmp_path / "spark.db", ["--engine", "spark"], capsys)
    assert local["documents"].count("\n") == 5 and local["claims"].count("\n") > 20
    _same(local, done)


def test_master_needs_the_spark_engine(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--master without --engine spark is a usage error (exit 2) that names the fix."""
    assert main(["analyze", "--db", str(tmp_path / "x.db"), "--master", "local[2]"]) == 2
    assert "--master local[2] needs --engine spark" in capsys.readouterr().err
