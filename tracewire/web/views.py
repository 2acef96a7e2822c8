"""Page contexts shared by the server and the static report, plus the two ways of building links."""

from __future__ import annotations

import hashlib
import math
import re
from importlib import resources
from typing import Any
from urllib.parse import quote, urlencode

import jinja2

from ..store import ClaimFilters, Store
from ..store.readmodel import DOC_SORT_DEFAULT_DIR, safe_url
from .render import pair_marks, segments, segments_html

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "font-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
# file:// pages: Chromium gives them an opaque origin, so 'self' is not enough for the report's own files.
REPORT_CSP = ("default-src 'none'; script-src 'self' file:; style-src 'self' file:; img-src 'self' file: data:; "
              "base-uri 'none'; form-action 'none'")
STATIC_FILES = ("tw.css", "tw.js", "world.geo.json", "world.NOTICE.txt", "explore.js", "evidence.js", "map.js",
                "leaflet.js", "leaflet.css", "leaflet.LICENSE.txt", "leaflet.NOTICE.txt", "leaflet.markercluster.js",
                "leaflet.markercluster.LICENSE.txt", "MarkerCluster.css", "MarkerCluster.Default.css")
REPORT_CLAIMS = 5000


def slug(text: str) -> str:
    """A file-name-safe form of an id; a short hash keeps distinct ids distinct."""
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", text)[:80]
    if safe == text and not safe.startswith("."):
        return safe
    return f"{safe.lstrip('.')}_{hashlib.sha1(text.encode('utf-8')).hexdigest()[:8]}"


class Links:
    """Server links: absolute paths on the running app."""

    static_mode = False

    def index(self) -> str:
        """Overview page."""
        return "/"

    def documents(self, outlet: str | None = None, page: int = 1, q: str = "", sort: str = "date",
                  order: str | None = None) -> str:
        """Documents list, optionally of one outlet, a search and a sort (the defaults are left out)."""
        params: dict[str, Any] = {}
        if outlet is not None:
            params["outlet"] = outlet
        if q:
            params["q"] = q
        if sort != "date":
            params["sort"] = sort
        if order and order != DOC_SORT_DEFAULT_DIR.get(sort, "asc"):
            params["order"] = order
        if page > 1:
            params["page"] = page
        return "/documents" + (f"?{urlencode(params)}" if params else "")

    def doc(self, doc_id: str) -> str:
        """Article page."""
        return "/doc/" + quote(doc_id, safe="")

    def reuse(self, page: int = 1) -> str:
        """Reuse links list."""
        return "/reuse" + (f"?page={page}" if page > 1 else "")

    def pair(self, source: str, target: str) -> str:
        """Reuse pair side by side."""
        return "/reuse/pair?" + urlencode({"source": source, "target": target})

    def claims(self, **params: Any) -> str:
        """Claims explorer with filters."""
        clean = {k: v for k, v in params.items() if v not in (None, "")}
        return "/claims" + (f"?{urlencode(clean)}" if clean else "")

    def claims_csv(self, **params: Any) -> str:
        """CSV export of filtered claims."""
        clean = {k: v for k, v in params.items() if v not in (None, "")}
        return "/claims.csv" + (f"?{urlencode(clean)}" if clean else "")

    def map(self) -> str:
        """Map page."""
        return "/map"

    def api(self) -> str:
        """API documentation."""
        return "/api"

    def narratives(self) -> str:
        """Narratives list."""
        return "/narratives"

    def narrative(self, narrative: str) -> str:
        """One narrative: timeline by outlet and corroboration graph."""
        return "/narratives/" + quote(narrative, safe="")

    def contradictions(self) -> str:
        """Contradictions list."""
        return "/contradictions"

    def static(self, name: str) -> str:
        """A shipped asset."""
        return "/static/" + name

    def map_place(self, name: str) -> str:
        """The map, centred on one place."""
        return "/map#place=" + quote(name, safe="")

    def stories(self) -> str:
        """Stories list."""
        return "/stories"

    def story(self, story_id: str) -> str:
        """One story."""
        return "/story/" + quote(story_id, safe="")

    def factchecks(self) -> str:
        """Known fact-checks page (server only)."""
        return "/factchecks"

    def review(self, doc: str, start: int, end: int) -> str:
        """The review form of one claim (server only)."""
        return "/review?" + urlencode({"claim": f"{doc}:{start}-{end}"})


