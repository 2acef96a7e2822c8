"""Plain-text articles (.txt)."""

from __future__ import annotations

from .build import Hints, build_document
from .context import FileInput, ReadResult
from .detect import decode_text


def read_text(inp: FileInput) -> ReadResult:
    """One .txt file is one document; its id is the file stem."""
    text, encoding = decode_text(inp.data)
    hints = Hints(meta={"encoding": encoding} if encoding != "utf-8" else {})
    doc = build_document(
        inp.path.stem, text, fmt="txt", source_path=str(inp.path), digest=inp.sha256, rules=inp.rules,
        hints=hints,
    )
    return ReadResult(documents=[doc], rows=[None])
