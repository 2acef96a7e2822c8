"""The local engine's one process pool, shared by the per-document components and the corpus stages.

``ordered_map(func, tasks, workers, state=...)`` runs ``func`` over ``tasks`` and yields the
results in task order. Workers are forked, so they inherit ``state`` (a corpus, index arrays,
loaded components) instead of receiving a pickled copy; ``func`` reads it with ``state()``.
Tasks are produced and handed over by the calling thread only, so a generator over a store
cursor stays in the thread that owns the connection, and workers never touch the store.
With one worker (or where the platform cannot fork) the same code runs in this process.
"""

from __future__ import annotations

import multiprocessing as mp
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from multiprocessing.pool import AsyncResult
from typing import Any, TypeVar

from ..errors import Code, UsageError

T = TypeVar("T")
R = TypeVar("R")
Setup = Callable[..., tuple[Any, ...]]

_STATE: list[tuple[Any, ...]] = []  # this process's state while an ordered_map runs


def state() -> tuple[Any, ...]:
    """The state of the running ``ordered_map``, as its ``setup`` made it (or as given)."""
    if not _STATE:
        raise RuntimeError("pool.state() is only available inside a function run by ordered_map")
    return _STATE[-1]


def _set_state(given: tuple[Any, ...], setup: Setup | None) -> None:
    """Pool initializer: keep the inherited state (after ``setup``) for this worker process."""
    _STATE[:] = [setup(*given) if setup is not None else given]


def can_fork() -> bool:
    """True where worker processes can be forked (POSIX)."""
    return "fork" in mp.get_all_start_methods()


def usable_workers(workers: int) -> int:
    """Worker processes to use: 1 unless asked for more and the platform can fork."""
    if workers < 1:
        raise UsageError(f"workers={workers} must be at least 1. Pass --workers 1 or more.", Code.TW002)
    return workers if workers > 1 and can_fork() else 1


def ordered_map(
    func: Callable[[T], R],
    tasks: Iterable[T],
    workers: int = 1,
    *,
    state: tuple[Any, ...] = (),
    setup: Setup | None = None,
    ahead: int = 2,
) -> Iterator[R]:
    """``func(task)`` for each task, in task order, in ``workers`` forked processes (or here for one).

    ``setup(*state)``, when given, runs once per worker (once here when serial) and its result is
    what ``state()`` returns. At most ``ahead * workers`` tasks are in flight, so a long task
    stream is read lazily; the results are the same whatever the number of workers.
    """
    nproc = usable_workers(workers)
    if nproc == 1:
        here = setup(*state) if setup is not None else state
        for task in tasks:
            _STATE.append(here)  # set around each call: another ordered_map may run between yields
            try:
                result = func(task)
            finally:
                _STATE.pop()
            yield result
        return
    with mp.get_context("fork").Pool(nproc, initializer=_set_state, initargs=(state, setup)) as pool:
        pending: deque[AsyncResult[R]] = deque()
        for task in tasks:
            pending.append(pool.apply_async(func, (task,)))
            if len(pending) >= ahead * nproc:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()
