"""The store owns all SQL: no sqlite3 outside tracewire/store/, and the Store interface covers what export, report and web call."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import ROOT
from tests.imports import imported
from tracewire.store.base import Store

PACKAGE = ROOT / "tracewire"

# Modules outside tracewire/store/ still allowed to import sqlite3, each with the reason it is here.
# Keep this list shrinking: an entry that no longer imports sqlite3 makes the test fail until removed.
SQLITE_ALLOWED: set[str] = set()

# modules the store must not import: everything that runs above it
ABOVE_THE_STORE = ("tracewire.pipeline", "tracewire.analyze", "tracewire.corpus", "tracewire.engines",
                   "tracewire.export", "tracewire.report", "tracewire.web", "tracewire.cli", "tracewire.api",
                   "tracewire.ingest", "tracewire.demo")


def outside_store() -> list[Path]:
    """Every package module outside tracewire/store/."""
    return [p for p in sorted(PACKAGE.rglob("*.py")) if (PACKAGE / "store") not in p.parents]


def test_no_module_outside_the_store_imports_sqlite3() -> None:
    offenders = []
    for path in outside_store():
        rel = path.relative_to(ROOT).as_posix()
        uses = any(m == "sqlite3" or m.startswith("sqlite3.") for m in imported(path))
        if uses and rel not in SQLITE_ALLOWED:
            offenders.append(rel)
        if rel in SQLITE_ALLOWED:
            assert uses, f"{rel} no longer imports sqlite3: remove it from SQLITE_ALLOWED"
    assert not offenders, f"{offenders} import sqlite3: add a Store method (tracewire/store/) and call that"
    assert all((ROOT / rel).exists() for rel in SQLITE_ALLOWED), "SQLITE_ALLOWED names a file that is gone"


def test_no_module_outside_the_store_reaches_for_its_connection() -> None:
    for path in outside_store():
        rel = path.relative_to(ROOT).as_posix()
        if rel in SQLITE_ALLOWED:
            continue
        attrs = {n.attr for n in ast.walk(ast.parse(path.read_text(encoding="utf-8"))) if isinstance(n, ast.Attribute)}
        assert "conn" not in attrs, f"{rel} uses a store's .conn: add a Store method instead"


def test_the_store_imports_nothing_that_runs_above_it() -> None:
    for path in sorted((PACKAGE / "store").glob("*.py")):
        bad = {m for m in imported(path) if m.startswith(ABOVE_THE_STORE)}
        assert not bad, f"{path.relative_to(ROOT)} imports {sorted(bad)}: the store takes and returns records"


def store_calls(path: Path) -> set[str]:
    """Methods called on a store in a file: on names store/own/reader and on self.writer/self.watcher."""
    called: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        target = node.func.value
        if (isinstance(target, ast.Name) and target.id in ("store", "own", "reader")) or (
                isinstance(target, ast.Attribute) and target.attr in ("writer", "watcher")):
            called.add(node.func.attr)
    return called


def test_the_store_interface_declares_what_export_report_and_web_call() -> None:
    files = [PACKAGE / "export.py", *sorted((PACKAGE / "web").glob("*.py")), *sorted((PACKAGE / "report").glob("*.py"))]
    called = set().union(*(store_calls(p) for p in files))
    assert {"claim_rows", "overview", "document_view", "ensure_web_tables", "data_version"} <= called  # the scan sees them
    assert called <= Store.__abstractmethods__, f"{sorted(called - Store.__abstractmethods__)} are not on Store"
    assert {"pending_analysis", "write_analyses"} <= Store.__abstractmethods__
