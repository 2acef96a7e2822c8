"""SQLite read models for export, the web UI, the JSON API and the static report (plain SQL over the store).

Every function takes the store's open ``sqlite3.Connection`` (row factory ``sqlite3.Row``) and
returns JSON-ready dicts; ``SQLiteStore`` exposes them as ``Store`` methods. Derived tables from
``004_web.sql`` (``web_docs``, ``claims_fts``, ``web_state``) are rebuilt by :func:`refresh` when
:func:`signature` says the store changed.
"""

from __future__ import annotations

import json
import logging
import re
import sqlite3
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import date as Date
from datetime import timedelta
from typing import Any

from ..errors import Code, UsageError
from . import explore
from .readmodel import (
    COMMON_MENTIONS,
    DOC_SORT_DEFAULT_DIR,
    DOC_SORTS,
    MAP_POINTS,
    NAMED_KINDS,
    PAGE_SIZE,
    SOURCE_KINDS,
    STORY_GRAPHS,
    STORY_NODES,
    SUMMARY_VERSION,
    TOP_CLAIMS,
    ClaimFilters,
    safe_url,
)

log = logging.getLogger(__name__)

Row = dict[str, Any]


# -- derived tables ---------------------------------------------------------------------------

def signature(conn: sqlite3.Connection) -> str:
    """A cheap fingerprint of the tables the derived data depends on."""
    row = conn.execute(
        "SELECT (SELECT count(*) FROM documents), (SELECT max(doc_key) FROM documents),"
        " (SELECT count(*) FROM claims), (SELECT max(claim_key) FROM claims),"
        " (SELECT count(*) FROM places), (SELECT count(*) FROM reuse), (SELECT max(reuse_key) FROM reuse),"
        " (SELECT count(*) FROM story_members), (SELECT count(*) FROM analysis_runs),"
        " (SELECT max(analyzed_at) FROM analysis_runs), (SELECT count(*) FROM rejections),"
        " (SELECT count(*) FROM narrative_members)"
    ).fetchone()
    return json.dumps([SUMMARY_VERSION, *row])


def is_fresh(conn: sqlite3.Connection) -> bool:
    """True when the derived tables were built from the store as it is now."""
    row = conn.execute("SELECT value FROM web_state WHERE name='signature'").fetchone()
    return row is not None and bool(row[0] == signature(conn))


def refresh(conn: sqlite3.Connection, only_if_stale: bool = False) -> bool:
    """Rebuild web_docs, the claims full-text index and the overview summary in one transaction.

    With ``only_if_stale``, skip the rebuild when another connection (another server process)
    finished it while this one waited for the write lock. True when it rebuilt.
    """
    with conn:
        conn.execute("BEGIN IMMEDIATE")
        sig = signature(conn)
        if only_if_stale:
            row = conn.execute("SELECT value FROM web_state WHERE name='signature'").fetchone()
            if row is not None and row[0] == sig:
                return False
        conn.execute("DELETE FROM web_docs")
        conn.execute(
            "INSERT INTO web_docs(doc_key, id, title, outlet, date, url, n_claims)"
            " SELECT d.doc_key, d.id, coalesce(nullif(trim(d.title), ''), nullif(substr(trim(substr(t.body, 1,"
            " instr(t.body || char(10), char(10)) - 1)), 1, 120), '')), d.outlet, d.date, d.url,"
            " (SELECT count(*) FROM claims c WHERE c.doc_key = d.doc_key)"
            " FROM documents d JOIN (SELECT doc_key, ltrim(text, ' ' || char(9) || char(10) || char(13)) AS body"
            " FROM documents) t USING (doc_key)"
            " WHERE d.version = (SELECT max(v.version) FROM documents v WHERE v.id = d.id)"
        )
        conn.execute("INSERT INTO claims_fts(claims_fts) VALUES ('rebuild')")
        explore.rebuild(conn)
        summary = _summarise(conn)
        conn.execute(
            "INSERT OR REPLACE INTO web_state(name, value) VALUES ('overview', ?)",
            (json.dumps(summary, separators=(",", ":")),),
        )
        conn.execute("INSERT OR REPLACE INTO web_state(name, value) VALUES ('signature', ?)", (sig,))
    log.info("web tables refreshed: %d documents", summary["counts"]["documents"])
    return True


