"""Which text came first: a direction call with a confidence and its evidence in words.

Each cue adds signed weight (positive: A is the original, negative: B is). The call is made
only when the summed weight reaches ``DECIDE_AT``; otherwise ``direction_known`` is False and
the evidence says why. Cues, strongest first:

- publication dates (both known and different);
- a credit: one side names the other's outlet or quotes its headline in text it does not share;
- an added introduction, or added text at the edges that editorialises (exclamations,
  first-person commentary, loaded words, a blog sign-off);
- internal cuts: one side keeps paragraphs from the middle of the other that it skips
  (a condensed copy leaves gaps in its original, not in itself);
- only one side dated (weak: alone it never decides).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from itertools import compress

from ..records import Document
from .align import TokenPassage
from .shingles import Tokens

DECIDE_AT = 0.8
W_DATE = 3.0
W_ONE_DATE = 0.3
W_CREDIT = 2.0
W_INTRO = 1.0
W_EDITORIAL = 1.0
W_CUTS = 0.8
MIN_BLOCK = 15  # words: a one-sided block shorter than this is an edit, not an addition

_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")
# "us" is left out: it cannot be told from "US" (the country) once case is folded
_FIRST_PERSON = frozenset("i we our my you your".split())
_LOADED_WORDS = frozenset(
    "evil foul murderous duplicitous criminal criminals crime crimes thieves thief looting robbery "
    "lies liar liars lying disgrace disgraceful shameful shame heroic heroes martyr martyrs "
    "treacherous traitor traitors puppet puppets propaganda delusional blind obviously clearly "
    "empire regime terrorist terrorists barbaric cowardly outrageous scandal scandalous hypocrisy "
    "hypocrite hypocrites hypocritical".split()
)
_LOADED_PHRASES = ("of course", "as if", "wake up", "mainstream media", "so-called")
_WORDS = re.compile(r"[\w'-]+")
# ASCII text: every character outside [\w'-] made a space, so str.split finds _WORDS's runs (in C, 3x sooner)
_ASCII_GAPS = str.maketrans({c: " " for c in map(chr, range(128)) if not re.fullmatch(r"[\w'-]", c)})
_SIGN_OFF = re.compile(r"/\s*(?:[A-Z][\w-]*\s+){0,5}(?:Blog|News|Site|Media|Post)\b")


@dataclass(frozen=True, slots=True)
class Direction:
    """A direction call: is A the original (a_first), is it known, how sure, and why."""

    a_first: bool
    known: bool
    confidence: float
    evidence: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SideLayout:
    """Where one side's words fall outside the aligned passages."""

    words: int
    head: int
    tail: int
    internal_extra: int  # words in internal gaps where the other side has (almost) none
    internal_places: int
    head_span: tuple[int, int] | None  # token range
    tail_span: tuple[int, int] | None


def _date(doc: Document) -> str | None:
    """ISO date (YYYY-MM-DD) of a document, or None when absent or malformed."""
    if not doc.date:
        return None
    m = _DATE.match(doc.date.strip())
    return m.group(0) if m else None


def layouts(a_len: int, b_len: int, passages: list[TokenPassage]) -> tuple[SideLayout, SideLayout]:
    """Head, tail and one-sided internal gaps of both sides around the aligned passages."""
    if len(passages) == 1:  # most links
        return _layouts_one(a_len, b_len, passages[0])
    return _layouts_many(a_len, b_len, passages)


def _layouts_one(a_len: int, b_len: int, p: TokenPassage) -> tuple[SideLayout, SideLayout]:
    """``layouts`` of one passage: no internal gap (what ``_layouts_many`` finds for it, sooner)."""
    a_tail, b_tail = a_len - p.a_end, b_len - p.b_end
    return (
        SideLayout(a_len, p.a_start, a_tail, 0, 0, (0, p.a_start) if p.a_start > 0 else None,
                   (p.a_end, a_len) if a_tail > 0 else None),
        SideLayout(b_len, p.b_start, b_tail, 0, 0, (0, p.b_start) if p.b_start > 0 else None,
                   (p.b_end, b_len) if b_tail > 0 else None),
    )


