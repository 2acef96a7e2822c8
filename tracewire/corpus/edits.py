"""Word-level edits inside an aligned passage, and the kind of a link (copy, rewrite, quotation).

An aligned passage is a chain of exact seeds (word n-grams found once in each document).
Between two consecutive runs of seeds, whatever differs is an edit: words replaced
(``sub``), words only the target has (``ins``) or words only the source has (``del``). The
gaps are short, so each is diffed word by word (difflib) to keep the words they still share.
An inflection ("Tigers" / "Tiger") is a different word, so it is a ``sub``, never an addition.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from difflib import SequenceMatcher

import numpy as np

from .align import TokenPassage
from .shingles import I64, U64

Edit = tuple[str, int, int, int, int]  # op, a_start, a_end, b_start, b_end (token positions, end exclusive)

# curly, straight and guillemet marks; and the doubled apostrophes (''...'' or ``...'') of newswire archives.
# Straight marks do not pair across a line break: a quotation of several paragraphs opens each one again.
_QUOTES = re.compile(r"\u201c[^\u201c\u201d]{1,3000}\u201d|\"[^\"\n]{1,3000}\"|\u00ab[^\u00ab\u00bb]{1,3000}\u00bb"
                     r"|(?:''|``)(?:(?!'')[^\n]){1,3000}?''")
_EMBEDDED = re.compile(r"<(tweet|blockquote)\b[^<>]{0,400}>([^<]{1,3000})</\1>", re.IGNORECASE)
_SAID = r"(?:said|says|told|added|stated|declared|wrote|announced|warned|noted|stressed|explained)"
_NAME = r"((?:[A-Z][\w.'\u2019-]*\s+){0,4}[A-Z][\w'\u2019-]*)"
_AFTER = re.compile(rf"^['\s,.]*(?:{_SAID}\s+{_NAME}|{_NAME}\s+{_SAID})")
_BEFORE = re.compile(rf"{_NAME}\s+{_SAID}[^.\"\u201c\u201d]{{0,40}}[:,]?\s*$")


EXTEND_WINDOW = 12  # words looked at beyond each end of a passage
EDIT_COST = 2  # an edited word costs as much as two matching words earn, when extending


def _extension(xa: list[int], xb: list[int]) -> tuple[int, int, list[tuple[int, int, int]]]:
    """How far two word runs that follow a passage still match: (words of A, words of B, blocks).

    X-drop style: each matching word earns 1, each edited word costs EDIT_COST; the best-scoring
    prefix that ends on a match is kept, so "Tigers force arrived" / "Tiger force arrived" extends
    through the changed word while two different continuations extend by nothing.
    """
    best = (0, 0, 0)
    if not xa or not xb or not _may_gain(xa, xb):
        return 0, 0, []
    blocks: list[tuple[int, int, int]] = []
    kept: list[tuple[int, int, int]] = []
    score = 0
    pa = pb = 0
    for i, j, size in SequenceMatcher(None, xa, xb, autojunk=False).get_matching_blocks():
        if size == 0:
            break
        score += size - EDIT_COST * max(i - pa, j - pb)
        blocks.append((i, j, size))
        pa, pb = i + size, j + size
        if score > best[0]:
            best, kept = (score, pa, pb), list(blocks)
    return best[1], best[2], kept


def _may_gain(xa: list[int], xb: list[int]) -> bool:
    """False when no prefix of the two runs can score above 0 in ``_extension`` (its diff is then skipped).

    A prefix that matches S words in order and leaves u words of A and v of B unmatched scores at
    most S - EDIT_COST * max(u, v). Its first matched pair (i, j) has i <= u and j <= v, and i, j are
    no earlier than the first word of either run found in the other; S is at most the number
    of words of either run found in the other. Cheap (set look-ups), and never wrong.
    """
    sb = set(xb)
    ca = [i for i, x in enumerate(xa) if x in sb]
    if not ca:
        return False
    sa = set(xa)
    cb = [j for j, y in enumerate(xb) if y in sa]
    return min(len(ca), len(cb)) > EDIT_COST * max(ca[0], cb[0])


def extend(p: TokenPassage, wa: U64, wb: U64, lim_a: tuple[int, int], lim_b: tuple[int, int]) -> TokenPassage:
    """A passage grown at both ends through small edits, within (lo, hi) limits on each side."""
    extra = list(p.extra)
    a0, a1, b0, b1, matched = p.a_start, p.a_end, p.b_start, p.b_end, p.matched
    ra = wa[a1 : min(lim_a[1], a1 + EXTEND_WINDOW)].tolist()
    rb = wb[b1 : min(lim_b[1], b1 + EXTEND_WINDOW)].tolist()
    da, db, blocks = _extension(ra, rb)
    for i, j, size in blocks:
        extra.append((a1 + i, a1 + i + size, b1 + j, b1 + j + size))
        matched += size
    a1, b1 = a1 + da, b1 + db
    la = wa[max(lim_a[0], a0 - EXTEND_WINDOW) : a0].tolist()[::-1]
    lb = wb[max(lim_b[0], b0 - EXTEND_WINDOW) : b0].tolist()[::-1]
    da, db, blocks = _extension(la, lb)
    for i, j, size in blocks:
        extra.append((a0 - i - size, a0 - i, b0 - j - size, b0 - j))
        matched += size
    a0, b0 = a0 - da, b0 - db
    if (a0, a1, b0, b1) == (p.a_start, p.a_end, p.b_start, p.b_end):
        return p
    return replace(p, a_start=a0, a_end=a1, b_start=b0, b_end=b1, matched=matched, extra=tuple(extra))


def extend_all(passages: list[TokenPassage], wa: U64, wb: U64) -> list[TokenPassage]:
    """Every passage extended at its ends, never into a neighbour on either side."""
    if len(passages) == 1:  # no neighbour: the limits are the documents' ends
        return [extend(passages[0], wa, wb, (0, wa.shape[0]), (0, wb.shape[0]))]
    by_a = sorted(range(len(passages)), key=lambda k: passages[k].a_start)
    by_b = sorted(range(len(passages)), key=lambda k: passages[k].b_start)
    out = list(passages)
    for k in range(len(passages)):
        ia, ib = by_a.index(k), by_b.index(k)
        lim_a = (out[by_a[ia - 1]].a_end if ia else 0,
                 passages[by_a[ia + 1]].a_start if ia + 1 < len(by_a) else wa.shape[0])
        lim_b = (out[by_b[ib - 1]].b_end if ib else 0,
                 passages[by_b[ib + 1]].b_start if ib + 1 < len(by_b) else wb.shape[0])
        out[k] = extend(passages[k], wa, wb, lim_a, lim_b)
    return out


def _block_arrays(p: TokenPassage, n: int) -> tuple[I64, I64, I64, I64]:
    """Runs of seeds on one diagonal as matched blocks (a0, a1, b0, b1 arrays), in order, not overlapping."""
    if p.seeds_a is None or p.seeds_b is None or p.seeds_a.size == 0:
        one = np.array([p.a_start, p.a_end, p.b_start, p.b_end], dtype=np.int64)
        return one[0:1], one[1:2], one[2:3], one[3:4]
    sa, sb = p.seeds_a, p.seeds_b
    ends_a = np.minimum(sa + n, p.a_end)
    if p.extra:
        ex = np.array(p.extra, dtype=np.int64)
        sa, sb = np.concatenate([sa, ex[:, 0]]), np.concatenate([sb, ex[:, 2]])
        ends_a = np.concatenate([ends_a, ex[:, 1]])
        order = np.lexsort((sb, sa))
        sa, sb, ends_a = sa[order], sb[order], ends_a[order]
    diag = sb - sa
    # a new block where the diagonal changes or a gap opens (seeds of one block touch or overlap)
    reach = np.maximum.accumulate(ends_a)
    brk = np.ones(sa.shape[0], dtype=bool)
    brk[1:] = (diag[1:] != diag[:-1]) | (sa[1:] > reach[:-1])
    starts = np.flatnonzero(brk)
    a0s, a1s, b0s = sa[starts], np.maximum.reduceat(ends_a, starts), sb[starts]
    b1s = np.minimum(a1s + diag[starts], p.b_end)
    # a shifted block may overlap the previous one: it starts where that one ends
    if starts.shape[0] > 1:
        cut = np.zeros(a0s.shape[0], dtype=np.int64)
        cut[1:] = np.maximum(np.maximum(a1s[:-1] - a0s[1:], b1s[:-1] - b0s[1:]), 0)
        a0s, b0s = a0s + cut, b0s + cut
        ok = (a0s < a1s) & (b0s < b1s)
        return a0s[ok], a1s[ok], b0s[ok], b1s[ok]
    return a0s, a1s, b0s, b1s


_FEW_SEEDS = 64  # up to this many seeds, a plain loop decides whether a passage is one block


def _one_block(p: TokenPassage, n: int) -> bool:
    """True when a passage without extension blocks is one unbroken block (``_block_arrays`` finds
    one block); False also when the question is left to ``_block_arrays`` (many seeds or blocks)."""
    if p.seeds_a is None or p.seeds_b is None or p.seeds_a.size == 0:
        return True
    if p.extra or p.seeds_a.size > _FEW_SEEDS:
        return False
    sa, sb = p.seeds_a.tolist(), p.seeds_b.tolist()
    end = p.a_end
    diag = sb[0] - sa[0]
    reach = min(sa[0] + n, end)
    for x, y in zip(sa[1:], sb[1:], strict=True):
        if y - x != diag or x > reach:
            return False
        x += n
        if x > end:
            x = end
        if x > reach:
            reach = x
    return True


def _blocks(p: TokenPassage, n: int) -> list[tuple[int, int, int, int]]:
    """Matched blocks of a passage as (a0, a1, b0, b1) tuples."""
    a0, a1, b0, b1 = _block_arrays(p, n)
    return list(zip(a0.tolist(), a1.tolist(), b0.tolist(), b1.tolist(), strict=True))


_OP_NAMES = ("sub", "ins", "del")


Opcodes = Sequence[tuple[str, int, int, int, int]]
DiffMemo = dict[tuple[tuple[int, ...], tuple[int, ...]], Opcodes]


def _opcodes(xa: list[int], xb: list[int], memo: DiffMemo | None) -> Opcodes:
    """difflib's opcodes of two word runs, looked up in ``memo`` first (a gap copied into many texts)."""
    if memo is None:
        return SequenceMatcher(None, xa, xb, autojunk=False).get_opcodes()
    key = (tuple(xa), tuple(xb))
    found = memo.get(key)
    if found is None:
        found = SequenceMatcher(None, xa, xb, autojunk=False).get_opcodes()
        memo[key] = found
    return found


