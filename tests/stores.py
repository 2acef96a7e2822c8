"""Analysed stores of real corpora that several test modules read, built once per test session.

FA-KES (804 articles) takes minutes to analyse on two cores, so one analysed FA-KES store is built
per session (per process: tests/conftest.py and eval/conftest.py both hand it out as the
``fakes_store`` fixture) and every user gets its own copy, so no test can see another's writes.
The build is ``eval/narratives.py``'s own (FA-KES ingested as the README shows, then ``analyze``),
made fresh from the code under test in the session's temporary folder: nothing is kept between
sessions, so a result can never come from older code.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import shared_path

_BUILT: dict[str, Path] = {}  # corpus name -> the pristine analysed store of this session (never handed out)
_FAILED: dict[str, str] = {}  # corpus name -> why its build failed (later users fail at once, not rebuild)


def _pristine_fakes(factory: pytest.TempPathFactory) -> Path:
    """The session's analysed FA-KES store, built on first use (minutes)."""
    if "fakes" in _FAILED:
        pytest.fail(f"the session's FA-KES store could not be built earlier in this run: {_FAILED['fakes']}")
    if "fakes" not in _BUILT:
        csv = shared_path("data", "fakes", "FA-KES-Dataset.csv")
        from eval import narratives

        db = factory.mktemp("fakes-pristine") / "fakes.db"
        try:
            narratives.build_store(db, csv)
        except BaseException as e:
            _FAILED["fakes"] = repr(e)
            raise
        _BUILT["fakes"] = db
    return _BUILT["fakes"]


def copy_store(src: Path, dest: Path) -> Path:
    """A copy of the closed store ``src`` at ``dest`` (its write-ahead log too, when one is left)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal"):
        if Path(str(src) + suffix).exists():
            shutil.copyfile(str(src) + suffix, str(dest) + suffix)
    return dest


def fakes_copy(factory: pytest.TempPathFactory, name: str) -> Path:
    """A private copy of the session's analysed FA-KES store, in a new temporary folder named after ``name``."""
    return copy_store(_pristine_fakes(factory), factory.mktemp(name) / "fakes.db")
