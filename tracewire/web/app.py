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
from urllib.parse import urlencode

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

from ..errors import Code, UsageError
from ..export import csv_cell
from ..store.sqlite import SQLiteStore
from . import data, views

log = logging.getLogger(__name__)

TOKEN_COOKIE = "tracewire_token"
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
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def create_app(db_path: Path, token: str | None = None, cache_entries: int = CACHE_ENTRIES,
               cache_bytes: int = CACHE_BYTES) -> Starlette:
    """The Starlette app over the store at ``db_path``; every request must carry ``token`` when set.

    Rendered responses are cached per app (``cache_entries`` = 0 turns the cache off).
    """
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
                    middleware=[Middleware(SecurityMiddleware, token=token)])
    app.state.db = db
    app.state.cache = cache
    return app


class SecurityMiddleware:
    """Checks the token on every HTTP request and adds the security headers to every response."""

    def __init__(self, app: ASGIApp, token: str | None) -> None:
        self.app = app
        self.token = token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """ASGI entry point."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            """Add the security headers to the response start."""
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for k, v in SECURITY_HEADERS.items():
                    headers[k] = v
            await send(message)

        if self.token is not None:
            request = Request(scope)
            given = token_from(request)
            if given is None or not hmac.compare_digest(given.encode("utf-8"), self.token.encode("utf-8")):
                response: Response = PlainTextResponse(
                    "401: this tracewire server needs its token: open it once with ?token=TOKEN, "
                    "or send the header 'Authorization: Bearer TOKEN'.", status_code=401)
                await response(scope, receive, send_with_headers)
                return
            if "token" in request.query_params:
                rest = [(k, v) for k, v in request.query_params.multi_items() if k != "token"]
                response = RedirectResponse(request.url.path + (f"?{urlencode(rest)}" if rest else ""), 303)
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


DB_ENV = "TRACEWIRE_WEB_DB"  # how `serve` hands the store to uvicorn's worker processes


def default_workers() -> int:
    """Worker processes for `tracewire serve`: one per core, at most 4."""
    return max(1, min(4, os.cpu_count() or 1))


def app_from_env() -> Starlette:
    """The app for one of uvicorn's worker processes: store from $TRACEWIRE_WEB_DB, token from $TRACEWIRE_TOKEN."""
    db = os.environ.get(DB_ENV)
    if not db:
        raise UsageError(f"${DB_ENV} is not set. Start the server with `tracewire serve --db PATH`.", Code.TW002)
    return create_app(Path(db), token=os.environ.get("TRACEWIRE_TOKEN") or None)


def serve(db_path: Path, host: str = "127.0.0.1", port: int = 8765, token: str | None = None,
          workers: int | None = None) -> None:
    """Run the web UI with uvicorn; a non-loopback ``host`` needs a token (argument or $TRACEWIRE_TOKEN).

    ``workers`` processes (default: one per core, at most 4) share the port: rendering holds
    Python's GIL, so one process uses one core however many threads it has.
    """
    token = token or os.environ.get("TRACEWIRE_TOKEN") or None
    if not is_loopback(host) and not token:
        raise UsageError(
            f"Refusing to serve on {host!r} without a token: anyone who can reach that address could read the "
            "corpus. Pass --token TOKEN (or set $TRACEWIRE_TOKEN), or bind --host 127.0.0.1.", Code.TW002)
    if not 0 < port < 65536:
        raise UsageError(f"--port {port} is not a TCP port. Use 1-65535, e.g. 8765.", Code.TW002)
    workers = default_workers() if workers is None else workers
    if not 1 <= workers <= 64:
        raise UsageError(f"--workers {workers} is out of range. Use 1 to 64, e.g. {default_workers()}.", Code.TW002)
    import uvicorn

    log.info("serving %s on http://%s:%d/ with %d worker process(es)", db_path, host, port, workers)
    if workers == 1:
        uvicorn.run(create_app(Path(db_path), token=token), host=host, port=port, log_level="warning")
        return
    Database(Path(db_path)).close()  # builds the derived web tables once, before the workers start
    # worker processes are spawned: they get the store and the token through their environment
    os.environ[DB_ENV] = str(Path(db_path).resolve())
    if token:
        os.environ["TRACEWIRE_TOKEN"] = token
    from uvicorn.supervisors import Multiprocess

    config = uvicorn.Config("tracewire.web.app:app_from_env", factory=True, workers=workers, host=host, port=port,
                            log_level="warning")
    Multiprocess(config, sockets=[tcp_socket(config.bind_socket())]).run()


def tcp_socket(sock: socket.socket) -> socket.socket:
    """The listening socket with its protocol set to TCP, so that asyncio turns Nagle off on its connections.

    uvicorn makes the shared socket of its worker processes with protocol 0, and asyncio only sets
    TCP_NODELAY on sockets whose protocol says TCP: without it a small response waits for the
    client's delayed ACK, about 40 ms.
    """
    if sock.family not in (socket.AF_INET, socket.AF_INET6) or sock.proto == socket.IPPROTO_TCP:
        return sock
    return socket.socket(sock.family, sock.type, socket.IPPROTO_TCP, fileno=sock.detach())
