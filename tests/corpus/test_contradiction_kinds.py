"""Contradictions of kind ``date`` and ``place`` on two-report corpora written here (vectors chosen by hand)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tracewire.corpus.contradictions import event_date, find_contradictions, lexicon
from tracewire.corpus.corroboration import origins
from tracewire.errors import UsageError

# gazetteer points of the places used below (name, feature, lat, lon)
PLACES = {"Saraqib": ("town", 35.864, 36.806), "Jisr al-Shughur": ("town", 35.812, 36.317),
          "Idlib province": ("governorate", 35.8, 36.6), "Idlib": ("city", 35.931, 36.634),
          "Sarmin": ("town", 35.903, 36.725)}
LEX = lexicon(["syria"])


def _doc(name: str, text: str, figure: str, place: str, date: str) -> dict[str, list[dict[str, Any]]]:
    """One report: its single claim, its killed figure, the army as actor, and one place."""
    feature, lat, lon = PLACES[place]
    at, fig = text.index(place), text.index(figure)
    resolved = "Idlib Governorate" if feature == "governorate" else place
    return {"documents": [{"id": name, "date": date, "outlet": name.upper()}],
            "claims": [{"doc": name, "start": 0, "end": len(text), "text": text, "source": None,
                        "source_kind": "unattributed", "source_canonical": None, "channel": None}],
            "quantities": [{"doc": name, "start": fig, "end": fig + len(figure), "text": figure,
                            "value": float(figure.split()[0]), "category": "killed", "qualifier": None}],
            "actors": [{"doc": name, "start": text.index("army"), "end": text.index("army") + 4, "actor": "Syrian Army"}],
            "places": [{"doc": name, "start": at, "end": at + len(place), "mention": place, "name": resolved,
                        "feature": feature, "lat": lat, "lon": lon}]}


def _pair(a: tuple[str, str, str, str], b: tuple[str, str, str, str],
          links: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """Contradictions between report x (text, figure, place, date) and report y."""
    x, y = _doc("x", *a), _doc("y", *b)
    layers = {k: x[k] + y[k] for k in x}
    docs = {d["id"]: d for d in layers["documents"]}
    vecs = np.stack([np.array([1, 0.1], dtype=np.float32), np.array([1, 0.12], dtype=np.float32)])
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    index = {("x", 0, len(a[0])): 0, ("y", 0, len(b[0])): 1}
    return find_contradictions(layers, links or [], docs, origins(links or [], {}), vecs, index, lex=LEX)


def test_one_attack_on_two_dates_is_a_date_contradiction_with_the_dates_resolved() -> None:
    a = ("On Tuesday the army shelled Saraqib and 12 people were killed.", "12 people", "Saraqib", "2024-03-14")
    b = ("12 people were killed when the army shelled Saraqib on 10 March.", "12 people", "Saraqib", "2024-03-13")
    (c,) = _pair(a, b)
    assert c["kind"] == "date" and (c["a"]["doc"], c["b"]["doc"]) == ("y", "x") and c["reuse"] is None
    assert c["evidence"][0] == ("date: A (y) '10 March' = Sunday 10 March 2024 (article 2024-03-13); "
                                "B (x) 'Tuesday' = Tuesday 12 March 2024 (article 2024-03-14): 2 day(s) apart for one event")
    # when the report was made is no event date; one weekday named in both is the same words
    said = ("12 people were killed when the army shelled Saraqib, activists said on Sunday.", "12 people", "Saraqib",
            "2024-03-13")
    assert _pair(a, said) == []
    same_words = ("On Tuesday the army shelled Saraqib, and 12 people were killed.", "12 people", "Saraqib",
                  "2024-03-19")
    assert _pair(a, same_words) == []
    # other figures on other days are other attacks, not a date contradiction
    other = ("On Sunday the army shelled Saraqib and 30 people were killed.", "30 people", "Saraqib", "2024-03-13")
    assert _pair(a, other) == []


def test_one_attack_in_two_far_towns_is_a_place_contradiction() -> None:
    a = ("On Tuesday the army shelled Saraqib and 12 people were killed.", "12 people", "Saraqib", "2024-03-12")
    b = ("On Tuesday the army shelled Jisr al-Shughur and 12 people were killed.", "12 people", "Jisr al-Shughur",
         "2024-03-13")
    (c,) = _pair(a, b)
    assert c["kind"] == "place" and c["about"]["actors"] == ["Syrian Army"]
    assert c["evidence"][0].startswith("place: A (x) names Saraqib (town); B (y) names Jisr al-Shughur (town): 44 km")
    near = ("On Tuesday the army shelled Sarmin and 12 people were killed.", "12 people", "Sarmin", "2024-03-13")
    assert _pair(a, near) == []  # 10 km apart: one area
    # a place "near" which it happened is not where it happened
    vague = ("On Tuesday the army shelled a village near Jisr al-Shughur and 12 people were killed.", "12 people",
             "Jisr al-Shughur", "2024-03-13")
    assert _pair(a, vague) == []


def test_a_town_and_its_governorate_do_not_contradict() -> None:
    a = ("On Tuesday the army shelled Saraqib and 12 people were killed.", "12 people", "Saraqib", "2024-03-12")
    province = ("On Tuesday the army shelled Idlib province and 12 people were killed.", "12 people",
                "Idlib province", "2024-03-13")
    assert _pair(a, province) == []
    # "Idlib" alone may be the city or its province: it places no attack precisely
    bare = ("On Tuesday the army shelled Idlib and 12 people were killed.", "12 people", "Idlib", "2024-03-13")
    assert _pair(a, bare) == []


def test_a_rewrite_that_changed_the_place_is_flagged() -> None:
    a = ("On Tuesday the army shelled Saraqib and 12 people were killed.", "12 people", "Saraqib", "2024-03-12")
    b = ("On Tuesday the army shelled Jisr al-Shughur and 12 people were killed.", "12 people", "Jisr al-Shughur",
         "2024-03-13")
    links = [{"source": "x", "target": "y", "kind": "rewrite", "direction_known": True, "evidence": [],
              "passages": [{"source_start": 0, "source_end": len(a[0]), "target_start": 0, "target_end": len(b[0]),
                            "edits": [{"op": "sub", "source_start": 28, "source_end": 35, "target_start": 28,
                                       "target_end": 43}]}]}]
    (c,) = _pair(a, b, links)  # the independent route skips copies of one root
    assert c["kind"] == "place" and c["reuse"] == {"source": "x", "target": "y", "kind": "rewrite"}
    assert c["evidence"][0].startswith("a rewrite changed a place: Saraqib (town) in x became Jisr al-Shughur (town)")


def test_event_dates_resolve_against_the_article() -> None:
    from datetime import date

    def day(text: str, article: date | None = date(2024, 1, 3)) -> date | None:
        e = event_date({"text": text, "start": 0}, article, LEX)
        return e.day if e else None

    assert day("Five were killed on 28 December.") == date(2023, 12, 28)  # a January article: last year
    assert day("Five were killed yesterday.") == date(2024, 1, 2)
    assert day("Five were killed on Monday, 1 January.") == date(2024, 1, 1)
    assert day("Five were killed on Monday and six on Tuesday.") is None  # two dates: none is the event's
    assert day("Five were killed on Monday.", None) is None  # undated article: a weekday cannot be resolved
    assert day("Officials may 12 times have lied.") is None


def test_a_pack_with_a_bad_month_list_names_the_fix(tmp_path: Path) -> None:
    (tmp_path / "contradictions.toml").write_text('months = [["janvier"], ["fevrier"]]\n', encoding="utf-8")
    with pytest.raises(UsageError, match="TW002.*twelve months"):
        lexicon([str(tmp_path)])


def _said(name: str, text: str, source: str, date: str) -> dict[str, list[dict[str, Any]]]:
    """One report: a claim attributed to ``source`` (at its start) naming the army."""
    army = text.index("army")
    return {"documents": [{"id": name, "date": date, "outlet": name.upper()}],
            "claims": [{"doc": name, "start": 0, "end": len(text), "text": text, "source": source,
                        "source_kind": "anonymous", "source_canonical": source, "channel": None,
                        "source_start": 0, "source_end": len(source)}],
            "quantities": [], "places": [],
            "actors": [{"doc": name, "start": army, "end": army + 4, "actor": "Syrian Army"}]}


def _facts(a: tuple[str, str, str], b: tuple[str, str, str]) -> list[dict[str, Any]]:
    """Contradictions between report x (text, source, date) and report y."""
    x, y = _said("x", *a), _said("y", *b)
    layers = {k: x[k] + y[k] for k in x}
    docs = {d["id"]: d for d in layers["documents"]}
    return find_contradictions(layers, [], docs, {}, np.zeros((0, 2), dtype=np.float32), {}, lex=LEX)


def test_a_denial_of_what_another_source_accuses_is_a_fact_contradiction() -> None:
    deny = ("The army denied using chemical weapons in the attack on Saraqib.", "The army", "2024-03-12")
    accuse = ("Activists accused the army of using chemical weapons in the attack on Saraqib.", "Activists",
              "2024-03-11")
    (c,) = _facts(deny, accuse)
    assert c["kind"] == "fact" and (c["a"]["doc"], c["b"]["doc"]) == ("y", "x")
    assert c["evidence"][0] == ("fact: x tells a denial ('denied using'; the claim's source: The army) of what y "
                                "(Activists) accuses Syrian Army of ('accused')")
    assert c["evidence"][1] == "the same words on what happened: attack, chemical, saraqib, using, weapons"
    assert c["about"]["actors"] == ["Syrian Army"]
    # the accused accusing others, an accusation told as a pretext, an earlier year, another matter
    assert _facts(deny, ("The army accused the rebels of using chemical weapons in Saraqib.", "The army",
                         "2024-03-11")) == []
    assert _facts(deny, ("It is a pretext for accusing the army of using chemical weapons in Saraqib.", "Editors",
                         "2024-03-11")) == []
    assert _facts(deny, ("Activists accused the army of using chemical weapons in Saraqib in 2014.", "Activists",
                         "2024-03-11")) == []
    assert _facts(deny, ("Activists accused the army of looting shops.", "Activists", "2024-03-11")) == []
    # "deny the rebels the ability" denies no claim; weeks apart it answers another accusation
    assert _facts(("Strikes deny the rebels the army's chemical weapons in Saraqib.", "Officers", "2024-03-12"),
                  accuse) == []
    assert _facts(deny, (accuse[0], accuse[1], "2024-02-01")) == []
