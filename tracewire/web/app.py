"""The web UI and JSON API (Starlette): ``create_app`` builds the app and its routes; server.py runs it."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path
from typing import Any

import anyio
import anyio.to_thread
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from .. import settings
from ..claimreview import parse_claim_id
from ..errors import Code, UsageError
from ..export import csv_cell
from ..store import ClaimFilters, Store
from ..store.explore import CSV_COLUMNS as EXPLORE_COLUMNS
from ..store.explore import Explore, alias_groups
from ..store.readmodel import parse_page
from . import reviews, views, workbench
from .assets import world_geojson, world_script
from .cache import CACHE_BYTES, CACHE_ENTRIES, ResponseCache, cache_key
from .db import WORKER_THREADS, Database
from .security import SecurityMiddleware, allowed_hosts, check_token

CSV_COLUMNS = ("doc", "outlet", "date", "start", "end", "text", "checkworthy", "source", "source_kind", "cue",
               "hedged", "boosted")


def create_app(db_path: Path, token: str | None = None, cache_entries: int = CACHE_ENTRIES,
               cache_bytes: int = CACHE_BYTES, hosts: Iterable[str] = (), read_only: bool = False) -> Starlette:
    """The Starlette app over the store at ``db_path``; every request must carry ``token`` when set.

    Requests must name a loopback host or one of ``hosts`` in their Host header. Rendered
    responses are cached per app (``cache_entries`` = 0 turns the cache off). With ``read_only``
    the review form is shown read-only and POST /review answers 403.
    """
    if token is not None:
        check_token(token)
    allowed = allowed_hosts("localhost", hosts)
    db = Database(Path(db_path))
    cache = ResponseCache(cache_entries, cache_bytes)
    env = views.environment()
    links = views.Links()
    static_dir = resources.files("tracewire.web").joinpath("static")
    world = world_script(world_geojson())
    aliases = alias_groups(settings.packs())

    def page(request: Request, template: str, ctx: dict[str, Any], status: int = 200) -> HTMLResponse:
        """Render a template with the shared context."""
        html = env.get_template(template).render(links=links, static_mode=False, review_links=True, **ctx)
        return HTMLResponse(html, status_code=status)

    def error(request: Request, status: int, message: str) -> Response:
        """An error as JSON under /api, else as a page."""
        if request.url.path.startswith("/api"):
            return JSONResponse({"error": message, "status": status}, status_code=status)
        return page(request, "error.html", {"status": status, "message": message, "page": ""}, status)

    limiters: list[anyio.CapacityLimiter] = []

    def guarded(func: Callable[[Request, Store], Response],
                cached: bool = True) -> Callable[[Request], Awaitable[Response]]:
        """Run a handler with a read-only store in a worker thread; map lookups and bad values to 404 and 400.

        With ``cached``, a 200 answer is kept in the app's response cache and later requests for the
        same path and query get it (or 304) from the event loop without touching the database.
        """
        def run(request: Request) -> Response:
            """The handler's work, in a worker thread."""
            try:
                with db.read() as store:
                    return func(request, store)
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
    def overview_page(request: Request, store: Store) -> Response:
        """Corpus overview."""
        return page(request, "overview.html", views.overview_context(store))

    def documents_page(request: Request, store: Store) -> Response:
        """Documents, optionally of one outlet."""
        q = request.query_params
        result = store.documents_page(q.get("outlet"), parse_page(q.get("page")), q=q.get("q", ""),
                                      sort=q.get("sort") or "date", order=q.get("order") or None)
        return page(request, "documents.html", {"result": result, "groups": None, "page": "documents"})

    def article_page(request: Request, store: Store) -> Response:
        """One article with its layers."""
        return page(request, "article.html", workbench.article_context(store, request.path_params["doc_id"], links))

    def reuse_page(request: Request, store: Store) -> Response:
        """Reuse links list."""
        result = store.reuse_page(parse_page(request.query_params.get("page")))
        return page(request, "reuse.html", {"result": result, "page": "reuse"})

    def pair_page(request: Request, store: Store) -> Response:
        """Two documents side by side."""
        q = request.query_params
        if not q.get("source") or not q.get("target"):
            raise UsageError("Pass both ?source=ID&target=ID.", Code.TW002)
        return page(request, "pair.html", views.pair_context(store, q["source"], q["target"]))

    def claims_page(request: Request, store: Store) -> Response:
        """Faceted claims explorer."""
        view = Explore.from_params(request.query_params)
        return page(request, "claims.html", workbench.explore_context(store, view, aliases))

    def claims_csv(request: Request, store: Store) -> Response:
        """Exactly the claims of an explorer view as CSV (all columns), streamed from a private reader."""
        view = Explore.from_params(request.query_params)

        def rows() -> Iterator[dict[str, Any]]:
            """Claims rows; the reader closes when the response ends."""
            own = db.reader()
            try:
                yield from own.explore_rows(view, aliases)
            finally:
                own.close()

        return StreamingResponse(explore_csv_lines(rows()), media_type="text/csv; charset=utf-8",
                                 headers={"Content-Disposition": f'attachment; filename="{view.slug()}.csv"'})

    def api_explore(request: Request, store: Store) -> Response:
        """One explorer view as JSON: total, page of claims, facets with counts."""
        return JSONResponse(store.explore_view(Explore.from_params(request.query_params), aliases))

    def stories_page(request: Request, store: Store) -> Response:
        """Every story, searchable and filterable in the page."""
        return page(request, "stories.html", {"stories": workbench.story_rows(store), "page": "stories"})

    def story_page(request: Request, store: Store) -> Response:
        """One story: members by date, derivation tree, word diffs per pair."""
        story = store.story_view(request.path_params["story_id"])
        return page(request, "story.html", {"story": story, "tree": workbench.story_layout(story),
                                            "page": "stories"})

    def map_page(request: Request, store: Store) -> Response:
        """Places over the base map."""
        return page(request, "map.html", views.map_context(store, with_mentions=False))

    def api_page(request: Request, store: Store) -> Response:
        """API documentation."""
        return page(request, "api.html", {"endpoints": API_DOCS, "page": "api"})

    def world_js(request: Request) -> Response:
        """The shipped base map as a script, so the same code works from file:// in the report."""
        return Response(world, media_type="text/javascript; charset=utf-8",
                        headers={"Cache-Control": "max-age=3600"})

    # -- API --
    def api_overview(request: Request, store: Store) -> Response:
        """Overview as JSON."""
        return JSONResponse(store.overview())

    def api_documents(request: Request, store: Store) -> Response:
        """Documents page as JSON."""
        q = request.query_params
        return JSONResponse(store.documents_page(q.get("outlet"), parse_page(q.get("page")), q=q.get("q", ""),
                                                 sort=q.get("sort") or "date", order=q.get("order") or None))

    def api_document(request: Request, store: Store) -> Response:
        """One document with layers as JSON."""
        doc = store.document_view(request.path_params["doc_id"])
        doc.pop("doc_key", None)
        return JSONResponse(doc)

    def api_reuse(request: Request, store: Store) -> Response:
        """Reuse links as JSON."""
        return JSONResponse(store.reuse_page(parse_page(request.query_params.get("page"))))

    def api_pair(request: Request, store: Store) -> Response:
        """One reuse pair with both texts as JSON."""
        q = request.query_params
        if not q.get("source") or not q.get("target"):
            raise UsageError("Pass both ?source=ID&target=ID.", Code.TW002)
        link = store.reuse_pair(q["source"], q["target"])
        link.pop("reuse_key", None)
        return JSONResponse(link)

    def api_claims(request: Request, store: Store) -> Response:
        """Filtered claims as JSON."""
        return JSONResponse(store.claims_page(ClaimFilters.from_params(request.query_params)))

    def api_places(request: Request, store: Store) -> Response:
        """Map points as JSON."""
        return JSONResponse(store.map_points())

    def api_place_mentions(request: Request, store: Store) -> Response:
        """Mentions of one place as JSON."""
        q = request.query_params
        if not q.get("name"):
            raise UsageError("Pass ?name=PLACE (a name from /api/places).", Code.TW002)
        return JSONResponse(store.place_mentions(q["name"], parse_page(q.get("page"))))

    def api_stories(request: Request, store: Store) -> Response:
        """Stories (reuse clusters) as JSON."""
        return JSONResponse(store.stories_page(page=parse_page(request.query_params.get("page"))))

    def narratives_page(request: Request, store: Store) -> Response:
        """Narratives with their corroboration figures."""
        return page(request, "narratives.html", views.narratives_context(store))

    def narrative_page(request: Request, store: Store) -> Response:
        """One narrative: timeline by outlet, corroboration graph, members."""
        return page(request, "narrative.html", views.narrative_context(store, request.path_params["narrative"]))

    def contradictions_page(request: Request, store: Store) -> Response:
        """Contradicting figures, most telling first."""
        return page(request, "contradictions.html", views.contradictions_context(store))

    def factchecks_page(request: Request, store: Store) -> Response:
        """Every imported fact-check with the corpus claims that match it."""
        return page(request, "factchecks.html", views.factchecks_context(store))

    def review_form(request: Request, store: Store) -> Response:
        """The review form of one claim, with a fresh CSRF token (its cookie is set with the page)."""
        claim_id = request.query_params.get("claim", "")
        ctx = views.review_context(store, claim_id)
        csrf = reviews.new_token()
        response = page(request, "review.html", {**ctx, "csrf": csrf, "read_only": read_only},
                        403 if read_only else 200)
        if not read_only:
            reviews.set_cookie(response, csrf)
        return response

    async def review_post(request: Request) -> Response:
        """Record a review (form POST with the CSRF token of its form and cookie), then back to the form."""
        if read_only:
            return error(request, 403, "This server runs with --read-only: reviews cannot be recorded here.")
        body = await request.body()
        if len(body) > reviews.MAX_BODY:
            return error(request, 413, f"The review form sent {len(body):,} bytes; at most {reviews.MAX_BODY:,} are read.")
        fields = reviews.form_fields(body)
        problem = reviews.check_request(request, fields["csrf"])
        if problem:
            return error(request, 403, problem)

        def write() -> Response:
            """The review, written in a worker thread through a store of its own."""
            try:
                reviews.record(db.path, fields)
            except UsageError as e:
                return error(request, 400, str(e))
            return RedirectResponse(links.review(*parse_claim_id(fields["claim"])), status_code=303)
        return await anyio.to_thread.run_sync(write)

    routes = [
        Route("/narratives", guarded(narratives_page)),
        Route("/narratives/{narrative}", guarded(narrative_page)),
        Route("/contradictions", guarded(contradictions_page)),
        Route("/factchecks", guarded(factchecks_page)),
        Route("/review", guarded(review_form, cached=False), methods=["GET"]),
        Route("/review", review_post, methods=["POST"]),
        Route("/", guarded(overview_page)),
        Route("/documents", guarded(documents_page)),
        Route("/doc/{doc_id:path}", guarded(article_page)),
        Route("/reuse", guarded(reuse_page)),
        Route("/reuse/pair", guarded(pair_page)),
        Route("/claims", guarded(claims_page)),
        Route("/claims.csv", guarded(claims_csv, cached=False)),
        Route("/map", guarded(map_page)),
        Route("/stories", guarded(stories_page)),
        Route("/story/{story_id:path}", guarded(story_page)),
        Route("/api/explore", guarded(api_explore)),
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


def explore_csv_lines(rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    """Explorer rows as CSV text with every column, header first (hedges joined by "; ")."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(EXPLORE_COLUMNS)
    for row in rows:
        row = {**row, "source_kind": row["kind"], "hedges": "; ".join(row["hedges"])}
        writer.writerow([csv_cell(row[c]) for c in EXPLORE_COLUMNS])
        if buf.tell() > 65536:
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()
    yield buf.getvalue()


API_DOCS: list[dict[str, str]] = [
    {"path": "/api/overview", "params": "", "returns": "counts, outlets with sourcing shares, timeline bins, "
     "largest stories, most-asserted claims, top map points"},
    {"path": "/api/documents", "params": "outlet, q, sort (date, title, outlet, claims, id), order, page", "returns": "page of documents (id, title, outlet, date, "
     "n_claims), newest first; has_next"},
    {"path": "/api/documents/{id}", "params": "", "returns": "one document: metadata, text, claims with hedges, "
     "quantities, actors, places, techniques, reuse links with passages, stories"},
    {"path": "/api/reuse", "params": "page", "returns": "page of reuse links, most shared words first"},
    {"path": "/api/reuse/pair", "params": "source, target", "returns": "one reuse link with passages, target "
     "additions, source cuts, evidence and both documents"},
    {"path": "/api/claims", "params": "q (full text), kind, actor, place, hedged (yes|no), outlet, from, to "
     "(YYYY-MM-DD), page", "returns": "page of claims, most check-worthy first; has_next"},
    {"path": "/api/explore", "params": "q (claim text search), sq (source search), source, kind, channel, outlet, "
     "actor, place, technique, hedge, hedged (yes|no), from, to, sort (checkworthy|date|outlet|source|kind|channel|"
     "doc|title), order (asc|desc), page, size (25|50|100|200)", "returns": "total, pages, a page of claims and, "
     "per facet, values with counts (search syntax: words AND, OR, \"phrases\", prefix*)"},
    {"path": "/claims.csv", "params": "same as /api/explore (no page)", "returns": "every claim of that view as CSV "
     "with all columns; the file name carries the filter"},
    {"path": "/api/places", "params": "", "returns": "resolved places with coordinates, mentions and documents"},
    {"path": "/api/places/mentions", "params": "name, page", "returns": "mentions of one place with context"},
    {"path": "/api/stories", "params": "page", "returns": "stories (reuse clusters) with member trees"},
]
