"""The gates share tests/conftest.py: its held-out guard also covers ``pytest eval/gate_*.py``."""

from pathlib import Path

import pytest

import tests.conftest  # noqa: F401  (installs the guard against held-out splits on import)


@pytest.fixture(scope="module")
def fakes_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """FA-KES analysed: this module's own copy of the one store built per session (tests/stores.py)."""
    from tests.stores import fakes_copy

    return fakes_copy(tmp_path_factory, "fakes")
