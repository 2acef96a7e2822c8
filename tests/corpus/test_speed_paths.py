"""The shortcuts of the reuse speed-up give what the long way gives (no timing here)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from tracewire.corpus import edits as edits_module
from tracewire.corpus.align import TokenPassage, align, align_many, prepare, prepare_many
from tracewire.corpus.direction import _ASCII_GAPS, _WORDS, _layouts_many, _layouts_one
from tracewire.corpus.edits import DiffMemo, _block_arrays, _extension, _may_gain, _one_block, token_edits
from tracewire.corpus.furniture import _DocFreq, _house_spans, _minus, _runs, _runs_by_doc
from tracewire.corpus.reuse import (
    _char_edits,
    _char_edits_many,
    _flat,
    _slot_maker,
    _uncovered_many,
    _uncovered_one,
    _unflat,
)
from tracewire.corpus.shingles import TokenHasher, tokenize_many
from tracewire.records import Edit, Passage, ReuseLink

ORIGINAL = ("The harbour council met on Tuesday night and voted to close the old ferry pier for repairs "
            "after inspectors found cracked pilings under the western landing. The ferry will dock at "
            "the fishing quay until the work ends in the spring, the council clerk said.")
EDITED = ("The harbour council met on Tuesday evening and voted to shut the old ferry pier for repairs "
          "after inspectors found cracked pilings beneath the western landing. The ferry will dock at "
          "the fishing quay until the work ends in late spring, the council clerk said.")


def test_one_block_agrees_with_block_arrays() -> None:
    """Whenever the loop says 'one block', the arrays find one block."""
    rng = np.random.default_rng(3)
    for _ in range(2000):
        k = int(rng.integers(1, 12))
        sa = np.sort(rng.choice(40, size=k, replace=False)).astype(np.int64)
        sb = sa + np.where(rng.random(k) < 0.8, 5, 6).astype(np.int64)
        end = int(sa[-1]) + int(rng.integers(1, 5))
        p = TokenPassage(int(sa[0]), end, int(sb[0]), end + 6, k, np.zeros(k, dtype=np.int64), sa, sb)
        if _one_block(p, 4):
            assert _block_arrays(p, 4)[0].shape[0] == 1


def test_edits_same_with_memo() -> None:
    """Word diffs looked up in a memo are the diffs computed afresh."""
    hasher = TokenHasher()
    ta, tb = hasher.tokens(ORIGINAL), hasher.tokens(EDITED)
    passages = align(prepare(ta.hashes, 4), prepare(tb.hashes, 4))
    assert passages
    memo: DiffMemo = {}
    for p in passages:
        plain = token_edits(p, 4, ta.hashes, tb.hashes)
        assert token_edits(p, 4, ta.hashes, tb.hashes, memo) == plain
        assert token_edits(p, 4, ta.hashes, tb.hashes, memo) == plain


def test_doc_freq_counts_match_brute_force() -> None:
    """Document counts from the one sort equal counting by hand, for every subset asked."""
    rng = np.random.default_rng(5)
    docs = np.sort(rng.integers(0, 30, size=600)).astype(np.int64)
    key = rng.integers(0, 40, size=600).astype(np.int64)
    freq = _DocFreq(key, docs)
    for where in (np.ones(600, dtype=bool), rng.random(600) < 0.2, np.zeros(600, dtype=bool)):
        got = freq.count(where)
        for x in range(600):
            assert got[x] == len({int(docs[y]) for y in range(600) if where[y] and key[y] == key[x]})


def _texts() -> list[str]:
    """Made-up texts: a shared passage (verbatim and edited) inside different words, short and empty ones."""
    rng = np.random.default_rng(11)
    vocab = [f"w{k}" for k in range(300)]

    def words(k: int) -> list[str]:
        return [vocab[int(x)] for x in rng.integers(0, 300, k)]

    shared = words(40)
    out = []
    for k in range(12):
        body = words(int(rng.integers(20, 80)))
        piece = list(shared)
        if k % 3 == 1:
            piece[10] = "changed"
            del piece[25]
        at = int(rng.integers(0, len(body)))
        out.append(" ".join(body[:at] + piece + body[at:] + (shared[:15] if k % 4 == 0 else [])))
    return [*out, "w1 w2 w3", "w1 w2 w3", "", ORIGINAL, EDITED]


def test_align_many_equals_align_pair_by_pair() -> None:
    """A block of pairs aligned at once gives each pair what aligning it alone gives."""
    texts = _texts()
    hashes, _, _, offs = tokenize_many(texts)
    prepared = prepare_many(hashes, offs, 5, 4)
    ii, jj = np.triu_indices(len(texts), 1)
    got = align_many(prepared, ii.astype(np.int64), jj.astype(np.int64))
    linked = 0
    for i, j, found in zip(ii.tolist(), jj.tolist(), got, strict=True):
        want = align(prepared[i], prepared[j])
        linked += bool(want)
        assert [(p.a_start, p.a_end, p.b_start, p.b_end, p.matched) for p in found] == \
            [(p.a_start, p.a_end, p.b_start, p.b_end, p.matched) for p in want]
        for p, q in zip(found, want, strict=True):
            for x, y in ((p.seed_df, q.seed_df), (p.seeds_a, q.seeds_a), (p.seeds_b, q.seeds_b)):
                assert (x is None and y is None) or (x is not None and y is not None and np.array_equal(x, y))
    assert linked >= 60  # the shared passage links most pairs, the short twins link too


def test_extension_shortcut_never_changes_a_result() -> None:
    """The bound that skips the extension diff only skips runs whose diff would extend nothing."""
    rng = np.random.default_rng(9)
    for _ in range(3000):
        xa = rng.integers(0, 6, int(rng.integers(0, 13))).tolist()
        xb = rng.integers(0, 6, int(rng.integers(0, 13))).tolist()
        if not _may_gain(xa, xb):
            assert xa == [] or xb == [] or _extension_diff(xa, xb) == (0, 0, [])


def _extension_diff(xa: list[int], xb: list[int]) -> tuple[int, int, list[tuple[int, int, int]]]:
    """``_extension`` with its shortcut turned off."""
    saved = edits_module._may_gain
    edits_module._may_gain = lambda a, b: True
    try:
        return _extension(xa, xb)
    finally:
        edits_module._may_gain = saved


def test_runs_by_doc_equal_runs_per_document() -> None:
    """Runs found for all documents at once are each document's own runs, with ranges cut out alike."""
    rng = np.random.default_rng(4)
    sizes = rng.integers(0, 15, 40)
    offs = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    mask = rng.random(int(offs[-1])) < 0.6
    got = _runs_by_doc(mask, offs)
    for k in range(40):
        part = mask[offs[k] : offs[k + 1]]
        assert got[k] == _runs(part)
        ranges = [(int(a), int(a) + int(b)) for a, b in zip(rng.integers(0, 15, 2), rng.integers(-1, 5, 2), strict=True)]
        cut = part.copy()
        for s, e in ranges:
            cut[s:e] = False
        assert _minus(got[k], ranges) == _runs(cut)


