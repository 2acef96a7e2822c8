"""The news-like corpus of bench/reuse.py plants what issue 10 asks for (the benchmark runs by hand)."""

from __future__ import annotations

import importlib.util
import json
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def _bench() -> ModuleType:
    """bench/reuse.py as a module."""
    spec = importlib.util.spec_from_file_location("bench_reuse_news", ROOT / "bench" / "reuse.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules["bench_reuse_news"] = mod
    spec.loader.exec_module(mod)
    return mod


def _apart_groups(group_of: list[int], c: Any, pos: Any) -> dict[int, list[int]]:
    """The documents of each group (``group_of[i]`` >= 0: a same-event report, a filled template), each
    checked to come from different outlets with no planted reuse between them."""
    groups: dict[int, list[int]] = {}
    for i, g in enumerate(group_of):
        if g >= 0:
            groups.setdefault(g, []).append(i)
    for docs in groups.values():
        assert len({c.outlets[i] for i in docs}) == len(docs)
        assert not any((i, j) in pos for i in docs for j in docs if i < j)
    return groups


def test_news_corpus_plants_furniture_stock_events_and_passages() -> None:
    """600 documents: outlet furniture at the edges, shared units across outlets, events apart."""
    mod = _bench()
    c = mod.generate_news(600, seed=3)
    n = len(c.texts)
    assert n >= 600 and len(c.outlets) == n == len(c.units) == len(c.event)
    # furniture: every document of an outlet starts with the same menu and ends with the same footer
    by_outlet: dict[str, list[str]] = {}
    for t, o in zip(c.texts, c.outlets, strict=True):
        by_outlet.setdefault(o, []).append(t)
    for o, texts in by_outlet.items():
        assert len({t.split("\n\n")[0] for t in texts}) == 1
        assert all(t.endswith(f"Copyright {o}. All rights reserved.") for t in texts)
    pos = mod.truth_news(c)
    kinds = Counter(pos.values())
    assert kinds["copy"] and kinds["passage"] and kinds["wire"]
    # every planted unit is shared across outlets; a wire unit by 3 to 50 of them
    members: dict[int, list[int]] = {}
    for i, us in enumerate(c.units):
        for u in us:
            members.setdefault(u, []).append(i)
    for u, docs in members.items():
        outlets = {c.outlets[i] for i in docs}
        assert len(outlets) == len(docs) >= 2
        if c.unit_kind[u] == "wire":
            assert 3 <= len(docs) <= 50
    # independent same-event reports: different outlets, no planted unit between them
    events = _apart_groups(c.event, c, pos)
    assert events
    # the truth scores itself perfectly; furniture-only pairs count as same-outlet false links
    same_outlet = next((i, j) for i in range(n) for j in range(i + 1, n)
                       if c.outlets[i] == c.outlets[j] and (i, j) not in pos)
    d = mod.score_news(set(pos) | {same_outlet}, c, pos)
    assert d["recall"] == 1.0 and d["false_same_outlet"] == 1 and d["false_other"] == 0


def test_passim_pairs_are_scored_against_the_planted_truth(tmp_path: Path) -> None:
    """A hand-made passim pairs file: one pair per document pair, either order, scored per kind."""
    mod = _bench()
    # d0..d5; units: 0 copy (d0, d1), 1 passage (d2, d3), 2 wire (d0, d3, d4); d1 and d4 report one event
    c = mod.Corpus(texts=["a"] * 6, family=[0, 0, 1, 1, 2, -1],
                   outlets=["A", "B", "A", "C", "D", "A"],
                   units=[{0, 2}, {0}, {1}, {1, 2}, {2}, set()],
                   unit_kind={0: "copy", 1: "passage", 2: "wire"},
                   event=[-1, 0, -1, -1, 0, -1])
    pos = mod.truth_news(c)
    assert pos == {(0, 1): "copy", (2, 3): "passage", (0, 3): "wire", (0, 4): "wire", (3, 4): "wire"}
    rows = [("d0000001", "d0000000", 0, 80, 5, 85), ("d0000000", "d0000001", 100, 190, 120, 210),
            ("d0000002", "d0000003", 10, 70, 300, 360), ("d0000003", "d0000000", 0, 60, 0, 60),
            ("d0000000", "d0000005", 0, 55, 0, 55), ("d0000001", "d0000004", 40, 95, 12, 67)]
    lines = [json.dumps({"id": a, "id2": b, "begin": b0, "end": e0, "begin2": b1, "end2": e1, "matches": e0 - b0})
             for a, b, b0, e0, b1, e1 in rows]
    path = tmp_path / "pairs.jsonl"
    path.write_text("\n".join(lines[:3]) + "\n\n" + "\n".join(lines[3:]) + "\n", encoding="utf-8")
    found = mod.passim_pairs(path)
    assert found == {(0, 1), (2, 3), (0, 3), (0, 5), (1, 4)}
    d = mod.score_news(found, c, pos)
    assert (d["recall_copy"], d["recall_passage"]) == (1.0, 1.0)
    assert abs(d["recall_wire"] - 1 / 3) < 1e-9
    assert d["recall"] == d["precision"] == 3 / 5
    assert (d["false_same_outlet"], d["false_same_event"], d["false_other"]) == (1, 1, 0)
    assert mod.score(found, set(pos), set(pos)) == (3 / 5, 3 / 5)


def test_passage_pairs_left_under_twelve_common_words_are_named() -> None:
    """short_after_edits names the passage pairs whose printed copies keep fewer than 12 words in common,
    and recall_passage12 leaves only those out."""
    from difflib import SequenceMatcher

    mod = _bench()
    c = mod.generate_news(3000, seed=7)
    pos = mod.truth_news(c)
    short = mod.short_after_edits(c, pos)
    assert short and all(pos[p] == "passage" for p in short)
    unit_of: dict[int, list[int]] = {}
    for d, u in c.shown:
        unit_of.setdefault(d, []).append(u)
    for i, j in pos:
        if pos[(i, j)] != "passage":
            continue
        u = next(x for x in unit_of[i] if x in unit_of[j])
        a, b = c.shown[(i, u)].split(), c.shown[(j, u)].split()
        common = sum(m.size for m in SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks())
        assert ((i, j) in short) == (common < 12)
    passages = {p for p, k in pos.items() if k == "passage"}
    d = mod.score_news(passages - short, c, pos, short)
    assert d["recall_passage12"] == 1.0 and d["recall_passage"] < 1.0
    assert d["passage12"] == len(passages) - len(short)


def test_news_corpus_plants_copies_with_changed_figures_and_filled_templates() -> None:
    """Copies of a casualty report whose lede has other figures and another monitor (positives), and one
    template filled for other events by other outlets (negatives: no planted unit, a filled-template false
    link)."""
    import re
    from difflib import SequenceMatcher

    mod = _bench()
    c = mod.generate_news(2000, seed=3)
    pos = mod.truth_news(c)
    figures = [k for k, v in pos.items() if v == "figures"]
    assert figures
    for i, j in figures:
        assert c.outlets[i] != c.outlets[j]
        la, lb = (re.findall(r"[^\W_]+", c.texts[d].split("\n\n")[1].split(". ")[0]) for d in (i, j))
        subs = [(la[a0:a1], lb[b0:b1]) for op, a0, a1, b0, b1 in
                SequenceMatcher(None, la, lb, autojunk=False).get_opcodes() if op == "replace"]
        assert all(x[0].isdigit() == y[0].isdigit() for x, y in subs)  # figures for figures, names for names
        assert any(x[0].isdigit() for x, _ in subs) and any(x[0][:1].isupper() for x, _ in subs)
        assert la[-1] == lb[-1] == "said"  # the monitor credited in both
    groups = _apart_groups(c.template, c, pos)
    assert groups and all(len(docs) >= 2 for docs in groups.values())
    i, j = groups[0][:2]
    d = mod.score_news(set(pos) | {(i, j)}, c, pos)
    assert d["recall_figures"] == 1.0 and d["false_template"] == 1 and d["false_other"] == 0
