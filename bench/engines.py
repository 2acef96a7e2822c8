"""Engines side by side: documents/s of `analyze` on FA-KES (local 1 worker, local 2 workers, Spark
local[2]) and reuse on synthetic news corpora (local engine with 2 workers, Spark local[2]).

    TRACEWIRE_SHARED=/work/shared .venv/bin/python bench/engines.py --docs 200 --reuse-sizes 10000 100000

Every engine starts from a copy of the same freshly ingested store and runs the whole `analyze`
(furniture, the per-document components, reuse) as the CLI does; documents/s is documents over
that wall time. The Spark session is started before the clock starts (its start-up is printed
on its own); the executors' model loading is inside the clock, as the local workers' is. For
reuse, both engines run the store-backed stage on the same synthetic corpus (bench/reuse.py's
news generator: outlets with furniture, copies, shared passages, wire stories) and the links
they store are compared.

Measured 2026-11-28 10:39-10:55 UTC on the 2-core machine, quiet (load average 1.3 at start, 1.4
at end), tracewire at 32ef084, command
``TRACEWIRE_SHARED=/work/shared .venv/bin/python bench/engines.py --docs 200 --reuse-sizes 100000``
(spark session start 12.2 s, not counted):

    reuse on synthetic news, 100,002 documents (171 anchor keys, 3.7 KiB blob each)
    engine                     wall s   docs/s     pairs    links
    spark local[2]              316.7    315.7    241559   241419
    local, 2 workers            199.5    501.2    241559   241419
    same links from both engines: True

    spark reuse jobs, from the event log (task s: summed task run time; shuffle as written, lz4)
    phase                      jobs s   task s  shuffle MB     records  bytes/doc  rec/doc
    1 index, explode, group      59.6    111.2       365.5    11971353       3655    119.7
    2 candidate pairs            26.5     48.6       484.3    46648268       4843    466.5
    3 join documents, align     116.5    229.2       426.4      341561       4264      3.4
    4 index rows to driver        4.3      2.1         0.0           0          0      0.0

    analyze on FA-KES, first 200 articles (whole pipeline + reuse, from a fresh store each time)
    engine                     wall s   docs/s  reuse s
    local, 1 worker              73.9     2.71      0.1
    local, 2 workers             43.5     4.60      0.2
    spark local[2]               66.2     3.02      4.8

On two cores Spark cannot beat two local workers: it pays
for a JVM, Python workers that load the model again, pickling every document and record across
the JVM boundary, and a fixed cost per job. It exists for clusters (README, "Spark").
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from itertools import islice
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from reuse import generate_news  # noqa: E402

from tracewire.corpus.reuse import update_reuse  # noqa: E402
from tracewire.engines.local import analyze_store, local_mapper, local_stages  # noqa: E402
from tracewire.ingest import FieldMap, ingest  # noqa: E402
from tracewire.records import Document  # noqa: E402
from tracewire.store import IngestBatch, SQLiteStore  # noqa: E402

SHARED = Path(os.environ.get("TRACEWIRE_SHARED", Path(__file__).resolve().parents[2] / "shared"))
DEFAULT_CSV = SHARED / "data" / "fakes" / "FA-KES-Dataset.csv"


def fakes_subset(src: Path, rows: int, out: Path) -> Path:
    """The first ``rows`` FA-KES records as a CSV (read from ../shared, written to a scratch folder)."""
    csv.field_size_limit(sys.maxsize)
    with src.open(encoding="utf-8", errors="replace", newline="") as f, out.open("w", encoding="utf-8", newline="") as g:
        reader, writer = csv.reader(f), csv.writer(g)
        for k, row in enumerate(reader):
            if k > rows:
                break
            writer.writerow(row)
    return out


def timed(run: Callable[[], Any]) -> tuple[float, Any]:
    """Wall seconds of ``run()`` and its result."""
    t0 = time.perf_counter()
    out = run()
    return time.perf_counter() - t0, out


def _clocked(stage: Any, key: str, spent: dict[str, float], store: Any, progress: Any) -> Any:
    """Run a corpus stage and keep its wall seconds in ``spent[key]``."""
    t, out = timed(partial(stage, store, progress))
    spent[key] = t
    return out


def bench_analyze(args: argparse.Namespace, tmp: Path, spark: Any) -> None:
    """documents/s of the whole analyze on FA-KES, per engine."""
    from tracewire.engines.spark import spark_mapper, spark_stages

    src = fakes_subset(args.csv, args.docs, tmp / "fakes.csv")
    base = tmp / "fakes.db"
    store = SQLiteStore(base)
    ingest([str(src)], store, fields=FieldMap().with_overrides(["text=article_content", "outlet=source"]))
    n = store.count_documents()
    store.close()
    anchors, blob = shuffle_sizes(base)
    print(f"\nanalyze on FA-KES, first {n} articles (whole pipeline + reuse, from a fresh store each time); "
          f"per document {anchors:.0f} anchor keys, {blob / 1024:.1f} KiB blob")
    print(f"{'engine':24} {'wall s':>8} {'docs/s':>8} {'reuse s':>8} load average (1, 5, 15 min) after")
    engines: list[tuple[str, Callable[[], tuple[Any, Any]]]] = [
        ("local, 1 worker", lambda: (local_mapper(1), local_stages(1))),
        ("local, 2 workers", lambda: (local_mapper(2), local_stages(2))),
        ("spark local[2]", lambda: (spark_mapper(spark), spark_stages(spark))),
    ]
    for name, make in engines:
        db = tmp / f"{name.split(',')[0].split()[0]}-{len(name)}.db"
        shutil.copy(base, db)
        st = SQLiteStore(db)
        mapper, stages = make()
        spent: dict[str, float] = {}

        stages = {k: partial(_clocked, v, k, spent) for k, v in stages.items()}
        wall, _ = timed(partial(analyze_store, st, mapper=mapper, stages=stages))
        st.close()
        print(f"{name:24} {wall:8.1f} {n / wall:8.2f} {spent.get('reuse', 0.0):8.1f} {_load()}", flush=True)


def news_store(n: int, path: Path) -> int:
    """A store holding the synthetic news corpus of ``n`` documents (ids d0000000...)."""
    c = generate_news(n)
    store = SQLiteStore(path)
    batch = IngestBatch()
    for i, (text, outlet) in enumerate(zip(c.texts, c.outlets, strict=True)):
        sha = hashlib.sha256(text.encode()).hexdigest()
        batch.documents.append((Document(id=f"d{i:07d}", text=text, sha256=sha, source_path=f"synthetic/{i}",
                                         outlet=outlet), None, None))
        if len(batch.documents) >= 5000:
            store.write_ingest_batch(batch)
            batch = IngestBatch()
    store.write_ingest_batch(batch)
    count = store.count_documents()
    store.close()
    return count


def shuffle_sizes(path: Path, sample: int = 3000) -> tuple[float, float]:
    """Mean anchor keys (rows the reuse job explodes and groups) and mean document blob bytes (what the
    alignment join moves per pair side), over the first ``sample`` documents of the store at ``path``."""
    from tracewire.corpus.reuse import ReuseConfig, index_texts
    from tracewire.corpus.shingles import TokenHasher
    from tracewire.engines.spark import _doc_blob

    store = SQLiteStore(path)
    docs = list(islice(store.documents(), sample))
    store.close()
    idx = index_texts([d.text for d in docs], TokenHasher(), ReuseConfig())
    anchors = len(set(zip(idx.owners.tolist(), idx.anchors.tolist(), strict=True))) / max(len(docs), 1)
    blob = sum(len(_doc_blob(d, "outlet", ())) for d in docs) / max(len(docs), 1)
    return anchors, blob


def _load() -> str:
    """The load average now (the machine is shared: every wall time depends on it)."""
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def event_log_phases(folder: Path) -> dict[str, dict[str, dict[str, float]]]:
    """Per job group and reuse phase (the job descriptions spark_reuse sets), from Spark's event log:
    wall s from its first job's start to its last job's end, summed task run s and JVM CPU s, shuffle bytes and records written, shuffle
    bytes read, and per stage (key ``stage N NAME``) the shuffle it wrote."""
    job_of: dict[int, tuple[str, str]] = {}
    stage_of: dict[int, tuple[str, str]] = {}
    out: dict[str, dict[str, dict[str, float]]] = {}
    keys = ("wall", "task", "cpu", "wbytes", "wrecs", "rbytes")
    for f in sorted(p for p in folder.rglob("events_*") if p.is_file()):
        with f.open(encoding="utf-8") as fh:
            for line in fh:
                e = json.loads(line)
                kind = e["Event"]
                if kind == "SparkListenerJobStart":
                    props = e.get("Properties") or {}
                    key = (props.get("spark.jobGroup.id", ""), (props.get("spark.job.description") or "").split(":")[0])
                    job_of[e["Job ID"]] = key
                    for sid in e["Stage IDs"]:
                        stage_of[sid] = key
                    row = out.setdefault(key[0], {}).setdefault(key[1], dict.fromkeys(keys, 0.0))
                    t = e["Submission Time"] / 1000
                    row["first"] = min(row.get("first", t), t)
                elif kind == "SparkListenerJobEnd" and e["Job ID"] in job_of:
                    g, ph = job_of[e["Job ID"]]
                    row = out[g][ph]
                    row["last"] = max(row.get("last", 0.0), e["Completion Time"] / 1000)
                    row["wall"] = row["last"] - row["first"]  # jobs of a phase overlap: first start to last end
                elif kind == "SparkListenerTaskEnd" and e["Stage ID"] in stage_of:
                    g, ph = stage_of[e["Stage ID"]]
                    m = e.get("Task Metrics") or {}
                    w, r = m.get("Shuffle Write Metrics") or {}, m.get("Shuffle Read Metrics") or {}
                    row = out[g][ph]
                    row["task"] += m.get("Executor Run Time", 0) / 1000
                    row["cpu"] += m.get("Executor CPU Time", 0) / 1e9
                    row["wbytes"] += w.get("Shuffle Bytes Written", 0)
                    row["wrecs"] += w.get("Shuffle Records Written", 0)
                    row["rbytes"] += r.get("Remote Bytes Read", 0) + r.get("Local Bytes Read", 0)
                    if w.get("Shuffle Records Written", 0):
                        st = out[g].setdefault(f"{ph} stage {e['Stage ID']:3d}", dict.fromkeys(keys, 0.0))
                        st["wbytes"] += w.get("Shuffle Bytes Written", 0)
                        st["wrecs"] += w.get("Shuffle Records Written", 0)
                        st["task"] += m.get("Executor Run Time", 0) / 1000
    return out


def print_shuffle(folder: Path) -> None:
    """What Spark's reuse jobs took and shuffled, per phase and per stage, per document, from the event log."""
    phases = event_log_phases(folder)
    print("\nspark reuse jobs, from the event log (jobs s: first job's start to last job's end; task s: summed task run "
          "time; shuffle: bytes Spark wrote, lz4-compressed)")
    print(f"{'docs':>8} {'phase':22} {'jobs s':>8} {'task s':>8} {'shuffle MB':>11} {'records':>11} "
          f"{'bytes/doc':>10} {'rec/doc':>8}")
    for group, rows in phases.items():
        if not group.startswith("reuse-"):
            continue
        n = int(group.split("-")[1])
        for phase, v in sorted(rows.items()):
            print(f"{n:8d} {phase[:22]:22} {v['wall']:8.1f} {v['task']:8.1f} {v['wbytes'] / 1e6:11.1f} "
                  f"{int(v['wrecs']):11d} {v['wbytes'] / n:10.0f} {v['wrecs'] / n:8.1f}")