def ensure_fresh(conn: sqlite3.Connection) -> bool:
    """Refresh the derived tables when the store changed; True when it rebuilt them."""
    if is_fresh(conn):
        return False
    return refresh(conn, only_if_stale=True)


def _norm_claim(text: str) -> str:
    """Claim text folded for counting repeats: lower case, single spaces, no end punctuation."""
    return re.sub(r"\s+", " ", text.lower()).strip(" .\"'\u201c\u201d")


def _summarise(conn: sqlite3.Connection) -> dict[str, Any]:
    """Compute the overview: counts, outlets, sourcing shares, timeline, stories, top claims, map."""
    q = conn.execute
    counts = {
        "documents": q("SELECT count(*) FROM web_docs").fetchone()[0],
        "outlets": q("SELECT count(DISTINCT outlet) FROM web_docs WHERE outlet IS NOT NULL").fetchone()[0],
        "claims": q("SELECT count(*) FROM claims c JOIN web_docs d USING (doc_key)").fetchone()[0],
        "reuse_links": q("SELECT count(*) FROM reuse").fetchone()[0],
        "stories": q("SELECT count(*) FROM stories").fetchone()[0],
        "place_mentions": q("SELECT count(*) FROM places p JOIN web_docs d USING (doc_key)").fetchone()[0],
        "places": q("SELECT count(DISTINCT name) FROM places p JOIN web_docs d USING (doc_key)").fetchone()[0],
        "actors": q("SELECT count(DISTINCT actor) FROM actors a JOIN web_docs d USING (doc_key)").fetchone()[0],
        "rejections": q("SELECT count(*) FROM rejections").fetchone()[0],
    }
    outlets: dict[str, dict[str, Any]] = {}
    for r in q("SELECT coalesce(outlet, '') AS outlet, count(*) AS n, sum(n_claims) AS nc,"
               " min(date) AS first, max(date) AS last FROM web_docs GROUP BY 1"):
        outlets[r["outlet"]] = {"outlet": r["outlet"] or None, "documents": r["n"], "claims": r["nc"] or 0,
                                "first": r["first"], "last": r["last"], "kinds": dict.fromkeys(SOURCE_KINDS, 0)}
    for r in q("SELECT coalesce(d.outlet, '') AS outlet, coalesce(c.source_kind, 'unattributed') AS kind,"
               " count(*) AS n FROM claims c JOIN web_docs d USING (doc_key) GROUP BY 1, 2"):
        outlets[r["outlet"]]["kinds"][r["kind"]] += r["n"]
    for o in outlets.values():
        kinds = o["kinds"]
        total = sum(kinds.values())
        named = sum(kinds[k] for k in NAMED_KINDS)
        o["named_share"] = round(named / total, 3) if total else None
        o["anonymous_share"] = round(kinds["anonymous"] / total, 3) if total else None
        o["unattributed_share"] = round(kinds["unattributed"] / total, 3) if total else None
    outlet_rows = sorted(outlets.values(), key=lambda o: (-o["documents"], o["outlet"] or ""))
    for o in outlet_rows[:50]:
        o["sample"] = [dict(r) for r in q(
            "SELECT id, title, date FROM web_docs WHERE outlet IS ? ORDER BY date DESC, id LIMIT 8",
            (o["outlet"],))]
    days = [(r[0], r[1]) for r in q(
        "SELECT substr(date, 1, 10), count(*) FROM web_docs WHERE date IS NOT NULL GROUP BY 1 ORDER BY 1")]
    timeline = _timeline(days)
    undated = q("SELECT count(*) FROM web_docs WHERE date IS NULL").fetchone()[0]
    groups: dict[str, set[str]] = defaultdict(set)
    example: dict[str, tuple[str, str]] = {}
    for r in q("SELECT c.text, d.id FROM claims c JOIN web_docs d USING (doc_key)"):
        key = _norm_claim(r[0])
        groups[key].add(r[1])
        example.setdefault(key, (r[0], r[1]))
    ranked = sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))[:TOP_CLAIMS]
    top_claims = [{"text": example[k][0], "documents": len(v), "example_doc": example[k][1],
                   "docs": sorted(v)[:10]} for k, v in ranked]
    return {
        "counts": counts,
        "outlets": outlet_rows[:200],
        "timeline": timeline,
        "undated": undated,
        "stories": stories(conn, limit=STORY_GRAPHS)["stories"],
        "top_claims": top_claims,
        "map": _map_points(conn, MAP_POINTS),
        "facets": _facets(conn),
    }


