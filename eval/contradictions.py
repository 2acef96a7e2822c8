"""Contradictions on real news: precision and recall of contradiction finding on labelled FA-KES claim pairs.

Run: ``python eval/contradictions.py [dev|heldout] [--db FILE]`` (default dev; reads ../shared/data/fakes).

Uses the pairs and the analysed store of ``eval/narratives.py`` (``eval/narratives_real/``). A pair
is positive when labelled ``contradiction`` (one event told with different figures or opposing
facts); ``consistent`` and ``na`` (not one event) are negatives. A pair is predicted a
contradiction when tracewire's contradictions (computed in memory with the shipped knobs, before
copies are merged into one record) hold its two claims, in either order.
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
from eval import narratives  # noqa: E402

Key = tuple[str, int, int]


def predicted(db: Path) -> tuple[set[frozenset[Key]], set[Key]]:
    """Claim pairs tracewire calls contradicting, and the claims the store holds."""
    from tracewire.corpus.contradictions import find_contradictions

    of, ctx = narratives.in_memory(db, {})
    items = ctx["items"]
    index = {(it.doc, it.start, it.end): k for k, it in enumerate(items)}
    found = find_contradictions(ctx["layers"], _links(db), ctx["docs"], ctx["orig"], ctx["vectors"], index,
                                narrative_of=of, merge_copies=False)
    return ({frozenset({(c["a"]["doc"], c["a"]["start"], c["a"]["end"]), (c["b"]["doc"], c["b"]["start"], c["b"]["end"])})
             for c in found}, ctx["present"])


def _links(db: Path) -> list[dict[str, Any]]:
    """The store's reuse links."""
    from tracewire.store.sqlite import SQLiteStore

    store = SQLiteStore(db)
    try:
        return list(store.reuse_rows())
    finally:
        store.close()


def run(split: str, db: Path | None = None) -> dict[str, Any]:
    """Figures of one half."""
    rows = narratives.pairs(split)
    pred, present = predicted(narratives.store_path(db))
    tp = fp = fn = missing = 0
    for r in rows:
        a, b = (r["a"], r["a_start"], r["a_end"]), (r["b"], r["b_start"], r["b_end"])
        if a not in present or b not in present:
            missing += 1
            continue
        p = frozenset({a, b}) in pred
        g = r["contradiction"] == "contradiction"
        tp += p and g
        fp += p and not g
        fn += g and not p
    return {"split": split, "pairs": len(rows) - missing, "missing": missing, "contradictions": tp + fn,
            "predicted": tp + fp, "precision": tp / (tp + fp) if tp + fp else 0.0,
            "recall": tp / (tp + fn) if tp + fn else 0.0}


def main() -> None:
    """Print the figures of one half as JSON."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("split", nargs="?", default="dev", choices=("dev", "heldout"))
    ap.add_argument("--db", type=Path, help="an analysed FA-KES store (default: the cache, built when absent)")
    args = ap.parse_args()
    print(json.dumps(run(args.split, args.db), indent=1))


if __name__ == "__main__":
    main()