class ReportLinks(Links):
    """Report links: relative file names in one flat folder, so the report opens from disk."""

    static_mode = True

    def index(self) -> str:
        """Overview page."""
        return "index.html"

    def documents(self, outlet: str | None = None, page: int = 1, q: str = "", sort: str = "date",
                  order: str | None = None) -> str:
        """Documents list (one page holding all documents, anchored by outlet; it searches and sorts in place)."""
        return "documents.html" + (f"#o-{slug(outlet or '-')}" if outlet is not None else "")

    def doc(self, doc_id: str) -> str:
        """Article page."""
        return f"doc-{slug(doc_id)}.html"

    def reuse(self, page: int = 1) -> str:
        """Reuse links list."""
        return "reuse.html"

    def pair(self, source: str, target: str) -> str:
        """Reuse pair page."""
        return f"pair-{slug(source)}--{slug(target)}.html"

    def claims(self, **params: Any) -> str:
        """Claims explorer (filters run in the browser, from the hash)."""
        clean = {k: v for k, v in params.items() if v not in (None, "")}
        return "claims.html" + (f"#{urlencode(clean)}" if clean else "")

    def claims_csv(self, **params: Any) -> str:
        """CSV export happens in the browser in the report."""
        return "claims.html"

    def map(self) -> str:
        """Map page."""
        return "map.html"

    def api(self) -> str:
        """The report has no API; point at the overview."""
        return "index.html"

    def narratives(self) -> str:
        """Narratives list."""
        return "narratives.html"

    def narrative(self, narrative: str) -> str:
        """One narrative's page."""
        return f"narrative-{slug(narrative)}.html"

    def contradictions(self) -> str:
        """Contradictions list."""
        return "contradictions.html"

    def static(self, name: str) -> str:
        """A copied asset."""
        return "static/" + name

    def map_place(self, name: str) -> str:
        """The map, centred on one place."""
        return "map.html#place=" + quote(name, safe="")

    def stories(self) -> str:
        """Stories list."""
        return "stories.html"

    def story(self, story_id: str) -> str:
        """One story."""
        return f"story-{slug(story_id)}.html"


def environment() -> jinja2.Environment:
    """The Jinja environment over the shipped templates, autoescaping everything."""
    folder = resources.files("tracewire.web").joinpath("templates")
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(folder)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,  # shipped templates do not change while the server runs
    )
    env.filters["pct"] = lambda v: "–" if v is None else f"{100 * v:.0f}%"
    env.filters["num"] = lambda v: f"{v:,}" if isinstance(v, int) else v
    env.filters["safe_url"] = safe_url
    env.filters["slug"] = slug
    env.filters["segments_html"] = segments_html
    return env


# -- page contexts ----------------------------------------------------------------------------

def overview_context(store: Store) -> dict[str, Any]:
    """Overview page: precomputed summary plus SVG geometry for the timeline and story graphs."""
    ov = store.overview()
    return {"ov": ov, "timeline": timeline_svg(ov["timeline"]),
            "graphs": [story_svg(s) for s in ov["stories"]], "map_data": {"points": ov["map"][:200]},
            "page": "overview"}


