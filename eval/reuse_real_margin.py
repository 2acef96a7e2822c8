"""Margins of the reuse decisions on the dev half of eval/reuse_real: how far each labelled pair is from
flipping.

Run: ``python eval/reuse_real_margin.py [--pairs] [--json]`` (dev half only; reads ../shared/data, about 15 s).

The reuse stage is run as ``eval/reuse_real.py`` runs it (``update_reuse`` on a store of each corpus),
with ``reuse.shared_passages`` (the link test of one aligned pair) wrapped so that every call is kept
with its arguments. For every labelled dev pair that was aligned, the test is then asked again with
the word thresholds that decide it scaled together (``min_link_words``, ``min_short_words``,
``apart_words``, ``same_outlet_words``, ``quote_words``: ``SCALED``) to find the factor ``s*`` at which
its answer flips: a link that holds up to ``s*`` = 1.3 survives thresholds 30 % higher; an unlinked
pair with ``s*`` = 0.8 would be linked with thresholds 20 % lower. Each threshold is also moved alone
(``KNOBS``): the value at which the pair flips, beside the shipped one. A pair never aligned (not a
candidate) has no margin here; its shared anchors (winnowed 5-grams both documents hold) are counted
against ``min_anchors`` / ``short_min_anchors``. A link the stage drops after the test (reports of
different events, ``event_days``, ``printed_days``, ``template_fill``, ``same_outlet_events``) is shown as
such.

Prints, per label, the distribution of ``s*`` (linked reuse pairs: how far above; negatives: how far
below), the closest pairs on both sides, and with ``--pairs`` every pair. The held-out half is never
read.
"""

from __future__ import annotations

import argparse
import inspect
import json
import math
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))
from eval import reuse_real as rr  # noqa: E402  (after the path set-up above)

SCALED = ("min_link_words", "min_short_words", "apart_words", "same_outlet_words", "quote_words")
KNOBS = ("min_link_words", "apart_words", "quote_words", "same_outlet_words", "stock_rarity")
LO, HI = 1 / 16, 16.0  # the range s* is looked for in (beyond it: "<" / ">")


@dataclass
class Call:
    """One call of the link test: the pair's ids and everything it was asked with."""

    a: str
    b: str
    args: dict[str, Any]  # the test's arguments by name
    linked: bool  # what the test answered at the shipped settings
    past_ledes: bool = False  # every passage it linked on lies past the first lede_words words of both


def _capture(corpus: str) -> tuple[dict[rr.Pair, Call], rr.Links, dict[rr.Pair, tuple[int, int, int]], Any]:
    """Run the reuse stage on a corpus with the link test wrapped: (calls by pair, links, (shared anchors, days
    apart, days between the dates both print at their top or -1) of each labelled dev pair, config)."""
    import numpy as np

    from tracewire.corpus import reuse
    from tracewire.corpus.reuse import ReuseConfig, days_apart, printed_date
    from tracewire.store import SQLiteStore

    calls: dict[rr.Pair, Call] = {}
    by_text: dict[int, str] = {}
    printed: dict[str, str | None] = {}  # the date each document prints at its top (``printed_date``)  # id() of each document's text (the very object the stage reads) -> its id
    current: list[tuple[str, str]] = []
    names = ("shared_passages", "masked_documents", "_name_filter")
    real_sp, real_md, real_nf = (getattr(reuse, x) for x in names)
    sig = inspect.signature(real_sp)

    def masked(store: Any, ids: Any) -> Any:
        for d in real_md(store, ids):
            by_text[id(d.text)] = d.id
            printed[d.id] = printed_date(d.text)
            yield d

    def name_filter(text_a: str, text_b: str, *a: Any) -> Any:
        current.append((by_text.get(id(text_a), "?"), by_text.get(id(text_b), "?")))
        return real_nf(text_a, text_b, *a)

    def sp(*args: Any, **kwargs: Any) -> Any:
        out = real_sp(*args, **kwargs)
        if current:
            a, b = current.pop()
            bound = sig.bind(*args, **kwargs).arguments
            bound["memo"] = None  # weights are computed afresh under each config
            lede = ReuseConfig().lede_words
            calls[rr.key(a, b)] = Call(a, b, bound, bool(out),
                                       bool(out) and all(p.a_start >= lede and p.b_start >= lede for p in out))
        return out

    for x, f in zip(names, (sp, masked, name_filter), strict=True):
        setattr(reuse, x, f)
    try:
        with tempfile.TemporaryDirectory(prefix=f"reuse_margin_{corpus}_") as tmp:
            db = Path(tmp) / "tw.db"
            rr.ingest_corpus(corpus, db, Path(tmp))
            links = rr.tracewire_links(db)
            store = SQLiteStore(db)
            try:
                anchors = {x: set(np.frombuffer(blob, dtype="<u8").tolist()) for x, blob in store.reuse_index_anchors()}
                dates = {x: date for x, (_, date) in store.document_versions().items()}
            finally:
                store.close()
    finally:
        for x, f in zip(names, (real_sp, real_md, real_nf), strict=True):
            setattr(reuse, x, f)
    shared: dict[rr.Pair, tuple[int, int, int]] = {}
    for p in rr.load_pairs("dev"):
        if p["corpus"] == corpus:
            k = rr.key(p["a"], p["b"])
            pa, pb = printed.get(k[0]), printed.get(k[1])
            shared[k] = (len(anchors.get(k[0], set()) & anchors.get(k[1], set())),
                         days_apart(dates.get(k[0]), dates.get(k[1])),
                         days_apart(pa, pb) if pa is not None and pb is not None else -1)
    return calls, links, shared, ReuseConfig()


