"""Fixtures for the per-document analysis tests: one Resources (spaCy loaded once) per session."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import shared_path
from tracewire import analyze_text
from tracewire.pipeline import Analysis, Resources


@pytest.fixture(scope="session")
def res() -> Resources:
    """Resources with the Syria pack, shared by every test of the session."""
    return Resources(("syria",))


@pytest.fixture(scope="session")
def analyze(res: Resources) -> Callable[[str], Analysis]:
    """``analyze_text`` bound to the session's resources."""
    return lambda text: analyze_text(text, resources=res)


def seed_text(prefix: str) -> str:
    """Text of the seed article whose name starts with ``prefix``; 004's PDF line breaks joined."""
    folder = shared_path("seeds")
    path = next(Path(folder).glob(prefix + "_*.txt"))
    text = path.read_text(encoding="utf-8")
    if prefix == "004":
        text = re.sub(r"[ \t]*\n\s*\n?[ \t]*", " ", text).strip()
    return text
