"""FA-KES claims against EUvsDisinfo: the narrative-matching DEV set of issue 14 (the seeds stay the acceptance set).

Run: ``python eval/factcheck_dev.py --db FILE`` on a store where FA-KES was ingested (``tracewire ingest
../shared/data/fakes/FA-KES-Dataset.csv --field id=unit_id --field text=article_content --field outlet=source``),
``tracewire factchecks import ../shared/data/euvsdisinfo/full_dataset_formatted.csv`` ran and ``tracewire analyze``
ran (it stores the claims and the vectors this reads). For each claim of ``eval/factcheck_dev_gold.json`` (drawn by
``eval/factcheck_dev_draw.py``, judged by a person: the protocol is the gold's ``_comment``) it runs the matcher
as ``tracewire analyze`` does (``match_claims`` over every check-worthy claim of the dev documents, so that each
claim's article may vote: re-ranker, document votes, floors, top 5, repeated cases shown once; ``--no-votes``: the
first stage alone, without the document votes the shipped ``MatchConfig`` applies since session 29; ``--linear-votes``:
session 28's votes, 0.65 x votes, measured and not shipped) and prints whether a same-narrative case is in the top 3, the rank of the best
one among the ranked candidates (``-`` when no retriever found it), then: the top-3 and top-10 counts over claims with a same-narrative case, the rank
distribution, and the false top-3 rate (claims judged to have no such case that still get a match in their top 3;
and how many of those get one that is not in the claim's ``related`` cases either); then the same two counts over
the confident matches only (``MatchConfig.low_confidence``: those whose evidence does not open with "low confidence").
A case counts when its row is in the gold or it repeats a gold row's case (same content words).

``--variants`` also prints the measured alternatives (issue 14 notes): the best rank of a same-narrative case under
other orderings (retrieval depth 50 and 100, dense alone, BM25 alone, reciprocal-rank fusion of the two, the re-ranked
candidates raised by the share of pack actors the claim and the case both name), and the confident top-3 hits and
false top 3 per half of the dev set under the confidence gates before and after their session-27 re-fit (floor, the
claim gate ``narrative_gate`` and the packs' narrative cues, retriever agreement, ``confident_score`` and the
cosine branch): the trade-off table of the README; these rank the dev claims alone, without document votes (the
session-27 tables). ``--split choose|confirm`` scores one half (by document; a
variant is chosen on 'choose' and confirmed on 'confirm'). ``--depth N`` sets the retrieval depth before re-ranking (``MatchConfig.depth``); ``--query actors|source|places``
(repeatable, ``--query-dense`` to re-encode too) lengthens each claim's query with what the store resolved about it
(session 30: measured, none shipped; README). ``--corpus`` also prints what the stage would store for
every check-worthy claim of the store (copies inheriting) under the gates before and after the session-27 re-fit,
without document votes, with session 28's linear votes and with the shipped ones (session 29).

Session 31 (helper fc21), measured on 'choose' and none shipped (README, "Session 31"; shipped: 18 of 23 in the top 3,
18 in the top 10, confident 14 of 23, confident false 38 of 94): ``--rrf W`` adds W x reciprocal-rank fusion of the
dense and BM25 ranks to the re-ranker's logit (W 0.5 / 1 / 2 / 4 / 8: 18 of 23, W 16: 16, W 50, about RRF alone: 10;
confident false 49 at every W, since the fused score is the one confidence reads); ``--dense-context
title|prev|title-mean|prev-mean`` encodes the claim with its article's title or the sentence before it (9 and 14 of
23), or adds their vector with ``--context-weight`` 0.15 / 0.3 / 0.5 (title 17, 16, 12; sentence before 17, 16, 14);
``--query title`` adds the title to the BM25 query and the overlaps only (17, top 10 20, confident false 39);
``--case-parts keywords|disproof`` gives each case its summary with its keywords (17) or the first two sentences of its
disproof (18, nothing changes) as more parts of the best-part cosine; ``--dense-score best|whole`` scores a case by
its best part alone, the multi-vector max-sim (16), or the whole summary alone (16) instead of their mean;
``--keyword-votes W --keyword-df N``, a narrative-level step after the document votes, raises each case by W x the
largest share of the article's claims whose first 10 cases share one of its EUvsDisinfo keywords (keywords of at most
N cases): N 100, W 0.5 / 1 / 2: 18, 17, 16; N 250, W 0.5 / 1 / 2 / 4 / 8 and N 1000, W 4 / 8: 18 (top 10 18 -> 20).
``--dense-context`` and ``--case-parts`` encode new texts and store their vectors in the store (work on a copy).
"""

