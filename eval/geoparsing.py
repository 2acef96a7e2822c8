"""Score tracewire.places on GeoWebNews and TR-News: toponym P/R/F1 and accuracy within 161 km.

Usage: python eval/geoparsing.py [--shared ../shared] [--corpus gwn|trnews|all] [--half heldout|dev]
                                 [--limit N] [--packs syria]

Halves (eval/splits.py): each corpus splits by article id into a development half, which
``eval/gate_places.py`` gates and rule work may read, and a held-out half, which only this
script prints (``--half heldout``, the default) for the closing note. Geoparsing rules were
once written while reading unresolved names of the whole corpora (commit ab02a11), so figures
measured before the split are development figures.

Protocol:
- GeoWebNews (data/GWN.xml, Gritta et al. 2019): gold toponyms are the annotated types that name a
  place, literally or not: Literal, Mixed, Coercion, Embedded_Literal, Embedded_Non_Lit,
  Literal_Modifier, Non_Literal_Modifier, Metonymic. Location expressions ("the city"),
  Non_Toponym, Demonym, Language and Homonym annotations are not gold toponyms.
- TR-News (data/Corpora/TR-News.xml, Kamalloo and Rafiei 2018): every annotated toponym is gold
  (the corpus also annotates demonyms such as "Turkish" as the country). About one toponym in
  eleven has offsets a few characters off its ``phrase`` ("monton, " for Edmonton); it is moved to
  the nearest occurrence of its phrase (``_aligned``).
- Geotagging: a predicted span is a true positive when it matches a gold span exactly ("strict")
  or overlaps one ("overlap"); each gold span is matched at most once.
- Geocoding: over gold toponyms with coordinates that were found (overlap), the share whose
  predicted point lies within 161 km (100 miles) of the gold point (unresolved predictions count
  as misses), and the median error in km over resolved ones.
- End to end over all gold ("acc161_all_gold"): the same hits over every gold toponym with
  coordinates, found or not.
- Resolution alone ("gold_names"): the gold spans are handed to the resolver
  (``places.resolve_names``, same candidates, context and scoring); the share of gold toponyms
  with coordinates resolved within 161 km, unresolved ones counting as misses. This is the
  setting of published resolution figures such as Mordecai 3's Acc@161km.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from eval.splits import geo_half, refuse_under_gates, shared_dir  # noqa: E402
from tracewire.analyze.gazetteer import haversine_km  # noqa: E402
from tracewire.analyze.parse import nlp as spacy_nlp  # noqa: E402
from tracewire.analyze.places import find_places, gazetteer, organisations, outlets, resolve_names  # noqa: E402
from tracewire.pipeline import Resources  # noqa: E402

GWN_TYPES = frozenset(
    {"Literal", "Mixed", "Coercion", "Embedded_Literal", "Embedded_Non_Lit", "Literal_Modifier",
     "Non_Literal_Modifier", "Metonymic"}
)


@dataclass(frozen=True, slots=True)
class Gold:
    """One gold toponym."""

    start: int
    end: int
    lat: float | None
    lon: float | None


def _float(node: ET.Element | None) -> float | None:
    """Text of an XML node as a float, None when absent or empty."""
    if node is None or node.text is None or not node.text.strip():
        return None
    return float(node.text)


def _check_half(half: str) -> None:
    """Refuse an unknown half, and the held-out half during the test run."""
    if half not in ("dev", "heldout"):
        raise ValueError(f"TW902 unknown geoparsing half {half!r}: use dev or heldout")
    if half == "heldout":
        refuse_under_gates("the held-out half of GeoWebNews / TR-News")


def load_gwn(path: Path, half: str) -> list[tuple[str, str, list[Gold]]]:
    """GeoWebNews articles of ``half`` ("dev" or "heldout") as (id, text, gold toponyms)."""
    _check_half(half)
    out = []
    for art in ET.parse(path).getroot().iter("article"):
        if geo_half(f"gwn-{art.get('file')}") != half:
            continue
        text = art.findtext("text") or ""
        gold = []
        for t in art.iter("toponym"):
            if (t.findtext("type") or "") not in GWN_TYPES:
                continue
            gold.append(Gold(int(t.findtext("start") or 0), int(t.findtext("end") or 0),
                             _float(t.find("latitude")), _float(t.find("longitude"))))
        out.append((f"gwn-{art.get('file')}", text, gold))
    return out


# A TR-News toponym whose offsets miss its phrase is looked for this far either side of them.
ALIGN_WINDOW = 200


def _aligned(text: str, phrase: str, start: int, end: int, taken: set[int]) -> tuple[int, int]:
    """The offsets of ``phrase`` nearest to the given ones (TR-News offsets drift inside some articles).

    About one gold toponym in eleven of TR-News points a few characters off its ``phrase``
    ("monton, " for Edmonton); the occurrence of the phrase nearest to the given start, not yet
    taken by another toponym, is the one meant. Offsets stay as given when they match or when the
    phrase is not found within ``ALIGN_WINDOW`` characters.
    """
    if not phrase or text[start:end] == phrase:
        return start, end
    lo = max(0, start - ALIGN_WINDOW)
    found = [m.start() for m in re.finditer(re.escape(phrase), text[lo : start + ALIGN_WINDOW + len(phrase)])]
    found = [lo + f for f in found if lo + f not in taken]
    if not found:
        return start, end
    best = min(found, key=lambda f: abs(f - start))
    return best, best + len(phrase)


def load_trnews(path: Path, half: str) -> list[tuple[str, str, list[Gold]]]:
    """TR-News articles of ``half`` ("dev" or "heldout") as (id, text, gold toponyms)."""
    _check_half(half)
    out = []
    for art in ET.parse(path).getroot().iter("article"):
        if geo_half(f"trnews-{art.get('docid')}") != half:
            continue
        text = art.findtext("text") or ""
        raw = []
        for t in art.iter("toponym"):
            tag = t.find("gaztag")
            lat = _float(tag.find("lat")) if tag is not None else None
            lon = _float(tag.find("lon")) if tag is not None else None
            raw.append((t.findtext("phrase") or "", int(t.findtext("start") or 0), int(t.findtext("end") or 0), lat, lon))
        # toponyms whose offsets hold their phrase keep them; the others take the nearest free occurrence
        taken = {s for phrase, s, e, _, _ in raw if text[s:e] == phrase}
        gold = []
        for phrase, s, e, lat, lon in raw:
            start, end = _aligned(text, phrase, s, e, taken)
            taken.add(start)
            gold.append(Gold(start, end, lat, lon))
        out.append((f"trnews-{art.get('docid')}", text, gold))
    return out


def score(articles: list[tuple[str, str, list[Gold]]], res: Resources) -> dict[str, Any]:
    """Run places over ``articles`` and compute geotagging and geocoding figures."""
    nlp, gaz, media, orgs = spacy_nlp(res), gazetteer(res), outlets(res), organisations(res)
    home: tuple[str, ...] = ()  # no domain prior: these corpora are not about Syria
    tp_strict = tp_overlap = n_pred = n_gold = 0
    errors: list[float] = []
    hits = n_geo = 0
    t0 = time.perf_counter()
    for (doc_id, _text, gold), parsed in zip(articles, nlp.pipe([a[1] for a in articles], batch_size=16), strict=True):
        preds = find_places(doc_id, parsed, gaz, home, media, known_orgs=orgs)
        n_pred += len(preds)
        n_gold += len(gold)
        used_s: set[int] = set()
        used_o: set[int] = set()
        for p in preds:
            for gi, g in enumerate(gold):
                if gi not in used_s and g.start == p.start and g.end == p.end:
                    used_s.add(gi)
                    tp_strict += 1
                    break
            for gi, g in enumerate(gold):
                if gi not in used_o and g.start < p.end and p.start < g.end:
                    used_o.add(gi)
                    tp_overlap += 1
                    if g.lat is not None and g.lon is not None:
                        n_geo += 1
                        if p.lat is not None and p.lon is not None:
                            km = haversine_km(g.lat, g.lon, p.lat, p.lon)
                            errors.append(km)
                            hits += km <= 161
                    break
    elapsed = time.perf_counter() - t0
    # resolution alone: the gold spans handed to the resolver (how Mordecai 3 reports Acc@161km)
    g_hits = g_n = g_missing = 0
    unresolved: Counter[str] = Counter()
    far: Counter[str] = Counter()
    for doc_id, text, gold in articles:
        spans = [(g.start, g.end) for g in gold]
        resolved = {(p.start, p.end): p for p in resolve_names(doc_id, text, spans, gaz, home)}
        for g in gold:
            if g.lat is None or g.lon is None:
                continue
            g_n += 1
            p = resolved.get((g.start, g.end))
            if p is None or p.lat is None or p.lon is None:
                g_missing += 1
                unresolved[text[g.start : g.end]] += 1
                continue
            near = haversine_km(g.lat, g.lon, p.lat, p.lon) <= 161
            g_hits += near
            if not near:
                far[text[g.start : g.end]] += 1

    def prf(tp: int) -> dict[str, float]:
        """Precision, recall and F1 for ``tp`` true positives."""
        p = tp / n_pred if n_pred else 0.0
        r = tp / n_gold if n_gold else 0.0
        return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(2 * p * r / (p + r) if p + r else 0.0, 4)}

    return {
        "articles": len(articles), "gold": n_gold, "predicted": n_pred,
        "strict": prf(tp_strict), "overlap": prf(tp_overlap),
        "acc161": round(hits / n_geo, 4) if n_geo else 0.0, "geocoded": n_geo,
        # end to end over every gold toponym with coordinates: a missed toponym counts as a miss
        "acc161_all_gold": round(hits / g_n, 4) if g_n else 0.0,
        "median_km": round(statistics.median(errors), 1) if errors else None,
        "gold_names": {"toponyms": g_n, "acc161": round(g_hits / g_n, 4) if g_n else 0.0,
                       "unresolved": round(g_missing / g_n, 4) if g_n else 0.0,
                       "top_unresolved": unresolved.most_common(15),
                       "top_beyond_161km": far.most_common(15)},
        "seconds": round(elapsed, 1),
    }


def run(
    shared: Path, corpus: str = "all", limit: int | None = None, packs: tuple[str, ...] = ("syria",),
    half: str = "heldout",
) -> dict[str, dict[str, Any]]:
    """Score ``half`` of the chosen corpora under ``shared`` (the ../shared folder) with ``packs`` active."""
    base = shared / "data" / "geoparsing" / "data"
    res = Resources(packs=packs)
    out: dict[str, dict[str, Any]] = {}
    if corpus in ("gwn", "all"):
        out["GeoWebNews"] = score(load_gwn(base / "GWN.xml", half)[:limit], res)
    if corpus in ("trnews", "all"):
        out["TR-News"] = score(load_trnews(base / "Corpora" / "TR-News.xml", half)[:limit], res)
    return out


def main() -> None:
    """Command-line entry: print the figures as JSON."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=shared_dir())
    ap.add_argument("--corpus", choices=("gwn", "trnews", "all"), default="all")
    ap.add_argument("--half", choices=("heldout", "dev"), default="heldout",
                    help="heldout (default, for the closing note) or dev (the gated half)")
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--packs", default="syria", help="comma-separated packs; '' for none (the default is syria)")
    args = ap.parse_args()
    packs = tuple(p for p in args.packs.split(",") if p)
    print(json.dumps(run(args.shared, args.corpus, args.limit, packs, args.half), indent=2))


if __name__ == "__main__":
    main()
