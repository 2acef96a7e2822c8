"""SQL of the fact-check tables: imported fact-checks, matches, reviews, stage state (vectors: store.vectors)."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

import numpy as np

from ..records import FactCheck, FactcheckMatch, Rejection, Review
from .base import Row, Store
from .vectors import Encode, cached_vectors, read_vectors


def _now() -> str:
    """Current UTC time as ISO 8601."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def record_sha(fc: FactCheck) -> str:
    """sha256 over every stored field of a fact-check: a changed record gets rewritten."""
    blob = json.dumps([fc.source, fc.claim_reviewed, fc.title, fc.rating, fc.url, fc.date, fc.author,
                       fc.claimant, fc.appearance, fc.language, fc.review_body, list(fc.keywords)], ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _factcheck(r: sqlite3.Row) -> FactCheck:
    """A FactCheck from a factchecks row."""
    return FactCheck(id=r["id"], source=r["source"], source_path=r["source_path"], row=r["row"],
                     claim_reviewed=r["claim_reviewed"], title=r["title"], rating=r["rating"], url=r["url"],
                     date=r["date"], author=r["author"], claimant=r["claimant"],
                     appearance=r["appearance"], language=r["language"],
                     review_body=r["review_body"], keywords=tuple(json.loads(r["keywords"])))


class FactcheckStore:
    """The fact-check tables of one SQLite store (reached with ``FactcheckStore.of(store)``)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    @classmethod
    def of(cls, store: Store) -> FactcheckStore:
        """The fact-check tables of ``store`` (a SQLite store)."""
        conn = getattr(store, "conn", None)
        if not isinstance(conn, sqlite3.Connection):
            raise TypeError(f"fact-checks need a SQLite store, got {type(store).__name__}; open one with open_store()")
        return cls(conn)

    def available(self) -> bool:
        """True when the store has the fact-check tables (a read-only store of an older schema has not)."""
        return self.conn.execute("SELECT 1 FROM sqlite_master WHERE name='factcheck_matches'").fetchone() is not None

    # -- fact-checks ------------------------------------------------------------------------
    def write(self, records: Sequence[FactCheck], rejections: Sequence[Rejection]) -> tuple[int, int, int]:
        """Insert new fact-checks, rewrite changed ones, record rejections; (new, changed, unchanged)."""
        new = changed = same = 0
        now = _now()
        with self.conn:
            self.conn.execute("BEGIN IMMEDIATE")
            for fc in records:
                sha = record_sha(fc)
                old = self.conn.execute("SELECT sha256 FROM factchecks WHERE id=?", (fc.id,)).fetchone()
                if old is not None and old[0] == sha:
                    same += 1
                    continue
                if old is None:
                    new += 1
                else:
                    changed += 1
                    self.conn.execute("DELETE FROM factchecks_fts WHERE id=?", (fc.id,))
                self.conn.execute(
                    "INSERT OR REPLACE INTO factchecks(id, source, source_path, row, claim_reviewed, title, rating,"
                    " url, date, author, claimant, appearance, language, review_body, keywords, sha256, imported_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (fc.id, fc.source, fc.source_path, fc.row, fc.claim_reviewed, fc.title, fc.rating, fc.url,
                     fc.date, fc.author, fc.claimant, fc.appearance, fc.language, fc.review_body,
                     json.dumps(list(fc.keywords), ensure_ascii=False), sha, now))
                self.conn.execute("INSERT INTO factchecks_fts(id, text) VALUES (?, ?)", (fc.id, fc.match_text))
            self.conn.executemany(
                "INSERT OR IGNORE INTO rejections(path, code, message, sha256, size, rejected_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                [(r.path, r.code, r.message, r.sha256, r.size, now) for r in rejections])
        return new, changed, same

    def count(self) -> int:
        """How many fact-checks are imported."""
        return int(self.conn.execute("SELECT COUNT(*) FROM factchecks").fetchone()[0])

    def factchecks(self, ids: Iterable[str] | None = None) -> list[FactCheck]:
        """Every fact-check (or those with ``ids``), ordered by id."""
        if ids is None:
            return [_factcheck(r) for r in self.conn.execute("SELECT * FROM factchecks ORDER BY id")]
        out = []
        for i in ids:
            r = self.conn.execute("SELECT * FROM factchecks WHERE id=?", (i,)).fetchone()
            if r is not None:
                out.append(_factcheck(r))
        return out

    def fingerprints(self) -> list[tuple[str, str]]:
        """(id, sha256) of every fact-check, ordered: what the matching stage depends on."""
        return [(r[0], r[1]) for r in self.conn.execute("SELECT id, sha256 FROM factchecks ORDER BY id")]

    def bm25(self, query: str, limit: int) -> list[tuple[str, float]]:
        """FTS5 BM25 hits for a MATCH expression: (fact-check id, score; higher is better)."""
        if not query:
            return []
        try:
            rows = self.conn.execute(
                "SELECT id, -bm25(factchecks_fts) FROM factchecks_fts WHERE factchecks_fts MATCH ?"
                " ORDER BY bm25(factchecks_fts) LIMIT ?", (query, limit)).fetchall()
        except sqlite3.OperationalError:  # a query FTS5 cannot parse: no lexical hits, dense still runs
            return []
        return [(r[0], float(r[1])) for r in rows]

    def fts_tokens(self) -> tuple[list[tuple[int, str]], list[tuple[str, int, int]], str]:
        """The full-text index as its tokenizer left it: (rowid, id) of each row, (term, rowid, offset) of
        each token, and the table's CREATE statement (renamed ``t``) to tokenize queries the same way."""
        sql = self.conn.execute("SELECT sql FROM sqlite_master WHERE name='factchecks_fts'").fetchone()[0]
        rows = [(int(r[0]), str(r[1])) for r in self.conn.execute("SELECT rowid, id FROM factchecks_fts ORDER BY rowid")]
        self.conn.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.factchecks_fts_tokens"
                          " USING fts5vocab(main, factchecks_fts, instance)")
        toks = [(str(r[0]), int(r[1]), int(r[2])) for r in self.conn.execute(
            "SELECT term, doc, offset FROM temp.factchecks_fts_tokens")]
        return rows, toks, sql.replace("factchecks_fts", "t", 1)

    # -- vectors (the shared claim_vectors table: tracewire.store.vectors) --------------------
    def vectors(self, shas: Sequence[str], model: str) -> dict[str, bytes]:
        """Stored vectors of these text hashes for ``model``."""
        return read_vectors(self.conn, shas, model)

    def vectors_for(self, texts: Sequence[str], encode: Encode | None = None, batch: int = 256
                    ) -> tuple[np.ndarray[Any, np.dtype[np.float32]], int]:
        """Sentence vectors of ``texts`` from the shared table, encoding only the missing ones; (matrix, new)."""
        return cached_vectors(self.conn, texts, encode, batch=batch)

    # -- claims the matcher reads ------------------------------------------------------------
    def claims(self, min_checkworthy: float) -> list[Row]:
        """Check-worthy claims of current documents: doc, start, end, text, date, outlet, actors, rules (the
        check-worthiness rules that fired: accusation, event, number ...)."""
        rows = [dict(r) for r in self.conn.execute(
            "SELECT d.id AS doc, d.date, d.outlet, d.title, c.doc_key, c.start, c.end, c.text, c.checkworthy,"
            " c.features"
            " FROM claims c JOIN current_documents d ON d.doc_key = c.doc_key"
            " WHERE c.checkworthy >= ? ORDER BY d.id, c.start", (min_checkworthy,))]
        actors: dict[int, list[tuple[int, int, str]]] = {}
        for k, s, e, a in self.conn.execute(
                "SELECT a.doc_key, a.start, a.end, a.actor FROM actors a JOIN current_documents d"
                " ON d.doc_key = a.doc_key"):
            actors.setdefault(k, []).append((s, e, a))
        for r in rows:
            r["actors"] = sorted({a for s, e, a in actors.get(r.pop("doc_key"), ()) if s >= r["start"] and e <= r["end"]})
            r["rules"] = sorted(f[5:] for f in json.loads(r.pop("features") or "[]") if f.startswith("rule:"))
        return rows

    def reuse_links(self) -> list[Row]:
        """Reuse links (source, target, kind, passages) the matcher inherits matches through."""
        cols = {r[1] for r in self.conn.execute("PRAGMA table_info(reuse)")}
        kind = "kind" if "kind" in cols else "'rewrite' AS kind"
        return [{"source": r[0], "target": r[1], "kind": r[2], "passages": json.loads(r[3])}
                for r in self.conn.execute(f"SELECT source, target, {kind}, passages FROM reuse ORDER BY source, target")]

    # -- matches ---------------------------------------------------------------------------
    def write_matches(self, matches: Sequence[FactcheckMatch]) -> None:
        """Replace every stored match with ``matches``."""
        with self.conn:
            self.conn.execute("BEGIN IMMEDIATE")
            self.conn.execute("DELETE FROM factcheck_matches")
            self.conn.executemany(
                "INSERT OR REPLACE INTO factcheck_matches(doc, start, end, factcheck, rank, score, evidence, via)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [(m.doc, m.start, m.end, m.factcheck, m.rank, m.score, json.dumps(list(m.evidence), ensure_ascii=False),
                  json.dumps(m.via) if m.via is not None else None) for m in matches])

    def clear_matches(self) -> int:
        """Drop every stored match (no fact-checks are imported); how many there were."""
        n = int(self.conn.execute("SELECT COUNT(*) FROM factcheck_matches").fetchone()[0])
        if n:
            with self.conn:
                self.conn.execute("BEGIN IMMEDIATE")
                self.conn.execute("DELETE FROM factcheck_matches")
        return n

    def match_rows(self) -> Iterator[Row]:
        """The ``factcheck_matches`` export records, by document, offset and rank."""
        for r in self.conn.execute("SELECT * FROM factcheck_matches ORDER BY doc, start, end, rank"):
            yield {"doc": r["doc"], "start": r["start"], "end": r["end"], "factcheck": r["factcheck"],
                   "rank": r["rank"], "score": r["score"], "evidence": json.loads(r["evidence"]),
                   "via": json.loads(r["via"]) if r["via"] else None}

    def export_rows(self) -> Iterator[Row]:
        """The ``factchecks`` export records, by id."""
        for fc in self.factchecks():
            yield {"id": fc.id, "source": fc.source, "claim_reviewed": fc.claim_reviewed, "rating": fc.rating,
                   "url": fc.url, "date": fc.date, "author": fc.author, "language": fc.language}

    def matches_for_doc(self, doc: str) -> list[Row]:
        """Matches of one document's claims with their fact-checks, by offset and rank."""
        return [dict(r, evidence=json.loads(r["evidence"]), via=json.loads(r["via"]) if r["via"] else None)
                for r in self.conn.execute(
                    "SELECT m.start, m.end, m.factcheck, m.rank, m.score, m.evidence, m.via, f.claim_reviewed,"
                    " f.title, f.rating, f.url, f.date, f.source, f.author FROM factcheck_matches m"
                    " JOIN factchecks f ON f.id = m.factcheck WHERE m.doc=? ORDER BY m.start, m.rank", (doc,))]

    def matches_by_factcheck(self) -> dict[str, list[Row]]:
        """Every match with its claim's document (outlet, date, title), grouped by fact-check id."""
        out: dict[str, list[Row]] = {}
        for r in self.conn.execute(
                "SELECT m.factcheck, m.doc, m.start, m.end, m.rank, m.score, m.via, d.outlet, d.date, d.title,"
                " substr(d.text, m.start + 1, m.end - m.start) AS text FROM factcheck_matches m"
                " LEFT JOIN current_documents d ON d.id = m.doc ORDER BY m.factcheck, d.date, m.doc, m.start"):
            row = dict(r)
            row["via"] = json.loads(row["via"]) if row["via"] else None
            out.setdefault(row.pop("factcheck"), []).append(row)
        return out

    def story_of(self) -> dict[str, str]:
        """Each document in a reuse story -> its story id."""
        return {r[0]: r[1] for r in self.conn.execute("SELECT doc, story_id FROM story_members")}

    # -- reviews ---------------------------------------------------------------------------
    def write_review(self, review: Review) -> None:
        """Keep (or replace) the reviewer's verdict on one claim span."""
        with self.conn:
            self.conn.execute("BEGIN IMMEDIATE")
            self.conn.execute(
                "INSERT OR REPLACE INTO reviews(doc, start, end, claim_text, rating, note, reviewer, reviewed_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (review.doc, review.start, review.end, review.claim_text, review.rating, review.note,
                 review.reviewer, review.reviewed_at))

    def reviews(self) -> list[Review]:
        """Every review, by document and offset."""
        return [Review(r["doc"], r["start"], r["end"], r["claim_text"], r["rating"], r["note"], r["reviewer"],
                       r["reviewed_at"]) for r in self.conn.execute("SELECT * FROM reviews ORDER BY doc, start, end")]

    def claim_span(self, doc: str, start: int, end: int) -> Row | None:
        """The claim at exactly this span of a current document, with the document's metadata."""
        r = self.conn.execute(
            "SELECT d.id AS doc, d.title, d.outlet, d.date, d.url, d.author, c.start, c.end, c.text FROM claims c"
            " JOIN current_documents d ON d.doc_key = c.doc_key WHERE d.id=? AND c.start=? AND c.end=?",
            (doc, start, end)).fetchone()
        return dict(r) if r is not None else None

    def review_rows(self) -> list[Row]:
        """Reviews with their document's metadata (title, outlet, date, url), by document and offset."""
        return [dict(r) for r in self.conn.execute(
            "SELECT r.*, d.title, d.outlet, d.date, d.url, d.author FROM reviews r"
            " LEFT JOIN current_documents d ON d.id = r.doc ORDER BY r.doc, r.start, r.end")]