def test_links_survive_the_trip_from_a_worker() -> None:
    """A link sent back as tuples is the link."""
    lk = ReuseLink("a", "b", True, 0.9, 30, 0.5, 0.25,
                   (Passage(0, 10, 5, 15, (Edit("sub", 2, 3, 7, 9), Edit("ins", 4, 4, 10, 12))), Passage(20, 30, 25, 35)),
                   ((40, 50),), (), ("because",), "rewrite")
    back = _unflat(_flat(lk))
    assert back == lk and repr(back) == repr(lk) and hash(back) == hash(lk)
    assert type(back.passages[0].edits[0]) is Edit and type(back) is ReuseLink
    with pytest.raises(dataclasses.FrozenInstanceError):
        back.source = "c"  # type: ignore[misc]


def test_slot_maker_refuses_a_class_with_post_init() -> None:
    """Links are built without ``__init__``: a class that checks or derives something there is refused."""

    @dataclasses.dataclass(frozen=True, slots=True)
    class Checked:
        x: int

        def __post_init__(self) -> None:
            assert self.x >= 0

    with pytest.raises(TypeError):
        _slot_maker(Checked)


def test_anchors_from_furniture_tokens_equal_anchors_of_masked_texts() -> None:
    """``_group_keys`` gives the keys of the masked texts, and leaves out what it cannot make so."""
    from tracewire.corpus.furniture import mask_text
    from tracewire.corpus.reuse import ReuseConfig, _group_keys, _index_ids

    cfg = ReuseConfig()
    texts = [ORIGINAL + "\nMenu Home News Sport", "Home News Sport\n" + EDITED, EDITED + " Share_this page",
             "Stra\u00dfe " + ORIGINAL, ""]
    spans = [((len(ORIGINAL) + 1, len(ORIGINAL) + 21),), ((0, 15),),
             ((len(EDITED) + 1, len(EDITED) + 7),),  # cuts "Share_this" after "Share"
             ((0, 6),), ()]
    members = [40, 7, 12, 3, 25]
    keys, left = _group_keys(cfg, 50, "outlet:herald", members, texts, tokenize_many(texts), list(spans))
    assert sorted(left) == [3, 12]  # the cut token, and the text that case folding lengthens
    done = [k for k, m in enumerate(members) if m not in left]
    want = _index_ids([mask_text(texts[k], spans[k]) for k in done], [members[k] for k in done], cfg, 50)
    assert np.array_equal(np.unique(keys), np.unique(want)) and keys.size > 0
    # a group too small to learn from leaves everything to the masked texts
    assert _group_keys(cfg, 50, "outlet:herald", members[:2], texts[:2], None, list(spans[:2]))[1] == members[:2]


