"""tracewire: make a corpus of news articles legible to the people who must judge it."""

from __future__ import annotations

__version__ = "0.1.0"

from .api import analyze_text  # noqa: E402  (imports no model: components load lazily)

__all__ = ["__version__", "analyze_text"]