from __future__ import annotations

import argparse
import json
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


def main(argv: Sequence[str] | None = None) -> int:
    """Print the dev table and the figures."""
    from tracewire import settings
    from tracewire.corpus.factcheck import (
        NO_VOTES,
        DocVotes,
        MatchConfig,
        build_index,
        content_words,
        embed,
        is_confident,
        match_claims,
        shipped_reranker,
        shipped_votes,
    )
    from tracewire.store import open_store
    from tracewire.store.factchecks import FactcheckStore

    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--db", type=Path, required=True)
    ap.add_argument("--quiet", action="store_true", help="the figures only, not the table")
    ap.add_argument("--variants", action="store_true", help="also the measured alternative orderings and floors")
    ap.add_argument("--corpus", action="store_true",
                    help="also what the stage would store for every check-worthy claim of the store, before and after "
                         "the session-27 re-fit (claims with a match, with a confident one; matches, confident ones)")
    ap.add_argument("--no-votes", action="store_true",
                    help="rank with the first stage alone (no document votes; the shipped MatchConfig applies them)")
    ap.add_argument("--linear-votes", action="store_true",
                    help="rank with session 28's document votes (0.65 x votes; measured, not shipped)")
    ap.add_argument("--split", choices=("all", "choose", "confirm"), default="all",
                    help="the claims of one half (the gold's split, by document: choose a variant on one, confirm on the other)")
    ap.add_argument("--depth", type=int, default=MatchConfig().depth,
                    help="candidates from each retriever before re-ranking (MatchConfig.depth; session 30 measured 50 and 100)")
    ap.add_argument("--query", choices=QUERY_EXTRAS, action="append", default=[],
                    help="append to each claim's query text what the store resolved about it (session 30, measured, not "
                         "shipped): its canonical pack actors, its resolved source, its places' gazetteer names; session 31: "
                         "its article's title")
    ap.add_argument("--query-dense", action="store_true",
                    help="with --query, encode the longer query for the dense retriever too (default: BM25 and the "
                         "word and entity overlaps only)")
    ap.add_argument("--dense-context", choices=DENSE_CONTEXT,
                    help="session 31, measured: the claim's dense vector with its article's title or the sentence "
                         "before it: encoded together ('title', 'prev') or the claim's vector plus --context-weight x "
                         "the context's, renormalised ('title-mean', 'prev-mean'); BM25 reads the claim alone")
    ap.add_argument("--context-weight", type=float, default=0.5, help="with --dense-context *-mean (default 0.5)")
    ap.add_argument("--rrf", type=float, default=0.0, metavar="W",
                    help="session 31, measured: add W x reciprocal-rank fusion of the two retrievers' ranks "
                         "(1/(60 + r), scaled to 1 for both at rank 1) to the re-ranker's logit")
    ap.add_argument("--case-parts", choices=CASE_PARTS, action="append", default=[],
                    help="session 31, measured: more case texts for the dense retriever's best part: the summary with "
                         "its keywords ('keywords'), the first sentences of the disproof ('disproof')")
    ap.add_argument("--dense-score", choices=("best", "whole"),
                    help="session 31, measured: the dense score of a case is the cosine with its best part alone "
                         "(multi-vector max-sim) or with the whole reviewed claim alone, instead of their mean")
    ap.add_argument("--keyword-votes", type=float, default=0.0, metavar="W",
                    help="session 31, measured: a narrative-level step after the document votes: each case gains W x "
                         "the largest share of the article's claims whose first 10 cases share one of its keywords "
                         "(keywords of at most --keyword-df cases: not the broad themes)")
    ap.add_argument("--keyword-df", type=int, default=100, help="with --keyword-votes (default 100)")
    args = ap.parse_args(argv)
    gold = [g for g in json.loads(GOLD_FILE.read_text(encoding="utf-8"))["claims"]
            if args.split == "all" or g["split"] == args.split]
    store = open_store(args.db)
    fs = FactcheckStore.of(store)
    if args.case_parts:
        with_case_parts(args.case_parts)
    if args.dense_score:
        with_dense_score(args.dense_score)
    index, _ = build_index(store, settings.packs())
    cfg = replace(MatchConfig(), depth=args.depth)
    reranker: Any = shipped_reranker()
    if args.rrf:
        reranker = RrfReranker(reranker, args.rrf)
    by = {(c["doc"], c["start"]): c for c in fs.claims(cfg.min_checkworthy)}
    missing = [g for g in gold if (g["doc"], g["start"]) not in by]
    for g in missing:
        print(f"MISS {g['doc']}:{g['start']} no check-worthy claim starts here (the claims component moved?)")
    gold = [g for g in gold if (g["doc"], g["start"]) in by]
    claims = [by[(g["doc"], g["start"])] for g in gold]
    vecs, _ = embed(fs, [c["text"] for c in claims])
    key = [" ".join(content_words(fc.claim_reviewed)) for fc in index.fcs]
    key_of_row = {fc.row: key[i] for i, fc in enumerate(index.fcs)}
    # the stage ranks with the votes of each claim's article: every check-worthy claim of the dev documents goes in
    docs = {g["doc"] for g in gold}
    ctx = [c for c in by.values() if c["doc"] in docs]
    ctx_vecs, _ = embed(fs, [c["text"] for c in ctx])
    if args.query:
        ctx = query_texts(fs, index, ctx, args.query)
        if args.query_dense:
            ctx_vecs, _ = embed(fs, [c["text"] for c in ctx])
    if args.dense_context:
        ctx_vecs = context_vecs(fs, ctx, ctx_vecs, args.dense_context, args.context_weight)
    at = {(c["doc"], c["start"]): i for i, c in enumerate(ctx)}
    votes = NO_VOTES if args.no_votes else DocVotes(0.6496, 10) if args.linear_votes else shipped_votes()
    if args.keyword_votes:
        with_keyword_votes(index, args.keyword_votes, args.keyword_df)
    matched = match_claims(index, ctx, ctx_vecs, reranker, cfg, votes=votes)
    from tracewire.corpus import factcheck as fc_mod  # doc_ranked as --keyword-votes may have patched it

    orders = dict(fc_mod.doc_ranked(index, ctx, ctx_vecs, reranker, cfg, votes))
    top3_hits = top10_hits = positives = false_top3 = unrelated_top3 = negatives = 0
    sure_hits = sure_false = 0
    ranks: Counter[str] = Counter()
    for g, c in zip(gold, claims, strict=True):
        want = {key_of_row[r] for r in g["rows"] if r in key_of_row}
        shown = matched.get((c["doc"], c["start"], c["end"]), [])[:3]
        top3 = [index.fcs[index.pos[m.factcheck]] for m in shown]
        sure = [key[index.pos[m.factcheck]] for m in shown if is_confident(m)]
        order: list[str] = []
        for cand, _, _, _ in orders.get(at[(c["doc"], c["start"])], []):
            if key[cand.pos] not in order:
                order.append(key[cand.pos])
        best = next((r + 1 for r, k in enumerate(order) if k in want), None)
        if want:
            positives += 1
            ok = any(key[index.pos[fc.id]] in want for fc in top3)
            top3_hits += ok
            sure_hits += any(k in want for k in sure)
            top10_hits += best is not None and best <= 10
            ranks["-" if best is None else str(best) if best <= 10 else ">10"] += 1
            mark = "ok  " if ok else "MISS"
        else:
            negatives += 1
            false_top3 += bool(top3)
            sure_false += bool(sure)
            related = {key_of_row[r] for r in g.get("related", []) if r in key_of_row}
            unrelated_top3 += any(key[index.pos[fc.id]] not in related for fc in top3)
            mark = ("FALSE" if sure else "low") if top3 else "none"
        if not args.quiet:
            print(f"{mark:<5} {c['doc']}:{c['start']}-{c['end']:<5} best rank {best or '-':>3}  "
                  f"top 3 rows {[fc.row for fc in top3]}  ({g['narrative']})")
    print(f"{top3_hits} of {positives} dev claims with a same-narrative case get one in their top 3; "
          f"{top10_hits} in the top 10 of the re-ranked candidates")
    order_keys = sorted(ranks, key=lambda k: (k == "-", k == ">10", int(k) if k.isdigit() else 0))
    print("best rank of a same-narrative case: " + ", ".join(f"{k}: {ranks[k]}" for k in order_keys))
    print(f"false top 3: {false_top3} of {negatives} claims judged to have none get a match in their top 3 "
          f"({unrelated_top3} a match that is not even about the same event or theme: not in the gold's related)")
    print(f"confident matches only: {sure_hits} of {positives} get a same-narrative case in their top 3; "
          f"false top 3 {sure_false} of {negatives} (the rest of the stored matches are flagged low confidence)")
    if args.variants:
        variants(index, gold, claims, vecs, key, key_of_row)
    if args.corpus:
        corpus(store, index)
    store.close()
    return 0


