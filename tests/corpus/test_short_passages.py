"""Short shared passages (issue 10): an edited 13-word run inside two otherwise different articles of two
outlets, or of two pages of no known outlet, links them; a 12-word stock phrase that many print does not."""

from __future__ import annotations

import random
from dataclasses import replace
from pathlib import Path

import numpy as np

from tracewire.corpus.reuse import ReuseConfig, find_reuse, index_texts, rarity, update_reuse
from tracewire.corpus.shingles import TokenHasher
from tracewire.store.base import IngestBatch
from tracewire.store.sqlite import SQLiteStore

from .fixtures import doc, join

# made-up words for the filler articles (so no two of them share a phrase by chance)
_SYL = ["ka", "lo", "mi", "ren", "tu", "vas", "pel", "dor", "si", "nab", "qui", "zet", "ol", "fra", "gum", "hex"]
VOCAB = [a + b + c for a in _SYL for b in _SYL for c in ("", "n", "s")]

RUN = "Inspectors from the capital will examine the damaged crane before the harbour reopens."  # 13 words
EDITED = "Inspectors from the capital will examine that damaged crane before the harbour reopens."  # one word changed
STOCK = "according to a statement released by the regional office late on Sunday"  # 12 words


def _article(rng: random.Random, sentences: int, insert: str | None = None) -> str:
    """Sentences of made-up words in two paragraphs, with ``insert`` as a sentence in the middle."""
    out = [" ".join(rng.choice(VOCAB) for _ in range(rng.randint(9, 14))).capitalize() + "." for _ in range(sentences)]
    if insert is not None:
        out.insert(sentences // 2, insert)
    half = len(out) // 2
    return join(" ".join(out[:half]), " ".join(out[half:]))


def _corpus(outlets: bool, quoted: bool = False) -> list:  # type: ignore[type-arg]
    """Two articles that share the (edited) run, twelve that share the stock phrase, ten others."""
    rng = random.Random(20261129)
    a, b = (f"\u201c{RUN[:-1]},\u201d the minister said.", f"Her spokesman added: \u201c{EDITED}\u201d") if quoted \
        else (RUN, EDITED)
    docs = [doc("run_a", _article(rng, 10, a), outlet="alpha.example" if outlets else None),
            doc("run_b", _article(rng, 12, b), outlet="beta.example" if outlets else None)]
    for k in range(12):
        stock = f"Prices of bread rose again, {STOCK}."
        docs.append(doc(f"stock{k:02d}", _article(rng, 9, stock), outlet=f"stock{k}.example" if outlets else None))
    for k in range(10):
        docs.append(doc(f"other{k:02d}", _article(rng, 11), outlet=f"other{k}.example" if outlets else None))
    return docs


def test_the_run_holds_fewer_anchors_than_min_anchors() -> None:
    """The fixture tests the short path: the two articles share fewer anchors than a pair needs otherwise."""
    cfg = ReuseConfig()
    docs = _corpus(True)
    idx = index_texts([docs[0].text, docs[1].text], TokenHasher(), cfg)
    shared = np.intersect1d(idx.anchors[idx.owners == 0], idx.anchors[idx.owners == 1])
    assert cfg.short_min_anchors <= shared.shape[0] < cfg.min_anchors


def test_edited_short_run_across_outlets_links_and_stock_phrase_does_not() -> None:
    """Only the two articles that share the 13-word run are linked, with the run as their passage."""
    links = find_reuse(_corpus(True))
    assert [(lk.source, lk.target) for lk in links] == [("run_a", "run_b")]
    p = links[0].passages[0]
    text = _corpus(True)[0].text
    assert "examine" in text[p.source_start : p.source_end] and links[0].kind == "rewrite"


def test_short_run_between_pages_of_no_known_outlet() -> None:
    """Pages of no known outlet are each their own outlet for the short path: the run they share links them,
    while the stock phrase that twelve of them print stays too common to make a link."""
    links = find_reuse(_corpus(False))
    assert [(lk.source, lk.target) for lk in links] == [("run_a", "run_b")]


def test_rarity_counts_marked_seeds_as_rare() -> None:
    """Seeds in a few documents of a small share of outlets weigh 1; the others keep log(N / df) / log(N / 2)."""
    df = np.array([2, 4, 4, 500], dtype=np.int64)
    w = rarity(df, 10_000, np.array([False, True, False, False]))
    assert w[0] == 1.0 and w[1] == 1.0 and 0.9 < w[2] < 0.93 and w[3] < 0.4


def test_short_path_incremental_equals_full(db_path: Path) -> None:
    """Added in two batches, the short run's second article is compared with the first as a full run would."""
    docs = _corpus(True)
    store = SQLiteStore(db_path)
    store.write_ingest_batch(IngestBatch(documents=[(d, None, None) for d in docs[1:]]))
    update_reuse(store)
    store.write_ingest_batch(IngestBatch(documents=[(docs[0], None, None)]))
    update_reuse(store)
    stored = {(r["source"], r["target"]) for r in store.query("SELECT source, target FROM reuse")}
    store.close()
    assert stored == {(lk.source, lk.target) for lk in find_reuse(docs)} == {("run_a", "run_b")}


def test_short_quotation_months_apart_is_no_candidate() -> None:
    """The run quoted in both links two reports of one week; a month apart, a 13-word quotation is a formula."""
    docs = _corpus(True, quoted=True)
    near = [replace(docs[0], date="2024-03-01"), replace(docs[1], date="2024-03-03"), *docs[2:]]
    assert [lk.kind for lk in find_reuse(near)] == ["shared_quotation"]
    apart = [replace(docs[0], date="2024-03-01"), replace(docs[1], date="2024-04-02"), *docs[2:]]
    assert find_reuse(apart) == []
