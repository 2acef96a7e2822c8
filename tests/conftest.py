"""Shared test fixtures: paths to ../shared (skipped when absent) and tiny stores.

Also keeps every test run off the held-out evaluation splits: it sets ``TRACEWIRE_NO_TEST_SPLITS``
(the eval scripts refuse a held-out split while it is set) and installs an audit hook that refuses
to open a held-out file (eval/splits.py names them). ``TRACEWIRE_REQUIRE_SHARED=1`` (set by
``.ci/run``) turns the skip for a missing ../shared into a failure. Both variables are test-only.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from eval import splits

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("TRACEWIRE_SHARED", ROOT.parent / "shared"))
REQUIRE_SHARED = "TRACEWIRE_REQUIRE_SHARED"

os.environ[splits.ENV_GUARD] = "1"
_PTC_DEV = frozenset(splits.ptc_dev_ids())
REFUSED: list[str] = []  # held-out paths something tried to open during this run


def _refuse_held_out(event: str, args: tuple[Any, ...]) -> None:
    """Audit hook: raise HeldOutSplitError when a held-out evaluation file is opened."""
    if event != "open" or not args or isinstance(args[0], int):
        return
    try:
        path = os.fsdecode(os.fspath(args[0]))
    except TypeError:
        return
    if splits.is_test_split_path(path, _PTC_DEV):
        REFUSED.append(path)
        raise splits.HeldOutSplitError(f"TW901 the test run opened held-out data {path}; see eval/splits.py")


if not getattr(sys, "_tracewire_held_out_hook", False):  # audit hooks cannot be removed: install once
    sys.addaudithook(_refuse_held_out)
    sys._tracewire_held_out_hook = True  # type: ignore[attr-defined]


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail the run when anything tried to open held-out data, even if the error was swallowed."""
    if REFUSED:
        print(f"\nheld-out evaluation data was opened during the test run: {sorted(set(REFUSED))}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def shared_path(*parts: str) -> Path:
    """Path inside ../shared; skips the calling test when it is absent (fails under TRACEWIRE_REQUIRE_SHARED=1)."""
    p = SHARED.joinpath(*parts)
    if not p.exists():
        if os.environ.get(REQUIRE_SHARED) == "1":
            pytest.fail(f"needs {p}: the ../shared folder beside the checkout is absent and "
                        f"{REQUIRE_SHARED}=1 (CI) forbids skipping; put ../shared beside the checkout "
                        "or set TRACEWIRE_SHARED")
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


@pytest.fixture(scope="module")
def fakes_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """FA-KES analysed (eval/narratives.py's build): this module's own copy of the one store built per session."""
    from tests.stores import fakes_copy

    return fakes_copy(tmp_path_factory, "fakes")
