"""Precision audit of the document votes on real output (issue 14): where votes on and off disagree on the top 1.

Run: ``python eval/factcheck_votes_audit.py --db FILE [--per-stratum 20] [--seed 2929]`` on a FA-KES store with
EUvsDisinfo imported and ``tracewire analyze`` run (as for ``eval/factcheck_dev.py``). It matches every check-worthy
claim of the store with ``match_claims`` twice on the same index and vectors, the shipped ``MatchConfig()`` (document
votes on) and ``MatchConfig(doc_votes=False)`` (the first stage alone), without inheritance, and keeps the claims
whose stored top-1 case differs (cases compared by content, so a repeated EUvsDisinfo case counts once); the
documents of the dev gold (``eval/factcheck_dev_gold.json``) are left out whole, and the seeds are never read. Each
kept claim falls in one stratum by what raised its votes-on top 1 (X) over the votes-off top 1:

- ``date``: X is dated within 30 days of the article and, ranked with the shipped votes less the date term (log
  votes alone), X would not be first: the date term decided;
- ``votes``: X is not within 30 days of the article, so the date term added nothing to it: the votes alone did;
- ``mixed``: X is within 30 days but would be first on the votes alone too (counted, not sampled).

It draws ``--per-stratum`` claims from ``date`` and from ``votes`` (``random.Random(seed)``, each pool sorted by
doc and offset first) and prints, for a person to judge, each claim with its sentence context and both top-1 cases
(row, date, days from the article, votes, scores with and without the votes, confidence, claim_reviewed). The
judging rule is the dev gold's (its ``_comment``): a case counts when its disinformation message is the story the
claim tells or reports someone telling; a case about the same event or theme whose message the claim contradicts or
only touches does not. ``--judged FILE`` (``eval/factcheck_votes_audit.json``: ids, offsets, stratum, label, short
note; never text) prints the counts per stratum: ``on`` (only the votes-on case tells the claim's narrative),
``off`` (only the votes-off case), ``both`` (both do), ``neither``.

``--recheck --db FILE`` matches the store again with the document votes shipped now and prints, for the judged
claims, how many keep their judged votes-on top 1 (``on_row``), fall back to the votes-off one (``off_row``) or get
another case (not judged), with what the labels say that costs or gains (session 30: the date weight halved, 3.319 ->
1.660).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

GOLD_FILE = Path(__file__).parent / "factcheck_dev_gold.json"
JUDGED_FILE = Path(__file__).parent / "factcheck_votes_audit.json"
SEED = 2929
LABELS = ("on", "off", "both", "neither")


def main(argv: Sequence[str] | None = None) -> int:
    """Draw the sample and print it (or, with ``--judged``, the counts of the judgements)."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--db", type=Path, help="a FA-KES store with EUvsDisinfo imported and analysed")
    ap.add_argument("--per-stratum", type=int, default=20)
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--narrative", action="store_true",
                    help="draw only among claims that pass the narrative gate (``narrative_gate``: they accuse or take a "
                         "stance, or a pack's cue says they tell a narrative), those whose matches can be confident")
    ap.add_argument("--confident", action="store_true",
                    help="draw only among claims whose votes-on top 1 is confident (``is_confident``)")
    ap.add_argument("--context", type=int, default=300, help="characters of the article shown each side of the claim")
    ap.add_argument("--judged", type=Path, nargs="?", const=JUDGED_FILE,
                    help="print the counts of a judgements file instead (default eval/factcheck_votes_audit.json)")
    ap.add_argument("--recheck", action="store_true",
                    help="re-match the judged claims with the votes shipped now and count the top 1s that changed")
    args = ap.parse_args(argv)
    if args.recheck:
        if args.db is None:
            ap.error("--recheck needs --db")
        return recheck(args.db, json.loads((args.judged or JUDGED_FILE).read_text(encoding="utf-8")))
    if args.judged:
        return counts(json.loads(args.judged.read_text(encoding="utf-8")))
    if args.db is None:
        ap.error("--db is needed to draw the sample")
    for stratum, c, on, off in draw(args.db, args.per_stratum, args.seed, args.context,
                                         args.narrative, args.confident):
        print(f"\n=== {stratum}  {c['doc']}:{c['start']}-{c['end']}  {c['outlet']}  {c['date']}  rules {c['rules']}")
        print(f"claim: {c['text']}")
        print(f"context: ...{c['context']}...")
        for name, m in (("ON ", on), ("OFF", off)):
            if m is None:
                print(f"{name}: no stored match")
                continue
            print(f"{name}: row {m['row']} ({m['date']}, {m['days']} days) votes {m['votes']} score on {m['on']:.3f} "
                  f"off {m['off']:.3f} on-rank {m['on_rank']} off-rank {m['off_rank']} {m['confident']}")
            print(f"     {m['claim']}")
    return 0