QUERY_EXTRAS = ("actors", "source", "places", "title")


def query_texts(fs: Any, index: Any, claims: list[dict[str, Any]], extras: Sequence[str]) -> list[dict[str, Any]]:
    """``claims`` with their text lengthened by ``extras`` (``QUERY_EXTRAS``): the claim's canonical pack actors (the
    claims component's and those the lexicon finds in its text), its resolved source's canonical name (a named
    person, organisation, government body or outlet, when the claim does not already name it), and the gazetteer
    names of the places inside it that differ from their mention ("Syrian" -> "Syria"), its article's title (session 31)."""
    docs = {c["doc"] for c in claims}
    sources = {(d, s): (kind, canon) for d, s, kind, canon in fs.conn.execute(
        "SELECT d.id, c.start, c.source_kind, c.source_canonical FROM claims c JOIN current_documents d"
        " ON d.doc_key = c.doc_key") if d in docs}
    places: dict[str, list[tuple[int, int, str, str]]] = {}
    for d, s, e, mention, name in fs.conn.execute(
            "SELECT d.id, p.start, p.end, p.mention, p.name FROM places p JOIN current_documents d"
            " ON d.doc_key = p.doc_key"):
        if d in docs:
            places.setdefault(d, []).append((s, e, mention, name))
    out = []
    for c in claims:
        more: list[str] = []
        if "actors" in extras:
            more += sorted(set(c.get("actors", ())) | index.actors(c["text"]))
        kind, canon = sources.get((c["doc"], c["start"]), (None, None))
        if "source" in extras and canon and kind in ("named_person", "named_org", "government_body", "media_outlet") \
                and canon.lower() not in c["text"].lower():
            more.append(canon)
        if "title" in extras and c.get("title") and c["title"].strip() not in c["text"]:
            more.append(c["title"].strip())
        if "places" in extras:
            more += [name for s, e, mention, name in places.get(c["doc"], ())
                     if s >= c["start"] and e <= c["end"] and name.lower() != mention.lower()]
        out.append({**c, "text": " ".join([c["text"], *more])} if more else c)
    return out


