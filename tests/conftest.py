"""Shared test fixtures: paths to ../shared (skipped when absent) and tiny stores."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("TRACEWIRE_SHARED", ROOT.parent / "shared"))


def shared_path(*parts: str) -> Path:
    """Path inside ../shared; skips the calling test with a reason when it is absent."""
    p = SHARED.joinpath(*parts)
    if not p.exists():
        pytest.skip(f"needs {p} (the ../shared folder beside the checkout is absent)")
    return p


@pytest.fixture
def seeds() -> Path:
    """The five real seed articles in ../shared/seeds."""
    return shared_path("seeds")


@pytest.fixture
def db_path(tmp_path: Path) -> Iterator[Path]:
    """A fresh database path in a temporary folder."""
    yield tmp_path / "tw.db"
