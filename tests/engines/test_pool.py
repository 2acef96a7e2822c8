"""The local engine's one process pool: order, inherited state, the same results for any worker count."""

from __future__ import annotations

import os
from typing import Any

import pytest

from tracewire.engines import pool
from tracewire.errors import UsageError


def _scaled(task: int) -> tuple[int, int]:
    """Task times the inherited factor, with the process id that computed it."""
    factor, _ = pool.state()
    return task * factor, os.getpid()


def _setup(factor: int, big: list[int]) -> tuple[Any, ...]:
    """Make the worker state from the inherited inputs."""
    return factor + 1, big


def test_ordered_map_same_results_for_one_and_two_workers() -> None:
    """Results come back in task order and equal the serial ones; two workers really are other processes."""
    big = list(range(100_000))  # inherited by fork, never pickled
    one = list(pool.ordered_map(_scaled, range(50), 1, state=(3, big)))
    two = list(pool.ordered_map(_scaled, range(50), 2, state=(3, big)))
    assert [r for r, _ in one] == [r for r, _ in two] == [3 * k for k in range(50)]
    assert {p for _, p in one} == {os.getpid()}
    if pool.can_fork():
        assert os.getpid() not in {p for _, p in two}


def test_setup_runs_per_worker_and_here_when_serial() -> None:
    """``setup`` turns the given state into what ``state()`` returns, in workers and in this process."""
    for workers in (1, 2):
        got = [r for r, _ in pool.ordered_map(_scaled, [1, 2], workers, state=(3, []), setup=_setup)]
        assert got == [4, 8]


def test_tasks_are_read_lazily_in_the_calling_thread() -> None:
    """A task generator is pulled only a few tasks ahead, by this thread."""
    pulled: list[int] = []

    def tasks() -> Any:
        for k in range(100):
            pulled.append(k)
            yield k

    it = pool.ordered_map(_scaled, tasks(), 2, state=(1, []), ahead=2)
    next(it)
    assert len(pulled) <= 2 * 2 + 1
    assert [r for r, _ in it] == list(range(1, 100))


def test_bad_worker_count_and_state_outside_a_map() -> None:
    """Zero workers is a coded usage error; state() outside ordered_map says where it works."""
    with pytest.raises(UsageError, match="workers=0"):
        list(pool.ordered_map(_scaled, [1], 0))
    with pytest.raises(RuntimeError, match="ordered_map"):
        pool.state()


@pytest.mark.slow
def test_reuse_stage_through_the_pool_equals_serial() -> None:
    """find_reuse on 2,500 generated documents (enough to fork): 2 workers give exactly the serial links."""
    import importlib.util
    import sys

    from tests.conftest import ROOT
    from tracewire.corpus.reuse import find_reuse
    from tracewire.records import Document

    spec = importlib.util.spec_from_file_location("bench_reuse", ROOT / "bench" / "reuse.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules["bench_reuse"] = mod
    spec.loader.exec_module(mod)
    corpus = mod.generate(2500, seed=5)
    docs = [Document(id=f"d{i:05d}", text=t, sha256="", source_path="") for i, t in enumerate(corpus.texts)]
    assert len(docs) >= 2000
    one = find_reuse(docs, workers=1)
    two = find_reuse(docs, workers=2)
    assert len(one) > 100
    assert two == one


def _marked(task: int) -> tuple[str, int]:
    """Worker side of a shared map: leave a mark that a worker ran a task, then the task times the factor."""
    factor, folder = pool.state()
    open(os.path.join(folder, f"w{task}"), "w").close()
    return "worker", task * factor


def _failing(task: int) -> tuple[str, int]:
    """Worker side that fails on every task (after leaving its mark)."""
    _marked(task)
    raise ValueError(f"task {task} failed in the worker")


def _here_after_a_worker(task: int) -> tuple[str, int]:
    """This process's side: waits until a worker has run a task (so both really share), then computes."""
    import time

    factor, folder = pool.state()
    deadline = time.monotonic() + 120
    while not any(name.startswith("w") for name in os.listdir(folder)):
        if time.monotonic() > deadline:
            raise AssertionError("no worker took a task")
        time.sleep(0.01)
    return "here", task * factor


def test_here_shares_the_tasks_and_keeps_their_order(tmp_path: Any) -> None:
    """With ``here``, this process runs tasks beside the forked worker: every task once, in task order,
    each result from the side that ran it (a forked worker returns func's, this process here's)."""
    if not pool.can_fork():
        pytest.skip("no fork on this platform")
    got = list(pool.ordered_map(_marked, range(20), 2, state=(3, str(tmp_path)), here=_here_after_a_worker))
    assert [x for _, x in got] == [3 * k for k in range(20)]
    assert "worker" in {side for side, _ in got} and {side for side, _ in got} <= {"here", "worker"}
    ran_by_worker = {int(name[1:]) for name in os.listdir(tmp_path)}
    assert ran_by_worker == {k for k, (side, _) in enumerate(got) if side == "worker"}


def test_here_raises_what_fails_in_the_worker(tmp_path: Any) -> None:
    """A task that fails in the forked worker fails the map in this process, naming the worker's error."""
    if not pool.can_fork():
        pytest.skip("no fork on this platform")
    with pytest.raises(RuntimeError, match="failed in the worker"):
        list(pool.ordered_map(_failing, range(5), 2, state=(3, str(tmp_path)), here=_here_after_a_worker))


def test_here_when_no_result_file_can_be_written(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Where the results folder is full, a forked worker sends its results through the pipe: the same results."""
    if not pool.can_fork():
        pytest.skip("no fork on this platform")
    import errno
    from pathlib import Path

    def full(self: Path, data: bytes) -> int:
        raise OSError(errno.ENOSPC, "No space left on device", str(self))

    monkeypatch.setattr(Path, "write_bytes", full)  # inherited by the forked worker
    got = list(pool.ordered_map(_marked, range(20), 2, state=(3, str(tmp_path)), here=_here_after_a_worker))
    assert [x for _, x in got] == [3 * k for k in range(20)]
    assert "worker" in {side for side, _ in got}
