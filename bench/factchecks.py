"""Fact-check matching: time to embed the 10,375 CheckThat! 2020 verified claims, and matching rate.

In a fresh SQLite store (a temporary folder) it times, in one run:

- importing the verified claims and encoding their vectors (target < 5 min);
- encoding them again (nothing to do: vectors are kept by text hash and model);
- matching the 1,000 training and development tweets against them: retrieval, features and
  re-ranking only (vectors stored), and end to end with each tweet's encoding (target >= 50 claims/s).

    .venv/bin/python bench/factchecks.py            # add --limit N to encode only the first N claims
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from eval import factcheck_retrieval as ct  # noqa: E402
from tracewire import embeddings  # noqa: E402
from tracewire.corpus.factcheck import build_index, cosines, embed, rank, shipped_reranker  # noqa: E402
from tracewire.records import FactCheck  # noqa: E402
from tracewire.store import open_store  # noqa: E402
from tracewire.store.factchecks import FactcheckStore  # noqa: E402


def main() -> int:
    """Run the timings and print the table."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--limit", type=int, default=None, help="encode only the first N verified claims")
    ap.add_argument("--match-db", type=Path, default=ct.CACHE, help="a store holding every verified claim's vector "
                    "(eval/factcheck_retrieval.py makes it) to time matching against all 10,375; default "
                    "eval/.cache/checkthat2020.db, else the fresh store")
    args = ap.parse_args()
    claims = ct.verified_claims()[: args.limit]
    tweets = [ct.clean_tweet(t) for split in ("train", "dev") for _, t in ct.load_split(split)[0]]
    rows: list[tuple[str, int, float, str]] = []
    embeddings.encode(["warm-up"])  # the model's load time is not the claims' encoding time
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(Path(tmp) / "bench.db")
        fs = FactcheckStore.of(store)
        t = time.perf_counter()
        fs.write([FactCheck(id=f"ct:{i}", source="ct", source_path="v3.zip", claim_reviewed=" ".join(c.split()),
                            title=" ".join(h.split()) or None) for i, c, h in claims], [])
        t_import = time.perf_counter() - t
        t = time.perf_counter()
        index, encoded = build_index(store)
        t_embed = time.perf_counter() - t
        t = time.perf_counter()
        _, again = build_index(store)
        t_again = time.perf_counter() - t
        rr = shipped_reranker()
        if args.match_db.exists():
            store.close()
            store = open_store(args.match_db)
            fs = FactcheckStore.of(store)
            index, _ = build_index(store)
        t = time.perf_counter()
        vecs, _ = embed(fs, tweets)
        t_qenc = time.perf_counter() - t
        t = time.perf_counter()
        for text, vec, cos in zip(tweets, vecs, cosines(index, vecs), strict=True):
            rank(index, text, vec, rr, cos=cos)
        t_match = time.perf_counter() - t
        store.close()
    rows += [("import verified claims", len(claims), t_import, ""),
             (f"encode verified claims ({encoded} texts)", len(claims), t_embed, "target < 300 s"),
             (f"encode again ({again} texts new)", len(claims), t_again, ""),
             ("encode tweets", len(tweets), t_qenc, "0 s when --match-db holds them"),
             (f"match tweets against {len(index.fcs)} (vectors stored)", len(tweets), t_match, ""),
             ("match tweets end to end", len(tweets), t_qenc + t_match, "target >= 50 claims/s")]
    print(f"{'step':44} {'items':>7} {'seconds':>8} {'per s':>8}  note")
    for name, n, s, note in rows:
        print(f"{name:44} {n:7d} {s:8.1f} {n / s if s else float('inf'):8.1f}  {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