def _timeline(days: list[tuple[str, int]]) -> dict[str, Any]:
    """Bucket document counts by day, or by month when the dates span more than 120 days."""
    valid: list[tuple[Date, int]] = []
    for d, n in days:
        try:
            valid.append((Date.fromisoformat(d), n))
        except ValueError:
            continue
    if not valid:
        return {"unit": "day", "bins": []}
    span = (valid[-1][0] - valid[0][0]).days
    if span <= 120:  # every day from the first to the last, empty days included
        per_day = dict(valid)
        days_all = [valid[0][0] + timedelta(days=i) for i in range(span + 1)]
        return {"unit": "day", "bins": [{"label": d.isoformat(), "count": per_day.get(d, 0)} for d in days_all]}
    months: Counter[str] = Counter()
    for day, n in valid:
        months[day.isoformat()[:7]] += n
    first, last = valid[0][0], valid[-1][0]
    labels, y, m = [], first.year, first.month
    while (y, m) <= (last.year, last.month):
        labels.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return {"unit": "month", "bins": [{"label": label, "count": months.get(label, 0)} for label in labels]}


def overview(conn: sqlite3.Connection) -> dict[str, Any]:
    """The precomputed overview (call ensure_fresh first)."""
    row = conn.execute("SELECT value FROM web_state WHERE name='overview'").fetchone()
    if row is None:
        raise UsageError("The web tables are not built yet. Call store.ensure_web_tables() first.", Code.TW002)
    result: dict[str, Any] = json.loads(row[0])
    return result


# -- documents --------------------------------------------------------------------------------

def documents(conn: sqlite3.Connection, outlet: str | None = None, page: int = 1, size: int = PAGE_SIZE,
              q: str = "", sort: str = "date", order: str | None = None) -> dict[str, Any]:
    """One page of current documents, newest first or by ``sort``, optionally of one outlet or matching ``q``.

    ``q``: every word must occur, case-insensitively, in the document's id, title or outlet.
    """
    if sort not in DOC_SORTS:
        raise UsageError(f"sort={sort!r} is not a documents column. Use one of {', '.join(DOC_SORTS)}.", Code.TW002)
    order = order or DOC_SORT_DEFAULT_DIR.get(sort, "asc")
    if order not in ("asc", "desc"):
        raise UsageError(f"order={order!r} is not a direction. Use asc or desc.", Code.TW002)
    page = max(1, page)
    clauses, params = list[str](), list[Any]()
    if outlet is not None:
        clauses.append("outlet IS ?")
        params.append(outlet if outlet != "" else None)
    words = q.split()[:16]
    for w in words:
        clauses.append("(coalesce(id, '') || ' ' || coalesce(title, '') || ' ' || coalesce(outlet, '')) LIKE ? ESCAPE '\\'")
        params.append("%" + re.sub(r"([%_\\])", r"\\\1", w) + "%")
    where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
    col = DOC_SORTS[sort]
    total = conn.execute(f"SELECT count(*) FROM web_docs {where}", params).fetchone()[0]
    rows = [dict(r) for r in conn.execute(
        f"SELECT id, title, outlet, date, n_claims FROM web_docs {where}"
        f" ORDER BY ({col}) IS NULL, {col} {order.upper()}, id LIMIT ? OFFSET ?", (*params, size + 1, (page - 1) * size))]
    return {"outlet": outlet, "page": page, "has_next": len(rows) > size, "documents": rows[:size],
            "q": " ".join(words), "sort": sort, "order": order, "total": total}


def all_document_ids(conn: sqlite3.Connection) -> Iterator[str]:
    """Every current document id, ordered."""
    for r in conn.execute("SELECT id FROM web_docs ORDER BY id"):
        yield r[0]