def _layouts_many(a_len: int, b_len: int, passages: list[TokenPassage]) -> tuple[SideLayout, SideLayout]:
    """``layouts`` of any number of passages."""
    pa = sorted(passages, key=lambda p: p.a_start)
    pb = sorted(passages, key=lambda p: p.b_start)
    a_head = pa[0].a_start if pa else 0
    b_head = pb[0].b_start if pb else 0
    a_tail = a_len - max((p.a_end for p in pa), default=0)
    b_tail = b_len - max((p.b_end for p in pb), default=0)
    a_int = b_int = a_places = b_places = 0
    monotone = [p.b_start for p in pa] == [p.b_start for p in pb]
    if monotone:
        for prev, nxt in zip(pa, pa[1:], strict=False):
            ga = max(0, nxt.a_start - prev.a_end)
            gb = max(0, nxt.b_start - prev.b_end)
            if ga >= MIN_BLOCK and gb < 5:
                a_int += ga
                a_places += 1
            elif gb >= MIN_BLOCK and ga < 5:
                b_int += gb
                b_places += 1
    a_head_span = (0, pa[0].a_start) if pa and pa[0].a_start > 0 else None
    b_head_span = (0, pb[0].b_start) if pb and pb[0].b_start > 0 else None
    a_tail_span = (a_len - a_tail, a_len) if a_tail > 0 else None
    b_tail_span = (b_len - b_tail, b_len) if b_tail > 0 else None
    return (
        SideLayout(a_len, a_head, a_tail, a_int, a_places, a_head_span, a_tail_span),
        SideLayout(b_len, b_head, b_tail, b_int, b_places, b_head_span, b_tail_span),
    )


def editorial_markers(text: str) -> list[str]:
    """Signs that a block comments rather than reports: '!', first person, loaded words, sign-offs.

    Only the first and last 1,500 characters are read: edges are where comment is added.
    """
    if len(text) > 3000:
        text = text[:1500] + "\n" + text[-1500:]
    found: list[str] = []
    bangs = text.count("!")
    if bangs:
        found.append(f"{bangs} exclamation mark{'s' if bangs > 1 else ''}")
    folded = text.casefold()
    words = folded.translate(_ASCII_GAPS).split() if folded.isascii() else _WORDS.findall(folded)
    if not _FIRST_PERSON.isdisjoint(words):
        found += [f"'{w}'" for w in words if w in _FIRST_PERSON][:3]
    found += [f"'{p}'" for p in _LOADED_PHRASES if p in folded]
    if not _LOADED_WORDS.isdisjoint(words):
        found += [f"'{w}'" for w in words if w in _LOADED_WORDS]
    if "/" in text and _SIGN_OFF.search(text):
        found.append("a blog sign-off")
    # the pairwise test runs in C; the triple test only where a word follows itself
    doubled = compress(range(len(words) - 2), map(str.__eq__, words, words[1:]))
    if any(len(words[k]) >= 3 and words[k + 2] == words[k] for k in doubled):
        found.append("a word repeated for emphasis")
    return found


def _span_text(doc: Document, toks: Tokens, span: tuple[int, int] | None) -> str:
    """Text of a token range of a document."""
    if span is None or span[1] <= span[0]:
        return ""
    return doc.text[toks.starts.item(span[0]) : toks.ends.item(span[1] - 1)]


Span = tuple[int, int] | None
EdgeMarkers = Callable[[Document, Tokens, Span, Span], list[str]]


def edge_markers(doc: Document, toks: Tokens, head: Span, tail: Span,
                 markers: Callable[[str], list[str]] = editorial_markers) -> list[str]:
    """Editorial markers of a document's words before and after the shared passages (token ranges)."""
    return markers(_span_text(doc, toks, head) + "\n" + _span_text(doc, toks, tail))


def _unshared_text(doc: Document, toks: Tokens, ranges: list[tuple[int, int]]) -> str:
    """Text of a document outside the given token ranges (the passages)."""
    pieces: list[str] = []
    pos = 0
    for s, e in sorted(ranges):
        if s > pos:
            pieces.append(_span_text(doc, toks, (pos, s)))
        pos = max(pos, e)
    if pos < len(toks):
        pieces.append(_span_text(doc, toks, (pos, len(toks))))
    return "\n".join(pieces)


