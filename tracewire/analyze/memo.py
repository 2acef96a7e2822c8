"""A bounded memo: the value of a key computed once, in a dict emptied when it grows past a limit."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

K = TypeVar("K")
V = TypeVar("V")


def remembered(table: dict[K, V], key: K, make: Callable[[], V], limit: int) -> V:
    """``table[key]``, computed by ``make()`` on a miss; the table is emptied first when it holds ``limit``
    entries, so a long run keeps bounded memory (the values are pure functions of their keys)."""
    got = table.get(key)
    if got is None:
        if len(table) >= limit:
            table.clear()
        got = table[key] = make()
    return got
