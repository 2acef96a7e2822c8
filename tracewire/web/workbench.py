"""Page contexts of the investigator's workbench: faceted claims explorer, evidence layers, stories, map.

Shared by the server (app.py) and the static report (report/html.py), like views.py.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Mapping
from typing import Any

from ..store import Store
from ..store.explore import (
    CSV_COLUMNS,
    FACET_LABELS,
    FACETS,
    PAGE_SIZES,
    SORTS,
    Explore,
    first_line,
    readable_technique,
)
from .render import Mark

# one colour per SemEval technique (colour-blind-safe palette of 14, distinct on white)
TECHNIQUE_COLOURS = ("#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#1f9e9e", "#f032e6",
                     "#9a6324", "#800000", "#808000", "#000075", "#a9a9a9", "#469990", "#dcbeff")
DEFAULT_LAYERS = ("claim", "source", "technique", "place")
SEARCH_HELP = ('Words must all occur; <code>OR</code> between two terms matches either; "quoted words" match as a '
               'phrase; <code>word*</code> matches a prefix. Spelling variants fold together (defence = defense) and '
               'a pack alias finds its other names (Daesh finds ISIS).')


def explore_context(store: Store, view: Explore, aliases: Mapping[str, list[tuple[str, ...]]]) -> dict[str, Any]:
    """Claims explorer page on the server: a page of rows, totals, facets with counts, sort links."""
    result = store.explore_view(view, aliases)
    return {"view": view, "result": result, "facet_names": FACETS, "facet_labels": FACET_LABELS,
            "sorts": SORTS, "sizes": PAGE_SIZES, "csv_slug": view.slug(), "csv_columns": CSV_COLUMNS,
            "page": "claims", "report_claims": None}


def report_claims_context() -> dict[str, Any]:
    """Claims explorer page in the static report: empty shell filled by explore.js from the shards."""
    return {"view": Explore(), "result": None, "facet_names": FACETS, "facet_labels": FACET_LABELS,
            "sorts": SORTS, "sizes": PAGE_SIZES, "csv_slug": "claims_all", "csv_columns": CSV_COLUMNS,
            "page": "claims", "report_claims": True}


def technique_legend(techniques: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The techniques of one document with colour index, readable name and count, most frequent first."""
    counts = Counter(t["technique"] for t in techniques)
    from ..analyze.techniques import LABELS
    out = []
    for label, n in counts.most_common():
        idx = LABELS.index(label) if label in LABELS else len(TECHNIQUE_COLOURS) - 1
        out.append({"label": label, "name": readable_technique(label), "count": n, "colour": idx})
    return out


def evidence_marks(doc: dict[str, Any], links: Any) -> tuple[list[Mark], list[dict[str, Any]]]:
    """Marks that open the evidence panel (one per finding) and the findings' evidence, by index."""
    from ..analyze.techniques import LABELS
    marks: list[Mark] = []
    found: list[dict[str, Any]] = []

    def add(start: int, end: int, layer: str, note: str, item: dict[str, Any]) -> None:
        """One finding: its mark carries the index of its evidence."""
        item["i"] = len(found)
        found.append(item)
        marks.append(Mark(start, end, layer, note, ev=item["i"]))

    for c in doc["claims"]:
        kind = c["source_kind"] or "unattributed"
        if c["source_start"] is not None and c["source_end"] is not None:
            canonical = c["source_canonical"] or c["source"]
            add(c["source_start"], c["source_end"], "source", f"source ({kind}): {c['source']}",
                {"type": "Attribution", "name": c["source"], "score": None,
                 "evidence": [f"kind: {kind.replace('_', ' ')}", f"cue: {c['cue'] or '—'}",
                              f"channel: {c['channel'] or '—'}", f"canonical source: {canonical}",
                              "rule: source span before or after an attribution cue (tracewire.attribution.v1)"],
                 "links": [("claims from this source", links.claims(source=canonical))]})
        if c["cue_start"] is not None and c["cue_end"] is not None:
            marks.append(Mark(c["cue_start"], c["cue_end"], "cue", f"attribution cue: {c['cue']}"))
    for h in doc["hedges"]:
        layer = "booster" if h["kind"] == "booster" else "hedge"
        add(h["start"], h["end"], layer, f"{h['kind']}: {h['text']}",
            {"type": h["kind"].capitalize(), "name": h["text"], "score": None,
             "evidence": [f"cue words: {h['text']}", "rule: hedges.toml lexicon entry (pack lexicon, whole words)"],
             "links": [("claims with this " + h["kind"], links.claims(hedge=h["text"].lower()))]})
    for q in doc["quantities"]:
        add(q["start"], q["end"], "quantity", f"quantity ({q['category']}): {q['value']:g}",
            {"type": "Quantity", "name": q["text"], "score": None,
             "evidence": [f"value: {q['value']:g}", f"category: {q['category']}",
                          f"unit: {q.get('unit') or '—'}", f"qualifier: {q.get('qualifier') or '—'}",
                          "rule: number + counted noun (tracewire.quantities.v1)"], "links": []})
    for a in doc["actors"]:
        add(a["start"], a["end"], "actor", f"actor: {a['actor']}",
            {"type": "Actor", "name": a["actor"], "score": None,
             "evidence": [f"mention: {a['mention']}", f"canonical actor: {a['actor']}",
                          "rule: alias, metonym or demonym in actors.toml"],
             "links": [("claims about this actor", links.claims(actor=a["actor"]))]})
    for p in doc["places"]:
        where = f"{p['lat']:.3f}, {p['lon']:.3f}" if p["lat"] is not None and p["lon"] is not None else "unresolved"
        add(p["start"], p["end"], "place", f"place: {p['name']}",
            {"type": "Place", "name": p["name"], "score": p["confidence"],
             "evidence": [f"mention: {p['mention']}", f"gazetteer entry: {p['name']} ({p['feature'] or 'place'}, "
                          f"{p['country_code'] or '—'})", f"coordinates: {where}"],
             "links": [("on the map", links.map_place(p["name"])), ("claims here", links.claims(place=p["name"]))]})
    for t in doc["techniques"]:
        ev = t.get("evidence") or "[]"
        items = json.loads(ev) if isinstance(ev, str) else list(ev)
        idx = LABELS.index(t["technique"]) if t["technique"] in LABELS else 13
        marks.append(Mark(t["start"], t["end"], f"tq{idx}", ""))
        add(t["start"], t["end"], "technique", f"technique: {readable_technique(t['technique'])} ({t['score']:.2f})",
            {"type": "Technique", "name": readable_technique(t["technique"]), "score": round(t["score"], 3),
             "evidence": [f"model feature: {x}" for x in items] or ["model: linear over hashed features"],
             "links": [("claims with this technique", links.claims(technique=readable_technique(t["technique"])))],
             "technique": idx})
    return marks, found


