"""The web UI and JSON API (Starlette): ``create_app`` builds it, ``serve`` runs it with uvicorn."""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import ipaddress
import logging
import os
import queue
import re
import socket
import sqlite3
import threading
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import anyio
import anyio.to_thread
from starlette.applications import Starlette
from starlette.datastructures import MutableHeaders
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import (
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .. import settings
from ..errors import Code, UsageError
from ..store.sqlite import SQLiteStore
from . import data, views

log = logging.getLogger(__name__)

TOKEN_COOKIE = "tracewire_token"
TOKEN_MIN_CHARS = 16
TOKEN_FILE_MAX = 4096  # a token file holds one line; anything longer is the wrong file
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")
HOST_PATTERN = re.compile(r"[a-z0-9_]([a-z0-9_.-]*[a-z0-9_])?|\[[0-9a-f:.]+\]")
# Rendering holds the GIL: more threads only interleave requests and stretch every one of them.
WORKER_THREADS = 4
REFRESH_INTERVAL = 5.0  # seconds between background rebuilds of the derived web tables
CACHE_ENTRIES = 1024  # rendered responses kept per app (least recently used go first)
CACHE_BYTES = 64 * 1024 * 1024  # ... and at most this many body bytes in all
CACHE_KEY_MAX = 2048  # longer paths + query strings are answered but not cached
CSV_COLUMNS = ("doc", "outlet", "date", "start", "end", "text", "checkworthy", "source", "source_kind", "cue",
               "hedged", "boosted")
SECURITY_HEADERS = {
    "Content-Security-Policy": views.CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}


class Database:
    """A pool of read connections plus one writer that keeps the derived web tables fresh."""

    def __init__(self, path: Path, size: int = 8) -> None:
        if not path.exists():
            raise UsageError(f"No database at {path}. Run `tracewire ingest` first or pass --db.", Code.TW002)
        self.path = path
        SQLiteStore(path).close()  # applies migrations, including 004_web
        # the writer only rebuilds derived tables, from whichever worker thread notices a change (under lock)
        self.writer = sqlite3.connect(str(path), timeout=30.0, isolation_level=None, check_same_thread=False)
        self.writer.row_factory = sqlite3.Row
        self.writer.execute("PRAGMA foreign_keys=ON")
        self.lock = threading.Lock()
        self.dirty = False
        self.refreshing = False
        self.last_refresh = 0.0
        data.ensure_fresh(self.writer)
        self.pool: queue.LifoQueue[tuple[sqlite3.Connection, list[int]]] = queue.LifoQueue()
        for _ in range(size):
            conn = self.reader()
            self.pool.put((conn, [conn.execute("PRAGMA data_version").fetchone()[0]]))
        # the watcher answers "did anyone commit since I last asked?" for the response cache
        self.watcher = self.reader()
        self.watch_lock = threading.Lock()
        self.seen_version = self.watcher.execute("PRAGMA data_version").fetchone()[0]
        self.generation = 0

    def current_generation(self) -> int:
        """A number that changes whenever any connection committed to the store (a few microseconds).

        ``PRAGMA data_version`` changes on a connection when another connection commits, so the
        watcher sees analysis runs, ingests and this server's own refresh of the derived tables.
        A change also schedules a refresh of the derived tables.
        """
        with self.watch_lock:
            version = self.watcher.execute("PRAGMA data_version").fetchone()[0]
            if version != self.seen_version:
                self.seen_version = version
                self.generation += 1
                self.dirty = True
            changed = self.dirty
        if changed:
            self._schedule_refresh()
        return self.generation

    def reader(self) -> sqlite3.Connection:
        """A new read-only connection (the pool's, or a private one for a long CSV export)."""
        conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False, timeout=30.0)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA query_only=ON")
        conn.execute("PRAGMA cache_size=-16000")
        conn.execute("PRAGMA mmap_size=268435456")
        return conn

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """Borrow a read connection; when another writer changed the store, schedule a refresh."""
        conn, seen = self.pool.get()
        try:
            version = conn.execute("PRAGMA data_version").fetchone()[0]
            if version != seen[0]:
                seen[0] = version
                self.dirty = True
            if self.dirty:
                self._schedule_refresh()
            yield conn
        finally:
            self.pool.put((conn, seen))

    def _schedule_refresh(self) -> None:
        """Start a background refresh unless one runs or the last one ended under REFRESH_INTERVAL ago.

        Requests never wait for it: pages show the previous derived tables (WAL keeps them
        consistent) until the refresh commits, so an analysis run writing into the store does not
        stall the UI, and the interval keeps back-to-back refreshes from hogging the write lock.
        """
        with self.lock:
            if self.refreshing or time.monotonic() - self.last_refresh < REFRESH_INTERVAL:
                return
            self.refreshing = True
            self.dirty = False
        threading.Thread(target=self._refresh, name="tracewire-web-refresh", daemon=True).start()

    def _refresh(self) -> None:
        """Rebuild the derived tables if the store changed (runs in its own thread)."""
        try:
            data.ensure_fresh(self.writer)
        except sqlite3.Error:
            log.exception("refreshing the web tables failed; pages keep the previous ones")
        finally:
            with self.lock:
                self.refreshing = False
                self.last_refresh = time.monotonic()

    def close(self) -> None:
        """Close every connection (after a running refresh ends)."""
        deadline = time.monotonic() + 60
        while self.refreshing and time.monotonic() < deadline:
            time.sleep(0.05)
        while not self.pool.empty():
            self.pool.get()[0].close()
        with self.watch_lock:
            self.watcher.close()
        self.writer.close()


