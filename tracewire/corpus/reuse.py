"""Text reuse across a corpus: candidates from shared anchors, passage alignment, direction, stories.

``find_reuse`` is the pure whole-corpus function (tests, Python API, benchmark).
``update_reuse`` is the incremental store-backed version used by ``tracewire analyze``: it
indexes only documents that are new or changed since the last run, compares them against
everything already indexed, and rewrites the ``reuse``, ``stories`` and ``story_members`` rows.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import numpy as np

from ..engines import pool
from ..errors import UsageError
from ..records import Document, Passage, ReuseLink, Story
from .align import AlignConfig, Prepared, TokenPassage, align, prepare, prepare_many
from .anchors import AnchorStats, candidate_pairs, pack
from .boilerplate import BoilerplateConfig, discount
from .direction import decide
from .shingles import I64, U64, TokenHasher, Tokens, corpus_shingles, tokenize_many, winnow
from .stories import build_stories

if TYPE_CHECKING:
    from ..store.sqlite import SQLiteStore

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
BATCH = 1_000  # documents tokenised and shingled together (small arrays stay in cache and heap)
PAIR_BLOCK = 500  # candidate pairs aligned together (their documents are tokenised as one batch)
MIN_SPAN_WORDS = 3  # additions and cuts shorter than this are edits inside a passage


@dataclass(frozen=True, slots=True)
class ReuseConfig:
    """Every knob of reuse detection, with the defaults the benchmark and gates were run with."""

    window: int = 4  # winnowing window, in shingles
    max_df: int = 64  # anchors in more documents than this propose pairs only through a hub ...
    mass_min_anchors: int = 32  # ... when a member shares this many of them with it (a mass reprint)
    min_anchors: int = 4  # shared anchors a pair needs to be aligned (about a 10-word passage)
    min_shared_words: int = 25  # matching words a link needs ...
    min_short_words: int = 8  # ... or this many when they cover most of a short document
    short_coverage: float = 0.8
    align: AlignConfig = field(default_factory=AlignConfig)
    boilerplate: BoilerplateConfig = field(default_factory=BoilerplateConfig)

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
        if not 0.0 < self.short_coverage <= 1.0:
            raise UsageError(f"ReuseConfig.short_coverage={self.short_coverage} must be in (0, 1]")


@dataclass(frozen=True, slots=True)
class ReuseSummary:
    """What one incremental run did."""

    documents: int  # current documents in the store
    indexed: int  # documents (re)indexed in this run
    removed: int  # documents dropped from the index (deleted or replaced by a new version)
    candidate_pairs: int
    links: int  # reuse links in the store after the run
    stories: int


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
def _uncovered(tokens: Tokens, ranges: Iterable[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    """Character spans of the token runs outside ``ranges`` (at least MIN_SPAN_WORDS words)."""
    spans: list[tuple[int, int]] = []
    pos = 0
    total = len(tokens)
    for s, e in [*sorted(ranges), (total, total)]:
        if s - pos >= MIN_SPAN_WORDS:
            spans.append((int(tokens.starts[pos]), int(tokens.ends[s - 1])))
        pos = max(pos, e)
    return tuple(spans)


def shared_passages(pa: Prepared, pb: Prepared, config: ReuseConfig) -> list[TokenPassage]:
    """Aligned passages of a pair, boilerplate discounted; empty when they fall short of a link."""
    passages = discount(align(pa, pb, config.align), pa.words.shape[0], pb.words.shape[0],
                        config.boilerplate)
    if not passages:
        return []
    la, lb = max(pa.words.shape[0], 1), max(pb.words.shape[0], 1)
    shared = sum(p.matched for p in passages)
    cov_a = sum(p.a_end - p.a_start for p in passages) / la
    cov_b = sum(p.b_end - p.b_start for p in passages) / lb
    small_cov = cov_a if la <= lb else cov_b
    if shared < config.min_shared_words and not (
        shared >= config.min_short_words and small_cov >= config.short_coverage
    ):
        return []
    return passages


def build_link(
    a: Document, b: Document, ta: Tokens, tb: Tokens, passages: list[TokenPassage]
) -> ReuseLink:
    """The reuse link of two documents from their aligned passages, oriented by the direction call."""
    shared = sum(p.matched for p in passages)
    cov_a = sum(p.a_end - p.a_start for p in passages) / max(len(ta), 1)
    cov_b = sum(p.b_end - p.b_start for p in passages) / max(len(tb), 1)
    call = decide(a, b, ta, tb, passages)
    a_is_source = call.a_first if call.known else a.id <= b.id
    if a_is_source:
        return _make_link(a, b, ta, tb, passages, call.known, call.confidence, call.evidence,
                          cov_a, cov_b, shared, swap=False)
    return _make_link(b, a, tb, ta, passages, call.known, call.confidence, call.evidence,
                      cov_b, cov_a, shared, swap=True)


def link_pair(
    a: Document, b: Document, stats: AnchorStats | None = None, config: ReuseConfig | None = None
) -> ReuseLink | None:
    """Align two documents and return their reuse link, or None when they share no real passage."""
    cfg = config or ReuseConfig()
    hasher = TokenHasher()
    ta, tb = hasher.tokens(a.text), hasher.tokens(b.text)
    pa = prepare(ta.hashes, cfg.align.n, cfg.window, stats)
    pb = prepare(tb.hashes, cfg.align.n, cfg.window, stats)
    passages = shared_passages(pa, pb, cfg)
    return build_link(a, b, ta, tb, passages) if passages else None


def _make_link(
    src: Document,
    tgt: Document,
    ts: Tokens,
    tt: Tokens,
    passages: list[TokenPassage],
    known: bool,
    confidence: float,
    evidence: tuple[str, ...],
    cov_s: float,
    cov_t: float,
    shared: int,
    *,
    swap: bool,
) -> ReuseLink:
    """Build a ReuseLink oriented source -> target, with character offsets and coverage."""
    spans = [
        ((p.b_start, p.b_end), (p.a_start, p.a_end)) if swap else ((p.a_start, p.a_end), (p.b_start, p.b_end))
        for p in passages
    ]
    spans.sort(key=lambda x: x[1][0])
    out = tuple(
        Passage(
            source_start=int(ts.starts[s0]),
            source_end=int(ts.ends[s1 - 1]),
            target_start=int(tt.starts[t0]),
            target_end=int(tt.ends[t1 - 1]),
        )
        for (s0, s1), (t0, t1) in spans
    )
    words = (
        f"{tgt.id} has {cov_t:.0%} of its words in passages shared with {src.id}; "
        f"{src.id} has {cov_s:.0%}"
    )
    return ReuseLink(
        source=src.id,
        target=tgt.id,
        direction_known=known,
        confidence=confidence,
        shared_words=int(shared),
        source_coverage=round(min(cov_s, 1.0), 4),
        target_coverage=round(min(cov_t, 1.0), 4),
        passages=out,
        target_additions=_uncovered(tt, [t for _, t in spans]),
        source_cuts=_uncovered(ts, [s for s, _ in spans]),
        evidence=(*evidence, words),
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
    for lk in links:
        common = sorted(set(parents.get(lk.source, {})) & set(parents.get(lk.target, {})))
        explained = [
            x for x in common
            if lk.shared_words <= 1.05 * min(parents[lk.source][x], parents[lk.target][x]) + 5
        ]
        if not explained:
            out.append(lk)
            continue
        # name the earliest common original: not itself copied from another common one
        upstream = [x for x in explained if not any(y in parents.get(x, {}) for y in explained)]
        explained = upstream or explained
        lo_id, hi_id = sorted((lk.source, lk.target))
        note = (
            f"both {lo_id} and {hi_id} copy {explained[0]}; the text they share is the "
            "text they take from it, so neither is the other's source"
        )
        if note not in lk.evidence:
            src, tgt = sorted((lk.source, lk.target))
            flipped = src != lk.source
            out.append(
                replace(
                    lk,
                    source=src,
                    target=tgt,
                    direction_known=False,
                    confidence=0.5,
                    source_coverage=lk.target_coverage if flipped else lk.source_coverage,
                    target_coverage=lk.source_coverage if flipped else lk.target_coverage,
                    passages=tuple(
                        Passage(p.target_start, p.target_end, p.source_start, p.source_end)
                        for p in lk.passages
                    ) if flipped else lk.passages,
                    target_additions=lk.source_cuts if flipped else lk.target_additions,
                    source_cuts=lk.target_additions if flipped else lk.source_cuts,
                    evidence=(*lk.evidence, note),
                )
            )
        else:
            out.append(lk)
    return out


def _align_block(
    docs: Sequence[Document], ii: I64, jj: I64, stats: AnchorStats, config: ReuseConfig
) -> list[ReuseLink]:
    """Align the candidate pairs (ii[k], jj[k]): their documents are tokenised together, once."""
    need = np.unique(np.concatenate([ii, jj]))
    if need.size == 0:
        return []
    hashes, starts, ends, offs = tokenize_many([docs[int(x)].text for x in need])
    prepared = prepare_many(hashes, offs, config.align.n, config.window, stats)
    local = {int(x): k for k, x in enumerate(need.tolist())}
    spans: dict[int, Tokens] = {}

    def tokens(k: int) -> Tokens:
        if k not in spans:
            lo, hi = int(offs[k]), int(offs[k + 1])
            spans[k] = Tokens(starts=starts[lo:hi], ends=ends[lo:hi], hashes=hashes[lo:hi])
        return spans[k]

    links: list[ReuseLink] = []
    for i, j in zip(ii.tolist(), jj.tolist(), strict=True):
        ki, kj = local[i], local[j]
        passages = shared_passages(prepared[ki], prepared[kj], config)
        if passages:
            links.append(build_link(docs[i], docs[j], tokens(ki), tokens(kj), passages))
    return links


def _blocks(total: int, size: int) -> list[tuple[int, int]]:
    """(lo, hi) ranges that cut ``total`` candidate pairs into blocks of at most ``size``."""
    return [(lo, min(lo + size, total)) for lo in range(0, total, size)]


def _index_chunk(bounds: tuple[int, int]) -> U64:
    """Worker: packed anchor keys of texts[lo:hi]."""
    texts, cfg = pool.state()
    lo, hi = bounds
    return index_keys(texts[lo:hi], cfg, len(texts), lo)


def _align_chunk(sel: tuple[int, int]) -> list[ReuseLink]:
    """Worker: align candidate pairs ii[lo:hi], jj[lo:hi]."""
    docs, ii, jj, stats, cfg = pool.state()
    lo, hi = sel
    return _align_block(docs, ii[lo:hi], jj[lo:hi], stats, cfg)


def _align_all(
    docs: Sequence[Document],
    pairs: tuple[I64, I64],
    stats: AnchorStats,
    cfg: ReuseConfig,
    nproc: int,
    progress: Progress | None,
) -> list[ReuseLink]:
    """Align every candidate pair (i, j) of ``docs``, block by block (pairs come sorted by i),
    in ``nproc`` forked workers when there are enough pairs."""
    ii, jj = pairs
    total = int(ii.shape[0])
    links: list[ReuseLink] = []
    if nproc <= 1 or total < 100:
        for lo, hi in _blocks(total, PAIR_BLOCK):
            links.extend(_align_block(docs, ii[lo:hi], jj[lo:hi], stats, cfg))
            if progress is not None:
                progress(hi, total)
        return links
    chunks = _blocks(total, min(PAIR_BLOCK, -(-total // (4 * nproc))))
    parts = pool.ordered_map(_align_chunk, chunks, nproc, state=(docs, ii, jj, stats, cfg))
    for (_, hi), part in zip(chunks, parts, strict=True):
        links.extend(part)
        if progress is not None:
            progress(hi, total)
    return links


def _index_parallel(texts: Sequence[str], cfg: ReuseConfig, workers: int) -> U64:
    """index_keys over ``workers`` forked processes, merged in order."""
    step = -(-len(texts) // (2 * workers))
    bounds = [(lo, min(lo + step, len(texts))) for lo in range(0, len(texts), step)]
    parts = pool.ordered_map(_index_chunk, bounds, workers, state=(texts, cfg))  # forked: texts inherited
    return np.concatenate([np.empty(0, dtype=np.uint64), *parts])


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
    cfg = config or ReuseConfig()
    ids = [d.id for d in docs]
    if len(set(ids)) != len(ids):
        dup = sorted(x for x, k in Counter(ids).items() if k > 1)[:3]
        raise UsageError(f"find_reuse got duplicate document ids {dup}; pass each document once")
    nproc = pool.usable_workers(workers) if len(docs) >= 2000 else 1
    texts = [d.text for d in docs]
    t0 = time.perf_counter()
    # the keys are passed as a temporary: candidate_pairs frees them once it has read them
    ii, jj, _, stats = candidate_pairs(_index_parallel(texts, cfg, nproc) if nproc > 1
                                       else index_keys(texts, cfg, len(docs)), len(docs), max_df=cfg.max_df,
                                       min_shared=cfg.min_anchors,
                                       stats_min_df=cfg.boilerplate.min_df,
                                       rank=_rank([d.date for d in docs], ids),
                                       mass_min_shared=cfg.mass_min_anchors)
    t2 = time.perf_counter()
    log.info("reuse: %d documents indexed and %d candidate pairs found in %.1f s", len(docs),
             ii.shape[0], t2 - t0)
    links = _align_all(docs, (ii, jj), stats, cfg, nproc, progress)
    t3 = time.perf_counter()
    links = mark_siblings(links)
    log.info("reuse: %d links aligned in %.1f s, siblings marked in %.1f s", len(links), t3 - t2,
             time.perf_counter() - t3)
    return sorted(links, key=lambda lk: (lk.source, lk.target))


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
def _now() -> str:
    """Current UTC time, ISO 8601."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def link_to_row(lk: ReuseLink) -> tuple[object, ...]:
    """A ReuseLink as a row of the ``reuse`` table."""

    return (
        lk.source, lk.target, int(lk.direction_known), lk.confidence, lk.shared_words,
        lk.source_coverage, lk.target_coverage,
        json.dumps([{"source_start": p.source_start, "source_end": p.source_end,
                     "target_start": p.target_start, "target_end": p.target_end} for p in lk.passages]),
        json.dumps([list(s) for s in lk.target_additions]),
        json.dumps([list(s) for s in lk.source_cuts]),
        json.dumps(list(lk.evidence), ensure_ascii=False),
    )


