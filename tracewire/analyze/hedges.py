"""Hedges ("reportedly", "may have") and boosters ("it is now clear") in each claim.

Phrases come from the ``hedges.toml`` files of the active packs (format documented at the top of
``tracewire/packs/core/hedges.toml``). Context rules: the longest phrase wins where phrases
overlap; a booster negated within three words before it ("it is not clear") is a hedge; "May"
the month is not a hedge; a phrase inside quotation marks is kept with ``quoted=True``, since it
is the quoted speaker's hedge, not the author's.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from ..packs import load_pack_file
from ..pipeline import Analysis, Component, Resources
from ..records import Document, Hedge
from .attribution import quote_spans
from .sentences import blocks

_WORD = re.compile(r"[\w'’]+")


@dataclass(frozen=True, slots=True)
class HedgeLexicon:
    """Compiled phrases of all active packs."""

    pattern: re.Pattern[str]
    kinds: dict[str, str]  # normalised phrase -> hedge | booster
    negators: frozenset[str]

    @classmethod
    def from_packs(cls, files: Iterable[dict[str, Any]]) -> HedgeLexicon:
        """Merge ``hedges.toml`` data (later packs win when a phrase is listed as both kinds)."""
        kinds: dict[str, str] = {}
        negators: set[str] = set()
        for data in files:
            for kind, key in (("hedge", "hedges"), ("booster", "boosters")):
                for phrase in data.get(key, []):
                    kinds[_norm(phrase)] = kind
            negators.update(w.lower().replace("’", "'") for w in data.get("negators", []))
        alts = sorted(kinds, key=len, reverse=True)
        body = "|".join(r"\s+".join(re.escape(w).replace("'", "['’]") for w in p.split()) for p in alts)
        pattern = re.compile(r"(?<![\w'’-])(?:" + (body or r"(?!x)x") + r")(?![\w'’-])", re.I)
        return cls(pattern, kinds, frozenset(negators))


def _norm(phrase: str) -> str:
    """Lower-case, single-spaced, straight-apostrophe form of a phrase."""
    return " ".join(phrase.lower().replace("’", "'").split())


def lexicon(res: Resources) -> HedgeLexicon:
    """The hedge lexicon of the packs active in ``res``."""
    lex: HedgeLexicon = res.get("hedges-lexicon", lambda: HedgeLexicon.from_packs(load_pack_file(res, "hedges.toml")))
    return lex


def find_hedges(
    text: str, start: int, end: int, lex: HedgeLexicon, quotes: Sequence[tuple[int, int]] = ()
) -> list[Hedge]:
    """Hedges and boosters in ``text[start:end]`` (offsets into ``text``)."""
    out: list[Hedge] = []
    for m in lex.pattern.finditer(text, start, end):
        phrase = _norm(m.group(0))
        kind = lex.kinds.get(phrase)
        if kind is None:
            continue
        if phrase in ("may", "might") and (
            m.group(0)[0].isupper() and m.start() > start or re.match(r"\s*\d", text[m.end() : m.end() + 3])
        ):
            continue  # "May 12": the month
        before = [w.lower().replace("’", "'") for w in _WORD.findall(text[max(start, m.start() - 40) : m.start()])][-3:]
        if kind == "booster" and any(w in lex.negators or w.endswith("n't") for w in before):
            kind = "hedge"  # "it is not clear": negated certainty is uncertainty
        quoted = any(a <= m.start() and m.end() <= b for a, b in quotes)
        out.append(Hedge(m.group(0), kind, m.start(), m.end(), quoted))
    return out


def hedges(doc: Document, ana: Analysis, res: Resources) -> None:
    """Attach Hedge records to every claim in ``ana.claims``."""
    lex = lexicon(res)
    quotes: list[tuple[int, int]] = []
    for bs, be in blocks(doc.text):
        quotes += quote_spans(doc.text, bs, be)
    ana.claims = [
        dataclasses.replace(c, hedges=tuple(find_hedges(doc.text, c.start, c.end, lex, quotes)))
        for c in ana.claims
    ]


component = Component("tracewire.hedges.v1", hedges, requires=("claims",), provides=("hedges",),
                      packs=("hedges.toml",))
