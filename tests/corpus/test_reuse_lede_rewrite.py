"""A wire lede another outlet reworded (no run long enough for the anchors, 22+ words in order in short blocks, a
figure in common) is linked as a ``rewrite`` of that lede; two reports of one event written apart, naming the same
places, people and toll, are not; nor two outlets' ledes alike in words whose tolls differ."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracewire.corpus.reuse import ReuseConfig, find_reuse, update_reuse
from tracewire.records import Document
from tracewire.store.base import IngestBatch
from tracewire.store.sqlite import SQLiteStore

from .fixtures import OTHER, doc, join
from .test_widgets import ENDINGS

# a fictional agency's lede (our own words) and another outlet's rewording of it: the same facts in the same order,
# words swapped and clauses moved, no run of more than six words in common (27 in blocks of 2+)
WIRE_LEDE = ("At least 17 civilians, including five children, were killed on Sunday when government helicopters "
             "dropped barrel bombs on the village of Tell Maraq in the northern countryside of Hama, a monitoring "
             "group and local rescuers said, as fighting for the nearby highway entered its third week.")
REWORDED = ("On Sunday government helicopters hit the village of Tell Maraq with barrel bombs, killing at least 17 "
            "civilians, five of them children, in the countryside north of Hama, a monitoring group and rescuers "
            "said, while the fight for the nearby highway entered a third week.")
# the same event told by a second reporter: names, day and toll in common, not the phrasing
OWN_WORDS = ("Residents of Tell Maraq buried 17 of their neighbours on Monday. The funerals followed an air raid a "
             "day earlier that the villagers blame on helicopters of the Syrian army; five of the dead were "
             "children, said a doctor at the clinic that received the wounded in the north of Hama.")
# the agency's lede with another toll: alike in words, no figure in common (a day's report, not a copy)
OTHER_TOLL = WIRE_LEDE.replace("At least 17", "At least 9").replace("five children", "two children")


def _pair(first: str, second: str, date: str = "2019-05-13", outlet: str = "Coast Daily") -> list[Document]:
    """Two outlets' reports of one day opening with ``first`` / ``second``, other paragraphs after, and three
    unrelated articles (``date`` / ``outlet``: the second's)."""
    a = doc("a", join(first, OTHER[3], ENDINGS[3]), date="2019-05-12", outlet="Levant Wire")
    b = doc("b", join(second, OTHER[4], ENDINGS[4]), date=date, outlet=outlet)
    rest = [doc(f"o{k}", join(OTHER[k], ENDINGS[k]), outlet=f"Paper {k}") for k in range(3)]
    return [a, b, *rest]


def test_a_reworded_lede_with_a_figure_in_common_is_a_rewrite_link() -> None:
    docs = _pair(WIRE_LEDE, REWORDED)
    assert find_reuse(docs, ReuseConfig(lede_rewrite_words=0)) == []  # the anchors alone find nothing
    links = find_reuse(docs)
    assert [(lk.source, lk.target) for lk in links] in ([("a", "b")], [("b", "a")])
    lk = links[0]
    assert lk.kind == "rewrite" and lk.shared_words >= 22
    assert len(lk.passages) == 1 and lk.passages[0].edits
    src, tgt = (docs[0], docs[1]) if lk.source == "a" else (docs[1], docs[0])
    p = lk.passages[0]
    # the passage is the two ledes, from their first words in common (in order) to their last
    for text, start, end in ((src.text, p.source_start, p.source_end), (tgt.text, p.target_start, p.target_end)):
        assert end <= len(WIRE_LEDE) + 2 and "village of Tell Maraq" in text[start:end]
        assert text[start:end].endswith("third week")


def test_a_reworded_lede_is_linked_by_the_store_too(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "t.db")
    try:
        docs = _pair(WIRE_LEDE, REWORDED)
        store.write_ingest_batch(IngestBatch(documents=[(d, None, None) for d in docs[:1]]))
        update_reuse(store)
        store.write_ingest_batch(IngestBatch(documents=[(d, None, None) for d in docs[1:]]))
        # the rewording arrives later: compared with the old lede
        update_reuse(store)
        assert {frozenset((r["source"], r["target"])) for r in store.query("SELECT source, target FROM reuse")} == \
            {frozenset(("a", "b"))}
    finally:
        store.close()


def test_two_reports_of_one_event_in_their_own_words_are_not_linked() -> None:
    assert find_reuse(_pair(WIRE_LEDE, OWN_WORDS)) == []


def test_a_lede_alike_in_words_with_other_tolls_is_not_linked() -> None:
    assert find_reuse(_pair(WIRE_LEDE, OTHER_TOLL), ReuseConfig(min_anchors=10**6, short_min_anchors=10**6,
                                                               one_anchor_df=0)) == []


@pytest.mark.parametrize(("date", "outlet"), [("2019-05-25", "Coast Daily"), ("2019-05-13", "Levant Wire")])
def test_a_reworded_lede_weeks_apart_or_of_one_outlet_is_not_linked(date: str, outlet: str) -> None:
    """Only ledes of different outlets at most ``wire_days`` apart are compared."""
    assert find_reuse(_pair(WIRE_LEDE, REWORDED, date, outlet)) == []
