"""update_reuse: incremental analysis against the SQLite store."""

from __future__ import annotations

import json
from pathlib import Path

from tracewire.corpus.reuse import find_reuse, update_reuse
from tracewire.records import Document
from tracewire.store.base import IngestBatch
from tracewire.store.sqlite import SQLiteStore

from .fixtures import EDITORIAL, FOOTER, OTHER, WIRE, doc, join


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
    assert passages and set(passages[0]) == {"source_start", "source_end", "target_start", "target_end", "edits"}
    assert row["kind"] in ("copy", "rewrite")
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


def _site(k: int, body: str, outlet: str = "Valley Courier") -> Document:
    """An article of one outlet: its own text, then the outlet's footer."""
    return doc(f"courier{k}", join(body, FOOTER), date=f"2024-05-{k + 1:02d}", outlet=outlet)


def test_furniture_learned_when_more_documents_of_an_outlet_arrive(db_path: Path) -> None:
    """Two articles of one outlet share its footer: nothing to learn it from yet (and too short to
    link two pages of one site); a third article shows it is furniture, learned for all three,
    masked for a copy by another outlet, and the result equals a full run."""
    store = SQLiteStore(db_path)
    a, b = _site(0, OTHER[0]), _site(1, WIRE[0])
    _add(store, a, b)
    update_reuse(store)
    assert _links(store) == set()
    assert store.query("SELECT COUNT(*) AS n FROM furniture WHERE spans != '[]'")[0]["n"] == 0

    c = _site(2, OTHER[3])
    _add(store, c)
    summary = update_reuse(store)
    spans = {r["id"]: json.loads(r["spans"]) for r in store.query("SELECT id, spans FROM furniture")}
    for d in (a, b, c):  # the footer of every article of the outlet, the old ones included
        ((s, e),) = spans[d.id]
        assert d.text[s:e] == FOOTER  # from its first word to its closing full stop
    assert _links(store) == set() and summary.stories == 0
    assert {(lk.source, lk.target) for lk in find_reuse([a, b, c])} == set()

    # a copy of one article by another outlet, footer and all, is still reuse of the article
    copy = doc("gazette", join(WIRE[0], WIRE[1], FOOTER), date="2024-06-01", outlet="Gazette")
    _add(store, copy)
    update_reuse(store)
    assert _links(store) == {(lk.source, lk.target) for lk in find_reuse([a, b, c, copy])} == {
        ("courier1", "gazette")}
    (row,) = store.query("SELECT passages FROM reuse")
    footer_at = b.text.index(FOOTER)
    assert all(p["source_end"] <= footer_at for p in json.loads(row["passages"]))  # the footer is not shared
    store.close()


def test_furniture_masked_for_the_per_document_components(db_path: Path) -> None:
    """analyze reads masked text: same offsets, the footer blanked; a new outlet article re-analyses the rest."""
    from tracewire.corpus.furniture import masked_documents, update_furniture

    store = SQLiteStore(db_path)
    docs = [_site(k, body) for k, body in enumerate((OTHER[0], WIRE[0], OTHER[3]))]
    _add(store, *docs[:2])
    _, changed = update_furniture(store)
    assert changed == ["courier0", "courier1"]  # new documents
    _add(store, docs[2])
    _, changed = update_furniture(store)
    assert changed == ["courier0", "courier1", "courier2"]  # their furniture is now known
    masked = {d.id: d.text for d in masked_documents(store, ["courier0", "courier2"])}
    for d in (docs[0], docs[2]):
        assert len(masked[d.id]) == len(d.text)
        assert FOOTER[:-1] not in masked[d.id]
        assert masked[d.id].strip() == d.text.replace(FOOTER, "").strip()
    assert update_furniture(store)[1] == []  # nothing new: nothing to redo
    store.close()


NOTICE = ("Copyright 2026 The Levant Wire Agency. All rights reserved. This material may not be published, "
          "broadcast, rewritten or redistributed.")


def test_another_method_indexes_everything_again(db_path: Path) -> None:
    """A store built by another method (other settings, an upgrade) is rebuilt whole, then runs incrementally.

    Two stories of two sites share only their agency's rights notice: linked with ``notice_rides`` off, not
    with it on. Changing the setting between runs ends where a full run with the new setting would, though
    no document changed; a store that kept no signature (made before the stage had one) is rebuilt once.
    """
    from tracewire.corpus.reuse import STAGE, ReuseConfig

    store = SQLiteStore(db_path)
    _add(store, doc("flood", join(WIRE[0], WIRE[2], NOTICE), outlet="site-a"),
         doc("ferry", join(OTHER[0], OTHER[1], NOTICE), outlet="site-b"),
         doc("third", join(OTHER[2], OTHER[3]), outlet="site-c"))
    old = ReuseConfig(notice_rides=False)
    first = update_reuse(store, config=old)
    assert not first.rebuilt and {frozenset(k) for k in _links(store)} == {frozenset(("flood", "ferry"))}
    assert not update_reuse(store, config=old).rebuilt  # same method: nothing to do

    now = update_reuse(store)  # the shipped settings: every document indexed again
    assert now.rebuilt and now.indexed == 3 and now.links == 0 and _links(store) == set()
    assert find_reuse(list(store.documents(["flood", "ferry", "third"]))) == []  # a full run
    again = update_reuse(store)
    assert not again.rebuilt and again.indexed == 0

    update_reuse(store, config=old)  # back: the notice links them again
    assert len(_links(store)) == 1
    store.conn.execute("DELETE FROM corpus_stage_state WHERE stage=?", (STAGE,))  # a store from before
    store.conn.commit()
    before = update_reuse(store)
    assert before.rebuilt and _links(store) == set()
    store.close()


def test_furniture_is_learned_again_once_when_its_method_changes(db_path: Path) -> None:
    """Other furniture settings (as an upgrade's other code would) learn every outlet again, once; a store
    that kept no furniture signature is learned again once too."""
    from tracewire.corpus.furniture import STAGE, FurnitureConfig, update_furniture

    store = SQLiteStore(db_path)
    _add(store, *(doc(f"c{k}", join(OTHER[k], FOOTER), outlet="courier") for k in range(4)),
         *(doc(f"h{k}", join(WIRE[k], FOOTER), outlet="herald") for k in range(3)))
    first, _ = update_furniture(store)
    assert first.groups_learned == 2
    assert update_furniture(store)[0].groups_learned == 0  # nothing new, same method
    other = FurnitureConfig(min_docs=4)
    assert update_furniture(store, other)[0].groups_learned == 2  # no document changed: every outlet again
    assert update_furniture(store, other)[0].groups_learned == 0
    store.conn.execute("DELETE FROM corpus_stage_state WHERE stage=?", (STAGE,))  # a store from before
    store.conn.commit()
    assert update_furniture(store, other)[0].groups_learned == 2
    store.close()
