"""Score the techniques model on the 74 PTC evaluation articles (SemEval-2020 Task 11 measures).

    python eval/techniques.py [--ptc ../shared/data/ptc] [--split heldout|dev] [--fakes FA-KES-Dataset.csv]
        [--no-minilm]

``--split dev`` scores the 62 development articles that ``eval/gate_techniques.py`` gates and the
model never trains on (eval/splits.py); the default is the 74 held-out articles, for the closing note.

Prints span-identification (SI) precision/recall/F1 with the task's partial-overlap measure and
technique-classification (TC) micro-F1 given the gold spans, as the official subtasks did.

SI measure (Da San Martino et al., EMNLP 2019, section 5; SemEval-2020 Task 11 subtask SI):
spans are merged per article when they overlap (SI is a binary task), then for predicted spans
S and gold spans T, C(s, t, h) = |s ∩ t| / h,
P = (1/|S|) Σ_s Σ_t C(s, t, |s|), R = (1/|T|) Σ_t Σ_s C(s, t, |t|), F1 = 2PR / (P + R).
TC measure: every gold (article, start, end) span gets as many predicted labels as it has gold
labels (the most probable ones); micro-F1 over those predictions equals their accuracy.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from eval import splits  # noqa: E402

DEFAULT_PTC = splits.shared_dir() / "data" / "ptc"

Span = tuple[int, int]


@dataclass(frozen=True, slots=True)
class Article:
    """One PTC article with its gold technique spans."""

    id: str
    text: str
    spans: tuple[tuple[int, int, str], ...]


def _labels(ptc: Path, keep: set[str]) -> dict[str, list[tuple[int, int, str]]]:
    """TC labels of the articles ``keep`` (the labels file holds every article's)."""
    labels: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
    for line in (ptc / "train-task2-TC.labels").read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        aid, tech, s, e = line.split("\t")
        if aid in keep:
            labels[aid].append((int(s), int(e), tech))
    return labels


def _read(ptc: Path, ids: Sequence[str]) -> list[Article]:
    """The articles ``ids`` with their gold spans, in id order."""
    labels = _labels(ptc, set(ids))
    out = []
    for aid in sorted(ids):
        # newline="" keeps offsets identical to the ones the annotators used
        with (ptc / "train-articles" / f"article{aid}.txt").open(encoding="utf-8", newline="") as fh:
            text = fh.read()
        out.append(Article(aid, text, tuple(sorted(labels.get(aid, [])))))
    return out


def load_part(ptc: Path, part: str) -> list[Article]:
    """PTC articles of ``part``: "train" (235), "dev" (62, gated) or "heldout" (74); see eval/splits.py."""
    if part == "dev":
        return _read(ptc, splits.ptc_dev_ids())
    if part == "heldout":
        splits.refuse_under_gates("the 74 held-out PTC articles")
    held = [x for x in (ptc / splits.PTC_HELD_OUT_LIST).read_text().split() if x.strip()]
    if part == "heldout":
        return _read(ptc, held)
    if part != "train":
        raise ValueError(f"TW902 unknown PTC part {part!r}: use train, dev or heldout")
    every = [p.stem.removeprefix("article") for p in (ptc / "train-articles").glob("article*.txt")]
    dev = set(splits.ptc_dev_ids())
    return _read(ptc, [a for a in every if a not in set(held) and a not in dev])


def merge(spans: Iterable[Span]) -> list[Span]:
    """Merge overlapping or touching spans."""
    out: list[list[int]] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return [(s, e) for s, e in out]


def credit(span: Span, gold: Sequence[Span]) -> tuple[float, float]:
    """A predicted span's share of SI precision (its overlap with each gold span over its own length) and of
    recall (the overlaps over each gold span's length), summed over the gold spans: ``si_scores``' terms for one
    span (which adds them pair by pair, so its sums, hence the pinned figures, keep their order)."""
    ps = pr = 0.0
    for u, w in gold:
        inter = min(span[1], w) - max(span[0], u)
        if inter > 0:
            ps += inter / (span[1] - span[0])
            pr += inter / (w - u)
    return ps, pr


def si_scores(pred: dict[str, Sequence[Span]], gold: dict[str, Sequence[Span]]) -> tuple[float, float, float]:
    """SI precision, recall and F1 with partial credit by overlap length (SemEval-2020 Task 11)."""
    p_sum = r_sum = 0.0
    n_s = n_t = 0
    for aid in set(pred) | set(gold):
        ps = merge(s for s in pred.get(aid, ()) if s[1] > s[0])
        gs = merge(s for s in gold.get(aid, ()) if s[1] > s[0])
        n_s += len(ps)
        n_t += len(gs)
        for s in ps:
            for t in gs:
                inter = min(s[1], t[1]) - max(s[0], t[0])
                if inter > 0:
                    p_sum += inter / (s[1] - s[0])
                    r_sum += inter / (t[1] - t[0])
    p = p_sum / n_s if n_s else 0.0
    r = r_sum / n_t if n_t else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def tc_micro_f1(
    predict: dict[tuple[str, int, int], list[str]], gold: dict[tuple[str, int, int], list[str]]
) -> float:
    """Micro-F1 of ranked label predictions per gold span: the top-k are matched to k gold labels."""
    correct = n_pred = n_gold = 0
    for key, labels in gold.items():
        ranked = predict.get(key, [])[: len(labels)]
        n_pred += len(ranked)
        n_gold += len(labels)
        left = list(labels)
        for lab in ranked:
            if lab in left:
                left.remove(lab)
                correct += 1
    p = correct / n_pred if n_pred else 0.0
    r = correct / n_gold if n_gold else 0.0
    return 2 * p * r / (p + r) if p + r else 0.0


def token_span(toks: Sequence[object], start: int, end: int) -> tuple[int, int] | None:
    """Token range [i, j) covering characters [start, end), or None when no token overlaps."""
    idx = [k for k, t in enumerate(toks) if t.start < end and t.end > start]  # type: ignore[attr-defined]
    if not idx:
        return None
    return idx[0], idx[-1] + 1


def calibration(articles: Sequence[Article], detected: dict[str, list]) -> list[tuple[str, int, float, float]]:
    """Reliability table: per score bin, (bin, n, mean score, share of spans that are right).

    A detected span is right when at least half of its characters lie inside gold spans of
    the same technique, the event its score estimates.
    """
    edges = (0.0, 0.1, 0.2, 0.3, 0.5, 1.01)
    rows: list[list[float]] = [[0, 0.0, 0.0] for _ in edges[1:]]
    for art in articles:
        for t in detected.get(art.id, ()):
            inside = 0
            for k in range(t.start, t.end):
                if any(s <= k < e and tech == t.technique for s, e, tech in art.spans):
                    inside += 1
            hit = inside * 2 >= (t.end - t.start)
            b = next(i for i in range(len(edges) - 1) if t.score < edges[i + 1])
            rows[b][0] += 1
            rows[b][1] += t.score
            rows[b][2] += hit
    return [
        (f"{edges[i]:.1f}-{min(edges[i + 1], 1.0):.1f}", int(n), sc / n if n else 0.0, h / n if n else 0.0)
        for i, (n, sc, h) in enumerate(rows)
    ]


def evaluate(articles: Sequence[Article], minilm: bool = True) -> dict[str, Any]:
    """SI P/R/F1 and TC micro-F1 of the shipped model on ``articles``, plus articles/s (``minilm``: with the
    MiniLM tagger and span classifier when the package ships them; without, the linear models alone)."""
    import numpy as np

    from tracewire.analyze.techniques import LABELS, article_view, load_model

    model = load_model(minilm=minilm)
    pred_si: dict[str, list[Span]] = {}
    gold_si: dict[str, list[Span]] = {}
    tc_pred: dict[tuple[str, int, int], list[str]] = {}
    tc_gold: dict[tuple[str, int, int], list[str]] = defaultdict(list)
    detected = {}
    t0 = time.perf_counter()
    for art in articles:
        detected[art.id] = model.detect(art.text, art.id)
    elapsed = time.perf_counter() - t0
    for art in articles:
        pred_si[art.id] = [(t.start, t.end) for t in detected[art.id]]
    for art in articles:
        gold_si[art.id] = [(s, e) for s, e, _ in art.spans]
        for s, e, tech in art.spans:
            tc_gold[(art.id, s, e)].append(tech)
        v = article_view(art.text, model.lexicon)
        keys = sorted({(s, e) for s, e, _ in art.spans})
        spans = [token_span(v.toks, s, e) or (0, 0) for s, e in keys]
        probs = model.classify(v, spans)
        for (s, e), row in zip(keys, probs, strict=True):
            tc_pred[(art.id, s, e)] = [LABELS[k] for k in np.argsort(-row)]
    p, r, f = si_scores(pred_si, gold_si)
    cal = calibration(articles, detected)
    return {
        "calibration": cal,
        "si_precision": p,
        "si_recall": r,
        "si_f1": f,
        "tc_micro_f1": tc_micro_f1(tc_pred, dict(tc_gold)),
        "articles_per_s": len(articles) / elapsed if elapsed else float("inf"),
    }


def speed(texts: Sequence[str], minilm: bool = True) -> tuple[float, float]:
    """Articles per second of ``detect_techniques`` over ``texts`` (model loaded beforehand): per second of
    wall time and per CPU second of this process (the second does not depend on what else the machine runs)."""
    from tracewire.analyze.techniques import detect_techniques, load_model
    from tracewire.pipeline import Resources

    res = Resources(packs=())
    res.get("techniques", lambda: load_model(res.packs, minilm=minilm))
    t0, c0 = time.perf_counter(), time.process_time()
    for k, text in enumerate(texts):
        detect_techniques(text, str(k), res)
    return len(texts) / (time.perf_counter() - t0), len(texts) / (time.process_time() - c0)


def fakes_texts(path: Path) -> list[str]:
    """The article_content column of the FA-KES CSV (latin-1)."""
    import csv

    with path.open(encoding="latin-1", newline="") as fh:
        return [row["article_content"] for row in csv.DictReader(fh) if row["article_content"].strip()]


def main(argv: Sequence[str] | None = None) -> int:
    """Print SI and TC figures on the PTC held-out (or development) articles."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ptc", type=Path, default=DEFAULT_PTC, help="folder of the PTC corpus")
    ap.add_argument("--fakes", type=Path, default=None, help="FA-KES CSV: also time detection on it")
    ap.add_argument("--split", choices=("heldout", "dev"), default="heldout",
                    help="heldout: the 74 evaluation articles (default); dev: the 62 gated training articles")
    ap.add_argument("--no-minilm", action="store_true",
                    help="score the linear models alone, without the shipped MiniLM tagger and span classifier")
    args = ap.parse_args(argv)
    test = load_part(args.ptc, args.split)
    m = evaluate(test, minilm=not args.no_minilm)
    print(f"PTC {args.split} articles: {len(test)}")
    print(
        f"SI (partial overlap): P={m['si_precision']:.4f} R={m['si_recall']:.4f} F1={m['si_f1']:.4f}"
    )
    print(f"TC micro-F1 (gold spans): {m['tc_micro_f1']:.4f}")
    print("calibration of detected spans (score bin, spans, mean score, share right):")
    for name, n, mean, right in m["calibration"]:
        print(f"  {name}: {n:5d} spans  mean score {mean:.3f}  right {right:.3f}")
    wall, cpu = speed([a.text for a in test], not args.no_minilm)
    print(f"speed on these articles: {wall:.1f} articles/s (one process, model loaded), {cpu:.1f} per CPU second")
    if args.fakes is not None:
        texts = fakes_texts(args.fakes)
        wall, cpu = speed(texts, not args.no_minilm)
        print(f"speed on FA-KES: {wall:.1f} articles/s over {len(texts)} articles, {cpu:.1f} per CPU second")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
