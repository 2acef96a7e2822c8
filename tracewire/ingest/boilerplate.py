"""Trailing site boilerplate ("Leave a Reply", share lines) removed by rules from domain packs."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
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
        changed = False
        for line in text.split("\n"):
            s, e = pos, pos + len(line)
            pos = e + 1
            stripped = line.strip()
            if stripped and s >= total * _CUT_ZONE and any(p.match(stripped) for p in self.cut_from):
                changed = True
                break
            if stripped and any(p.match(stripped) for p in self.drop_lines):
                changed = True
                continue
            pieces.append((s, e))
            pieces.append("\n")
        # nothing removed: keep the text and its offset map instead of copying both
        return mt.join(pieces) if changed else mt


def load_rules(packs: Sequence[str] = ()) -> BoilerplateRules:
    """Boilerplate rules from ``boilerplate.toml`` of the core pack and each named pack."""
    from ..packs import load_toml

    return BoilerplateRules.from_tables(load_toml(packs, "boilerplate.toml"))
