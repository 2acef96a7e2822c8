"""Static HTML report: the web UI's pages written as files with relative links, opening offline from disk."""

from __future__ import annotations

import json
import logging
from importlib import resources
from itertools import groupby
from pathlib import Path
from typing import Any

from .. import settings
from ..errors import Code, UsageError
from ..store import Store, open_store
from ..store.explore import VARIANTS, alias_groups
from ..web import views, workbench
from ..web.assets import world_geojson, world_script

log = logging.getLogger(__name__)


def build_report(db_path: Path, out_dir: Path) -> Path:
    """Write the report for the store at ``db_path`` into ``out_dir``; return the path of index.html."""
    db_path, out_dir = Path(db_path), Path(out_dir)
    if not db_path.exists():
        raise UsageError(f"No database at {db_path}. Run `tracewire ingest` first or pass --db.", Code.TW002)
    if out_dir.exists() and not out_dir.is_dir():
        raise UsageError(f"--out {out_dir} is a file. Pass a folder for the report.", Code.TW002)
    store = open_store(db_path)
    try:
        store.ensure_web_tables()
        return _write(store, out_dir)
    finally:
        store.close()


def _write(store: Store, out: Path) -> Path:
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

    write("index.html", "overview.html", views.overview_context(store))
    rows = store.documents_by_outlet()
    groups = [(outlet or None, list(docs)) for outlet, docs in groupby(rows, key=lambda r: r["outlet"] or "")]
    write("documents.html", "documents.html", {"result": None, "groups": groups, "page": "documents"})
    n_docs = 0
    for doc_id in list(store.document_ids()):
        write(links.doc(doc_id), "article.html", workbench.article_context(store, doc_id, links))
        n_docs += 1
    reuse = store.reuse_page(size=1_000_000)
    write("reuse.html", "reuse.html", {"result": reuse, "page": "reuse"})
    n_pairs = 0
    for source, target in list(store.reuse_pairs()):
        try:
            ctx = views.pair_context(store, source, target)
        except KeyError:
            log.warning("reuse pair %s -> %s names a document that is not in the store; skipped", source, target)
            continue
        write(links.pair(source, target), "pair.html", ctx)
        n_pairs += 1
    write("claims.html", "claims.html", workbench.report_claims_context())
    n_claims = write_claims_data(store, out, links)
    stories = workbench.story_rows(store)
    write("stories.html", "stories.html", {"stories": stories, "page": "stories"})
    for st in stories:
        story = store.story_view(st["story_id"])
        write(links.story(st["story_id"]), "story.html",
              {"story": story, "tree": workbench.story_layout(story), "page": "stories"})
    map_ctx = views.map_context(store, with_mentions=True)
    for mentions in map_ctx["map_data"]["mentions"].values():
        for m in mentions:
            m["href"] = links.doc(m["doc"])
    write("map.html", "map.html", map_ctx)
    write("narratives.html", "narratives.html", views.narratives_context(store))
    for item in store.narratives_page()["items"]:
        nid = item["narrative"]["narrative"]
        write(links.narrative(nid), "narrative.html", views.narrative_context(store, nid))
    write("contradictions.html", "contradictions.html", views.contradictions_context(store))
    log.info("report written to %s: %d documents, %d reuse pairs, %d claims", out, n_docs, n_pairs, n_claims)
    return out / "index.html"


ROW_SHARD = 200  # claims per display shard of the report's explorer (a page of results loads few bytes)
INDEX_PACK = 256_000  # bytes per index file: few files to load, none whose parse is a long task


def _json_literal(value: Any) -> str:
    """``JSON.parse("…")`` of a value: V8 parses a JSON string faster than the same object literal."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return "JSON.parse(" + json.dumps(text, ensure_ascii=False).replace("</", "<\\/") + ")"


def _script(call: str, *args: Any) -> str:
    """A script that calls ``call`` with JSON arguments (scripts load from file://, JSON files do not)."""
    return f"{call}({','.join(_json_literal(a) for a in args)});\n"


def index_shard(term: str) -> str:
    """The index file of a term: hex code points of its first two characters (explore.js computes the same)."""
    return "-".join(format(ord(ch), "x") for ch in term[:2])


def write_claims_data(store: Store, out: Path, links: views.ReportLinks) -> int:
    """Every claim for the report's explorer: facet columns, display shards and the search index shards."""
    data = store.explore_report()
    rows = data.pop("rows")
    postings = data.pop("postings")
    for old in out.glob("claims-*.js"):
        old.unlink()
    for n in range(0, max(1, -(-len(rows) // ROW_SHARD))):
        chunk = rows[n * ROW_SHARD:(n + 1) * ROW_SHARD]
        (out / f"claims-rows-{n}.js").write_text(_script("TW_ROWS", n, chunk), encoding="utf-8")
    idx: dict[str, dict[str, int]] = {}  # per index, shard -> the file (pack) that holds it
    for name, index in postings.items():
        shards: dict[str, dict[str, list[int]]] = {}
        for term, flat in index.items():
            shards.setdefault(index_shard(term), {})[term] = flat
        idx[name] = {}
        pack: list[str] = []
        n_pack = 0
        for k, shard in enumerate(sorted(shards)):
            pack.append(_script("TW_POSTINGS", name, shard, shards[shard]))
            idx[name][shard] = n_pack
            if sum(map(len, pack)) >= INDEX_PACK or k == len(shards) - 1:
                (out / f"claims-idx-{name}-{n_pack}.js").write_text("".join(pack), encoding="utf-8")
                pack = []
                n_pack += 1
    groups: dict[str, int] = {}  # each alias group once; an alias names its group by index
    aliases = {k: groups.setdefault(json.dumps(v), len(groups)) for k, v in alias_groups(settings.packs()).items()}
    meta = {**data, "shard_size": ROW_SHARD, "idx": idx, "variants": VARIANTS, "aliases": aliases,
            "alias_groups": [json.loads(g) for g in groups],
            "doc_href": [links.doc(d) for d in data["dicts"]["doc"]]}
    (out / "claims-meta.js").write_text(f"window.TW_CLAIMS = {_json_literal(meta)};\n", encoding="utf-8")
    return len(rows)
