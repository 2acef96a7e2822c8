"""Recall and precision of quantities, places and actors against the demo corpus answer key (answers.toml).

Usage: python eval/demo_recall_geo.py [--demo tracewire/demo] [-v]

A gold quantity is found when a prediction overlaps its text in the document with the same value
(category and qualifier agreement are reported beside it); a gold place when a prediction overlaps
one occurrence of its mention and lies within 30 km of the true point; a gold actor when a
prediction overlapping one occurrence of its mention has the same canonical actor.
Precision is the share of predictions, in documents with answers of that layer, that match an
answer by the same rule. The key need not list every mention, so precision is a lower bound,
pinned to catch over-generation (tests/analyze/test_demo_geo.py). The key lists no demonyms, so
places of feature "demonym" stay out of the places precision.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tomllib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tracewire.analyze.actors import find_actors, lexicon  # noqa: E402
from tracewire.analyze.gazetteer import haversine_km  # noqa: E402
from tracewire.analyze.parse import nlp as spacy_nlp  # noqa: E402
from tracewire.analyze.places import _home_countries, find_places, gazetteer, outlets  # noqa: E402
from tracewire.analyze.quantities import find_quantities  # noqa: E402
from tracewire.pipeline import Resources  # noqa: E402


def texts(demo: Path) -> dict[str, str]:
    """Clean text of every demo document, keyed by id (expected/ text for the PDF and HTML)."""
    out: dict[str, str] = {}
    corpus = demo / "corpus"
    for f in sorted(corpus.iterdir()):
        if f.suffix == ".txt" and f.stat().st_size and f.stem not in ("corrupt_upload",):
            try:
                out[f.stem] = f.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                continue
        elif f.suffix == ".jsonl":
            for line in f.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    row = json.loads(line)
                    out[row["id"]] = row["text"]
    for f in sorted((demo / "expected").glob("*.txt")):
        out[f.stem] = f.read_text(encoding="utf-8")
    return out


def _occurrences(text: str, needle: str) -> list[tuple[int, int]]:
    """Every (start, end) of ``needle`` in ``text``."""
    return [(m.start(), m.end()) for m in re.finditer(re.escape(needle), text)]


def _overlaps(spans: list[tuple[int, int]], s: int, e: int) -> bool:
    """True when [s, e) overlaps one of ``spans``."""
    return any(a < e and s < b for a, b in spans)


def run(demo: Path, verbose: bool = False) -> dict[str, Any]:
    """Score the three layers against ``demo``/answers.toml."""
    answers = tomllib.loads((demo / "answers.toml").read_text(encoding="utf-8"))
    docs = texts(demo)
    res = Resources(packs=("syria",))
    nlp, gaz, lex = spacy_nlp(res), gazetteer(res), lexicon(res)
    home = _home_countries(gaz, res.packs)
    parsed = {d: nlp(t) for d, t in docs.items()}
    report: dict[str, Any] = {}
    misses: list[str] = []

    found = cat_ok = qual_ok = 0
    gold_q = answers.get("quantities", [])
    for g in gold_q:
        preds = find_quantities(g["doc"], parsed[g["doc"]])
        spans = _occurrences(docs[g["doc"]], g["text"])
        hit = next((p for p in preds if _overlaps(spans, p.start, p.end) and abs(p.value - g["value"]) < 1e-6), None)
        if hit:
            found += 1
            cat_ok += hit.category == g["category"]
            qual_ok += (hit.qualifier or None) == g.get("qualifier")
            if verbose and (hit.category != g["category"] or (hit.qualifier or None) != g.get("qualifier")):
                misses.append(f"quantity partly: {g['doc']} {g['text']!r} got {hit.category}/{hit.qualifier}")
        elif verbose:
            near = [(p.text, p.value) for p in preds if _overlaps(spans, p.start, p.end)]
            misses.append(f"quantity missed: {g['doc']} {g['text']!r} {g['value']} (overlapping: {near})")
    n = len(gold_q)
    n_pred = right = 0
    for doc in sorted({g["doc"] for g in gold_q}):
        for p in find_quantities(doc, parsed[doc]):
            n_pred += 1
            right += any(g["doc"] == doc and abs(p.value - g["value"]) < 1e-6
                         and _overlaps(_occurrences(docs[doc], g["text"]), p.start, p.end) for g in gold_q)
    report["quantities"] = {"gold": n, "recall": round(found / n, 3), "predicted": n_pred,
                            "precision": round(right / max(1, n_pred), 3),
                            "category_agrees": cat_ok, "qualifier_agrees": qual_ok}

    found = 0
    gold_p = answers.get("places", [])
    for g in gold_p:
        preds = find_places(g["doc"], parsed[g["doc"]], gaz, home, outlets(res))
        spans = _occurrences(docs[g["doc"]], g["mention"])
        ok = any(
            _overlaps(spans, p.start, p.end) and p.lat is not None and p.lon is not None
            and haversine_km(p.lat, p.lon, g["lat"], g["lon"]) <= 30
            for p in preds
        )
        found += ok
        if verbose and not ok:
            got = [(p.mention, p.name, p.lat, p.lon) for p in preds if _overlaps(spans, p.start, p.end)]
            misses.append(f"place missed: {g['doc']} {g['mention']!r} (got {got})")
    n_pred = right = 0
    for doc in sorted({g["doc"] for g in gold_p}):
        for p in find_places(doc, parsed[doc], gaz, home, outlets(res)):
            if p.feature == "demonym":
                continue  # the key lists toponyms; a demonym ("Syrian") is a place of another kind
            n_pred += 1
            ok = any(g["doc"] == doc and _overlaps(_occurrences(docs[doc], g["mention"]), p.start, p.end)
                     and p.lat is not None and p.lon is not None
                     and haversine_km(p.lat, p.lon, g["lat"], g["lon"]) <= 30 for g in gold_p)
            right += ok
            if verbose and not ok:
                misses.append(f"place not in the key: {doc} {p.mention!r} -> {p.name} ({p.lat}, {p.lon})")
    report["places"] = {"gold": len(gold_p), "recall_within_30km": round(found / len(gold_p), 3),
                        "predicted": n_pred, "precision_within_30km": round(right / max(1, n_pred), 3)}

    found = 0
    gold_a = answers.get("actors", [])
    for g in gold_a:
        preds = find_actors(g["doc"], parsed[g["doc"]], lex, gaz)
        spans = _occurrences(docs[g["doc"]], g["mention"])
        ok = any(_overlaps(spans, a.start, a.end) and a.actor == g["actor"] for a in preds)
        found += ok
        if verbose and not ok:
            got = [(a.mention, a.actor) for a in preds if _overlaps(spans, a.start, a.end)]
            misses.append(f"actor missed: {g['doc']} {g['mention']!r} -> {g['actor']} (got {got})")
    n_pred = right = 0
    for doc in sorted({g["doc"] for g in gold_a}):
        for a in find_actors(doc, parsed[doc], lex, gaz):
            n_pred += 1
            right += any(g["doc"] == doc and a.actor == g["actor"]
                         and _overlaps(_occurrences(docs[doc], g["mention"]), a.start, a.end) for g in gold_a)
    report["actors"] = {"gold": len(gold_a), "recall": round(found / len(gold_a), 3), "predicted": n_pred,
                        "precision": round(right / max(1, n_pred), 3)}
    if verbose:
        report["misses"] = misses
    return report


def main() -> None:
    """Command-line entry: print recall per layer as JSON."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--demo", type=Path, default=ROOT / "tracewire" / "demo")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    print(json.dumps(run(args.demo, args.verbose), indent=2))


if __name__ == "__main__":
    main()