def timeline_svg(timeline: dict[str, Any], width: int = 900, height: int = 140) -> dict[str, Any]:
    """Bar geometry for documents per day or month."""
    bins = timeline["bins"]
    if not bins:
        return {"bars": [], "width": width, "height": height, "unit": timeline["unit"], "ticks": []}
    top = max(b["count"] for b in bins)
    step = min(width / len(bins), 48.0)  # a few bins stay bars, not blocks
    bars = []
    for i, b in enumerate(bins):
        h = max(1.0, (height - 20) * b["count"] / top)
        bars.append({"x": round(i * step + 1, 1), "y": round(height - 18 - h, 1), "w": round(max(1.0, step - 2), 1),
                     "h": round(h, 1), "label": b["label"], "count": b["count"]})
    every = max(1, len(bins) // 8, math.ceil(70 / step))  # labels are about 60 px wide
    ticks = [{"x": bars[i]["x"], "label": bins[i]["label"]} for i in range(0, len(bins), every)]
    return {"bars": bars, "width": width, "height": height, "unit": timeline["unit"], "ticks": ticks,
            "max": top}


def story_svg(story: dict[str, Any]) -> dict[str, Any]:
    """Tree layout for one story: columns by depth, rows by order; edges from parent to child."""
    members = story["members"]
    rows_at: dict[int, int] = {}
    pos: dict[str, tuple[int, int]] = {}
    nodes = []
    for m in members:
        depth = int(m["depth"])
        row = rows_at.get(depth, 0)
        rows_at[depth] = row + 1
        x, y = 10 + depth * 190, 16 + row * 28
        pos[m["doc"]] = (x, y)
        nodes.append({**m, "x": x, "y": y})
    edges = [{"x1": pos[m["parent"]][0] + 170, "y1": pos[m["parent"]][1], "x2": pos[m["doc"]][0], "y2": pos[m["doc"]][1],
              "source": m["parent"], "target": m["doc"]}
             for m in members if m["parent"] in pos]
    width = 10 + (max(rows_at) + 1 if rows_at else 1) * 190
    height = 12 + max(rows_at.values(), default=1) * 28
    return {"story": story, "nodes": nodes, "edges": edges, "width": width, "height": height}


def pair_context(store: Store, source: str, target: str) -> dict[str, Any]:
    """Reuse pair page: both texts segmented, passages numbered and cross-linked."""
    link = store.reuse_pair(source, target)
    return {"link": link,
            "source_segments": segments(link["source_doc"]["text"], pair_marks(link, "source")),
            "target_segments": segments(link["target_doc"]["text"], pair_marks(link, "target")),
            "page": "reuse"}


def claims_context(store: Store, f: ClaimFilters) -> dict[str, Any]:
    """Claims explorer, filtered on the server."""
    result = store.claims_page(f)
    return {"result": result, "f": f, "facets": store.claim_facets(), "page": "claims", "tags": {}}


def claims_report_context(store: Store) -> dict[str, Any]:
    """Claims explorer for the report: the most check-worthy claims, filtered in the browser."""
    f = ClaimFilters()
    rows = []
    for row in store.filtered_claims(f):
        rows.append(row)
        if len(rows) >= REPORT_CLAIMS:
            break
    total = store.claims_total()
    tags = store.claim_tags([r["claim_key"] for r in rows])
    result = {"filters": {}, "page": 1, "has_next": False, "claims": rows, "total": total,
              "order": "most check-worthy first"}
    return {"result": result, "f": f, "facets": store.claim_facets(), "page": "claims", "tags": tags}


def map_context(store: Store, with_mentions: bool) -> dict[str, Any]:
    """Map page: points and, for the report, each point's first mentions embedded."""
    points = store.map_points()["points"]
    months = store.place_months()
    for p in points:
        p["months"] = months.get(p["name"], {})  # the timeline brush sizes markers by the months picked
    payload: dict[str, Any] = {"points": points}
    if with_mentions:
        payload["mentions"] = {p["name"]: store.place_mentions(p["name"], size=20)["mentions"]
                               for p in points}
    return {"map_data": payload, "points": points, "page": "map"}


# -- narratives, corroboration, contradictions -----------------------------------------------

def narratives_context(store: Store) -> dict[str, Any]:
    """Narratives page: each narrative with its corroboration figure."""
    page = store.narratives_page()
    for item in page["items"]:
        item["figure"] = figure(item["corroboration"]) if item["corroboration"] else ""
    return {"result": page, "page": "narratives"}


def figure(record: dict[str, Any]) -> str:
    """'asserted by N documents in M outlets, resting on K independent sources (...)'."""
    from ..corpus.corroboration import figure as corroboration_figure

    return corroboration_figure(record)


def narrative_timeline(members: list[dict[str, Any]], width: int = 900) -> dict[str, Any]:
    """Timeline by outlet: one row per outlet, one dot per member document at its date."""
    docs: dict[str, dict[str, Any]] = {}
    for m in members:
        docs.setdefault(m["doc"], m)
    outlets = sorted({d["outlet"] or "(no outlet)" for d in docs.values()})
    dated = sorted({str(d["date"])[:10] for d in docs.values() if d["date"]})
    left, right = 190, 20
    span = max(len(dated) - 1, 1)
    rows = []
    for k, outlet in enumerate(outlets):
        y = 20 + k * 24
        dots = []
        for d in sorted(docs.values(), key=lambda d: d["doc"]):
            if (d["outlet"] or "(no outlet)") != outlet:
                continue
            day = str(d["date"])[:10] if d["date"] else None
            x = left + (width - left - right) * (dated.index(day) / span if day and len(dated) > 1 else 0.0)
            dots.append({"x": round(x, 1), "y": y, "doc": d["doc"], "date": day or "undated",
                         "title": d.get("title") or d["doc"]})
        rows.append({"outlet": outlet, "y": y, "dots": dots})
    ticks = [{"x": round(left + (width - left - right) * (i / span if len(dated) > 1 else 0.0), 1), "label": day}
             for i, day in enumerate(dated)][:: max(1, len(dated) // 6)]
    return {"rows": rows, "width": width, "height": 40 + 24 * len(outlets), "ticks": ticks}


def corroboration_graph(view: dict[str, Any]) -> list[dict[str, Any]]:
    """Outlets -> the sources they rest on -> original speakers, with each copy's path, as nested lists."""
    corr = view["corroboration"] or {"independent_sources": [], "collapsed": []}
    meta = {m["doc"]: m for m in view["members"]}
    collapsed = {c["doc"]: c for c in corr["collapsed"]}
    out = []
    for src in corr["independent_sources"]:
        docs = []
        for d in src["documents"]:
            c = collapsed.get(d)
            docs.append({"doc": d, "outlet": (meta.get(d) or {}).get("outlet"),
                         "via": c["why"] if c else None, "into": c["into"] if c else None})
        out.append({**src, "docs": docs})
    return out


def narrative_context(store: Store, narrative: str) -> dict[str, Any]:
    """One narrative: label, figure, timeline by outlet, corroboration graph, members."""
    view = store.narrative_view(narrative)
    return {"view": view, "figure": figure(view["corroboration"]) if view["corroboration"] else "",
            "timeline": narrative_timeline(view["members"]), "graph": corroboration_graph(view),
            "page": "narratives"}


def contradictions_context(store: Store) -> dict[str, Any]:
    """Contradictions page: both sides with their sources and reuse relation."""
    return {"items": store.contradictions_page(), "page": "contradictions"}
def _fc_view(row: dict[str, Any]) -> dict[str, Any]:
    """A match or fact-check row for a template: its URL kept only when it is http(s)."""
    return {**row, "url": safe_url(row.get("url")), "appearance": safe_url(row.get("appearance"))}


def factcheck_panel(store: Store, doc_id: str) -> dict[str, list[dict[str, Any]]]:
    """Known fact-checks of each claim of a document, keyed "START-END" (empty when none are imported)."""
    from ..store.factchecks import FactcheckStore

    fs = FactcheckStore.of(store)
    if not fs.available():  # a store of an older schema, opened read-only: no panel
        return {}
    rows = fs.matches_for_doc(doc_id)
    out: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        out.setdefault(f"{r['start']}-{r['end']}", []).append(_fc_view(r))
    return out


def _copied_from(row: dict[str, Any], by_span: dict[tuple[str, int, int], dict[str, Any]]) -> dict[str, Any]:
    """The original claim a match was inherited from, following ``via`` through copies of copies."""
    seen = set()
    while row["via"] and isinstance(row["via"].get("claim"), dict):
        c = row["via"]["claim"]
        key = (c.get("doc"), c.get("start"), c.get("end"))
        if key in seen or key not in by_span:
            break
        seen.add(key)
        row = by_span[key]
    return row


def factchecks_context(store: Store) -> dict[str, Any]:
    """Every imported fact-check with the corpus claims that match it, by date, copies folded into their story."""
    from ..store.factchecks import FactcheckStore

    fs = FactcheckStore.of(store)
    matches = fs.matches_by_factcheck()
    story = fs.story_of()
    items: list[dict[str, Any]] = []
    for fc in fs.factchecks():
        rows = matches.get(fc.id, [])
        groups: dict[tuple[str, int, int], dict[str, Any]] = {}
        for r in rows:  # each original claim that matched, with the copies that inherited its match
            root = _copied_from(r, {(x["doc"], x["start"], x["end"]): x for x in rows})
            key = (root["doc"], root["start"], root["end"])
            g = groups.setdefault(key, {"first": root, "copies": [], "story": story.get(root["doc"])})
            if r is not root:
                g["copies"].append(r)
        dated = [r["date"] for r in rows if r["date"]]
        items.append({"fc": _fc_view({"id": fc.id, "source": fc.source, "claim_reviewed": fc.claim_reviewed,
                                      "title": fc.title, "rating": fc.rating, "url": fc.url, "date": fc.date,
                                      "claimant": fc.claimant, "appearance": fc.appearance}),
                      "groups": list(groups.values()), "n": len(rows),
                      "outlets": sorted({r["outlet"] for r in rows if r["outlet"]}),
                      "first": min(dated) if dated else None})
    items.sort(key=lambda x: (-int(x["n"]), str(x["fc"]["id"])))
    return {"items": items, "page": "factchecks", "matched": sum(1 for x in items if x["n"])}


def review_context(store: Store, claim_id: str) -> dict[str, Any]:
    """The review form's claim (KeyError when the store has no such claim) and its current review."""
    from ..claimreview import parse_claim_id
    from ..store.factchecks import FactcheckStore

    doc, start, end = parse_claim_id(claim_id)
    fs = FactcheckStore.of(store)
    claim = fs.claim_span(doc, start, end) if fs.available() else None
    if claim is None:
        raise KeyError(f"claim {claim_id}")
    existing = next((r for r in fs.reviews() if (r.doc, r.start, r.end) == (doc, start, end)), None)
    return {"claim": claim, "claim_id": f"{doc}:{start}-{end}", "page": "factchecks",
            "existing": {"rating": existing.rating, "note": existing.note, "reviewer": existing.reviewer,
                         "reviewed_at": existing.reviewed_at} if existing else None}