@dataclass(frozen=True, slots=True)
class Cached:
    """A rendered response kept by the cache: status, content type, body and its ETag."""

    status: int
    media_type: str
    body: bytes
    etag: str

    def response(self, request: Request) -> Response:
        """The stored response, or 304 Not Modified when the client already holds this ETag."""
        headers = {"ETag": self.etag, "Cache-Control": "no-cache"}
        if self.etag in parse_etags(request.headers.get("if-none-match", "")):
            return Response(status_code=304, headers=headers)
        return Response(self.body, status_code=self.status, headers=headers, media_type=self.media_type)


def parse_etags(header: str) -> set[str]:
    """The entity tags of an If-None-Match header (weak tags compare by their opaque part)."""
    tags = set()
    for part in header.split(","):
        tag = part.strip()
        if tag.startswith("W/"):
            tag = tag[2:]
        if tag:
            tags.add(tag)
    return tags


class ResponseCache:
    """Rendered GET responses by path and query string, least recently used first out.

    Pages are pure functions of the store, so an entry stays valid until the store changes: every
    entry belongs to one store generation (see ``Database.current_generation``) and a new
    generation empties the cache. Bounded by entry count and body bytes. It sits behind the
    security middleware, so a cached page is only ever served after the token check.
    """

    def __init__(self, max_entries: int = CACHE_ENTRIES, max_bytes: int = CACHE_BYTES) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.entries: OrderedDict[str, Cached] = OrderedDict()
        self.size = 0
        self.generation = -1
        self.hits = 0
        self.misses = 0
        self.lock = threading.Lock()

    def get(self, key: str, generation: int) -> Cached | None:
        """The entry for ``key`` made in this store generation, or None."""
        with self.lock:
            self._advance(generation)
            found = self.entries.get(key) if generation == self.generation else None
            if found is None:
                self.misses += 1
                return None
            self.entries.move_to_end(key)
            self.hits += 1
            return found

    def _advance(self, generation: int) -> None:
        """Empty the cache when a newer store generation shows up (callers hold the lock)."""
        if generation > self.generation:
            self.entries.clear()
            self.size = 0
            self.generation = generation

    def put(self, key: str, generation: int, response: Response) -> Cached:
        """Keep a rendered response made in ``generation`` (dropped when the store changed meanwhile)."""
        body = bytes(response.body)
        etag = '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'
        entry = Cached(response.status_code, response.headers.get("content-type", response.media_type or ""),
                       body, etag)
        if len(body) > self.max_bytes // 8:
            return entry
        with self.lock:
            self._advance(generation)
            if generation != self.generation:  # rendered from a store that has changed since
                return entry
            old = self.entries.pop(key, None)
            if old is not None:
                self.size -= len(old.body)
            self.entries[key] = entry
            self.size += len(body)
            while self.entries and (len(self.entries) > self.max_entries or self.size > self.max_bytes):
                _, dropped = self.entries.popitem(last=False)
                self.size -= len(dropped.body)
        return entry


