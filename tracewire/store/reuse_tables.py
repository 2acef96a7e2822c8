"""The reuse stage's tables in SQLite: its per-document anchor index, the links and the stories.

Rows here are the store's business; the reuse stage hands over and gets back records
(``ReuseLink``, ``Story``, ``IndexedDocument``) through ``Store`` methods.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from ..records import Edit, Passage, ReuseLink, Story
from .base import IndexedDocument

REUSE_COLS = ("source, target, direction_known, confidence, shared_words, source_coverage, "
              "target_coverage, passages, target_additions, source_cuts, evidence, kind")
REUSE_SLOTS = ",".join("?" * 12)

Finish = Callable[[list[ReuseLink]], tuple[list[ReuseLink], list[Story]]]


def passage_record(p: Passage) -> dict[str, object]:
    """A passage as stored and exported: its offsets and its word-level edits."""
    return {"source_start": p.source_start, "source_end": p.source_end,
            "target_start": p.target_start, "target_end": p.target_end,
            "edits": [{"op": e.op, "source_start": e.source_start, "source_end": e.source_end,
                       "target_start": e.target_start, "target_end": e.target_end} for e in p.edits]}


def link_to_row(lk: ReuseLink) -> tuple[object, ...]:
    """A ReuseLink as a row of the ``reuse`` table."""
    return (
        lk.source, lk.target, int(lk.direction_known), lk.confidence, lk.shared_words,
        lk.source_coverage, lk.target_coverage,
        json.dumps([passage_record(p) for p in lk.passages]),
        json.dumps([list(s) for s in lk.target_additions]),
        json.dumps([list(s) for s in lk.source_cuts]),
        json.dumps(list(lk.evidence), ensure_ascii=False),
        lk.kind,
    )


def _passage(p: Any) -> Passage:
    """A stored passage (an object, or a list from before edits were stored) as a Passage."""
    if isinstance(p, dict):
        edits = tuple(Edit(**e) for e in p.get("edits", []))
        return Passage(int(p["source_start"]), int(p["source_end"]), int(p["target_start"]),
                       int(p["target_end"]), edits)
    return Passage(int(p[0]), int(p[1]), int(p[2]), int(p[3]))


def row_to_link(row: Sequence[object]) -> ReuseLink:
    """A row of the ``reuse`` table (columns in ``REUSE_COLS`` order) as a ReuseLink."""
    (src, tgt, known, conf, shared, cov_s, cov_t, passages, adds, cuts, evidence, kind) = row
    return ReuseLink(
        source=str(src), target=str(tgt), direction_known=bool(known), confidence=float(str(conf)),
        shared_words=int(str(shared)), source_coverage=float(str(cov_s)), target_coverage=float(str(cov_t)),
        passages=tuple(_passage(p) for p in json.loads(str(passages))),
        target_additions=tuple((int(s), int(e)) for s, e in json.loads(str(adds))),
        source_cuts=tuple((int(s), int(e)) for s, e in json.loads(str(cuts))),
        evidence=tuple(json.loads(str(evidence))),
        kind=str(kind),
    )


def document_versions(conn: sqlite3.Connection) -> dict[str, tuple[str, str | None]]:
    """Every current document id -> (sha256, date)."""
    return {r[0]: (r[1], r[2]) for r in conn.execute("SELECT id, sha256, date FROM current_documents")}


def index_state(conn: sqlite3.Connection) -> dict[str, tuple[str, str]]:
    """Every indexed document id -> (sha256, furniture JSON) it was indexed with."""
    return {r[0]: (r[1], r[2]) for r in conn.execute("SELECT id, sha256, furniture FROM reuse_index_docs")}


def index_anchors(conn: sqlite3.Connection) -> Iterator[tuple[str, bytes]]:
    """(id, anchors BLOB) of every indexed document, ordered by id."""
    for doc_id, blob in conn.execute("SELECT id, anchors FROM reuse_index_docs ORDER BY id"):
        yield str(doc_id), bytes(blob)


def write_reuse(c: sqlite3.Connection, stale: Sequence[str], indexed: Iterable[IndexedDocument],
                links: Iterable[ReuseLink], finish: Finish, now: str) -> tuple[int, int]:
    """Drop ``stale`` documents from the index and links, add ``indexed`` and ``links``, then
    replace every link and story by what ``finish`` makes of all links; returns (links, stories)."""
    if stale:
        c.executemany("DELETE FROM reuse_index_docs WHERE id=?", [(x,) for x in stale])
        c.executemany("DELETE FROM reuse WHERE source=? OR target=?", [(x, x) for x in stale])
    c.executemany(
        "INSERT OR REPLACE INTO reuse_index_docs(id, sha256, words, indexed_at, anchors, furniture) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        ((d.id, d.sha256, d.words, now, d.anchors, d.furniture) for d in indexed),
    )
    c.executemany(f"INSERT OR REPLACE INTO reuse({REUSE_COLS}) VALUES ({REUSE_SLOTS})",
                  (link_to_row(lk) for lk in links))
    all_links = [row_to_link(tuple(r)) for r in c.execute(f"SELECT {REUSE_COLS} FROM reuse")]
    marked, stories = finish(all_links)
    if marked != all_links:
        c.execute("DELETE FROM reuse")
        c.executemany(f"INSERT OR REPLACE INTO reuse({REUSE_COLS}) VALUES ({REUSE_SLOTS})",
                      (link_to_row(lk) for lk in marked))
    _write_stories(c, stories)
    return len(marked), len(stories)


def clear_reuse(c: sqlite3.Connection) -> list[str]:
    """Empty the index, links and stories (a full recompute follows); returns the ids that were indexed."""
    gone = [str(r[0]) for r in c.execute("SELECT id FROM reuse_index_docs ORDER BY id")]
    c.execute("DELETE FROM reuse_index_docs")
    c.execute("DELETE FROM reuse")
    return gone


def _write_stories(c: sqlite3.Connection, stories: list[Story]) -> None:
    """Replace the ``stories`` and ``story_members`` rows."""
    c.execute("DELETE FROM story_members")
    c.execute("DELETE FROM stories")
    c.executemany(
        "INSERT INTO stories(story_id, root, size, tree) VALUES (?, ?, ?, ?)",
        (
            (s.story_id, s.root, len(s.members),
             json.dumps([{"doc": m.doc, "parent": m.parent, "depth": m.depth} for m in s.members]))
            for s in stories
        ),
    )
    c.executemany(
        "INSERT INTO story_members(story_id, doc, parent, depth) VALUES (?, ?, ?, ?)",
        ((s.story_id, m.doc, m.parent, m.depth) for s in stories for m in s.members),
    )
