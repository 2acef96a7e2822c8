"""Text reuse across a corpus: furniture masked, candidates from shared anchors, passage alignment,
rarity-weighted link test, kinds and word-level edits, direction, stories.

``find_reuse`` is the pure whole-corpus function (tests, Python API, benchmark).
``update_reuse`` is the incremental store-backed version used by ``tracewire analyze``: it
indexes only documents that are new or changed since the last run, compares them against
everything already indexed, and rewrites the ``reuse``, ``stories`` and ``story_members`` rows.
"""

from __future__ import annotations

import bisect
import ctypes
import datetime as dt
import difflib
import gc
import json
import logging
import marshal
import re
import time
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, fields, replace
from functools import lru_cache, partial
from operator import attrgetter
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from .. import settings
from ..analyze.notices import rights_notice
from ..engines import pool
from ..errors import UsageError
from ..records import Document, Edit, Passage, ReuseLink, Story
from ..signatures import Signature, code_parts, config_part, pack_parts
from ..store.base import IndexedDocument
from .align import AlignConfig, Prepared, TokenPassage, align, align_many, prepare, prepare_many
from .anchors import AnchorStats, candidate_pairs, pack
from .direction import EdgeMarkers, Span, decide, edge_markers, editorial_markers
from .edits import (
    DiffMemo,
    edited_words,
    extend,
    extend_all,
    is_near_verbatim,
    join_passages,
    quote_spans,
    quoted_share,
    speaker,
    token_edits,
)
from .furniture import (
    FurnitureConfig,
    Spans,
    TokenArrays,
    is_weak,
    learn_all,
    mask_text,
    masked_documents,
    outlet_key,
    pooled,
    update_furniture,
    widget_text,
)
from .shingles import I64, U64, TokenHasher, Tokens, corpus_shingles, tokenize_many, winnow
from .stories import build_stories

if TYPE_CHECKING:
    from ..store.base import Store

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
BATCH = 1_000  # documents tokenised and shingled together (small arrays stay in cache and heap)
PAIR_BLOCK = 2_000  # candidate pairs aligned together (their documents are tokenised as one batch: fewer re-tokenised)
MIN_SPAN_WORDS = 3  # additions and cuts shorter than this are edits inside a passage
EDGE_MEMO_MAX = 200_000  # editorial markers remembered per worker across pair blocks (then forgotten)
EdgeMemo = dict[tuple[str, tuple[int, int] | None, tuple[int, int] | None], list[str]]


@dataclass(frozen=True, slots=True)
class ReuseConfig:
    """Every knob of reuse detection, with the defaults the benchmark and gates were run with."""

    window: int = 4  # winnowing window, in shingles
    max_df: int = 64  # anchors in more documents than this propose pairs only through a hub ...
    mass_min_anchors: int = 32  # ... when a member shares this many of them with it (a mass reprint)
    min_anchors: int = 4  # shared anchors a pair needs to be aligned (about a 15-word passage) ...
    short_min_anchors: int = 2  # ... or two documents of different outlets, dated wire_days apart at most (a 12-word run)
    one_anchor_df: int = 4  # ... or of different known outlets, from one anchor 3-4 documents hold, two of them a candidate pair
    rare_df: int = 4  # anchors in this many documents or fewer are as rare as shared text can be (rarity 1) ...
    rare_share: float = 0.05  # ... when their outlets are at most this share of the corpus's known outlets
    rare_df_share: float = 0.005  # ... and in this share of the known outlets' count of documents, if more than rare_df
    edit_words: int = 2  # a gap this short between two seeds of a passage, on both sides, is an edit inside it
    # (and more words than this added on one side only split a short passage into fragments: ``heaviest_run``)
    min_link_words: float = 12.0  # rarity-weighted matching words a link needs ...
    min_short_words: int = 8  # ... or this many when they cover most of a short document
    short_coverage: float = 0.8
    stock_rarity: float = 0.5  # a passage this common (mean rarity below) and short is a stock phrase
    full_words: int = 25  # a passage this long counts in full, however many documents share it ...
    stock_repeat: float = 2.0  # ... unless the outlets holding it repeat it this often (a formula)
    wire_days: int = 7  # two documents published further apart than this ...
    apart_words: float = 25.0  # ... need this much unquoted text (a background sentence is not a copy)
    same_outlet_words: float = 60.0  # two documents of one outlet need this much (its blocks are short)
    quote_words: float = 12.0  # ... and text quoted in both, this much (a speaker's sentence)
    edge_words: int = 5  # a passage this close to the same end of both documents is at their edge ...
    edge_share: float = 0.5  # ... and, below this share of each, never makes a link (a footer both print)
    stats_min_df: int = 3  # anchors in this many documents or more get a rarity below 1
    copy_max_edits: float = 0.02  # a copy: one passage, edits on at most this share of its words
    quote_share: float = 0.6  # a passage this much inside quotation marks on both sides is quoted ...
    quote_kind: float = 0.8  # ... and a link whose shared words are this much quoted is a shared quotation
    learn_furniture: bool = True  # find_reuse masks each outlet's furniture first
    # across outlets, a link whose every passage reads as background (past the first ``lede_words``
    # words of both, no weekday or "yesterday" in it, ``background_share`` of its anchors in
    # ``stats_min_df`` documents or more, not a shared quotation) is dropped when the two reports
    # name different days for their events and share no number outside it (``event_days``)
    event_days: bool = True
    # two documents that print their dates at their top (``printed_date``) more than ``wire_days``
    # apart: a link whose every passage lies past the first ``lede_words`` words of both and is not a
    # shared quotation is dropped (an agency's background paragraph in reports of two events)
    printed_days: bool = True
    # within one outlet (or one site): a link whose every passage lies past the first ``lede_words`` words of
    # both is dropped when the two reports name different days for their events outside it and share no number
    # there (``event_days_differ``): the outlet's background paragraph in its reports of two events, not one
    # article printed twice (an update names its event's day again, or repeats its figures, or shares its lede)
    same_outlet_events: bool = True
    lede_words: int = 40
    background_share: float = 0.9
    # across outlets, passages in the lede of both documents (their first ``lede_words`` words on both sides)
    # weigh their words, not their rarity, and need no ``apart_words``, unless the two reports tell of events on
    # different days (``event_days_differ``): two reports of one event that open with the same wire sentence
    # copy it, however many reports print that lede and whatever dates a corpus gives them
    lede_copy: bool = True
    # a passage both documents follow with a parenthetical reference carrying the same number ("(CCC 2357)" and
    # "(Catechism of the Catholic Church, 2357)", "(John 3:16)") quotes a cited text: it rides along with a link but
    # never makes one (``cited_passage``): a numbered text is quoted across unrelated stories
    cited_rides: bool = True
    # a passage made of rights notices only on both sides ("Copyright 2018 The Associated Press. All rights reserved.
    # This material may not be published, broadcast, rewritten or redistributed.") rides along with a link but never
    # makes one (``rights_notice``): a wire's notice follows its copy onto every site, under different stories
    notice_rides: bool = True
    # across outlets, a link with a passage whose edits fill a template's slots with other facts (two or more
    # numbers and a name differ: "arrested 22 ... in Illinois" / "arrested 145 ... in Texas") is dropped
    # (``filled_template``): one agency's template in reports of two events, not a copy of one report
    template_fill: bool = True
    # ... but a name replaced where both passages credit a source ("the Syrian Observatory said" / "the White Helmets
    # said", "according to ...") is no slot: the monitor an outlet cites changes with the figures it copies
    template_sources: bool = True
    # ... nor is a name replaced by another where both are names of conflict actors in the active packs'
    # actors.toml, aliases or demonyms ("Islamic State" / "Daesh", "Coalition" / "Russian"): how an outlet names a
    # party, not another event's place (place names that stand for an actor, its metonyms, stay slots)
    template_actors: bool = True
    # ... and only when the replaced words are at least this share of the passage's words (both sides together; 0:
    # any share). Measured, not shipped: ICE's release replaces 14 of 96 words (0.15), a 130-word casualty report
    # with its figures and monitor changed 8-13 of 262 (0.03-0.05), but at 0.1 43 of the bench's filled templates
    # (a five-slot lede and 20-40 fixed words, 0.08) link again
    template_share: float = 0.0
    # across outlets, dated at most ``wire_days`` apart: two reports whose first ``lede_rewrite_words`` words share
    # ``lede_rewrite_blocked`` or more words in order, in blocks of two or more (a word diff, case-folded, one
    # plural or -ed/-ing ending cut), share a number of digits that is no year there, and do not fill a template
    # with other facts (``filled_template``) are linked as a ``rewrite`` of one lede (an agency's lede another
    # outlet reworded), found by the lede's rare word pairs, not the anchors (``lede_rewrites``; 0: off)
    lede_rewrite_words: int = 80
    lede_rewrite_blocked: int = 22
    align: AlignConfig = field(default_factory=AlignConfig)
    furniture: FurnitureConfig = field(default_factory=FurnitureConfig)

    def __post_init__(self) -> None:
        """Validate early, naming the bad value and the fix."""
        if self.window < 1:
            raise UsageError(f"ReuseConfig.window={self.window} must be at least 1 (1 keeps every shingle)")
        if self.max_df < 2:
            raise UsageError(f"ReuseConfig.max_df={self.max_df} must be at least 2")
        if self.mass_min_anchors < 1:
            raise UsageError(f"ReuseConfig.mass_min_anchors={self.mass_min_anchors} must be at least 1")
        if self.min_anchors < 1:
            raise UsageError(f"ReuseConfig.min_anchors={self.min_anchors} must be at least 1")
        if not 1 <= self.short_min_anchors <= self.min_anchors:
            raise UsageError(f"ReuseConfig.short_min_anchors={self.short_min_anchors} must be between 1 and "
                             f"min_anchors={self.min_anchors}")
        if self.one_anchor_df != 0 and not 3 <= self.one_anchor_df <= self.max_df:
            raise UsageError(f"ReuseConfig.one_anchor_df={self.one_anchor_df} must be 0 (off) or between 3 and "
                             f"max_df={self.max_df}")
        if self.rare_df < 2:
            raise UsageError(f"ReuseConfig.rare_df={self.rare_df} must be at least 2 (a passage two documents share)")
        if not 0.0 <= self.rare_df_share <= 1.0:
            raise UsageError(f"ReuseConfig.rare_df_share={self.rare_df_share} must be in [0, 1] (0: rare_df alone)")
        if not 0.0 <= self.rare_share <= 1.0:
            raise UsageError(f"ReuseConfig.rare_share={self.rare_share} must be in [0, 1] (0: rarity by documents only)")
        if not 0.0 <= self.template_share <= 1.0:
            raise UsageError(f"ReuseConfig.template_share={self.template_share} must be in [0, 1] (0: any share of "
                             "replaced words fills a template)")
        if self.edit_words < 0:
            raise UsageError(f"ReuseConfig.edit_words={self.edit_words} must be at least 0 (0: no edit is bridged)")
        if not 0.0 < self.short_coverage <= 1.0:
            raise UsageError(f"ReuseConfig.short_coverage={self.short_coverage} must be in (0, 1]")
        if self.min_link_words <= 0:
            raise UsageError(f"ReuseConfig.min_link_words={self.min_link_words} must be positive")
        if self.wire_days < 0:
            raise UsageError(f"ReuseConfig.wire_days={self.wire_days} must be at least 0")
        if not 0.0 < self.background_share <= 1.0:
            raise UsageError(f"ReuseConfig.background_share={self.background_share} must be in (0, 1] "
                             "(1: every anchor of a background passage is in stats_min_df documents)")
        if self.lede_words < 0:
            raise UsageError(f"ReuseConfig.lede_words={self.lede_words} must be at least 0")
        if self.lede_rewrite_words < 0 or self.lede_rewrite_blocked < 0:
            raise UsageError(f"ReuseConfig.lede_rewrite_words={self.lede_rewrite_words} and lede_rewrite_blocked="
                             f"{self.lede_rewrite_blocked} must be at least 0 (0: no lede rewrite test)")
        if self.stats_min_df < 3:
            raise UsageError(f"ReuseConfig.stats_min_df={self.stats_min_df} must be at least 3 "
                             "(anchors in two documents are as rare as a shared passage can be)")


@dataclass(frozen=True, slots=True)
class ReuseSummary:
    """What one incremental run did."""

    documents: int  # current documents in the store
    indexed: int  # documents (re)indexed in this run
    removed: int  # documents dropped from the index (deleted or replaced by a new version)
    candidate_pairs: int
    links: int  # reuse links in the store after the run
    stories: int
    rebuilt: bool = False  # the stage's code, settings or actor lexicon changed: every document indexed again


# -- indexing -----------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Index:
    """Winnowed anchors of a list of texts (token hashes are not kept: alignment re-tokenises)."""

    word_counts: I64  # word count of each text
    anchors: U64  # unique (anchor, text) pairs ...
    owners: I64  # ... and the text index of each


def index_keys(texts: Sequence[str], config: ReuseConfig, ndocs: int, first: int = 0) -> U64:
    """Packed (anchor, doc) keys of texts that are documents first, first + 1, ...

    What ``find_reuse`` keeps of a whole corpus: 8 bytes per anchor, built batch by batch.
    """
    hasher = TokenHasher()
    keys = [np.empty(0, dtype=np.uint64)]
    for lo in range(0, len(texts), BATCH):
        idx = index_texts(texts[lo : lo + BATCH], hasher, config)
        keys.append(pack(idx.anchors, idx.owners + (first + lo), ndocs))
    return np.concatenate(keys)


def _index_ids(texts: Sequence[str], ids: Sequence[int], config: ReuseConfig, ndocs: int) -> U64:
    """Packed (anchor, doc) keys of texts that are documents ``ids`` (in any order)."""
    idx = index_texts(texts, TokenHasher(), config)
    return pack(idx.anchors, np.array(ids, dtype=np.int64)[idx.owners], ndocs)


def index_texts(texts: Sequence[str], hasher: TokenHasher, config: ReuseConfig) -> Index:
    """Tokenise texts and compute their winnowed anchors, in batches that bound peak memory."""
    all_h: list[U64] = []
    all_d: list[I64] = []
    lengths = np.zeros(len(texts), dtype=np.int64)
    n = config.align.n
    for lo in range(0, len(texts), BATCH):
        chunk = texts[lo : lo + BATCH]
        flat, offsets = hasher.words_many(chunk)
        lengths[lo : lo + len(chunk)] = np.diff(offsets)
        sh, sd = corpus_shingles(flat, offsets, n)
        ah, ad = winnow(sh, sd, config.window)
        all_h.append(ah)
        all_d.append(ad + lo)
    empty_u, empty_i = np.empty(0, dtype=np.uint64), np.empty(0, dtype=np.int64)
    return Index(
        word_counts=lengths,
        anchors=np.concatenate(all_h) if all_h else empty_u,
        owners=np.concatenate(all_d) if all_d else empty_i,
    )