def story_rows(store: Store) -> list[dict[str, Any]]:
    """Every story for the stories page (server and report filter it in the browser)."""
    return store.story_list()


def story_layout(story: dict[str, Any]) -> dict[str, Any]:
    """Derivation tree geometry: columns by depth, members in date order within a column."""
    rows_at: dict[int, int] = {}
    pos: dict[str, tuple[int, int]] = {}
    nodes = []
    for m in sorted(story["members"], key=lambda m: (m["depth"], m["date"] or "", m["doc"])):
        depth = int(m["depth"])
        row = rows_at.get(depth, 0)
        rows_at[depth] = row + 1
        x, y = 10 + depth * 230, 20 + row * 44
        pos[m["doc"]] = (x, y)
        nodes.append({**m, "x": x, "y": y, "label": (m["title"] or m["doc"])[:34]})
    edges = [{"x1": pos[m["parent"]][0] + 210, "y1": pos[m["parent"]][1], "x2": pos[m["doc"]][0],
              "y2": pos[m["doc"]][1], "source": m["parent"], "target": m["doc"], "kind": m["link_kind"] or ""}
             for m in story["members"] if m["parent"] in pos]
    width = 20 + (max(rows_at) + 1 if rows_at else 1) * 230
    height = 30 + max(rows_at.values(), default=1) * 44
    return {"nodes": nodes, "edges": edges, "width": width, "height": height}


def doc_title(doc: dict[str, Any]) -> str:
    """A document's heading: its title, else its first line, else its id."""
    return str(doc.get("title") or first_line(doc.get("text") or "") or doc["id"])


def slugify(text: str) -> str:
    """A short file-name form of text."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text)[:60].strip("-") or "x"


def article_context(store: Store, doc_id: str, links: Any) -> dict[str, Any]:
    """Article page: text segments whose findings open an evidence panel, layer toggles, technique legend."""
    from .render import LAYERS, article_marks, segments
    from .views import factcheck_panel
    doc = store.document_view(doc_id)
    doc["title"] = doc_title(doc)
    kept = {"claim", "checkworthy", "cue", "reuse"}
    marks = [m for m in article_marks(doc, links.pair) if m.layer in kept]
    for m in marks:
        m.href = None  # a click on the text opens evidence, never navigates away
    ev_marks, found = evidence_marks(doc, links)
    features = store.claim_features(doc["doc_key"])
    by_anchor = {f"claim-{c['claim_key']}": c for c in doc["claims"]}
    for m in marks:
        c = by_anchor.get(m.anchor or "")
        if m.layer != "claim" or c is None:
            continue
        feats = features.get(c["claim_key"], [])
        canonical = c["source_canonical"] or c["source"]
        m.ev = len(found)
        c["ev"] = m.ev
        found.append({"i": m.ev, "type": "Claim", "name": c["text"][:160], "score": round(c["checkworthy"], 3),
                      "evidence": [f"check-worthiness {c['checkworthy']:.2f} (model trained on CheckThat! 2019)",
                                   f"source: {c['source'] or '—'} ({(c['source_kind'] or 'unattributed').replace('_', ' ')})",
                                   *[f"model feature: {f}" for f in feats[:8]]],
                      "links": ([("claims from this source", links.claims(source=canonical))] if canonical else [])
                      + [("all claims of this outlet", links.claims(outlet=doc["outlet"]))
                         if doc["outlet"] else ("all claims", links.claims())],
                      "anchor": m.anchor})
    segs = segments(doc["text"], marks + ev_marks)
    present = {layer for s in segs for layer in s.layers}
    layers = [(k, "Claims" if k == "claim" else label, k in present, k in DEFAULT_LAYERS) for k, label in LAYERS]
    story_ids = [s["story_id"] for s in doc["stories"]]
    return {"doc": doc, "segments": segs, "layers": layers, "page": "article", "evidence": found,
            "legend": technique_legend(doc["techniques"]), "colours": TECHNIQUE_COLOURS, "story_ids": story_ids,
            "doc_narratives": store.document_narratives(doc_id),
            "doc_contradictions": store.contradictions_page(doc_id),
            "factchecks": factcheck_panel(store, doc["id"])}
