"""Two `tracewire ingest` processes creating one new database at once: both succeed, 20 times over."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTICLE = ("Local sources said that a convoy reached Palmyra on Sunday, and officials confirmed the "
           "report on Monday morning. ") * 3


@pytest.mark.slow
def test_two_ingests_create_one_new_database_twenty_times(tmp_path: Path) -> None:
    """Each round starts two ingests on a missing database file; 0 failures, every document once."""
    for name in ("one", "two"):
        for i in range(3):
            (tmp_path / name).mkdir(exist_ok=True)
            (tmp_path / name / f"{name}{i}.txt").write_text(f"{ARTICLE} {name} {i}", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    failures = []
    for round_ in range(20):
        db = tmp_path / f"round{round_}.db"
        procs = [subprocess.Popen([sys.executable, "-m", "tracewire.cli", "ingest", str(tmp_path / name),
                                   "--db", str(db)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True) for name in ("one", "two")]
        for p in procs:
            out, err = p.communicate(timeout=120)
            if p.returncode != 0:
                failures.append((round_, p.returncode, err[-500:]))
        with sqlite3.connect(db) as c:
            assert c.execute("SELECT COUNT(*) FROM documents").fetchone()[0] == 6
            assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            assert c.execute("SELECT COUNT(*) FROM schema_migrations").fetchone()[0] == len(
                list((ROOT / "tracewire" / "store" / "migrations").glob("*.sql")))
    assert failures == []


OPEN = "import sys; from tracewire.store import open_store; open_store(sys.argv[1]).close()"


@pytest.mark.slow
def test_two_writers_upgrading_one_database_apply_each_migration_once(tmp_path: Path) -> None:
    """A store without the source-identity migration, opened by two processes at once, is upgraded once."""
    from tracewire.store import open_store

    env = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    version = int(next((ROOT / "tracewire" / "store" / "migrations").glob("*_source_identity.sql")).name[:3])
    for round_ in range(3):
        db = tmp_path / f"old{round_}.db"
        open_store(db).close()
        with sqlite3.connect(db) as c:  # back to the schema before the source-identity migration
            c.execute("DROP INDEX IF EXISTS documents_source")
            c.execute("ALTER TABLE documents DROP COLUMN source")
            c.execute("ALTER TABLE documents DROP COLUMN wanted_id")
            c.execute("DELETE FROM schema_migrations WHERE version = ?", (version,))
        procs = [subprocess.Popen([sys.executable, "-c", OPEN, str(db)], env=env, stderr=subprocess.PIPE,
                                  text=True) for _ in range(2)]
        errors = [p.communicate(timeout=120)[1] for p in procs]
        assert [p.returncode for p in procs] == [0, 0], errors
        with sqlite3.connect(db) as c:
            assert c.execute("SELECT COUNT(*) FROM schema_migrations WHERE version = ?", (version,)).fetchone()[0] == 1
            cols = {r[1] for r in c.execute("PRAGMA table_info(documents)")}
            assert {"source", "wanted_id"} <= cols
