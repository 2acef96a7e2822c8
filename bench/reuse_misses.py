"""Why tracewire misses planted short passages of ``bench/reuse.py``'s news corpus: a diagnosis.

For every pair of documents that share a planted ``passage`` unit (12-60 words inside 2-4
otherwise unrelated articles of different outlets), the stage is replayed step by step on the
masked texts: is the passage intact after furniture masking, how many anchors do the two share
(candidate generation needs ``min_anchors`` of df <= ``max_df``), what does alignment find
(``min_passage_words``), what weight does the link test give it (rarity, outlet repeat) and
does ``find_reuse`` link the pair. Prints recall by passage length and by edits, and the stage
that drops each missed pair, with counts.

    TRACEWIRE_SHARED=/work/shared PYTHONPATH=. .venv/bin/python bench/reuse_misses.py --size 10000
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from reuse import generate_news, truth_news  # noqa: E402

from tracewire.corpus.align import AlignConfig, align, prepare_many  # noqa: E402
from tracewire.corpus.anchors import candidate_pairs  # noqa: E402
from tracewire.corpus.furniture import learn_all, mask  # noqa: E402
from tracewire.corpus.reuse import (  # noqa: E402
    ReuseConfig,
    _rank,
    find_reuse,
    heaviest_run,
    index_keys,
    index_texts,
    outlet_known,
    outlet_numbers,
    passage_weight,
    rare_docs,
    repeat,
    shared_passages,
    short_run_words,
)
from tracewire.corpus.shingles import TokenHasher, tokenize_many  # noqa: E402
from tracewire.records import Document  # noqa: E402

BINS = ((12, 14), (15, 19), (20, 29), (30, 60))


def length_bin(n: int) -> str:
    """The label of the length bin of an n-word passage."""
    for lo, hi in BINS:
        if lo <= n <= hi:
            return f"{lo}-{hi}"
    return "other"


def main(argv: list[str] | None = None) -> int:
    """Replay the stage on every planted passage pair and print where the missed ones fall out."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=int, default=10_000)
    ap.add_argument("--min-anchors", type=int, default=None, help="try another ReuseConfig.min_anchors")
    ap.add_argument("--set", nargs="*", default=[], metavar="KNOB=VALUE",
                    help="try other ReuseConfig knobs (ints or floats), e.g. --set short_min_anchors=4 rare_df=2")
    args = ap.parse_args(argv)
    c = generate_news(args.size)
    pos = truth_news(c)
    knobs: dict[str, object] = {}
    aligner: dict[str, int] = {}
    for kv in args.set:
        name, value = kv.split("=", 1)
        if name.startswith("align."):  # AlignConfig's knobs: align.min_passage_words=9
            aligner[name[6:]] = int(value)
        else:
            knobs[name] = type(getattr(ReuseConfig(), name))(value)
    if aligner:
        knobs["align"] = AlignConfig(**aligner)
    if args.min_anchors is not None:
        knobs["min_anchors"] = args.min_anchors
        knobs.setdefault("short_min_anchors", min(args.min_anchors, ReuseConfig().short_min_anchors))
    cfg = ReuseConfig(**knobs)  # type: ignore[arg-type]
    docs = [Document(id=f"d{i:07d}", text=t, sha256="", source_path="", outlet=o)
            for i, (t, o) in enumerate(zip(c.texts, c.outlets, strict=True))]
    links = find_reuse(docs, cfg)
    found = {tuple(sorted((int(lk.source[1:]), int(lk.target[1:])))) for lk in links}
    wrong = {p for p in found if p not in pos}
    # the stage, replayed: furniture masked, anchors, candidates with their frequency statistics
    furniture, _, group = learn_all(docs, cfg.furniture)
    mdocs = [mask(d, furniture[d.id]) for d in docs]
    ids = [d.id for d in docs]
    keys = index_keys([d.text for d in mdocs], cfg, len(docs))
    ii, jj, _, stats = candidate_pairs(keys, len(docs), max_df=cfg.max_df, min_shared=cfg.min_anchors,
                                       stats_min_df=cfg.stats_min_df, rank=_rank([None] * len(docs), ids),
                                       mass_min_shared=cfg.mass_min_anchors, outlet=outlet_numbers(ids, group),
                                       short_min_shared=cfg.short_min_anchors, known=outlet_known(ids, group),
                                       one_max_df=cfg.one_anchor_df)
    cand = set(zip(ii.tolist(), jj.tolist(), strict=True))
    unit_of = {}
    for (d, u) in c.shown:
        unit_of.setdefault(d, []).append(u)
    rows = []
    hasher = TokenHasher()
    for (i, j), kind in sorted(pos.items()):
        if kind != "passage":
            continue
        u = next(x for x in unit_of[i] if x in unit_of[j])
        words = len(c.unit_text[u].split())
        si, sj = c.shown[(i, u)], c.shown[(j, u)]
        edited = (si != c.unit_text[u]) + (sj != c.unit_text[u])
        intact = si in mdocs[i].text and sj in mdocs[j].text
        row = {"words": words, "edited": edited, "linked": (i, j) in found, "intact": intact}
        # shared anchors of the pair, and those candidate generation counts (df <= max_df)
        idx = index_texts([mdocs[i].text, mdocs[j].text], hasher, cfg)
        ai = np.unique(idx.anchors[idx.owners == 0])
        aj = np.unique(idx.anchors[idx.owners == 1])
        common = np.intersect1d(ai, aj)
        df = stats.lookup(common)
        row["anchors"] = int(common.size)
        row["anchors_ok"] = int(((df == 0) | (df <= cfg.max_df)).sum())
        row["candidate"] = (i, j) in cand
        # shared 5-grams between the two printed passages (what an anchor could be drawn from)
        ti = hasher.words_many([si])[0]
        tj = hasher.words_many([sj])[0]
        n = cfg.align.n
        gi = {tuple(ti[k:k + n].tolist()) for k in range(len(ti) - n + 1)}
        gj = {tuple(tj[k:k + n].tolist()) for k in range(len(tj) - n + 1)}
        row["shared_5grams"] = len(gi & gj)
        # alignment and the link test as _align_block runs them (different outlets, no dates, no quotes)
        h, _, _, offs = tokenize_many([mdocs[i].text, mdocs[j].text])
        pa, pb = prepare_many(h, offs, n, cfg.window, stats)
        al = align(pa, pb, cfg.align)
        row["aligned"] = max((p.matched for p in al), default=0)
        # weighed as shared_passages weighs them: a short passage by its heaviest run (heaviest_run)
        runs = [heaviest_run(p, n, cfg.edit_words, cfg.align.min_passage_words) if p.matched < cfg.full_words else p
                for p in al]
        extras = short_run_words(runs, pa.words, pb.words, cfg, al, stats.known_outlets)
        rare = (rare_docs(cfg, stats.known_outlets), cfg.rare_share, stats.known_outlets)
        row["weight"] = max((passage_weight(p, stats.ndocs, cfg.full_words, cfg.stock_repeat, None, x, rare)
                             for p, x in zip(runs, extras, strict=True)), default=0.0)
        row["repeat"] = max((repeat(p) for p in al), default=0.0)
        row["test"] = bool(shared_passages(pa, pb, cfg, stats.ndocs, found=al, outlets=stats.known_outlets))
        if row["linked"]:
            row["why"] = "linked"
        elif not intact:
            row["why"] = "furniture masked part of it"
        elif not row["candidate"]:
            row["why"] = f"not a candidate (< {cfg.short_min_anchors} shared anchors)"
        elif not al:
            row["why"] = f"no aligned passage of {cfg.align.min_passage_words}+ matching words"
        elif row["repeat"] >= cfg.stock_repeat:
            row["why"] = "outlet repeat (formula)"
        elif not row["test"]:
            row["why"] = f"weight < {cfg.min_link_words} (rarity)"
        else:
            row["why"] = "other"
        rows.append(row)
    for lk in links:  # what each false link shares (a planted-truth miss of the bench, or a real false link)
        pair = tuple(sorted((int(lk.source[1:]), int(lk.target[1:]))))
        if pair in wrong:
            src = docs[int(lk.source[1:])].text
            same = "same outlet" if c.outlets[pair[0]] == c.outlets[pair[1]] else "other outlets"
            print(f"false link {lk.source} -> {lk.target} ({same}, kind {lk.kind}, {lk.shared_words} words):",
                  " | ".join(repr(src[p.source_start:p.source_end]) for p in lk.passages))
    total = len(rows)
    linked = sum(r["linked"] for r in rows)
    print(f"documents {len(docs)}; passage pairs {total}; linked {linked} (recall {linked / total:.4f}); "
          f"false links {len(wrong)}; min_anchors {cfg.min_anchors} (other outlets {cfg.short_min_anchors}), "
          f"rare_df {cfg.rare_df} (outlet share {cfg.rare_share}), edit_words {cfg.edit_words}")
    print("\nrecall by passage length (words) and by how many of the two copies are edited:")
    print(f"{'words':>8} {'edited':>7} {'pairs':>6} {'linked':>7} {'recall':>7}")
    for lo, hi in BINS:
        for ed in (0, 1, 2):
            sel = [r for r in rows if lo <= r["words"] <= hi and r["edited"] == ed]
            if sel:
                k = sum(r["linked"] for r in sel)
                print(f"{lo:>3}-{hi:<4} {ed:>7} {len(sel):>6} {k:>7} {k / len(sel):>7.3f}")
    print("\nmissed pairs by the step that drops them:")
    for why, k in Counter(r["why"] for r in rows if not r["linked"]).most_common():
        print(f"  {k:5d}  {why}")
    miss = [r for r in rows if not r["linked"]]
    print("\nmissed pairs by length bin x edited copies (0/1/2):")
    tab = Counter((length_bin(r["words"]), r["edited"]) for r in miss)
    for (b, ed), k in sorted(tab.items()):
        print(f"  {b:>6} edited {ed}: {k}")
    print("\nmissed, not candidates: shared anchors (df <= max_df) -> pairs:",
          dict(sorted(Counter(r["anchors_ok"] for r in miss if not r["candidate"]).items())))
    print("missed, not candidates: shared 5-grams of the printed passages -> pairs:",
          dict(sorted(Counter(r["shared_5grams"] for r in miss if not r["candidate"]).items())))
    print("linked: shared anchors -> pairs:",
          dict(sorted(Counter(min(r["anchors_ok"], 10) for r in rows if r["linked"]).items())))
    cm = [r for r in miss if r["candidate"]]
    if cm:
        print("missed candidates: (aligned matched words, weight) ->",
              sorted((r["aligned"], round(r["weight"], 1)) for r in cm)[:40])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
