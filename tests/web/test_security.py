"""The server's guards: Host allow-list (DNS rebinding), on-site redirects only, strong tokens read off argv."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from starlette.testclient import TestClient

from tests.web.conftest import LiveServer
from tests.web.fixtures import Fixture
from tracewire.errors import Code, UsageError
from tracewire.web.app import create_app
from tracewire.web.security import allowed_hosts, check_token, local_location, read_token
from tracewire.web.server import serve

TOKEN = "s3cret-token-0123456789"
# paths that an off-site redirect hides behind: a browser reads "//host" and "/\host" as another site
OFFSITE_PATHS = ["//evil.example/", "//evil.example", "///evil.example/", "/\\evil.example/", "/\\/evil.example/",
                 "//evil.example/documents/", "//evil.example/api/", "/documents/", "/api/", "/static//evil.example/",
                 "/%2F%2Fevil.example/", "/%5Cevil.example/", "/doc//evil.example", "/%09/evil.example/"]


def raw_get(port: int, target: str, host: str | None = "127.0.0.1") -> tuple[int, dict[str, str], bytes]:
    """Send one GET with the request target exactly as given; return status, headers and body."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        head = f"GET {target} HTTP/1.1\r\n" + (f"Host: {host}\r\n" if host is not None else "")
        s.sendall((head + "Connection: close\r\n\r\n").encode("latin-1"))
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    top, _, body = data.partition(b"\r\n\r\n")
    status_line, *lines = top.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, v in (line.split(":", 1) for line in lines)}
    return int(status_line.split()[1]), headers, body


@pytest.fixture(scope="module")
def servers(fixture_store: Fixture) -> Iterator[tuple[LiveServer, LiveServer]]:
    """uvicorn over the fixture store twice: without a token and with one."""
    with LiveServer(create_app(fixture_store.db)) as open_server, \
            LiveServer(create_app(fixture_store.db, token=TOKEN)) as guarded:
        yield open_server, guarded


def test_dns_rebinding_host_is_refused(servers: tuple[LiveServer, LiveServer]) -> None:
    for server in servers:
        for host in ["evil.example", "evil.example:8765", "127.0.0.1.evil.example", "localhost.evil.example", None]:
            status, headers, body = raw_get(server.port, "/api/overview", host)
            assert status == 400, host
            assert b"--allow-host" in body and b'"counts"' not in body
            assert "content-security-policy" in headers
        assert raw_get(server.port, f"/api/overview?token={TOKEN}", "evil.example")[0] == 400


def test_loopback_names_are_answered(servers: tuple[LiveServer, LiveServer]) -> None:
    open_server = servers[0]
    for host in ["127.0.0.1", f"127.0.0.1:{open_server.port}", "localhost", f"LocalHost.:{open_server.port}",
                 "[::1]", f"[::1]:{open_server.port}", "127.0.0.2"]:
        status, _, body = raw_get(open_server.port, "/api/overview", host)
        assert status == 200 and b'"counts"' in body, host


def test_allow_host_adds_names(fixture_store: Fixture) -> None:
    with TestClient(create_app(fixture_store.db, hosts=["tracewire.lan", "10.0.0.5"])) as c:
        for host, status in [("tracewire.lan:8765", 200), ("10.0.0.5", 200), ("127.0.0.1", 200),
                             ("evil.example", 400), ("other.lan", 400), ("testserver", 400)]:
            assert c.get("/api/overview", headers={"host": host}).status_code == status, host
    assert allowed_hosts("0.0.0.0", ["Tracewire.LAN.", "::1"]) >= {"0.0.0.0", "tracewire.lan", "[::1]", "localhost"}
    for bad in ["http://tracewire.lan/", "a b", "*", "name/path", ""]:
        with pytest.raises(UsageError, match="--allow-host"):
            allowed_hosts("127.0.0.1", [bad])


