"""Site furniture: the text an outlet repeats around its articles (menus, related links, footers).

Furniture is a property of an outlet, learned from that outlet's own documents, not of how
often a passage occurs in the corpus: a wire lede that forty outlets reprint is reuse, a
subscribe footer that one site prints under every article is not. Documents are grouped by
outlet, else by the host of their URL, else by the folder of their source file.

Within a group, word 5-grams are counted by documents. Runs of 5-grams that at least
``min_docs`` documents of the group hold, and at least ``core_share`` of them (a site's footer
is under most of its pages, a phrase its reporters like is not), are joined into blocks
across gaps of at most ``bridge`` words that end no sentence (a related-links block whose
headlines change from page to page). A block is furniture when

- it reaches an edge of its document (within ``edge`` words, no sentence end between) and
  holds a 5-gram that many documents of the group hold in such an edge block too (a stock
  phrase that happens to open one article is not furniture); the blocks an outlet prints under
  its articles join into one, back to the article's last full stop (not the menu over a short
  article, and not past a full stop inside the article's last line); the block ends where the
  repetition at the edges stops (a stock phrase beyond it, in the article's prose, does not
  stretch it); or
- it fills whole lines between paragraphs and is at least ``min_words`` long.

A group known only by folder may mix outlets, so there only short edge blocks count. No
document loses more than ``max_share`` of its words.

Furniture is removed by *masking*: its characters become spaces (line breaks are kept), so
every offset into the masked text is an offset into the document's text. The outlet's *house
text* (runs of words that ``min_docs`` of its masked documents share, such as the background
paragraph it appends to every report) stays, but does not link two of its own documents.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import numpy as np

from ..engines import pool
from ..errors import UsageError
from ..records import Document
from ..signatures import Signature, code_parts, config_part
from .shingles import I64, U64, corpus_shingles, tokenize_many

if TYPE_CHECKING:
    from ..store.base import Store

Spans = tuple[tuple[int, int], ...]
_SENTENCE_END = re.compile(r"[.!?][\"'\u201d\u2019)]*\s+[\"\u201c(]?[A-Z0-9]")
_ENDS_SENTENCE = re.compile(r"[.!?][\"'\u201d\u2019)]*\s+\Z")  # text that ends a sentence, then space


@dataclass(frozen=True, slots=True)
class FurnitureConfig:
    """When text an outlet repeats is site furniture."""

    n: int = 5  # word n-gram size used to find repeated text
    min_docs: int = 3  # documents of one outlet that must share text for it to be furniture ...
    core_share: float = 0.2  # ... and at least this share of the outlet's documents
    bridge: int = 40  # words of other text bridged between furniture runs (changing headlines)
    edge: int = 12  # a block within this many words of an edge (no sentence end between) is at it
    min_words: int = 5  # a block that is not at an edge needs this many words (and whole lines)
    max_share: float = 0.6  # a document never loses more than this share of its words
    folder_max_words: int = 80  # grouped only by folder (no outlet, no URL): edge blocks up to this long
    widget_min_docs: int = 3  # pooled documents (no outlet to learn from) that must share a widget's lines
    widget_share: float = 0.5  # ... and this share of its lines must look like a widget's
    widget_bridge: int = 3  # short lines of other text a widget spans between its shared lines (a new poll)

    def __post_init__(self) -> None:
        """Validate early, naming the bad value and the fix."""
        if self.n < 1:
            raise UsageError(f"FurnitureConfig.n={self.n} must be at least 1")
        if self.min_docs < 2:
            raise UsageError(f"FurnitureConfig.min_docs={self.min_docs} must be at least 2")
        if self.widget_min_docs < 2:
            raise UsageError(f"FurnitureConfig.widget_min_docs={self.widget_min_docs} must be at least 2")
        if not 0.0 < self.widget_share <= 1.0:
            raise UsageError(f"FurnitureConfig.widget_share={self.widget_share} must be in (0, 1]")
        if not 0.0 <= self.core_share <= 1.0 or not 0.0 < self.max_share <= 1.0:
            raise UsageError(
                f"FurnitureConfig.core_share={self.core_share} must be in [0, 1] and max_share="
                f"{self.max_share} in (0, 1]"
            )


def url_host(url: str | None) -> str | None:
    """The site a URL names: its host, case-folded, without "www."; None for no URL or a malformed one."""
    try:
        host = urlsplit(url.strip()).hostname if url else None
    except ValueError:  # "http://[::1" (an unclosed IPv6 literal) names no site, and must not stop a batch
        return None
    return host.casefold().removeprefix("www.") if host else None


def outlet_key(doc: Document) -> str:
    """The group whose furniture a document shares: its outlet, else its URL's host, else its folder."""
    if doc.outlet and doc.outlet.strip():
        return "outlet:" + doc.outlet.strip().casefold()
    host = url_host(doc.url)
    if host:
        return "host:" + host
    folder = os.path.dirname(doc.source_path.replace("\\", "/")) if doc.source_path else ""
    return "folder:" + folder


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """(start, end) of the True runs of a boolean array."""
    edges = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    return list(zip(np.flatnonzero(edges == 1).tolist(), np.flatnonzero(edges == -1).tolist(), strict=True))