DENSE_CONTEXT = ("title", "prev", "title-mean", "prev-mean")
CASE_PARTS = ("keywords", "disproof")


def context_vecs(fs: Any, claims: list[dict[str, Any]], vecs: Any, how: str, weight: float) -> Any:
    """The claims' dense vectors with their context (``--dense-context``, session 31): the article's title or the
    sentence before the claim, encoded with the claim ('title', 'prev') or added to its vector with ``weight``
    ('title-mean', 'prev-mean'). A claim without such a context keeps its vector."""
    import re

    import numpy as np

    from tracewire.corpus.factcheck import embed

    docs = {c["doc"] for c in claims}
    text_of = {d: t for d, t in fs.conn.execute("SELECT id, text FROM current_documents") if d in docs}
    ctxs = []
    for c in claims:
        if how.startswith("title"):
            ctx = (c.get("title") or "").strip()
            ctx = "" if ctx and ctx in c["text"] else ctx
        else:
            before = text_of.get(c["doc"], "")[:c["start"]].rstrip()
            parts = [p for p in re.split(r"(?<=[.!?])\s+", before) if p.strip()]
            ctx = parts[-1].strip() if parts else ""
        ctxs.append(ctx)
    if how.endswith("-mean"):
        cv, _ = embed(fs, [x or c["text"] for x, c in zip(ctxs, claims, strict=True)])
        out = vecs + weight * cv
    else:
        out, _ = embed(fs, [f"{x} {c['text']}" if x else c["text"] for x, c in zip(ctxs, claims, strict=True)])
    return (out / np.linalg.norm(out, axis=1, keepdims=True)).astype(np.float32)