def test_no_redirect_leaves_the_site(servers: tuple[LiveServer, LiveServer]) -> None:
    for server in servers:
        for path in OFFSITE_PATHS:
            for target in [path, path + ("&" if "?" in path else "?") + f"token={TOKEN}"]:
                status, headers, _ = raw_get(server.port, target)
                location = headers.get("location")
                if location is None:
                    continue
                assert 300 <= status < 400
                assert location.startswith("/") and location[1:2] not in ("/", "\\"), (target, location)
                assert urlsplit(urljoin(server.url, location)).netloc == urlsplit(server.url).netloc
    # the token's redirect still goes where it should, on-site
    status, headers, _ = raw_get(servers[1].port, f"/claims?kind=anonymous&token={TOKEN}")
    assert status == 303 and headers["location"] == "/claims?kind=anonymous"
    status, headers, _ = raw_get(servers[1].port, f"//evil.example/?token={TOKEN}")
    assert status == 303 and headers["location"] == "/evil.example/"


def test_local_location() -> None:
    assert local_location("//evil.example/x?a=1") == "/evil.example/x?a=1"
    assert local_location("http://evil.example/x") == "/x"
    assert local_location("/\\evil.example/") == "/evil.example/"
    assert local_location("/\t/evil.example/") == "/evil.example/"
    assert local_location("/claims?kind=anonymous") == "/claims?kind=anonymous"
    assert local_location("") == "/"


@pytest.mark.parametrize("weak", ["", " " * 20, "\t\n" * 10, "short", "s3cret-token", "a" * 15,
                                  "sixteen chars but spaces", "tab\tinside-0123456789"])
def test_weak_tokens_are_refused(fixture_store: Fixture, weak: str, monkeypatch: pytest.MonkeyPatch,
                                 tmp_path: Path) -> None:
    with pytest.raises(UsageError) as e:
        create_app(fixture_store.db, token=weak)
    assert e.value.code == Code.TW002 and "16 characters" in str(e.value) and "secrets.token_urlsafe" in str(e.value)
    assert weak not in str(e.value) or not weak.strip()  # the message names the length, never the secret
    monkeypatch.setenv("TRACEWIRE_TOKEN", weak)
    monkeypatch.setenv("TRACEWIRE_TOKEN_FILE", "")
    if weak:
        with pytest.raises(UsageError, match=r"\$TRACEWIRE_TOKEN"):
            serve(fixture_store.db, host="0.0.0.0")
    else:  # an empty variable means no token, and a public address needs one
        with pytest.raises(UsageError, match="without a token"):
            serve(fixture_store.db, host="0.0.0.0")
    token_file = tmp_path / "token"
    token_file.write_text(weak + "\n", encoding="utf-8")
    with pytest.raises(UsageError, match="--token-file"):
        read_token(token_file=token_file)


def test_token_comes_from_a_file_or_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACEWIRE_TOKEN", "")
    monkeypatch.setenv("TRACEWIRE_TOKEN_FILE", "")
    assert read_token() is None
    token_file = tmp_path / "token"
    token_file.write_text(TOKEN + "\r\n", encoding="utf-8")
    assert read_token(token_file=token_file) == TOKEN
    monkeypatch.setenv("TRACEWIRE_TOKEN", "env-token-0123456789")
    assert read_token() == "env-token-0123456789"
    assert read_token(token_file=token_file) == TOKEN  # the command line wins
    monkeypatch.setenv("TRACEWIRE_TOKEN_FILE", str(token_file))
    assert read_token() == TOKEN
    assert check_token(TOKEN) == TOKEN
    with pytest.raises(UsageError, match="not both"):
        read_token(TOKEN, token_file)
    with pytest.raises(UsageError, match="Cannot read"):
        read_token(token_file=tmp_path / "absent")
    (tmp_path / "big").write_text("x" * 10_000, encoding="utf-8")
    with pytest.raises(UsageError, match="more than"):
        read_token(token_file=tmp_path / "big")
