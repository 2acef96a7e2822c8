"""update_reuse: incremental analysis against the SQLite store."""

from __future__ import annotations

import json
from pathlib import Path

from tracewire.corpus.reuse import find_reuse, update_reuse
from tracewire.records import Document
from tracewire.store.base import IngestBatch
from tracewire.store.sqlite import SQLiteStore

from .fixtures import EDITORIAL, OTHER, WIRE, doc, join


def _add(store: SQLiteStore, *docs: Document) -> None:
    """Write documents to the store as ingest would."""
    store.write_ingest_batch(IngestBatch(documents=[(d, None, None) for d in docs]))


def _links(store: SQLiteStore) -> set[tuple[str, str]]:
    """(source, target) of every stored reuse row."""
    return {(r["source"], r["target"]) for r in store.query("SELECT source, target FROM reuse")}


def test_incremental_runs_match_a_full_run(db_path: Path) -> None:
    """Adding documents compares only them, and ends where one full run would."""
    store = SQLiteStore(db_path)
    orig = doc("orig", join(*WIRE), date="2024-05-01")
    other = doc("other", join(*OTHER))
    _add(store, orig, other)
    first = update_reuse(store)
    assert (first.indexed, first.links, first.stories) == (2, 0, 0)

    copy = doc("copy", join(*WIRE[:3], EDITORIAL), date="2024-05-02")
    seen: list[tuple[int, int]] = []
    _add(store, copy)
    second = update_reuse(store, progress=lambda done, total: seen.append((done, total)))
    assert second.indexed == 1 and second.candidate_pairs == 1 and second.links == 1
    assert seen and seen[-1][0] == seen[-1][1]
    assert _links(store) == {("orig", "copy")}

    again = update_reuse(store)  # nothing new: nothing indexed, results kept
    assert again.indexed == 0 and again.links == 1

    row = store.query("SELECT * FROM reuse")[0]
    assert row["direction_known"] == 1
    passages = json.loads(row["passages"])  # the export contract: a list of objects
    assert passages and set(passages[0]) == {"source_start", "source_end", "target_start", "target_end"}
    assert any("2024-05-01" in e for e in json.loads(row["evidence"]))
    story = store.query("SELECT * FROM stories")[0]
    assert story["root"] == "orig" and story["size"] == 2
    members = {r["doc"]: r["parent"] for r in store.query("SELECT doc, parent FROM story_members")}
    assert members == {"orig": None, "copy": "orig"}

    full = find_reuse([orig, other, copy])
    assert {(lk.source, lk.target) for lk in full} == _links(store)
    store.close()


def test_new_version_drops_old_links(db_path: Path) -> None:
    """A changed document is re-indexed; its old links go, new ones are found."""
    store = SQLiteStore(db_path)
    _add(store, doc("orig", join(*WIRE), date="2024-05-01"), doc("copy", join(*WIRE[:4]), date="2024-05-02"))
    update_reuse(store)
    assert _links(store) == {("orig", "copy")}
    _add(store, doc("copy", join(*OTHER[:3]), date="2024-05-03"))  # same id, new text
    summary = update_reuse(store)
    assert summary.indexed == 1 and summary.removed == 1
    assert _links(store) == set()
    assert store.query("SELECT COUNT(*) AS n FROM stories")[0]["n"] == 0
    _add(store, doc("ferry", join(*OTHER[:2], "More sailings are planned."), date="2024-05-04"))
    update_reuse(store)
    assert _links(store) == {("copy", "ferry")}
    store.close()


def test_store_with_the_per_anchor_index_upgrades(db_path: Path) -> None:
    """A store written before migration 006 (one row per anchor) upgrades and rebuilds its reuse."""
    store = SQLiteStore(db_path)
    _add(store, doc("orig", join(*WIRE), date="2024-05-01"), doc("copy", join(*WIRE[:4]), date="2024-05-02"))
    update_reuse(store)
    # put the store back in its pre-006 shape, with a stale link the old index had produced
    with store.transaction() as c:
        c.execute("ALTER TABLE reuse_index_docs DROP COLUMN anchors")
        c.execute("CREATE TABLE reuse_anchors (hash INTEGER NOT NULL, doc TEXT NOT NULL, "
                  "PRIMARY KEY (hash, doc)) WITHOUT ROWID")
        c.execute("CREATE INDEX reuse_anchors_doc ON reuse_anchors(doc)")
        c.execute("INSERT INTO reuse_anchors VALUES (12345, 'orig'), (12345, 'copy')")
        c.execute("UPDATE reuse SET shared_words = 1")
        c.execute("DELETE FROM schema_migrations WHERE version = 6")
    store.close()

    store = SQLiteStore(db_path)  # applies 006 again
    tables = {r["name"] for r in store.query("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "reuse_anchors" not in tables
    assert store.query("SELECT COUNT(*) AS n FROM reuse")[0]["n"] == 0  # old results are not kept
    summary = update_reuse(store)
    assert summary.indexed == 2 and _links(store) == {("orig", "copy")}
    assert store.query("SELECT shared_words FROM reuse")[0]["shared_words"] > 100
    store.close()