def _answer(call: Call, cfg: Any) -> bool:
    """The link test's answer for a kept call under another config."""
    from tracewire.corpus import reuse

    return bool(reuse.shared_passages(**{**call.args, "config": cfg}))


def _flip(call: Call, make: Callable[[float], Any], lo: float, hi: float) -> float:
    """The value of a knob in [lo, hi] (geometric bisection) above which the call's answer is no link.

    Every knob here makes the test stricter as it rises. Returns hi when the pair is linked even
    there, lo when it is not linked even there.
    """
    if _answer(call, make(hi)):
        return hi
    if not _answer(call, make(lo)):
        return lo
    a, b = lo, hi
    while b / a > 1.005:
        mid = math.sqrt(a * b)
        if _answer(call, make(mid)):
            a = mid
        else:
            b = mid
    return math.sqrt(a * b)


def _moved(cfg: Any, knob: str, value: float) -> Any:
    """The config with one knob at another value."""
    return replace(cfg, **{knob: value})


def _scaled(cfg: Any, s: float) -> Any:
    """The config with every threshold of SCALED multiplied by s."""
    return replace(cfg, **{k: getattr(cfg, k) * s for k in SCALED})


def margins(call: Call, cfg: Any) -> dict[str, float]:
    """s* and each knob's flip value for one aligned pair."""
    out = {"s": _flip(call, partial(_scaled, cfg), LO, HI)}
    for k in KNOBS:
        v = getattr(cfg, k)
        lo, hi = (0.01, 1.0) if k == "stock_rarity" else (v * LO, v * HI)
        out[k] = _flip(call, partial(_moved, cfg, k), lo, hi)
    return out


def rows() -> list[dict[str, Any]]:
    """Every labelled dev pair with its decision and margins."""
    out = []
    for corpus in rr.CORPORA:
        calls, links, shared, cfg = _capture(corpus)
        for p in rr.load_pairs("dev"):
            if p["corpus"] != corpus:
                continue
            k = rr.key(p["a"], p["b"])
            call = calls.get(k)
            anchors, days, printed_gap = shared.get(k, (0, 0, -1))
            row: dict[str, Any] = {"corpus": corpus, "a": k[0], "b": k[1], "label": p["label"],
                                   "linked": k in links, "anchors": anchors, "days": days, "printed_gap": printed_gap,
                                   "aligned": call is not None, "tested": call is not None and call.linked,
                                   "past_ledes": call is not None and call.past_ledes}
            if call is not None:
                row.update(margins(call, cfg))
            out.append(row)
    return out


