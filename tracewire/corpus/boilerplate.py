"""Boilerplate: passages shared by many documents (footers, disclaimers, "Leave a Reply").

Learned from the corpus, not from a list: an aligned passage looks like boilerplate when the
anchors inside it occur in at least ``min_df`` documents while the passage itself is short and
only a small part of both documents. Such passages are discounted when they are few (a header,
a footer) and together short (at most ``max_words``): a wire story condensed by several papers
leaves many short frequent passages that add up to a long shared text, and stays reuse.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .align import TokenPassage


@dataclass(frozen=True, slots=True)
class BoilerplateConfig:
    """When a frequent shared passage counts as site furniture rather than reuse."""

    min_df: int = 3  # documents an anchor must occur in to look like furniture
    max_words: int = 80  # longer shared passages are never discounted
    max_share: float = 0.5  # ... nor ones that make up this much of either document
    max_blocks: int = 2  # furniture is a header and a footer at most; more frequent passages are copy

    def __post_init__(self) -> None:
        """Validate early, naming the bad value."""
        if self.min_df < 2:
            raise ValueError(f"BoilerplateConfig.min_df={self.min_df} must be at least 2")
        if not 0.0 < self.max_share <= 1.0:
            raise ValueError(f"BoilerplateConfig.max_share={self.max_share} must be in (0, 1]")


def passage_df(p: TokenPassage) -> int:
    """(Upper) median document frequency of the anchors seeding a passage (0 when none is an anchor)."""
    df = p.seed_df[p.seed_df > 0]
    return int(np.sort(df)[df.size // 2]) if df.size else 0


def is_boilerplate(p: TokenPassage, a_len: int, b_len: int, config: BoilerplateConfig) -> bool:
    """True when a passage is frequent across the corpus, short, and marginal in both documents."""
    words = max(p.a_end - p.a_start, p.b_end - p.b_start)
    if words > config.max_words:
        return False
    share = max(words / max(a_len, 1), words / max(b_len, 1))
    if share >= config.max_share:
        return False
    return passage_df(p) >= config.min_df


def discount(
    passages: list[TokenPassage], a_len: int, b_len: int, config: BoilerplateConfig
) -> list[TokenPassage]:
    """The passages of a pair that are not boilerplate (seed frequencies come from ``prepare``)."""
    furniture = [p for p in passages if is_boilerplate(p, a_len, b_len, config)]
    if not furniture:
        return passages
    words = sum(max(p.a_end - p.a_start, p.b_end - p.b_start) for p in furniture)
    if words > config.max_words or len(furniture) > config.max_blocks:
        return passages
    drop = {id(p) for p in furniture}
    return [p for p in passages if id(p) not in drop]
