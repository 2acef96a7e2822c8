"""Storage backends behind one interface; SQLite is the default."""

from __future__ import annotations

from pathlib import Path

from .base import Collision, DocSource, IngestBatch, IngestCounts, Store
from .readmodel import ClaimFilters
from .sqlite import SQLiteStore


def open_store(path: str | Path, *, shared: bool = False) -> Store:
    """Open (creating and migrating when needed) the store at ``path``; ``shared`` lets several threads use it in turn."""
    return SQLiteStore(Path(path), shared=shared)


def open_reader(path: str | Path) -> Store:
    """Open the existing store at ``path`` read-only, for one thread at a time (no migrations, no writes)."""
    return SQLiteStore.reader(Path(path))


__all__ = ["ClaimFilters", "Collision", "DocSource", "IngestBatch", "IngestCounts", "SQLiteStore", "Store", "open_reader", "open_store"]