def _fmt(x: float, k: str = "s") -> str:
    """A flip value; "-" where the knob alone does not flip the pair within the searched range."""
    from tracewire.corpus.reuse import ReuseConfig

    if k not in ("s", "stock_rarity"):
        v = getattr(ReuseConfig(), k)
        if x >= v * HI * 0.999 or x <= v * LO * 1.001:
            return "-"
    elif k == "s" and (x >= HI * 0.999 or x <= LO * 1.001) or k == "stock_rarity" and (x >= 0.999 or x <= 0.0101):
        return "-"
    return f"{x:.2f}"


def gaps(table: list[dict[str, Any]]) -> list[tuple[str, float, float, float, str, str]]:
    """Per threshold: (name, shipped value, the largest value at which an unlinked negative would be
    linked, the smallest at which a linked reuse pair would be lost, the nearest negative, the nearest
    reuse pair). Pairs the threshold cannot flip within the searched range, and negatives held off by a
    later rule (event_days), do not count."""
    from tracewire.corpus.reuse import ReuseConfig

    cfg = ReuseConfig()
    out = []
    for k in ("s", *KNOBS):
        ship = 1.0 if k == "s" else getattr(cfg, k)
        top = ship * (HI if k != "stock_rarity" else 1.0 / ship)
        bottom = ship * (LO if k != "stock_rarity" else 0.01 / ship)
        pos = [r for r in table if r["label"] == "reuse" and r["linked"] and r["aligned"] and r[k] < top * 0.999]
        neg = [r for r in table if r["label"] != "reuse" and not r["linked"] and r["aligned"] and r["tested"] == r["linked"]
               and r[k] > bottom * 1.001]
        p = min(pos, key=lambda r: r[k], default=None)
        n = max(neg, key=lambda r: r[k], default=None)
        out.append((k, ship, n[k] if n else math.nan, p[k] if p else math.nan,
                    f"{n['corpus']}:{n['label']}" if n else "-", f"{p['corpus']}" if p else "-"))
    return out