def test_tokenising_in_chunks_equals_tokenising_at_once(monkeypatch: object) -> None:
    """Texts cut into chunks of a few characters give the tokens of one pass over all of them."""
    from tracewire.corpus import shingles

    texts = [ORIGINAL, "", EDITED, "Stra\u00dfe \u0130stanbul \u01c5 x", "a", ORIGINAL + EDITED]
    whole = shingles._tokenize_chunk(texts)
    monkeypatch.setattr(shingles, "CHUNK_CHARS", 40)  # type: ignore[attr-defined]
    chunked = shingles.tokenize_many(texts)
    assert all(np.array_equal(x, y) and x.dtype == y.dtype for x, y in zip(whole, chunked, strict=True))


def test_one_block_flag_of_align_many_is_what_the_arrays_find() -> None:
    """A passage align_many flags as one block is one block of ``_block_arrays``, and the other way round."""
    texts = _texts()
    hashes, _, _, offs = tokenize_many(texts)
    prepared = prepare_many(hashes, offs, 5, 4)
    ii, jj = np.triu_indices(len(texts), 1)
    flagged = bent = 0
    for found in align_many(prepared, ii.astype(np.int64), jj.astype(np.int64)):
        for p in found:
            one = _block_arrays(p, 5)[0].shape[0] == 1
            assert one if p.one_block else (p.seeds_a is None or not one)  # whole short texts: not flagged
            flagged += one
            bent += not one
    assert flagged and bent  # both kinds met


