"""SQL of the narratives stage: its inputs (claims, spans, documents; the shared claim vectors are in
``vectors.py``), and the narratives, corroboration and contradictions it writes, with their exports and read models."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from typing import Any

Row = dict[str, Any]


def corpus_layers(conn: sqlite3.Connection) -> dict[str, list[Row]]:
    """Current documents, claims, actors, places and quantities, each ordered by document and offset."""
    out: dict[str, list[Row]] = {}
    out["documents"] = [dict(r) for r in conn.execute(
        "SELECT id, outlet, date, title, url FROM current_documents ORDER BY id")]
    out["claims"] = [dict(r) for r in conn.execute(
        "SELECT d.id AS doc, c.start, c.end, c.text, c.source, c.source_kind, c.source_canonical, c.channel, "
        "c.source_start, c.source_end, c.cue_start, c.cue_end "
        "FROM claims c JOIN current_documents d USING (doc_key) ORDER BY d.id, c.start, c.end")]
    out["actors"] = [dict(r) for r in conn.execute(
        "SELECT d.id AS doc, t.start, t.end, t.actor FROM actors t JOIN current_documents d USING (doc_key) "
        "ORDER BY d.id, t.start, t.actor")]
    out["places"] = [dict(r) for r in conn.execute(
        "SELECT d.id AS doc, t.start, t.end, t.mention, t.name, t.feature, t.lat, t.lon FROM places t "
        "JOIN current_documents d USING (doc_key) ORDER BY d.id, t.start")]
    out["quantities"] = [dict(r) for r in conn.execute(
        "SELECT d.id AS doc, t.start, t.end, t.text, t.value, t.category, t.qualifier FROM quantities t "
        "JOIN current_documents d USING (doc_key) ORDER BY d.id, t.start")]
    return out


def write_results(conn: sqlite3.Connection, narratives: Sequence[Row], corroboration: Sequence[Row],
                  contradictions: Sequence[Row]) -> None:
    """Replace every narrative, corroboration and contradiction row (records in their export shape)."""
    conn.execute("DELETE FROM contradictions")
    conn.execute("DELETE FROM corroboration")
    conn.execute("DELETE FROM narrative_members")
    conn.execute("DELETE FROM narratives")
    conn.executemany(
        "INSERT INTO narratives(narrative, label, size, record) VALUES (?, ?, ?, ?)",
        ((n["narrative"], n["label"], len(n["members"]), json.dumps(n, ensure_ascii=False)) for n in narratives))
    conn.executemany(
        "INSERT OR IGNORE INTO narrative_members(narrative, doc, start, end) VALUES (?, ?, ?, ?)",
        ((n["narrative"], m["doc"], m["start"], m["end"]) for n in narratives for m in n["members"]))
    conn.executemany(
        "INSERT INTO corroboration(narrative, record) VALUES (?, ?)",
        ((c["narrative"], json.dumps(c, ensure_ascii=False)) for c in corroboration))
    conn.executemany(
        "INSERT INTO contradictions(contradiction, a_doc, b_doc, rank, record) VALUES (?, ?, ?, ?, ?)",
        ((c["id"], c["a"]["doc"], c["b"]["doc"], k, json.dumps({x: v for x, v in c.items() if x != "id"},
                                                                 ensure_ascii=False))
         for k, c in enumerate(contradictions)))


# -- export records ---------------------------------------------------------------------------

def export_narratives(conn: sqlite3.Connection) -> Iterator[Row]:
    """Narratives by id."""
    for (record,) in conn.execute("SELECT record FROM narratives ORDER BY narrative"):
        yield json.loads(record)


def export_corroboration(conn: sqlite3.Connection) -> Iterator[Row]:
    """Corroboration of each narrative, by narrative id."""
    for (record,) in conn.execute("SELECT record FROM corroboration ORDER BY narrative"):
        yield json.loads(record)


def export_contradictions(conn: sqlite3.Connection) -> Iterator[Row]:
    """Contradictions, most telling first."""
    for (record,) in conn.execute("SELECT record FROM contradictions ORDER BY rank"):
        yield json.loads(record)


# -- read models of the report and web UI -----------------------------------------------------

def _titles(conn: sqlite3.Connection) -> dict[str, Row]:
    """Title, outlet and date of every current document, by id."""
    return {r["id"]: dict(r) for r in conn.execute("SELECT id, title, outlet, date FROM current_documents")}


def narratives_page(conn: sqlite3.Connection) -> Row:
    """Every narrative with its corroboration, most documents first."""
    corr = {n: json.loads(r) for n, r in conn.execute("SELECT narrative, record FROM corroboration")}
    items = []
    for nid, record in conn.execute("SELECT narrative, record FROM narratives ORDER BY size DESC, narrative"):
        items.append({"narrative": json.loads(record), "corroboration": corr.get(nid)})
    claims = conn.execute("SELECT COUNT(*) FROM claims c JOIN current_documents d USING (doc_key)").fetchone()[0]
    members = conn.execute("SELECT COUNT(*) FROM narrative_members").fetchone()[0]
    return {"items": items, "claims": claims, "clustered": members}


def narrative_view(conn: sqlite3.Connection, narrative: str) -> Row:
    """One narrative with its corroboration and each member's document and claim; KeyError when absent."""
    row = conn.execute("SELECT record FROM narratives WHERE narrative=?", (narrative,)).fetchone()
    if row is None:
        raise KeyError(narrative)
    rec = json.loads(row[0])
    corr = conn.execute("SELECT record FROM corroboration WHERE narrative=?", (narrative,)).fetchone()
    docs = _titles(conn)
    members = []
    for m in rec["members"]:
        claim = conn.execute(
            "SELECT c.text, c.source, c.source_kind, c.channel FROM claims c JOIN current_documents d "
            "USING (doc_key) WHERE d.id=? AND c.start=? AND c.end=?", (m["doc"], m["start"], m["end"])).fetchone()
        members.append({**m, **docs.get(m["doc"], {"title": None, "outlet": None, "date": None}),
                        "doc": m["doc"], "text": claim["text"] if claim else "",
                        "source": claim["source"] if claim else None,
                        "source_kind": claim["source_kind"] if claim else None,
                        "channel": claim["channel"] if claim else None})
    return {"narrative": rec, "corroboration": json.loads(corr[0]) if corr else None, "members": members}


