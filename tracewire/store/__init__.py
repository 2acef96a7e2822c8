"""Storage backends behind one interface; SQLite is the default."""

from __future__ import annotations

from pathlib import Path

from .base import Collision, DocSource, IngestBatch, IngestCounts, Store
from .sqlite import SQLiteStore


def open_store(path: str | Path) -> Store:
    """Open (creating and migrating when needed) the store at ``path``."""
    return SQLiteStore(Path(path))


__all__ = ["Collision", "DocSource", "IngestBatch", "IngestCounts", "SQLiteStore", "Store", "open_store"]