def token_edits(p: TokenPassage, n: int, wa: U64, wb: U64, memo: DiffMemo | None = None) -> list[Edit]:
    """The word-level edits of one passage (token positions); ``wa``/``wb`` are the token hashes.

    ``memo``: diffs of gaps already met in this run (the caller keeps it; it changes no result).
    """
    if p.one_block and not p.extra or _one_block(p, n):
        return []
    a0, a1, b0, b1 = _block_arrays(p, n)
    if a0.shape[0] < 2:
        return []
    ga0, gb0 = a1[:-1], b1[:-1]
    ga1, gb1 = np.maximum(ga0, a0[1:]), np.maximum(gb0, b0[1:])
    la, lb = ga1 - ga0, gb1 - gb0
    gap = (la > 0) | (lb > 0)
    if not gap.any():
        return []
    # most gaps are one changed, added or dropped word: decided without a diff
    one = (la == 1) & (lb == 1)
    same = one & (wa[np.minimum(ga0, wa.shape[0] - 1)] == wb[np.minimum(gb0, wb.shape[0] - 1)])
    simple = gap & ~same & ((la == 0) | (lb == 0) | one)
    hard = gap & ~same & ~simple
    code = np.where(la == 0, 1, np.where(lb == 0, 2, 0))
    edits: list[Edit] = [
        (_OP_NAMES[c], x0, x1, y0, y1) for c, x0, x1, y0, y1 in zip(
            code[simple].tolist(), ga0[simple].tolist(), ga1[simple].tolist(), gb0[simple].tolist(),
            gb1[simple].tolist(), strict=True)]
    for k in np.flatnonzero(hard).tolist():
        x0, x1, y0, y1 = int(ga0[k]), int(ga1[k]), int(gb0[k]), int(gb1[k])
        xa, xb = wa[x0:x1].tolist(), wb[y0:y1].tolist()
        if set(xa).isdisjoint(xb):  # nothing in common: one edit, no diff needed
            edits.append(("sub", x0, x1, y0, y1))
            continue
        for tag, i0, i1, j0, j1 in _opcodes(xa, xb, memo):
            if tag != "equal":
                edits.append((_OPS[tag], x0 + i0, x0 + i1, y0 + j0, y0 + j1))
    if hard.any():
        edits.sort(key=lambda e: (e[1], e[3]))
    return edits


