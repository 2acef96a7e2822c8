"""SQLite FTS5's ``bm25()`` over the fact-check index, computed in memory for many queries at once.

Matching asked FTS5 once per claim, and that query was two thirds of the matching time. This
module reads the index's own tokens once (the ``fts5vocab`` instance table: every token of every
row, stemmed by the table's tokenizer), tokenizes all the queries' words in one batch through an
in-memory FTS5 table with the same tokenizer, and scores with numpy exactly as FTS5 does
(``fts5_aux.c``: k1 = 1.2, b = 0.75, IDF = ln((N - n + 0.5) / (n + 0.5)) floored at 1e-6, the
document's length in tokens over the average; a quoted word of several tokens is a phrase whose
tokens must be adjacent). The hits, their scores and their order are those of
``SELECT id, -bm25(t) ... MATCH '"w1" OR "w2" ...' ORDER BY bm25(t)``; ties go by rowid.
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from numpy.typing import NDArray

K1 = 1.2
B = 0.75
MIN_IDF = 1e-6


@dataclass(slots=True)
class Bm25:
    """An FTS5 table's tokens as postings, with the per-row lengths its bm25() divides by."""

    ids: list[str]                                   # row position -> the id column (rowid order)
    lengths: NDArray[np.float64]                     # tokens per row
    postings: dict[str, tuple[NDArray[np.int64], NDArray[np.float64]]]  # term -> (rows, token count)
    sequences: list[NDArray[np.int64]]               # each row's tokens as term numbers (for phrases)
    term_no: dict[str, int]
    create_sql: str                                  # the table's CREATE statement: its tokenizer
    _words: dict[str, tuple[str, ...]] = field(default_factory=dict)
    _phrases: dict[tuple[str, ...], tuple[NDArray[np.int64], NDArray[np.float64]]] = field(default_factory=dict)

    @property
    def avgdl(self) -> float:
        """Average row length in tokens (FTS5 divides each row's length by it)."""
        return float(self.lengths.sum()) / max(1, len(self.ids)) or 1.0

    @classmethod
    def from_instances(cls, rows: Sequence[tuple[int, str]], instances: Iterable[tuple[str, int, int]],
                       create_sql: str) -> Bm25:
        """Build from (rowid, id) of every row and (term, rowid, offset) of every token (one indexed column)."""
        pos = {rowid: i for i, (rowid, _) in enumerate(rows)}
        term_no: dict[str, int] = {}
        per_row: list[dict[int, int]] = [{} for _ in rows]
        counts: dict[str, dict[int, int]] = {}
        for term, rowid, offset in instances:
            r = pos[rowid]
            t = term_no.setdefault(term, len(term_no))
            per_row[r][offset] = t
            c = counts.setdefault(term, {})
            c[r] = c.get(r, 0) + 1
        lengths = np.asarray([len(x) for x in per_row], dtype=np.float64)
        postings = {t: (np.fromiter(c.keys(), dtype=np.int64, count=len(c)),
                        np.fromiter(c.values(), dtype=np.float64, count=len(c))) for t, c in counts.items()}
        seqs = [np.asarray([x[o] for o in sorted(x)], dtype=np.int64) for x in per_row]
        out = cls([i for _, i in rows], lengths, postings, seqs, term_no, create_sql)
        if postings:  # every single term's weights in one vectorised pass (phrases are computed when asked)
            terms = list(postings)
            all_rows = np.concatenate([postings[t][0] for t in terms])
            all_tf = np.concatenate([postings[t][1] for t in terms])
            weight = (all_tf * (K1 + 1.0)) / (all_tf + K1 * (1 - B + B * lengths[all_rows] / out.avgdl))
            cuts = np.cumsum([len(postings[t][0]) for t in terms])[:-1]
            for term, part, w in zip(terms, np.split(all_rows, cuts), np.split(weight, cuts), strict=True):
                out._phrases[(term,)] = (part, w)
        return out

    def tokenize(self, words: Iterable[str]) -> None:
        """Tokenize words not seen before, all in one batch, with the table's own tokenizer."""
        todo = sorted({w for w in words if w not in self._words})
        if not todo:
            return
        conn = sqlite3.connect(":memory:")
        try:
            conn.execute(self.create_sql)
            conn.executemany("INSERT INTO t(rowid, text) VALUES (?, ?)", enumerate(todo, 1))
            conn.execute("CREATE VIRTUAL TABLE temp.v USING fts5vocab(main, t, instance)")
            toks: dict[int, list[tuple[int, str]]] = {}
            for term, rowid, offset in conn.execute("SELECT term, doc, offset FROM temp.v"):
                toks.setdefault(rowid, []).append((offset, term))
        finally:
            conn.close()
        for i, w in enumerate(todo, 1):
            self._words[w] = tuple(t for _, t in sorted(toks.get(i, [])))

    def _phrase(self, terms: tuple[str, ...]) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
        """Rows holding the phrase and its bm25 weight in each (without the IDF), remembered per phrase."""
        got = self._phrases.get(terms)
        if got is not None:
            return got
        rows, tf = self._count(terms)
        norm = K1 * (1 - B + B * self.lengths[rows] / self.avgdl)
        got = self._phrases[terms] = (rows, (tf * (K1 + 1.0)) / (tf + norm))
        return got

    def _count(self, terms: tuple[str, ...]) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
        """Rows holding the phrase and how often (adjacent tokens, in order)."""
        if len(terms) == 1:
            return self.postings.get(terms[0], (np.zeros(0, np.int64), np.zeros(0)))
        if any(t not in self.postings for t in terms):
            return np.zeros(0, np.int64), np.zeros(0)
        rows = self.postings[terms[0]][0]
        for t in terms[1:]:
            rows = np.intersect1d(rows, self.postings[t][0])
        nums = np.asarray([self.term_no[t] for t in terms], dtype=np.int64)
        n = len(nums)
        hit_rows, freqs = [], []
        for r in rows:
            seq = self.sequences[int(r)]
            if len(seq) < n:
                continue
            win = np.lib.stride_tricks.sliding_window_view(seq, n)
            f = int(np.count_nonzero((win == nums).all(axis=1)))
            if f:
                hit_rows.append(int(r))
                freqs.append(float(f))
        return np.asarray(hit_rows, dtype=np.int64), np.asarray(freqs, dtype=np.float64)

    def search(self, words: Sequence[str], limit: int) -> list[tuple[str, float]]:
        """(id, score) of the rows matching any word, best first, at most ``limit``: FTS5's bm25 with OR."""
        self.tokenize(words)
        n_rows = len(self.ids)
        if n_rows == 0:
            return []
        scores = np.zeros(n_rows, dtype=np.float64)
        matched = np.zeros(n_rows, dtype=bool)
        for w in words:
            terms = self._words[w]
            if not terms:
                continue
            rows, weight = self._phrase(terms)
            if not len(rows):
                continue
            idf = max(MIN_IDF, math.log((n_rows - len(rows) + 0.5) / (len(rows) + 0.5)))
            scores[rows] += idf * weight
            matched[rows] = True
        hits = np.flatnonzero(matched)
        if not len(hits):
            return []
        if len(hits) > limit:
            top = hits[np.argpartition(-scores[hits], limit - 1)[:limit]]
            cut = scores[top].min()  # rows tied with the last kept one compete by rowid, as in SQLite's sort
            hits = hits[scores[hits] >= cut]
        order = hits[np.lexsort((hits, -scores[hits]))][:limit]
        return [(self.ids[int(r)], float(scores[r])) for r in order]