def cache_key(request: Request) -> str | None:
    """The cache key of a request (path and raw query string), or None when it is too long to keep."""
    query = request.scope.get("query_string", b"").decode("latin-1")
    key = request.scope["path"] + ("?" + query if query else "")
    return key if len(key) <= CACHE_KEY_MAX else None


def is_loopback(host: str) -> bool:
    """True for localhost and loopback addresses (127.0.0.0/8, ::1)."""
    if host.lower().rstrip(".") == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def host_name(value: str) -> str:
    """A host as the Host header names it: lower case, no port, no trailing dot, IPv6 in brackets."""
    value = value.strip().lower()
    if value.startswith("["):
        end = value.find("]")
        return value[:end + 1] if end > 0 else value
    if value.count(":") > 1:  # a bare IPv6 address, as --host takes it
        return f"[{value}]"
    return value.split(":", 1)[0].rstrip(".")


def allowed_hosts(host: str = "127.0.0.1", extra: Iterable[str] = ()) -> frozenset[str]:
    """The Host names the server answers to: the loopback names, ``host`` (its --host) and ``extra`` (--allow-host).

    A browser sends the name from its address bar, so a page on a name an attacker controls that
    re-resolves to 127.0.0.1 (DNS rebinding) arrives with that name and is refused.
    """
    names = set(LOOPBACK_NAMES)
    for value in (host, *extra):
        name = host_name(value)
        if not HOST_PATTERN.fullmatch(name) or any(c in value for c in "/\\@?#*"):
            raise UsageError(f"{value!r} (from --host or --allow-host) is not a host name. Pass the name as the "
                             "browser's address bar shows it, without scheme or path, e.g. --allow-host tracewire.lan.",
                             Code.TW002)
        names.add(name)
    return frozenset(names)


def host_allowed(header: str | None, allowed: frozenset[str]) -> bool:
    """True when a request's Host header names an allowed host or a loopback address."""
    if not header:
        return False
    name = host_name(header)
    if name in allowed:
        return True
    try:  # an address literal cannot be rebound by DNS
        return ipaddress.ip_address(name.strip("[]")).is_loopback
    except ValueError:
        return False


def check_token(token: str, source: str = "the token") -> str:
    """``token`` when it is strong enough to guard the server, else a UsageError that says how to make one."""
    problem = ""
    if len(token) < TOKEN_MIN_CHARS:
        problem = f"is {len(token)} characters long"
    elif any(c.isspace() or not c.isprintable() for c in token):
        problem = "contains whitespace or control characters"
    if problem:
        raise UsageError(
            f"{source} {problem}; a server token needs at least {TOKEN_MIN_CHARS} characters and no whitespace. "
            "Make one with `python -c \"import secrets; print(secrets.token_urlsafe(24))\"` and put it in "
            "$TRACEWIRE_TOKEN or in a file named by --token-file.", Code.TW002)
    return token


def read_token(token: str | None = None, token_file: Path | None = None) -> str | None:
    """The server token: ``token``, else the first line of ``token_file``, else $TRACEWIRE_TOKEN_FILE's, else $TRACEWIRE_TOKEN.

    None when none is set. Whatever is found must pass ``check_token``.
    """
    if token is not None and token_file is not None:
        raise UsageError("Pass --token or --token-file, not both. Prefer --token-file (or $TRACEWIRE_TOKEN): "
                         "--token is visible to every user of this machine in the process list.", Code.TW002)
    if token is not None:
        return check_token(token, "--token")
    path = token_file or (Path(settings.get("token_file")) if settings.get("token_file") else None)
    if path is not None:
        source = "--token-file" if token_file is not None else "$TRACEWIRE_TOKEN_FILE"
        try:
            with open(path, encoding="utf-8") as f:
                text = f.read(TOKEN_FILE_MAX + 1)
        except (OSError, UnicodeDecodeError) as e:
            raise UsageError(f"Cannot read the token from {source} {str(path)!r}: {e}. Write the token into that "
                             "file (one line, readable by you alone: chmod 600).", Code.TW002) from e
        if len(text) > TOKEN_FILE_MAX:
            raise UsageError(f"{source} {str(path)!r} holds more than {TOKEN_FILE_MAX} characters; it should hold "
                             "the token alone, on one line.", Code.TW002)
        return check_token(text.strip("\r\n"), f"the token in {source} {str(path)!r}")
    from_env = settings.get("token")
    return check_token(from_env, "$TRACEWIRE_TOKEN") if from_env else None


