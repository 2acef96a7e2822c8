"""Narratives, corroboration and contradictions on small inputs written here (vectors chosen by hand)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tracewire.corpus.contradictions import find_contradictions
from tracewire.corpus.corroboration import corroborate, figure, origins, quotations
from tracewire.corpus.narratives import (
    ClaimItem,
    NarrativeConfig,
    claim_items,
    cluster,
    content_words,
    jaccards,
    lexical,
    narrative_id,
    narratives_from,
)
from tracewire.errors import UsageError


def _unit(*xs: float) -> np.ndarray:
    """A unit vector padded to 8 dimensions."""
    v = np.zeros(8, dtype=np.float32)
    v[: len(xs)] = xs
    return v / np.linalg.norm(v)


def _item(doc: str, start: int, text: str, *ents: str) -> ClaimItem:
    """A claim item with the given entities."""
    return ClaimItem(doc, start, start + len(text), text, frozenset(ents), content_words(text))


ITEMS = [
    _item("a", 0, "American forces escorted militants to the Tanf zone", "a:United States", "p:Al-Tanf"),
    _item("b", 10, "US troops helped the fighters reach the desert base at Tanf", "a:United States", "p:Al-Tanf"),
    _item("c", 5, "Washington moved the detachment unseen across the desert", "a:United States"),
    _item("d", 0, "The price of bread rose again in the capital markets this week"),
    _item("e", 0, "A storm closed the port of Latakia for two days running"),
]
VECS = np.stack([_unit(1, 0.1), _unit(1, 0.2, 0.1), _unit(0.9, 0.3, 0.3), _unit(0, 0, 1), _unit(0, 0, 0, 1)])


def _ids(items: list[ClaimItem], vecs: np.ndarray) -> list[tuple[str, list[tuple[str, int, int]]]]:
    """Narrative ids and member keys of a clustering."""
    docs = {d: {"date": None, "outlet": d.upper()} for d in "abcde"}
    recs, _, _ = narratives_from(items, vecs, docs, {}, NarrativeConfig(), "test")
    return sorted((r["narrative"], [(m["doc"], m["start"], m["end"]) for m in r["members"]]) for r in recs)


def test_close_claims_cluster_and_outliers_stay_out() -> None:
    result = cluster(ITEMS, VECS)
    assert result.clusters == ((0, 1, 2),)
    assert result.outliers == (3, 4)


def test_ids_do_not_depend_on_input_order() -> None:
    order = [4, 2, 0, 3, 1]
    shuffled = [ITEMS[k] for k in order]
    assert _ids(ITEMS, VECS) == _ids(shuffled, VECS[order])
    (nid, members), = _ids(ITEMS, VECS)
    assert nid == narrative_id(members)


def test_average_linkage_does_not_chain() -> None:
    # a - b close, b - c close, a - c far: a chain, not one proposition
    items = [_item("a", 0, "one two three four five six"), _item("b", 0, "seven eight nine ten eleven twelve"),
             _item("c", 0, "alpha beta gamma delta epsilon zeta")]
    vecs = np.stack([_unit(1, 0), _unit(0.72, 0.69), _unit(0, 1)])
    result = cluster(items, vecs, NarrativeConfig(lex_weight=0.0, edge_min=0.7, merge_min=0.6))
    assert len(result.clusters) == 1 and len(result.clusters[0]) == 2


def test_pair_scores_at_once_equal_the_lexical_evidence_pair_by_pair() -> None:
    # cluster() scores all candidate pairs with sparse matrices; each must be lexical() to the last bit
    a, b = np.array([0, 0, 1, 2, 3], dtype=np.int64), np.array([1, 2, 2, 4, 4], dtype=np.int64)
    at_once = (0.5 * jaccards([it.entities for it in ITEMS], a, b) + 0.5 * jaccards([it.words for it in ITEMS], a, b))
    assert at_once.tolist() == [lexical(ITEMS[i], ITEMS[j]) for i, j in zip(a.tolist(), b.tolist(), strict=True)]
    assert at_once[3] == 0.0  # two claims with no entities and no shared word


def test_copies_alone_are_not_a_narrative() -> None:
    docs = {d: {"date": None, "outlet": None} for d in "ab"}
    links = [{"source": "a", "target": "b", "kind": "copy", "direction_known": True, "passages": [], "evidence": []}]
    orig = origins(links, {})
    recs, _, _ = narratives_from(ITEMS[:2], VECS[:2], docs, orig, NarrativeConfig(), "test")
    assert recs == []


def test_config_names_the_bad_value() -> None:
    with pytest.raises(UsageError, match="neighbours=0"):
        NarrativeConfig(neighbours=0)
    with pytest.raises(UsageError, match="event_days=-1"):
        NarrativeConfig(event_days=-1)


def _layers(claims: list[tuple[str, str]], dates: dict[str, str]) -> dict[str, list[dict[str, object]]]:
    """Corpus layers of one claim per document (the whole text), its killed figure and its place."""
    rows: dict[str, list[dict[str, object]]] = {"documents": [], "claims": [], "actors": [], "places": [],
                                               "quantities": []}
    for doc, text in claims:
        rows["documents"].append({"id": doc, "date": dates.get(doc), "outlet": doc.upper()})
        rows["claims"].append({"doc": doc, "start": 0, "end": len(text), "text": text})
        if "Aleppo" in text:
            at = text.index("Aleppo")
            rows["places"].append({"doc": doc, "start": at, "end": at + 6, "name": "Aleppo"})
        if "killed" in text:
            rows["quantities"].append({"doc": doc, "start": 0, "end": 5, "text": text[:5], "value": 5.0,
                                       "category": "killed"})
    return rows


def test_tolls_of_far_apart_days_are_different_events_and_stock_lines_are_not_clustered() -> None:
    layers = _layers([("a", "Five killed by rockets fired at Aleppo homes on Monday"),
                      ("b", "Five killed as rockets hit the homes of Aleppo on Monday"),
                      ("c", "Five killed by rocket fire on the houses of Aleppo"),
                      ("d", "The toll is expected to rise because many are badly hurt"),
                      ("e", "The death toll is likely to rise as many were badly hurt")],
                     {"a": "2016-10-03", "b": "2016-10-04", "c": "2016-11-20", "d": "2016-10-03", "e": "2016-10-04"})
    items, _ = claim_items(layers, NarrativeConfig())
    assert [it.doc for it in items] == ["a", "b", "c"]  # d and e name no actor or place
    assert items[0].event_day is not None and items[2].event_day - items[0].event_day == 48  # type: ignore[operator]
    vecs = np.stack([_unit(1, 0.1), _unit(1, 0.15), _unit(1, 0.12)])
    assert cluster(items, vecs).clusters == ((0, 1),)  # c is 48 days later: another attack
    assert cluster(items, vecs, NarrativeConfig(event_days=60)).clusters == ((0, 1, 2),)
    kept, _ = claim_items(layers, NarrativeConfig(need_entity=False))
    assert len(kept) == 5


def _claim(doc: str, start: int, source: str | None = None, kind: str = "unattributed",
           channel: str | None = None) -> dict[str, object]:
    """A member claim row."""
    return {"doc": doc, "start": start, "end": start + 40, "source": source, "source_kind": kind,
            "source_canonical": source, "channel": channel}


def test_relayed_local_sources_are_one_source_and_copies_collapse() -> None:
    links = [
        {"source": "w1", "target": "w2", "kind": "copy", "direction_known": True, "passages": [], "evidence": []},
        {"source": "w2", "target": "w3", "kind": "rewrite", "direction_known": True, "passages": [], "evidence": []},
    ]
    orig = origins(links, {})
    outlets = {f"o{k}": f"Outlet {k}" for k in range(10)} | {"w1": "Wire", "w2": "Paper", "w3": "Blog",
                                                             "sana": "SANA"}
    members = [_claim(f"o{k}", 0, "local sources", "anonymous", "Sputnik") for k in range(10)]
    members += [_claim(d, 100) for d in ("w1", "w2", "w3")]
    members += [_claim("sana", 0)]
    rec = corroborate("narrative-x", members, outlets, orig, {})
    assert rec["documents"] == 14 and rec["outlets"] == 14
    sources = {s["source"]: s for s in rec["independent_sources"]}
    assert set(sources) == {"Sputnik's local sources", "Wire", "SANA"}
    assert sources["Sputnik's local sources"]["channel"] == "Sputnik"
    assert sources["Wire"]["documents"] == ["w1", "w2", "w3"]
    why = {c["doc"]: (c["into"], c["why"]) for c in rec["collapsed"]}
    assert why["w2"] == ("w1", "copy") and why["w3"] == ("w1", "rewrite")
    assert why["o1"] == ("Sputnik's local sources", "attribution")
    text = figure(rec)
    assert text.startswith("asserted by 14 documents in 14 outlets, resting on 3 independent sources")
    assert "confirm" not in text


def test_shared_quotation_collapses_to_the_speaker() -> None:
    links = [{"source": "p", "target": "q", "kind": "shared_quotation", "direction_known": False,
              "passages": [{"source_start": 0, "source_end": 80, "target_start": 10, "target_end": 90, "edits": []}],
              "evidence": ["the shared text is quoted in both (the words of Rami Haddad): the common source ..."]}]
    rec = corroborate("n", [_claim("p", 0), _claim("q", 20)], {"p": "P", "q": "Q"}, origins(links, {}),
                      quotations(links))
    assert [(s["source"], s["kind"]) for s in rec["independent_sources"]] == [("Rami Haddad", "quoted_speaker")]
    assert rec["collapsed"] == [{"doc": "q", "into": "Rami Haddad", "why": "shared_quotation"}]


def test_a_rewrite_that_changed_a_number_is_flagged_first() -> None:
    # source "s": "At least 33 soldiers were killed near Palmyra." target "t": "...41 soldiers..."
    layers = {
        "claims": [{"doc": "s", "start": 0, "end": 46, "text": "At least 33 soldiers were killed near Palmyra.",
                    "source": None, "source_kind": "unattributed", "source_canonical": None, "channel": None},
                   {"doc": "t", "start": 0, "end": 37, "text": "41 soldiers were killed near Palmyra.",
                    "source": None, "source_kind": "unattributed", "source_canonical": None, "channel": None}],
        "quantities": [{"doc": "s", "start": 9, "end": 20, "text": "33 soldiers", "value": 33.0, "category": "killed",
                        "qualifier": "at least"},
                       {"doc": "t", "start": 0, "end": 11, "text": "41 soldiers", "value": 41.0, "category": "killed",
                        "qualifier": None}],
        "actors": [], "places": [{"doc": "s", "start": 38, "end": 45, "name": "Palmyra", "feature": "city"},
                                 {"doc": "t", "start": 29, "end": 36, "name": "Palmyra", "feature": "city"}],
    }
    links = [{"source": "s", "target": "t", "kind": "rewrite", "direction_known": True, "evidence": [],
              "passages": [{"source_start": 0, "source_end": 46, "target_start": 0, "target_end": 37,
                            "edits": [{"op": "sub", "source_start": 0, "source_end": 11, "target_start": 0,
                                       "target_end": 2}]}]}]
    docs = {"s": {"date": "2024-03-03", "outlet": "Wire"}, "t": {"date": "2024-03-04", "outlet": "Paper"}}
    vecs = np.stack([_unit(1, 0.1), _unit(1, 0.12)])
    index = {("s", 0, 46): 0, ("t", 0, 37): 1}
    found = find_contradictions(layers, links, docs, origins(links, {}), vecs, index)
    assert len(found) == 1  # the independent-texts route skips copies of one root
    c = found[0]
    assert c["reuse"] == {"source": "s", "target": "t", "kind": "rewrite"}
    assert c["evidence"][0].startswith("a rewrite changed a number: 'at least 33 soldiers' in s became '41 soldiers'")
    assert c["about"]["category"] == "killed" and c["about"]["place"] == "Palmyra"
    assert set(c) == {"id", "a", "b", "about", "kind", "reuse", "evidence"}


def test_independent_figures_of_one_event_contradict() -> None:
    layers = {
        "claims": [{"doc": "x", "start": 0, "end": 50, "text": "x", "source": "Ministry of Defence",
                    "source_kind": "government_body", "source_canonical": "Ministry of Defence", "channel": None},
                   {"doc": "y", "start": 0, "end": 50, "text": "y", "source": None, "source_kind": "unattributed",
                    "source_canonical": None, "channel": None}],
        "quantities": [{"doc": "x", "start": 0, "end": 11, "text": "33 soldiers", "value": 33.0,
                        "category": "killed", "qualifier": "at least"},
                       {"doc": "y", "start": 0, "end": 2, "text": "41", "value": 41.0, "category": "killed",
                        "qualifier": None}],
        "actors": [],
        "places": [{"doc": "x", "start": 30, "end": 37, "name": "Palmyra", "feature": "city"},
                   {"doc": "y", "start": 30, "end": 37, "name": "Palmyra", "feature": "city"}],
    }
    docs = {"x": {"date": "2024-03-03", "outlet": "Wire"}, "y": {"date": "2024-03-20", "outlet": "Bulletin"}}
    vecs = np.stack([_unit(1, 0.1), _unit(1, 0.3)])
    index = {("x", 0, 50): 0, ("y", 0, 50): 1}
    assert find_contradictions(layers, [], docs, {}, vecs, index) == []  # 17 days apart: another event
    docs["y"]["date"] = "2024-03-04"
    (c,) = find_contradictions(layers, [], docs, {}, vecs, index)
    assert (c["a"]["doc"], c["b"]["doc"], c["kind"], c["reuse"]) == ("x", "y", "quantity", None)
    assert c["a"]["source"] == "Ministry of Defence"
    assert any("lower bound" in e for e in c["evidence"])


def _two_reports(a: str, qa: str, b: str, qb: str, place: str = "Palmyra", feature: str = "city",
                 dates: tuple[str, str] = ("2024-03-03", "2024-03-04")) -> list[dict[str, Any]]:
    """Contradictions between two one-claim reports (the figure is the claim's first number and its noun)."""
    def doc(name: str, text: str, figure: str) -> dict[str, list[dict[str, Any]]]:
        start = text.index(figure)
        words = figure.split()
        return {"claims": [{"doc": name, "start": 0, "end": len(text), "text": text, "source": None,
                            "source_kind": "unattributed", "source_canonical": None, "channel": None}],
                "quantities": [{"doc": name, "start": start, "end": start + len(figure), "text": figure,
                                "value": float(words[0]), "category": "killed", "qualifier": None}],
                "places": [{"doc": name, "start": text.index(place), "end": text.index(place) + len(place),
                            "name": place, "feature": feature}], "actors": []}
    x, y = doc("x", a, qa), doc("y", b, qb)
    layers = {k: x[k] + y[k] for k in x}
    docs = {"x": {"date": dates[0], "outlet": "Wire"}, "y": {"date": dates[1], "outlet": "Bulletin"}}
    vecs = np.stack([_unit(1, 0.1), _unit(1, 0.12)])
    index = {("x", 0, len(a)): 0, ("y", 0, len(b)): 1}
    return find_contradictions(layers, [], docs, {}, vecs, index)


def test_figures_that_cannot_count_one_event_do_not_contradict() -> None:
    one = "33 soldiers were killed near Palmyra on Saturday."
    assert len(_two_reports(one, "33 soldiers", "41 soldiers died near Palmyra.", "41 soldiers")) == 1
    # other victims: children against a whole toll, civilians against soldiers
    assert _two_reports(one, "33 soldiers", "4 children died near Palmyra.", "4 children") == []
    assert _two_reports(one, "33 soldiers", "41 civilians died near Palmyra.", "41 civilians") == []
    # a running total, a part added to a toll told before, another scale, another day of the week
    assert _two_reports(one, "33 soldiers", "41 soldiers have died near Palmyra since 2015.", "41 soldiers") == []
    assert _two_reports(one, "33 soldiers", "41 soldiers were also killed near Palmyra.", "41 soldiers") == []
    assert _two_reports(one, "33 soldiers", "41 more soldiers died near Palmyra.", "41 more soldiers") == []
    assert _two_reports(one, "33 soldiers", "400 soldiers died near Palmyra.", "400 soldiers") == []
    assert _two_reports(one, "33 soldiers", "41 soldiers died near Palmyra on Sunday.", "41 soldiers") == []
    # a shared country ties nothing; documents 4 days apart tell another event
    assert _two_reports("33 soldiers were killed in Syria.", "33 soldiers", "41 soldiers died in Syria.",
                        "41 soldiers", place="Syria", feature="country") == []
    assert _two_reports(one, "33 soldiers", "41 soldiers died near Palmyra.", "41 soldiers",
                        dates=("2024-03-03", "2024-03-07")) == []


def test_a_pack_adds_contradiction_words_and_a_bad_list_names_the_fix(tmp_path: Path) -> None:
    from tracewire.corpus.contradictions import lexicon, victims

    assert victims({"text": "12 paramedics"}) == "generic" and victims({"text": "12 medics"}) == "medics"
    (tmp_path / "contradictions.toml").write_text('[victims]\ntrades = ["paramedics"]\n', encoding="utf-8")
    lex = lexicon([str(tmp_path)])
    assert victims({"text": "12 paramedics"}, lex) == "paramedics" and victims({"text": "4 children"}, lex) == "children"
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "contradictions.toml").write_text('weekdays = ["lundi", "mardi"]\n', encoding="utf-8")
    with pytest.raises(UsageError, match="TW002.*seven days"):
        lexicon([str(bad)])


def test_the_held_out_pairs_are_refused_under_the_test_run() -> None:
    from eval import narratives
    from eval.splits import HeldOutSplitError

    with pytest.raises(HeldOutSplitError, match="TW901"):
        narratives.pairs("heldout")
    assert narratives.pairs("dev")