class RrfReranker:
    """The shipped re-ranker plus ``weight`` x reciprocal-rank fusion of the dense and BM25 ranks (``--rrf``, session
    31): 1/(k + r) per retriever that found the case, scaled so that rank 1 in both gives 1."""

    def __init__(self, base: Any, weight: float, k: float = 60.0) -> None:
        self.base, self.weight, self.k = base, weight, k
        self.min_score = base.min_score

    def scores(self, x: Any) -> Any:
        import numpy as np

        from tracewire.corpus.factcheck import FEATURES

        z = x @ np.asarray(self.base.coef, dtype=np.float64) + self.base.intercept
        fused = np.zeros(len(x))
        for f in ("dense_rr", "bm25_rr"):
            rr = x[:, FEATURES.index(f)]
            hit = rr > 0
            fused[hit] += 1.0 / (self.k + 1.0 / rr[hit])
        z = z + self.weight * fused * (self.k + 1) / 2
        return 1.0 / (1.0 + np.exp(-z))


def with_case_parts(extra: Sequence[str]) -> None:
    """Give each case more texts for the dense retriever's best part (``--case-parts``, session 31): its summary with
    its keywords, the first two sentences of its disproof. Patches ``case_parts`` for this run."""
    from tracewire.corpus import factcheck as fc_mod

    plain = fc_mod.case_parts

    def parts(fc: Any) -> list[str]:
        out = plain(fc)
        if "keywords" in extra and fc.keywords:
            out.append(f"{fc.claim_reviewed} {', '.join(fc.keywords)}")
        if "disproof" in extra and fc.review_body:
            sents = [p.strip() for p in fc_mod._SENTENCE_END.split(fc.review_body) if len(p.strip()) > 15
                     and "http" not in p]
            out += sents[:2]
        return out

    fc_mod.case_parts = parts


def with_dense_score(how: str) -> None:
    """The dense score of a case from its best part alone ('best': multi-vector max-sim over ``case_parts``) or from
    the whole reviewed claim alone ('whole'), instead of their mean (``--dense-score``, session 31). Patches
    ``Index.cosines`` for this run."""
    import numpy as np

    from tracewire.corpus import factcheck as fc_mod

    def cosines(self: Any, vecs: Any) -> Any:
        whole = vecs @ self.claim_vecs.T
        if how == "whole" or self.part_vecs is None or not len(self.fcs):
            return whole
        return np.maximum.reduceat(vecs @ self.part_vecs.T, self.part_starts, axis=1).astype(np.float32)

    fc_mod.Index.cosines = cosines  # type: ignore[method-assign]


def with_keyword_votes(index: Any, weight: float, max_df: int) -> None:
    """A narrative-level step after the document votes (``--keyword-votes``, session 31): the cases' EUvsDisinfo
    keywords held by at most ``max_df`` cases are clusters; in each article, a keyword's share is how many of its
    ranked claims have a case with that keyword among their first 10 distinct cases (by first-stage score) over those
    claims, and every candidate of the article's claims gains ``weight`` x the largest share of its keywords (its own
    claim included). Patches ``doc_ranked`` for this run."""
    import numpy as np

    from tracewire.corpus import factcheck as fc_mod

    df: Counter[str] = Counter(k.lower() for fc in index.fcs for k in set(fc.keywords))
    kws = [frozenset(k.lower() for k in fc.keywords if df[k.lower()] <= max_df) for fc in index.fcs]
    plain = fc_mod.doc_ranked

    def flush(claims: list[dict[str, Any]], block: list[tuple[int, list[Any]]]) -> Any:
        ranked = [cands for _, cands in block if cands]
        share: Counter[str] = Counter()
        for cands in ranked:
            seen: set[str] = set()
            mine: set[str] = set()
            for c, _, _, _ in sorted(cands, key=lambda x: -x[3]):
                if len(seen) == 10:
                    break
                if index.keys[c.pos] not in seen:
                    seen.add(index.keys[c.pos])
                    mine |= kws[c.pos]
            share.update(mine)
        for j, cands in block:
            if not cands or len(ranked) < 2:
                yield j, cands
                continue
            out = []
            for c, up, n, s1 in cands:
                bonus = max((share[k] / len(ranked) for k in kws[c.pos]), default=0.0) * weight
                z = fc_mod._logit(up) + bonus
                out.append((c, float(1.0 / (1.0 + np.exp(-z))) if bonus else up, n, s1))
            yield j, sorted(out, key=lambda x: (-x[1], x[0].pos))

    def ranked(index_: Any, claims: list[dict[str, Any]], *a: Any, **kw: Any) -> Any:
        block: list[tuple[int, list[Any]]] = []
        for j, cands in plain(index_, claims, *a, **kw):
            if block and claims[block[-1][0]]["doc"] != claims[j]["doc"]:
                yield from flush(claims, block)
                block = []
            block.append((j, cands))
        if block:
            yield from flush(claims, block)

    fc_mod.doc_ranked = ranked


