"""The response cache and the multi-process server: answers stay correct, bounded and behind the token."""

from __future__ import annotations

import os
import socket
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.responses import HTMLResponse
from starlette.testclient import TestClient

from tests.web.conftest import free_port
from tests.web.fixtures import Fixture, build_store
from tracewire import settings
from tracewire.errors import UsageError
from tracewire.web import server as web_server
from tracewire.web.app import create_app
from tracewire.web.cache import ResponseCache
from tracewire.web.server import serve, tcp_socket

BASE = "http://127.0.0.1"  # the Host the app answers to
TOKEN = "s3cret-token-0123456789"


@pytest.fixture
def store(tmp_path_factory: pytest.TempPathFactory) -> Fixture:
    """A fresh fixture store per test (some tests write to it)."""
    return build_store(tmp_path_factory.mktemp("cache") / "tw.db")


@pytest.fixture
def client(store: Fixture) -> Iterator[TestClient]:
    """A test client over the fresh store."""
    with TestClient(create_app(store.db), base_url=BASE) as c:
        yield c


def test_repeated_page_comes_from_the_cache_with_an_etag(client: TestClient, store: Fixture) -> None:
    cache: ResponseCache = client.app.state.cache  # type: ignore[attr-defined]
    first = client.get(f"/doc/{store.pair[0]}")
    second = client.get(f"/doc/{store.pair[0]}")
    assert first.status_code == second.status_code == 200
    assert first.content == second.content and first.headers["etag"] == second.headers["etag"]
    assert first.headers["content-type"] == second.headers["content-type"] == "text/html; charset=utf-8"
    assert "unsafe-inline" not in second.headers["content-security-policy"].split("script-src")[1].split(";")[0]
    assert cache.hits >= 1 and f"/doc/{store.pair[0]}" in cache.entries
    api = client.get("/api/claims", params={"kind": "anonymous"})
    assert client.get("/api/claims", params={"kind": "anonymous"}).json() == api.json()
    assert api.headers["content-type"] == "application/json"


def test_if_none_match_answers_304_without_a_body(client: TestClient) -> None:
    etag = client.get("/map").headers["etag"]
    r = client.get("/map", headers={"If-None-Match": etag})
    assert r.status_code == 304 and r.content == b"" and r.headers["etag"] == etag
    assert client.get("/map", headers={"If-None-Match": f'"other", W/{etag}'}).status_code == 304
    assert client.get("/map", headers={"If-None-Match": '"stale"'}).status_code == 200


def test_a_change_to_the_store_empties_the_cache(client: TestClient, store: Fixture) -> None:
    doc = store.pair[1]
    before = client.get(f"/api/documents/{doc}").json()
    assert client.get(f"/api/documents/{doc}").json() == before  # now cached
    conn = sqlite3.connect(store.db)
    with conn:
        conn.execute("UPDATE claims SET checkworthy = 0.123 WHERE doc_key = (SELECT doc_key FROM documents"
                     " WHERE id = ?)", (doc,))
    conn.close()
    after = client.get(f"/api/documents/{doc}").json()
    assert {c["checkworthy"] for c in after["claims"]} == {0.123} != {c["checkworthy"] for c in before["claims"]}


def test_cached_pages_still_need_the_token(store: Fixture) -> None:
    with TestClient(create_app(store.db, token=TOKEN), base_url=BASE) as c:
        ok = c.get("/claims", headers={"Authorization": f"Bearer {TOKEN}"})
        assert ok.status_code == 200
        assert c.get("/claims", headers={"Authorization": f"Bearer {TOKEN}"}).content == ok.content
        denied = c.get("/claims")
        assert denied.status_code == 401 and b"<table" not in denied.content
        assert c.get("/claims", headers={"If-None-Match": ok.headers["etag"]}).status_code == 401


def test_errors_and_the_csv_export_are_not_cached(client: TestClient) -> None:
    cache: ResponseCache = client.app.state.cache  # type: ignore[attr-defined]
    assert client.get("/doc/no-such-doc").status_code == 404
    assert client.get("/claims.csv").status_code == 200
    assert "/doc/no-such-doc" not in cache.entries and "/claims.csv" not in cache.entries


