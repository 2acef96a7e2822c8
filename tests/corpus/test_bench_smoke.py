"""A tiny run of the benchmark's generator and scoring (the real benchmark runs by hand)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def _bench(name: str, file: str) -> Any:
    """The bench script ``bench/<file>`` loaded as module ``name``."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "bench" / file)
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return mod


def test_bench_generator_and_tracewire_agree_on_planted_truth() -> None:
    """On 300 generated documents tracewire finds the planted >= 50 % pairs and nothing else."""
    mod = _bench("bench_reuse", "reuse.py")
    corpus = mod.generate(300, seed=3)
    strong, anyshare = mod.truth(corpus)
    assert strong
    found = mod.run_tracewire(corpus)
    recall, precision = mod.score(found, strong, anyshare)
    assert recall >= 0.97 and precision >= 0.99


def test_store_bench_incremental_equals_full_run(capsys) -> None:  # type: ignore[no-untyped-def]
    """bench/reuse_store.py on 330 documents: the incremental store ends with the full run's links."""
    mod = _bench("bench_reuse_store", "reuse_store.py")
    assert mod.main(["--docs", "300", "--add", "30", "--seed", "3"]) == 0
    out = capsys.readouterr().out
    assert "equals one full find_reuse run: True" in out and "update_reuse, 30 added" in out


def test_bench_times_without_memory_reads_and_checks_the_sampled_run(capsys) -> None:  # type: ignore[no-untyped-def]
    """bench/reuse.py on 600 documents: each system timed, run again for its memory, same links both times."""
    mod = _bench("bench_reuse_main", "reuse.py")
    assert mod.main(["--sizes", "600"]) == 0
    out = capsys.readouterr().out
    assert "600 tracewire workers=2" in out and "tracewire against baseline" in out and "links digest" in out