def figures(db: Path) -> dict[str, int]:
    """The pinned figures (``eval/factchecks_pins.json``, ``fakes_narrative_dev``) of the stage as ``tracewire analyze``
    runs it (the shipped ``MatchConfig``, document votes on) on the store at ``db``: same-narrative case in the stored top 3 per half and over all, confident top 3
    and confident false top 3 over all."""
    from tracewire import settings
    from tracewire.corpus.factcheck import (
        MatchConfig,
        build_index,
        embed,
        is_confident,
        match_claims,
        shipped_reranker,
    )
    from tracewire.store import open_store
    from tracewire.store.factchecks import FactcheckStore

    gold = json.loads(GOLD_FILE.read_text(encoding="utf-8"))["claims"]
    store = open_store(db)
    fs = FactcheckStore.of(store)
    index, _ = build_index(store, settings.packs())
    docs = {g["doc"] for g in gold}
    ctx = [c for c in fs.claims(MatchConfig().min_checkworthy) if c["doc"] in docs]
    vecs, _ = embed(fs, [c["text"] for c in ctx])
    matched = match_claims(index, ctx, vecs, shipped_reranker(), MatchConfig())
    ends = {(c["doc"], c["start"]): c["end"] for c in ctx}
    kor = {fc.row: index.keys[i] for i, fc in enumerate(index.fcs)}
    out = dict.fromkeys(("top3_choose", "top3_confirm", "top3_all", "of_choose", "of_confirm", "of_all",
                         "confident_top3_all", "confident_false_top3_all", "of_negatives"), 0)
    for g in gold:
        want = {kor[r] for r in g["rows"] if r in kor}
        end = ends.get((g["doc"], g["start"]))
        shown = matched.get((g["doc"], g["start"], end), [])[:3] if end is not None else []
        top = [index.keys[index.pos[m.factcheck]] for m in shown]
        sure = [index.keys[index.pos[m.factcheck]] for m in shown if is_confident(m)]
        if want:
            hit = any(k in want for k in top)
            for half in (g["split"], "all"):
                out[f"top3_{half}"] += hit
                out[f"of_{half}"] += 1
            out["confident_top3_all"] += any(k in want for k in sure)
        else:
            out["of_negatives"] += 1
            out["confident_false_top3_all"] += bool(sure)
    store.close()
    return out


