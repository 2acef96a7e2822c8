"""The web app's view of the store: a pool of read-only stores and a writer that keeps the derived tables fresh."""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import Code, StoreError, UsageError
from ..store import Store, open_reader, open_store

log = logging.getLogger(__name__)

# Rendering holds the GIL: more threads only interleave requests and stretch every one of them.
WORKER_THREADS = 4
REFRESH_INTERVAL = 5.0  # seconds between background rebuilds of the derived web tables


class Database:
    """A pool of read-only stores (one connection each) plus one writer that keeps the derived web tables fresh."""

    def __init__(self, path: Path, size: int = 8) -> None:
        if not path.exists():
            raise UsageError(f"No database at {path}. Run `tracewire ingest` first or pass --db.", Code.TW002)
        self.path = path
        # opening applies migrations, including 004_web; the writer only rebuilds derived tables, from
        # the refresh thread that a worker thread starts when it notices a change (one at a time)
        self.writer = open_store(path, shared=True)
        self.lock = threading.Lock()
        self.dirty = False
        self.refreshing = False
        self.last_refresh = 0.0
        self.writer.ensure_web_tables()
        self.pool: queue.LifoQueue[tuple[Store, list[int]]] = queue.LifoQueue()
        for _ in range(size):
            reader = self.reader()
            self.pool.put((reader, [reader.data_version()]))
        # the watcher answers "did anyone commit since I last asked?" for the response cache
        self.watcher = self.reader()
        self.watch_lock = threading.Lock()
        self.seen_version = self.watcher.data_version()
        self.generation = 0

    def current_generation(self) -> int:
        """A number that changes whenever any connection committed to the store (a few microseconds).

        ``PRAGMA data_version`` changes on a connection when another connection commits, so the
        watcher sees analysis runs, ingests and this server's own refresh of the derived tables.
        A change also schedules a refresh of the derived tables.
        """
        with self.watch_lock:
            version = self.watcher.data_version()
            if version != self.seen_version:
                self.seen_version = version
                self.generation += 1
                self.dirty = True
            changed = self.dirty
        if changed:
            self._schedule_refresh()
        return self.generation

    def reader(self) -> Store:
        """A new read-only store (the pool's, or a private one for a long CSV export)."""
        return open_reader(self.path)

    @contextmanager
    def read(self) -> Iterator[Store]:
        """Borrow a read-only store; when another writer changed the store, schedule a refresh."""
        reader, seen = self.pool.get()
        try:
            version = reader.data_version()
            if version != seen[0]:
                seen[0] = version
                self.dirty = True
            if self.dirty:
                self._schedule_refresh()
            yield reader
        finally:
            self.pool.put((reader, seen))

    def _schedule_refresh(self) -> None:
        """Start a background refresh unless one runs or the last one ended under REFRESH_INTERVAL ago.

        Requests never wait for it: pages show the previous derived tables (WAL keeps them
        consistent) until the refresh commits, so an analysis run writing into the store does not
        stall the UI, and the interval keeps back-to-back refreshes from hogging the write lock.
        """
        with self.lock:
            if self.refreshing or time.monotonic() - self.last_refresh < REFRESH_INTERVAL:
                return
            self.refreshing = True
            self.dirty = False
        threading.Thread(target=self._refresh, name="tracewire-web-refresh", daemon=True).start()

    def _refresh(self) -> None:
        """Rebuild the derived tables if the store changed (runs in its own thread)."""
        try:
            self.writer.ensure_web_tables()
        except StoreError:
            log.exception("refreshing the web tables failed; pages keep the previous ones")
        finally:
            with self.lock:
                self.refreshing = False
                self.last_refresh = time.monotonic()

    def close(self) -> None:
        """Close every connection (after a running refresh ends)."""
        deadline = time.monotonic() + 60
        while self.refreshing and time.monotonic() < deadline:
            time.sleep(0.05)
        while not self.pool.empty():
            self.pool.get()[0].close()
        with self.watch_lock:
            self.watcher.close()
        self.writer.close()