def test_house_spans_at_once_equal_runs_minus_furniture() -> None:
    """House spans found for a whole group are each document's runs with its furniture cut out."""
    rng = np.random.default_rng(11)
    sizes = rng.integers(0, 20, 30)
    offs = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    total = int(offs[-1])
    common = rng.random(total) < 0.6
    starts = np.arange(total, dtype=np.int64) * 7 - offs[np.searchsorted(offs, np.arange(total), side="right") - 1] * 7
    ends = starts + 5
    cuts: list[tuple[int, int]] = []
    want: list[tuple[tuple[int, int], ...]] = []
    for k in range(30):
        lo, hi = int(offs[k]), int(offs[k + 1])
        ranges = sorted({(int(a), int(a) + int(b)) for a, b in zip(rng.integers(0, 20, 2), rng.integers(1, 6, 2),
                                                                     strict=True)})
        ranges = [(s, min(e, hi - lo)) for s, e in ranges if s < hi - lo]
        cuts.extend((lo + s, lo + e) for s, e in ranges if e > s)
        runs = _minus(_runs(common[lo:hi]), ranges)
        want.append(tuple((int(starts[lo + s]), int(ends[lo + e - 1])) for s, e in runs))
    got: list[tuple[tuple[int, int], ...]] = [() for _ in range(30)]
    _house_spans(common, cuts, starts, ends, offs, got)
    assert got == want


def test_one_passage_shortcuts_equal_the_general_code() -> None:
    """Uncovered spans, layouts and character edits of the one-passage paths equal the general ones."""
    hasher = TokenHasher()
    ta, tb = hasher.tokens(ORIGINAL), hasher.tokens(EDITED)
    for s, e in [(0, 10), (2, 10), (3, len(ta)), (5, len(ta) - 2), (0, len(ta)), (4, 9)]:
        assert _uncovered_one(ta, (s, e)) == _uncovered_many(ta, [(s, e)])
        p = TokenPassage(s, e, s + 1, min(e + 1, len(tb)), e - s, np.zeros(0, dtype=np.int64))
        assert _layouts_one(len(ta), len(tb), p) == _layouts_many(len(ta), len(tb), [p])
    edits = [("sub", 3, 4, 3, 4), ("ins", 7, 7, 7, 9), ("del", 10, 12, 12, 12), ("ins", len(ta), len(ta), 30, 31)]
    got = _char_edits_many(ta, tb, [edits[:2], [], edits[2:]])
    assert [e for g in got for e in g] == list(_char_edits(ta, tb, edits))


def test_ascii_words_split_like_the_regex() -> None:
    """Editorial markers' ASCII shortcut finds the words the regex finds, on every ASCII character."""
    rng = np.random.default_rng(13)
    alphabet = [chr(c) for c in range(128)]
    for _ in range(300):
        text = "".join(rng.choice(alphabet, int(rng.integers(0, 80)))).casefold()
        assert text.translate(_ASCII_GAPS).split() == _WORDS.findall(text)
    text = "We -- I mean, we! -- said it's over/done: the so-called end_of it... again again again"
    assert text.translate(_ASCII_GAPS).split() == _WORDS.findall(text)


def test_tapered_blocks_cover_every_pair_once_and_shrink_at_the_end() -> None:
    """The align chunks cover 0..total in order, none above the block size, the last ones smaller."""
    from tracewire.corpus.reuse import _tapered

    for total, size, nproc in [(0, 2000, 2), (7, 2000, 2), (25_700, 2000, 2), (100_000, 2000, 4), (999, 1, 2)]:
        got = _tapered(total, size, nproc)
        assert [lo for lo, _ in got] == [hi for _, hi in [(0, 0), *got[:-1]]][: len(got)]
        assert (got[-1][1] if got else 0) == total
        assert all(0 < hi - lo <= size for lo, hi in got)
    sizes = [hi - lo for lo, hi in _tapered(25_700, 2000, 2)]
    assert sizes[0] == 2000 and max(sizes[-4:]) <= 2000 // 4


def test_masked_document_keeps_every_field() -> None:
    """``_with_text`` is ``dataclasses.replace`` of the text, whatever fields a document has set."""
    from dataclasses import fields, replace

    from tracewire.corpus.reuse import _with_text
    from tracewire.records import Document

    doc = Document(id="x", text="Menu Home\nThe text.", sha256="ab", source_path="f/x.txt", title="T",
                   outlet="O", date="2020-01-02", url="https://o.example/x", author="A", dateline="D",
                   fmt="html", offset_map=((0, 3),), raw_text="raw", meta={"k": 1}, version=3)
    assert len(fields(Document)) == 15  # a new field: add it to _with_text
    assert _with_text(doc, "          The text.") == replace(doc, text="          The text.")