def documents_by_outlet(conn: sqlite3.Connection) -> list[Row]:
    """Every current document (id, title, outlet, date, n_claims) by outlet, then newest first."""
    return [dict(r) for r in conn.execute(
        "SELECT id, title, outlet, date, n_claims FROM web_docs ORDER BY coalesce(outlet, ''), date DESC, id")]


def document(conn: sqlite3.Connection, doc_id: str) -> dict[str, Any]:
    """A document with all its layers, reuse links and story; KeyError when absent."""
    d = conn.execute(
        "SELECT d.doc_key, d.id, d.title, d.outlet, d.date, d.url, d.author, d.dateline, d.text, d.version,"
        " d.source_path, d.wanted_id FROM web_docs w JOIN documents d USING (doc_key) WHERE w.id = ?",
        (doc_id,)).fetchone()
    if d is None:
        raise KeyError(doc_id)
    key = d["doc_key"]
    doc = dict(d)
    doc["safe_url"] = safe_url(d["url"])
    claims = [dict(r) for r in conn.execute(
        "SELECT claim_key, start, end, text, checkworthy, source, source_kind, source_canonical, source_start,"
        " source_end, cue, cue_start, cue_end, channel, hedged, boosted FROM claims WHERE doc_key=?"
        " ORDER BY start", (key,))]
    hedges = [dict(r) for r in conn.execute(
        "SELECT claim_key, start, end, text, kind FROM hedges WHERE doc_key=? ORDER BY start", (key,))]
    by_claim: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for h in hedges:
        by_claim[h["claim_key"]].append(h)
    for c in claims:
        c["hedges"] = by_claim.get(c["claim_key"], [])
    doc["claims"] = claims
    doc["hedges"] = hedges
    doc["quantities"] = [dict(r) for r in conn.execute(
        "SELECT start, end, text, value, category, qualifier, unit FROM quantities WHERE doc_key=?"
        " ORDER BY start", (key,))]
    doc["actors"] = [dict(r) for r in conn.execute(
        "SELECT start, end, mention, actor FROM actors WHERE doc_key=? ORDER BY start", (key,))]
    doc["places"] = [dict(r) for r in conn.execute(
        "SELECT start, end, mention, name, lat, lon, country_code, feature, confidence FROM places"
        " WHERE doc_key=? ORDER BY start", (key,))]
    doc["techniques"] = [dict(r) for r in conn.execute(
        "SELECT start, end, technique, score, evidence FROM techniques WHERE doc_key=? ORDER BY start", (key,))]
    links = []
    for r in conn.execute(
            "SELECT source, target, direction_known, confidence, shared_words, source_coverage, target_coverage,"
            " passages FROM reuse WHERE source=? UNION ALL SELECT source, target, direction_known, confidence,"
            " shared_words, source_coverage, target_coverage, passages FROM reuse WHERE target=?",
            (doc_id, doc_id)):
        link = dict(r)
        link["passages"] = json.loads(link["passages"])
        link["other"] = link["target"] if link["source"] == doc_id else link["source"]
        link["role"] = "source" if link["source"] == doc_id else "target"
        links.append(link)
    links.sort(key=lambda lk: -lk["shared_words"])
    doc["reuse"] = links
    doc["stories"] = [dict(r) for r in conn.execute(
        "SELECT m.story_id, m.parent, m.depth, s.size, s.root FROM story_members m"
        " JOIN stories s USING (story_id) WHERE m.doc=?", (doc_id,))]
    return doc


# -- reuse ------------------------------------------------------------------------------------

def reuse_links(conn: sqlite3.Connection, page: int = 1, size: int = PAGE_SIZE) -> dict[str, Any]:
    """One page of reuse links, largest shared text first, with both titles."""
    page = max(1, page)
    rows = [dict(r) for r in conn.execute(
        "SELECT r.source, r.target, r.direction_known, r.confidence, r.shared_words, r.source_coverage,"
        " r.target_coverage, s.title AS source_title, s.outlet AS source_outlet, t.title AS target_title,"
        " t.outlet AS target_outlet FROM reuse r LEFT JOIN web_docs s ON s.id = r.source"
        " LEFT JOIN web_docs t ON t.id = r.target ORDER BY r.shared_words DESC, r.reuse_key"
        " LIMIT ? OFFSET ?", (size + 1, (page - 1) * size))]
    return {"page": page, "has_next": len(rows) > size, "links": rows[:size]}


