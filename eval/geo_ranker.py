"""Train the geocoding ranker on the development halves of GeoWebNews and TR-News (never the held-out).

Usage: python eval/geo_ranker.py [--shared ../shared] [--out tracewire/analyze/data/geo_ranker.json]

Each gold toponym with coordinates (dev half only, eval/splits.py) is handed to the resolver's
candidate lookup (``places._given_mentions``); every candidate becomes one example with the
features of ``places.candidate_features`` (population, feature class, pack, primary name, the
document's country context, distance to the other names' provisional places), labelled 1 when
it lies within 161 km of the gold point. A logistic regression (scikit-learn, liblinear, C=1)
learns the weights; the file is rounded so that retraining gives the same bytes. Also prints
the 5-fold (by article) accuracy of picking a candidate within 161 km, so the dev figure is not
only a training-set figure.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from eval.geoparsing import load_gwn, load_trnews  # noqa: E402
from eval.splits import shared_dir  # noqa: E402
from tracewire.analyze.gazetteer import haversine_km  # noqa: E402
from tracewire.analyze.places import (  # noqa: E402
    RANKER_FEATURES,
    RANKER_FILE,
    _given_mentions,
    candidate_features,
    gazetteer,
)
from tracewire.pipeline import Resources  # noqa: E402

OUT = ROOT / "tracewire" / "analyze" / "data" / RANKER_FILE


def examples(shared: Path) -> list[tuple[str, list[tuple[list[float], int]]]]:
    """Per gold toponym with candidates: (article id, [(features, label)]), dev halves only."""
    base = shared / "data" / "geoparsing" / "data"
    arts = load_gwn(base / "GWN.xml", "dev") + load_trnews(base / "Corpora" / "TR-News.xml", "dev")
    gaz = gazetteer(Resources(packs=("syria",)))
    out: list[tuple[str, list[tuple[list[float], int]]]] = []
    for doc_id, text, gold in arts:
        mentions = _given_mentions(text, [(g.start, g.end) for g in gold], gaz)
        by_span = {(g.start, g.end): g for g in gold}
        for m, rows in zip(mentions, candidate_features(mentions, ()), strict=True):
            g = by_span.get((m.start, m.end))
            if g is None or g.lat is None or g.lon is None or not rows:
                continue
            out.append((doc_id, [(x, int(haversine_km(g.lat, g.lon, e.lat, e.lon) <= 161)) for e, x in rows]))
    return out


def fit(data: list[tuple[str, list[tuple[list[float], int]]]]) -> Any:
    """A logistic regression over every candidate of ``data``."""
    from sklearn.linear_model import LogisticRegression

    xs = [x for _, rows in data for x, _ in rows]
    ys = [y for _, rows in data for _, y in rows]
    return LogisticRegression(C=1.0, solver="liblinear", max_iter=1000).fit(xs, ys)


def pick_accuracy(model: Any, data: list[tuple[str, list[tuple[list[float], int]]]]) -> float:
    """Share of toponyms whose top-scored candidate is within 161 km."""
    hits = 0
    for _, rows in data:
        probs = model.decision_function([x for x, _ in rows])
        hits += rows[int(max(range(len(rows)), key=lambda i: probs[i]))][1]
    return hits / len(data) if data else 0.0


def main() -> None:
    """Command-line entry: train, report, write the weights."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=shared_dir())
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    data = examples(args.shared)
    docs = sorted({d for d, _ in data})
    folds = []
    for k in range(5):
        test = set(docs[k::5])
        model = fit([d for d in data if d[0] not in test])
        folds.append(pick_accuracy(model, [d for d in data if d[0] in test]))
    model = fit(data)
    weights = [round(float(w), 6) for w in model.coef_[0]]
    record = {
        "features": list(RANKER_FEATURES), "weights": weights, "bias": round(float(model.intercept_[0]), 6),
        "trained_on": "development halves of GeoWebNews and TR-News (eval/splits.py geo_half), gold toponyms",
        "command": "python eval/geo_ranker.py", "toponyms": len(data),
        "candidates": sum(len(r) for _, r in data),
    }
    args.out.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    print(json.dumps({"toponyms": len(data), "train_pick_acc161": round(pick_accuracy(model, data), 4),
                      "cv5_pick_acc161": round(sum(folds) / len(folds), 4),
                      "weights": dict(zip(RANKER_FEATURES, weights, strict=True))}, indent=1))


if __name__ == "__main__":
    main()
