"""SIGKILL at any point of ingest (10 times) or analyze (5 times), then a rerun: the store equals a clean run."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "tracewire" / "demo" / "corpus"
LAYERS = ("documents", "claims", "quantities", "places", "actors", "techniques", "reuse", "stories")


def _cli(*args: str) -> list[str]:
    """The command line of the tracewire CLI in this interpreter."""
    return [sys.executable, "-m", "tracewire.cli", *args]


def _count(db: Path) -> int:
    """Documents in ``db`` so far (0 while it cannot be read)."""
    try:
        with sqlite3.connect(db, timeout=1) as c:
            return int(c.execute("SELECT COUNT(*) FROM documents").fetchone()[0])
    except sqlite3.Error:
        return 0


def _exports(db: Path, kinds: tuple[str, ...]) -> dict[str, list[str]]:
    """Every record of ``kinds``, sorted, as the CLI exports them."""
    out = {}
    for kind in kinds:
        done = subprocess.run(_cli("export", kind, "--db", str(db)), capture_output=True, text=True, check=True)
        out[kind] = sorted(done.stdout.splitlines())
    return out


def _integrity(db: Path) -> None:
    """The killed store is a consistent SQLite database."""
    with sqlite3.connect(db) as c:
        assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert c.execute("PRAGMA foreign_key_check").fetchall() == []


@pytest.mark.slow
def test_ingest_killed_ten_times_then_rerun_equals_a_clean_ingest(tmp_path: Path) -> None:
    """Ten SIGKILLs at growing points of one ingest; the rerun leaves what a clean ingest leaves."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i in range(2000):
        (corpus / f"doc{i:05d}.txt").write_text(
            f"Report {i}. Local sources said convoy {i} reached Palmyra on day {i % 31}. " * 4, encoding="utf-8")
    env = {**os.environ, "TRACEWIRE_BATCH_SIZE": "20"}
    db = tmp_path / "killed.db"
    kills = 0
    for _ in range(10):
        before = _count(db)
        proc = subprocess.Popen(_cli("ingest", str(corpus), "--db", str(db)), env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while proc.poll() is None and time.monotonic() < deadline and _count(db) < before + 60:
            time.sleep(0.02)
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            kills += 1
        proc.wait()
        _integrity(db)
    assert kills == 10, "ingest finished before it was killed ten times; give it more files"
    subprocess.run(_cli("ingest", str(corpus), "--db", str(db)), env=env, capture_output=True, check=True)
    clean = tmp_path / "clean.db"
    subprocess.run(_cli("ingest", str(corpus), "--db", str(clean)), env=env, capture_output=True, check=True)
    assert _exports(db, ("documents", "rejections")) == _exports(clean, ("documents", "rejections"))


@pytest.mark.slow
def test_analyze_killed_five_times_then_rerun_equals_a_clean_analysis(tmp_path: Path) -> None:
    """SIGKILLs spread over a whole analyze (model load, components, furniture, reuse), then a rerun."""
    clean = tmp_path / "clean.db"
    subprocess.run(_cli("ingest", str(DEMO), "--db", str(clean)), capture_output=True, check=True)
    t0 = time.monotonic()
    subprocess.run(_cli("analyze", "--db", str(clean)), capture_output=True, check=True)
    took = time.monotonic() - t0
    db = tmp_path / "killed.db"
    subprocess.run(_cli("ingest", str(DEMO), "--db", str(db)), capture_output=True, check=True)
    kills = 0
    for k in range(5):
        proc = subprocess.Popen(_cli("analyze", "--db", str(db)), stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        # kill at 30 %, 45 %, ... 90 % of a clean run's time (later kills find less left to do)
        try:
            proc.wait(timeout=took * (0.3 + 0.15 * k))
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            kills += 1
        _integrity(db)
    assert kills >= 3, f"only {kills} of 5 analyze runs were killed before they finished"
    subprocess.run(_cli("analyze", "--db", str(db)), capture_output=True, check=True)
    assert _exports(db, LAYERS) == _exports(clean, LAYERS)