def all_reuse_pairs(conn: sqlite3.Connection) -> Iterator[tuple[str, str]]:
    """Every (source, target) reuse pair."""
    for r in conn.execute("SELECT source, target FROM reuse ORDER BY reuse_key"):
        yield r[0], r[1]


def _spans(pairs: Any) -> list[tuple[int, int]]:
    """Normalise [[s, e], ...] or [{start, end}, ...] to a list of (start, end)."""
    out = []
    for p in pairs or []:
        if isinstance(p, dict):
            out.append((int(p["start"]), int(p["end"])))
        else:
            out.append((int(p[0]), int(p[1])))
    return out


def reuse_pair(conn: sqlite3.Connection, source: str, target: str) -> dict[str, Any]:
    """A reuse link with both documents' texts; KeyError when the pair or a document is absent."""
    r = conn.execute("SELECT * FROM reuse WHERE source=? AND target=?", (source, target)).fetchone()
    if r is None:
        raise KeyError(f"{source} -> {target}")
    link = dict(r)
    link["passages"] = sorted(json.loads(link["passages"]), key=lambda p: p["target_start"])
    for p in link["passages"]:
        p.setdefault("edits", [])
        p["n_edits"] = len(p["edits"])
    link["target_additions"] = _spans(json.loads(link["target_additions"]))
    link["source_cuts"] = _spans(json.loads(link["source_cuts"]))
    link["evidence"] = json.loads(link["evidence"])
    docs = {}
    for doc_id in (source, target):
        d = conn.execute("SELECT w.id, w.title, w.outlet, w.date, d.url, d.text FROM web_docs w"
                         " JOIN documents d USING (doc_key) WHERE w.id=?", (doc_id,)).fetchone()
        if d is None:
            raise KeyError(doc_id)
        docs[doc_id] = dict(d)
        docs[doc_id]["safe_url"] = safe_url(d["url"])
    link["source_doc"] = docs[source]
    link["target_doc"] = docs[target]
    return link


def stories(conn: sqlite3.Connection, limit: int = STORY_GRAPHS, page: int = 1) -> dict[str, Any]:
    """The largest stories (reuse clusters) with their members as a tree."""
    page = max(1, page)
    rows = [dict(r) for r in conn.execute(
        "SELECT story_id, root, size FROM stories ORDER BY size DESC, story_id LIMIT ? OFFSET ?",
        (limit + 1, (page - 1) * limit))]
    for s in rows[:limit]:
        s["members"] = [dict(m) for m in conn.execute(
            "SELECT m.doc, m.parent, m.depth, w.outlet, w.date, w.title FROM story_members m"
            " LEFT JOIN web_docs w ON w.id = m.doc WHERE m.story_id=? ORDER BY m.depth, m.doc LIMIT ?",
            (s["story_id"], STORY_NODES))]
    return {"page": page, "has_next": len(rows) > limit, "stories": rows[:limit]}


# -- claims -----------------------------------------------------------------------------------

def fts_query(text: str) -> str:
    """Turn free text into a safe FTS5 query: every word quoted, the last one as a prefix."""
    words = re.findall(r"\w+", text)[:12]
    if not words:
        return ""
    quoted = [f'"{w}"' for w in words]
    quoted[-1] += "*"
    return " ".join(quoted)


