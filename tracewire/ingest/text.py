"""Plain-text articles (.txt)."""

from __future__ import annotations

from .build import Hints, single
from .context import FileInput, ReadResult
from .detect import decode


def read_text(inp: FileInput) -> ReadResult:
    """One .txt file is one document; its id is the file stem."""
    d = decode(inp.data)
    return single(inp, d.text, fmt="txt", hints=Hints(meta=d.meta()))
