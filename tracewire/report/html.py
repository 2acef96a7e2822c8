"""Static HTML report: the web UI's pages written as files with relative links, opening offline from disk."""

from __future__ import annotations

import logging
import sqlite3
from importlib import resources
from itertools import groupby
from pathlib import Path
from typing import Any

from ..errors import Code, UsageError
from ..store.sqlite import SQLiteStore
from ..web import data, views
from ..web.assets import world_geojson, world_script

log = logging.getLogger(__name__)


def build_report(db_path: Path, out_dir: Path) -> Path:
    """Write the report for the store at ``db_path`` into ``out_dir``; return the path of index.html."""
    db_path, out_dir = Path(db_path), Path(out_dir)
    if not db_path.exists():
        raise UsageError(f"No database at {db_path}. Run `tracewire ingest` first or pass --db.", Code.TW002)
    if out_dir.exists() and not out_dir.is_dir():
        raise UsageError(f"--out {out_dir} is a file. Pass a folder for the report.", Code.TW002)
    store = SQLiteStore(db_path)
    try:
        data.ensure_fresh(store.conn)
        return _write(store.conn, out_dir)
    finally:
        store.close()


def _write(conn: sqlite3.Connection, out: Path) -> Path:
    """Render every page into ``out`` and copy the static assets."""
    env = views.environment()
    links = views.ReportLinks()
    (out / "static").mkdir(parents=True, exist_ok=True)
    static = resources.files("tracewire.web").joinpath("static")
    for name in views.STATIC_FILES:
        (out / "static" / name).write_bytes(static.joinpath(name).read_bytes())
    (out / "static" / "world.js").write_text(world_script(world_geojson()), encoding="utf-8")

    def write(name: str, template: str, ctx: dict[str, Any]) -> None:
        """Render one page to a file."""
        html = env.get_template(template).render(links=links, static_mode=True, report_csp=views.REPORT_CSP, **ctx)
        (out / name).write_text(html, encoding="utf-8")

    write("index.html", "overview.html", views.overview_context(conn))
    rows = [dict(r) for r in conn.execute(
        "SELECT id, title, outlet, date, n_claims FROM web_docs ORDER BY coalesce(outlet, ''), date DESC, id")]
    groups = [(outlet or None, list(docs)) for outlet, docs in groupby(rows, key=lambda r: r["outlet"] or "")]
    write("documents.html", "documents.html", {"result": None, "groups": groups, "page": "documents"})
    n_docs = 0
    for doc_id in list(data.all_document_ids(conn)):
        write(links.doc(doc_id), "article.html", views.article_context(conn, doc_id, links))
        n_docs += 1
    reuse = data.reuse_links(conn, size=1_000_000)
    write("reuse.html", "reuse.html", {"result": reuse, "page": "reuse"})
    n_pairs = 0
    for source, target in list(data.all_reuse_pairs(conn)):
        try:
            ctx = views.pair_context(conn, source, target)
        except KeyError:
            log.warning("reuse pair %s -> %s names a document that is not in the store; skipped", source, target)
            continue
        write(links.pair(source, target), "pair.html", ctx)
        n_pairs += 1
    write("claims.html", "claims.html", views.claims_report_context(conn))
    map_ctx = views.map_context(conn, with_mentions=True)
    for mentions in map_ctx["map_data"]["mentions"].values():
        for m in mentions:
            m["href"] = links.doc(m["doc"])
    write("map.html", "map.html", map_ctx)
    log.info("report written to %s: %d documents, %d reuse pairs", out, n_docs, n_pairs)
    return out / "index.html"