def _matching_inputs(db: Path) -> tuple[Any, Any, Any, Any, list[dict[str, Any]], Any]:
    """What matching reads from a store, as ``analyze`` builds it: (store, its FactcheckStore, the
    fact-check index, the shipped MatchConfig, the check-worthy claims, their vectors)."""
    from tracewire import settings
    from tracewire.corpus.factcheck import MatchConfig, build_index, embed
    from tracewire.store import open_store
    from tracewire.store.factchecks import FactcheckStore

    store = open_store(db)
    fs = FactcheckStore.of(store)
    index, _ = build_index(store, settings.packs())
    cfg = MatchConfig()
    claims = fs.claims(cfg.min_checkworthy)
    vecs, _ = embed(fs, [c["text"] for c in claims])
    return store, fs, index, cfg, claims, vecs


def draw(db: Path, per_stratum: int, seed: int, context: int, narrative: bool = False,
         confident: bool = False) -> list[tuple[str, dict[str, Any], dict[str, Any] | None, dict[str, Any] | None]]:
    """The drawn claims: (stratum, claim with its context, votes-on top 1, votes-off top 1)."""
    from tracewire.corpus.factcheck import (
        NO_VOTES,
        MatchConfig,
        _days,
        claim_rules,
        is_confident,
        match_claims,
        narrative_gate,
        shipped_reranker,
        shipped_votes,
    )

    gold_docs = {g["doc"] for g in json.loads(GOLD_FILE.read_text(encoding="utf-8"))["claims"]}
    store, fs, index, cfg, claims, vecs = _matching_inputs(db)
    reranker = shipped_reranker()
    shipped = shipped_votes()
    no_date = replace(shipped, terms=tuple(t for t in shipped.terms if t[0] != "within_30_days"))
    on = match_claims(index, claims, vecs, reranker, cfg)
    off = match_claims(index, claims, vecs, reranker, MatchConfig(doc_votes=False), votes=NO_VOTES)
    votes_only = match_claims(index, claims, vecs, reranker, cfg, votes=no_date)

    def top(ms: dict[Any, Any], c: dict[str, Any]) -> str | None:
        got = ms.get((c["doc"], c["start"], c["end"]))
        return index.keys[index.pos[got[0].factcheck]] if got else None

    pools: dict[str, list[dict[str, Any]]] = {"date": [], "votes": [], "mixed": []}
    for c in claims:
        if c["doc"] in gold_docs or (narrative and narrative_gate(claim_rules(c), index.cues.told(c["text"]))):
            continue
        x, y = top(on, c), top(off, c)
        if x == y or (confident and not is_confident(on[(c["doc"], c["start"], c["end"])][0])):
            continue
        fc_x = index.fcs[index.pos[on[(c["doc"], c["start"], c["end"])][0].factcheck]] if x else None
        near = fc_x is not None and (d := _days(c.get("date"), fc_x.date)) is not None and d <= 30
        stratum = "votes" if not near else "mixed" if top(votes_only, c) == x else "date"
        pools[stratum].append(c)
    print(f"{len(claims)} check-worthy claims, {sum(len(p) for p in pools.values())} outside the dev documents with "
          f"another top 1 with the votes on than off{' (narrative gate passed)' if narrative else ''}"
          f"{' (votes-on top 1 confident)' if confident else ''}: date {len(pools['date'])}, votes {len(pools['votes'])}, "
          f"mixed {len(pools['mixed'])} (seed {seed}, {per_stratum} drawn per stratum from date and votes)")
    for stratum, pool in pools.items():
        tops = Counter(index.fcs[index.pos[on[(c["doc"], c["start"], c["end"])][0].factcheck]].row for c in pool
                       if on.get((c["doc"], c["start"], c["end"])))
        absent = sum(1 for c in pool if top(on, c) not in {index.keys[index.pos[m.factcheck]]
                                                          for m in off.get((c["doc"], c["start"], c["end"]), [])})
        sure = sum(1 for c in pool if (got := on.get((c["doc"], c["start"], c["end"]))) and is_confident(got[0]))
        print(f"  {stratum}: votes-on top 1 confident for {sure}, not among the votes-off stored matches at all for "
              f"{absent} of {len(pool)}; most frequent votes-on top-1 rows: "
              + ", ".join(f"{r} x{n}" for r, n in tops.most_common(5)))
    rng = random.Random(seed)
    texts = dict(fs.conn.execute("SELECT id, text FROM current_documents"))

    def info(ms: dict[Any, Any], c: dict[str, Any], key: str | None) -> dict[str, Any] | None:
        if key is None:
            return None
        mine = ms[(c["doc"], c["start"], c["end"])][0]
        fc = index.fcs[index.pos[mine.factcheck]]
        ranks = {name: next((m.rank for m in got.get((c["doc"], c["start"], c["end"]), [])
                             if index.keys[index.pos[m.factcheck]] == key), None)
                 for name, got in (("on", on), ("off", off))}
        scores = {name: next((m.score for m in got.get((c["doc"], c["start"], c["end"]), [])
                              if index.keys[index.pos[m.factcheck]] == key), float("nan"))
                  for name, got in (("on", on), ("off", off))}
        votes = next((ln for ln in mine.evidence if ln.startswith("the article's other claims")), "")
        return {"row": fc.row, "date": fc.date, "days": _days(c.get("date"), fc.date),
                "votes": votes.split(": ", 1)[1].split(" ")[0] if votes else 0, "on": scores["on"],
                "off": scores["off"], "on_rank": ranks["on"], "off_rank": ranks["off"],
                "confident": "confident" if is_confident(mine) else "low confidence", "claim": fc.claim_reviewed}

    out = []
    for stratum in ("date", "votes"):
        pool = sorted(pools[stratum], key=lambda c: (c["doc"], c["start"]))
        for c in sorted(rng.sample(pool, min(per_stratum, len(pool))), key=lambda c: (c["doc"], c["start"])):
            text = texts[c["doc"]]
            c = {**c, "context": " ".join(text[max(0, c["start"] - context):c["end"] + context].split())}
            out.append((stratum, c, info(on, c, top(on, c)), info(off, c, top(off, c))))
    store.close()
    return out


