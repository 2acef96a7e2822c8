"""CPU seconds of the reuse stage's two phases, in one process, on the news corpus of ``bench/reuse.py``.

For comparing two commits of the reuse code on a shared machine: each phase (furniture learning
with its anchors and masking; candidate pairs; aligning every candidate pair and building the link
records; siblings and sorting) is timed with
``time.process_time`` in this one process, ``--repeat`` times, and the least is printed, with a
digest of the link records (``bench/reuse.py``'s), which a speed change must keep.

    PYTHONPATH=$PWD .venv/bin/python bench/reuse_phases.py --size 10000 --repeat 2

Run it from a checkout of each commit (``git archive COMMIT | tar -x -C DIR``, then this file
copied in): the code timed is the ``tracewire`` of the checkout this file sits in.
The first repeat pays the page faults of a fresh process, as a real run does (``cold``).
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
from functools import partial
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tracewire.corpus import reuse as R  # noqa: E402
from tracewire.corpus.furniture import learn_all, mask  # noqa: E402
from tracewire.records import Document  # noqa: E402


def _bench_module() -> object:
    """bench/reuse.py as a module (its corpus generator and link digest)."""
    spec = importlib.util.spec_from_file_location("bench_reuse", ROOT / "bench" / "reuse.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # its dataclasses look their module up
    spec.loader.exec_module(mod)
    return mod


def phases(docs: list[Document]) -> tuple[float, float, float, float, list[object]]:
    """CPU s of furniture learning with anchors and masking, candidate pairs, alignment with link records,
    and siblings with sorting; and the links (one worker)."""
    cfg = R.ReuseConfig()
    t0 = time.process_time()
    extras: list[tuple[np.ndarray, list[int]]] = []
    furniture, house, group = learn_all(docs, cfg.furniture, 1, partial(R._group_keys, cfg, len(docs)), extras)
    masked = [mask(d, furniture[d.id]) for d in docs]
    outlets = R.OutletText(group, house)
    redo = sorted(k for _, left in extras for k in left)
    keys = np.concatenate([np.empty(0, dtype=np.uint64), *(x for x, _ in extras),
                           R._index_ids([masked[k].text for k in redo], redo, cfg, len(docs))])
    learn = time.process_time() - t0
    ids = [d.id for d in docs]
    t1 = time.process_time()
    ii, jj, _, stats = R.candidate_pairs(keys, len(docs), max_df=cfg.max_df, min_shared=cfg.min_anchors,
                                         stats_min_df=cfg.stats_min_df, rank=R._rank([d.date for d in docs], ids),
                                         mass_min_shared=cfg.mass_min_anchors,
                                         outlet=R.outlet_numbers(ids, outlets.group),
                                         short_min_shared=cfg.short_min_anchors,
                                         known=R.outlet_known(ids, outlets.group),
                                         day=R.day_numbers([d.date for d in docs]), max_days=cfg.wire_days,
                                         one_max_df=cfg.one_anchor_df)
    t2 = time.process_time()
    links = R._align_all(masked, (ii, jj), stats, cfg, 1, None, outlets)
    t3 = time.process_time()
    links = sorted(R.mark_siblings(links), key=lambda lk: (lk.source, lk.target))
    return learn, t2 - t1, t3 - t2, time.process_time() - t3, links


def main(argv: list[str] | None = None) -> int:
    """Time the phases ``--repeat`` times and print the least of each."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args(argv)
    bench = _bench_module()
    c = bench.generate_news(args.size, args.seed)  # type: ignore[attr-defined]
    docs = [Document(id=f"d{i:07d}", text=t, sha256="", source_path="", outlet=o)
            for i, (t, o) in enumerate(zip(c.texts, c.outlets, strict=True))]
    learn: list[float] = []
    pairs: list[float] = []
    align: list[float] = []
    finish: list[float] = []
    with R._few_collections():
        for _ in range(args.repeat):
            a, p, b, f, links = phases(docs)
            learn.append(a)
            pairs.append(p)
            align.append(b)
            finish.append(f)
    digest = bench.links_digest(links)  # type: ignore[attr-defined]
    print(f"{len(docs)} docs, {len(links)} links, digest {digest}; CPU s (least of {args.repeat}; cold first): "
          f"furniture+anchors {min(learn):.2f} (cold {learn[0]:.2f}), pairs {min(pairs):.2f}, "
          f"align+records {min(align):.2f} (cold {align[0]:.2f}), siblings+sort {min(finish):.2f}, "
          f"sum {min(learn) + min(pairs) + min(align) + min(finish):.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