def variants(index: Any, gold: list[dict[str, Any]], claims: list[dict[str, Any]], vecs: Any, key: list[str],
             key_of_row: dict[int | None, str]) -> None:
    """Best ranks under other orderings, and top-3 figures under other floors (measured, not shipped)."""

    import numpy as np

    from tracewire.corpus.factcheck import query_words, rank, shipped_reranker

    reranker = shipped_reranker()

    def dense(text: str, vec: Any) -> list[int]:
        return [int(p) for p in np.argsort(-(index.claim_vecs @ vec))[:100]]

    def bm25(text: str, vec: Any) -> list[int]:
        return [index.pos[i] for i, _ in index.bm25.search(query_words(text), 100) if i in index.pos]

    def rrf(text: str, vec: Any) -> list[int]:
        fused: dict[int, float] = {}
        for ranked in (dense(text, vec), bm25(text, vec)):
            for r, p in enumerate(ranked):
                fused[p] = fused.get(p, 0.0) + 1.0 / (60 + r)
        return sorted(fused, key=lambda p: -fused[p])

    def shipped(depth: int) -> Any:
        return lambda text, vec: [c.pos for c, _ in rank(index, text, vec, reranker, depth)]

    def actors_agree(weight: float) -> Any:
        """The re-ranked depth-30 candidates by logit(score) + weight x Jaccard of the pack actors the claim and
        the case name (tried for issue 14; not shipped)."""
        def order(text: str, vec: Any) -> list[int]:
            mine = index.actors(text)
            out = []
            for c, s in rank(index, text, vec, reranker, 30):
                theirs = index.actors(index.fcs[c.pos].match_text)
                z = float(np.log(max(s, 1e-9) / max(1 - s, 1e-9)))
                out.append((-(z + weight * len(mine & theirs) / max(1, len(mine | theirs))), c.pos))
            return [p for _, p in sorted(out)]
        return order

    orderings = (("re-ranked, depth 30 (shipped)", shipped(30)), ("re-ranked, depth 50", shipped(50)),
                 ("re-ranked, depth 100", shipped(100)), ("dense alone (whole claim)", dense), ("BM25 alone", bm25),
                 ("RRF(dense, BM25), k=60", rrf), ("re-ranked + 4 x actor Jaccard", actors_agree(4.0)),
                 ("re-ranked + 8 x actor Jaccard", actors_agree(8.0)))
    print("\nvariants: best rank of a same-narrative case (repeated cases once; no floors)")
    for name, order_of in orderings:
        ranks: list[int | None] = []
        for i, (g, c) in enumerate(zip(gold, claims, strict=True)):
            want = {key_of_row[r] for r in g["rows"] if r in key_of_row}
            if not want:
                continue
            seen: list[str] = []
            for p in order_of(c["text"], vecs[i]):
                if key[p] not in seen:
                    seen.append(key[p])
            ranks.append(next((r + 1 for r, k in enumerate(seen) if k in want), None))
        top3 = sum(1 for r in ranks if r is not None and r <= 3)
        top10 = sum(1 for r in ranks if r is not None and r <= 10)
        print(f"  {name:<30} top 3 {top3}/{len(ranks)}  top 10 {top10}/{len(ranks)}  ranks {['-' if r is None else r for r in ranks]}")
    print("variants: floors and confidence gates; top 3 = claims with a same-narrative case among their confident "
          "top 3, false = claims without one that still show a confident match (low-confidence matches dropped)")
    confident(index, gold, claims, vecs, key, key_of_row)


