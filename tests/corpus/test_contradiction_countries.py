"""Two reports whose documents name no country in common tell of two events: their figures never contradict.

Found on GeoVirus (the WikiNews texts of a geoparsing gold corpus, run through ``tracewire analyze``): "Nearly 200
people are confirmed dead ... in a central Haitian cholera outbreak, according to ... the United Nations" and "The
United Nations has reported that a total of 978 people have been killed by a cholera epidemic in the African nation
of Zimbabwe" were a contradiction, tied by the actor they share. The reports below are written here.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tracewire.corpus.contradictions import find_contradictions, lexicon
from tracewire.corpus.corroboration import origins

LEX = lexicon(["syria"])


def _doc(name: str, text: str, figure: str, places: list[tuple[str, str, str]]) -> dict[str, list[dict[str, Any]]]:
    """One report: its single claim, its killed figure, the UN as actor, and its places (mention, name, feature)."""
    fig, un = text.index(figure), text.index("United Nations")
    return {"documents": [{"id": name, "date": None, "outlet": None}],
            "claims": [{"doc": name, "start": 0, "end": len(text), "text": text, "source": "United Nations",
                        "source_kind": "named_org", "source_canonical": "United Nations", "channel": None}],
            "quantities": [{"doc": name, "start": fig, "end": fig + len(figure), "text": figure,
                            "value": float(figure.split()[0]), "category": "killed", "qualifier": None}],
            "actors": [{"doc": name, "start": un, "end": un + 14, "actor": "United Nations"}],
            "places": [{"doc": name, "start": text.index(m), "end": text.index(m) + len(m), "mention": m, "name": n,
                        "feature": f, "lat": 0.0, "lon": 0.0} for m, n, f in places]}


def _found(x: dict[str, list[dict[str, Any]]], y: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    layers = {k: x[k] + y[k] for k in x}
    docs = {d["id"]: d for d in layers["documents"]}
    vecs = np.stack([np.array([1, 0.1], dtype=np.float32), np.array([1, 0.3], dtype=np.float32)])
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    index = {(c["doc"], c["start"], c["end"]): k for k, c in enumerate(layers["claims"])}
    return find_contradictions(layers, [], docs, origins([], {}), vecs, index, lex=LEX)


HAITI = ("The United Nations said 196 people were killed in the Haitian cholera outbreak.", "196 people",
         [("Haitian", "Haiti", "demonym")])


def test_reports_of_two_countries_do_not_contradict() -> None:
    zimbabwe = ("The United Nations said 978 people were killed by cholera in the African nation of Zimbabwe.",
                "978 people", [("Zimbabwe", "Zimbabwe", "country")])
    assert _found(_doc("x", *HAITI), _doc("y", *zimbabwe)) == []


def test_reports_of_one_country_still_contradict() -> None:
    # the control: the same two reports, both of Haiti (by name in one, by demonym in the other)
    haiti = ("The United Nations said 292 people were killed by cholera in Haiti.", "292 people",
             [("Haiti", "Haiti", "country")])
    (c,) = _found(_doc("x", *HAITI), _doc("y", *haiti))
    assert c["kind"] == "quantity" and {c["a"]["doc"], c["b"]["doc"]} == {"x", "y"}
    # a document that names no country at all is told of no other country: the actor still ties it
    nowhere = ("The United Nations said 292 people were killed by cholera.", "292 people", [])
    assert len(_found(_doc("x", *HAITI), _doc("y", *nowhere))) == 1
