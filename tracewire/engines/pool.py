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
import os
import pickle
import shutil
import tempfile
import traceback
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from multiprocessing.connection import Connection, wait
from multiprocessing.pool import AsyncResult
from multiprocessing.reduction import ForkingPickler
from pathlib import Path
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
    here: Callable[[T], Any] | None = None,
) -> Iterator[R]:
    """``func(task)`` for each task, in task order, in ``workers`` forked processes (or here for one).

    ``setup(*state)``, when given, runs once per worker (once here when serial) and its result is
    what ``state()`` returns. At most ``ahead * workers`` tasks are in flight, so a long task
    stream is read lazily; the results are the same whatever the number of workers.

    ``here``: this process is one of the ``workers`` (``workers - 1`` are forked) and runs
    ``here(task)`` for the tasks it takes, while it would otherwise wait: its results are never
    pickled, and the caller may take them in another form than ``func``'s (``here`` may build
    what the caller would build from ``func``'s result). Every task is read at once then
    (``ahead`` does not apply); the tasks still come back in order.
    """
    nproc = usable_workers(workers)
    if here is not None and nproc > 1:
        yield from _shared_map(func, here, list(tasks), nproc - 1, state, setup)
        return
    if nproc == 1:
        mine = setup(*state) if setup is not None else state
        for task in tasks:
            _STATE.append(mine)  # set around each call: another ordered_map may run between yields
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


def _take(counter: Any, n: int) -> int:
    """The next task number of a shared counter (``n`` once every task is taken)."""
    with counter.get_lock():
        k = int(counter.value)
        if k < n:
            counter.value = k + 1
        return k


def _share_worker(func: Callable[[Any], Any], tasks: list[Any], counter: Any, folder: str, conn: Connection,
                  state: tuple[Any, ...], setup: Setup | None) -> None:
    """Forked worker of ``_shared_map``: take tasks until none is left. Each result goes to a file of
    ``folder`` (a write never waits on the reader, who may be busy with a task of its own), and
    ("file", task number) to ``conn``; where the file system is full, ("data", task number, result)."""
    try:
        _set_state(state, setup)
        while (k := _take(counter, len(tasks))) < len(tasks):
            try:
                data = bytes(ForkingPickler.dumps(func(tasks[k])))
            except BaseException:  # noqa: BLE001 - handed to the calling process, which raises it
                conn.send(("error", k, traceback.format_exc()))
                return
            path = Path(folder, f"{k}.pkl")
            try:
                path.write_bytes(data)
            except OSError:
                path.unlink(missing_ok=True)
                conn.send(("data", k, data))
                continue
            conn.send(("file", k))
    finally:
        conn.close()


def _shared_map(func: Callable[[T], R], here: Callable[[T], Any], tasks: list[T], forked: int,
                state: tuple[Any, ...], setup: Setup | None) -> Iterator[R]:
    """``ordered_map`` with this process taking tasks beside ``forked`` forked workers."""
    ctx = mp.get_context("fork")
    counter = ctx.Value("q", 0)
    shm = Path("/dev/shm")  # results are written to memory where it is a file system
    folder = tempfile.mkdtemp(prefix="tracewire_pool_", dir=shm if shm.is_dir() and os.access(shm, os.W_OK) else None)
    procs: list[Any] = []
    conns: list[Connection] = []
    try:
        for _ in range(forked):
            recv, send = ctx.Pipe(duplex=False)
            p = ctx.Process(target=_share_worker, args=(func, tasks, counter, folder, send, state, setup),
                            daemon=True)
            p.start()
            send.close()
            procs.append(p)
            conns.append(recv)
        mine = setup(*state) if setup is not None else state
        done: dict[int, Any] = {}  # results of this process, by task number
        theirs: dict[int, bytes | None] = {}  # a forked worker's pickled results (None: in its file), by task number
        nxt = 0

        def ready() -> Iterator[Any]:
            """Results from the next task number on, as long as they are in."""
            nonlocal nxt
            for c in [c for c in conns if c.poll()]:
                while c.poll():
                    try:
                        msg = c.recv()
                    except EOFError:
                        conns.remove(c)
                        break
                    if msg[0] == "error":
                        raise RuntimeError(f"a pool worker failed on task {msg[1]}:\n{msg[2]}")
                    theirs[msg[1]] = msg[2] if msg[0] == "data" else None
            while nxt in done or nxt in theirs:
                if nxt in done:
                    yield done.pop(nxt)
                else:
                    data = theirs.pop(nxt)
                    if data is None:
                        path = Path(folder, f"{nxt}.pkl")
                        data = path.read_bytes()
                        path.unlink()
                    yield pickle.loads(data)
                nxt += 1

        while (k := _take(counter, len(tasks))) < len(tasks):
            _STATE.append(mine)
            try:
                done[k] = here(tasks[k])
            finally:
                _STATE.pop()
            yield from ready()
        while nxt < len(tasks):
            if not conns:
                raise RuntimeError(f"a pool worker ended before its task {nxt} was done")
            wait(conns)
            yield from ready()
    finally:
        for p in procs:
            if p.is_alive():
                p.terminate()
            p.join()
        for c in conns:
            c.close()
        shutil.rmtree(folder, ignore_errors=True)
