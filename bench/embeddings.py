"""Sentence encoders side by side: ONNX Runtime (the default) and torch (the reference) on FA-KES sentences.

    PYTHONPATH=. .venv/bin/python bench/embeddings.py [--texts 1500] [--threads 1]

Takes the first ``--texts`` distinct sentences (40-400 characters) of the FA-KES articles, loads both
backends (and builds the ONNX export when it is not cached yet) before timing, then encodes them
with each backend, printing CPU seconds of this process, wall seconds and texts per CPU second,
and the least cosine between the two backends' vectors of a text (0.9999 or more is required).
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SHARED = Path(os.environ.get("TRACEWIRE_SHARED", ROOT.parent / "shared"))
CSV = SHARED / "data" / "fakes" / "FA-KES-Dataset.csv"


def sentences(limit: int) -> list[str]:
    """The first ``limit`` distinct FA-KES sentences of 40-400 characters, sorted."""
    csv.field_size_limit(sys.maxsize)
    found: set[str] = set()
    with CSV.open(encoding="utf-8", errors="replace", newline="") as f:
        for row in csv.DictReader(f):
            for s in re.split(r"(?<=[.!?])\s+", row.get("article_content") or ""):
                if 40 < len(s) < 400:
                    found.add(s)
    return sorted(found)[:limit]


def main() -> None:
    """Time both backends on the same texts and compare their vectors."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--texts", type=int, default=1500)
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    if not CSV.exists():
        sys.exit(f"needs {CSV} (../shared beside the checkout, or TRACEWIRE_SHARED)")
    from tracewire import embeddings

    texts = sentences(args.texts)
    print(f"{len(texts)} FA-KES sentences, mean {sum(map(len, texts)) / len(texts):.0f} characters, "
          f"{args.threads} thread(s); load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    out = {}
    print(f"{'backend':8} {'model hash':>16} {'CPU s':>8} {'wall s':>8} {'texts/CPU s':>12}")
    for name in ("onnx", "torch"):
        embeddings.encode(["warm-up"], name=name, threads=args.threads)  # load (and build) outside the timing
        t, u = time.perf_counter(), time.process_time()
        out[name] = embeddings.encode(texts, name=name, threads=args.threads)
        wall, cpu = time.perf_counter() - t, time.process_time() - u
        print(f"{name:8} {embeddings.model_hash(name):>16} {cpu:8.1f} {wall:8.1f} {len(texts) / cpu:12.1f}")
    cos = (out["onnx"] * out["torch"]).sum(axis=1)
    print(f"least cosine onnx/torch {float(cos.min()):.7f}, mean {float(cos.mean()):.7f}")


if __name__ == "__main__":
    main()
