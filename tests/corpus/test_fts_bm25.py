"""The in-memory BM25 gives FTS5's own hits, scores and order."""

from __future__ import annotations

from pathlib import Path

from tracewire.corpus.factcheck import fts_query, query_words
from tracewire.records import FactCheck
from tracewire.store import open_store
from tracewire.store.factchecks import FactcheckStore
from tracewire.store.fts_bm25 import Bm25

CLAIMS = [
    "US forces trained Islamic State fighters at the al-Tanf base near the Jordanian border.",
    "The White Helmets staged the chemical attack in Douma for Western cameras.",
    "American helicopters evacuated ISIS commanders from Deir ez-Zor before the army arrived.",
    "The attacks on the convoy were staged; the convoy's drivers said nothing was attacked.",
    "Émigrés in Berlin said the referendum in Crimea was free and fair.",
    "Washington wants the Kurds to hold the oil fields east of the Euphrates.",
    "Al-Tanf is a US garrison; al Tanf's camp, Rukban, holds thousands of refugees.",
]
QUERIES = [
    "Washington is training ISIS militants in Al-Tanf to attack Syrian oil fields",
    "the chemical attacks were staged by the White Helmets",
    "emigres attacked the convoy",
    "nothing here matches zzz",
    "al-Tanf al-Tanf al-tanf oil",
]


def test_in_memory_bm25_equals_fts5(tmp_path: Path) -> None:
    """Same ids, same order and the same scores as FTS5's bm25() for OR-queries, phrases (al-Tanf) included."""
    store = open_store(tmp_path / "tw.db")
    fs = FactcheckStore.of(store)
    fs.write([FactCheck(id=f"t:{i}", source="t", source_path="t", claim_reviewed=c) for i, c in enumerate(CLAIMS)], [])
    bm = Bm25.from_instances(*fs.fts_tokens())
    for q in QUERIES:
        want = fs.bm25(fts_query(q), 5)
        got = bm.search(query_words(q), 5)
        assert [i for i, _ in got] == [i for i, _ in want], q
        assert all(abs(a - b) < 1e-9 for (_, a), (_, b) in zip(got, want, strict=True)), q
    assert bm.search(["zzz"], 5) == []
    store.close()
