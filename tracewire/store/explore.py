"""The faceted claims explorer: a derived claims table with facet tags, two FTS5 indexes and their queries.

Derived data, rebuilt with the other web tables (``queries.refresh``): ``web_claims`` (one row per
claim of a current document, with everything the table and the CSV show), ``web_claim_tags``
(multi-valued facets: actor, place, technique, hedge), ``web_claims_fts`` over the claim text and
``web_sources_fts`` over the attributed source, both indexed after spelling-variant folding.

Search syntax (claim text and sources alike): words are ANDed, ``OR`` between two terms matches
either, ``"two words"`` is a phrase, ``word*`` a prefix. British and American spellings fold
together (defence = defense), and a word or phrase that is an alias of a pack actor or place also
matches that entry's other aliases ("Daesh" finds "ISIS", "Tanf" finds "At-Tanf"). The static
report evaluates the same parsed query over an index read from these FTS tables, so both answer alike.
"""

from __future__ import annotations

import csv
import json
import re
import sqlite3
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import Code, UsageError
from .readmodel import SOURCE_KINDS

# spelling variants folded to one form before indexing and in queries (whole words, lower case)
VARIANTS: dict[str, str] = {
    "defence": "defense", "offence": "offense", "licence": "license", "centre": "center", "centres": "centers",
    "programme": "program", "programmes": "programs", "organisation": "organization",
    "organisations": "organizations", "organised": "organized", "recognised": "recognized",
    "mobilised": "mobilized", "neutralised": "neutralized", "neutralise": "neutralize",
    "criticised": "criticized", "labour": "labor", "armour": "armor", "armoured": "armored",
    "honour": "honor", "favour": "favor", "neighbouring": "neighboring", "neighbour": "neighbor",
    "rumour": "rumor", "rumours": "rumors", "behaviour": "behavior", "harbour": "harbor",
    "jihadi": "jihadist", "kilometres": "kilometers", "kilometre": "kilometer", "metres": "meters",
    "civilians": "civilians",
}
FACETS = ("source", "kind", "channel", "outlet", "actor", "place", "technique", "hedge", "narrative", "month")
TAG_FACETS = ("actor", "place", "technique", "hedge", "narrative")
FACET_LABELS = {"source": "Source (canonical)", "kind": "Source kind", "channel": "Channel", "outlet": "Outlet",
                "actor": "Actor", "place": "Place", "technique": "Technique", "hedge": "Hedge or booster",
                "narrative": "Narrative", "month": "Month"}
SORTS = {"checkworthy": "checkworthy", "date": "date", "outlet": "outlet", "source": "source_facet",
         "kind": "kind", "channel": "channel", "doc": "doc", "title": "title"}
SORT_DEFAULT_DIR = {"checkworthy": "desc", "date": "desc"}
PAGE_SIZES = (25, 50, 100, 200)
FACET_LIMIT = 30
CSV_COLUMNS = ("doc", "title", "url", "outlet", "date", "start", "end", "text", "checkworthy", "source",
               "source_canonical", "source_kind", "channel", "cue", "hedged", "boosted", "hedges")

TABLES = """
CREATE TABLE IF NOT EXISTS web_claims (
    claim_key INTEGER PRIMARY KEY, doc TEXT NOT NULL, title TEXT NOT NULL, url TEXT, outlet TEXT, date TEXT,
    channel TEXT, source TEXT, source_canonical TEXT, source_facet TEXT, kind TEXT NOT NULL, cue TEXT,
    hedged INTEGER NOT NULL, boosted INTEGER NOT NULL, checkworthy REAL NOT NULL, text TEXT NOT NULL,
    start INTEGER NOT NULL, end INTEGER NOT NULL, hedges TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS web_claim_tags (
    facet TEXT NOT NULL, value TEXT NOT NULL, claim_key INTEGER NOT NULL,
    PRIMARY KEY (facet, value, claim_key)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS web_claim_tags_claim ON web_claim_tags(claim_key, facet);
CREATE VIRTUAL TABLE IF NOT EXISTS web_claims_fts USING fts5(text, tokenize='unicode61 remove_diacritics 2');
CREATE VIRTUAL TABLE IF NOT EXISTS web_sources_fts USING fts5(source, tokenize='unicode61 remove_diacritics 2')
"""


# -- text folding and the query language ---------------------------------------------------------