def recheck(db: Path, judged: dict[str, Any]) -> int:
    """Top 1 of each judged claim with the shipped ``MatchConfig()`` now, against its judged ``on_row`` and
    ``off_row`` (distinct claims: the samples overlap)."""
    from tracewire.corpus.factcheck import (
        match_claims,
        shipped_reranker,
        shipped_votes,
    )

    store, fs, index, cfg, claims, vecs = _matching_inputs(db)
    now = match_claims(index, claims, vecs, shipped_reranker(), cfg)
    store.close()
    key_of_row = {fc.row: index.keys[i] for i, fc in enumerate(index.fcs)}
    rows: dict[tuple[str, int], dict[str, Any]] = {}
    for r in judged["claims"]:
        rows.setdefault((r["doc"], r["start"]), r)
    tally: Counter[tuple[str, str, str]] = Counter()
    for (doc, start), r in sorted(rows.items()):
        got = next((ms for (d, s, _), ms in now.items() if d == doc and s == start), None)
        key = index.keys[index.pos[got[0].factcheck]] if got else None
        where = ("on_row" if key == key_of_row.get(r["on_row"]) else "off_row" if key == key_of_row.get(r["off_row"])
                 else "other")
        tally[(r["stratum"], where, r["label"])] += 1
        if where != "on_row":
            print(f"  {doc}:{start} ({r['stratum']}, judged {r['label']}): top 1 now {where}"
                  + (f" (row {index.fcs[index.pos[got[0].factcheck]].row})" if got and where == "other" else ""))
    print(f"shipped votes {shipped_votes().terms}: {len(rows)} distinct judged claims")
    for stratum in ("date", "votes"):
        for where in ("on_row", "off_row", "other"):
            n = {lab: tally[(stratum, where, lab)] for lab in LABELS}
            if sum(n.values()):
                print(f"  {stratum:<6} top 1 {where:<8} {sum(n.values()):>3}: " + ", ".join(f"{k} {v}" for k, v in n.items()))
    return 0


def counts(judged: dict[str, Any]) -> int:
    """Counts of the judgements per sample (the draw's options) and stratum, with up to five example ids per label."""
    rows = judged["claims"]
    for sample in dict.fromkeys(r["sample"] for r in rows):
        print(f"sample {sample}:")
        for stratum in ("date", "votes", "all"):
            mine = [r for r in rows if r["sample"] == sample and (stratum == "all" or r["stratum"] == stratum)]
            n = Counter(r["label"] for r in mine)
            print(f"  {stratum:<6} {len(mine)} claims: " + ", ".join(f"{lab} {n[lab]}" for lab in LABELS))
            if stratum != "all":
                for lab in LABELS:
                    ids = [f"{r['doc']}:{r['start']}" for r in mine if r["label"] == lab][:5]
                    if ids:
                        print(f"    {lab}: {', '.join(ids)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