def confident(index: Any, gold: list[dict[str, Any]], claims: list[dict[str, Any]], vecs: Any, key: list[str],
              key_of_row: dict[int | None, str]) -> None:
    """The confidence re-fit of session 27 (measured, the shipped row marked): confident top-3 hits and false top 3
    per half of the dev set, for the gates before and after and the steps between."""
    from dataclasses import replace

    from tracewire.corpus.factcheck import (
        NO_VOTES,
        MatchConfig,
        NarrativeCues,
        match_claims,
        shipped_reranker,
    )

    reranker = shipped_reranker()
    before = replace(MatchConfig(), fill_score=0.05, confident_agreement=True, confident_cosine=None)
    rows = (("before (session 26): floor 0.05, claim gate, agreement, score 0.15", before, False),
            ("top-3 places filled down to 0.01", replace(before, fill_score=0.01), False),
            ("+ packs' narrative cues pass the claim gate", replace(before, fill_score=0.01), True),
            ("+ agreement off", replace(before, fill_score=0.01, confident_agreement=False), True),
            ("+ or cosine >= 0.60 with score >= 0.05 (shipped)", MatchConfig(), True),
            ("  cosine >= 0.55 instead", replace(MatchConfig(), confident_cosine=0.55), True),
            ("  without the narrative cues", MatchConfig(), False),
            ("  agreement on", replace(MatchConfig(), confident_agreement=True), True),
            ("  score 0.05, no cosine branch", replace(MatchConfig(), confident_score=0.05, confident_cosine=None), True),
            ("  no claim gate at all", MatchConfig(), None))
    cues = index.cues
    print(f"  {'stored top 3 (low-confidence matches kept)':<66} {'choose':>13} {'confirm':>13} {'all':>13}")
    for fill in (0.05, 0.02, 0.01, 0.0):
        matched = match_claims(index, claims, vecs, reranker, replace(MatchConfig(), fill_score=fill), votes=NO_VOTES)
        figures = {}
        for half in ("choose", "confirm", "all"):
            hits = pos = 0
            for g, c in zip(gold, claims, strict=True):
                want = {key_of_row[r] for r in g["rows"] if r in key_of_row}
                if want and (half == "all" or g.get("split") == half):
                    pos += 1
                    hits += any(key[index.pos[m.factcheck]] in want
                                for m in matched.get((c["doc"], c["start"], c["end"]), [])[:3])
            figures[half] = f"{hits}/{pos}"
        name = f"top-3 places filled down to score {fill:.2f}" + (" (shipped)" if fill == MatchConfig().fill_score else "")
        print(f"  {name:<66} {figures['choose']:>13} {figures['confirm']:>13} {figures['all']:>13}")
    print(f"  {'gates':<66} {'choose':>13} {'confirm':>13} {'all':>13}")
    for name, cfg, with_cues in rows:
        index.cues = cues if with_cues else NarrativeCues()
        shown = claims if with_cues is not None else [{**c, "rules": []} for c in claims]  # no rules: the gate passes
        matched = match_claims(index, shown, vecs, reranker, replace(cfg, low_confidence="drop"), votes=NO_VOTES)
        figures = {}
        for half in ("choose", "confirm", "all"):
            hits = false = pos = neg = 0
            for g, c in zip(gold, claims, strict=True):
                if half != "all" and g.get("split") != half:
                    continue
                want = {key_of_row[r] for r in g["rows"] if r in key_of_row}
                top = [key[index.pos[m.factcheck]] for m in matched.get((c["doc"], c["start"], c["end"]), [])[:3]]
                if want:
                    pos += 1
                    hits += any(k in want for k in top)
                else:
                    neg += 1
                    false += bool(top)
            figures[half] = f"{hits}/{pos} f{false}/{neg}"
        print(f"  {name:<66} {figures['choose']:>13} {figures['confirm']:>13} {figures['all']:>13}")
    index.cues = cues


def corpus(store: Any, index: Any) -> None:
    """Matches the stage stores for every check-worthy claim (copies inheriting) under the gates before and after."""
    from dataclasses import replace

    from tracewire.corpus.factcheck import (
        NO_VOTES,
        DocVotes,
        MatchConfig,
        NarrativeCues,
        embed,
        inherit,
        is_confident,
        match_claims,
        shipped_reranker,
    )
    from tracewire.store.factchecks import FactcheckStore

    fs = FactcheckStore.of(store)
    claims = fs.claims(MatchConfig().min_checkworthy)
    links = fs.reuse_links()
    vecs, _ = embed(fs, [c["text"] for c in claims])
    cues = index.cues
    before = replace(MatchConfig(), fill_score=0.05, confident_agreement=True, confident_cosine=None)
    for name, cfg, with_cues, votes in (("before (session 26)", before, False, NO_VOTES),
                                        ("session 27, no document votes", MatchConfig(), True, NO_VOTES),
                                        ("session 28's linear votes (measured, not shipped)", MatchConfig(), True,
                                         DocVotes(0.6496, 10)),
                                        ("shipped (session 30: log votes + within 30 days, its weight halved)", MatchConfig(), True, None)):
        index.cues = cues if with_cues else NarrativeCues()
        matched = match_claims(index, claims, vecs, shipped_reranker(), cfg, votes=votes)
        inherit(matched, claims, links, cfg.top_k)
        rows = [m for ms in matched.values() for m in ms]
        sure = [m for m in rows if is_confident(m)]
        print(f"corpus, {name}: {len(claims)} check-worthy claims, {len(matched)} with a stored match, "
              f"{len({(m.doc, m.start, m.end) for m in sure})} with a confident one; {len(rows)} matches, "
              f"{len(sure)} confident")
    index.cues = cues


if __name__ == "__main__":
    sys.exit(main())