def tokens(text: str) -> list[str]:
    """Words as FTS5's unicode61 tokenizer (remove_diacritics 2) sees them, lower case, variants folded."""
    flat = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    return [VARIANTS.get(w, w) for w in re.findall(r"[^\W_]+", flat.lower())]


def fold(text: str) -> str:
    """Text as indexed: its words (see ``tokens``) joined by spaces."""
    return " ".join(tokens(text))


@dataclass(frozen=True, slots=True)
class Term:
    """One search term: a phrase of one or more words; ``prefix`` when the last word ends in ``*``."""

    words: tuple[str, ...]
    prefix: bool = False


Query = tuple[tuple[Term, ...], ...]  # AND of groups, each an OR of terms


def parse_query(text: str, aliases: Mapping[str, list[tuple[str, ...]]] | None = None) -> Query:
    """Parse search text: words AND, ``OR`` between terms, ``"phrases"``, ``word*`` prefixes; aliases expand."""
    groups: list[list[Term]] = []
    pending_or = False
    for m in re.finditer(r'"([^"]*)"?|(\S+)', text[:400]):
        raw = m.group(0)
        if m.group(2) is not None and raw == "OR":
            pending_or = bool(groups)
            continue
        prefix = m.group(1) is None and raw.endswith("*")
        words = tuple(tokens(m.group(1) if m.group(1) is not None else raw))
        if not words:
            continue
        terms = [Term(words, prefix)]
        if aliases and not prefix:
            for alt in aliases.get(" ".join(words), []):
                if alt != words:
                    terms.append(Term(alt))
        if pending_or and groups:
            groups[-1].extend(terms)
        else:
            groups.append(terms)
        pending_or = False
        if len(groups) > 16:
            break
    return tuple(tuple(g) for g in groups)


def fts_match(query: Query) -> str:
    """The FTS5 MATCH expression for a parsed query (every word quoted, so no user text is syntax)."""
    def term(t: Term) -> str:
        return '"' + " ".join(t.words) + '"' + ("*" if t.prefix else "")
    return " AND ".join("(" + " OR ".join(term(t) for t in g) + ")" for g in query)


def query_json(query: Query) -> list[list[dict[str, Any]]]:
    """A parsed query as JSON (for the report's tests and the page's "searched for" line)."""
    return [[{"words": list(t.words), "prefix": t.prefix} for t in g] for g in query]


def alias_groups(packs: tuple[str, ...]) -> dict[str, list[tuple[str, ...]]]:
    """Folded alias -> every folded name of its actor or place (from the packs' actors.toml and gazetteer.tsv)."""
    from ..packs import load_toml, pack_dirs

    groups: list[list[str]] = []
    for data in load_toml(packs, "actors.toml"):
        for actor in data.get("actor", []):
            groups.append([actor.get("name", ""), *actor.get("aliases", [])])
    for d in pack_dirs(packs):
        path = d / "gazetteer.tsv"
        if not path.is_file():
            continue
        with path.open(encoding="utf-8") as fh:
            for row in csv.reader(fh, delimiter="\t"):
                if len(row) >= 2 and row[0] and not row[0].startswith("#"):
                    groups.append([row[0], *row[1].split("|")])
    out: dict[str, list[tuple[str, ...]]] = {}
    for names in groups:
        folded = list(dict.fromkeys(tuple(tokens(n)) for n in names if tokens(n)))
        for f in folded:
            if len(f) == 1 and len(f[0]) <= 2:  # "US", "IS": too ambiguous once folded to lower case
                continue
            known = out.setdefault(" ".join(f), [])
            known.extend(x for x in folded if x not in known and not (len(x) == 1 and len(x[0]) <= 2))
    return out


# -- filters -------------------------------------------------------------------------------------