def row_to_link(row: Sequence[object]) -> ReuseLink:
    """A row of the ``reuse`` table (columns in ``_REUSE_COLS`` order) as a ReuseLink."""

    (src, tgt, known, conf, shared, cov_s, cov_t, passages, adds, cuts, evidence) = row
    return ReuseLink(
        source=str(src), target=str(tgt), direction_known=bool(known), confidence=float(str(conf)),
        shared_words=int(str(shared)), source_coverage=float(str(cov_s)), target_coverage=float(str(cov_t)),
        passages=tuple(
            Passage(**p) if isinstance(p, dict) else Passage(*p) for p in json.loads(str(passages))
        ),
        target_additions=tuple((int(s), int(e)) for s, e in json.loads(str(adds))),
        source_cuts=tuple((int(s), int(e)) for s, e in json.loads(str(cuts))),
        evidence=tuple(json.loads(str(evidence))),
    )


_REUSE_COLS = ("source, target, direction_known, confidence, shared_words, source_coverage, "
               "target_coverage, passages, target_additions, source_cuts, evidence")


def update_reuse(
    store: SQLiteStore,
    progress: Progress | None = None,
    config: ReuseConfig | None = None,
    workers: int = 1,
) -> ReuseSummary:
    """Index new and changed documents, compare them with the indexed rest, rewrite reuse and stories.

    Each indexed document keeps its anchors as one BLOB (``reuse_index_docs.anchors``). A run
    reads them all to find the candidate pairs that involve a new document, then loads and
    aligns only the documents in those pairs (in ``workers`` forked processes when it pays).
    """
    cfg = config or ReuseConfig()
    conn = store.conn
    current = {r[0]: (r[1], r[2]) for r in conn.execute("SELECT id, sha256, date FROM current_documents")}
    indexed = {r[0]: r[1] for r in conn.execute("SELECT id, sha256 FROM reuse_index_docs")}
    stale = sorted(x for x, sha in indexed.items() if current.get(x, (None, None))[0] != sha)
    fresh_ids = sorted(x for x, (sha, _) in current.items() if indexed.get(x) != sha)
    fresh = list(store.documents(fresh_ids)) if fresh_ids else []
    f_index = index_texts([d.text for d in fresh], TokenHasher(), cfg)
    n_f = len(fresh)
    f_bounds = np.searchsorted(f_index.owners, np.arange(n_f + 1), side="left")
    f_anchors = [np.unique(f_index.anchors[f_bounds[k] : f_bounds[k + 1]]) for k in range(n_f)]

    # every other indexed document, by its stored anchors
    gone = set(stale)
    old_ids: list[str] = []
    old_parts: list[U64] = []
    for doc_id, blob in conn.execute("SELECT id, anchors FROM reuse_index_docs ORDER BY id"):
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
        stats_min_df=cfg.boilerplate.min_df,
        rank=_rank([current[x][1] for x in all_ids], all_ids), mass_min_shared=cfg.mass_min_anchors,
    )
    del keys
    # the old documents those pairs need, after the fresh ones
    need = np.unique(np.concatenate([ii, jj]))
    need_old = need[need >= n_f]
    remap = np.full(n_all, -1, dtype=np.int64)
    remap[:n_f] = np.arange(n_f)
    remap[need_old] = n_f + np.arange(need_old.shape[0])
    old_docs = list(store.documents([all_ids[int(k)] for k in need_old])) if need_old.size else []
    nproc = pool.usable_workers(workers) if ii.shape[0] >= 2000 else 1
    links = _align_all([*fresh, *old_docs], (remap[ii], remap[jj]), stats, cfg, nproc, progress)

    with store.transaction() as c:
        if stale:
            c.executemany("DELETE FROM reuse_index_docs WHERE id=?", [(x,) for x in stale])
            c.executemany("DELETE FROM reuse WHERE source=? OR target=?", [(x, x) for x in stale])
        now = _now()
        c.executemany(
            "INSERT OR REPLACE INTO reuse_index_docs(id, sha256, words, indexed_at, anchors) "
            "VALUES (?, ?, ?, ?, ?)",
            ((d.id, d.sha256, int(f_index.word_counts[k]), now, f_anchors[k].astype("<u8").tobytes())
             for k, d in enumerate(fresh)),
        )
        c.executemany(
            f"INSERT OR REPLACE INTO reuse({_REUSE_COLS}) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (link_to_row(lk) for lk in links),
        )
        all_links = [row_to_link(tuple(r)) for r in c.execute(f"SELECT {_REUSE_COLS} FROM reuse")]
        marked = mark_siblings(all_links)
        if marked != all_links:
            c.execute("DELETE FROM reuse")
            c.executemany(
                f"INSERT OR REPLACE INTO reuse({_REUSE_COLS}) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (link_to_row(lk) for lk in marked),
            )
        stories = build_stories(marked, {x: d for x, (_, d) in current.items()})
        _write_stories(c, stories)
    return ReuseSummary(
        documents=len(current), indexed=len(fresh), removed=len(stale),
        candidate_pairs=int(ii.shape[0]), links=len(marked), stories=len(stories),
    )


def _write_stories(c: sqlite3.Connection, stories: list[Story]) -> None:
    """Replace the ``stories`` and ``story_members`` rows."""
    c.execute("DELETE FROM story_members")
    c.execute("DELETE FROM stories")
    c.executemany(
        "INSERT INTO stories(story_id, root, size, tree) VALUES (?, ?, ?, ?)",
        (
            (s.story_id, s.root, len(s.members),
             json.dumps([{"doc": m.doc, "parent": m.parent, "depth": m.depth} for m in s.members]))
            for s in stories
        ),
    )
    c.executemany(
        "INSERT INTO story_members(story_id, doc, parent, depth) VALUES (?, ?, ?, ?)",
        ((s.story_id, m.doc, m.parent, m.depth) for s in stories for m in s.members),
    )
