"""An edited copy of a passage that keeps one anchor of it (issue 10): when two other outlets print the passage
intact (a candidate pair through it), the rare anchor the three share proposes the edited copy too."""

from __future__ import annotations

import random
from dataclasses import replace
from pathlib import Path

from tracewire.corpus.reuse import ReuseConfig, find_reuse, index_texts, update_reuse
from tracewire.corpus.shingles import TokenHasher
from tracewire.store.base import IngestBatch
from tracewire.store.sqlite import SQLiteStore

from .fixtures import doc
from .test_short_passages import _article

PASSAGE = ("Divers searching the flooded quarry near Tamsel recovered a second rusted safe on Thursday afternoon, "
           "the county police said.")  # 19 words
EDITED = ("Divers searching the flooded quarry near Tamsel recovered several second rusted safe on Thursday nearby, "
          "the county police said.")  # two words changed: one anchor of the passage is left


def _corpus(intact: int = 2) -> list:  # type: ignore[type-arg]
    """``intact`` articles of different outlets that print the passage, one that prints it edited, twelve others."""
    rng = random.Random(20261129)
    docs = [doc("pass_a", _article(rng, 10, PASSAGE), outlet="alpha.example"),
            doc("pass_b", _article(rng, 12, PASSAGE), outlet="beta.example"),
            doc("pass_c", _article(rng, 11, EDITED), outlet="gamma.example")]
    docs = docs[2 - intact :] if intact < 2 else docs
    for k in range(12):
        docs.append(doc(f"other{k:02d}", _article(rng, 11), outlet=f"other{k}.example"))
    return docs


def _anchors(texts: list[str]) -> list[set[int]]:
    idx = index_texts(texts, TokenHasher(), ReuseConfig())
    return [set(idx.anchors[idx.owners == k].tolist()) for k in range(len(texts))]


def test_the_edited_copy_keeps_one_anchor() -> None:
    """The fixture tests the one-anchor path: the intact copies share four anchors or more, the edited one one."""
    a, b, c = _anchors([d.text for d in _corpus()[:3]])
    assert len(a & b) >= ReuseConfig().min_anchors and len(a & c) == 1 and len(b & c) == 1


def test_edited_copy_linked_through_the_anchor_the_intact_copies_confirm() -> None:
    """All three are linked; without the rule (``one_anchor_df`` 0) only the intact pair is."""
    docs = _corpus()
    assert {(lk.source, lk.target) for lk in find_reuse(docs)} == {
        ("pass_a", "pass_b"), ("pass_a", "pass_c"), ("pass_b", "pass_c")}
    assert {(lk.source, lk.target) for lk in find_reuse(docs, replace(ReuseConfig(), one_anchor_df=0))} == {
        ("pass_a", "pass_b")}


def test_one_shared_anchor_alone_is_no_candidate() -> None:
    """With one intact copy, nothing confirms the anchor the two share: no link (a 5-word overlap proves little)."""
    assert find_reuse(_corpus(intact=1)) == []


def test_one_anchor_incremental_equals_full(db_path: Path) -> None:
    """The edited copy added after the intact ones (their pair is old, not counted again) is linked as in a full run."""
    docs = _corpus()
    store = SQLiteStore(db_path)
    store.write_ingest_batch(IngestBatch(documents=[(d, None, None) for d in docs if d.id != "pass_c"]))
    update_reuse(store)
    store.write_ingest_batch(IngestBatch(documents=[(d, None, None) for d in docs if d.id == "pass_c"]))
    update_reuse(store)
    stored = {(r["source"], r["target"]) for r in store.query("SELECT source, target FROM reuse")}
    store.close()
    assert stored == {(lk.source, lk.target) for lk in find_reuse(docs)}
    assert ("pass_a", "pass_c") in stored