@dataclass(slots=True)
class Explore:
    """One view of the claims explorer: searches, facet selections, date range, sort and page."""

    q: str = ""
    sq: str = ""
    selected: dict[str, str] = field(default_factory=dict)
    hedged: str = ""
    date_from: str = ""
    date_to: str = ""
    sort: str = "checkworthy"
    order: str = "desc"
    page: int = 1
    size: int = 50

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> Explore:
        """Read a view from query-string parameters, validating each value with a hint."""
        def get(name: str) -> str:
            return str(params.get(name, "") or "").strip()[:300]
        e = cls(q=get("q"), sq=get("sq"), hedged=get("hedged"), date_from=get("from"), date_to=get("to"))
        e.selected = {f: get(f) for f in FACETS if f != "month" and get(f)}
        if e.selected.get("kind") and e.selected["kind"] not in SOURCE_KINDS:
            raise UsageError(f"Unknown source kind {e.selected['kind']!r}. Use one of {', '.join(SOURCE_KINDS)}.",
                             Code.TW002)
        if e.hedged not in ("", "yes", "no"):
            raise UsageError(f"hedged must be 'yes' or 'no', not {e.hedged!r}.", Code.TW002)
        for name, value in (("from", e.date_from), ("to", e.date_to)):
            if value and not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", value):
                raise UsageError(f"{name}={value!r} is not a date. Use YYYY, YYYY-MM or YYYY-MM-DD.", Code.TW002)
        sort = get("sort") or "checkworthy"
        if sort not in SORTS:
            raise UsageError(f"sort={sort!r} is not a column. Use one of {', '.join(SORTS)}.", Code.TW002)
        e.sort = sort
        order = get("order") or SORT_DEFAULT_DIR.get(sort, "asc")
        if order not in ("asc", "desc"):
            raise UsageError(f"order={order!r}: use asc or desc.", Code.TW002)
        e.order = order
        from .readmodel import parse_page
        e.page = parse_page(params.get("page"))
        size = get("size") or "50"
        if not size.isdigit() or int(size) not in PAGE_SIZES:
            raise UsageError(f"size={size!r}: use one of {', '.join(map(str, PAGE_SIZES))}.", Code.TW002)
        e.size = int(size)
        return e

    def params(self, **change: Any) -> dict[str, str]:
        """The view as non-default query-string parameters, with ``change`` applied (None removes a key)."""
        out: dict[str, str] = {"q": self.q, "sq": self.sq, **self.selected, "hedged": self.hedged,
                               "from": self.date_from, "to": self.date_to}
        if self.sort != "checkworthy":
            out["sort"] = self.sort
        if self.order != SORT_DEFAULT_DIR.get(self.sort, "asc"):
            out["order"] = self.order
        if self.size != 50:
            out["size"] = str(self.size)
        if self.page > 1:
            out["page"] = str(self.page)
        for k, v in change.items():
            out[k] = "" if v is None else str(v)
        if "page" not in change and any(k != "page" for k in change):
            out.pop("page", None)  # a new filter starts at page 1
        return {k: v for k, v in out.items() if v}

    def slug(self) -> str:
        """A file-name form of the filters, e.g. ``claims_kind-anonymous_q-tanf``."""
        parts = [f"{k}-{v}" for k, v in self.params(page=None, size=None).items()]
        text = "_".join(["claims", *parts]) if parts else "claims_all"
        return re.sub(r"[^A-Za-z0-9_.-]+", "-", text)[:120].strip("-")


# -- building ------------------------------------------------------------------------------------

def first_line(text: str, limit: int = 120) -> str:
    """The first non-empty line of ``text``, cut at ``limit`` characters (a title for untitled documents)."""
    for line in text.splitlines():
        line = line.strip()
        if line:
            return line if len(line) <= limit else line[:limit - 1].rstrip() + "…"
    return ""


def readable_technique(label: str) -> str:
    """A SemEval technique label as words: 'Name_Calling,Labeling' -> 'Name calling, labeling'."""
    words = label.replace("_", " ").replace(",", ", ").replace("-", " ").strip()
    return words[:1].upper() + words[1:].lower()