def bench_reuse(args: argparse.Namespace, tmp: Path, spark: Any) -> None:
    """Reuse (furniture, candidates, alignment, stories) on synthetic news, local vs Spark."""
    from tracewire.engines.spark import spark_reuse

    print(f"\nreuse on synthetic news (bench/reuse.py generate_news), local engine {args.workers} workers vs spark")
    print(f"{'docs':>8} {'engine':24} {'wall s':>8} {'docs/s':>8} {'pairs':>9} {'links':>8} load after")
    for size in args.reuse_sizes:
        base = tmp / f"news{size}.db"
        n = news_store(size, base)
        anchors, blob = shuffle_sizes(base)
        print(f"{'':8} per document: {anchors:.0f} anchor keys, {blob / 1024:.1f} KiB as the alignment join's blob")
        found: dict[str, set[tuple[str, str]]] = {}
        for name in ("spark", "local"):
            db = tmp / f"news{size}-{name}.db"
            shutil.copy(base, db)
            st = SQLiteStore(db)
            if name == "local":
                wall, s = timed(partial(update_reuse, st, workers=args.workers))
                label = f"local, {args.workers} workers"
            else:
                spark.sparkContext.setJobGroup(f"reuse-{n}", f"bench reuse {n}")
                wall, s = timed(partial(spark_reuse, spark, st))
                spark.sparkContext.setJobGroup("bench", "bench")
                label = "spark local[2]"
            found[name] = set(st.reuse_pairs())
            st.close()
            print(f"{n:8d} {label:24} {wall:8.1f} {n / wall:8.1f} {s.candidate_pairs:9d} {s.links:8d} {_load()}",
                  flush=True)
        print(f"{'':8} same links from both engines: {found['local'] == found['spark']}", flush=True)
        for p in tmp.glob(f"news{size}*"):
            p.unlink()


