"""PolNeAR attribution: source-span and cue-span F1 (exact and overlap) on a split.

Run: ``python eval/polnear.py [test|train|dev] [--rules|--crf]`` (``--rules``: the rule finder alone, as
before the learned tagger; ``--crf``: the CRF without the MiniLM head; default split test, the held-out split printed for the
closing note; ``eval/gate_claims.py`` gates ``dev``; reads ../shared/data/polnear).
Every sentence of every article goes through tracewire's sentence splitter and attribution
finder (``tracewire.analyze.attribution.find``); each predicted source and cue span is compared
with the gold ``Source`` and ``Cue`` spans. Exact: same start and end. Overlap: a predicted span
counts as correct when it overlaps a gold span of its type, and a gold span as found when a
prediction overlaps it. Rules are tuned on ``train`` and checked on ``dev``; ``test`` is held out.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from eval import splits  # noqa: E402

DATA = splits.shared_dir() / "data" / "polnear" / "data"

Spans = set[tuple[int, int]]


def load_gold(ann: Path) -> tuple[Spans, Spans]:
    """Gold (sources, cues) of one brat file; discontinuous spans count by their outer bounds."""
    sources: Spans = set()
    cues: Spans = set()
    for line in ann.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) < 3 or not parts[0].startswith("T"):
            continue
        kind, _, offsets = parts[1].partition(" ")
        nums = [int(x) for x in offsets.replace(";", " ").split()]
        span = (min(nums), max(nums))
        if kind == "Source":
            sources.add(span)
        elif kind == "Cue":
            cues.add(span)
    return sources, cues


def articles(split: str) -> list[tuple[str, Path]]:
    """(text, annotation path) of every article of ``split``."""
    if split == splits.POLNEAR_HELD_OUT:
        splits.refuse_under_gates("PolNeAR test")
    out = []
    for txt in sorted((DATA / split / "text").glob("*.txt")):
        anns = sorted((DATA / split / "attributions").glob(txt.stem + "_*.ann"))
        if anns:
            out.append((txt.read_text(encoding="utf-8"), anns[0]))
    return out


def scores(pred: Sequence[Spans], gold: Sequence[Spans]) -> dict[str, float]:
    """Exact and overlap precision, recall and F1 summed over documents."""
    def f1(p: float, r: float) -> float:
        """Harmonic mean of precision and recall."""
        return 2 * p * r / (p + r) if p + r else 0.0

    n_pred = sum(len(p) for p in pred)
    n_gold = sum(len(g) for g in gold)
    exact = sum(len(p & g) for p, g in zip(pred, gold, strict=True))
    pred_hit = sum(sum(1 for a in p if any(a[0] < b[1] and b[0] < a[1] for b in g)) for p, g in zip(pred, gold, strict=True))
    gold_hit = sum(sum(1 for b in g if any(a[0] < b[1] and b[0] < a[1] for a in p)) for p, g in zip(pred, gold, strict=True))
    pe, re_ = exact / max(1, n_pred), exact / max(1, n_gold)
    po, ro = pred_hit / max(1, n_pred), gold_hit / max(1, n_gold)
    return {
        "exact_p": pe, "exact_r": re_, "exact_f1": f1(pe, re_),
        "overlap_p": po, "overlap_r": ro, "overlap_f1": f1(po, ro),
        "gold": float(n_gold), "predicted": float(n_pred),
    }


def parse(texts: Sequence[str], split: str | None = None, cache: Path | None = None, ner: bool = True) -> list[Any]:
    """spaCy parses of ``texts`` (entities included: the tagger reads them), kept in ``cache`` when given."""
    from tracewire.analyze.parse import load_nlp

    nlp = load_nlp()
    f = cache / f"polnear-{split}.spacy" if cache is not None and split is not None else None
    if f is not None and f.is_file():
        from spacy.tokens import DocBin

        return list(DocBin().from_disk(f).get_docs(nlp.vocab))
    docs = list(nlp.pipe(texts, batch_size=16, disable=[] if ner else ["ner"]))
    if f is not None:
        from spacy.tokens import DocBin

        db = DocBin(store_user_data=False)
        for d in docs:
            db.add(d)
        db.to_disk(f)
    return docs


def predict(
    texts: Sequence[str], docs: Sequence[Any], cue_lemmas: frozenset[str] | None = None, tagger: Any = None,
) -> list[tuple[Spans, Spans]]:
    """Predicted (sources, cues) for each text: the learned tagger's when ``tagger`` is given, else the rules'."""
    from tracewire.analyze.attribution import find_all, find_learned, load_cues
    from tracewire.analyze.sentences import blocks, split

    lemmas = load_cues() if cue_lemmas is None else cue_lemmas
    out = []
    for text, doc in zip(texts, docs, strict=True):
        srcs: Spans = set()
        cues: Spans = set()
        spans = split(text, [x.start_char for x in doc.sents])
        if tagger is not None:
            founds, _ = find_learned(text, doc, spans, blocks(text), lemmas, tagger)
        else:
            founds, _ = find_all(text, doc, spans, blocks(text), lemmas)
        for fs in founds:
            for f in fs:
                cues.add((f.cue_start, f.cue_end))
                if f.source_start is not None and f.source_end is not None and not f.anonymous_passive:
                    srcs.add((f.source_start, f.source_end))
        out.append((srcs, cues))
    return out


def run(
    split: str = "test", model: Path | None = None, cache: Path | None = None, rules: bool = False, crf: bool = False,
) -> dict[str, dict[str, float]]:
    """Source and cue figures on ``split``: the shipped tagger (with ``model`` as its CRF), the CRF alone, or the rules."""
    from tracewire.analyze.attribution_crf import MODEL_PATH, load_tagger
    from tracewire.analyze.attribution_minilm import load_combined

    arts = articles(split)
    texts = [t for t, _ in arts]
    gold = [load_gold(a) for _, a in arts]
    tagger = None if rules else load_tagger(model or MODEL_PATH) if crf else load_combined(model)
    pred = predict(texts, parse(texts, split, cache, ner=not rules), tagger=tagger)
    return {
        "source": scores([p[0] for p in pred], [g[0] for g in gold]),
        "cue": scores([p[1] for p in pred], [g[1] for g in gold]),
        "articles": {"n": float(len(arts))},
    }


def main() -> None:
    """Print the figures as JSON."""
    if not DATA.is_dir():
        raise SystemExit(f"needs {DATA} (the ../shared folder beside the checkout)")
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    split = args[0] if args else "test"
    print(json.dumps(run(split, rules="--rules" in sys.argv, crf="--crf" in sys.argv), indent=2))


if __name__ == "__main__":
    main()
