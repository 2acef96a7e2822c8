"""CheckThat! 2019 Task 1 (check-worthiness) on the annotated test debates: F1, AP and MAP.

Run: ``python eval/checkthat2019.py [test|dev]`` (reads ../shared/data/checkthat2019-task1; default
``test``, the held-out annotated debates, for the closing note; ``dev`` is the fold of 4 training
debates the model never trains on, which ``eval/gate_claims.py`` gates: see eval/splits.py). Scores every
line with the shipped model (``tracewire/models/checkworthy.json.gz``) alone ("model") and
with the news rules the claims component adds, Syria pack lexicon included ("component"), and
prints MAP (the task's official measure: mean over debates of average
precision), pooled average precision, and precision/recall/F1 at the model's threshold, which
was chosen by cross-validation on the training debates.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from eval import splits  # noqa: E402

DATA = splits.shared_dir() / "data" / "checkthat2019-task1" / "data"

Debate = tuple[str, list[str], list[int]]


def load_split(split: str) -> list[Debate]:
    """(name, sentences, labels) of every debate of ``split``: "train" (15 debates), "dev" (4) or "test"."""
    if split == "test":
        splits.refuse_under_gates("CheckThat! 2019 annotated test debates")
        files = sorted((DATA / splits.CHECKTHAT_HELD_OUT).glob("*.tsv"))
    elif split in ("train", "dev"):
        files = [f for f in sorted((DATA / splits.CHECKTHAT_TRAIN).glob("*.tsv"))
                 if (f.stem in splits.CHECKTHAT_DEV_DEBATES) == (split == "dev")]
    else:
        raise ValueError(f"TW902 unknown CheckThat! split {split!r}: use train, dev or test")
    out: list[Debate] = []
    for f in files:
        texts: list[str] = []
        labels: list[int] = []
        with f.open(encoding="utf-8", newline="") as fh:
            for row in csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
                if len(row) < 4:
                    continue
                texts.append(row[2])
                labels.append(1 if row[3].strip() == "1" else 0)
        out.append((f.stem, texts, labels))
    return out


def average_precision(scores: Sequence[float], labels: Sequence[int]) -> float:
    """Average precision of a ranking by descending score (the CheckThat! scorer's definition)."""
    order = sorted(range(len(scores)), key=lambda i: -scores[i])
    hits = 0
    total = 0.0
    for rank, i in enumerate(order, 1):
        if labels[i]:
            hits += 1
            total += hits / rank
    return total / max(1, sum(labels))


def prf(scores: Sequence[float], labels: Sequence[int], threshold: float) -> tuple[float, float, float]:
    """Precision, recall and F1 of ``score >= threshold`` against binary labels."""
    tp = sum(1 for s, y in zip(scores, labels, strict=True) if s >= threshold and y)
    fp = sum(1 for s, y in zip(scores, labels, strict=True) if s >= threshold and not y)
    fn = sum(1 for s, y in zip(scores, labels, strict=True) if s < threshold and y)
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def evaluate(score: Callable[[str], float], threshold: float, debates: Sequence[Debate]) -> dict[str, float]:
    """MAP, pooled AP and P/R/F1 of ``score`` over ``debates``."""
    all_s: list[float] = []
    all_y: list[int] = []
    aps = []
    for _, texts, labels in debates:
        s = [score(t) for t in texts]
        aps.append(average_precision(s, labels))
        all_s += s
        all_y += labels
    p, r, f = prf(all_s, all_y, threshold)
    return {
        "map": sum(aps) / len(aps),
        "ap_pooled": average_precision(all_s, all_y),
        "precision": p,
        "recall": r,
        "f1": f,
        "threshold": threshold,
        "sentences": float(len(all_s)),
    }


def run(split: str = "test") -> dict[str, dict[str, float]]:
    """Figures of the model alone and of the component's news-adjusted score on ``split``."""
    from tracewire.analyze.checkworthy import load_model
    from tracewire.analyze.claims import news_score
    from tracewire.analyze.hedges import lexicon
    from tracewire.pipeline import Resources

    model = load_model()
    stance = lexicon(Resources(("syria",))).pattern
    test = load_split(split)
    return {
        "model": evaluate(model.score, model.threshold, test),
        "component": evaluate(lambda t: news_score(model, t, stance)[0], model.threshold, test),
    }


def main() -> None:
    """Print the figures as JSON."""
    if not DATA.is_dir():
        raise SystemExit(f"needs {DATA} (the ../shared folder beside the checkout)")
    split = sys.argv[1] if len(sys.argv) > 1 else "test"
    print(json.dumps(run(split), indent=2))


if __name__ == "__main__":
    main()