def _claims_sql(conn: sqlite3.Connection, f: ClaimFilters) -> tuple[str, list[Any]]:
    """The WHERE clause and parameters for a set of claim filters."""
    where: list[str] = []
    params: list[Any] = []
    if f.q and fts_query(f.q):
        where.append("claims_fts MATCH ?")
        params.append(fts_query(f.q))
    if f.kind:
        where.append("coalesce(c.source_kind, 'unattributed') = ?")
        params.append(f.kind)
    if f.hedged:
        where.append("c.hedged = ?")
        params.append(1 if f.hedged == "yes" else 0)
    if f.outlet:
        where.append("d.outlet = ?")
        params.append(f.outlet)
    if f.date_from:
        where.append("d.date >= ?")
        params.append(f.date_from)
    if f.date_to:
        where.append("substr(d.date, 1, ?) <= ?")
        params.extend([len(f.date_to), f.date_to])
    for table, column, value in (("actors", "actor", f.actor), ("places", "name", f.place)):
        if not value:
            continue
        n = conn.execute(f"SELECT count(*) FROM {table} WHERE {column} = ?", (value,)).fetchone()[0]
        if n > COMMON_MENTIONS:  # common: walk claims in page order and probe each (stops early)
            where.append(f"EXISTS (SELECT 1 FROM {table} m WHERE m.doc_key = c.doc_key AND m.{column} = ?"
                         " AND m.start < c.end AND m.end > c.start)")
        else:  # rare: start from the few mentions (indexed by name)
            where.append(f"c.claim_key IN (SELECT c2.claim_key FROM {table} m JOIN claims c2 ON c2.doc_key = m.doc_key"
                         f" AND m.start < c2.end AND m.end > c2.start WHERE m.{column} = ?)")
        params.append(value)
    return (" WHERE " + " AND ".join(where)) if where else "", params


CLAIM_COLUMNS = ("c.claim_key, d.id AS doc, d.outlet, d.date, c.start, c.end, c.text, c.checkworthy, c.source,"
                 " coalesce(c.source_kind, 'unattributed') AS source_kind, c.cue, c.hedged, c.boosted")


def _claims_from(f: ClaimFilters) -> tuple[str, str]:
    """FROM clause and ORDER BY for a claims query.

    Without a search the most check-worthy claims come first (index on checkworthy). With a search
    the full-text index drives the query in claim order, newest first: ranking every match of a
    common word would cost a full scan on a large store.
    """
    if f.q and fts_query(f.q):
        return ("claims_fts JOIN claims c ON c.claim_key = claims_fts.rowid JOIN web_docs d ON d.doc_key = c.doc_key",
                "claims_fts.rowid DESC")
    return "claims c JOIN web_docs d ON d.doc_key = c.doc_key", "c.checkworthy DESC, c.claim_key"


def claims(conn: sqlite3.Connection, f: ClaimFilters, size: int = PAGE_SIZE) -> dict[str, Any]:
    """One page of claims matching the filters: most check-worthy first, or newest first when searching."""
    where, params = _claims_sql(conn, f)
    source, order = _claims_from(f)
    rows = [dict(r) for r in conn.execute(
        f"SELECT {CLAIM_COLUMNS} FROM {source}{where} ORDER BY {order} LIMIT ? OFFSET ?",
        (*params, size + 1, (f.page - 1) * size))]
    return {"filters": f.params(), "page": f.page, "has_next": len(rows) > size, "claims": rows[:size],
            "order": "newest first" if f.q and fts_query(f.q) else "most check-worthy first"}


def claims_total(conn: sqlite3.Connection) -> int:
    """How many claims the current documents hold."""
    n: int = conn.execute("SELECT count(*) FROM claims c JOIN web_docs d USING (doc_key)").fetchone()[0]
    return n


def iter_claims(conn: sqlite3.Connection, f: ClaimFilters) -> Iterator[dict[str, Any]]:
    """Every claim matching the filters (for CSV export), in the same order as the pages."""
    where, params = _claims_sql(conn, f)
    source, order = _claims_from(f)
    for r in conn.execute(f"SELECT {CLAIM_COLUMNS} FROM {source}{where} ORDER BY {order}", params):
        yield dict(r)


def _facets(conn: sqlite3.Connection) -> dict[str, list[str]]:
    """Compute the values offered in the claims explorer's filter lists (bounded, for the summary)."""
    return {
        "kinds": list(SOURCE_KINDS),
        "outlets": [r[0] for r in conn.execute(
            "SELECT DISTINCT outlet FROM web_docs WHERE outlet IS NOT NULL ORDER BY outlet LIMIT 500")],
        "actors": [r[0] for r in conn.execute(
            "SELECT actor FROM actors GROUP BY actor ORDER BY count(*) DESC, actor LIMIT 300")],
        "places": [r[0] for r in conn.execute(
            "SELECT name FROM places GROUP BY name ORDER BY count(*) DESC, name LIMIT 300")],
    }