def decide(
    a: Document, b: Document, ta: Tokens, tb: Tokens, passages: list[TokenPassage],
    markers: Callable[[str], list[str]] = editorial_markers,
    folded: Callable[[Document], str] | None = None,
    edges: EdgeMarkers | None = None,
) -> Direction:
    """Weigh every cue for "A came first" against "B came first" and explain the call.

    ``markers``: ``editorial_markers``, or a caller's memo of it (many pairs share an edge text);
    ``folded``: a caller's memo of each document's case-folded text; ``edges``: a caller's memo of
    ``edge_markers`` (a document meets the same passage in many pairs), used instead of ``markers``.
    """
    score = 0.0
    evidence: list[str] = []
    da, db = _date(a), _date(b)
    if da and db and da != db:
        first, second = (a, b) if da < db else (b, a)
        score += W_DATE if da < db else -W_DATE
        evidence.append(f"{first.id} is dated {min(da, db)}, {second.id} {max(da, db)}")
    elif da and db:
        evidence.append(f"both are dated {da}")
    elif da or db:
        dated, other = (a, b) if da else (b, a)
        score += W_ONE_DATE if da else -W_ONE_DATE
        evidence.append(f"{dated.id} is dated {da or db}, {other.id} has no date (weak cue)")

    for src, tgt, sign in ((a, b, 1.0), (b, a, -1.0)):
        if not (src.outlet or src.title):
            continue
        if src.outlet and tgt.outlet and src.outlet.casefold() == tgt.outlet.casefold():
            continue  # one outlet on both sides: naming it credits neither
        named = [x.casefold() for x in (src.outlet if src.outlet and len(src.outlet) >= 4 else None,
                                        src.title if src.title and len(src.title) >= 12 else None) if x]
        text = (tgt.text.casefold() if folded is None else folded(tgt)) if named else ""
        if not any(x in text for x in named):
            continue  # named nowhere in the target: no credit, and no need to cut out its passages
        tt = tb if tgt is b else ta
        tgt_only = _unshared_text(
            tgt, tt, [(p.b_start, p.b_end) if tgt is b else (p.a_start, p.a_end) for p in passages]
        )
        credit = None
        if src.outlet and len(src.outlet) >= 4 and src.outlet.casefold() in tgt_only.casefold():
            credit = f"names {src.id}'s outlet \"{src.outlet}\""
        elif src.title and len(src.title) >= 12 and src.title.casefold() in tgt_only.casefold():
            credit = f"quotes {src.id}'s headline"
        if credit:
            score += sign * W_CREDIT
            evidence.append(f"{tgt.id} {credit} in text it does not share with it (a credit)")

    la, lb = layouts(len(ta), len(tb), passages)
    if la.head >= MIN_BLOCK and lb.head < 5:
        score -= W_INTRO
        evidence.append(f"{a.id} opens with {la.head} words not in {b.id} (an added introduction)")
    elif lb.head >= MIN_BLOCK and la.head < 5:
        score += W_INTRO
        evidence.append(f"{b.id} opens with {lb.head} words not in {a.id} (an added introduction)")

    if edges is not None:
        edge_a = edges(a, ta, la.head_span, la.tail_span) if la.head + la.tail >= MIN_BLOCK else []
        edge_b = edges(b, tb, lb.head_span, lb.tail_span) if lb.head + lb.tail >= MIN_BLOCK else []
    else:
        edge_a = edge_markers(a, ta, la.head_span, la.tail_span, markers) if la.head + la.tail >= MIN_BLOCK else []
        edge_b = edge_markers(b, tb, lb.head_span, lb.tail_span, markers) if lb.head + lb.tail >= MIN_BLOCK else []
    if len(edge_b) >= 2 and len(edge_b) >= 2 * len(edge_a) + 1:
        score += W_EDITORIAL
        evidence.append(
            f"{b.id} adds {lb.head + lb.tail} words at its edges that editorialise "
            f"({', '.join(edge_b[:5])}); {a.id}'s own extra text does not"
        )
    elif len(edge_a) >= 2 and len(edge_a) >= 2 * len(edge_b) + 1:
        score -= W_EDITORIAL
        evidence.append(
            f"{a.id} adds {la.head + la.tail} words at its edges that editorialise "
            f"({', '.join(edge_a[:5])}); {b.id}'s own extra text does not"
        )

    if la.internal_extra >= MIN_BLOCK and lb.internal_extra < 5:
        score += W_CUTS
        evidence.append(
            f"{b.id} skips {la.internal_extra} words in {la.internal_places} place(s) from the middle "
            f"of {a.id} (a condensed copy)"
        )
    elif lb.internal_extra >= MIN_BLOCK and la.internal_extra < 5:
        score -= W_CUTS
        evidence.append(
            f"{a.id} skips {lb.internal_extra} words in {lb.internal_places} place(s) from the middle "
            f"of {b.id} (a condensed copy)"
        )

    known = abs(score) >= DECIDE_AT
    if not known:
        evidence.append(
            "not enough evidence to tell which came first"
            if not evidence
            else f"the cues do not settle which came first (net weight {score:+.1f}, needs {DECIDE_AT})"
        )
    confidence = 1.0 - 0.5 * math.exp(-abs(score)) if known else 0.5
    return Direction(a_first=score >= 0, known=known, confidence=round(confidence, 3),
                     evidence=tuple(evidence))