def test_cache_is_bounded_least_recently_used_first() -> None:
    cache = ResponseCache(max_entries=3, max_bytes=1000)
    gen = 7
    assert cache.get("a", gen) is None
    for key in "abc":
        cache.put(key, gen, HTMLResponse("x" * 100))
    assert cache.get("a", gen) is not None  # a is now the most recently used
    cache.put("d", gen, HTMLResponse("y" * 100))
    assert list(cache.entries) == ["c", "a", "d"]
    cache.put("huge", gen, HTMLResponse("z" * 200))  # over an eighth of the bytes: answered, not kept
    assert "huge" not in cache.entries and list(cache.entries) == ["c", "a", "d"]
    by_bytes = ResponseCache(max_entries=100, max_bytes=1000)
    for i in range(12):
        by_bytes.put(str(i), gen, HTMLResponse("w" * 100))
    assert by_bytes.size == 1000 and list(by_bytes.entries) == [str(i) for i in range(2, 12)]
    cache.put("late", gen - 1, HTMLResponse("old"))  # rendered before the store changed: dropped
    assert "late" not in cache.entries
    assert cache.get("d", gen - 1) is None and "d" in cache.entries  # a request that started earlier: a miss
    assert cache.get("d", gen + 1) is None and not cache.entries and cache.size == 0


def test_cache_can_be_turned_off(store: Fixture) -> None:
    with TestClient(create_app(store.db, cache_entries=0), base_url=BASE) as c:
        assert c.get("/").status_code == 200 and c.get("/").status_code == 200
        assert not c.app.state.cache.entries  # type: ignore[attr-defined]


def test_serve_with_workers_shares_a_tcp_socket_and_passes_the_store(store: Fixture,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn.supervisors

    seen: dict[str, Any] = {}

    class FakeSupervisor:
        """Records what serve hands to uvicorn's process supervisor."""

        def __init__(self, config: Any, sockets: list[socket.socket]) -> None:
            seen["config"], seen["sockets"] = config, sockets

        def run(self) -> None:
            """Does not start processes."""
            for s in seen["sockets"]:
                s.close()

    monkeypatch.setattr(uvicorn.supervisors, "Multiprocess", FakeSupervisor)
    for name in (web_server.DB_ENV, "TRACEWIRE_TOKEN", "TRACEWIRE_TOKEN_FILE", "TRACEWIRE_ALLOW_HOSTS"):
        monkeypatch.setenv(name, "")  # serve hands its settings down; monkeypatch puts them back
    serve(store.db, port=free_port(), workers=3, token=TOKEN)
    config, (sock,) = seen["config"], seen["sockets"]
    assert config.workers == 3 and config.factory and config.app == "tracewire.web.server:app_from_env"
    assert sock.proto == socket.IPPROTO_TCP
    assert os.environ[web_server.DB_ENV] == str(store.db.resolve())
    app = web_server.app_from_env()
    with TestClient(app, base_url=BASE) as c:
        assert c.get("/api/overview").status_code == 401  # the token travelled too
        assert c.get("/api/overview", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200


def test_app_from_env_needs_the_store(monkeypatch: pytest.MonkeyPatch) -> None:
    assert web_server.DB_ENV == next(s.env for s in settings.SETTINGS if s.name == "web_db")
    monkeypatch.delenv(web_server.DB_ENV, raising=False)
    with pytest.raises(UsageError, match=web_server.DB_ENV):
        web_server.app_from_env()


def test_tcp_socket_turns_nagle_off_on_accepted_connections() -> None:
    raw = socket.socket(socket.AF_INET, socket.SOCK_STREAM)  # protocol 0, as uvicorn makes it
    raw.bind(("127.0.0.1", 0))
    listener = tcp_socket(raw)
    assert listener.proto == socket.IPPROTO_TCP
    listener.listen()
    with socket.create_connection(listener.getsockname()):
        accepted, _ = listener.accept()
        assert accepted.proto == socket.IPPROTO_TCP
        assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 0  # asyncio sets it, given the proto
        accepted.close()
    listener.close()


def test_a_second_server_process_does_not_rebuild_fresh_web_tables(store: Fixture) -> None:
    from tracewire.store.sqlite import SQLiteStore

    other = SQLiteStore(Path(store.db))
    try:
        other.ensure_web_tables()
        assert other.web_tables_fresh()
        # what a process that waited for the lock sees
        assert other.refresh_web_tables(only_if_stale=True) is False
        assert other.refresh_web_tables() is True  # an explicit rebuild still rebuilds
        other.conn.execute("DELETE FROM claims WHERE claim_key = (SELECT min(claim_key) FROM claims)")
        assert not other.web_tables_fresh()
        assert other.ensure_web_tables() is True and other.ensure_web_tables() is False
    finally:
        other.close()