def main(argv: list[str] | None = None) -> int:
    """Run the engine benchmarks and print the tables."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=200, help="FA-KES articles to analyse (default 200; 804 is all)")
    ap.add_argument("--csv", type=Path, default=DEFAULT_CSV)
    ap.add_argument("--reuse-sizes", type=int, nargs="*", default=[10_000, 100_000])
    ap.add_argument("--workers", type=int, default=2, help="local engine workers for the reuse comparison")
    ap.add_argument("--master", default="local[2]")
    ap.add_argument("--skip-analyze", action="store_true")
    ap.add_argument("--event-log", type=Path, default=None, help="only summarise the Spark event log folder of an "
                    "earlier run (its reuse jobs), then stop")
    args = ap.parse_args(argv)
    if args.event_log is not None:
        print_shuffle(args.event_log)
        return 0
    from tracewire.engines.spark import session

    if not args.skip_analyze and not args.csv.exists():
        sys.exit(f"needs {args.csv} (../shared beside the checkout)")
    print(f"load average at start: {_load()} (2 cores)")
    with tempfile.TemporaryDirectory(prefix="tw-engines-") as tmp:
        events = Path(tmp) / "events"
        events.mkdir()
        conf = {"spark.eventLog.enabled": "true", "spark.eventLog.dir": events.as_uri(),
                "spark.eventLog.compress": "false"}
        t, (spark, _) = timed(lambda: session(args.master, conf=conf))
        print(f"spark session on {args.master} started in {t:.1f} s (not counted below)")
        if args.reuse_sizes:
            bench_reuse(args, Path(tmp), spark)
            print_shuffle(events)  # the event log is flushed at every job's end
        if not args.skip_analyze:
            bench_analyze(args, Path(tmp), spark)
        spark.stop()
    print(f"load average at end: {_load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