_OPS = {"replace": "sub", "insert": "ins", "delete": "del"}

JOIN_LONG = 40  # two passages of one link are shown as one across a gap of at most this many words on one side ...
JOIN_SHORT = 8  # ... and at most this many on the other (a sentence added next to a changed figure and source)


def gap_edits(x0: int, x1: int, y0: int, y1: int, wa: U64, wb: U64, memo: DiffMemo | None = None) -> list[Edit]:
    """The word-level edits of the gap [x0, x1) of A / [y0, y1) of B between two aligned runs (word diff)."""
    if x1 <= x0 and y1 <= y0:
        return []
    if x1 <= x0:
        return [("ins", x0, x0, y0, y1)]
    if y1 <= y0:
        return [("del", x0, x1, y0, y0)]
    xa, xb = wa[x0:x1].tolist(), wb[y0:y1].tolist()
    if set(xa).isdisjoint(xb):
        return [("sub", x0, x1, y0, y1)]
    return [(_OPS[tag], x0 + i0, x0 + i1, y0 + j0, y0 + j1)
            for tag, i0, i1, j0, j1 in _opcodes(xa, xb, memo) if tag != "equal"]


def join_passages(passages: list[TokenPassage], edits: list[list[Edit]], wa: U64, wb: U64,
                  memo: DiffMemo | None = None, long: int = JOIN_LONG, short: int = JOIN_SHORT
                  ) -> tuple[list[TokenPassage], list[list[Edit]]]:
    """Consecutive passages (in order on both sides) split by a short gap, shown as one passage.

    A copy that changes a figure and its source and adds a sentence right after them aligns as two
    passages; the words between them (the changed figure, the source, the added sentence) would be
    in neither passage's edits. Two neighbours whose gap is at most ``long`` words on one side and
    ``short`` on the other become one passage, the gap's word diff among its edits. Only the shown
    passages change: the link's kind, direction and coverage are read before.
    """
    if len(passages) < 2:
        return passages, edits
    order = sorted(range(len(passages)), key=lambda k: (passages[k].a_start, passages[k].b_start))
    out_p = [passages[order[0]]]
    out_e = [list(edits[order[0]])]
    for k in order[1:]:
        p, q = out_p[-1], passages[k]
        ga, gb = q.a_start - p.a_end, q.b_start - p.b_end
        if 0 <= min(ga, gb) and max(ga, gb) <= long and min(ga, gb) <= short:
            out_e[-1] = [*out_e[-1], *gap_edits(p.a_end, q.a_start, p.b_end, q.b_start, wa, wb, memo),
                         *edits[k]]
            out_p[-1] = replace(p, a_end=q.a_end, b_end=q.b_end, matched=p.matched + q.matched)
        else:
            out_p.append(q)
            out_e.append(list(edits[k]))
    return out_p, out_e