def _summary_part(conn: sqlite3.Connection, name: str) -> Any:
    """One top-level entry of the precomputed overview, extracted by SQLite (cheaper than parsing it all)."""
    row = conn.execute("SELECT json_extract(value, ?) FROM web_state WHERE name='overview'", (f"$.{name}",)).fetchone()
    if row is None or row[0] is None:
        raise UsageError("The web tables are not built yet. Call store.ensure_web_tables() first.", Code.TW002)
    return json.loads(row[0])


def claim_facets(conn: sqlite3.Connection) -> dict[str, list[str]]:
    """Values offered in the claims explorer's filter lists (precomputed)."""
    facets: dict[str, list[str]] = _summary_part(conn, "facets")
    return facets


def claim_tags(conn: sqlite3.Connection, claim_keys: list[int]) -> dict[int, dict[str, list[str]]]:
    """Actors and places inside each claim span (for client-side filtering in the report)."""
    out: dict[int, dict[str, list[str]]] = {k: {"actors": [], "places": []} for k in claim_keys}
    for chunk_at in range(0, len(claim_keys), 500):
        chunk = claim_keys[chunk_at:chunk_at + 500]
        marks = ",".join("?" * len(chunk))
        for r in conn.execute(
                f"SELECT c.claim_key, a.actor FROM claims c JOIN actors a ON a.doc_key = c.doc_key"
                f" AND a.start < c.end AND a.end > c.start WHERE c.claim_key IN ({marks})", chunk):
            out[r[0]]["actors"].append(r[1])
        for r in conn.execute(
                f"SELECT c.claim_key, p.name FROM claims c JOIN places p ON p.doc_key = c.doc_key"
                f" AND p.start < c.end AND p.end > c.start WHERE c.claim_key IN ({marks})", chunk):
            out[r[0]]["places"].append(r[1])
    return out


# -- places -----------------------------------------------------------------------------------

def _map_points(conn: sqlite3.Connection, limit: int) -> list[dict[str, Any]]:
    """Compute the most mentioned resolved places (for the summary)."""
    rows = [dict(r) for r in conn.execute(
        "SELECT p.name, avg(p.lat) AS lat, avg(p.lon) AS lon, max(p.country_code) AS country_code,"
        " count(*) AS mentions, count(DISTINCT p.doc_key) AS documents FROM places p"
        " JOIN web_docs d USING (doc_key) WHERE p.lat IS NOT NULL AND p.lon IS NOT NULL"
        " GROUP BY p.name ORDER BY mentions DESC, p.name LIMIT ?", (limit,))]
    for r in rows:
        r["lat"] = round(r["lat"], 4)
        r["lon"] = round(r["lon"], 4)
    return rows


def map_points(conn: sqlite3.Connection) -> dict[str, Any]:
    """Resolved places of current documents, sized by mentions, most mentioned first (precomputed)."""
    return {"points": _summary_part(conn, "map")}


def place_mentions(conn: sqlite3.Connection, name: str, page: int = 1, size: int = PAGE_SIZE) -> dict[str, Any]:
    """Mentions of one place with their document and sentence context."""
    page = max(1, page)
    rows = [dict(r) for r in conn.execute(
        "SELECT m.doc, m.title, m.outlet, m.date, m.start, m.end, m.mention,"
        " substr(t.text, max(1, m.start - 79), min(m.start, 80) + (m.end - m.start) + 80) AS context,"
        " max(0, m.start - 80) AS context_start FROM (SELECT p.doc_key, d.id AS doc, d.title, d.outlet, d.date,"
        " p.start, p.end, p.mention FROM places p JOIN web_docs d USING (doc_key) WHERE p.name = ?"
        " ORDER BY d.date DESC, d.id, p.start LIMIT ? OFFSET ?) m JOIN documents t ON t.doc_key = m.doc_key"
        " ORDER BY m.date DESC, m.doc, m.start", (name, size + 1, (page - 1) * size))]
    return {"name": name, "page": page, "has_next": len(rows) > size, "mentions": rows[:size]}


