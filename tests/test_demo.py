"""The bundled demo corpus ingests as its answers file says; `tracewire demo` runs end to end."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from tracewire.cli import main
from tracewire.demo import answers_path, corpus_dir
from tracewire.ingest import ingest
from tracewire.store import SQLiteStore, open_store


@pytest.fixture(scope="module")
def answers() -> dict[str, Any]:
    """The parsed answers file."""
    return tomllib.loads(answers_path().read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> SQLiteStore:
    """The demo corpus ingested into a fresh store."""
    store = open_store(tmp_path_factory.mktemp("demo") / "tw.db")
    ingest([corpus_dir()], store)
    return store


def test_documents_and_metadata(demo_store: SQLiteStore, answers: dict[str, Any]) -> None:
    """Every expected document is stored with its stated metadata and clean text."""
    docs = {d.id: d for d in demo_store.documents()}
    assert sorted(docs) == sorted(a["id"] for a in answers["documents"])
    for a in answers["documents"]:
        d = docs[a["id"]]
        for key in ("title", "outlet", "date", "dateline"):
            if key in a:
                assert getattr(d, key) == a[key], (a["id"], key)
        for s in a.get("must_contain", []):
            assert s in d.text, (a["id"], s)
        for s in a.get("must_not_contain", []):
            assert s not in d.text, (a["id"], s)


def test_bad_inputs_rejected_with_codes(demo_store: SQLiteStore, answers: dict[str, Any]) -> None:
    """The two bad demo inputs are recorded with their codes."""
    got = {Path(r.path).name: r.code for r in demo_store.rejections()}
    assert got == {r["file"]: r["code"] for r in answers["rejections"]}


def test_demo_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`tracewire demo` prints the ingest summary with both rejections, and where outputs are."""
    assert main(["demo", "--out", str(tmp_path / "demo")]) == 0
    out = capsys.readouterr().out
    assert "rejected 2 inputs" in out
    assert "TW101" in out and "TW102" in out
    assert str(tmp_path / "demo" / "tracewire.db") in out
