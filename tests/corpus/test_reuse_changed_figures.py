"""A casualty report copied by another outlet with its figures and its source changed stays linked, and the
changed figures are the link's edits; one agency's template filled for two events still makes no link."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tracewire.corpus.reuse import ReuseConfig, actor_names, filled_template, find_reuse, update_reuse
from tracewire.export import export_string
from tracewire.records import Document, ReuseLink
from tracewire.store.base import IngestBatch
from tracewire.store.sqlite import SQLiteStore
from tracewire.web.render import pair_marks, segments, segments_html

from .fixtures import OTHER, doc, join
from .test_widgets import ENDINGS

# a casualty report of a fictional strike (our own words), 131 words; the copying outlet changes its figures and
# the monitor it cites, the way one casualty figure changes from story to story
REPORT = ("Warplanes struck a crowded vegetable market in the rebel-held town of {town} in the south of "
          "Idlib province on Tuesday morning, killing at least {n} civilians, among them {c} children, the {src} "
          "said. The toll was likely to rise because {w} people were wounded, some of them critically, and several "
          "families were still searching for relatives under the rubble of shops and houses near the market. "
          "Rescue workers pulled bodies from the ruins for several hours after the strikes, and footage posted "
          "online showed smoke rising above the main street while residents carried the wounded to a field clinic. "
          "The town, held by rebel factions since 2012, has been hit repeatedly in recent weeks as the army pushes "
          "north towards the motorway linking Damascus and Aleppo.")
FIRST = {"town": "Kafranbel", "n": "23", "c": "seven", "w": "dozens of", "src": "Syrian Observatory"}
TWO = {**FIRST, "n": "31", "c": "nine", "src": "White Helmets"}  # two figures and the monitor
THREE = {**TWO, "w": "more than 60"}  # three figures and the monitor
ELSEWHERE = {**FIRST, "town": "Douma", "n": "31", "c": "nine"}  # the report filled for another town
ADDED = "Activists said the warplanes returned an hour later and hit the same street."


def _copied(fills: dict[str, str], added: str = "", actors: tuple[str, str] = ("the army", "the army")
            ) -> tuple[Document, Document, list[Document]]:
    """The report of one outlet, its copy by another with other fills (and a sentence added after the figures
    if given; ``actors``: who pushes north in each), and three unrelated articles."""
    a = doc("a", join(REPORT.format(**FIRST).replace("the army", actors[0]), OTHER[3]), date="2016-03-02",
            outlet="Levant Wire")
    copy = REPORT.format(**fills).replace("the army", actors[1])
    if added:
        copy = copy.replace(" The toll was", f" {added} The toll was")
    b = doc("b", join(copy, OTHER[4]), date="2016-03-02", outlet="Coast Daily")
    rest = [doc(f"o{k}", join(OTHER[k], ENDINGS[k]), outlet=f"Paper {k}") for k in range(3)]
    return a, b, [a, b, *rest]


def _edits(link: ReuseLink, a: Document, b: Document) -> set[tuple[str, str, str]]:
    """(op, words in a, words in b) of every edit of the link."""
    s, t = (a, b) if link.source == a.id else (b, a)
    out = {(e.op, s.text[e.source_start:e.source_end], t.text[e.target_start:e.target_end])
           for p in link.passages for e in p.edits}
    return out if link.source == a.id else {(op, y, x) for op, x, y in out}


def test_a_source_credited_on_both_sides_is_no_slot_of_a_template() -> None:
    """Other figures and another monitor ("the Syrian Observatory said" / "the White Helmets said") are a copy's
    edits, not a filled template (the rule before, ``sources`` off: one); a place replaced is still a slot."""
    w = re.compile(r"[^\W_]+").findall  # words as the stage reads them, punctuation left out
    first, two = w(REPORT.format(**FIRST)), w(REPORT.format(**TWO))
    assert filled_template(first, two)  # the rule before: two numbers and a name
    assert not filled_template(first, two, sources=True)
    assert not filled_template(first, w(REPORT.format(**THREE)), sources=True)
    assert filled_template(first, w(REPORT.format(**ELSEWHERE)), sources=True)
    assert not filled_template(w("killed 23 people on Monday according to the Syrian Observatory"),
                               w("killed 31 people on Monday according to the White Helmets"), sources=True)
    assert not filled_template(w("killed 23 people and five children said the Syrian Observatory"),
                               w("killed 31 people and six children said the White Helmets"), sources=True)
    assert filled_template(w("arrested 22 people in Velmora during a three day raid"),
                           w("arrested 145 people in Ostrev during a seven day raid"), sources=True)


def test_a_copied_casualty_report_with_two_figures_and_the_monitor_changed_stays_linked() -> None:
    """The copy keeps its link (before: dropped as a filled template), and the two figures and the monitor are
    its edits."""
    a, b, docs = _copied(TWO)
    assert find_reuse(docs, ReuseConfig(template_sources=False)) == []  # the rule before
    (link,) = find_reuse(docs)
    assert {link.source, link.target} == {"a", "b"}
    assert {("sub", "23", "31"), ("sub", "seven", "nine"), ("sub", "Syrian Observatory", "White Helmets")} <= \
        _edits(link, a, b)


def test_a_copied_casualty_report_with_three_figures_changed_stays_linked() -> None:
    """Three figures and the monitor changed: still one link, each change an edit (before: dropped)."""
    a, b, docs = _copied(THREE)
    assert find_reuse(docs, ReuseConfig(template_sources=False)) == []
    (link,) = find_reuse(docs)
    assert {("sub", "23", "31"), ("sub", "seven", "nine"), ("sub", "dozens of", "more than 60")} <= \
        _edits(link, a, b)


def test_a_copy_that_also_names_the_party_otherwise_stays_linked(monkeypatch: pytest.MonkeyPatch) -> None:
    """Figures and monitor changed, and "as Islamic State pushes north" printed "as Daesh pushes north": two
    names of one conflict actor (the Syria pack's aliases) are no slot, so the copy keeps its link (before:
    dropped)."""
    monkeypatch.setenv("TRACEWIRE_PACK", "syria")
    a, b, docs = _copied(TWO, actors=("Islamic State", "Daesh"))
    assert find_reuse(docs, ReuseConfig(template_actors=False)) == []
    (link,) = find_reuse(docs)
    assert {("sub", "Islamic State", "Daesh"), ("sub", "23", "31")} <= _edits(link, a, b)
    assert filled_template(["in", "Damascus", "killed", "22", "and", "three"], ["in", "Aleppo", "killed", "145", "and",
                           "seven"], sources=True, actors=actor_names(("syria",)))  # metonyms are places: slots


def test_the_report_filled_for_another_town_makes_no_link() -> None:
    """The same words with the figures and the town changed (the monitor kept) tell of another strike: one
    template filled twice, no link."""
    assert find_reuse(_copied(ELSEWHERE)[2]) == []
    assert len(find_reuse(_copied(ELSEWHERE)[2], ReuseConfig(template_fill=False))) == 1


def test_a_copied_casualty_report_with_a_sentence_added_stays_linked() -> None:
    """Three figures changed and a sentence added after them: linked, the changed figures are edits (the two
    passages the added sentence splits are shown as one: see the next test)."""
    a, b, docs = _copied(THREE, ADDED)
    (link,) = find_reuse(docs)
    assert {("sub", "23", "31"), ("sub", "dozens of", "more than 60")} <= _edits(link, a, b)


@pytest.mark.parametrize("added", ["", ADDED], ids=["copy", "sentence-added"])
def test_the_export_shows_the_changed_figures_as_edits(tmp_path: Path, added: str) -> None:
    """Through the store and the ``reuse`` export, the copy's passages carry the changed figures (with a sentence
    added after them too: before, "seven" / "nine" fell between two passages), and the pair view renders them."""
    a, b, docs = _copied(TWO, added)
    store = SQLiteStore(tmp_path / "tw.db")
    try:
        store.write_ingest_batch(IngestBatch(documents=[(d, None, None) for d in docs]))
        assert update_reuse(store).links == 1
        (rec,) = [json.loads(x) for x in export_string(store, "reuse").splitlines()]
        store.refresh_web_tables()
        pair = store.reuse_pair(rec["source"], rec["target"])
    finally:
        store.close()
    text = {"a": a.text, "b": b.text}
    got = {(e["op"], text[rec["source"]][e["source_start"]:e["source_end"]],
            text[rec["target"]][e["target_start"]:e["target_end"]]) for p in rec["passages"] for e in p["edits"]}
    if rec["source"] == "b":
        got = {(op, y, x) for op, x, y in got}
    assert {("sub", "23", "31"), ("sub", "seven", "nine")} <= got
    for side in ("source", "target"):  # the pair view's marks (as ``pair_context`` reads them), rendered
        html = str(segments_html(segments(pair[f"{side}_doc"]["text"], pair_marks(pair, side))))
        assert "edit: replaced" in html and ("edit: inserted by the target" in html) == bool(added and side == "target")


def test_a_sentence_added_after_the_figures_leaves_them_edits_of_one_passage() -> None:
    """The copy that adds a sentence after its changed figures: the two aligned passages are shown as one
    across the short gap, so the second figure and the monitor are ``sub`` edits and the added sentence an
    ``ins`` (before: they fell between the two passages, in no edit)."""
    a, b, docs = _copied(THREE, ADDED)
    (link,) = find_reuse(docs)
    got = _edits(link, a, b)
    assert {("sub", "23", "31"), ("sub", "seven", "nine"), ("sub", "Syrian Observatory", "White Helmets"),
            ("sub", "dozens of", "more than 60")} <= got
    assert ("ins", "", ADDED.rstrip(".")) in got
    # an edit, shown once: not also among the words the target added outside the shared passages
    added = b.text.index(ADDED)
    assert link.target == "b" and not any(s < added + len(ADDED) and added < e for s, e in link.target_additions)
    # one passage holds the changed figures before the added sentence, the sentence and the words after it
    assert any({e.op for e in p.edits} >= {"sub", "ins" if link.target == "b" else "del"} and len(p.edits) >= 4
               for p in link.passages)