def local_location(location: str) -> str:
    """A redirect target made site-relative: path and query only, one leading slash (``//host`` goes nowhere)."""
    location = "".join(c for c in location if c.isprintable() and not c.isspace())
    if location[:1] in ("/", "\\"):  # a path: "//evil.example/" is the path /evil.example/ of this site
        location = "/" + location.lstrip("/\\")
    parts = urlsplit(location)
    path = "/" + parts.path.lstrip("/\\")
    return path + ("?" + parts.query if parts.query else "")


def create_app(db_path: Path, token: str | None = None, cache_entries: int = CACHE_ENTRIES,
               cache_bytes: int = CACHE_BYTES, hosts: Iterable[str] = ()) -> Starlette:
    """The Starlette app over the store at ``db_path``; every request must carry ``token`` when set.

    Requests must name a loopback host or one of ``hosts`` in their Host header. Rendered
    responses are cached per app (``cache_entries`` = 0 turns the cache off).
    """
    if token is not None:
        check_token(token)
    allowed = allowed_hosts("localhost", hosts)
    db = Database(Path(db_path))
    cache = ResponseCache(cache_entries, cache_bytes)
    env = views.environment()
    links = views.Links()
    static_dir = resources.files("tracewire.web").joinpath("static")
    world_geojson = static_dir.joinpath("world.geo.json").read_text(encoding="utf-8")

    def page(request: Request, template: str, ctx: dict[str, Any], status: int = 200) -> HTMLResponse:
        """Render a template with the shared context."""
        html = env.get_template(template).render(links=links, static_mode=False, **ctx)
        return HTMLResponse(html, status_code=status)

    def error(request: Request, status: int, message: str) -> Response:
        """An error as JSON under /api, else as a page."""
        if request.url.path.startswith("/api"):
            return JSONResponse({"error": message, "status": status}, status_code=status)
        return page(request, "error.html", {"status": status, "message": message, "page": ""}, status)

    limiters: list[anyio.CapacityLimiter] = []

    def guarded(func: Callable[[Request, sqlite3.Connection], Response],
                cached: bool = True) -> Callable[[Request], Awaitable[Response]]:
        """Run a handler with a read connection in a worker thread; map lookups and bad values to 404 and 400.

        With ``cached``, a 200 answer is kept in the app's response cache and later requests for the
        same path and query get it (or 304) from the event loop without touching the database.
        """
        def run(request: Request) -> Response:
            """The handler's work, in a worker thread."""
            try:
                with db.read() as conn:
                    return func(request, conn)
            except KeyError as e:
                return error(request, 404, f"Not found: {e.args[0] if e.args else request.url.path}")
            except UsageError as e:
                return error(request, 400, str(e))

        async def handler(request: Request) -> Response:
            """Route entry point: the cache answers when it can, else a few worker threads in arrival order."""
            key = cache_key(request) if cached and cache.max_entries > 0 else None
            generation = db.current_generation() if key is not None else 0
            if key is not None:
                hit = cache.get(key, generation)
                if hit is not None:
                    return hit.response(request)
            if not limiters:  # made on first use: a limiter belongs to the running event loop
                limiters.append(anyio.CapacityLimiter(WORKER_THREADS))
            response = await anyio.to_thread.run_sync(run, request, limiter=limiters[0])
            if key is None or response.status_code != 200 or isinstance(response, StreamingResponse):
                return response
            return cache.put(key, generation, response).response(request)
        return handler

    # -- pages --
    def overview_page(request: Request, conn: sqlite3.Connection) -> Response:
        """Corpus overview."""
        return page(request, "overview.html", views.overview_context(conn))

    def documents_page(request: Request, conn: sqlite3.Connection) -> Response:
        """Documents, optionally of one outlet."""
        outlet = request.query_params.get("outlet")
        result = data.documents(conn, outlet, data.parse_page(request.query_params.get("page")))
        return page(request, "documents.html", {"result": result, "groups": None, "page": "documents"})

    def article_page(request: Request, conn: sqlite3.Connection) -> Response:
        """One article with its layers."""
        return page(request, "article.html", views.article_context(conn, request.path_params["doc_id"], links))

    def reuse_page(request: Request, conn: sqlite3.Connection) -> Response:
        """Reuse links list."""
        result = data.reuse_links(conn, data.parse_page(request.query_params.get("page")))
        return page(request, "reuse.html", {"result": result, "page": "reuse"})

    def pair_page(request: Request, conn: sqlite3.Connection) -> Response:
        """Two documents side by side."""
        q = request.query_params
        if not q.get("source") or not q.get("target"):
            raise UsageError("Pass both ?source=ID&target=ID.", Code.TW002)
        return page(request, "pair.html", views.pair_context(conn, q["source"], q["target"]))

    def claims_page(request: Request, conn: sqlite3.Connection) -> Response:
        """Claims explorer."""
        f = data.ClaimFilters.from_params(request.query_params)
        return page(request, "claims.html", views.claims_context(conn, f))

    def claims_csv(request: Request, conn: sqlite3.Connection) -> Response:
        """Every filtered claim as CSV, streamed from a private connection (the export can be large)."""
        f = data.ClaimFilters.from_params(request.query_params)

        def rows() -> Iterator[dict[str, Any]]:
            """Claims rows; the connection closes when the response ends."""
            own = db.reader()
            try:
                yield from data.iter_claims(own, f)
            finally:
                own.close()

        return StreamingResponse(csv_lines(rows()), media_type="text/csv; charset=utf-8",
                                 headers={"Content-Disposition": 'attachment; filename="claims.csv"'})

    def map_page(request: Request, conn: sqlite3.Connection) -> Response:
        """Places over the base map."""
        return page(request, "map.html", views.map_context(conn, with_mentions=False))

    def api_page(request: Request, conn: sqlite3.Connection) -> Response:
        """API documentation."""
        return page(request, "api.html", {"endpoints": API_DOCS, "page": "api"})

    def world_js(request: Request) -> Response:
        """The shipped base map as a script, so the same code works from file:// in the report."""
        return Response(world_script(world_geojson), media_type="text/javascript; charset=utf-8",
                        headers={"Cache-Control": "max-age=3600"})

    # -- API --
    def api_overview(request: Request, conn: sqlite3.Connection) -> Response:
        """Overview as JSON."""
        return JSONResponse(data.overview(conn))

    def api_documents(request: Request, conn: sqlite3.Connection) -> Response:
        """Documents page as JSON."""
        q = request.query_params
        return JSONResponse(data.documents(conn, q.get("outlet"), data.parse_page(q.get("page"))))

    def api_document(request: Request, conn: sqlite3.Connection) -> Response:
        """One document with layers as JSON."""
        doc = data.document(conn, request.path_params["doc_id"])
        doc.pop("doc_key", None)
        return JSONResponse(doc)

    def api_reuse(request: Request, conn: sqlite3.Connection) -> Response:
        """Reuse links as JSON."""
        return JSONResponse(data.reuse_links(conn, data.parse_page(request.query_params.get("page"))))

    def api_pair(request: Request, conn: sqlite3.Connection) -> Response:
        """One reuse pair with both texts as JSON."""
        q = request.query_params
        if not q.get("source") or not q.get("target"):
            raise UsageError("Pass both ?source=ID&target=ID.", Code.TW002)
        link = data.reuse_pair(conn, q["source"], q["target"])
        link.pop("reuse_key", None)
        return JSONResponse(link)

    def api_claims(request: Request, conn: sqlite3.Connection) -> Response:
        """Filtered claims as JSON."""
        return JSONResponse(data.claims(conn, data.ClaimFilters.from_params(request.query_params)))

    def api_places(request: Request, conn: sqlite3.Connection) -> Response:
        """Map points as JSON."""
        return JSONResponse(data.map_points(conn))

    def api_place_mentions(request: Request, conn: sqlite3.Connection) -> Response:
        """Mentions of one place as JSON."""
        q = request.query_params
        if not q.get("name"):
            raise UsageError("Pass ?name=PLACE (a name from /api/places).", Code.TW002)
        return JSONResponse(data.place_mentions(conn, q["name"], data.parse_page(q.get("page"))))

    def api_stories(request: Request, conn: sqlite3.Connection) -> Response:
        """Stories (reuse clusters) as JSON."""
        return JSONResponse(data.stories(conn, page=data.parse_page(request.query_params.get("page"))))

    routes = [
        Route("/", guarded(overview_page)),
        Route("/documents", guarded(documents_page)),
        Route("/doc/{doc_id:path}", guarded(article_page)),
        Route("/reuse", guarded(reuse_page)),
        Route("/reuse/pair", guarded(pair_page)),
        Route("/claims", guarded(claims_page)),
        Route("/claims.csv", guarded(claims_csv, cached=False)),
        Route("/map", guarded(map_page)),
        Route("/api", guarded(api_page)),
        Route("/api/overview", guarded(api_overview)),
        Route("/api/documents", guarded(api_documents)),
        Route("/api/documents/{doc_id:path}", guarded(api_document)),
        Route("/api/reuse", guarded(api_reuse)),
        Route("/api/reuse/pair", guarded(api_pair)),
        Route("/api/claims", guarded(api_claims)),
        Route("/api/places", guarded(api_places)),
        Route("/api/places/mentions", guarded(api_place_mentions)),
        Route("/api/stories", guarded(api_stories)),
        Route("/static/world.js", world_js),
        Mount("/static", app=StaticFiles(directory=str(static_dir)), name="static"),
    ]

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        """Close the database when the server stops."""
        yield
        db.close()

    app = Starlette(routes=routes, lifespan=lifespan,
                    middleware=[Middleware(SecurityMiddleware, token=token, hosts=allowed)])
    app.state.db = db
    app.state.cache = cache
    return app


