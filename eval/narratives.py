"""Narratives on real news: pairwise precision and recall of the clustering on labelled FA-KES claim pairs.

Run: ``python eval/narratives.py [dev|heldout] [--db FILE] [--edge-min X --merge-min Y --lex-weight Z]``
(default dev; reads ../shared/data/fakes).

The labelled pairs are in ``eval/narratives_real/pairs.jsonl`` (ids, offsets, labels; no text; the
protocol is in ``eval/narratives_real/README.md``). FA-KES is ingested as that README says and
analysed with ``tracewire analyze`` into ``--db`` (default ``eval/narratives_real/.cache/fakes.db``,
git-ignored, built on first use: minutes). The clustering is then run in memory with the given
knobs (the shipped defaults unless told), so that dev figures can be read for other values without
touching the store. A pair is predicted "same" when both claims fall in one narrative; it is
positive when labelled ``same`` (``related`` and ``unrelated`` are negatives). Claims the store no
longer holds are counted and left out.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
from eval import splits  # noqa: E402

HERE = ROOT / "eval" / "narratives_real"
PAIRS = HERE / "pairs.jsonl"
CACHE = HERE / ".cache"
SHARED = Path(os.environ.get("TRACEWIRE_SHARED", ROOT.parent / "shared"))
CSV = SHARED / "data" / "fakes" / "FA-KES-Dataset.csv"

Key = tuple[str, int, int]


def pairs(split: str) -> list[dict[str, Any]]:
    """The labelled pairs of one half (the held-out half refused under the test run)."""
    if split == "heldout":
        splits.refuse_under_gates("the held-out half of eval/narratives_real")
    rows = [json.loads(line) for line in PAIRS.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r for r in rows if r["split"] == split]


def build_store(path: Path, csv: Path = CSV) -> Path:
    """Ingest FA-KES into a new store at ``path`` as the README shows and analyse it (minutes); returns ``path``."""
    from tracewire.engines.local import analyze_store
    from tracewire.ingest import FieldMap, ingest
    from tracewire.store import open_store

    if not csv.exists():
        raise SystemExit(f"needs {csv} (../shared beside the checkout, or TRACEWIRE_SHARED)")
    path.parent.mkdir(parents=True, exist_ok=True)
    store = open_store(path)
    try:
        ingest([csv], store, fields=FieldMap().with_overrides(["text=article_content", "outlet=source"]))
        analyze_store(store)
    finally:
        store.close()
    return path


def store_path(db: Path | None = None) -> Path:
    """An analysed FA-KES store: ``db`` as given, else the cache, built (ingest + analyze) when absent."""
    path = db or CACHE / "fakes.db"
    if db is None and not path.exists():
        build_store(path)
    return path


def in_memory(db: Path, knobs: dict[str, float]) -> tuple[dict[Key, str], dict[str, Any]]:
    """Claim key -> narrative id from clustering the store's claims with the default knobs changed by ``knobs``."""
    from tracewire.corpus.corroboration import origins
    from tracewire.corpus.narratives import NarrativeConfig, claim_items, embed, narratives_from
    from tracewire.store.sqlite import SQLiteStore

    store = SQLiteStore(db)
    try:
        cfg = replace(NarrativeConfig(), **knobs)
        layers = store.corpus_layers()
        docs = {d["id"]: d for d in layers["documents"]}
        orig = origins(list(store.reuse_rows()), {k: v["date"] for k, v in docs.items()})
        items, _ = claim_items(layers, cfg)
        vectors, _, model = embed(store, [it.text for it in items])
        records, groups, _ = narratives_from(items, vectors, docs, orig, cfg, model)
        of = {(items[x].doc, items[x].start, items[x].end): rec["narrative"]
              for rec, group in zip(records, groups, strict=True) for x in group}
        # a stored claim left out of the clustering (too short, no actor or place) is an outlier, not missing
        present = {(c["doc"], c["start"], c["end"]) for c in layers["claims"]}
        return of, {"present": present, "layers": layers, "docs": docs, "orig": orig, "items": items,
                    "vectors": vectors, "records": records, "groups": groups}
    finally:
        store.close()


def score(rows: list[dict[str, Any]], predicted: dict[Key, str], present: set[Key]) -> dict[str, Any]:
    """Pairwise precision and recall of 'same narrative' against the 'same' labels."""
    tp = fp = fn = missing = 0
    for r in rows:
        a, b = (r["a"], r["a_start"], r["a_end"]), (r["b"], r["b_start"], r["b_end"])
        if a not in present or b not in present:
            missing += 1
            continue
        pred = a in predicted and predicted.get(a) == predicted.get(b)
        gold = r["proposition"] == "same"
        tp += pred and gold
        fp += pred and not gold
        fn += gold and not pred
    return {"pairs": len(rows) - missing, "missing": missing, "same": tp + fn, "predicted_same": tp + fp,
            "precision": tp / (tp + fp) if tp + fp else 0.0, "recall": tp / (tp + fn) if tp + fn else 0.0}


def run(split: str, db: Path | None = None, knobs: dict[str, float] | None = None) -> dict[str, Any]:
    """Figures of one half."""
    rows = pairs(split)
    predicted, ctx = in_memory(store_path(db), knobs or {})
    return {"split": split, **score(rows, predicted, ctx["present"]), "narratives": len(ctx["records"])}


def main() -> None:
    """Print the figures of one half as JSON."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("split", nargs="?", default="dev", choices=("dev", "heldout"))
    ap.add_argument("--db", type=Path, help="an analysed FA-KES store (default: the cache, built when absent)")
    ap.add_argument("--edge-min", type=float)
    ap.add_argument("--merge-min", type=float)
    ap.add_argument("--lex-weight", type=float)
    args = ap.parse_args()
    knobs = {k: v for k, v in (("edge_min", args.edge_min), ("merge_min", args.merge_min),
                               ("lex_weight", args.lex_weight)) if v is not None}
    print(json.dumps(run(args.split, args.db, knobs), indent=1))


if __name__ == "__main__":
    main()
