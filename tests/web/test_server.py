"""`tracewire serve` through the CLI function: what it prints, where the token comes from, what it hands uvicorn."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.web.fixtures import Fixture
from tracewire.cli import main

TOKEN = "s3cret-token-0123456789"


@pytest.fixture
def uvicorn_calls(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """uvicorn.run replaced by a recorder, so `serve` returns at once instead of binding."""
    import uvicorn

    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append({"app": app, **kw}))
    for name in ("TRACEWIRE_TOKEN", "TRACEWIRE_TOKEN_FILE", "TRACEWIRE_ALLOW_HOSTS"):
        monkeypatch.setenv(name, "")
    return calls


def test_serve_prints_its_url_and_how_to_stop(fixture_store: Fixture, uvicorn_calls: list[dict[str, Any]],
                                              capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--db", str(fixture_store.db), "--port", "9876", "--workers", "1"]) == 0
    out = capsys.readouterr().out
    assert "http://127.0.0.1:9876/" in out and "Ctrl+C" in out and str(fixture_store.db) in out
    assert [(c["host"], c["port"]) for c in uvicorn_calls] == [("127.0.0.1", 9876)]


def test_serve_reads_the_token_from_a_file_and_warns_about_argv(
        fixture_store: Fixture, uvicorn_calls: list[dict[str, Any]], capsys: pytest.CaptureFixture[str],
        tmp_path: Path) -> None:
    token_file = tmp_path / "token"
    token_file.write_text(TOKEN + "\n", encoding="utf-8")
    assert main(["serve", "--db", str(fixture_store.db), "--host", "0.0.0.0", "--token-file", str(token_file),
                 "--allow-host", "tracewire.lan", "--workers", "1"]) == 0
    out, err = capsys.readouterr()
    assert "http://localhost:8765/?token=TOKEN" in out and "Ctrl+C" in out and "--allow-host" in out
    assert TOKEN not in out and not err
    with TestClient(uvicorn_calls[-1]["app"], base_url="http://tracewire.lan:8765") as c:
        assert c.get("/api/overview").status_code == 401
        assert c.get("/api/overview", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200
        assert c.get("/api/overview", headers={"Authorization": f"Bearer {TOKEN}",
                                               "host": "evil.example"}).status_code == 400

    assert main(["serve", "--db", str(fixture_store.db), "--token", TOKEN, "--workers", "1"]) == 0
    err = capsys.readouterr().err
    assert "warning" in err and "process list" in err and "--token-file" in err and TOKEN not in err


def test_serve_refuses_weak_or_missing_tokens_before_printing(
        fixture_store: Fixture, uvicorn_calls: list[dict[str, Any]], capsys: pytest.CaptureFixture[str],
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = str(fixture_store.db)
    assert main(["serve", "--db", db, "--host", "0.0.0.0"]) == 2
    token_file = tmp_path / "token"
    token_file.write_text("   \n", encoding="utf-8")
    assert main(["serve", "--db", db, "--token-file", str(token_file)]) == 2
    assert main(["serve", "--db", db, "--token", "short"]) == 2
    monkeypatch.setenv("TRACEWIRE_TOKEN", " " * 20)
    assert main(["serve", "--db", db]) == 2
    assert main(["serve", "--db", db, "--allow-host", "http://x.example/"]) == 2
    out, err = capsys.readouterr()
    assert "http://" not in out and not uvicorn_calls
    assert err.count("[TW002]") == 5 and "16 characters" in err and "--token-file" in err