class SecurityMiddleware:
    """Checks the Host header and the token on every HTTP request; adds the security headers, keeps redirects on-site."""

    def __init__(self, app: ASGIApp, token: str | None, hosts: frozenset[str] = frozenset(LOOPBACK_NAMES)) -> None:
        self.app = app
        self.token = token
        self.hosts = hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """ASGI entry point."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            """Add the security headers to the response start and make any redirect site-relative."""
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for k, v in SECURITY_HEADERS.items():
                    headers[k] = v
                if "location" in headers:
                    headers["location"] = local_location(headers["location"])
            await send(message)

        request = Request(scope)
        host = request.headers.get("host")
        if not host_allowed(host, self.hosts):
            shown = ascii(host[:100]) if host else "none"
            response: Response = PlainTextResponse(
                f"400: this tracewire server answers to {', '.join(sorted(self.hosts))} and loopback addresses; "
                f"this request named the host {shown}. If you opened it under that name on purpose, restart "
                f"the server with --allow-host NAME (or $TRACEWIRE_ALLOW_HOSTS).", status_code=400)
            await response(scope, receive, send_with_headers)
            return
        if self.token is not None:
            given = token_from(request)
            if given is None or not hmac.compare_digest(given.encode("utf-8"), self.token.encode("utf-8")):
                response = PlainTextResponse(
                    "401: this tracewire server needs its token: open it once with ?token=TOKEN, "
                    "or send the header 'Authorization: Bearer TOKEN'.", status_code=401)
                await response(scope, receive, send_with_headers)
                return
            if "token" in request.query_params:
                rest = [(k, v) for k, v in request.query_params.multi_items() if k != "token"]
                raw_path = scope.get("raw_path")
                target = raw_path.decode("latin-1") if raw_path else quote(scope["path"], safe="/:@!$&'()*+,;=~")
                response = RedirectResponse(local_location(target + (f"?{urlencode(rest)}" if rest else "")), 303)
                response.set_cookie(TOKEN_COOKIE, self.token, httponly=True, samesite="strict")
                await response(scope, receive, send_with_headers)
                return
        await self.app(scope, receive, send_with_headers)


def token_from(request: Request) -> str | None:
    """The token a request carries: bearer header, query parameter or cookie."""
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    return request.query_params.get("token") or request.cookies.get(TOKEN_COOKIE)


def world_script(geojson: str) -> str:
    """Wrap the base map GeoJSON in a script that assigns it to ``window.TW_WORLD``."""
    return "window.TW_WORLD = " + geojson.strip() + ";\n"


def csv_cell(value: Any) -> Any:
    """Neutralise spreadsheet formulas in text cells (a leading = + - @ becomes literal)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def csv_lines(rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    """Claims rows as CSV text, header first."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow([csv_cell(row[c]) for c in CSV_COLUMNS])
        if buf.tell() > 65536:
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()
    yield buf.getvalue()


API_DOCS: list[dict[str, str]] = [
    {"path": "/api/overview", "params": "", "returns": "counts, outlets with sourcing shares, timeline bins, "
     "largest stories, most-asserted claims, top map points"},
    {"path": "/api/documents", "params": "outlet, page", "returns": "page of documents (id, title, outlet, date, "
     "n_claims), newest first; has_next"},
    {"path": "/api/documents/{id}", "params": "", "returns": "one document: metadata, text, claims with hedges, "
     "quantities, actors, places, techniques, reuse links with passages, stories"},
    {"path": "/api/reuse", "params": "page", "returns": "page of reuse links, most shared words first"},
    {"path": "/api/reuse/pair", "params": "source, target", "returns": "one reuse link with passages, target "
     "additions, source cuts, evidence and both documents"},
    {"path": "/api/claims", "params": "q (full text), kind, actor, place, hedged (yes|no), outlet, from, to "
     "(YYYY-MM-DD), page", "returns": "page of claims, most check-worthy first; has_next"},
    {"path": "/claims.csv", "params": "same as /api/claims (no page)", "returns": "every filtered claim as CSV"},
    {"path": "/api/places", "params": "", "returns": "resolved places with coordinates, mentions and documents"},
    {"path": "/api/places/mentions", "params": "name, page", "returns": "mentions of one place with context"},
    {"path": "/api/stories", "params": "page", "returns": "stories (reuse clusters) with member trees"},
]


DB_ENV = "TRACEWIRE_WEB_DB"  # how `serve` hands the store to uvicorn's worker processes (settings: web_db)


@dataclass(frozen=True, slots=True)
class ServeConfig:
    """A checked `serve` configuration: the store, where to listen, the token, the Host names and the processes."""

    db_path: Path
    host: str
    port: int
    token: str | None
    hosts: tuple[str, ...]
    workers: int

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
    return create_app(Path(db), token=read_token(), hosts=extra_hosts())


def prepare(db_path: Path, host: str = "127.0.0.1", port: int = 8765, token: str | None = None,
            workers: int | None = None, allow_hosts: Iterable[str] = ()) -> ServeConfig:
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
    return ServeConfig(Path(db_path), host, port, token, hosts, workers)


def run(config: ServeConfig) -> None:
    """Run the web UI with uvicorn until interrupted.

    ``config.workers`` processes share the port: rendering holds Python's GIL, so one process uses
    one core however many threads it has.
    """
    import uvicorn

    log.info("serving %s on http://%s:%d/ with %d worker process(es)", config.db_path, config.host, config.port,
             config.workers)
    if config.workers == 1:
        uvicorn.run(create_app(config.db_path, token=config.token, hosts=config.hosts), host=config.host,
                    port=config.port, log_level="warning")
        return
    Database(config.db_path).close()  # builds the derived web tables once, before the workers start
    # worker processes are spawned: they read the store, the token and the Host names from their environment
    settings.hand_down("web_db", str(config.db_path.resolve()))
    settings.hand_down("allow_hosts", ",".join(config.hosts))
    if config.token:
        settings.hand_down("token", config.token)
        settings.hand_down("token_file", "")
    from uvicorn.supervisors import Multiprocess

    ucfg = uvicorn.Config("tracewire.web.app:app_from_env", factory=True, workers=config.workers, host=config.host,
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