def test_siblings_shortcut_leaves_links_without_parents_alone() -> None:
    """Links whose documents copy nothing known are kept as they are; siblings still lose their direction."""
    from tracewire.corpus.reuse import mark_siblings

    def link(s: str, t: str, known: bool, words: int) -> ReuseLink:
        return ReuseLink(s, t, known, 0.9 if known else 0.5, words, 0.5, 0.5, (Passage(0, 10, 0, 10),))

    links = [link("x", "b", True, 40), link("x", "c", True, 40), link("b", "c", True, 40), link("d", "e", False, 30)]
    got = mark_siblings(links)
    assert got[0] is links[0] and got[1] is links[1] and got[3] is links[3]
    assert not got[2].direction_known and "copy x" in got[2].evidence[-1]


def test_distinct_outlets_by_sort_equal_a_set_per_group() -> None:
    """``_distinct_outlets`` counts each anchor group's distinct outlets (brute force: a set per group)."""
    from tracewire.corpus.anchors import _distinct_outlets

    rng = np.random.default_rng(5)
    outlet = rng.integers(0, 7, 60)
    ds = rng.integers(0, 60, 400).astype(np.uint64)
    sizes = rng.integers(1, 9, 60)
    sizes = sizes[np.cumsum(sizes) <= 400]
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
    got = _distinct_outlets(ds, starts, sizes.astype(np.int64), outlet)
    want = [len({int(outlet[int(d)]) for d in ds[s : s + n]}) for s, n in zip(starts, sizes, strict=True)]
    assert got.tolist() == want


def test_lookup_both_equals_the_two_lookups() -> None:
    """One search gives what ``lookup`` and ``lookup_outlets`` give, with and without a shift and outlets."""
    from tracewire.corpus.anchors import AnchorStats

    rng = np.random.default_rng(9)
    table = np.unique(rng.integers(0, 1 << 40, 50).astype(np.uint64))
    df = rng.integers(3, 20, table.shape[0]).astype(np.int64)
    outs = rng.integers(1, 5, table.shape[0]).astype(np.int64)
    query = np.concatenate([table[::3], rng.integers(0, 1 << 40, 30).astype(np.uint64)])
    for shift in (0, 4):
        for o in (outs, None):
            st = AnchorStats(table, df, shift, 100, o)
            q = query << np.uint64(shift) if shift else query
            got_df, got_out = st.lookup_both(q)
            assert got_df.tolist() == st.lookup(q).tolist()
            assert (got_out is None) == (o is None)
            if got_out is not None:
                assert got_out.tolist() == st.lookup_outlets(q).tolist()
    empty = AnchorStats(np.empty(0, dtype=np.uint64), np.empty(0, dtype=np.int64), 0, 0, None)
    assert empty.lookup_both(query)[0].tolist() == [0] * query.shape[0]


def test_furniture_bundles_cover_every_group_once_and_shrink_at_the_end() -> None:
    """Groups go to the workers in runs that cover them all, in order, the last runs small."""
    from tracewire.corpus.furniture import _bundles

    sizes = [5000, 3000, *([100] * 50), *([20] * 30)]
    for workers in (1, 2, 4):
        got = _bundles(sizes, workers)
        assert [lo for lo, _ in got] == [0, *(hi for _, hi in got[:-1])] and got[-1][1] == len(sizes)
        assert all(hi > lo for lo, hi in got)
    got = _bundles(sizes, 2)
    assert got[0] == (0, 1) and sum(sizes[got[-1][0] : got[-1][1]]) <= 100
    assert _bundles([], 2) == [] and _bundles([3], 1) == [(0, 1)]