def edited_words(edits: list[Edit]) -> int:
    """Words touched by edits (the larger side of each)."""
    return sum(max(a1 - a0, b1 - b0) for _, a0, a1, b0, b1 in edits)


def quote_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the quotations of a text (inside the marks, or an embedded tweet's text), in order."""
    out = []
    # the scan tries its four openings at every character: skip it when no opening mark occurs
    marks = '"' in text or "\u201c" in text or "\u00ab" in text or "''" in text or "``" in text
    for m in _QUOTES.finditer(text) if marks else ():
        w = 2 if text.startswith(("''", "``"), m.start()) else 1
        out.append((m.start() + w, m.end() - w))
    if "</" in text:  # an embedded post quotes its author as marks would (PolNeAR keeps them as markup)
        out.extend(m.span(2) for m in _EMBEDDED.finditer(text))
        out.sort()
    return out


def quoted_share(spans: list[tuple[int, int]], start: int, end: int) -> float:
    """Share of [start, end) that lies inside the given quotation spans."""
    if end <= start:
        return 0.0
    inside = sum(max(0, min(e, end) - max(s, start)) for s, e in spans)
    return inside / (end - start)


def speaker(text: str, start: int, end: int) -> str | None:
    """The speaker of the quotation around [start, end): 'said X' after it or 'X said' before it."""
    for s, e in quote_spans(text):
        if s <= start + 2 and end - 2 <= e or (s < end and start < e):
            m = _AFTER.match(text[e + 1 : e + 120])
            if m:
                return (m.group(1) or m.group(2)).strip()
            b = _BEFORE.search(text[max(0, s - 160) : s - 1])
            if b:
                return b.group(1).strip()
            return None
    return None


def is_near_verbatim(edit_words: int, aligned_words: int, passages: int, max_ratio: float) -> bool:
    """A copy: one passage whose edits touch at most ``max_ratio`` of its words."""
    return passages == 1 and edit_words <= max_ratio * max(aligned_words, 1)

