"""Where the reuse stage's CPU goes across its processes, and the wall time it would take on two idle cores.

``find_reuse`` with ``--workers`` processes on the news corpus of ``bench/reuse.py``: the CPU
seconds of each forked worker in each of the two pools (furniture learning; aligning candidate pairs)
and of the parent, outside the pools (masking, candidate pairs, siblings, sorting) and inside them
(the parent is one of the ``--workers``: it takes tasks itself and reads what the forked ones send).
On a machine shared with other jobs wall time says little, while these CPU seconds do: the parent's
CPU outside the pools plus, for each pool, the larger of the parent's CPU in it and the busiest forked
worker's is the wall time the stage needs on idle cores (``estimate``; forking comes on top). Prints
the link digest of ``bench/reuse.py``, which a speed change must keep.

    PYTHONPATH=$PWD .venv/bin/python bench/reuse_workers.py --size 10000

The code timed is the ``tracewire`` of the checkout this file sits in (copy it into another
checkout to compare commits, alternating runs).
"""

from __future__ import annotations

import argparse
import functools
import os
import resource
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tracewire.corpus import furniture as F  # noqa: E402
from tracewire.corpus import reuse as R  # noqa: E402
from tracewire.records import Document  # noqa: E402

sys.path.insert(0, str(ROOT / "bench"))
from reuse_phases import _bench_module  # noqa: E402  (bench/reuse.py loaded as a module)


def _cpu() -> float:
    """CPU seconds of this process so far."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    return me.ru_utime + me.ru_stime


def _timed_task(fn: Callable[..., Any], log: str) -> Callable[..., Any]:
    """``fn`` that appends its name, process id and CPU seconds to ``log`` (run in the workers)."""
    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> Any:
        c0 = _cpu()
        out = fn(*args, **kwargs)
        with open(log, "a") as fh:
            fh.write(f"{fn.__name__} {os.getpid()} {_cpu() - c0:.4f}\n")
        return out
    return run


def _timed_step(fn: Callable[..., Any], spent: dict[str, float]) -> Callable[..., Any]:
    """``fn`` that adds its CPU seconds in this process to ``spent``."""
    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> Any:
        c0 = _cpu()
        out = fn(*args, **kwargs)
        spent[fn.__name__] = spent.get(fn.__name__, 0.0) + _cpu() - c0
        return out
    return run


def main(argv: list[str] | None = None) -> int:
    """Run find_reuse once and print CPU seconds per process and pool, and the idle-core estimate."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args(argv)
    bench = _bench_module()
    c = bench.generate_news(args.size, args.seed)
    docs = [Document(id=f"d{i:07d}", text=t, sha256="", source_path="", outlet=o)
            for i, (t, o) in enumerate(zip(c.texts, c.outlets, strict=True))]
    with tempfile.TemporaryDirectory() as tmp:
        log = str(Path(tmp) / "tasks.txt")
        open(log, "w").close()
        F._learn_one = _timed_task(F._learn_one, log)  # type: ignore[assignment]
        R._align_chunk = _timed_task(R._align_chunk, log)  # type: ignore[assignment]
        spent: dict[str, float] = {}
        R.learn_all = _timed_step(R.learn_all, spent)  # type: ignore[assignment]
        R._align_all = _timed_step(R._align_all, spent)  # type: ignore[assignment]
        c0, t0 = _cpu(), time.perf_counter()
        links = R.find_reuse(docs, workers=args.workers)
        total, wall = _cpu() - c0, time.perf_counter() - t0
        per: dict[tuple[str, str], float] = defaultdict(float)
        for line in Path(log).read_text().splitlines():
            name, pid, secs = line.split()
            per[(name, pid)] += float(secs)
    inside = spent.get("learn_all", 0.0) + spent.get("_align_all", 0.0)
    estimate = total - inside
    me = str(os.getpid())  # this process takes tasks too (``pool.ordered_map(here=...)``): its CPU is counted above
    print(f"{len(docs)} docs, {len(links)} links, digest {bench.links_digest(links)}; wall {wall:.2f} s")
    print(f"parent CPU s: {total:.2f} ({total - inside:.2f} outside the pools, "
          f"{spent.get('learn_all', 0.0):.2f} in furniture learning, {spent.get('_align_all', 0.0):.2f} in aligning)")
    for name, label, step in (("_learn_one", "furniture learning", "learn_all"), ("_align_chunk", "aligning", "_align_all")):
        secs = sorted((v for (n, pid), v in per.items() if n == name and pid != me), reverse=True)
        print(f"forked workers' CPU s in {label}: {', '.join(f'{x:.2f}' for x in secs)}")
        estimate += max(secs[0] if secs else 0.0, spent.get(step, 0.0))
    forked = sum(v for (_, pid), v in per.items() if pid != me)
    print(f"CPU s in all: {total + forked:.2f}; estimate on idle cores (parent outside the pools + the busiest "
          f"process of each pool, the parent's CPU in it counted): {estimate:.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