def test_doc_freq_order_is_the_stable_order() -> None:
    """``_DocFreq`` orders occurrences as a stable sort does: by hash, each hash's in place order."""
    rng = np.random.default_rng(9)
    for n in (0, 1, 7, 3000):
        key = rng.integers(0, max(n // 4, 1), n).astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)
        docs = np.sort(rng.integers(0, 40, n)).astype(np.int64)
        freq = _DocFreq(key, docs)
        stable = np.argsort(key, kind="stable")
        assert freq.order.tolist() == stable.tolist() and freq.docs.tolist() == docs[stable].tolist()


def test_shared_keys_equal_the_anchors_two_documents_hold(monkeypatch: pytest.MonkeyPatch) -> None:
    """Repeats dropped, then only anchors of two or more documents kept, across chunk edges (small STEP)."""
    from tracewire.corpus import anchors

    monkeypatch.setattr(anchors, "STEP", 7)
    rng = np.random.default_rng(4)
    bits = 5
    for n in (0, 1, 2, 50, 400):
        keys = (rng.integers(0, 60, n).astype(np.uint64) << np.uint64(bits)) | rng.integers(0, 6, n).astype(np.uint64)
        distinct = sorted(set(keys.tolist()))
        holders: dict[int, int] = {}
        for k in distinct:
            holders[k >> bits] = holders.get(k >> bits, 0) + 1
        want = [k for k in distinct if holders[k >> bits] >= 2]
        assert anchors._shared_keys(np.sort(keys), bits, True).tolist() == want
        assert anchors._shared_keys(np.sort(keys), bits, False).tolist() == distinct


def test_candidate_pairs_count_what_brute_force_counts() -> None:
    """Pairs (shared anchors of 2..max_df documents, at least min_shared) and the frequent anchors' statistics,
    brute force, with stats from 1 document (every anchor) and from 3."""
    from tracewire.corpus.anchors import candidate_pairs, doc_bits, pack

    rng = np.random.default_rng(8)
    ndocs = 40
    hashes = rng.integers(0, 90, 900).astype(np.uint64) << np.uint64(40)
    docs = rng.integers(0, ndocs, 900).astype(np.int64)
    assert doc_bits(ndocs) < 40  # the packed keys keep every hash apart
    held: dict[int, set[int]] = {}  # the documents of each anchor
    for h, d in zip(hashes.tolist(), docs.tolist(), strict=True):
        held.setdefault(h, set()).add(d)
    for stats_min_df in (1, 3):
        ii, jj, w, stats = candidate_pairs(pack(hashes, docs, ndocs), ndocs, max_df=6, min_shared=2,
                                           stats_min_df=stats_min_df)
        shared: dict[tuple[int, int], int] = {}
        for members in held.values():
            if 2 <= len(members) <= 6:
                ms = sorted(members)
                for x in range(len(ms)):
                    for y in range(x + 1, len(ms)):
                        shared[(ms[x], ms[y])] = shared.get((ms[x], ms[y]), 0) + 1
        want = sorted((p, c) for p, c in shared.items() if c >= 2)
        assert sorted(zip(zip(ii.tolist(), jj.tolist(), strict=True), w.tolist(), strict=True)) == want
        assert sorted(stats.df.tolist()) == sorted(len(m) for m in held.values() if len(m) >= stats_min_df)


def test_siblings_name_the_upstream_original_first_in_id_order() -> None:
    """Two copies of m and of b, where b copies m: their link names m (not b, though b comes first)."""
    from tracewire.corpus.reuse import mark_siblings

    def link(s: str, t: str, words: int) -> ReuseLink:
        return ReuseLink(s, t, True, 0.9, words, 0.5, 0.5, (Passage(0, 10, 0, 10),), evidence=("seen",))

    links = [link("m", "b", 40), link("m", "y", 40), link("m", "z", 40), link("b", "y", 40), link("b", "z", 40),
             link("z", "y", 40)]
    got = mark_siblings(links)
    last = got[-1]
    assert (last.source, last.target, last.direction_known, last.confidence) == ("y", "z", False, 0.5)
    assert last.evidence == ("seen", "both y and z copy m; the text they share is the text they take from it, "
                                     "so neither is the other's source")
    assert mark_siblings(got)[-1] is last  # marked once

