"""Trailing site boilerplate ("Leave a Reply", share lines) removed by rules from domain packs."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import UsageError

if TYPE_CHECKING:
    from .normalize import MappedText

# a cut line counts only in the last part of a document, so an article that merely
# mentions "Related articles" near its top keeps its text
_CUT_ZONE = 0.5


@dataclass(frozen=True, slots=True)
class BoilerplateRules:
    """Compiled line patterns: where trailing boilerplate starts, and lines to drop anywhere."""

    cut_from: tuple[re.Pattern[str], ...]
    drop_lines: tuple[re.Pattern[str], ...]

    @classmethod
    def from_tables(cls, tables: Sequence[dict[str, object]]) -> BoilerplateRules:
        """Compile the ``cut_from`` and ``drop_lines`` lists of several pack files."""
        cut: list[re.Pattern[str]] = []
        drop: list[re.Pattern[str]] = []
        for table in tables:
            for key, target in (("cut_from", cut), ("drop_lines", drop)):
                for pattern in table.get(key, []) or []:  # type: ignore[attr-defined]
                    try:
                        target.append(re.compile(rf"^\s*(?:{pattern})\s*$", re.I))
                    except re.error as e:
                        raise UsageError(f"Bad boilerplate pattern {pattern!r} in {key}: {e}") from e
        return cls(tuple(cut), tuple(drop))

    def apply(self, mt: MappedText) -> MappedText:
        """Remove dropped lines, then cut everything from the first trailing cut line."""
        text = mt.text
        pieces: list[tuple[int, int] | str] = []
        pos = 0
        total = len(text)
        for line in text.split("\n"):
            s, e = pos, pos + len(line)
            pos = e + 1
            stripped = line.strip()
            if stripped and s >= total * _CUT_ZONE and any(p.match(stripped) for p in self.cut_from):
                break
            if stripped and any(p.match(stripped) for p in self.drop_lines):
                continue
            pieces.append((s, e))
            pieces.append("\n")
        return mt.join(pieces)


def load_rules(packs: Sequence[str] = ("core",)) -> BoilerplateRules:
    """Load boilerplate.toml from each named pack (a folder in tracewire/packs or a path)."""
    tables: list[dict[str, object]] = []
    for name in packs:
        path = Path(name)
        if path.is_dir():
            f = path / "boilerplate.toml"
            if f.exists():
                tables.append(tomllib.loads(f.read_text(encoding="utf-8")))
            continue
        res = resources.files("tracewire.packs").joinpath(name, "boilerplate.toml")
        if res.is_file():
            tables.append(tomllib.loads(res.read_text(encoding="utf-8")))
    return BoilerplateRules.from_tables(tables)
