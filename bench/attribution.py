"""CPU seconds per document of the attribution step alone (rules, CRF features, tagging, resolution).

    .venv/bin/python bench/attribution.py [--code DIR] [--docs 50] [--cache DIR]

Runs ``attribution.attribute`` over every sentence of the first ``--docs`` PolNeAR dev articles
(parses read from ``DIR/polnear-dev.spacy``, written there by ``eval/polnear.py``'s cache when absent),
three times, and prints the least CPU time per document. ``--code`` imports tracewire from another
checkout (compare two branches by alternating runs).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path


def main() -> None:
    """Time the attribution step and print CPU seconds per document."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--code", type=Path, default=Path(__file__).resolve().parents[1])
    ap.add_argument("--docs", type=int, default=50)
    ap.add_argument("--cache", type=Path, default=None)
    args = ap.parse_args()
    sys.path.insert(0, str(args.code))
    from eval import polnear
    from tracewire.analyze.attribution import _tagger_or_rules, attribute, load_cues
    from tracewire.analyze.attribution_kinds import lexicon
    from tracewire.analyze.sentences import blocks, split
    from tracewire.pipeline import Resources

    arts = polnear.articles("dev")
    texts = [t for t, _ in arts]
    docs = polnear.parse(texts, "dev", args.cache)[: args.docs]
    texts = texts[: args.docs]
    cues, tagger, lex = load_cues(), _tagger_or_rules(), lexicon(Resources())
    spans = [split(t, [x.start_char for x in d.sents]) for t, d in zip(texts, docs, strict=True)]
    attribute(texts[0], docs[0], spans[0], blocks(texts[0]), lex, None, cues, tagger)  # loads the tables
    runs = []
    for _ in range(3):
        c = time.process_time()
        for t, d, s in zip(texts, docs, spans, strict=True):
            attribute(t, d, s, blocks(t), lex, None, cues, tagger)
        runs.append(time.process_time() - c)
    print(f"{args.code}: {min(runs) / len(texts):.4f} CPU s per document (least of {[round(r, 2) for r in runs]})")


if __name__ == "__main__":
    main()