def rebuild(conn: sqlite3.Connection) -> None:
    """Rebuild the explorer's derived tables from claims, tags and documents (inside the caller's transaction)."""
    for statement in TABLES.split(";"):
        if statement.strip():
            conn.execute(statement)
    for table in ("web_claims", "web_claim_tags", "web_claims_fts", "web_sources_fts"):
        conn.execute(f"DELETE FROM {table}")
    hedges: dict[int, list[str]] = {}
    for r in conn.execute("SELECT h.claim_key, h.kind, h.text FROM hedges h JOIN web_docs w USING (doc_key)"
                          " ORDER BY h.claim_key, h.start"):
        hedges.setdefault(r[0], []).append(f"{r[1]}: {r[2]}")
    rows = []
    fts_text = []
    fts_source = []
    tags: list[tuple[str, str, int]] = []
    for r in conn.execute(
            "SELECT c.claim_key, w.id, w.title, w.url, w.outlet, w.date, c.channel, c.source, c.source_canonical,"
            " coalesce(c.source_kind, 'unattributed'), c.cue, c.hedged, c.boosted, c.checkworthy, c.text,"
            " c.start, c.end FROM claims c JOIN web_docs w USING (doc_key) ORDER BY c.claim_key"):
        key = r[0]
        title = r[2] or r[1]  # web_docs already falls back to the first line of the text
        facet = r[8] or r[7]
        hs = hedges.get(key, [])
        rows.append((key, r[1], title, r[3], r[4], r[5], r[6], r[7], r[8], facet, r[9], r[10], r[11], r[12],
                     r[13], r[14], r[15], r[16], json.dumps(hs, ensure_ascii=False)))
        fts_text.append((key, fold(r[14])))
        if r[7] or r[8]:
            fts_source.append((key, fold(" ".join(x for x in (r[7], r[8]) if x))))
        for h in hs:
            tags.append(("hedge", h.split(": ", 1)[1].lower(), key))
    conn.executemany("INSERT INTO web_claims VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
    conn.executemany("INSERT INTO web_claims_fts(rowid, text) VALUES (?, ?)", fts_text)
    conn.executemany("INSERT INTO web_sources_fts(rowid, source) VALUES (?, ?)", fts_source)
    conn.executemany("INSERT OR IGNORE INTO web_claim_tags VALUES (?, ?, ?)", tags)
    for facet, table, column in (("actor", "actors", "actor"), ("place", "places", "name")):
        conn.execute(
            f"INSERT OR IGNORE INTO web_claim_tags SELECT '{facet}', m.{column}, c.claim_key FROM claims c"
            f" JOIN web_docs w USING (doc_key) JOIN {table} m ON m.doc_key = c.doc_key"
            " AND m.start < c.end AND m.end > c.start")
    techniques = conn.execute(
        "SELECT DISTINCT t.technique, c.claim_key FROM claims c JOIN web_docs w USING (doc_key)"
        " JOIN techniques t ON t.doc_key = c.doc_key AND t.start < c.end AND t.end > c.start").fetchall()
    conn.executemany("INSERT OR IGNORE INTO web_claim_tags VALUES ('technique', ?, ?)",
                     [(readable_technique(t), k) for t, k in techniques])
    # a narrative's members are claim spans (tracewire.corpus.narratives); its label names it in the facet
    conn.execute(
        "INSERT OR IGNORE INTO web_claim_tags SELECT 'narrative', n.label, c.claim_key FROM narrative_members m"
        " JOIN narratives n USING (narrative) JOIN web_docs w ON w.id = m.doc"
        " JOIN claims c ON c.doc_key = w.doc_key AND c.start = m.start AND c.end = m.end")


# -- querying ------------------------------------------------------------------------------------

def _where(e: Explore, aliases: Mapping[str, list[tuple[str, ...]]], skip: str = "") -> tuple[str, list[Any]]:
    """WHERE clause over ``web_claims c`` for a view; ``skip`` leaves one facet out (for its own counts)."""
    where: list[str] = []
    params: list[Any] = []
    for text, table in ((e.q, "web_claims_fts"), (e.sq, "web_sources_fts")):
        query = parse_query(text, aliases)
        if query:
            where.append(f"c.claim_key IN (SELECT rowid FROM {table} WHERE {table} MATCH ?)")
            params.append(fts_match(query))
        elif text.strip():
            where.append("0")  # a search of punctuation alone matches nothing, as FTS5 would
    for facet, value in e.selected.items():
        if facet == skip:
            continue
        if facet in TAG_FACETS:
            where.append("c.claim_key IN (SELECT claim_key FROM web_claim_tags WHERE facet = ? AND value = ?)")
            params.extend([facet, value])
        else:
            column = {"source": "source_facet"}.get(facet, facet)
            where.append(f"c.{column} = ?")
            params.append(value)
    if e.hedged:
        where.append("c.hedged = ?")
        params.append(1 if e.hedged == "yes" else 0)
    if e.date_from and skip != "month":  # the month facet counts under every filter but its own, the dates
        where.append("c.date >= ?")
        params.append(e.date_from)
    if e.date_to and skip != "month":
        where.append("substr(c.date, 1, ?) <= ?")
        params.extend([len(e.date_to), e.date_to])
    return (" WHERE " + " AND ".join(where)) if where else "", params


def _order(e: Explore) -> str:
    """ORDER BY for a view: the sort column (NULLs last either way), then claim key."""
    col = SORTS[e.sort]
    return f"c.{col} IS NULL, c.{col} {e.order.upper()}, c.claim_key"


def explore(conn: sqlite3.Connection, e: Explore, aliases: Mapping[str, list[tuple[str, ...]]],
            with_facets: bool = True) -> dict[str, Any]:
    """One page of a view with its total and, per facet, the top values with counts."""
    where, params = _where(e, aliases)
    total = conn.execute(f"SELECT count(*) FROM web_claims c{where}", params).fetchone()[0]
    rows = [_row(r) for r in conn.execute(
        f"SELECT c.* FROM web_claims c{where} ORDER BY {_order(e)} LIMIT ? OFFSET ?",
        (*params, e.size, (e.page - 1) * e.size))]
    out: dict[str, Any] = {"total": total, "page": e.page, "size": e.size,
                           "pages": max(1, -(-total // e.size)), "sort": e.sort, "order": e.order,
                           "params": e.params(), "claims": rows,
                           "query": query_json(parse_query(e.q, aliases)),
                           "source_query": query_json(parse_query(e.sq, aliases))}
    if with_facets:
        out["facets"] = facets(conn, e, aliases)
    return out


def facets(conn: sqlite3.Connection, e: Explore, aliases: Mapping[str, list[tuple[str, ...]]],
           limit: int = FACET_LIMIT) -> dict[str, dict[str, Any]]:
    """Per facet: the values with counts under every other filter (Datasette's facet semantics), top first."""
    out: dict[str, dict[str, Any]] = {}
    for facet in FACETS:
        where, params = _where(e, aliases, skip=facet)
        if facet in TAG_FACETS:
            sql = (f"SELECT t.value, count(*) FROM web_claim_tags t JOIN web_claims c USING (claim_key)"
                   f"{where.replace(' WHERE ', ' WHERE t.facet = ? AND ', 1) if where else ' WHERE t.facet = ?'}"
                   " GROUP BY 1 ORDER BY 2 DESC, 1")
            params = [facet, *params]
        else:
            column = {"source": "c.source_facet", "month": "substr(c.date, 1, 7)"}.get(facet, f"c.{facet}")
            sql = (f"SELECT {column}, count(*) FROM web_claims c{where}"
                   f"{' AND ' if where else ' WHERE '}{column} IS NOT NULL AND {column} != ''"
                   " GROUP BY 1 ORDER BY 2 DESC, 1")
            if facet == "month":
                sql = sql.replace("ORDER BY 2 DESC, 1", "ORDER BY 1")
        values = conn.execute(sql, params).fetchall()
        shown = values if facet == "month" else values[:limit]
        out[facet] = {"label": FACET_LABELS[facet], "values": [{"value": v, "count": n} for v, n in shown],
                      "distinct": len(values), "selected": e.selected.get(facet, "")}
    return out


def _row(r: sqlite3.Row) -> dict[str, Any]:
    """A web_claims row as a dict with its hedges decoded."""
    row = dict(r)
    row["hedges"] = json.loads(row["hedges"])
    return row


def iter_rows(conn: sqlite3.Connection, e: Explore, aliases: Mapping[str, list[tuple[str, ...]]]
              ) -> Iterator[dict[str, Any]]:
    """Every claim of a view in the view's order (for CSV export)."""
    where, params = _where(e, aliases)
    for r in conn.execute(f"SELECT c.* FROM web_claims c{where} ORDER BY {_order(e)}", params):
        yield _row(r)


def report_data(conn: sqlite3.Connection) -> dict[str, Any]:
    """Every claim for the static report: columnar facet data, display rows, and the search postings."""
    cols: dict[str, list[Any]] = {k: [] for k in ("key", "doc", "outlet", "date", "channel", "source", "kind",
                                                    "hedged", "checkworthy", "title")}
    dicts: dict[str, dict[str, int]] = {k: {} for k in ("doc", "outlet", "channel", "source", "kind", "title", "date",
                                                          "actor", "place", "technique", "hedge", "narrative")}

    def code(name: str, value: Any) -> int:
        if value is None:
            return -1
        d = dicts[name]
        if value not in d:
            d[value] = len(d)
        return d[value]

    rows: list[dict[str, Any]] = []
    ordinal: dict[int, int] = {}
    # ordinals follow the default view (most check-worthy first), so its first pages sit in the first shards
    for r in conn.execute("SELECT * FROM web_claims ORDER BY checkworthy DESC, claim_key"):
        ordinal[r["claim_key"]] = len(rows)
        cols["key"].append(r["claim_key"])
        for name, value in (("doc", r["doc"]), ("outlet", r["outlet"]), ("channel", r["channel"]),
                            ("source", r["source_facet"]), ("kind", r["kind"]), ("title", r["title"])):
            cols[name].append(code(name, value))
        cols["date"].append(code("date", r["date"]))
        cols["hedged"].append(r["hedged"])
        cols["checkworthy"].append(r["checkworthy"])
        rows.append({"k": r["claim_key"], "text": r["text"], "source": r["source"], "canonical": r["source_canonical"],
                     "cue": r["cue"], "url": r["url"], "start": r["start"], "end": r["end"],
                     "hedges": json.loads(r["hedges"]), "boosted": r["boosted"]})
    per_claim: dict[str, list[list[int]]] = {f: [[] for _ in rows] for f in TAG_FACETS}
    for r in conn.execute("SELECT facet, value, claim_key FROM web_claim_tags ORDER BY claim_key, facet, value"):
        if r[2] in ordinal:
            per_claim[r[0]][ordinal[r[2]]].append(code(r[0], r[1]))
    # tags as compressed rows: claim o has n[o] codes, the next ones in val (flat arrays parse and scan fast)
    tags: dict[str, dict[str, list[int]]] = {}
    for f, lists in per_claim.items():
        tags[f] = {"n": [len(codes) for codes in lists], "val": [c for codes in lists for c in codes]}
    postings: dict[str, dict[str, list[int]]] = {}
    for table, name in (("web_claims_fts", "text"), ("web_sources_fts", "source")):
        conn.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.{table}_v USING fts5vocab(main, {table}, 'instance')")
        index: dict[str, dict[int, list[int]]] = {}
        for term, doc, offset in conn.execute(f"SELECT term, doc, offset FROM temp.{table}_v"):
            o = ordinal.get(doc)
            if o is not None:
                index.setdefault(term, {}).setdefault(o, []).append(offset)
        conn.execute(f"DROP TABLE temp.{table}_v")
        postings[name] = {t: _pack(v) for t, v in sorted(index.items())}
    # each value's rank in SQLite's order (code points), so the browser sorts and breaks ties as the server does
    rank = {k: [0] * len(v) for k, v in dicts.items()}
    for k, v in dicts.items():
        for i, value in enumerate(sorted(v)):
            rank[k][v[value]] = i
    return {"cols": cols, "dicts": {k: list(v) for k, v in dicts.items()}, "rank": rank, "tags": tags, "rows": rows,
            "postings": postings}


def _pack(positions: dict[int, list[int]]) -> list[int]:
    """Postings of one term as a flat list: ordinal, number of positions, the positions; by ordinal."""
    out: list[int] = []
    for o in sorted(positions):
        offs = sorted(positions[o])
        out.extend([o, len(offs), *offs])
    return out


def place_months(conn: sqlite3.Connection) -> dict[str, dict[str, int]]:
    """Mentions of each resolved place per month (``YYYY-MM``) of its current documents' dates."""
    out: dict[str, dict[str, int]] = {}
    for name, month, n in conn.execute(
            "SELECT p.name, substr(w.date, 1, 7), count(*) FROM places p JOIN web_docs w USING (doc_key)"
            " WHERE p.lat IS NOT NULL AND p.lon IS NOT NULL AND w.date IS NOT NULL AND length(w.date) >= 7"
            " GROUP BY 1, 2"):
        out.setdefault(name, {})[month] = n
    return out


def claim_features(conn: sqlite3.Connection, doc_key: int) -> dict[int, list[str]]:
    """The check-worthiness model's features of each claim of one document (evidence panel), by claim key."""
    return {r[0]: json.loads(r[1] or "[]") for r in conn.execute(
        "SELECT claim_key, features FROM claims WHERE doc_key = ?", (doc_key,))}


# -- stories -------------------------------------------------------------------------------------

def story_list(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """Every story (reuse cluster) with its root's title, its outlets and its date range, largest first."""
    stories = {r["story_id"]: {**dict(r), "outlets": [], "first": None, "last": None, "titles": [], "docs": []}
               for r in conn.execute("SELECT s.story_id, s.root, s.size, coalesce(w.title, s.root) AS root_title,"
                                     " w.outlet AS root_outlet, w.date AS root_date FROM stories s"
                                     " LEFT JOIN web_docs w ON w.id = s.root ORDER BY s.size DESC, s.story_id")}
    for r in conn.execute("SELECT m.story_id, w.outlet, w.date, w.title, m.doc FROM story_members m"
                          " LEFT JOIN web_docs w ON w.id = m.doc ORDER BY m.story_id, m.depth, m.doc"):
        s = stories.get(r[0])
        if s is None:
            continue
        s["docs"].append(r[4])
        if r[1] and r[1] not in s["outlets"]:
            s["outlets"].append(r[1])
        if r[2]:
            s["first"] = min(s["first"] or r[2], r[2])
            s["last"] = max(s["last"] or r[2], r[2])
        if r[3]:
            s["titles"].append(r[3])
    return list(stories.values())


def story(conn: sqlite3.Connection, story_id: str) -> dict[str, Any]:
    """One story: members by date (title, outlet, link kind to their parent) and every reuse link among them."""
    s = conn.execute("SELECT story_id, root, size FROM stories WHERE story_id = ?", (story_id,)).fetchone()
    if s is None:
        raise KeyError(story_id)
    members = [dict(r) for r in conn.execute(
        "SELECT m.doc, m.parent, m.depth, w.title, w.outlet, w.date, w.url, d.text FROM story_members m"
        " LEFT JOIN web_docs w ON w.id = m.doc LEFT JOIN documents d ON d.doc_key = w.doc_key"
        " WHERE m.story_id = ?", (story_id,))]
    ids = [m["doc"] for m in members]
    marks = ",".join("?" * len(ids))
    links = [dict(r) for r in conn.execute(
        f"SELECT source, target, kind, direction_known, confidence, shared_words, passages, target_additions FROM reuse"
        f" WHERE source IN ({marks}) AND target IN ({marks})", (*ids, *ids))] if ids else []
    texts = {m["doc"]: m.pop("text") or "" for m in members}
    for m in members:
        m["title"] = m["title"] or first_line(texts[m["doc"]]) or m["doc"]
    by_pair = {(lk["source"], lk["target"]): lk for lk in links}
    for m in members:
        lk = by_pair.get((m["parent"], m["doc"])) or by_pair.get((m["doc"], m["parent"]))
        m["link_kind"] = lk["kind"] if lk else None
    for lk in links:
        lk["passages"] = json.loads(lk["passages"])
        lk["diff"] = word_diff(texts.get(lk["source"], ""), texts.get(lk["target"], ""), lk["passages"])
        target = texts.get(lk["target"], "")
        spans = [(int(a["start"]), int(a["end"])) if isinstance(a, dict) else (int(a[0]), int(a[1]))
                 for a in json.loads(lk.pop("target_additions") or "[]")]
        lk["additions"] = [target[a:b] for a, b in spans if b > a]
        del lk["passages"]
    members.sort(key=lambda m: (m["date"] is None, m["date"] or "", m["doc"]))
    return {"story_id": s["story_id"], "root": s["root"], "size": s["size"], "members": members,
            "links": sorted(links, key=lambda lk: -lk["shared_words"])}


def word_diff(source: str, target: str, passages: list[dict[str, Any]], context: int = 40,
              limit: int = 60) -> list[dict[str, str]]:
    """The word-level edits of a reuse link's passages, each with a little shared context before it."""
    out: list[dict[str, str]] = []
    for p in passages:
        for ed in p.get("edits", []):
            ss, se, ts, te = ed["source_start"], ed["source_end"], ed["target_start"], ed["target_end"]
            out.append({"op": ed["op"], "before": target[max(p["target_start"], ts - context):ts],
                        "removed": source[ss:se], "added": target[ts:te]})
            if len(out) >= limit:
                return out
    return out
