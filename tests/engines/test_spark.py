"""`analyze --engine spark` (local[2]) exports exactly what the local engine does, through the CLI, every
export kind (the comparison is tests/engines/identity.py).

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
from tests.engines.identity import assert_same, count, exports
from tracewire.cli import main

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
    return exports(db, [[str(src)]], engine, capsys)


@pytest.mark.slow
def test_spark_equals_local_on_the_demo_corpus(spark: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The demo corpus: every layer and the reuse links and stories are the same from Spark."""
    local = _exports(DEMO, tmp_path / "local.db", [], capsys)
    done = _exports(DEMO, tmp_path / "spark.db", ["--engine", "spark", "--master", "local[2]"], capsys)
    assert count(local, "documents") == 13 and count(local, "claims") > 100
    assert count(local, "reuse") >= 5 and count(local, "stories") >= 2
    assert count(local, "narratives") > 0 and count(local, "factcheck_matches") > 0
    assert_same(local, done)
    # a second spark run finds nothing to do and keeps the results (every kind)
    assert main(["analyze", "--db", str(tmp_path / "spark.db"), "--engine", "spark"]) == 0
    assert "0 new documents, re-analysed 0, 13 already up to date" in capsys.readouterr().out
    again: dict[str, str] = {}
    for kind in local:
        assert main(["export", kind, "--db", str(tmp_path / "spark.db")]) == 0
        again[kind] = capsys.readouterr().out
    assert_same(local, again)


@pytest.mark.slow
@pytest.mark.shared
def test_spark_equals_local_on_the_seeds(spark: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The five real seed articles: Spark exports the same records as the local engine."""
    seeds = shared_path("seeds")
    local = _exports(seeds, tmp_path / "local.db", [], capsys)
    done = _exports(seeds, tmp_path / "spark.db", ["--engine", "spark"], capsys)
    assert count(local, "documents") == 5 and count(local, "claims") > 20
    assert count(local, "factcheck_matches") > 0
    assert_same(local, done)


def test_master_needs_the_spark_engine(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--master without --engine spark is a usage error (exit 2) that names the fix."""
    assert main(["analyze", "--db", str(tmp_path / "x.db"), "--master", "local[2]"]) == 2
    assert "--master local[2] needs --engine spark" in capsys.readouterr().err


@pytest.mark.slow
def test_spark_equals_local_on_pages_of_no_known_outlet(spark: Any, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    """Text files of one folder (no outlet known): the short path pairs them in Spark as it does locally."""
    from tests.corpus.test_short_passages import _corpus

    src = tmp_path / "pages"
    src.mkdir()
    for d in _corpus(False):
        (src / f"{d.id}.txt").write_text(d.text, encoding="utf-8")
    local = _exports(src, tmp_path / "local.db", [], capsys)
    done = _exports(src, tmp_path / "spark.db", ["--engine", "spark", "--master", "local[2]"], capsys)
    assert count(local, "reuse") == 1
    assert_same(local, done)


def test_spark_equals_local_on_an_edited_copy_with_one_anchor(spark: Any, tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    """Articles of known outlets (JSONL): the edited copy that keeps one anchor of a passage two others print
    intact is paired in Spark as it is locally (``one_anchor_df``)."""
    import json

    from tests.corpus.test_one_anchor import _corpus

    src = tmp_path / "news"
    src.mkdir()
    (src / "news.jsonl").write_text("".join(json.dumps({"id": d.id, "text": d.text, "outlet": d.outlet}) + "\n"
                                            for d in _corpus()), encoding="utf-8")
    local = _exports(src, tmp_path / "local.db", [], capsys)
    done = _exports(src, tmp_path / "spark.db", ["--engine", "spark", "--master", "local[2]"], capsys)
    assert count(local, "reuse") == 3
    assert_same(local, done)