# -- export records ---------------------------------------------------------------------------

def export_claims(conn: sqlite3.Connection) -> Iterator[Row]:
    """Claims of current documents with attribution and hedges, by document and offset."""
    hedges: dict[int, list[Row]] = {}
    for h in conn.execute("SELECT * FROM hedges ORDER BY claim_key, start"):
        hedges.setdefault(h["claim_key"], []).append(
            {"text": h["text"], "kind": h["kind"], "start": h["start"], "end": h["end"],
             "quoted": bool(h["quoted"])})
    sql = ("SELECT c.*, d.id AS doc FROM claims c JOIN current_documents d USING (doc_key) "
           "ORDER BY d.id, c.start")
    for c in conn.execute(sql):
        attribution = None
        if c["source_kind"] is not None:
            attribution = {"source": c["source"], "kind": c["source_kind"], "cue": c["cue"],
                           "start": c["source_start"], "end": c["source_end"], "channel": c["channel"],
                           "canonical": c["source_canonical"], "cue_start": c["cue_start"],
                           "cue_end": c["cue_end"]}
        yield {"doc": c["doc"], "start": c["start"], "end": c["end"], "text": c["text"],
               "checkworthy": c["checkworthy"], "attribution": attribution,
               "hedges": hedges.get(c["claim_key"], []), "features": json.loads(c["features"])}


# each span layer's exported columns after doc, start and end; then those stored as JSON text
_SPAN_COLUMNS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "quantities": (("text", "value", "category", "qualifier", "unit"), ()),
    "places": (("mention", "name", "lat", "lon", "country_code", "feature", "confidence"), ()),
    "actors": (("mention", "actor"), ()),
    "techniques": (("technique", "score", "evidence"), ("evidence",)),
}


def export_spans(conn: sqlite3.Connection, layer: str) -> Iterator[Row]:
    """Spans of one layer (quantities, places, actors, techniques) of current documents, by document and offset."""
    if layer not in _SPAN_COLUMNS:
        raise UsageError(f"Unknown span layer {layer!r}; choose one of: {', '.join(_SPAN_COLUMNS)}", Code.TW003)
    columns, json_cols = _SPAN_COLUMNS[layer]
    cols = ", ".join(f"t.{c}" for c in columns)
    sql = (f"SELECT d.id AS doc, t.start, t.end, {cols} FROM {layer} t "
           "JOIN current_documents d USING (doc_key) ORDER BY d.id, t.start")
    for r in conn.execute(sql):
        row = dict(r)
        for c in json_cols:
            row[c] = json.loads(row[c])
        yield row


def export_reuse(conn: sqlite3.Connection) -> Iterator[Row]:
    """Reuse links with their kind and aligned passages (each with its word-level edits), by source and target."""
    for r in conn.execute("SELECT * FROM reuse ORDER BY source, target"):
        yield {"source": r["source"], "target": r["target"], "kind": r["kind"],
               "direction_known": bool(r["direction_known"]),
               "confidence": r["confidence"], "shared_words": r["shared_words"],
               "source_coverage": r["source_coverage"], "target_coverage": r["target_coverage"],
               "passages": [{**p, "edits": p.get("edits", [])} for p in json.loads(r["passages"])],
               "target_additions": [{"start": s, "end": e} for s, e in json.loads(r["target_additions"])],
               "source_cuts": [{"start": s, "end": e} for s, e in json.loads(r["source_cuts"])],
               "evidence": json.loads(r["evidence"])}


def export_stories(conn: sqlite3.Connection) -> Iterator[Row]:
    """Stories: reuse clusters with a root and a derivation tree, by story id."""
    members: dict[str, list[Row]] = {}
    for m in conn.execute("SELECT * FROM story_members ORDER BY story_id, depth, doc"):
        members.setdefault(m["story_id"], []).append(
            {"doc": m["doc"], "parent": m["parent"], "depth": m["depth"]})
    for s in conn.execute("SELECT * FROM stories ORDER BY story_id"):
        yield {"story": s["story_id"], "root": s["root"], "size": s["size"],
               "members": members.get(s["story_id"], []), "tree": json.loads(s["tree"])}
