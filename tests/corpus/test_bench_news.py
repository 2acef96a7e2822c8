"""The news-like corpus of bench/reuse.py plants what issue 10 asks for (the benchmark runs by hand)."""

from __future__ import annotations

import importlib.util
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]


def _bench() -> ModuleType:
    """bench/reuse.py as a module."""
    spec = importlib.util.spec_from_file_location("bench_reuse_news", ROOT / "bench" / "reuse.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules["bench_reuse_news"] = mod
    spec.loader.exec_module(mod)
    return mod


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
    events: dict[int, list[int]] = {}
    for i, e in enumerate(c.event):
        if e >= 0:
            events.setdefault(e, []).append(i)
    assert events
    for docs in events.values():
        assert len({c.outlets[i] for i in docs}) == len(docs)
        assert not any((i, j) in pos for i in docs for j in docs if i < j)
    # the truth scores itself perfectly; furniture-only pairs count as same-outlet false links
    same_outlet = next((i, j) for i in range(n) for j in range(i + 1, n)
                       if c.outlets[i] == c.outlets[j] and (i, j) not in pos)
    d = mod.score_news(set(pos) | {same_outlet}, c, pos)
    assert d["recall"] == 1.0 and d["false_same_outlet"] == 1 and d["false_other"] == 0