def report(table: list[dict[str, Any]], every: bool = False) -> str:
    """The distribution of s* per label, the gap at each threshold, the closest pairs on both sides,
    and the candidate counts."""
    from tracewire.corpus.reuse import ReuseConfig

    cfg = ReuseConfig()
    lines = ["reuse_real dev half: margins of the link test (s*: factor on every word threshold at which a pair flips)",
             f"scaled together: {', '.join(f'{k}={getattr(cfg, k)}' for k in SCALED)}", ""]
    bins = [0, 0.5, 0.67, 0.8, 0.9, 1.0, 1.1, 1.25, 1.5, 2.0, 4.0, math.inf]
    head = "".join(f"{f'<{b:g}' if b != math.inf else '>=4':>7}" for b in bins[1:])
    lines.append(f"{'label':<14}{'n':>5}{'linked':>7}{'aligned':>8}  s* in bins: {head}")
    for lab in rr.LABELS:
        rs = [r for r in table if r["label"] == lab]
        aligned = [r for r in rs if r["aligned"]]
        counts = [sum(lo <= r["s"] < hi for r in aligned) for lo, hi in zip(bins, bins[1:], strict=False)]
        lines.append(f"{lab:<14}{len(rs):>5}{sum(r['linked'] for r in rs):>7}{len(aligned):>8}  "
                     f"{'':12}{''.join(f'{c:>7}' for c in counts)}")
    dropped = [r for r in table if r["aligned"] and r["tested"] != r["linked"]]
    lines.append(f"(s* of the link test alone: {len(dropped)} pairs it passes are then dropped by event_days, "
                 "printed_days, template_fill or same_outlet_events, "
                 f"{sum(r['label'] == 'reuse' for r in dropped)} of them reuse)")
    lines += ["", "the gap at each threshold (a negative is linked at or below its value, a reuse link lost above its own):",
              f"{'threshold':<18}{'shipped':>9}{'nearest negative':>18}{'nearest reuse':>15}{'middle':>9}  where"]
    for k, ship, n, p, wn, wp in gaps(table):
        mid = math.sqrt(n * p) if n == n and p == p else math.nan
        cells = "".join(f"{x:>{w}.2f}" if x == x else f"{'-':>{w}}" for x, w in ((n, 18), (p, 15), (mid, 9)))
        lines.append(f"{k:<18}{ship:>9.2f}{cells}  {wn} / {wp}")
    lines.append("(same_outlet_words: reuse is defined across outlets, so no labelled pair is a within-outlet copy)")
    lines += ["", "closest linked reuse pairs (smallest s*) and closest negatives (largest s*):"]
    pos = sorted((r for r in table if r["label"] == "reuse" and r["aligned"]), key=lambda r: r["s"])
    neg = sorted((r for r in table if r["label"] != "reuse" and r["aligned"]), key=lambda r: -r["s"])
    lines.append(f"{'corpus':<8}{'a':<18}{'b':<18}{'label':<13}{'link':>5}{'s*':>7}"
                 + "".join(f"{k[:11]:>12}" for k in KNOBS))
    for r in (table if every else [*pos[:12], *neg[:15]]):
        head = f"{r['corpus']:<8}{r['a'][:17]:<18}{r['b'][:17]:<18}{r['label']:<13}{'yes' if r['linked'] else 'no':>5}"
        if not r["aligned"]:
            lines.append(f"{head}   not aligned ({r['anchors']} shared anchors)")
            continue
        lines.append(head + f"{_fmt(r['s']):>7}" + "".join(f"{_fmt(r[k], k):>12}" for k in KNOBS)
                     + ("" if r["linked"] == r["tested"] else "  (dropped after the test)"))
    lines += ["", f"candidates: linked reuse pairs by shared anchors (min_anchors {cfg.min_anchors}; the short path, "
              f"{cfg.short_min_anchors}, only within {cfg.wire_days} days across outlets)"]
    linked = [r for r in table if r["label"] == "reuse" and r["linked"]]
    by_anchors = {a: sum(min(r["anchors"], 10) == a for r in linked) for a in range(11)}
    lines.append("  anchors " + " ".join(f"{a if a < 10 else '10+'}:{n}" for a, n in by_anchors.items() if n))
    edge = [r for r in linked if r["anchors"] <= cfg.min_anchors and r["days"] > cfg.wire_days]
    lines.append(f"  at min_anchors and more than {cfg.wire_days} days apart (one anchor fewer: no candidate): "
                 + (", ".join(f"{r['corpus']} {r['a'][:24]} / {r['b'][:24]} ({r['days']} days)" for r in edge) or "none"))
    lines += ["", f"printed_days: pairs the test passes whose every passage lies past both ledes "
              f"({cfg.lede_words} words), by the days between the dates both print at their top "
              f"(dropped above {cfg.wire_days}; -1: one prints none)"]
    for lab in rr.LABELS:
        gaps_ = sorted(r["printed_gap"] for r in table if r["label"] == lab and r["tested"] and r["past_ledes"])
        spread = ", ".join(f"{g}: {gaps_.count(g)}" for g in sorted(set(gaps_)))
        lines.append(f"  {lab:<14}{len(gaps_):>4} pairs; days (gap: pairs) {spread}")
    lines += ["", "pairs never aligned (not candidates), by label: shared anchors (the most shared shown)"]
    for lab in rr.LABELS:
        na = sorted(r["anchors"] for r in table if r["label"] == lab and not r["aligned"])
        lines.append(f"{lab:<14}{len(na):>5} pairs; anchors {na[-8:]}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command line: print the margins of the dev half."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--pairs", action="store_true", help="print every labelled pair, not only the closest")
    ap.add_argument("--json", action="store_true", help="print the rows as JSON")
    args = ap.parse_args(argv)
    if not rr.DATA.exists():
        print(f"needs {rr.DATA} (the ../shared folder beside the checkout is absent)", file=sys.stderr)
        return 1
    table = rows()
    print(json.dumps(table, indent=1) if args.json else report(table, args.pairs))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
