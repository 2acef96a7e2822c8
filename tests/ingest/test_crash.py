"""A SIGKILL during a large ingest leaves a consistent store; a rerun completes it exactly once."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

N = 3000


@pytest.mark.slow
def test_sigkill_then_rerun_leaves_one_copy_each(tmp_path: Path) -> None:
    """Kill the ingest process mid-run, rerun, and find every document exactly once."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i in range(N):
        (corpus / f"doc{i:05d}.txt").write_text(
            f"Report number {i}. Local sources said that convoy {i} reached Palmyra on day {i % 31}. " * 4,
            encoding="utf-8",
        )
    db = tmp_path / "tw.db"
    env = {**os.environ, "TRACEWIRE_BATCH_SIZE": "50"}
    cmd = [sys.executable, "-m", "tracewire.cli", "ingest", str(corpus), "--db", str(db)]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    seen = 0
    while time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
        if db.exists():
            try:
                with sqlite3.connect(db, timeout=1) as c:
                    seen = c.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
            except sqlite3.Error:
                continue
            if seen >= 200:
                break
    assert proc.poll() is None, "ingest finished before it could be killed; raise N"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    with sqlite3.connect(db) as c:
        assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        partial = c.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
        assert 0 < partial < N
        # inputs and documents were committed together: no input without its document
        orphans = c.execute(
            "SELECT COUNT(*) FROM inputs i WHERE i.documents > 0 AND NOT EXISTS "
            "(SELECT 1 FROM documents d WHERE d.blob_sha256 = i.sha256)"
        ).fetchone()[0]
        assert orphans == 0
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)
    assert f"ingested {N - partial} new documents" in done.stdout
    with sqlite3.connect(db) as c:
        assert c.execute("SELECT COUNT(*) FROM documents").fetchone()[0] == N
        assert c.execute("SELECT COUNT(DISTINCT id) FROM documents").fetchone()[0] == N
        assert c.execute("SELECT MAX(version) FROM documents").fetchone()[0] == 1
