"""FA-KES `analyze` with and without the narratives stage (narratives, corroboration, contradictions),
side by side in one run: CPU seconds (user + sys, worker processes included) and wall seconds.

    PYTHONPATH=. .venv/bin/python bench/narratives.py [--docs 804] [--workers 1] [--keep DIR] [--full]
        [--baseline REF]

One fresh store is ingested from ../shared/data/fakes; each phase runs in its own child process and
is measured by that child's resource usage:

- ``without``: the whole `analyze` (furniture, every per-document component, reuse, fact-checks)
  with the narratives stage left out;
- ``stage``: the narratives stage alone on that analysed store (as `analyze` runs it next; its vectors
  are not stored yet, so it embeds everything), with the encoder's share (reading, encoding and
  storing the vectors: ``encoder CPU s`` in its summary) measured apart;
- ``with`` = ``without`` + ``stage``; with ``--full``, also a whole `analyze` with every stage on
  its own fresh copy of the ingested store, measured the same way.

``--baseline REF`` also extracts the code of git ``REF`` (``git archive``) beside the stores, has
that code ingest the same CSV into its own store and run its whole default `analyze`, and runs a
whole `analyze` of this code (as ``--full`` does), both measured the same way in this one run.
``0493242`` is the last commit before work on issue 15 began (the next one, ``aee73a2``, added the
sentence encoder for it), so ``--baseline 0493242`` compares FA-KES end to end today with `analyze`
as it was when the issue was written.

The ratio ``with / without`` is what issue 15 bounds (1.5x), read strictly: against today's
`analyze` without the stage, not against the `analyze` of the day the issue was filed. The stage's own summary (claims,
texts embedded, narratives, outliers, contradictions) is printed beside it.

Measured 2026-11-28 on the 2-core machine shared with five other jobs (load average 10-13
throughout, so wall seconds are several times a quiet machine's and only CPU seconds compare),
``PYTHONPATH=. .venv/bin/python bench/narratives.py --keep /tmp/narrb/run1`` at 46e3163:

                                            CPU s   wall s
    analyze without narratives              138.4    825.3
    narratives stage alone                  122.1    317.2
    analyze with narratives (sum)           260.5   1142.5
    ratio with / without: CPU 1.88x, wall 1.38x
    stage: claims 7496, embedded 6850, narratives 815, clustered 4591, outliers 2905, contradictions 6734

At 392ed44 (before: two threads spinning on a busy machine, every claim of six words or more
embedded, contradiction pairs filtered in Python) the same command gave 120.9 / 243.1 CPU s,
3.01x (claims 8664, embedded 7864). What is left is the encoder itself: about 17 ms of CPU per
distinct claim text (all-MiniLM-L6-v2, float32, one thread; clustering and contradictions take
about 6 s together), so 1.5x would need about 3,000 texts at most or a faster encoder.

With the ONNX Runtime encoder (float32, unpadded batches of one token length; ``tracewire/embeddings.py``),
at 10a996a, load average 5-6, ``PYTHONPATH=. .venv/bin/python bench/narratives.py --keep /tmp/enc/nb``:

                                            CPU s   wall s
    analyze without narratives              117.5    173.6
    narratives stage alone                   78.4    134.4
    analyze with narratives (sum)           195.8    308.0
    ratio with / without: CPU 1.67x, wall 1.77x
    stage: claims 7496, embedded 6850, narratives 808, clustered 4575, outliers 2921, contradictions 6616

The same command on a quiet machine (load average 1.0-1.5) at 4bd4ba4: without 108.0 CPU s, stage
69.2 CPU s, ratio 1.64x (wall 1.63x). The contradiction rules merged after it cut FA-KES's
contradictions from 6,616 to 723; the stage's cost after them was not re-measured.

The same stage with ``TRACEWIRE_ENCODER=torch`` on a copy of that store took 107.3 CPU s (load average
1.6-2.4) and wrote the same narratives, members, corroboration and contradictions (only the model
hash in the narratives' parameters differs). About 10.5 ms of CPU per text now (the matrix products near this CPU's float32 peak): 1.5x still
needs fewer texts (about 5,000 at this speed, with ``without`` at 117.5 s) or lower precision.

Re-measured after the contradiction rules, load average 5-7 (so both phases inflated alike, by
about a fifth against the quiet figures), ``TRACEWIRE_SHARED=/work/shared PYTHONPATH=. .venv/bin/python
bench/narratives.py --keep /tmp/narspeed/base`` at afada51: without 133.7, stage 80.5 CPU s, 1.60x;
at a002db4 (pair scoring at once, pack move) with this file's encoder split, committed next:
without 132.1, stage 77.9 CPU s (encoder 71.3), 1.59x; claims 7496, embedded 6850, narratives 808, contradictions 723 in both.

Quiet (load average 0.03 at the start, 1.1 at the end), ``PYTHONPATH=. .venv/bin/python bench/narratives.py
--baseline 0493242 --keep DIR`` at d8c1365: without 124.8, stage 72.2 (encoder 66.5), sum 197.0 CPU s,
1.58x; whole analyze at 0493242 106.7, whole analyze of this code in one run 185.4 CPU s, 1.74x of
it; claims 7494, embedded 6848, narratives 811, contradictions 725. The ``without`` phase came out
11 CPU s above the one-run analyze minus the stage, so phases of one run differ by about 6%.

Branch speed15 at 877109e (spaCy's lemmatizer and attribute ruler without their repeated work, spaCy
imported without torch, the gazetteer read from a built copy, places' distances once; every export
of a 200-article FA-KES store byte-identical to d8c1365's), the same command, load average 0.4 at
the start and 1.0 at the end (one other job): without 107.8, stage 71.1 (encoder 65.0), sum 178.9;
whole analyze at 0493242 122.4, whole analyze of this code in one run 185.4 CPU s, 1.52x of it (the
sum 1.46x). The baseline came out 15% above the earlier quiet 106.7, so only ratios within one run
compare. Paired on the first 200 articles, analyze without the stage: 38.1 CPU s at d8c1365, 29.6 here.

Quiet again after merging speed15, geo and contra (load average 1.0 at the start, 1.1 at the end, no
other job), the same command at 2d50de9: without 78.7, stage 66.5 (encoder 60.7), sum 145.2; whole
analyze at 0493242 83.6, whole analyze of this code in one run 145.5 CPU s: 1.74x of it (the sum
1.74x); claims 7494, embedded 6848, narratives 812, contradictions 759. Every phase ran about a fifth
faster than in the quiet d8c1365 run (the machine, not the code), so compare ratios: ``without`` went
from 1.17x to 0.94x of the 0493242 analyze, yet the whole stays 1.74x, because the stage alone is
0.80x of that analyze. With this encoder at its float32 peak, 1.5x would need ``without`` at about
59 CPU s, a quarter below the analyze the stage was added to.

Where the stage goes (profiled on that store with its vectors stored, so nothing is encoded):
everything but the encoder takes about 5 CPU s (clustering 2.2, contradictions 1.2-1.6, claim items
0.3-0.5, reading vectors, corroboration and writing the rest); the encoder is the other 91%. The
6,850 distinct texts hold 217,650 tokens (median 30, 95th percentile 54, one over 128), about 0.29 ms
of CPU per token. ONNX Runtime's kernel profile gives MatMul 83% of the time, and its matrix
products run at 76-86 GFLOPS on one thread, this AVX2 CPU's peak (numpy/OpenBLAS: 81). Tried and
dropped: the ONNX Runtime transformers optimizer's fused graphs (Attention, SkipLayerNormalization,
BiasGelu; cosine to torch 0.9999999) were 4-18% slower on 400 claim texts; batches of 16, 32 or 64 and denormals as zero
changed nothing beyond noise. Fewer tokens, measured on FA-KES: exact duplicates are embedded once
already (7,496 claims, 6,850 texts); texts near-identical to one in a copy or rewrite they are linked
to (word ratio 0.9 or more, not identical) hold about 1.7% of the tokens, near-duplicates corpus-wide
(word 3-gram Jaccard 0.8) 1.7%; a cap of 128 tokens cuts 8 tokens, one of 32 tokens 15% while
truncating 42% of the texts; claims naming only a country or demonym hold 3% and are used (in a
narrative or a contradiction) as often as the rest (61% against 62%); claims with fewer than 8 content
words hold 9%, half of them used (65% of the rest). Fact-check matching embeds nothing
here (FA-KES imports no fact-checks) and already shares the vector table. So at ``without`` 108 s
(quiet), 1.5x (stage 54 CPU s) needs the encoder at about 47 s, about 163,000 tokens: a quarter
fewer than FA-KES's claims hold, which no rule above gives without dropping claims that form
narratives.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SHARED = Path(os.environ.get("TRACEWIRE_SHARED", ROOT.parent / "shared"))
DEFAULT_CSV = SHARED / "data" / "fakes" / "FA-KES-Dataset.csv"


def _phase(kind: str, db: str, workers: int) -> None:
    """Child process: run one phase on ``db`` and print its summary as JSON on the last line."""
    if kind == "ingest":  # the ``--db`` path names the CSV; the store is written beside it
        print(json.dumps({"db": str(ingested_from(Path(db)))}))
        return
    from tracewire.engines.local import analyze_store
    from tracewire.store import SQLiteStore

    store = SQLiteStore(Path(db))
    try:
        if kind == "baseline":  # a whole analyze as the checked-out code runs it by default
            a = analyze_store(store, workers=workers)
            out = {"analysed": a.analysed, "stages": sorted(a.corpus)}
        elif kind == "stage":
            from tracewire.corpus import narratives

            embed, spent = narratives.embed, [0.0]

            def timed(*args: Any, **kwargs: Any) -> Any:
                """``narratives.embed``, with the CPU seconds it takes (the encoder's share) added up."""
                t0 = time.process_time()
                try:
                    return embed(*args, **kwargs)
                finally:
                    spent[0] += time.process_time() - t0

            narratives.embed = timed
            s = narratives.update_narratives(store, workers=workers)
            out = {k: getattr(s, k) for k in s.__dataclass_fields__}
            out["encoder CPU s"] = round(spent[0], 1)
        else:
            from tracewire.engines.local import local_stages

            stages = local_stages(workers)
            if kind == "without":
                stages.pop("narratives")
            a = analyze_store(store, workers=workers, stages=stages)
            out = {"analysed": a.analysed, "stages": sorted(a.corpus)}
    finally:
        store.close()
    print(json.dumps(out))


def run_phase(kind: str, db: Path, workers: int, root: Path = ROOT) -> tuple[float, float, dict[str, object]]:
    """(CPU seconds, wall seconds, summary) of one phase run in a child process on the code at ``root``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    env = {**os.environ, "PYTHONPATH": str(root)}
    script = root / "bench" / Path(__file__).name
    proc = subprocess.run([sys.executable, str(script), "--phase", kind, "--db", str(db), "--workers", str(workers)],
                          capture_output=True, text=True, env=env, check=False)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        sys.exit(f"phase {kind} failed:\n{proc.stderr[-4000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall, json.loads(proc.stdout.strip().splitlines()[-1])


def ingested(csv_path: Path, rows: int, folder: Path) -> Path:
    """A fresh store holding the first ``rows`` FA-KES articles, ingested as the README shows."""
    import csv

    src = folder / "FA-KES-Dataset.csv"  # the same document ids as eval/narratives_real
    csv.field_size_limit(sys.maxsize)
    with csv_path.open(encoding="utf-8", errors="replace", newline="") as f, \
            src.open("w", encoding="utf-8", newline="") as g:
        reader, writer = csv.reader(f), csv.writer(g)
        for k, row in enumerate(reader):
            if k > rows:
                break
            writer.writerow(row)
    return ingested_from(src)


def ingested_from(src: Path) -> Path:
    """The store ``fakes.db`` beside the FA-KES CSV ``src``, ingested from it as the README shows."""
    from tracewire.ingest import FieldMap, ingest
    from tracewire.store import SQLiteStore

    db = src.parent / "fakes.db"
    store = SQLiteStore(db)
    ingest([str(src)], store, fields=FieldMap().with_overrides(["text=article_content", "outlet=source"]))
    store.close()
    return db


def baseline_tree(ref: str, folder: Path) -> Path:
    """The code of git ``ref`` extracted under ``folder``, with this bench script copied into it."""
    tree = folder / f"baseline-{ref}"
    shutil.rmtree(tree, ignore_errors=True)
    tree.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", ref], capture_output=True, check=False)
    if archive.returncode != 0:
        sys.exit(f"git archive {ref} failed: {archive.stderr.decode(errors='replace').strip()} "
                 "(--baseline needs a git checkout and a commit it holds)")
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive.stdout, check=True)
    (tree / "bench").mkdir(exist_ok=True)
    shutil.copy(__file__, tree / "bench" / Path(__file__).name)
    return tree


def main() -> None:
    """Ingest FA-KES once, time analyze without the narratives stage, the stage alone, and the ratio."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=804, help="FA-KES articles (default 804: all of them)")
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--csv", type=Path, default=DEFAULT_CSV)
    ap.add_argument("--keep", type=Path, help="keep the stores in this folder (default: a scratch folder)")
    ap.add_argument("--full", action="store_true", help="also time a whole analyze with every stage")
    ap.add_argument("--baseline", metavar="REF",
                    help="also time a whole analyze of the code at git REF (ingested by that code into its own "
                         "store), and the whole analyze of this code against it")
    ap.add_argument("--phase", help=argparse.SUPPRESS)
    ap.add_argument("--db", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.phase:
        _phase(args.phase, args.db, args.workers)
        return
    if not args.csv.exists():
        sys.exit(f"needs {args.csv} (../shared beside the checkout, or TRACEWIRE_SHARED)")
    folder = args.keep or Path(tempfile.mkdtemp(prefix="tracewire-bench-narratives-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        base = ingested(args.csv, args.docs, folder)
        print(f"FA-KES, first {args.docs} articles, {args.workers} worker(s); load average at start "
              f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
        rows: list[tuple[str, float, float]] = []
        fresh = folder / "without.db"
        shutil.copy(base, fresh)
        cpu0, wall0, _ = run_phase("without", fresh, args.workers)
        rows.append(("analyze without narratives", cpu0, wall0))
        cpu1, wall1, stage = run_phase("stage", fresh, args.workers)
        rows.append(("narratives stage alone", cpu1, wall1))
        rows.append(("analyze with narratives (sum)", cpu0 + cpu1, wall0 + wall1))
        if args.full:
            whole = folder / "with.db"
            shutil.copy(base, whole)
            cpu2, wall2, _ = run_phase("with", whole, args.workers)
            rows.append(("analyze with narratives (one run)", cpu2, wall2))
        if args.baseline:
            tree = baseline_tree(args.baseline, folder)
            bsrc = tree / "fakes-input" / "FA-KES-Dataset.csv"
            bsrc.parent.mkdir()
            shutil.copy(folder / "FA-KES-Dataset.csv", bsrc)
            _, _, made = run_phase("ingest", bsrc, args.workers, root=tree)
            cpu3, wall3, _ = run_phase("baseline", Path(str(made["db"])), args.workers, root=tree)
            rows.append((f"analyze at {args.baseline} (whole)", cpu3, wall3))
            if not args.full:
                whole = folder / "with.db"
                shutil.copy(base, whole)
                cpu2, wall2, _ = run_phase("with", whole, args.workers)
                rows.append(("analyze with narratives (one run)", cpu2, wall2))
        print(f"{'':36} {'CPU s':>8} {'wall s':>8}")
        for name, cpu, wall in rows:
            print(f"{name:36} {cpu:8.1f} {wall:8.1f}")
        print(f"ratio with / without: CPU {(cpu0 + cpu1) / cpu0:.2f}x, wall {(wall0 + wall1) / wall0:.2f}x"
              + (f"; one run: CPU {cpu2 / cpu0:.2f}x, wall {wall2 / wall0:.2f}x" if args.full else ""))
        if args.baseline:
            print(f"this code's whole analyze / the whole analyze at {args.baseline}: "
                  f"CPU {cpu2 / cpu3:.2f}x, wall {wall2 / wall3:.2f}x; "
                  f"this code's sum with / the analyze at {args.baseline}: CPU {(cpu0 + cpu1) / cpu3:.2f}x")
        print("stage: " + ", ".join(f"{k} {v}" for k, v in stage.items()))
        print(f"load average at end {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
