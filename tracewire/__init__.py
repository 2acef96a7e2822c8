"""tracewire: make a corpus of news articles legible to the people who must judge it."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