# -- one pair -----------------------------------------------------------------------------------
def _uncovered(tokens: Tokens, ranges: Sequence[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    """Character spans of the token runs outside ``ranges`` (at least MIN_SPAN_WORDS words)."""
    if len(ranges) == 1:  # most links: one passage
        return _uncovered_one(tokens, ranges[0])
    return _uncovered_many(tokens, ranges)


def _uncovered_one(tokens: Tokens, passage: tuple[int, int]) -> tuple[tuple[int, int], ...]:
    """``_uncovered`` of one token range: what ``_uncovered_many`` finds for it, sooner."""
    s, e = passage
    total = len(tokens)
    spans: list[tuple[int, int]] = []
    if s >= MIN_SPAN_WORDS:
        spans.append((tokens.starts.item(0), tokens.ends.item(s - 1)))
    if total - max(e, 0) >= MIN_SPAN_WORDS:
        spans.append((tokens.starts.item(max(e, 0)), tokens.ends.item(total - 1)))
    return tuple(spans)


def _uncovered_many(tokens: Tokens, ranges: Iterable[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    """``_uncovered`` of any number of token ranges."""
    spans: list[tuple[int, int]] = []
    pos = 0
    total = len(tokens)
    for s, e in [*sorted(ranges), (total, total)]:
        if s - pos >= MIN_SPAN_WORDS:
            spans.append((tokens.starts.item(pos), tokens.ends.item(s - 1)))
        pos = max(pos, e)
    return tuple(spans)


def rarity(df: I64, ndocs: int, rare: npt.NDArray[np.bool_] | None = None) -> npt.NDArray[np.float64]:
    """IDF-like weight of shared n-grams: 1 for one in two documents (or marked ``rare``), 0 for one in every document.

    log(N / df) / log(N / 2): a phrase that a tenth of a large corpus uses weighs about a
    third of a rare one, so a short stock phrase never adds up to a link on its own.
    """
    if ndocs <= 2 or df.size == 0:
        return np.ones(df.shape[0], dtype=np.float64)
    eff = np.maximum(df, 2) if rare is None else np.where(rare, 2, np.maximum(df, 2))
    w: npt.NDArray[np.float64] = np.log(ndocs / eff.astype(np.float64)) / np.log(ndocs / 2.0)
    return np.clip(w, 0.0, 1.0).astype(np.float64)


def rare_seeds(p: TokenPassage, known: I64, rare_df: int, rare_share: float, outlets: int) -> npt.NDArray[np.bool_] | None:
    """Which of a passage's anchor seeds (``known``: their document frequencies) are rare across outlets, or None.

    A seed in at most ``rare_df`` documents whose outlets are at most ``rare_share`` of the
    corpus's ``outlets`` (known ones) is as rare as shared text can be: three outlets of a
    hundred printing the same twelve words copied them, while three of seven (a corpus of a few
    publishers) or pages of no known outlet may share a slogan, a formula or a site's line.
    """
    if outlets <= 0 or rare_share <= 0.0 or p.seed_outlets is None:
        return None
    outs = p.seed_outlets[p.seed_df > 0]
    return (known <= rare_df) & (np.maximum(outs, 1) <= rare_share * outlets)


def rare_docs(config: ReuseConfig, outlets: int) -> int:
    """The most documents a rare seed may be in: ``rare_df``, or ``rare_df_share`` of the known outlets when more.

    A twelve-word run that five of a thousand outlets print is as rare as one that four of a
    hundred print: among many outlets a fixed count would make a run copied by five of them (or
    one of whose 5-grams a fifth document holds by chance) a phrase. Half a percent of the
    known outlets: 5 of 1,000, 15 of 3,000; below 800 outlets, ``rare_df``.
    """
    return max(config.rare_df, int(config.rare_df_share * outlets))


def repeat(p: TokenPassage) -> float:
    """How many documents of each outlet that holds a passage's seeds hold them: the median over seeds (1 when not counted).

    A wire text that many outlets reprint is in about one document of each (1); a formula (an
    agency's descriptor of a war monitor, its background paragraph) is in many documents of
    each of the few outlets that use it. The median, so one common phrase inside a copied
    passage ("the Syrian Observatory for Human Rights said") does not make it a formula.
    """
    outs_all = p.seed_outlets
    if outs_all is None or not outs_all.any():
        return 1.0  # no seed is a frequent anchor: the common case, and 1 by definition
    # seeds are few: plain Python beats numpy's per-call overhead on arrays this small
    per = sorted(d / o if o > 0 else 1.0 for d, o in zip(p.seed_df.tolist(), outs_all.tolist(), strict=True) if d > 0)
    mid = len(per) // 2
    return float(per[mid] if len(per) % 2 else (per[mid - 1] + per[mid]) / 2)


def bridged(p: TokenPassage, n: int, edit_words: int) -> int:
    """Words replaced inside a passage by edits of at most ``edit_words`` words (between two seeds on both sides).

    A copied run with one word changed in its middle is one passage whose seeds stop before the
    changed word and start again after it; the word counts towards the run's length, as it does
    for a reader ("tolerant of small edits"), while a longer gap or an insertion adds nothing.
    """
    if edit_words <= 0 or p.one_block or p.seeds_a is None or p.seeds_b is None or p.seeds_a.shape[0] < 2:
        return 0
    sa, sb = p.seeds_a.tolist(), p.seeds_b.tolist()  # a few seeds: plain Python beats numpy's per-call cost
    words = 0
    for k in range(1, len(sa)):
        ga, gb = sa[k] - sa[k - 1] - n, sb[k] - sb[k - 1] - n
        if 0 < ga <= edit_words and 0 < gb <= edit_words:
            words += min(ga, gb)
    return words


def heaviest_run(p: TokenPassage, n: int, edit_words: int, min_run: int) -> TokenPassage:
    """What a reader measures as copied in a passage made of fragments: its heaviest stretch of seeds
    between gaps where more than ``edit_words`` words are added on one side only, when no such
    stretch reaches ``min_run`` matching words (the aligner's ``min_passage_words``); else ``p`` itself.

    A copied run is one stretch of text with a word or two changed. Fragments of one sentence of
    under ten words each, with a clause added or cut between them on one side only ("the hospital
    in the town of X [is about 15 km from] Idlib city"), are a sentence rewritten around an
    insertion, not a copied run: the heaviest fragment is measured alone, with its own seeds'
    rarity. A gap of the same length on both sides (words replaced one for one), or a word or two
    added ("the hardline"), keeps the run whole; so does a stretch of ``min_run`` words or more, and
    the passage is weighed whole as before (a copied sentence with a gloss such as "(Army of
    Islam)" inside, or with a stock phrase chained a few words after it).
    """
    if p.one_block or p.seeds_a is None or p.seeds_b is None or p.seeds_a.shape[0] < 2:
        return p
    sa, sb = p.seeds_a.tolist(), p.seeds_b.tolist()  # a few seeds: plain Python beats numpy's per-call cost
    cuts = [k for k in range(1, len(sa)) if abs((sa[k] - sa[k - 1]) - (sb[k] - sb[k - 1])) > edit_words]
    if not cuts:
        return p
    best: tuple[int, int, int] = (0, 0, 0)  # (matched words, first seed, end seed) of the heaviest stretch
    for lo, hi in zip([0, *cuts], [*cuts, len(sa)], strict=True):
        words = n + sum(min(sa[k] - sa[k - 1], n) for k in range(lo + 1, hi))
        if words > best[0]:
            best = (words, lo, hi)
    words, lo, hi = best
    if words >= min_run:
        return p  # a real run with fragments chained to it (a stock phrase a few words on): weighed whole
    return replace(p, a_start=sa[lo], a_end=sa[hi - 1] + n, b_start=sb[lo], b_end=sb[hi - 1] + n, matched=words,
                   seed_df=p.seed_df[lo:hi], seeds_a=p.seeds_a[lo:hi], seeds_b=p.seeds_b[lo:hi],
                   seed_outlets=None if p.seed_outlets is None else p.seed_outlets[lo:hi])


def short_run_words(found: list[TokenPassage], wa: U64, wb: U64, config: ReuseConfig,
                    parents: Sequence[TokenPassage] | None = None, outlets: int = 0) -> list[int]:
    """Words each passage of a pair gains from small edits: inside it (``bridged``) and, for one too short
    to make a link alone, at its ends (``edits.extend``: "... nine words, one changed, four more").

    A copied run of 12-15 words with one word changed near an end aligns as a shorter passage:
    the seeds stop five words before the change. Extending it through the change, as the link
    record does later, measures the run as a reader sees it. Only short passages are extended
    here, and only in a pair where no passage counts in full (``full_words``): a run of 12-24
    words weighs its rarity, so one of common words may fall short of ``min_link_words`` by the
    few words past its edit. The passages themselves are left as they are. ``parents``: the
    aligned passage each of ``found`` was cut from (``heaviest_run``): none is extended into
    another passage's span.

    In a corpus of many known outlets (``outlets``; see ``rare_seeds``), an end of a passage
    whose seeds are all rare across them also passes an edit of up to ``edit_words`` words
    followed by at least as many matching words (``_past_edit``): twelve words that three of a
    hundred outlets print, one of them changed near an end, were copied. Among a few outlets
    (or none known) a 10-word run and a changed word may be one source quoted twice, so there
    extension alone measures the run.
    """
    n = config.align.n
    out = [bridged(p, n, config.edit_words) if p.matched < config.full_words else 0 for p in found]
    if any(p.matched + x >= config.full_words for p, x in zip(found, out, strict=True)):
        return out  # a passage of the pair counts in full already: no short run to measure
    spans = found if parents is None else parents
    for k, p in enumerate(found):
        lim_a, lim_b = (0, wa.shape[0]), (0, wb.shape[0])
        for q in spans:  # never into a neighbour on either side
            if q is not spans[k]:
                lim_a = (max(lim_a[0], q.a_end), lim_a[1]) if q.a_end <= p.a_start else (lim_a[0], min(lim_a[1], q.a_start))
                lim_b = (max(lim_b[0], q.b_end), lim_b[1]) if q.b_end <= p.b_start else (lim_b[0], min(lim_b[1], q.b_start))
        x = extend(p, wa, wb, lim_a, lim_b)
        if x is not p:
            grown = x.matched - p.matched  # matching words at the ends, and the words changed among them
            changed = min(p.a_start - x.a_start + x.a_end - p.a_end, p.b_start - x.b_start + x.b_end - p.b_end) - grown
            out[k] += grown + max(changed, 0)
        # an end that extension left where it was: an edit of at most edit_words words there, then
        # at least as many matching words before the copied run ends ("... ten words, one changed,
        # two more"), which extension's cost of two per edited word does not reach
        e = config.edit_words
        if not _rare_run(p, config, outlets):
            continue
        if x.a_end == p.a_end and x.b_end == p.b_end:
            out[k] += _past_edit(wa[p.a_end : min(lim_a[1], p.a_end + 2 * e + 1)].tolist(),
                                 wb[p.b_end : min(lim_b[1], p.b_end + 2 * e + 1)].tolist(), e)
        if x.a_start == p.a_start and x.b_start == p.b_start:
            out[k] += _past_edit(wa[max(lim_a[0], p.a_start - 2 * e - 1) : p.a_start].tolist()[::-1],
                                 wb[max(lim_b[0], p.b_start - 2 * e - 1) : p.b_start].tolist()[::-1], e)
    return out


def _rare_run(p: TokenPassage, config: ReuseConfig, outlets: int) -> bool:
    """True when every seed of a passage is rare across the corpus's many known outlets (``rare_seeds``).

    Seeds in fewer than ``stats_min_df`` documents (two at most) have no counts and are rare; the
    corpus must know enough outlets that two of them are at most ``rare_share`` of all.
    """
    if outlets * config.rare_share < 2:
        return False
    if not (p.seed_df >= config.stats_min_df).any():
        return True
    rare = rare_seeds(p, p.seed_df[p.seed_df > 0], rare_docs(config, outlets), config.rare_share, outlets)
    return rare is not None and bool(rare.all())


def _past_edit(xa: list[int], xb: list[int], edit_words: int) -> int:
    """Words a passage gains at one end from a small edit followed by matching words, or 0.

    ``xa``, ``xb``: the words that follow the passage's end on each side (or precede its start,
    reversed). After ``ga`` words of A and ``gb`` of B (at most ``edit_words`` each, not both 0),
    the next ``m`` words match, ``m`` at least ``max(ga, gb)``: the end gains the ``m`` words and
    the ``min(ga, gb)`` replaced ones (an insertion or a deletion adds no word of its own, as in
    ``short_run_words``). The closest such edit wins.
    """
    if not xa or not xb:
        return 0
    for g in range(1, edit_words + 1):  # g = max(ga, gb); a replacement first, then shorter other sides
        for ga, gb in [(g, g), *((x, y) for h in range(g - 1, -1, -1) for x, y in ((g, h), (h, g)))]:
            m = 0
            while ga + m < len(xa) and gb + m < len(xb) and xa[ga + m] == xb[gb + m]:
                m += 1
            if m >= g:
                return m + min(ga, gb)
    return 0


def passage_weight(p: TokenPassage, ndocs: int, full_words: int, stock_repeat: float = float("inf"),
                   rep: float | None = None, extra: int = 0, rare: tuple[int, float, int] = (2, 0.0, 0)) -> float:
    """Matching words of a passage (plus ``extra``: words of small edits inside it, ``bridged``) times
    the mean rarity of its anchor seeds (1 when it has none).

    A passage of ``full_words`` or more counts in full: stock phrases are short, and a long
    passage that many documents share is a text they all copy (a wire lede in forty papers),
    unless the outlets that hold it repeat it (``repeat`` at least ``stock_repeat``): then it is
    their formula, and its weight is divided by how often each repeats it. ``rep``: ``repeat(p)``
    when the caller has it already; ``rare``: (rare_df, rare_share, known outlets), see ``rare_seeds``.
    """
    rep = repeat(p) if rep is None else rep
    stock = rep >= stock_repeat
    known = p.seed_df[p.seed_df > 0]
    words = p.matched + extra
    if p.matched >= full_words and not stock or not known.size:
        w = float(words)
    else:
        w = float(words * rarity(known, ndocs, rare_seeds(p, known, *rare)).mean())
    return w / rep if stock else w


WeightMemo = dict[tuple[int, bytes, bytes | None], tuple[float, float]]


def shared_passages(pa: Prepared, pb: Prepared, config: ReuseConfig, ndocs: int = 0,
                    keep: Callable[[TokenPassage], bool] | None = None,
                    same_outlet: bool = False,
                    quoted: Callable[[TokenPassage], bool] | None = None,
                    apart: bool = False, found: list[TokenPassage] | None = None,
                    memo: WeightMemo | None = None, edges: bool = False,
                    rides: Callable[[TokenPassage], bool] | None = None,
                    outlets: int = 0,
                    one_event: Callable[[list[TokenPassage]], bool] | None = None) -> list[TokenPassage]:
    """Aligned passages of a pair that add up to a link; empty when they fall short.

    A passage shorter than ``full_words`` weighs its matching words times the rarity of its
    n-grams across the corpus (``ndocs`` documents; 0 weighs every n-gram 1), and is dropped
    when it is made of common n-grams (a stock phrase); a longer one counts in full. The rest
    make a link when they weigh ``min_link_words``, or when they cover most of a short document.
    ``keep`` drops passages first (the house text two documents of one outlet share). Two
    documents of one outlet (``same_outlet``) need ``same_outlet_words``: what one site prints
    on two of its pages (a sign-up box, a widget, a series header) is short, an article it
    publishes twice is long. Passages that ``quoted`` finds inside quotation marks in both
    documents link them from ``quote_words`` on: the same sentence of one speaker. Two documents
    published more than ``wire_days`` apart (``apart``) need ``apart_words`` of unquoted text: wire
    copy is reprinted within days, while a background sentence or a standard description of a
    person recurs for months. ``found``: ``align(pa, pb)`` when the caller aligned a block already;
    ``memo``: the (repeat, weight) of passages met before (a wire passage recurs in many pairs).
    ``edges``: neither document has a known outlet, so a small block at the same edge of both
    (``edge_words``, ``edge_share``) is taken for what both sites print there and weighs nothing.
    ``rides``: true for a passage that rides along with a link but never makes one: names and
    numbers only (a title, an office, a dateline), or one outlet's own stock text (``_stock_filter``).
    ``one_event``: given the passages in the lede of both documents, false when the two reports tell of
    events on different days; with it (and ``config.lede_copy``) those passages weigh their words and
    need no ``apart_words``: a wire lede two reports of one event open with (None: no such path).
    """
    if found is None:
        found = align(pa, pb, config.align)
    if keep is not None:
        found = [p for p in found if keep(p)]
    if not found:
        return []
    rare = (rare_docs(config, outlets), config.rare_share, outlets)
    # a short passage weighs the copied run a reader sees in it: fragments of a sentence rewritten
    # around an inserted clause are measured by the heaviest one (``heaviest_run``)
    runs = [heaviest_run(p, config.align.n, config.edit_words, config.align.min_passage_words)
            if p.matched < config.full_words else p for p in found]
    extras = short_run_words(runs, pa.words, pb.words, config, found, outlets)
    if memo is None:
        reps = [repeat(p) for p in runs]
        weights = [passage_weight(p, ndocs, config.full_words, config.stock_repeat, r, x, rare)
                   for p, r, x in zip(runs, reps, extras, strict=True)]
    else:
        reps, weights = [], []
        for p, x in zip(runs, extras, strict=True):
            key = (p.matched + (x << 20), p.seed_df.tobytes(),
                   None if p.seed_outlets is None else p.seed_outlets.tobytes())
            got = memo.get(key)
            if got is None:
                r = repeat(p)
                got = memo[key] = (r, passage_weight(p, ndocs, config.full_words, config.stock_repeat, r, x, rare))
            reps.append(got[0])
            weights.append(got[1])
    kept = [k for k, p in enumerate(runs)
            if weights[k] >= config.stock_rarity * (p.matched + extras[k]) or weights[k] >= config.min_link_words]
    passages = [found[k] for k in kept]
    if not passages:
        return []
    la, lb = max(pa.words.shape[0], 1), max(pb.words.shape[0], 1)
    shared = sum(p.matched for p in passages)
    # a formula (a passage its outlets repeat: an agency's descriptor of a monitor, its background
    # paragraph) rides along with a link but never makes one: two reports of different events
    # that share only formulas are not a copy, however long the formulas run
    own = [k for k in kept if reps[k] < config.stock_repeat]
    if edges:
        # ... and so does a block at the same edge of two documents of no known outlet that is a
        # small part of each (the last lines of both: a byline, an author's bio, a reprint credit,
        # or their first lines): where no outlet is known, no furniture was learned to mask it
        own = [k for k in own if not _shared_edge(found[k], la, lb, config)]
    if rides is None:
        weight = sum(weights[k] for k in own)
    else:
        # heaviest first, and only until what does not ride weighs enough to decide the link (every
        # threshold below is at most ``need``): a long copy asks about one passage, not all
        need = max(config.min_link_words, config.apart_words if apart else 0.0,
                   config.same_outlet_words if same_outlet else 0.0)
        weight, left = 0.0, []
        for k in sorted(own, key=lambda x: -weights[x]):
            if weight >= need:
                break
            if not rides(found[k]):
                weight += weights[k]
                left.append(k)
        own = left  # all of them, whenever the weight falls short of ``need``
    cov_a = sum(p.a_end - p.a_start for p in passages) / la
    cov_b = sum(p.b_end - p.b_start for p in passages) / lb
    small_cov = cov_a if la <= lb else cov_b
    if same_outlet:
        return passages if weight >= config.same_outlet_words else []
    if quoted is not None and weight < config.min_link_words:
        # a speaker's sentence weighs its words, however many reports quote it: a statement spreads
        # through the news by being quoted, so its rarity says nothing against a shared quotation
        # (a formula its outlets repeat keeps its weight)
        in_quotes = sum(runs[k].matched + extras[k] if reps[k] < config.stock_repeat else weights[k]
                        for k in kept if quoted(found[k]) and (rides is None or not rides(found[k])))
        if in_quotes >= config.quote_words:
            return passages
    if one_event is not None and config.lede_copy and \
            weight < max(config.min_link_words, config.apart_words if apart else 0.0):
        # a wire lede both reports open with weighs its words, however many reports print it
        lede = config.lede_words
        ledes = [k for k in own if found[k].a_start < lede and found[k].b_start < lede]
        if sum(runs[k].matched + extras[k] for k in ledes) >= config.min_link_words and \
                one_event([found[k] for k in ledes]):
            return passages
    if weight < config.min_link_words and not (
        shared >= config.min_short_words and small_cov >= config.short_coverage
    ):
        return []
    if apart and weight < config.apart_words and small_cov < config.short_coverage:
        in_quotes = 0.0 if quoted is None else sum(weights[k] for k in own if quoted(found[k]))
        if in_quotes < config.quote_words:
            return []
    return passages


SITE_LINE_WORDS = 6  # an opening line this short that two pages of no known outlet share names their site


def _opening_line(text: str) -> str:
    """A text's first line with a word on it, stripped and case-folded ("" for none)."""
    for line in text.lstrip().split("\n", 3)[:3]:
        if _TOKEN.search(line):
            return line.strip().casefold()
    return ""


def same_site(text_a: str, text_b: str) -> bool:
    """True for two pages of no known outlet that open with the same short line (``SITE_LINE_WORDS`` words at
    most): the site's name or slogan above every page it prints ("America's Immigration Voice."), not a
    headline, which runs longer. The two pages are then one site's, and what they share is held to
    ``same_outlet_words`` as for two documents of one known outlet: an editorial refrain the site inserts
    into its stories is short, an article it prints twice is long."""
    line = _opening_line(text_a)
    return bool(line) and line == _opening_line(text_b) and len(_TOKEN.findall(line)) <= SITE_LINE_WORDS


def _shared_edge(p: TokenPassage, la: int, lb: int, config: ReuseConfig) -> bool:
    """True for a passage that ends both documents (or opens both) and is a small part of each."""
    e = config.edge_words
    at_edge = (la - p.a_end <= e and lb - p.b_end <= e) or (p.a_start <= e and p.b_start <= e)
    return at_edge and max((p.a_end - p.a_start) / la, (p.b_end - p.b_start) / lb) < config.edge_share


def link_kind(
    a: Document, b: Document, ta: Tokens, tb: Tokens, passages: list[TokenPassage],
    edits: list[list[tuple[str, int, int, int, int]]], config: ReuseConfig,
    quotes: tuple[list[tuple[int, int]], list[tuple[int, int]]] | None = None,
) -> tuple[str, str | None]:
    """The kind of a link (copy, rewrite, shared_quotation) and, for a quotation, its speaker."""
    qa, qb = quotes if quotes is not None else (quote_spans(a.text), quote_spans(b.text))
    quoted = 0
    who: str | None = None
    for p in passages:
        sa, ea = ta.starts.item(p.a_start), ta.ends.item(p.a_end - 1)
        sb, eb = tb.starts.item(p.b_start), tb.ends.item(p.b_end - 1)
        if quoted_share(qa, sa, ea) >= config.quote_share and quoted_share(qb, sb, eb) >= config.quote_share:
            quoted += p.matched
            who = who or speaker(a.text, sa, ea) or speaker(b.text, sb, eb)
    if qa and qb and quoted >= config.quote_kind * sum(p.matched for p in passages):
        return "shared_quotation", who
    aligned = sum(p.a_end - p.a_start for p in passages)
    touched = sum(edited_words(e) for e in edits)
    if is_near_verbatim(touched, aligned, len(passages), config.copy_max_edits):
        return "copy", None
    return "rewrite", None


def build_link(
    a: Document, b: Document, ta: Tokens, tb: Tokens, passages: list[TokenPassage],
    config: ReuseConfig | None = None,
    quotes: tuple[list[tuple[int, int]], list[tuple[int, int]]] | None = None,
    markers: Callable[[str], list[str]] = editorial_markers,
    diffs: DiffMemo | None = None,
    folded: Callable[[Document], str] | None = None,
    edges: EdgeMarkers | None = None,
) -> ReuseLink:
    """The reuse link of two documents from their aligned passages, oriented by the direction call.

    Direction is argued only for copies and rewrites: two texts that quote one speaker share
    the speaker's words, not each other's, so their link has no direction. ``quotes``: the
    quotation spans of a and b when the caller has them already; ``markers``: a memo of
    ``editorial_markers`` that the caller keeps over many pairs; ``diffs``: a memo of the word
    diffs of edit gaps, kept likewise; ``folded``: a memo of each document's case-folded text;
    ``edges``: a memo of each document's editorial markers around a passage (``decide``).
    """
    cfg = config or ReuseConfig()
    passages = extend_all(passages, ta.hashes, tb.hashes)
    shared = sum(p.matched for p in passages)
    cov_a = sum(p.a_end - p.a_start for p in passages) / max(len(ta), 1)
    cov_b = sum(p.b_end - p.b_start for p in passages) / max(len(tb), 1)
    edits = [token_edits(p, cfg.align.n, ta.hashes, tb.hashes, diffs) for p in passages]
    kind, who = link_kind(a, b, ta, tb, passages, edits, cfg, quotes)
    if kind == "shared_quotation":
        whose = f"the words of {who}" if who else "a quotation"
        known, confidence = False, 0.5
        evidence: tuple[str, ...] = (
            f"the shared text is quoted in both ({whose}): the common source is the quoted speaker, "
            "so neither text is the other's source",)
        a_is_source = a.id <= b.id
    else:
        call = decide(a, b, ta, tb, passages, markers, folded, edges)
        known, confidence, evidence = call.known, call.confidence, call.evidence
        a_is_source = call.a_first if call.known else a.id <= b.id
    # passages split by a short gap are shown as one, the gap's words among its edits (kind, direction and
    # coverage are decided above; a sentence inserted in the gap is an edit, no longer an addition)
    passages, edits = join_passages(passages, edits, ta.hashes, tb.hashes, diffs)
    n_edits = sum(len(e) for e in edits)
    if n_edits:
        evidence = (*evidence, f"{n_edits} word-level edit{'s' if n_edits > 1 else ''} inside the "
                    "shared passages")
    if a_is_source:
        return _make_link(a, b, ta, tb, passages, edits, known, confidence, evidence,
                          cov_a, cov_b, shared, kind, swap=False)
    return _make_link(b, a, tb, ta, passages, edits, known, confidence, evidence,
                      cov_b, cov_a, shared, kind, swap=True)


def link_pair(
    a: Document, b: Document, stats: AnchorStats | None = None, config: ReuseConfig | None = None
) -> ReuseLink | None:
    """Align two documents and return their reuse link, or None when they share no real passage."""
    cfg = config or ReuseConfig()
    hasher = TokenHasher()
    ta, tb = hasher.tokens(a.text), hasher.tokens(b.text)
    pa = prepare(ta.hashes, cfg.align.n, cfg.window, stats)
    pb = prepare(tb.hashes, cfg.align.n, cfg.window, stats)
    passages = shared_passages(pa, pb, cfg, stats.ndocs if stats is not None else 0,
                               outlets=stats.known_outlets if stats is not None else 0)
    return build_link(a, b, ta, tb, passages, cfg) if passages else None


def _make_link(
    src: Document,
    tgt: Document,
    ts: Tokens,
    tt: Tokens,
    passages: list[TokenPassage],
    edits: list[list[tuple[str, int, int, int, int]]],
    known: bool,
    confidence: float,
    evidence: tuple[str, ...],
    cov_s: float,
    cov_t: float,
    shared: int,
    kind: str,
    *,
    swap: bool,
) -> ReuseLink:
    """Build a ReuseLink oriented source -> target, with character offsets, edits and coverage."""
    flip = {"ins": "del", "del": "ins", "sub": "sub"}
    spans = [
        ((p.b_start, p.b_end), (p.a_start, p.a_end),
         [(flip[op], b0, b1, a0, a1) for op, a0, a1, b0, b1 in e]) if swap
        else ((p.a_start, p.a_end), (p.b_start, p.b_end), e)
        for p, e in zip(passages, edits, strict=True)
    ]
    spans.sort(key=lambda x: x[1][0])
    char_edits = _char_edits_many(ts, tt, [ed for _, _, ed in spans])
    out = tuple(
        Passage(
            source_start=ts.starts.item(s0),
            source_end=ts.ends.item(s1 - 1),
            target_start=tt.starts.item(t0),
            target_end=tt.ends.item(t1 - 1),
            edits=ce,
        )
        for ((s0, s1), (t0, t1), _), ce in zip(spans, char_edits, strict=True)
    )
    words = (
        f"{tgt.id} has {cov_t:.0%} of its words in passages shared with {src.id}; "
        f"{src.id} has {cov_s:.0%}"
    )
    spans2 = [(s, t) for s, t, _ in spans]
    return ReuseLink(
        source=src.id,
        target=tgt.id,
        direction_known=known,
        confidence=confidence,
        shared_words=int(shared),
        source_coverage=round(min(cov_s, 1.0), 4),
        target_coverage=round(min(cov_t, 1.0), 4),
        passages=out,
        target_additions=_uncovered(tt, [t for _, t in spans2]),
        source_cuts=_uncovered(ts, [s for s, _ in spans2]),
        evidence=(*evidence, words),
        kind=kind,
    )


def _char_edits(ts: Tokens, tt: Tokens, edits: list[tuple[str, int, int, int, int]]) -> tuple[Edit, ...]:
    """Token-position edits as character offsets; an empty side sits where its words would be."""
    if not edits:
        return ()

    def chars(tok: Tokens, lo: int, hi: int) -> tuple[int, int]:
        """Character span of the token range [lo, hi); the insertion point of an empty one."""
        last = len(tok) - 1
        if last < 0:
            return 0, 0
        start = tok.starts.item(lo) if lo <= last else tok.ends.item(last)
        return start, tok.ends.item(min(max(hi - 1, 0), last)) if hi > lo else start

    return tuple(Edit(op, *chars(ts, a0, a1), *chars(tt, b0, b1)) for op, a0, a1, b0, b1 in edits)


def _char_spans(tok: Tokens, lo: I64, hi: I64) -> tuple[list[int], list[int]]:
    """``_char_edits``'s character spans of many token ranges [lo, hi) of one side, found at once."""
    last = len(tok) - 1
    if last < 0:
        zero = [0] * lo.shape[0]
        return zero, list(zero)
    start = np.where(lo <= last, tok.starts[np.minimum(lo, last)], tok.ends[last])
    end = np.where(hi > lo, tok.ends[np.minimum(np.maximum(hi - 1, 0), last)], start)
    return start.tolist(), end.tolist()


def _char_edits_many(ts: Tokens, tt: Tokens, groups: list[list[tuple[str, int, int, int, int]]]
                     ) -> list[tuple[Edit, ...]]:
    """``_char_edits`` of several passages of one pair, converted together."""
    flat = [e for g in groups for e in g]
    if not flat:
        return [() for _ in groups]
    ops, a0, a1, b0, b1 = zip(*flat, strict=True)
    sa, ea = _char_spans(ts, np.array(a0, dtype=np.int64), np.array(a1, dtype=np.int64))
    sb, eb = _char_spans(tt, np.array(b0, dtype=np.int64), np.array(b1, dtype=np.int64))
    done = tuple(Edit(*x) for x in zip(ops, sa, ea, sb, eb, strict=True))
    out: list[tuple[Edit, ...]] = []
    pos = 0
    for g in groups:
        out.append(done[pos : pos + len(g)])
        pos += len(g)
    return out


def flip_passage(p: Passage) -> Passage:
    """A passage seen from the other side: source and target swapped, insertions become deletions."""
    flip = {"ins": "del", "del": "ins", "sub": "sub"}
    return Passage(
        p.target_start, p.target_end, p.source_start, p.source_end,
        tuple(Edit(flip[e.op], e.target_start, e.target_end, e.source_start, e.source_end)
              for e in p.edits),
    )


# -- corpus-level passes ------------------------------------------------------------------------
def mark_siblings(links: list[ReuseLink]) -> list[ReuseLink]:
    """Copies of one original share text through it: their link gets no direction of its own.

    When X -> B and X -> C are both known and B and C share no more with each other than C
    shares with X, B and C are siblings: ``direction_known`` becomes False (source = smaller
    id) and the evidence names the common original.
    """
    parents: dict[str, dict[str, int]] = {}
    for lk in links:
        if lk.direction_known:
            parents.setdefault(lk.target, {})[lk.source] = lk.shared_words
    out: list[ReuseLink] = []
    keep = out.append
    get = parents.get
    for lk in links:
        source, target = lk.source, lk.target
        ps, pt = get(source), get(target)
        if ps is None or pt is None:  # most links: no common original to look for
            keep(lk)
            continue
        common = ps.keys() & pt.keys()
        if not common:
            keep(lk)
            continue
        sw = lk.shared_words
        explained = [x for x in sorted(common) if sw <= 1.05 * min(ps[x], pt[x]) + 5]
        if not explained:
            keep(lk)
            continue
        # name the earliest common original: not itself copied from another common one (the first such in
        # id order, found without testing the rest: a wire passage's links have dozens of common originals)
        among = set(explained)
        named = next((x for x in explained if x not in parents or parents[x].keys().isdisjoint(among)),
                     explained[0])
        flipped = target < source
        lo_id, hi_id = (target, source) if flipped else (source, target)
        note = f"both {lo_id} and {hi_id} copy {named}; the text they share is the text they take from it, " \
               "so neither is the other's source"
        if note in lk.evidence:
            keep(lk)
            continue
        # every field in order, slots set directly: dataclasses.replace costs several times more
        keep(_new_link(lo_id, hi_id, False, 0.5, sw,
                       lk.target_coverage if flipped else lk.source_coverage,
                       lk.source_coverage if flipped else lk.target_coverage,
                       tuple(flip_passage(p) for p in lk.passages) if flipped else lk.passages,
                       lk.source_cuts if flipped else lk.target_additions,
                       lk.target_additions if flipped else lk.source_cuts,
                       (*lk.evidence, note), lk.kind))
    return out


@dataclass(frozen=True, slots=True)
class OutletText:
    """Each document's furniture group and house text (what its outlet repeats in its articles)."""

    group: dict[str, str]
    house: dict[str, tuple[tuple[int, int], ...]]


def _house_filter(ta: Tokens, tb: Tokens, ha: Sequence[tuple[int, int]], hb: Sequence[tuple[int, int]]
                  ) -> Callable[[TokenPassage], bool]:
    """Keep a passage unless it lies (80 % or more) inside the house text of both documents."""
    def keep(p: TokenPassage) -> bool:
        sa, ea = ta.starts.item(p.a_start), ta.ends.item(p.a_end - 1)
        sb, eb = tb.starts.item(p.b_start), tb.ends.item(p.b_end - 1)
        return not (quoted_share(list(ha), sa, ea) >= 0.8 and quoted_share(list(hb), sb, eb) >= 0.8)
    return keep


House = tuple[list[int], list[int]]  # one document's house spans, sorted: their starts, their ends


def _house_spans(spans: Sequence[tuple[int, int]]) -> House:
    """A document's house spans as sorted starts and ends (for ``_inside``)."""
    ordered = sorted(spans)
    return [s for s, _ in ordered], [e for _, e in ordered]


def _inside(house: House, start: int, end: int) -> float:
    """Share of [start, end) inside a document's house spans (only the spans that reach it are read)."""
    starts, ends = house
    k = max(bisect.bisect_right(starts, start) - 1, 0)
    inside = 0
    while k < len(starts) and starts[k] < end:
        inside += max(0, min(ends[k], end) - max(starts[k], start))
        k += 1
    return inside / (end - start) if end > start else 0.0


def _stock_filter(ta: Tokens, tb: Tokens, ha: House, hb: House) -> Callable[[TokenPassage], bool]:
    """True for a passage that lies (80 % or more) inside the house text of either document.

    Across outlets: what one outlet prints in three or more of its own articles (an agency's
    background paragraph it appends to its reports of a war) links the reports of different
    events that carry it, as a formula does; it rides along with a link but never makes one.
    """
    def stock(p: TokenPassage) -> bool:
        if ha[0] and _inside(ha, ta.starts.item(p.a_start), ta.ends.item(p.a_end - 1)) >= 0.8:
            return True
        return bool(hb[0]) and _inside(hb, tb.starts.item(p.b_start), tb.ends.item(p.b_end - 1)) >= 0.8
    return stock


def _widget_filter(text_a: str, text_b: str, ta: Tokens, tb: Tokens, config: ReuseConfig
                   ) -> Callable[[TokenPassage], bool]:
    """Keep a passage unless it reads as a site widget in both documents (``widget_text``)."""
    def keep(p: TokenPassage) -> bool:
        sa, ea = ta.starts.item(p.a_start), ta.ends.item(p.a_end - 1)
        sb, eb = tb.starts.item(p.b_start), tb.ends.item(p.b_end - 1)
        return not (widget_text(text_a[sa:ea], config.furniture) and widget_text(text_b[sb:eb], config.furniture))
    return keep


_TOKEN = re.compile(r"[^\W_]+")
# words a name or a title runs through in lower case ("the Letter to the Bishops of the Church")
_NAME_GLUE = frozenset("a an the of to in on for and or at by from with de del di da du la le van von der al el bin ibn".split())
NAME_MAX_WORDS = 40  # a passage longer than this is never taken for a name


def names_only(text: str, max_lower: float = 0.1) -> bool:
    """True for text made of names and numbers: nearly every word outside ``_NAME_GLUE`` capitalised or a number."""
    words = _TOKEN.findall(text)
    cap = max_lower * len(words)  # at least as many as the words outside the glue allow: stop early past it
    lower = content = 0
    for w in words:
        if w[0].isupper() or w[0].isdigit():
            content += 1
        elif w.casefold() not in _NAME_GLUE:
            content += 1
            lower += 1
            if lower > cap:
                return False
    return lower <= max_lower * content


def _name_filter(text_a: str, text_b: str, ta: Tokens, tb: Tokens) -> Callable[[TokenPassage], bool]:
    """True for a short passage that is names and numbers only on both sides (``names_only``)."""
    def named(p: TokenPassage) -> bool:
        if p.a_end - p.a_start > NAME_MAX_WORDS:
            return False
        sa, ea = ta.starts.item(p.a_start), ta.ends.item(p.a_end - 1)
        sb, eb = tb.starts.item(p.b_start), tb.ends.item(p.b_end - 1)
        return names_only(text_a[sa:ea]) and names_only(text_b[sb:eb])
    return named


CITE_CHARS = 160  # a reference this close after a passage (within its paragraph or the next lines) cites it
# a parenthetical with a letter in it (a reference names its text): "(CCC 2357)", "(Catechism ..., 2357)"
_PAREN = re.compile(r"\(([^()\n]{0,80})\)")
_REF_NUMBER = re.compile(r"\d+(?:[:.]\d+)*")


def cited_numbers(text: str, end: int, chars: int = CITE_CHARS) -> set[str]:
    """The numbers of the references (parentheticals naming a text and a number: "(CCC 2357)", "(John 3:16)")
    within ``chars`` characters after position ``end`` of a text."""
    out: set[str] = set()
    for m in _PAREN.finditer(text, end, min(len(text), end + chars)):
        inner = m.group(1)
        if any(ch.isalpha() for ch in inner):
            out.update(_REF_NUMBER.findall(inner))
    return out


def cited_passage(text_a: str, text_b: str, end_a: int, end_b: int) -> bool:
    """True when both documents follow a shared passage (ending at ``end_a`` / ``end_b``) with a reference
    carrying the same number: both quote one cited text (a catechism's paragraph, a verse, a statute's
    section), whose words neither took from the other."""
    if "(" not in text_a[end_a:end_a + CITE_CHARS] or "(" not in text_b[end_b:end_b + CITE_CHARS]:
        return False
    refs = cited_numbers(text_a, end_a)
    return bool(refs) and not refs.isdisjoint(cited_numbers(text_b, end_b))


def _cite_filter(text_a: str, text_b: str, ta: Tokens, tb: Tokens) -> Callable[[TokenPassage], bool]:
    """True for a passage both documents follow with the same numbered reference (``cited_passage``)."""
    def cited(p: TokenPassage) -> bool:
        return cited_passage(text_a, text_b, ta.ends.item(p.a_end - 1), tb.ends.item(p.b_end - 1))
    return cited


_NUMBER_WORDS = frozenset("one two three four five six seven eight nine ten eleven twelve".split())
TEMPLATE_NUMBERS = 2  # slots of a filled template: this many numbers that differ ...
TEMPLATE_NAMES = 1  # ... and this many names that differ (not a spelling: ``NAME_SPELLING`` similar at most)
NAME_SPELLING = 0.5  # two names this alike by characters are one name spelt two ways ("Zor" / "Zour")
# a name just before one of these words, or just after one of ``SOURCE_BEFORE``, is the source a report credits
SOURCE_AFTER = frozenset("said says say reported reports told stated claimed announced added estimated".split())
SOURCE_BEFORE = (("according", "to"), ("citing",), ("quoting",), ("cited",), ("quoted",), ("said",), ("says",))


def _notice_filter(text_a: str, text_b: str, ta: Tokens, tb: Tokens) -> Callable[[TokenPassage], bool]:
    """True for a passage that is a rights notice on both sides (``rights_notice``)."""
    def notice(p: TokenPassage) -> bool:
        sa, ea = ta.starts.item(p.a_start), ta.ends.item(p.a_end - 1)
        sb, eb = tb.starts.item(p.b_start), tb.ends.item(p.b_end - 1)
        return rights_notice(text_a[sa:ea]) and rights_notice(text_b[sb:eb])
    return notice


def _is_number(word: str) -> bool:
    """True for a word that states a number: digits in it, or one written out ("three")."""
    return any(ch.isdigit() for ch in word) or word.casefold() in _NUMBER_WORDS


def _credited(words: Sequence[str], lo: int, hi: int) -> bool:
    """True when ``words[lo:hi]`` stand where a report names its source: before "said", "told", "reported" ...
    (``SOURCE_AFTER``) or after "according to", "citing", "said" ... (``SOURCE_BEFORE``; a "the" between)."""
    if hi < len(words) and words[hi].casefold() in SOURCE_AFTER:
        return True
    before = [w.casefold() for w in words[max(0, lo - 3):lo]]
    if before and before[-1] == "the":
        before.pop()
    return any(tuple(before[-len(cue):]) == cue for cue in SOURCE_BEFORE)


@lru_cache(maxsize=4)
def actor_names(packs: tuple[str, ...]) -> frozenset[str]:
    """Every actor's name, aliases and demonyms in the packs' ``actors.toml``, as case-folded words joined by one
    space ("islamic state", "daesh", "us led coalition", "russian"); metonyms (place names) left out."""
    from ..packs import load_toml

    out: set[str] = set()
    for data in load_toml(packs, "actors.toml"):
        for actor in data.get("actor", []):
            for alias in [actor.get("name"), *actor.get("aliases", []), *actor.get("demonyms", [])]:
                if isinstance(alias, str):
                    out.add(" ".join(_TOKEN.findall(alias.casefold())))
    return frozenset(out)


def _active_packs() -> tuple[str, ...]:
    """The packs the ``pack`` setting names."""
    value = settings.get("pack")
    return value if isinstance(value, tuple) else (str(value),)


def _pack_actors() -> frozenset[str]:
    """``actor_names`` of the packs the ``pack`` setting names (read alone: no warning per block)."""
    return actor_names(_active_packs())


def filled_template(words_a: Sequence[str], words_b: Sequence[str], share: float = 0.0,
                    sources: bool = False, actors: frozenset[str] = frozenset()) -> bool:
    """True when the words of one aligned passage (both sides, in order) differ where a template's slots are
    filled: ``TEMPLATE_NUMBERS`` replaced stretches hold a number on both sides and ``TEMPLATE_NAMES`` hold only
    capitalised words on both sides that are different names, not one name spelt two ways; and the replaced
    words are at least ``share`` of the passage's words (both sides together; ``ReuseConfig.template_share``).
    Copies of one report agree on its places (an updated toll changes a number, a transliteration a spelling);
    two reports of different events written from one template ("arrested 22 criminal aliens ... in Illinois'
    Cook and Lake counties" / "arrested 145 ... in South and Central Texas") do not. ``sources``: a name replaced
    where both sides credit a source ("the Syrian Observatory said" / "the White Helmets said", "according to
    ...": ``_credited``) is no slot: a copy of one casualty report whose outlet changed two or three figures and
    the monitor it cites ("killing at least 23 ... the Syrian Observatory said" / "killing at least 31 ... the
    White Helmets said") is a copy, whose changed figures are its edits; a template's slots are the event's
    places (``ReuseConfig.template_sources``). ``actors``: names of conflict actors (``actor_names``); a stretch
    naming one on both sides ("Islamic State" / "Daesh", "Coalition" / "Russian") is no slot either: it is how an
    outlet names a party (``ReuseConfig.template_actors``)."""
    sm = difflib.SequenceMatcher(None, [w.casefold() for w in words_a], [w.casefold() for w in words_b],
                                 autojunk=False)
    numbers = names = replaced = 0
    for op, a0, a1, b0, b1 in sm.get_opcodes():
        if op != "replace":
            continue
        replaced += a1 - a0 + b1 - b0
        sa, sb = words_a[a0:a1], words_b[b0:b1]
        if any(_is_number(w) for w in sa) and any(_is_number(w) for w in sb):
            numbers += 1
        elif all(w[:1].isupper() for w in sa) and all(w[:1].isupper() for w in sb) and \
                difflib.SequenceMatcher(None, " ".join(sa).casefold(),
                                        " ".join(sb).casefold()).ratio() < NAME_SPELLING and \
                not (sources and _credited(words_a, a0, a1) and _credited(words_b, b0, b1)) and \
                not (" ".join(sa).casefold() in actors and " ".join(sb).casefold() in actors):
            names += 1
    return numbers >= TEMPLATE_NUMBERS and names >= TEMPLATE_NAMES and \
        replaced >= share * (len(words_a) + len(words_b))


def _filled(passages: list[TokenPassage], ta: Tokens, tb: Tokens, text_a: str, text_b: str,
            share: float = 0.0, sources: bool = False, actors: frozenset[str] = frozenset()) -> bool:
    """True when one of a link's passages, edited on both sides, is a template filled with other facts."""
    for p in passages:
        if p.matched >= min(p.a_end - p.a_start, p.b_end - p.b_start):
            continue  # no word replaced on both sides: the cheap test, most passages stop here
        sa, ea = ta.starts.item(p.a_start), ta.ends.item(p.a_end - 1)
        sb, eb = tb.starts.item(p.b_start), tb.ends.item(p.b_end - 1)
        if filled_template(_TOKEN.findall(text_a[sa:ea]), _TOKEN.findall(text_b[sb:eb]), share, sources, actors):
            return True
    return False


def _either(f: Callable[[TokenPassage], bool], g: Callable[[TokenPassage], bool], p: TokenPassage) -> bool:
    """True when either predicate holds for the passage."""
    return f(p) or g(p)


def _quote_filter(spans: Callable[[], tuple[list[tuple[int, int]], list[tuple[int, int]]]],
                  ta: Tokens, tb: Tokens, config: ReuseConfig) -> Callable[[TokenPassage], bool]:
    """True for a passage that sits inside quotation marks in both documents (``spans``: theirs)."""

    def quoted(p: TokenPassage) -> bool:
        qa, qb = spans()
        if not qa or not qb:
            return False
        sa, ea = ta.starts.item(p.a_start), ta.ends.item(p.a_end - 1)
        sb, eb = tb.starts.item(p.b_start), tb.ends.item(p.b_end - 1)
        return quoted_share(qa, sa, ea) >= config.quote_share and quoted_share(qb, sb, eb) >= config.quote_share
    return quoted


# a weekday (also possessive: "Saturdays attacks", "Monday's strike"): the day a report gives its event
# (capitalised, as news prints them: a case-blind search costs twenty times more over a large corpus)
_WEEKDAY = re.compile(r"\b(Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day(?:s|'s|\u2019s)?\b")
# words that tie a sentence to the day of an event: a background sentence carries none
_EVENT_TIME = re.compile(r"\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|today|yesterday|tonight"
                         r"|overnight)", re.I)
_NUMBER = re.compile(r"\d[\d,.]*\d|\d")
_YEAR = re.compile(r"(?:19|20)\d\d")


def _recurrent(p: TokenPassage, config: ReuseConfig) -> bool:
    """The cheap half of ``background_like``: past the lede of both, its anchors nearly all in many documents."""
    if p.a_start < config.lede_words or p.b_start < config.lede_words:
        return False
    known = p.seed_df[p.seed_df > 0]
    return bool(known.size) and int(np.count_nonzero(known >= config.stats_min_df)) >= \
        config.background_share * known.size


def background_like(p: TokenPassage, ta: Tokens, tb: Tokens, text_a: str, text_b: str, config: ReuseConfig,
                    quoted: Callable[[TokenPassage], bool]) -> bool:
    """True for a passage that reads as background, not as news of an event: past the lede of both
    documents, no weekday or "yesterday" in it, nearly all its anchors in ``stats_min_df`` or more
    documents (a paragraph an agency appends to many reports), and not quoted in both."""
    if not _recurrent(p, config):
        return False
    sa, ea = ta.starts.item(p.a_start), ta.ends.item(p.a_end - 1)
    sb, eb = tb.starts.item(p.b_start), tb.ends.item(p.b_end - 1)
    if _EVENT_TIME.search(text_a, sa, ea) or _EVENT_TIME.search(text_b, sb, eb):
        return False
    return not quoted(p)


_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH_NAME = (r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
               r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?")
# a written date, day first ("5 July 2016", "Saturday 6 Aug 2016") or month first ("October 26 2016")
_PRINTED = re.compile(rf"\b(?:(?P<d1>\d{{1,2}})\s+(?P<m1>{_MONTH_NAME}),?\s+(?P<y1>(?:19|20)\d\d)"
                      rf"|(?P<m2>{_MONTH_NAME})\s+(?P<d2>\d{{1,2}}),?\s+(?P<y2>(?:19|20)\d\d))\b")
PRINTED_CHARS = 120  # a date this close to a text's start is the date it was published under (its dateline)


def printed_date(text: str) -> str | None:
    """The ISO date a text prints at its top (the first written date in its first ``PRINTED_CHARS``
    characters: "Date of publication 5 July 2016", "Published October 26 2016", a headline then "AFP
    Sunday 5 Jun 2016"), or None.

    What a reader sees an article dated; a corpus's metadata may say otherwise (FA-KES dates 117 of
    its 804 articles more than a week from the date they print), and wire copy is reprinted within days
    of the date printed on it.
    """
    m = _PRINTED.search(text, 0, PRINTED_CHARS)
    if m is None:
        return None
    day, month, year = (m.group("d1"), m.group("m1"), m.group("y1")) if m.group("d1") else \
        (m.group("d2"), m.group("m2"), m.group("y2"))
    try:
        return dt.date(int(year), _MONTHS.index(month[:3].casefold()) + 1, int(day)).isoformat()
    except ValueError:
        return None


def _printed_apart(passages: list[TokenPassage], dates: Callable[[], tuple[str | None, str | None]],
                   config: ReuseConfig, quoted: Callable[[TokenPassage], bool]) -> bool:
    """True for a link between two documents that print dates more than ``wire_days`` apart at their top
    (``dates``: their ``printed_date``s, asked only for a link past both ledes) whose every passage lies
    past the first ``lede_words`` words of both and is not a shared quotation: two reports of events a
    week apart share an agency's background paragraph, not copy (wire copy is reprinted within days)."""
    lede = config.lede_words
    if not all(p.a_start >= lede and p.b_start >= lede for p in passages):
        return False  # most links: a passage in the lede of one of the two
    date_a, date_b = dates()
    if date_a is None or date_b is None or days_apart(date_a, date_b) <= config.wire_days:
        return False
    return not any(quoted(p) for p in passages)


def _outside(spans: Sequence[tuple[int, int]], pos: int) -> bool:
    """True when a character position lies in none of the spans."""
    return not any(s <= pos < e for s, e in spans)


Weekdays = list[tuple[int, str]]  # (character position, weekday) of each weekday a text names, in order


DATELINE_CHARS = 25  # a weekday this close to a text's start opens its dateline: the day it was published


def weekdays(text: str) -> Weekdays:
    """Every weekday a text names (capitalised) past its dateline, with its position."""
    if "day" not in text:
        return []  # most texts of a large corpus are ruled out at the cost of one substring search
    return [(m.start(), m.group(1)) for m in _WEEKDAY.finditer(text, DATELINE_CHARS)]


def event_days_differ(text_a: str, text_b: str, spans_a: Sequence[tuple[int, int]],
                      spans_b: Sequence[tuple[int, int]],
                      days: tuple[Weekdays, Weekdays] | None = None) -> bool:
    """True when two reports tell of different events outside their shared spans: each names a weekday
    (its first one past its dateline: the day of its event, as a lede gives it), the two differ, and they share no
    number but years. A report that names no weekday gives no such evidence (False). ``days``: the
    two texts' ``weekdays`` when the caller has them."""
    found = days or (weekdays(text_a), weekdays(text_b))
    first = [next((d for pos, d in ds if _outside(spans, pos)), None)
             for ds, spans in zip(found, (spans_a, spans_b), strict=True)]
    if first[0] is None or first[1] is None or first[0] == first[1]:
        return False
    nums = [{m.group().replace(",", "") for m in _NUMBER.finditer(text) if _outside(spans, m.start())
             and not _YEAR.fullmatch(m.group())} for text, spans in ((text_a, spans_a), (text_b, spans_b))]
    return not nums[0] & nums[1]


def _other_events(passages: list[TokenPassage], ta: Tokens, tb: Tokens, text_a: str, text_b: str,
                  config: ReuseConfig, quoted: Callable[[TokenPassage], bool],
                  days: Callable[[], tuple[Weekdays, Weekdays]]) -> bool:
    """True for a link across outlets that rests on background passages only, between reports of events
    on different days (``background_like``, ``event_days_differ``): a formula, not a copy.
    ``days``: the two documents' ``weekdays`` (asked only for a link of background passages)."""
    lede = config.lede_words
    if not all(p.a_start >= lede and p.b_start >= lede for p in passages):
        return False  # the cheapest tests first: most links hold a passage in the lede, ...
    named = days()
    if not named[0] or not named[1]:
        return False  # ... or a report that names no day (no evidence either way)
    if not all(background_like(p, ta, tb, text_a, text_b, config, quoted) for p in passages):
        return False
    spans_a = [(ta.starts.item(p.a_start), ta.ends.item(p.a_end - 1)) for p in passages]
    spans_b = [(tb.starts.item(p.b_start), tb.ends.item(p.b_end - 1)) for p in passages]
    return event_days_differ(text_a, text_b, spans_a, spans_b, named)


def _align_block(
    all_docs: Sequence[Document] | MaskedDocs, ii: I64, jj: I64, stats: AnchorStats, config: ReuseConfig,
    outlets: OutletText | None = None, edge_memo: EdgeMemo | None = None,
) -> list[ReuseLink]:
    """Align the candidate pairs (ii[k], jj[k]): their documents are tokenised together, once.

    ``edge_memo``: editorial markers around passages met in earlier blocks of this run (kept by the caller).
    """
    need = np.concatenate([ii, jj])
    if need.size == 0:
        return []
    need.sort()  # distinct by a sort: np.unique's hash table costs several times more on these
    need = need[np.concatenate([[True], need[1:] != need[:-1]])]
    docs: Sequence[Document] | Mapping[int, Document] = \
        all_docs.subset(need.tolist()) if isinstance(all_docs, MaskedDocs) else all_docs
    hashes, starts, ends, offs = tokenize_many([docs[int(x)].text for x in need])
    prepared = prepare_many(hashes, offs, config.align.n, config.window, stats)
    local = {int(x): k for k, x in enumerate(need.tolist())}
    spans: dict[int, Tokens] = {}
    actors = _pack_actors() if config.template_fill and config.template_actors else frozenset()

    def tokens(k: int) -> Tokens:
        if k not in spans:
            lo, hi = int(offs[k]), int(offs[k + 1])
            spans[k] = Tokens(starts=starts[lo:hi], ends=ends[lo:hi], hashes=hashes[lo:hi])
        return spans[k]

    quotes: dict[int, list[tuple[int, int]]] = {}  # quotation spans of each document, found once

    def quote_pair(i: int, j: int) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
        for x in (i, j):
            if x not in quotes:
                quotes[x] = quote_spans(docs[x].text)
        return quotes[i], quotes[j]

    seen: dict[str, list[str]] = {}  # editorial markers of the edge texts met in this block
    diffs: DiffMemo = {}  # word diffs of the edit gaps met in this block
    weights: WeightMemo = {}  # (repeat, weight) of the passages met in this block
    casefolded: dict[str, str] = {}  # case-folded text of each document met in this block

    def folded(doc: Document) -> str:
        if doc.id not in casefolded:
            casefolded[doc.id] = doc.text.casefold()
        return casefolded[doc.id]

    def markers(text: str) -> list[str]:
        if text not in seen:
            seen[text] = editorial_markers(text)
        return seen[text]

    by_edge: EdgeMemo = {} if edge_memo is None else edge_memo
    if len(by_edge) > EDGE_MEMO_MAX:
        by_edge.clear()  # bounded: what it saves is time, never a result

    def edges(doc: Document, toks: Tokens, head: Span, tail: Span) -> list[str]:
        key = (doc.id, head, tail)
        got = by_edge.get(key)
        if got is None:
            got = by_edge[key] = edge_markers(doc, toks, head, tail, markers)
        return got

    houses: dict[str, House] = {}  # house spans of each document met in this block, sorted once

    def house(doc_id: str, spans: Sequence[tuple[int, int]]) -> House:
        if doc_id not in houses:
            houses[doc_id] = _house_spans(spans)
        return houses[doc_id]

    named_days: dict[int, Weekdays] = {}  # the weekdays each document of this block names, found once
    printed: dict[int, str | None] = {}  # the date each document of this block prints at its top

    def printed_of(i: int, j: int) -> tuple[str | None, str | None]:
        for x in (i, j):
            if x not in printed:
                printed[x] = printed_date(docs[x].text)
        return printed[i], printed[j]

    def days_of(i: int, j: int) -> tuple[Weekdays, Weekdays]:
        for x in (i, j):
            if x not in named_days:
                named_days[x] = weekdays(docs[x].text)
        return named_days[i], named_days[j]

    def one_event(i: int, j: int, ki: int, kj: int, ps: list[TokenPassage]) -> bool:
        """False when reports i and j tell of events on different days outside the passages ``ps``."""
        ta, tb = tokens(ki), tokens(kj)
        spans_a = [(ta.starts.item(p.a_start), ta.ends.item(p.a_end - 1)) for p in ps]
        spans_b = [(tb.starts.item(p.b_start), tb.ends.item(p.b_end - 1)) for p in ps]
        return not event_days_differ(docs[i].text, docs[j].text, spans_a, spans_b, days_of(i, j))

    li = np.array([local[i] for i in ii.tolist()], dtype=np.int64)
    lj = np.array([local[j] for j in jj.tolist()], dtype=np.int64)
    aligned = align_many(prepared, li, lj, config.align)
    links: list[ReuseLink] = []
    for i, j, ki, kj, found in zip(ii.tolist(), jj.tolist(), li.tolist(), lj.tolist(), aligned, strict=True):
        if not found:
            continue
        keep = None
        same = unknown = False
        named = _name_filter(docs[i].text, docs[j].text, tokens(ki), tokens(kj))
        rides = named
        if outlets is not None:
            a, b = docs[i].id, docs[j].id
            ga, gb = outlets.group.get(a), outlets.group.get(b)
            ha, hb = outlets.house.get(a, ()), outlets.house.get(b, ())
            if ga is not None and ga == gb and not is_weak(ga):
                same = True
                keep = _house_filter(tokens(ki), tokens(kj), ha, hb)
            elif ha or hb:
                stock = _stock_filter(tokens(ki), tokens(kj), house(a, ha), house(b, hb))
                rides = partial(_either, named, stock)
            unknown = ga is not None and gb is not None and is_weak(ga) and is_weak(gb)
            if unknown:
                keep = _widget_filter(docs[i].text, docs[j].text, tokens(ki), tokens(kj), config)
                same = same_site(docs[i].text, docs[j].text)
        if config.cited_rides:
            rides = partial(_either, rides, _cite_filter(docs[i].text, docs[j].text, tokens(ki), tokens(kj)))
        if config.notice_rides:
            rides = partial(_either, rides, _notice_filter(docs[i].text, docs[j].text, tokens(ki), tokens(kj)))
        quoted = _quote_filter(partial(quote_pair, i, j), tokens(ki), tokens(kj), config)
        passages = shared_passages(prepared[ki], prepared[kj], config, stats.ndocs, keep, same, quoted,
                                   days_apart(docs[i].date, docs[j].date) > config.wire_days, found, weights,
                                   unknown, rides, stats.known_outlets,
                                   None if same else partial(one_event, i, j, ki, kj))
        if passages and same and config.same_outlet_events and \
                all(p.a_start >= config.lede_words and p.b_start >= config.lede_words for p in passages) and \
                not one_event(i, j, ki, kj, passages):
            continue
        if passages and not same and (
                config.event_days and _other_events(passages, tokens(ki), tokens(kj), docs[i].text, docs[j].text,
                                                    config, quoted, partial(days_of, i, j))
                or config.printed_days and _printed_apart(passages, partial(printed_of, i, j), config, quoted)
                or config.template_fill and _filled(passages, tokens(ki), tokens(kj), docs[i].text, docs[j].text,
                                                             config.template_share, config.template_sources,
                                                             actors)):
            continue
        if passages:
            links.append(build_link(docs[i], docs[j], tokens(ki), tokens(kj), passages, config,
                                    quote_pair(i, j), markers, diffs, folded, edges))
    return links


def _day(date: str | None) -> int | None:
    """The day number of an ISO date (its first ten characters), None when absent or unreadable."""
    if not date or len(date) < 10:
        return None
    try:
        return dt.date.fromisoformat(date[:10]).toordinal()
    except ValueError:
        return None


def days_apart(a: str | None, b: str | None) -> int:
    """Days between two documents' ISO dates; 0 when either is unknown (nothing is assumed)."""
    da, db = _day(a), _day(b)
    return abs(da - db) if da is not None and db is not None else 0


def _blocks(total: int, size: int) -> list[tuple[int, int]]:
    """(lo, hi) ranges that cut ``total`` candidate pairs into blocks of at most ``size``."""
    return [(lo, min(lo + size, total)) for lo in range(0, total, size)]


@dataclass(frozen=True, slots=True)
class MaskedDocs:
    """Documents with their furniture masked when a block of pairs asks for them (in the worker that aligns
    it), not all at once in the parent process before the workers start."""

    docs: Sequence[Document]
    spans: Mapping[str, Spans]

    def __len__(self) -> int:
        return len(self.docs)

    def __getitem__(self, k: int) -> Document:
        d = self.docs[k]
        sp = self.spans.get(d.id)
        return _with_text(d, mask_text(d.text, sp)) if sp else d

    def subset(self, ks: Iterable[int]) -> dict[int, Document]:
        """The masked documents of these indices."""
        return {k: self[k] for k in ks}


def _with_text(doc: Document, text: str) -> Document:
    """The document with another text, every other field kept (``furniture.mask``'s result, at half its cost)."""
    return Document(doc.id, text, doc.sha256, doc.source_path, doc.title, doc.outlet, doc.date, doc.url,
                    doc.author, doc.dateline, doc.fmt, doc.offset_map, doc.raw_text, doc.meta, doc.version)


def _tapered(total: int, size: int, nproc: int) -> list[tuple[int, int]]:
    """``_blocks`` of ``size`` that shrink near the end (to an eighth): a block is at most a
    ``2 * nproc``-th of the pairs left, so no worker is left with a large block while the others idle."""
    out: list[tuple[int, int]] = []
    lo = 0
    least = max(1, size // 8)
    while lo < total:
        step = min(size, max(least, -(-(total - lo) // (2 * nproc))))
        out.append((lo, min(lo + step, total)))
        lo += step
    return out


def _group_keys(cfg: ReuseConfig, ndocs: int, group: str, members: list[int], texts: list[str],
                tokens: TokenArrays | None, spans: list[Spans]) -> tuple[U64, list[int]]:
    """Packed anchor keys of one group's documents with their furniture masked, made from the tokens
    furniture learning made: (keys, the members left to index from their masked text).

    Masking turns characters into spaces, so a masked text's tokens are its text's tokens outside
    the spans, unless a span cuts a token or case folding changes the text's length: such a member
    is left out here, and so is every member of a group whose spans may still grow (``pooled``).
    """
    empty = np.empty(0, dtype=np.uint64)
    if tokens is None or pooled(group, len(members), cfg.furniture):
        return empty, list(members)
    hashes, starts, ends, offs = tokens
    count = len(members)
    lengths = np.diff(offs)
    base = np.zeros(count + 1, dtype=np.int64)
    np.cumsum(np.array([len(t) + 1 for t in texts], dtype=np.int64), out=base[1:])
    doc_of = np.repeat(np.arange(count, dtype=np.int64), lengths)
    g_start, g_end = starts + base[doc_of], ends + base[doc_of]
    redo = np.array([len(t.casefold()) != len(t) for t in texts], dtype=bool)
    cut = [(k, s, e) for k, sp in enumerate(spans) for s, e in sp if e > s]
    drop = np.zeros(hashes.shape[0] + 1, dtype=np.int64)
    if cut:
        ks, ss, es = (np.array(x, dtype=np.int64) for x in zip(*cut, strict=True))
        ss, es = ss + base[ks], es + base[ks]
        first = np.searchsorted(g_end, ss, side="right")  # first token ending after the span's start
        stop = np.searchsorted(g_start, es, side="left")  # first token starting at or after its end
        hit = first < stop
        partial = hit & ((g_start[np.minimum(first, g_start.shape[0] - 1)] < ss)
                         | (g_end[np.maximum(stop - 1, 0)] > es))
        redo[ks[partial]] = True
        np.add.at(drop, first[hit], 1)
        np.add.at(drop, stop[hit], -1)
    keep = (np.cumsum(drop[:-1]) == 0) & ~redo[doc_of]
    kept_offs = np.zeros(count + 1, dtype=np.int64)
    np.cumsum(np.bincount(doc_of[keep], minlength=count), out=kept_offs[1:])
    sh, sd = corpus_shingles(hashes[keep], kept_offs, cfg.align.n)
    ah, ad = winnow(sh, sd, cfg.window)
    ids = np.array(members, dtype=np.int64)
    return pack(ah, ids[ad], ndocs), [members[k] for k in np.flatnonzero(redo).tolist()]


def _index_chunk(bounds: tuple[int, int]) -> U64:
    """Worker: packed anchor keys of texts[lo:hi]."""
    texts, cfg = pool.state()
    lo, hi = bounds
    return index_keys(texts[lo:hi], cfg, len(texts), lo)


FlatLink = tuple[Any, ...]


def _flat(lk: ReuseLink) -> FlatLink:
    """A link as nested tuples of plain values: pickled back from a worker at a third of a dataclass's cost."""
    return (lk.source, lk.target, lk.direction_known, lk.confidence, lk.shared_words, lk.source_coverage,
            lk.target_coverage,
            tuple((p.source_start, p.source_end, p.target_start, p.target_end,
                   tuple((e.op, e.source_start, e.source_end, e.target_start, e.target_end) for e in p.edits))
                  for p in lk.passages),
            lk.target_additions, lk.source_cuts, lk.evidence, lk.kind)


def _slot_maker(cls: type) -> Callable[..., Any]:
    """A constructor of the frozen, slotted dataclass ``cls`` from every field's value in order, that sets
    the slots directly: the dataclass's ``__init__`` goes through ``object.__setattr__`` field by field
    (frozen), about twice as slow, and the parent process builds every link the workers send back.
    Only for classes without ``__post_init__`` (nothing to check or derive)."""
    if hasattr(cls, "__post_init__"):
        raise TypeError(f"{cls.__name__} has __post_init__: build it with its own constructor")
    names = [f.name for f in fields(cls)]
    ns: dict[str, Any] = {"new": object.__new__, "cls": cls}
    for k, name in enumerate(names):
        ns[f"set{k}"] = getattr(cls, name).__set__
    args = ", ".join(f"v{k}" for k in range(len(names)))
    body = "".join(f"    set{k}(o, v{k})\n" for k in range(len(names)))
    exec(f"def make({args}):\n    o = new(cls)\n{body}    return o\n", ns)  # noqa: S102 - generated from field names
    return ns["make"]  # type: ignore[no-any-return]


_new_link, _new_passage, _new_edit = _slot_maker(ReuseLink), _slot_maker(Passage), _slot_maker(Edit)


def _unflat(t: FlatLink) -> ReuseLink:
    """The link ``_flat`` made tuples of."""
    passages = tuple(_new_passage(a, b, c, d, tuple(_new_edit(*e) for e in ed) if ed else ())
                     for a, b, c, d, ed in t[7])
    return _new_link(t[0], t[1], t[2], t[3], t[4], t[5], t[6], passages, t[8], t[9], t[10], t[11])  # type: ignore[no-any-return]


def _align_chunk(sel: tuple[int, int]) -> bytes:
    """Worker: align candidate pairs ii[lo:hi], jj[lo:hi]; the links come back as tuples (``_flat``),
    marshalled (plain values only: written in a third of the time pickle takes, read as fast)."""
    docs, ii, jj, stats, cfg, outlets, memo = pool.state()
    lo, hi = sel
    return marshal.dumps([_flat(lk) for lk in _align_block(docs, ii[lo:hi], jj[lo:hi], stats, cfg, outlets, memo)])


def _align_here(sel: tuple[int, int]) -> list[ReuseLink]:
    """``_align_chunk`` in the process that keeps the links: they stay links (nothing to pickle or rebuild)."""
    docs, ii, jj, stats, cfg, outlets, memo = pool.state()
    lo, hi = sel
    return _align_block(docs, ii[lo:hi], jj[lo:hi], stats, cfg, outlets, memo)


def _align_all(
    docs: Sequence[Document] | MaskedDocs,
    pairs: tuple[I64, I64],
    stats: AnchorStats,
    cfg: ReuseConfig,
    nproc: int,
    progress: Progress | None,
    outlets: OutletText | None = None,
) -> list[ReuseLink]:
    """Align every candidate pair (i, j) of ``docs``, block by block (pairs come sorted by i),
    in ``nproc`` forked workers when there are enough pairs."""
    ii, jj = pairs
    total = int(ii.shape[0])
    links: list[ReuseLink] = []
    memo: EdgeMemo = {}  # each forked worker fills its own copy
    if nproc <= 1 or total < 100:
        for lo, hi in _blocks(total, PAIR_BLOCK):
            links.extend(_align_block(docs, ii[lo:hi], jj[lo:hi], stats, cfg, outlets, memo))
            if progress is not None:
                progress(hi, total)
        return links
    chunks = _tapered(total, min(PAIR_BLOCK, -(-total // (4 * nproc))), nproc)
    # every chunk is handed out at once (their links are all kept anyway): a worker that finishes
    # early takes the next chunk instead of waiting while this process waits for a slow one; the
    # last chunks are small, so the workers finish together. This process is one of the nproc: it
    # aligns chunks itself between reading what the other sends (its own links are never pickled)
    parts: Iterator[list[ReuseLink] | bytes] = pool.ordered_map(_align_chunk, chunks, nproc,
                                                  state=(docs, ii, jj, stats, cfg, outlets, memo),
                                                  ahead=len(chunks), here=_align_here)
    for (_, hi), part in zip(chunks, parts, strict=True):
        links.extend(part if isinstance(part, list) else map(_unflat, marshal.loads(part)))
        if progress is not None:
            progress(hi, total)
    return links


def _index_parallel(texts: Sequence[str], cfg: ReuseConfig, workers: int) -> U64:
    """index_keys over ``workers`` forked processes, merged in order."""
    step = -(-len(texts) // (4 * workers))  # small enough that no worker waits long for the last
    bounds = [(lo, min(lo + step, len(texts))) for lo in range(0, len(texts), step)]
    parts = pool.ordered_map(_index_chunk, bounds, workers, state=(texts, cfg),  # forked: texts inherited
                             ahead=len(bounds))
    return np.concatenate([np.empty(0, dtype=np.uint64), *parts])


# -- rewritten ledes (``ReuseConfig.lede_rewrite_words``) ------------------------------------------------------
LEDE_KEY_DF = 64  # a word pair in more ledes than this proposes no pair of ledes (a stock phrase: "of the")
LEDE_PAIR_CHUNK = 1 << 18  # pairs of ledes counted together (their memory, not their number, is bounded)
LEDE_MIN_KEYS = 3  # rarer word pairs two ledes share to be compared (22 words in blocks of 2+ hold 11 or more)
_LEDE_SUFFIXES = ("ing", "ed", "es", "s")


def lede_stem(word: str) -> str:
    """A word case-folded with one plural or -ed/-ing ending cut (words of 5 letters or more)."""
    w = word.casefold()
    for suf in _LEDE_SUFFIXES:
        if len(w) > 4 and w.endswith(suf):
            return w[: -len(suf)]
    return w


def lede_words(text: str, n: int) -> list[tuple[str, int, int]]:
    """A text's first ``n`` words with their character offsets."""
    out: list[tuple[str, int, int]] = []
    for m in _TOKEN.finditer(text):
        if len(out) >= n:
            break
        out.append((m.group(), m.start(), m.end()))
    return out


def _lede_head(docs: Sequence[Document] | MaskedDocs, k: int, n: int) -> list[str]:
    """The first ``n`` words of document ``k`` (``lede_words`` without offsets), read from its start only (and
    only that much of it masked)."""
    d = docs.docs[k] if isinstance(docs, MaskedDocs) else docs[k]
    spans = docs.spans.get(d.id) if isinstance(docs, MaskedDocs) else None
    chars = 12 * n
    while True:
        head = mask_text(d.text[:chars], spans) if spans else d.text[:chars]
        ws = _TOKEN.findall(head)
        if len(ws) > n or chars >= len(d.text):
            return ws[:n]
        chars *= 2


def _lede_figures(ws: Iterable[str]) -> set[str]:
    """The numbers of digits among a lede's words, years (1900-2099) left out."""
    return {w for w in ws if w.isdigit() and not (len(w) == 4 and w[:2] in ("19", "20"))}


def rewritten_lede(text_a: str, text_b: str, la: Sequence[tuple[str, int, int]], lb: Sequence[tuple[str, int, int]],
                   config: ReuseConfig, actors: frozenset[str] = frozenset()) -> list[tuple[int, int, int]] | None:
    """The blocks of 2+ words (a, b, size: word positions in the ledes ``la``/``lb``) two ledes share in order,
    when they are one lede rewritten: ``config.lede_rewrite_blocked`` words or more in such blocks, a number of
    digits that is no year in both, no numbered text both cite after it (``cited_passage``, when
    ``config.cited_rides``) and no template filled with other facts (``filled_template`` over the two ledes, when
    ``config.template_fill``); None otherwise."""
    if _lede_figures(w for w, _, _ in la).isdisjoint(_lede_figures(w for w, _, _ in lb)):
        return None  # two reports of a day's events that tell them alike, with other tolls (the cheap test first)
    sa, sb = [lede_stem(w) for w, _, _ in la], [lede_stem(w) for w, _, _ in lb]
    blocks = [(m.a, m.b, m.size) for m in difflib.SequenceMatcher(None, sa, sb, autojunk=False).get_matching_blocks()
              if m.size >= 2]
    if not blocks or sum(x[2] for x in blocks) < config.lede_rewrite_blocked:
        return None
    a, b, size = blocks[-1]
    if config.cited_rides and cited_passage(text_a, text_b, la[a + size - 1][2], lb[b + size - 1][2]):
        return None  # a numbered text both quote, with its reference (``cited_passage``): no link, as elsewhere
    if config.template_fill and filled_template(_TOKEN.findall(text_a[: la[-1][2]]), _TOKEN.findall(text_b[: lb[-1][2]]),
                                                config.template_share, config.template_sources, actors):
        return None
    return blocks


def lede_pairs(flat: I64, lengths: I64, outlet: I64, day: I64, max_days: int,
               only: npt.NDArray[np.bool_] | None = None, max_df: int = LEDE_KEY_DF,
               min_keys: int = LEDE_MIN_KEYS) -> list[tuple[int, int]]:
    """Pairs (i < j) of ledes to compare (``flat``: their words one lede after the other, as numbers, one per
    distinct stemmed word; ``lengths``: the words of each): of different outlets, dated at most ``max_days`` apart
    (or undated), sharing ``min_keys`` or more word pairs that ``max_df`` ledes or fewer hold; with ``only``, pairs
    with one of them marked. An inverted index of each lede's word pairs, in arrays: the work grows with the pairs
    it proposes."""
    n = lengths.shape[0]
    if n < 2 or flat.shape[0] < 2:
        return []
    owner_w = np.repeat(np.arange(n, dtype=np.int32), lengths)
    same = owner_w[1:] == owner_w[:-1]  # a word and the next one of the same lede
    keys = ((flat[:-1] << np.int64(32)) | flat[1:])[same]
    owner = owner_w[:-1][same]
    del owner_w, same
    # each (word pair, lede) once, sorted by word pair, then lede
    order = np.lexsort((owner, keys))
    keys, owner = keys[order], owner[order]
    del order
    new = np.ones(keys.shape[0], dtype=bool)
    new[1:] = (keys[1:] != keys[:-1]) | (owner[1:] != owner[:-1])
    keys, owner = keys[new], owner[new]
    new = np.ones(keys.shape[0], dtype=bool)
    new[1:] = keys[1:] != keys[:-1]
    del keys
    start = np.flatnonzero(new)
    del new
    count = np.diff(np.append(start, owner.shape[0]))
    after = np.repeat(start + count, count) - np.arange(owner.shape[0], dtype=np.int64) - 1  # ledes after, same key
    partners = np.where(np.repeat((count >= 2) & (count <= max_df), count), after, 0)
    del start, count, after
    ends = np.cumsum(partners)
    if ends.shape[0] == 0 or ends[-1] == 0:
        return []
    # the pairs of each word pair's ledes, LEDE_PAIR_CHUNK at a time (a wire lede in 60 outlets makes thousands)
    parts: list[tuple[I64, I64]] = []
    cuts = np.searchsorted(ends, np.arange(0, int(ends[-1]), LEDE_PAIR_CHUNK), side="right")
    for lo, hi in zip(cuts.tolist(), [*cuts[1:].tolist(), ends.shape[0]], strict=True):
        part = partners[lo:hi]
        total = int(part.sum())
        if total == 0:
            continue
        left = np.repeat(np.arange(lo, hi, dtype=np.int64), part)
        right = left + 1 + (np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(part) - part, part))
        parts.append(np.unique(owner[left].astype(np.int64) * n + owner[right], return_counts=True))
        del left, right
    codes = np.concatenate([c for c, _ in parts])
    counts = np.concatenate([k for _, k in parts])
    del parts
    if len(codes) and len(cuts) > 1:  # a pair counted in two chunks: its counts summed
        order = np.argsort(codes, kind="stable")
        codes, counts = codes[order], counts[order]
        starts = np.flatnonzero(np.concatenate([[True], codes[1:] != codes[:-1]]))
        codes, counts = codes[starts], np.add.reduceat(counts, starts)
    codes = codes[counts >= min_keys]
    ii, jj = codes // n, codes % n
    di, dj = day[ii], day[jj]
    keep = (outlet[ii] != outlet[jj]) & ((di < 0) | (dj < 0) | (np.abs(di - dj) <= max_days))
    if only is not None:
        keep &= only[ii] | only[jj]
    return list(zip(ii[keep].tolist(), jj[keep].tolist(), strict=True))


def lede_link(a: Document, b: Document, la: Sequence[tuple[str, int, int]], lb: Sequence[tuple[str, int, int]],
              blocks: Sequence[tuple[int, int, int]], config: ReuseConfig) -> ReuseLink:
    """The ``rewrite`` link of two rewritten ledes: one passage from the first to the last block they share, its
    word edits, oriented by the direction call as other rewrites are."""
    hasher = TokenHasher()
    ta, tb = hasher.tokens(a.text), hasher.tokens(b.text)

    def tok(t: Tokens, char: int) -> int:
        return min(int(np.searchsorted(t.ends, char, side="right")), max(len(t) - 1, 0))

    first, last = blocks[0], blocks[-1]
    a0, b0 = tok(ta, la[first[0]][1]), tok(tb, lb[first[1]][1])
    a1, b1 = tok(ta, la[last[0] + last[2] - 1][1]) + 1, tok(tb, lb[last[1] + last[2] - 1][1]) + 1
    shared = sum(x[2] for x in blocks)
    p = TokenPassage(a0, a1, b0, b1, shared, np.zeros(0, dtype=np.int64))
    xa, xb = ta.hashes[a0:a1].tolist(), tb.hashes[b0:b1].tolist()
    ops = {"replace": "sub", "insert": "ins", "delete": "del"}
    edits = [(ops[tag], a0 + i0, a0 + i1, b0 + j0, b0 + j1) for tag, i0, i1, j0, j1 in
             difflib.SequenceMatcher(None, xa, xb, autojunk=False).get_opcodes() if tag != "equal"]
    call = decide(a, b, ta, tb, [p])
    evidence = (*call.evidence, f"their first {config.lede_rewrite_words} words share {shared} words in order, in "
                "blocks of two or more, and a figure: one lede rewritten")
    if edits:
        evidence = (*evidence, f"{len(edits)} word-level edit{'s' if len(edits) > 1 else ''} inside the shared "
                    "passages")
    cov_a, cov_b = (a1 - a0) / max(len(ta), 1), (b1 - b0) / max(len(tb), 1)
    if call.a_first if call.known else a.id <= b.id:
        return _make_link(a, b, ta, tb, [p], [edits], call.known, call.confidence, evidence, cov_a, cov_b, shared,
                          "rewrite", swap=False)
    return _make_link(b, a, tb, ta, [p], [edits], call.known, call.confidence, evidence, cov_b, cov_a, shared,
                      "rewrite", swap=True)


def lede_rewrites(docs: Sequence[Document] | MaskedDocs, outlet: I64, day: I64, config: ReuseConfig,
                  links: Sequence[ReuseLink], only: npt.NDArray[np.bool_] | None = None) -> list[ReuseLink]:
    """The ``rewrite`` links of pairs whose ledes are one lede rewritten (``rewritten_lede``), among the pairs
    ``lede_pairs`` proposes that ``links`` do not hold already (``only``: pairs with one document marked)."""
    if not (config.lede_rewrite_words and config.lede_rewrite_blocked) or len(docs) < 2:
        return []
    n = config.lede_rewrite_words
    number: dict[str, int] = {}  # each distinct word as a number: its stem's
    stem_no: dict[str, int] = {}
    flat = array("q")
    lengths = np.zeros(len(docs), dtype=np.int64)
    figures: list[set[str]] = []
    for k in range(len(docs)):
        head = _lede_head(docs, k, n)
        figures.append(_lede_figures(head))
        if not figures[-1]:
            continue  # a lede with no figure is never one lede rewritten (``rewritten_lede``): left out of the index
        for w in head:
            if w not in number:
                number[w] = stem_no.setdefault(lede_stem(w), len(stem_no))
        flat.extend(number[w] for w in head)
        lengths[k] = len(head)
    del number, stem_no
    pairs = lede_pairs(np.frombuffer(flat, dtype=np.int64), lengths, outlet, day, config.wire_days, only)
    del flat
    if not pairs:
        return []
    ids = [docs[k].id for k in range(len(docs))]
    linked = {(lk.source, lk.target) for lk in links} | {(lk.target, lk.source) for lk in links}
    actors = _pack_actors() if config.template_fill and config.template_actors else frozenset()
    out: list[ReuseLink] = []
    words: dict[int, list[tuple[str, int, int]]] = {}
    for i, j in pairs:
        if (ids[i], ids[j]) in linked or figures[i].isdisjoint(figures[j]):
            continue
        a, b = docs[i], docs[j]
        wi = words[i] if i in words else words.setdefault(i, lede_words(a.text, n))
        wj = words[j] if j in words else words.setdefault(j, lede_words(b.text, n))
        blocks = rewritten_lede(a.text, b.text, wi, wj, config, actors)
        if blocks is not None:
            out.append(lede_link(a, b, wi, wj, blocks, config))
    log.info("reuse: %d pairs of ledes compared, %d linked as one lede rewritten", len(pairs), len(out))
    return out


YOUNG_GC = 50_000  # allocations between young collections while the stage runs (Python's default: 700)


MMAP_THRESHOLD = 16 << 20  # glibc: blocks from this size are mapped afresh, and freed to the system at once ...
TRIM_THRESHOLD = 32 << 20  # ... and up to this much freed memory stays with the process for reuse


def _keep_freed_memory() -> None:
    """Let glibc's allocator keep freed arrays for reuse (within what its adaptive thresholds reach: 32/64 MiB).

    The stage allocates and frees arrays of a few MiB per batch; by default the first ones are
    mapped and unmapped each time, and every page is faulted in again (0.5-1 CPU s of system time
    per process at 10k documents, about 200,000 page faults). Results do not change; elsewhere
    (no glibc) this does nothing.
    """
    try:
        libc = ctypes.CDLL(None)
        mallopt = libc.mallopt
    except (OSError, AttributeError, TypeError):
        return
    mallopt(-3, MMAP_THRESHOLD)  # M_MMAP_THRESHOLD
    mallopt(-1, TRIM_THRESHOLD)  # M_TRIM_THRESHOLD


@contextmanager
def _few_collections() -> Iterator[None]:
    """Collect garbage less often while the stage runs, and restore the thresholds after.

    Aligning builds millions of short-lived containers beside a corpus of long-lived ones; at the
    default thresholds the collector walks that corpus again and again (15 % of the stage's CPU at
    10k documents). Results do not change; only how often the collector runs. The allocator is
    also told to keep freed arrays (``_keep_freed_memory``; not undone: glibc's own thresholds grow past it).
    """
    saved = gc.get_threshold()
    gc.set_threshold(max(saved[0], YOUNG_GC), *saved[1:])
    _keep_freed_memory()
    try:
        yield
    finally:
        gc.set_threshold(*saved)


def find_reuse(
    docs: Sequence[Document],
    config: ReuseConfig | None = None,
    progress: Progress | None = None,
    workers: int = 1,
) -> list[ReuseLink]:
    """All reuse links of a whole corpus, sorted by (source, target).

    ``workers`` > 1 indexes and aligns in that many forked processes (POSIX); results are the
    same as with one.
    """
    with _few_collections():
        return _find_reuse(docs, config, progress, workers)


def _find_reuse(docs: Sequence[Document], config: ReuseConfig | None, progress: Progress | None,
                workers: int) -> list[ReuseLink]:
    """``find_reuse``'s work."""
    cfg = config or ReuseConfig()
    ids = [d.id for d in docs]
    if len(set(ids)) != len(ids):
        dup = sorted(x for x, k in Counter(ids).items() if k > 1)[:3]
        raise UsageError(f"find_reuse got duplicate document ids {dup}; pass each document once")
    nproc = pool.usable_workers(workers) if len(docs) >= 2000 else 1
    outlets = None
    t0 = time.perf_counter()
    if cfg.learn_furniture:
        # each group's anchors are made where its furniture was learned, from the same tokens
        extras: list[tuple[U64, list[int]]] = []
        furniture, house, group = learn_all(docs, cfg.furniture, nproc, partial(_group_keys, cfg, len(docs)),
                                            extras)
        # masked where their pairs are aligned (in the workers), not all here before they start
        masked: Sequence[Document] | MaskedDocs = MaskedDocs(docs, furniture)
        outlets = OutletText(group, house)
        redo = sorted(k for _, left in extras for k in left)
        log.info("reuse: %d documents indexed with their furniture, %d from their masked text",
                 len(docs) - len(redo), len(redo))
        keys = [np.concatenate([np.empty(0, dtype=np.uint64), *(x for x, _ in extras),
                                _index_ids([masked[k].text for k in redo], redo, cfg, len(docs))])]
        del extras
    else:
        masked = docs
        texts = [d.text for d in docs]
        keys = [_index_parallel(texts, cfg, nproc) if nproc > 1 else index_keys(texts, cfg, len(docs))]
    # the keys are handed over (popped, so no other reference holds them): candidate_pairs frees them
    # once it has read them
    group = outlets.group if outlets else {d.id: outlet_key(d) for d in docs}
    ii, jj, _, stats = candidate_pairs(keys.pop(), len(docs), max_df=cfg.max_df,
                                       min_shared=cfg.min_anchors,
                                       stats_min_df=cfg.stats_min_df,
                                       rank=_rank([d.date for d in docs], ids),
                                       mass_min_shared=cfg.mass_min_anchors,
                                       outlet=outlet_numbers(ids, group),
                                       short_min_shared=cfg.short_min_anchors, known=outlet_known(ids, group),
                                       day=day_numbers([d.date for d in docs]), max_days=cfg.wire_days,
                                       one_max_df=cfg.one_anchor_df)
    t2 = time.perf_counter()
    log.info("reuse: %d documents indexed and %d candidate pairs found in %.1f s", len(docs),
             ii.shape[0], t2 - t0)
    links = _align_all(masked, (ii, jj), stats, cfg, nproc, progress, outlets)
    links += lede_rewrites(masked, outlet_numbers(ids, group), day_numbers([d.date for d in docs]), cfg, links)
    t3 = time.perf_counter()
    links = mark_siblings(links)
    log.info("reuse: %d links aligned in %.1f s, siblings marked in %.1f s", len(links), t3 - t2,
             time.perf_counter() - t3)
    return sorted(links, key=attrgetter("source", "target"))


def _near_dates(fresh: Sequence[str | None], others: Sequence[tuple[str, str | None]], days: int) -> list[str]:
    """The ids of ``others`` (id, date) dated at most ``days`` from one of the ``fresh`` dates, or undated (all of
    them when a fresh one is undated)."""
    fd = [_day(x) for x in fresh]
    if any(d is None for d in fd):
        return [x for x, _ in others]
    known = np.unique(np.array(fd, dtype=np.int64))
    out = []
    for x, date in others:
        d = _day(date)
        if d is None:
            out.append(x)
            continue
        k = int(np.searchsorted(known, d))
        if any(0 <= q < known.shape[0] and abs(int(known[q]) - d) <= days for q in (k - 1, k)):
            out.append(x)
    return out


def outlet_numbers(ids: Sequence[str], group: dict[str, str]) -> I64:
    """A number per document for its outlet (host); a document known only by folder, or not at all, is its own."""
    number: dict[str, int] = {}
    out = np.empty(len(ids), dtype=np.int64)
    for k, x in enumerate(ids):
        g = group.get(x)
        name = g if g is not None and not is_weak(g) else "\0" + x
        out[k] = number.setdefault(name, len(number))
    return out


def outlet_known(ids: Sequence[str], group: dict[str, str]) -> npt.NDArray[np.bool_]:
    """True for each document whose outlet (host) is known, False for one known only by folder, or not at all."""
    return np.array([(g := group.get(x)) is not None and not is_weak(g) for x in ids], dtype=bool)


def day_numbers(dates: Sequence[str | None]) -> I64:
    """The day number of each document's ISO date; -1 when it has none (or none that reads)."""
    return np.array([-1 if (d := _day(x)) is None else d for x in dates], dtype=np.int64)


def _rank(dates: Sequence[str | None], ids: Sequence[str]) -> I64:
    """Rank of each document as a mass-reprint hub: dated before undated, earliest first, then id."""
    order = sorted(range(len(ids)), key=lambda k: (dates[k] is None, dates[k] or "", ids[k]))
    rank = np.empty(len(ids), dtype=np.int64)
    rank[np.array(order, dtype=np.int64)] = np.arange(len(ids), dtype=np.int64)
    return rank


def find_stories(docs: Sequence[Document], links: list[ReuseLink]) -> list[Story]:
    """Stories of a corpus from its reuse links."""
    return build_stories(links, {d.id: d.date for d in docs})


# -- incremental, store-backed ------------------------------------------------------------------
def finish_links(dates: dict[str, str | None]) -> Callable[[list[ReuseLink]], tuple[list[ReuseLink], list[Story]]]:
    """What the store does with every stored link once new ones are in: siblings marked, stories built."""
    def finish(links: list[ReuseLink]) -> tuple[list[ReuseLink], list[Story]]:
        marked = mark_siblings(links)
        return marked, build_stories(marked, dates)
    return finish


def outlet_text(store: Store) -> tuple[dict[str, str], OutletText]:
    """Each document's stored furniture JSON (spans + house), and its outlet group and house text."""
    furn: dict[str, str] = {}
    outlets = OutletText({}, {})
    for doc_id, (_, grp, spans, house) in store.furniture_rows().items():
        furn[doc_id] = spans + house
        outlets.group[doc_id] = grp
        outlets.house[doc_id] = tuple((int(s), int(e)) for s, e in json.loads(house))
    return furn, outlets


STAGE = "tracewire.reuse.v1"


def stage_signature(config: ReuseConfig | None = None) -> Signature:
    """What the stage's links depend on besides the documents: its code (this module, the
    ``tracewire.corpus`` modules it imports and the rights-notice test, and the store's reuse SQL), its
    settings, and the actor lexicon of the active packs (``template_actors``)."""
    parts = {**code_parts(__name__, scope=("tracewire.corpus", "tracewire.analyze.notices")),
             **code_parts("tracewire.store.reuse_tables", scope="tracewire.store.reuse_tables"),
             **config_part(config or ReuseConfig()),
             **pack_parts(_active_packs(), ("actors.toml",))}
    return Signature(STAGE, tuple(sorted(parts.items())))


def method_changed(store: Store, sig: Signature) -> bool:
    """True when the store's reuse index was built by another method than ``sig`` (an upgrade, other
    settings or packs), or by a version that kept no signature: its links must all be made again."""
    state = store.stage_state(STAGE)
    if state is not None:
        return state[0] != sig.digest
    return bool(store.reuse_index_state())


def update_reuse(
    store: Store,
    progress: Progress | None = None,
    config: ReuseConfig | None = None,
    workers: int = 1,
) -> ReuseSummary:
    """Index new and changed documents, compare them with the indexed rest, rewrite reuse and stories.

    Documents are read with their outlet's furniture masked (learned first, for the outlets
    that changed); a document whose furniture changed is indexed again. Each indexed document
    keeps its anchors as one BLOB (``reuse_index_docs.anchors``). A run reads them all to find
    the candidate pairs that involve a new document, then loads and aligns only the documents
    in those pairs (in ``workers`` forked processes when it pays).
    """
    with _few_collections():
        return _update_reuse(store, progress, config, workers)


def _update_reuse(store: Store, progress: Progress | None, config: ReuseConfig | None, workers: int
                  ) -> ReuseSummary:
    """``update_reuse``'s work."""
    cfg = config or ReuseConfig()
    sig = stage_signature(cfg)
    rebuild = method_changed(store, sig)
    if rebuild:
        store.record_signatures([sig])
    update_furniture(store, cfg.furniture)
    furn, outlets = outlet_text(store)
    versions = store.document_versions()
    current = {x: (sha + "|" + furn.get(x, "[]"), date) for x, (sha, date) in versions.items()}
    indexed = {x: sha + "|" + f for x, (sha, f) in store.reuse_index_state().items()}
    if rebuild:  # another method built the index: every indexed document is stale, every current one fresh
        stale, indexed = sorted(indexed), {}
    else:
        stale = sorted(x for x, sha in indexed.items() if current.get(x, (None, None))[0] != sha)
    fresh_ids = sorted(x for x, (sha, _) in current.items() if indexed.get(x) != sha)
    fresh = list(masked_documents(store, fresh_ids)) if fresh_ids else []
    f_index = index_texts([d.text for d in fresh], TokenHasher(), cfg)
    n_f = len(fresh)
    f_bounds = np.searchsorted(f_index.owners, np.arange(n_f + 1), side="left")
    f_anchors = [np.unique(f_index.anchors[f_bounds[k] : f_bounds[k + 1]]) for k in range(n_f)]

    # every other indexed document, by its stored anchors
    gone = set(stale)
    old_ids: list[str] = []
    old_parts: list[U64] = []
    for doc_id, blob in store.reuse_index_anchors():
        if doc_id not in gone:
            old_ids.append(doc_id)
            old_parts.append(np.frombuffer(blob, dtype="<u8").astype(np.uint64))
    all_ids = [*fresh_ids, *old_ids]
    sizes = np.array([a.shape[0] for a in [*f_anchors, *old_parts]], dtype=np.int64)
    hashes = np.concatenate([*f_anchors, *old_parts]) if all_ids else np.empty(0, dtype=np.uint64)
    del old_parts
    n_all = max(len(all_ids), 1)
    keys = pack(hashes, np.repeat(np.arange(len(all_ids), dtype=np.int64), sizes), n_all)
    del hashes
    only = np.zeros(len(all_ids), dtype=bool)
    only[:n_f] = True
    ii, jj, _, stats = candidate_pairs(
        keys, n_all, max_df=cfg.max_df, min_shared=cfg.min_anchors, only=only,
        stats_min_df=cfg.stats_min_df,
        rank=_rank([current[x][1] for x in all_ids], all_ids), mass_min_shared=cfg.mass_min_anchors,
        outlet=outlet_numbers(all_ids, outlets.group),
        short_min_shared=cfg.short_min_anchors, known=outlet_known(all_ids, outlets.group),
        day=day_numbers([current[x][1] for x in all_ids]), max_days=cfg.wire_days, one_max_df=cfg.one_anchor_df,
    )
    del keys
    # the old documents those pairs need, after the fresh ones
    need = np.unique(np.concatenate([ii, jj]))
    need_old = need[need >= n_f]
    remap = np.full(n_all, -1, dtype=np.int64)
    remap[:n_f] = np.arange(n_f)
    remap[need_old] = n_f + np.arange(need_old.shape[0])
    old_docs = list(masked_documents(store, [all_ids[int(k)] for k in need_old])) if need_old.size else []
    nproc = pool.usable_workers(workers) if ii.shape[0] >= 2000 else 1
    links = _align_all([*fresh, *old_docs], (remap[ii], remap[jj]), stats, cfg, nproc, progress, outlets)
    if cfg.lede_rewrite_words and cfg.lede_rewrite_blocked and fresh:
        # the ledes of the fresh documents against those of every document dated near one of them (or undated)
        near = _near_dates([current[x][1] for x in fresh_ids], [(x, current[x][1]) for x in old_ids], cfg.wire_days)
        lede_docs = [*fresh, *masked_documents(store, near)]
        lede_ids = [d.id for d in lede_docs]
        marked = np.zeros(len(lede_docs), dtype=bool)
        marked[:n_f] = True
        links += lede_rewrites(lede_docs, outlet_numbers(lede_ids, outlets.group),
                               day_numbers([d.date for d in lede_docs]), cfg, links, marked)

    entries = (IndexedDocument(d.id, d.sha256, int(f_index.word_counts[k]), f_anchors[k].astype("<u8").tobytes(),
                               furn.get(d.id, "[]")) for k, d in enumerate(fresh))
    n_links, n_stories = store.write_reuse(stale, entries, links,
                                           finish_links({x: d for x, (_, d) in current.items()}), replace_all=rebuild)
    if store.stage_state(STAGE) != (sig.digest, ""):
        store.write_stage_state(STAGE, sig.digest, "")
    return ReuseSummary(
        documents=len(current), indexed=len(fresh), removed=len(stale),
        candidate_pairs=int(ii.shape[0]), links=n_links, stories=n_stories, rebuilt=rebuild,
    )