def _runs_by_doc(mask: np.ndarray, offs: I64) -> list[list[tuple[int, int]]]:
    """``_runs(mask[offs[k]:offs[k + 1]])`` for every document k, found in one vectorised pass."""
    ndocs = offs.shape[0] - 1
    if mask.size == 0:
        return [[] for _ in range(ndocs)]
    s, e, doc = _runs_flat(mask, offs)
    base = offs[doc]
    ls, le = (s - base).tolist(), (e - base).tolist()
    cut = np.searchsorted(doc, np.arange(ndocs + 1), side="left").tolist()
    return [list(zip(ls[cut[k] : cut[k + 1]], le[cut[k] : cut[k + 1]], strict=True)) for k in range(ndocs)]


def _runs_flat(mask: np.ndarray, offs: I64) -> tuple[I64, I64, I64]:
    """The True runs of a non-empty mask over many documents, cut at their boundaries: (starts, ends, document)."""
    before = np.zeros(mask.shape[0], dtype=bool)
    before[1:] = mask[:-1]
    after = np.zeros(mask.shape[0], dtype=bool)
    after[:-1] = mask[1:]
    firsts, lasts = offs[:-1], offs[1:] - 1
    nonempty = offs[1:] > offs[:-1]
    before[firsts[nonempty]] = False  # a run never continues across a document boundary
    after[lasts[nonempty]] = False
    s = np.flatnonzero(mask & ~before)
    e = np.flatnonzero(mask & ~after) + 1
    return s, e, np.searchsorted(offs, s, side="right") - 1


