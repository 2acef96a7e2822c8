"""Running the web UI: check a configuration, then serve it with uvicorn in one or several processes."""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from starlette.applications import Starlette

from .. import settings
from ..errors import Code, UsageError
from .app import create_app
from .db import Database
from .security import allowed_hosts, host_name, is_loopback, read_token

log = logging.getLogger(__name__)

DB_ENV = settings.setting("web_db").env  # how `serve` hands the store to uvicorn's worker processes


@dataclass(frozen=True, slots=True)
class ServeConfig:
    """A checked `serve` configuration: the store, where to listen, the token, the Host names and the processes."""

    db_path: Path
    host: str
    port: int
    token: str | None
    hosts: tuple[str, ...]
    workers: int
    read_only: bool = False

    @property
    def every_interface(self) -> bool:
        """True when --host is a wildcard address (0.0.0.0 or ::) that listens on every interface."""
        return host_name(self.host) in ("0.0.0.0", "[::]", "")

    @property
    def url(self) -> str:
        """The address to open in a browser (a wildcard --host shows as localhost)."""
        return f"http://{'localhost' if self.every_interface else host_name(self.host)}:{self.port}/"


def default_workers() -> int:
    """Worker processes for `tracewire serve`: one per core, at most 4."""
    return max(1, min(4, os.cpu_count() or 1))


def extra_hosts() -> tuple[str, ...]:
    """The Host names of $TRACEWIRE_ALLOW_HOSTS (comma-separated)."""
    return tuple(h.strip() for h in settings.get("allow_hosts").split(",") if h.strip())


def app_from_env() -> Starlette:
    """The app for one of uvicorn's worker processes: store, token and Host names from the settings `serve` set."""
    db = settings.get("web_db")
    if not db:
        raise UsageError(f"${DB_ENV} is not set. Start the server with `tracewire serve --db PATH`.", Code.TW002)
    return create_app(Path(db), token=read_token(), hosts=extra_hosts(), read_only=bool(settings.get("web_read_only")))


def prepare(db_path: Path, host: str = "127.0.0.1", port: int = 8765, token: str | None = None,
            workers: int | None = None, allow_hosts: Iterable[str] = (), read_only: bool = False) -> ServeConfig:
    """Check a `serve` configuration before anything binds; the token defaults to the settings (see ``read_token``).

    A non-loopback ``host`` needs a token. Host headers are checked against the loopback names,
    ``host`` and ``allow_hosts`` (plus $TRACEWIRE_ALLOW_HOSTS).
    """
    token = read_token(token) if token is not None else read_token()
    if not is_loopback(host) and not token:
        raise UsageError(
            f"Refusing to serve on {host!r} without a token: anyone who can reach that address could read the "
            "corpus. Put a token of 16 or more characters in $TRACEWIRE_TOKEN or in a file passed as --token-file "
            "PATH, or bind --host 127.0.0.1.", Code.TW002)
    if not 0 < port < 65536:
        raise UsageError(f"--port {port} is not a TCP port. Use 1-65535, e.g. 8765.", Code.TW002)
    workers = default_workers() if workers is None else workers
    if not 1 <= workers <= 64:
        raise UsageError(f"--workers {workers} is out of range. Use 1 to 64, e.g. {default_workers()}.", Code.TW002)
    hosts = (host, *allow_hosts, *extra_hosts())
    allowed_hosts("localhost", hosts)  # checks every name now, not in the first request
    return ServeConfig(Path(db_path), host, port, token, hosts, workers, read_only)


def run(config: ServeConfig) -> None:
    """Run the web UI with uvicorn until interrupted.

    ``config.workers`` processes share the port: rendering holds Python's GIL, so one process uses
    one core however many threads it has.
    """
    import uvicorn

    log.info("serving %s on http://%s:%d/ with %d worker process(es)", config.db_path, config.host, config.port,
             config.workers)
    if config.workers == 1:
        uvicorn.run(create_app(config.db_path, token=config.token, hosts=config.hosts, read_only=config.read_only),
                    host=config.host,
                    port=config.port, log_level="warning")
        return
    Database(config.db_path).close()  # builds the derived web tables once, before the workers start
    # worker processes are spawned: they read the store, the token and the Host names from their environment
    settings.hand_down("web_db", str(config.db_path.resolve()))
    settings.hand_down("allow_hosts", ",".join(config.hosts))
    if config.read_only:
        settings.hand_down("web_read_only", "1")
    if config.token:
        settings.hand_down("token", config.token)
        settings.hand_down("token_file", "")
    from uvicorn.supervisors import Multiprocess

    ucfg = uvicorn.Config("tracewire.web.server:app_from_env", factory=True, workers=config.workers, host=config.host,
                          port=config.port, log_level="warning")
    Multiprocess(ucfg, sockets=[tcp_socket(ucfg.bind_socket())]).run()


def serve(db_path: Path, host: str = "127.0.0.1", port: int = 8765, token: str | None = None,
          workers: int | None = None, allow_hosts: Iterable[str] = ()) -> None:
    """Check the configuration (``prepare``) and run the web UI with uvicorn (``run``)."""
    run(prepare(db_path, host, port, token, workers, allow_hosts))


def tcp_socket(sock: socket.socket) -> socket.socket:
    """The listening socket with its protocol set to TCP, so that asyncio turns Nagle off on its connections.

    uvicorn makes the shared socket of its worker processes with protocol 0, and asyncio only sets
    TCP_NODELAY on sockets whose protocol says TCP: without it a small response waits for the
    client's delayed ACK, about 40 ms.
    """
    if sock.family not in (socket.AF_INET, socket.AF_INET6) or sock.proto == socket.IPPROTO_TCP:
        return sock
    return socket.socket(sock.family, sock.type, socket.IPPROTO_TCP, fileno=sock.detach())
