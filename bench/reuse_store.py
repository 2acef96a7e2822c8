"""Store-backed reuse (what `tracewire analyze` runs) beside the in-memory corpus function.

Generates the planted-reuse corpus of bench/reuse.py, writes all but the last ``--add`` documents
to a fresh SQLite store and times, in one run:

- ``update_reuse`` on the store, first run (everything is new), with 1 process and with 2 workers;
- ``update_reuse`` after adding the last ``--add`` documents (only they are compared with the rest);
- ``update_reuse`` with nothing new;
- ``find_reuse`` on the whole corpus in memory (2 workers), as the reference.

It checks that the incremental store ends with exactly the links of one full ``find_reuse`` run
and prints each time as a ratio to that reference.

    .venv/bin/python bench/reuse_store.py --docs 20000 --add 1000
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from reuse import generate  # noqa: E402  (bench/reuse.py)

from tracewire.corpus.reuse import find_reuse, update_reuse  # noqa: E402
from tracewire.records import Document  # noqa: E402
from tracewire.store.base import IngestBatch  # noqa: E402
from tracewire.store.sqlite import SQLiteStore  # noqa: E402


def _store(path: Path, docs: list[Document]) -> SQLiteStore:
    """A fresh store holding ``docs``."""
    store = SQLiteStore(path)
    for lo in range(0, len(docs), 2000):
        store.write_ingest_batch(IngestBatch(documents=[(d, None, None) for d in docs[lo : lo + 2000]]))
    return store


def main(argv: list[str] | None = None) -> int:
    """Run the comparison and print the table."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=20_000, help="documents in the first run")
    ap.add_argument("--add", type=int, default=1_000, help="documents added for the incremental run")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)
    c = generate(args.docs + args.add, args.seed)
    docs = [Document(id=f"d{i:07d}", text=t, sha256=hashlib.sha256(t.encode("utf-8")).hexdigest(),
                     source_path=f"d{i:07d}.txt") for i, t in enumerate(c.texts)]
    first, rest = docs[: args.docs], docs[args.docs :]
    rows: list[tuple[str, float, str]] = []

    t0 = time.perf_counter()
    full = find_reuse(docs, workers=2)
    ref = time.perf_counter() - t0
    rows.append((f"find_reuse, all {len(docs)} documents, 2 workers", ref, f"{len(full)} links"))

    with tempfile.TemporaryDirectory() as tmp:
        for workers in (1, 2):
            store = _store(Path(tmp) / f"w{workers}.db", first)
            t0 = time.perf_counter()
            s = update_reuse(store, workers=workers)
            rows.append((f"update_reuse, first {len(first)} documents, {workers} worker(s)",
                         time.perf_counter() - t0, f"{s.links} links"))
            store.close()
        store = SQLiteStore(Path(tmp) / "w2.db")
        store.write_ingest_batch(IngestBatch(documents=[(d, None, None) for d in rest]))
        t0 = time.perf_counter()
        s = update_reuse(store, workers=2)
        rows.append((f"update_reuse, {len(rest)} added", time.perf_counter() - t0,
                     f"{s.candidate_pairs} pairs aligned"))
        t0 = time.perf_counter()
        update_reuse(store, workers=2)
        rows.append(("update_reuse, nothing new", time.perf_counter() - t0, ""))
        stored = {(r["source"], r["target"]) for r in store.query("SELECT source, target FROM reuse")}
        size = (Path(tmp) / "w2.db").stat().st_size / 2**20
        store.close()

    print(f"{'run':<52} {'s':>7} {'x find_reuse':>12}  note")
    for name, secs, note in rows:
        print(f"{name:<52} {secs:>7.1f} {secs / ref:>12.2f}  {note}")
    same = stored == {(lk.source, lk.target) for lk in full}
    print(f"incremental store equals one full find_reuse run: {same} "
          f"({len(stored)} vs {len(full)} links); store {size:.0f} MiB")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