def _minus(runs: list[tuple[int, int]], ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Runs with the given ranges cut out (what ``_runs`` finds once those ranges are set False)."""
    cuts = [(s, e) for s, e in ranges if e > s]
    if not cuts:
        return runs
    out: list[tuple[int, int]] = []
    for a, b in runs:
        pieces = [(a, b)]
        for s, e in cuts:
            nxt: list[tuple[int, int]] = []
            for x, y in pieces:
                if e <= x or s >= y:
                    nxt.append((x, y))
                    continue
                if x < s:
                    nxt.append((x, s))
                if e < y:
                    nxt.append((e, y))
            pieces = nxt
        out.extend(pieces)
    return out


def _whole_lines(text: str, start: int, end: int) -> bool:
    """True when [start, end) begins at a line start and ends at a line end (punctuation aside)."""
    before = text.rfind("\n", 0, start)
    after = text.find("\n", end)
    head = text[before + 1 : start]
    tail = text[end : len(text) if after < 0 else after]
    return not any(ch.isalnum() for ch in head) and not any(ch.isalnum() for ch in tail) and (
        before >= 0 or after >= 0)


def learn_group(texts: Sequence[str], config: FurnitureConfig | None = None, *, weak: bool = False
                ) -> list[Spans]:
    """Furniture spans (character offsets) of each text of one outlet's documents.

    ``weak``: the group is only a folder, which may mix outlets (and wire copies), so only
    short blocks at the edges count.
    """
    return learn_group_house(texts, config, weak=weak)[0]


TokenArrays = tuple[U64, I64, I64, I64]  # tokenize_many's (hashes, starts, ends, offsets)


def learn_group_house(texts: Sequence[str], config: FurnitureConfig | None = None, *, weak: bool = False,
                      tokens: TokenArrays | None = None) -> tuple[list[Spans], list[Spans]]:
    """Furniture spans and house text spans of each text of one outlet's documents, in one pass.

    House text: runs of words outside furniture that ``min_docs`` of the texts share (none in a
    ``weak`` group). See ``house_group``. ``tokens``: ``tokenize_many(texts)`` when the caller has it.
    """
    cfg = config or FurnitureConfig()
    out: list[Spans] = [() for _ in texts]
    house: list[Spans] = [() for _ in texts]
    if len(texts) < cfg.min_docs:
        return out, house
    hashes, starts, ends, offs = tokenize_many(list(texts)) if tokens is None else tokens
    sh, sd = corpus_shingles(hashes, offs, cfg.n)
    if sh.size == 0:
        return out, house
    # pass 1: runs of n-grams that many of the group's documents hold, joined into blocks; the
    # blocks that reach an edge of their document
    first = np.searchsorted(sd, np.arange(len(texts) + 1), side="left")
    key = sh.view(np.int64)
    freq = _DocFreq(key, sd)
    anywhere = freq.count(np.ones(sd.shape[0], dtype=bool))
    core_min = max(cfg.min_docs, int(np.ceil(cfg.core_share * len(texts))))
    token_at = offs[sd] + (np.arange(sd.shape[0], dtype=np.int64) - first[sd])  # first word of each n-gram
    covered = _cover(token_at[anywhere >= core_min], cfg.n, int(offs[-1]))
    common = _cover(token_at[anywhere >= cfg.min_docs], cfg.n, int(offs[-1])) if not weak else None
    found: list[list[tuple[int, int, bool, bool]]] = []  # per document: (start, end, at its head, at its tail)
    parts: list[list[list[tuple[int, int]]]] = []  # the core runs each block of ``found`` joins
    in_edge_block = np.zeros(sd.shape[0], dtype=bool)
    core_runs = _runs_by_doc(covered, offs)
    for k, text in enumerate(texts):
        lo, hi = int(offs[k]), int(offs[k + 1])
        words = hi - lo
        blocks: list[tuple[int, int, bool, bool]] = []
        found.append(blocks)
        parts.append([])
        if words == 0 or not core_runs[k]:
            continue
        f0 = int(first[k])
        ts, te = starts[lo:hi], ends[lo:hi]
        for runs in _grow_runs(text, ts, te, core_runs[k], cfg.bridge):
            s, e = runs[0][0], runs[-1][1]
            c0, c1 = int(ts[s]), int(te[e - 1])
            head = s <= cfg.edge and not _crosses_sentence(text, int(ts[0]), c0 + 1)
            tail = e >= words - cfg.edge and not _crosses_sentence(text, c1, int(te[-1]))
            blocks.append((s, e, head, tail))
            parts[k].append(runs)
            if head or tail:
                in_edge_block[f0 + s : f0 + max(s, e - cfg.n + 1)] = True
    # pass 2: an edge block is furniture when it holds an n-gram that many documents of the group
    # hold in an edge block too (a stock phrase that happens to open one article is not)
    at_edges = freq.count(in_edge_block)
    cuts: list[tuple[int, int]] = []  # every document's furniture, in tokens of the group
    for k, text in enumerate(texts):
        lo, hi = int(offs[k]), int(offs[k + 1])
        words = hi - lo
        ts, te = starts[lo:hi], ends[lo:hi]
        f0 = int(first[k])
        ranges: list[tuple[int, int]] = []

        def edge_core(s: int, e: int, f0: int = f0) -> bool:
            """True when the block holds an n-gram that many of the group hold in an edge block."""
            return bool((at_edges[f0 + s : f0 + max(s + 1, e - cfg.n + 1)] >= core_min).any())

        for (s, e, head, tail), runs in zip(found[k], parts[k], strict=True):
            c0, c1 = int(ts[s]), int(te[e - 1])
            if head or tail:
                if not edge_core(s, e):
                    continue
                if head != tail:
                    # furniture is what the outlet repeats at its edges: the block ends where that
                    # stops, not at a phrase its articles repeat anywhere (a stock phrase in the
                    # prose beyond it, bridged across article text that no other page holds)
                    inner = [r for r in runs if edge_core(*r)]
                    s, e = (s, inner[-1][1]) if head else (inner[0][0], e)
                if head:
                    s = 0
                if tail:
                    e = words
            elif weak or e - s < cfg.min_words or not _whole_lines(text, c0, c1):
                continue
            if weak and e - s > cfg.folder_max_words:
                continue
            ranges.append((s, e))
        if ranges and ranges[-1][1] == words and not weak:
            # the furniture under an article is often several blocks with changing headlines between
            # them (which may end sentences): blocks the outlet prints there join the last one
            # (never the block over the article: in a short article the menu is near the footer)
            start = ranges[-1][0]
            for s, e, head, _ in reversed(found[k]):
                if e <= start and start - e <= 2 * cfg.bridge and edge_core(s, e) and not head:
                    start = s
            # ... and a credit or a "Related" heading just before them, back to the article's last
            # full stop when that is near (a new headline under the heading is not core text)
            lo_tok = max(0, start - 3 * cfg.bridge)
            window = text[int(ts[lo_tok]) : int(ts[start]) + 1]  # with the block's first letter
            ends_at = [(m.start(), m.end()) for m in _SENTENCE_END.finditer(window)]
            # the article's last full stop right before the block is its last one, whatever letter
            # opens the block ("copyright ...", "État ..."): its last sentence is never furniture.
            # Text that goes on from a full stop inside a line and ends that line before the
            # block is the rest of an article sentence that lost its own full stop, not a credit
            if ends_at and start > 0 and not _ENDS_SENTENCE.search(window[:-1]) and (
                    "\n" in window[ends_at[-1][0] : ends_at[-1][1]] or "\n" not in window[ends_at[-1][1] :]):
                cut = int(ts[lo_tok]) + ends_at[-1][1] - 1
                start = int(np.searchsorted(ts, cut, side="left"))
            ranges = [r for r in ranges if r[1] <= start] + [(start, words)]
        kept = sum(e - s for s, e in ranges)
        if ranges and kept <= cfg.max_share * words:
            out[k] = tuple((int(ts[s]), _past_punctuation(text, int(te[e - 1]))) for s, e in ranges)
        else:
            ranges = []
        cuts.extend((lo + s, lo + e) for s, e in ranges if e > s)
    if common is not None and common.any():
        _house_spans(common, cuts, starts, ends, offs, house)
    return out, house


def _house_spans(common: np.ndarray, cuts: list[tuple[int, int]], starts: I64, ends: I64, offs: I64,
                 house: list[Spans]) -> None:
    """Fill ``house`` with each document's character spans of the runs of ``common`` outside ``cuts``.

    What ``_minus`` leaves of each document's runs once its furniture ranges are cut out: the runs
    of the mask with those ranges set False (a cut is never empty, so no two pieces touch).
    """
    mask = common
    if cuts:
        lo, hi = (np.array(x, dtype=np.int64) for x in zip(*cuts, strict=True))
        diff = np.zeros(common.shape[0] + 1, dtype=np.int64)
        np.add.at(diff, lo, 1)
        np.add.at(diff, hi, -1)
        mask = common & (np.cumsum(diff[:-1]) == 0)
    if not mask.any():
        return
    s, e, doc = _runs_flat(mask, offs)
    cs, ce = starts[s].tolist(), ends[e - 1].tolist()
    bounds = np.searchsorted(doc, np.arange(offs.shape[0]), side="left").tolist()
    first = np.ones(doc.shape[0], dtype=bool)  # doc is ascending: its distinct values without np.unique's hashing
    first[1:] = doc[1:] != doc[:-1]
    for k in doc[first].tolist():
        a, b = bounds[k], bounds[k + 1]
        house[k] = tuple(zip(cs[a:b], ce[a:b], strict=True))


def _past_punctuation(text: str, end: int) -> int:
    """A furniture span's end moved past the punctuation that closes it ("Cookie Policy."), so no
    sentence reaches across the masked block to a stray full stop."""
    while end < len(text) and not text[end].isspace() and not text[end].isalnum():
        end += 1
    return end


def _cover(first_words: I64, n: int, total: int) -> np.ndarray:
    """Words covered by n-grams starting at ``first_words`` (n-grams never cross documents)."""
    diff = np.zeros(total + 1, dtype=np.int64)
    np.add.at(diff, first_words, 1)
    np.add.at(diff, first_words + n, -1)
    return np.cumsum(diff[:total]) > 0


class _DocFreq:
    """Per n-gram occurrence document counts over one group, with its n-grams sorted once."""

    def __init__(self, key: np.ndarray, docs: I64) -> None:
        """Sort the n-gram hashes once (stable: each hash's occurrences stay in document order)."""
        quick = np.argsort(key)  # the default sort, then places in order within each hash: the stable
        k = key[quick]  # order in half the time of numpy's stable sort (a merge sort for 64-bit keys)
        new_key = np.ones(k.shape[0], dtype=bool)
        new_key[1:] = k[1:] != k[:-1]
        self.run = np.cumsum(new_key) - 1  # the distinct hash of each sorted occurrence
        self.runs = int(self.run[-1]) + 1 if self.run.size else 0
        n = key.shape[0]
        packed = self.run * n + quick  # (hash, place) as one key: sorted, each run's places ascend
        packed.sort()
        self.order = packed - self.run * n
        self.docs = docs[self.order]
        self.run_of = np.empty(key.shape[0], dtype=np.int64)
        self.run_of[self.order] = self.run

    def count(self, where: np.ndarray) -> I64:
        """For each n-gram occurrence, the number of documents holding that n-gram where ``where`` holds.

        ``docs`` must be ascending (n-grams come document by document): the stable sort keeps
        each hash's occurrences in document order, so one pass finds the distinct documents.
        """
        pick = np.flatnonzero(where[self.order])
        if pick.size == 0:
            return np.zeros(self.run_of.shape[0], dtype=np.int64)
        r, d = self.run[pick], self.docs[pick]
        new_doc = np.ones(pick.shape[0], dtype=bool)
        new_doc[1:] = (r[1:] != r[:-1]) | (d[1:] != d[:-1])
        per_run = np.bincount(r, weights=new_doc, minlength=self.runs).astype(np.int64)
        return per_run[self.run_of]


def _crosses_sentence(text: str, start: int, end: int) -> bool:
    """True when the text between two offsets holds a sentence end (it is content, not a stray word)."""
    return bool(_SENTENCE_END.search(text, start, end))


def _grow_runs(text: str, ts: I64, te: I64, runs: list[tuple[int, int]], bridge: int
               ) -> list[list[tuple[int, int]]]:
    """Core runs joined into blocks across gaps of at most ``bridge`` words that hold no sentence
    end (a sentence end just before a run counts): the runs of each block, in order."""
    out: list[list[tuple[int, int]]] = []
    for s, e in runs:
        if out and s - out[-1][-1][1] <= bridge and not _crosses_sentence(
                text, int(te[out[-1][-1][1] - 1]), int(ts[s]) + 1):  # with the run's first letter
            out[-1].append((s, e))
        else:
            out.append([(s, e)])
    return out


def is_weak(group: str) -> bool:
    """True for a group known only by folder (it may mix outlets)."""
    return group.startswith("folder:")


def house_group(texts: Sequence[str], config: FurnitureConfig | None = None, *, weak: bool = False
                ) -> list[Spans]:
    """House text of each of one outlet's texts: runs of words ``min_docs`` of them share, outside furniture.

    An outlet's stock paragraphs (the background it appends to every report of a war) are its
    content, not furniture, so they stay; but two of its documents sharing them is not a copy.
    A group known only by folder (``weak``) has none: it may hold copies from many outlets.
    """
    return learn_group_house(texts, config, weak=weak)[1]


_WORD = re.compile(r"\w+")
_LINE = re.compile(r"[^\n]+")
# words that only a site's own widgets use: polls, sign-up forms, legal lines, credits, adverts (an
# author's plug for a book among them)
_CUE = re.compile(
    r"(?:\b(?:polls?|subscribe[sd]?|subscription|newsletters?|sign(?:ing)?[ -]?up|log[ -]?in|e-?mail|"
    r"privacy policy|terms of (?:use|service)|cookies?|opt[ -]?out|unsubscribe|advertisement|sponsored|"
    r"click here|read more|share this|follow us|all rights reserved|copyright|posted with permission|"
    r"originally (?:published|appeared)|story continues|best price|buy (?:new|used|now)|add to (?:cart|basket)|"
    r"pre-?order|my (?:new|latest|forthcoming) book)\b"
    r"|\u00a9)", re.IGNORECASE)
_PROSE_END = re.compile(r"[.!?\u2026][\"'\u201d\u2019)\]]*\s*$")


def _widget_line(line: str) -> bool:
    """True for a line shaped like a widget's: a site cue word, or too short to be a sentence of prose."""
    words = len(_WORD.findall(line))
    return bool(_CUE.search(line)) or words <= 6 or (words <= 12 and not _PROSE_END.search(line))


CUE_DENSE = 3  # a line naming this many different widget cues is a widget's, not prose, up to 25 words


def _prose_line(line: str) -> bool:
    """True for a line that reads as a sentence of prose: long, or past twelve words and ending like one.

    A line naming ``CUE_DENSE`` different widget cues is a sign-up form's small print ("By signing
    up you agree to receive email newsletters ..."), not prose, unless it is long.
    """
    words = len(_WORD.findall(line))
    if words > 25:
        return True
    if words > 12 and len({m.group().casefold() for m in _CUE.finditer(line)}) >= CUE_DENSE:
        return False
    return words > 12 and bool(_PROSE_END.search(line))


def is_widget(lines: Sequence[str], config: FurnitureConfig | None = None) -> bool:
    """True when a run of lines is shaped like a site widget, not like prose.

    At least ``widget_share`` of its lines are widget lines (a cue word such as "poll",
    "subscribe", "Privacy Policy", "posted with permission", or six words or fewer, or short and
    without a sentence end), and either one names such a cue or there are three lines or more,
    nearly all short and without a sentence end (a menu, a link list). A wire passage is sentences of prose: however many outlets print
    it, it is never a widget.
    """
    cfg = config or FurnitureConfig()
    if not lines:
        return False
    shaped = sum(_widget_line(x) for x in lines)
    cues = sum(bool(_CUE.search(x)) for x in lines)
    if shaped < cfg.widget_share * len(lines):
        return False
    bare = sum(len(_WORD.findall(x)) <= 12 and not _PROSE_END.search(x) for x in lines)
    return cues > 0 or (len(lines) >= 3 and bare >= 0.8 * len(lines))


def widget_text(text: str, config: FurnitureConfig | None = None) -> bool:
    """True for a piece of text whose lines are a widget's (``is_widget``) and none a sentence of prose.

    What is left of a widget that the pool could not mask whole: its first words glued to the end
    of a line of article text ("... take our poll - story continues below" and the poll's question).
    """
    lines = [x for x in (y.strip() for y in text.split("\n")) if _WORD.search(x)]
    return is_widget(lines, config) and not any(_prose_line(x) for x in lines)


def learn_pool(texts: Sequence[str], config: FurnitureConfig | None = None) -> list[Spans]:
    """Widget spans of documents that have no outlet to learn furniture from, learned across them.

    Such documents (an outlet with fewer than ``min_docs`` of them, or grouped only by folder)
    share no outlet, so what they repeat may be reuse; only whole lines count, and only a run
    of lines that ``widget_min_docs`` of them hold (numbers aside: an advert's price and clock
    change from page to page; across up to ``widget_bridge`` short lines of other text, such as
    a poll's changing question) and that is shaped like a widget
    (``is_widget``), wherever it sits in the document.
    """
    cfg = config or FurnitureConfig()
    out: list[Spans] = [() for _ in texts]
    if len(texts) < cfg.widget_min_docs:
        return out
    lines: list[list[tuple[int, int, int]]] = []
    df: dict[int, int] = defaultdict(int)
    for text in texts:
        found = []
        for m in _LINE.finditer(text):
            words = _WORD.findall(m.group())
            if words:
                # numbers aside: an advert's price or a widget's clock changes from page to page
                found.append((m.start(), m.end(), hash(" ".join("#" if w.isdigit() else w for w in words).casefold())))
        lines.append(found)
        for h in {h for _, _, h in found}:
            df[h] += 1
    for k, (text, found) in enumerate(zip(texts, lines, strict=True)):
        runs: list[list[int]] = []
        for i, (_, _, h) in enumerate(found):
            if df[h] < cfg.widget_min_docs:
                continue
            if runs and i - runs[-1][1] <= cfg.widget_bridge and all(
                    len(_WORD.findall(text[s:e])) <= 12 for s, e, _ in found[runs[-1][1] : i]):
                runs[-1][1] = i + 1
            else:
                runs.append([i, i + 1])
        spans: list[tuple[int, int]] = []
        for a, b in runs:
            shaped = [_widget_line(text[s:e]) for s, e, _ in found[a:b]]
            if not any(shaped):
                continue
            # a sentence of prose at either end of the run is content the documents share, not the
            # widget's; a poll's short question or answer is not prose, and nor is what follows a
            # cue line to the document's end (an author's bio under "posted with permission")
            keep = [x or not _prose_line(text[s:e]) for x, (s, e, _) in zip(shaped, found[a:b], strict=True)]
            tail = b == len(found) and any(_CUE.search(text[s:e]) for s, e, _ in found[a:b])
            a, b = a + keep.index(True), (b if tail else b - keep[::-1].index(True))
            if is_widget([text[s:e] for s, e, _ in found[a:b]], cfg):
                spans.append((found[a][0], found[b - 1][1]))
        masked = sum(len(_WORD.findall(text[s:e])) for s, e in spans)
        if spans and masked <= cfg.max_share * len(_WORD.findall(text)):
            out[k] = tuple(spans)
    return out


def pooled(group: str, size: int, config: FurnitureConfig | None = None) -> bool:
    """True when a group's documents join the widget pool: known only by folder, or too few to learn from."""
    cfg = config or FurnitureConfig()
    return is_weak(group) or size < cfg.min_docs


def merge_spans(a: Spans, b: Spans) -> Spans:
    """The union of two sets of spans, sorted, overlapping ones joined."""
    out: list[tuple[int, int]] = []
    for s, e in sorted((*a, *b)):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return tuple(out)


# what a caller does with one group's texts, tokens and furniture in the worker that learned it:
# then(group, members, texts, tokens, furniture spans) (its result comes back with the spans)
GroupHook = Callable[[str, list[int], list[str], TokenArrays | None, list[Spans]], Any]


def _bundles(sizes: list[int], workers: int) -> list[tuple[int, int]]:
    """Consecutive runs of groups (largest first) handed to a worker as one task: at most about an
    eighth of a worker's share of the documents and a ``2 * workers``-th of those left, so the last
    tasks are small and the workers finish together; a group alone when it is larger (a task costs
    this process a few ms, and a small group is soon learned)."""
    n = max(workers, 1)
    left = sum(sizes)
    cap = max(1, left // (8 * n))
    out: list[tuple[int, int]] = []
    lo = total = 0
    for k, size in enumerate(sizes):
        total += size
        if total >= max(1, min(cap, left // (2 * n))):
            out.append((lo, k + 1))
            lo, left, total = k + 1, left - total, 0
    if lo < len(sizes):
        out.append((lo, len(sizes)))
    return out


def _learn_some(items: list[tuple[str, list[int]]]) -> list[tuple[list[Spans], list[Spans], Any]]:
    """Worker: ``_learn_one`` of several groups."""
    return [_learn_one(item) for item in items]


def _learn_one(item: tuple[str, list[int]]) -> tuple[list[Spans], list[Spans], Any]:
    """Worker: furniture and house text of one group (documents inherited through fork), and ``then``'s result."""
    texts, cfg, then = pool.state()
    g, members = item
    group = [texts[k] for k in members]
    tokens = tokenize_many(group) if len(group) >= (cfg or FurnitureConfig()).min_docs else None  # else none learned
    spans, house = learn_group_house(group, cfg, weak=is_weak(g), tokens=tokens)
    return spans, house, None if then is None else then(g, members, group, tokens, spans)


def learn_all(docs: Sequence[Document], config: FurnitureConfig | None = None, workers: int = 1,
              then: GroupHook | None = None, extras: list[Any] | None = None) -> tuple[
        dict[str, Spans], dict[str, Spans], dict[str, str]]:
    """Furniture spans, house text spans and group of every document, learned outlet by outlet.

    ``workers`` > 1 learns groups in that many forked processes (the results are the same).
    ``then``: run on each group where it was learned, with the tokens learning made (None for a
    group too small to learn from), so a caller need not tokenise the texts again; its results are
    appended to ``extras``, group by group.
    Spans of groups that ``pooled`` names may still grow after ``then`` saw them (``learn_pool``).
    """
    groups: dict[str, list[int]] = defaultdict(list)
    group_of: dict[str, str] = {}
    for k, d in enumerate(docs):
        g = outlet_key(d)
        groups[g].append(k)
        group_of[d.id] = g
    furniture: dict[str, Spans] = {}
    house: dict[str, Spans] = {}
    items = sorted(groups.items(), key=lambda x: -len(x[1]))
    texts = [d.text for d in docs]
    bundles = _bundles([len(m) for _, m in items], workers)
    parts = pool.ordered_map(_learn_some, [items[lo:hi] for lo, hi in bundles],
                             workers if len(items) > 1 else 1, state=(texts, config, then),
                             ahead=max(len(bundles), 1),  # all kept anyway
                             here=_learn_some)  # this process learns groups too ...
    for (lo, hi), part in zip(bundles, parts, strict=True):  # ... and files each bundle's results between its own
        for (_, members), (spans, hs, extra) in zip(items[lo:hi], part, strict=True):
            if extras is not None:
                extras.append(extra)
            for k, sp, h in zip(members, spans, hs, strict=True):
                furniture[docs[k].id] = sp
                if h:
                    house[docs[k].id] = h
    pool_ks = sorted(k for g, members in groups.items() if pooled(g, len(members), config) for k in members)
    for k, sp in zip(pool_ks, learn_pool([texts[k] for k in pool_ks], config), strict=True):
        if sp:
            furniture[docs[k].id] = merge_spans(furniture[docs[k].id], sp)
    return furniture, house, group_of


def learn(docs: Sequence[Document], config: FurnitureConfig | None = None) -> dict[str, Spans]:
    """Furniture spans of every document of a corpus, learned outlet by outlet (empty when none)."""
    groups: dict[str, list[int]] = defaultdict(list)
    for k, d in enumerate(docs):
        groups[outlet_key(d)].append(k)
    out: dict[str, Spans] = {}
    for g, members in groups.items():
        spans = learn_group([docs[k].text for k in members], config, weak=is_weak(g))
        for k, sp in zip(members, spans, strict=True):
            out[docs[k].id] = sp
    pool_ks = sorted(k for g, members in groups.items() if pooled(g, len(members), config) for k in members)
    for k, sp in zip(pool_ks, learn_pool([docs[k].text for k in pool_ks], config), strict=True):
        out[docs[k].id] = merge_spans(out[docs[k].id], sp)
    return out


def mask_text(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """Text with each span's characters replaced by spaces (line breaks kept): offsets stay valid."""
    spans = sorted(spans)
    if not spans:
        return text
    parts: list[str] = []
    pos = 0
    for s, e in spans:
        s = max(s, pos)
        if e <= s:
            continue
        parts.append(text[pos:s])
        seg = text[s:e]
        parts.append("\n".join(" " * len(line) for line in seg.split("\n")) if "\n" in seg else " " * len(seg))
        pos = e
    parts.append(text[pos:])
    return "".join(parts)


def mask(doc: Document, spans: Spans) -> Document:
    """The document with its furniture masked (same id, offsets and metadata)."""
    return replace(doc, text=mask_text(doc.text, spans)) if spans else doc


def fingerprint(spans: Spans) -> str:
    """A short stable digest of a document's furniture spans ('' when it has none)."""
    if not spans:
        return ""
    return hashlib.sha1(json.dumps([list(s) for s in spans]).encode()).hexdigest()[:16]


def words_masked(text: str, spans: Spans) -> int:
    """Word tokens inside furniture spans (for summaries)."""
    return sum(len(re.findall(r"\w+", text[s:e])) for s, e in spans)


# -- store-backed, incremental ------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class FurnitureSummary:
    """What one furniture run did."""

    groups_learned: int  # outlets (or hosts, folders) whose furniture was learned again
    documents_with_furniture: int
    changed: int  # documents whose furniture changed (they are analysed again)


def masked_documents(store: Store, ids: Sequence[str]) -> Iterator[Document]:
    """Current documents with their stored furniture masked (what every component reads)."""
    for doc in store.documents(list(ids)):
        spans = tuple((int(s), int(e)) for s, e in json.loads(store.furniture_spans(doc.id)))
        yield mask(doc, spans)


STAGE = "tracewire.furniture.v1"


def stage_signature(config: FurnitureConfig | None = None) -> Signature:
    """What the learned furniture depends on besides the documents: this module and the
    ``tracewire.corpus`` modules it imports, and its settings."""
    parts = {**code_parts(__name__, scope="tracewire.corpus"), **config_part(config or FurnitureConfig())}
    return Signature(STAGE, tuple(sorted(parts.items())))


def update_furniture(store: Store, config: FurnitureConfig | None = None) -> tuple[
        FurnitureSummary, list[str]]:
    """Learn the furniture of every outlet with new, changed or removed documents; store it.

    Returns the summary and the ids of documents whose furniture changed (new documents
    included), which must be analysed again. An outlet's furniture depends only on its own
    documents, so learning again just the outlets that changed ends where a full run would.
    When the method changed (``stage_signature``: an upgrade, other settings), or the store kept
    no signature of it, every outlet is learned again, once.
    """
    sig = stage_signature(config)
    state = store.stage_state(STAGE)
    stored = store.furniture_rows()
    relearn = state[0] != sig.digest if state is not None else bool(stored)
    cur = store.furniture_sources()
    meta = {r[0]: r for r in cur}
    groups: dict[str, list[str]] = defaultdict(list)
    group_of: dict[str, str] = {}
    for doc_id, sha, outlet, url, path in cur:
        g = outlet_key(Document(id=doc_id, text="", sha256=sha, source_path=path, outlet=outlet, url=url))
        groups[g].append(doc_id)
        group_of[doc_id] = g
    touched: set[str] = set()
    for doc_id, (sha, grp, _, _) in stored.items():
        if doc_id not in meta:
            touched.add(grp)
        elif meta[doc_id][1] != sha or group_of[doc_id] != grp:
            touched.update((grp, group_of[doc_id]))
    for doc_id in meta:
        if doc_id not in stored:
            touched.add(group_of[doc_id])
    if relearn:
        touched.update(groups)
    # the widget pool (documents with no outlet to learn from) is learned across its members: when
    # one of them, or who belongs to it, changes, every member is learned again
    old_size: dict[str, int] = defaultdict(int)
    for _, grp, _, _ in stored.values():
        old_size[grp] += 1
    in_pool = sorted(g for g, members in groups.items() if pooled(g, len(members), config))
    if any((old_size[g] and pooled(g, old_size[g], config)) or (groups.get(g) and pooled(g, len(groups[g]), config))
           for g in touched):
        touched.update(in_pool)
    learned: list[tuple[str, Document, tuple[Spans, Spans]]] = []
    for g in sorted(touched):
        members = sorted(groups.get(g, []))
        if not members:
            continue
        docs = list(store.documents(members))
        spans, house = learn_group_house([d.text for d in docs], config, weak=is_weak(g))
        learned.extend((g, d, sh) for d, sh in zip(docs, zip(spans, house, strict=True), strict=True))
    pool_at = [k for k, (g, _, _) in enumerate(learned) if pooled(g, len(groups[g]), config)]
    if pool_at:
        widgets = learn_pool([learned[k][1].text for k in pool_at], config)
        for k, sp in zip(pool_at, widgets, strict=True):
            g, d, (fs, hs) = learned[k]
            learned[k] = (g, d, (merge_spans(fs, sp), hs))
    changed: list[str] = []
    rows: list[tuple[str, str, str, str, str]] = []
    for g, d, (sp, hs) in learned:
        enc = json.dumps([list(s) for s in sp])
        old = stored.get(d.id)
        if old is None or old[0] != d.sha256 or old[2] != enc:
            changed.append(d.id)
        rows.append((d.id, d.sha256, g, enc, json.dumps([list(s) for s in hs])))
    gone = [x for x in stored if x not in meta]
    with_f = store.write_furniture(rows, gone)
    if relearn:
        store.record_signatures([sig])
    if state is None or relearn:
        store.write_stage_state(STAGE, sig.digest, "")
    return FurnitureSummary(groups_learned=len(touched), documents_with_furniture=with_f,
                            changed=len(changed)), sorted(changed)
