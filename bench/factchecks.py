"""Fact-check matching: time to embed the 10,375 CheckThat! 2020 verified claims, and matching rate.

In a fresh SQLite store (a temporary folder) it times, in one run:

- importing the verified claims and encoding their vectors (target < 5 min);
- encoding them again (nothing to do: vectors are kept by text hash and model);
- matching the 1,000 training and development tweets against them: retrieval, features and
  re-ranking only (vectors stored), and end to end with each tweet's encoding (target >= 50 claims/s).

Each step prints its wall-clock seconds and the CPU seconds of this process (the machine is shared:
under load the wall clock measures the neighbours too), and the run prints the load average.

    .venv/bin/python bench/factchecks.py            # add --limit N to encode only the first N claims

With the ONNX Runtime encoder (the default since 10a996a; two threads), load average 3-4, after
``python eval/factcheck_retrieval.py dev`` had filled eval/.cache/checkthat2020.db: encoding the
10,375 verified claims (10,369 distinct texts) 76.8 s wall / 88.5 CPU s; 997 tweets matched end to
end, their encoding included, in 15.8 s wall / 19.3 CPU s, 63.0 claims/s.

With a vector per part of each claim too (its sentences and headline, issue 14; load average 1-2.5):
20,900 texts encoded in 76.0 s wall / 77.4 CPU s; 997 tweets matched end to end in 9.9 s wall /
10.0 CPU s, 100.6 claims/s (retrieval, features and re-ranking alone: 727.8 claims/s).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from eval import factcheck_retrieval as ct  # noqa: E402
from tracewire import embeddings  # noqa: E402
from tracewire.corpus.factcheck import build_index, embed, query_matches, shipped_reranker  # noqa: E402
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
    rows: list[tuple[str, int, float, float, str]] = []
    load = os.getloadavg()
    embeddings.encode(["warm-up"])  # the model's load time is not the claims' encoding time
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(Path(tmp) / "bench.db")
        fs = FactcheckStore.of(store)
        t, u = time.perf_counter(), time.process_time()
        fs.write([FactCheck(id=f"ct:{i}", source="ct", source_path="v3.zip", claim_reviewed=" ".join(c.split()),
                            title=" ".join(h.split()) or None) for i, c, h in claims], [])
        t_import, u_import = time.perf_counter() - t, time.process_time() - u
        t, u = time.perf_counter(), time.process_time()
        index, encoded = build_index(store)
        t_embed, u_embed = time.perf_counter() - t, time.process_time() - u
        t, u = time.perf_counter(), time.process_time()
        _, again = build_index(store)
        t_again, u_again = time.perf_counter() - t, time.process_time() - u
        rr = shipped_reranker()
        t, u = time.perf_counter(), time.process_time()
        vecs, _ = embed(fs, tweets)  # in the fresh store: every tweet is encoded
        t_qenc, u_qenc = time.perf_counter() - t, time.process_time() - u
        if args.match_db.exists():
            store.close()
            store = open_store(args.match_db)
            index, _ = build_index(store)
        t, u = time.perf_counter(), time.process_time()
        query_matches(index, tweets, vecs, rr, k=5)
        t_match, u_match = time.perf_counter() - t, time.process_time() - u
        store.close()
    rows += [("import verified claims", len(claims), t_import, u_import, ""),
             (f"encode verified claims ({encoded} texts)", len(claims), t_embed, u_embed, "target < 300 s"),
             (f"encode again ({again} texts new)", len(claims), t_again, u_again, ""),
             ("encode tweets", len(tweets), t_qenc, u_qenc, ""),
             (f"match tweets against {len(index.fcs)} (vectors stored)", len(tweets), t_match, u_match, ""),
             ("match tweets end to end", len(tweets), t_qenc + t_match, u_qenc + u_match, "target >= 50 claims/s")]
    print(f"{'step':44} {'items':>7} {'wall s':>8} {'per s':>8} {'CPU s':>8}  note")
    for name, n, w, c, note in rows:
        print(f"{name:44} {n:7d} {w:8.1f} {n / w if w else float('inf'):8.1f} {c:8.1f}  {note}")
    end = os.getloadavg()
    print(f"load average (1, 5, 15 min) at start {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}, at end "
          f"{end[0]:.2f} {end[1]:.2f} {end[2]:.2f}; {os.cpu_count()} CPUs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