def contradictions_page(conn: sqlite3.Connection, doc: str | None = None) -> list[Row]:
    """Contradictions (of one document, when given), most telling first, with both documents' metadata."""
    docs = _titles(conn)
    sql = "SELECT record FROM contradictions"
    params: tuple[Any, ...] = ()
    if doc is not None:
        sql += " WHERE a_doc=? OR b_doc=?"
        params = (doc, doc)
    out = []
    for (record,) in conn.execute(sql + " ORDER BY rank", params):
        c = json.loads(record)
        c["a_meta"] = docs.get(c["a"]["doc"], {})
        c["b_meta"] = docs.get(c["b"]["doc"], {})
        out.append(c)
    return out


def document_narratives(conn: sqlite3.Connection, doc: str) -> list[Row]:
    """Narratives that a document's claims belong to, with the claim spans, by first span."""
    rows = conn.execute(
        "SELECT m.narrative, m.start, m.end, n.label, n.size FROM narrative_members m "
        "JOIN narratives n USING (narrative) WHERE m.doc=? ORDER BY m.start, m.narrative", (doc,)).fetchall()
    by: dict[str, Row] = {}
    for r in rows:
        item = by.setdefault(r["narrative"], {"narrative": r["narrative"], "label": r["label"], "size": r["size"],
                                              "spans": []})
        item["spans"].append([r["start"], r["end"]])
    return list(by.values())
