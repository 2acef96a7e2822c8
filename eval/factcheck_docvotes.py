"""Document votes for narrative matching (issue 14, session 28): fit and measure the corpus stage's second ranking step.

Run: ``python eval/factcheck_docvotes.py --db FILE [--train]`` on the store ``eval/factcheck_dev.py`` reads (FA-KES
ingested, EUvsDisinfo imported, analysed). The narrative dev set (``eval/factcheck_dev_gold.json``, 216 claims, 39
with a same-narrative case) is split by document into ``choose`` and ``confirm``; only ``choose`` fits or chooses
anything. For every claim of the dev set's documents (all their check-worthy claims: the votes come from them) it
ranks the candidates as the corpus stage does (``tracewire.corpus.factcheck.doc_ranked``) and reads, per (claim,
case): the first-stage re-ranker's logit, the document votes (how many of the article's other claims have the case
among the first 10 distinct cases of their own ranking) and the date relation (the case within 30 / 365 days of the
article). Each feature set is a pairwise logistic regression (C=0.1, no intercept; pairs of a same-narrative case and
another candidate of one claim, features scaled by their mean absolute difference), its weights divided by the
logit's so that a claim without votes keeps its first-stage score. It prints, per feature set, the top-3 hits of
``choose`` under three cross-validations by document (5 folds with two shuffles, and one document out), then,
fitted on all of ``choose``, the top-3 hits of ``choose`` (in sample), ``confirm`` and all (places 1-3 filled down
to ``fill_score`` on the new score, cosine at least ``min_cosine``, repeated cases once, as the stage stores them).

The choice rule, fixed before ``confirm`` was scored: the feature set with the best mean of the three
cross-validated ``choose`` figures (ties to fewer features); it ships if it beats the first stage on ``choose`` and
all 39 without losing a ``confirm`` hit. ``--train`` writes its weight into ``tracewire/models/factcheck_docvotes.json``.
In session 28 the rule chose logit + votes (weight 0.65), but with it on the seeds' acceptance test
``tests/test_factchecks_seeds.py`` fails (README, "Document votes"), so it stayed off; the two bounded variants after
it in ``FEATURE_SETS`` were added then, measured only. Session 29 added four sets of the case's spread over the
article's claims (TF-IDF votes, votes over the mean votes of the article's cases, cosine-weighted votes, TF-IDF votes
with the date), fixed before any was scored, and the rule passes over the sets in ``FAILS_SEEDS``: it chooses logit +
log(1 + votes) + within 30 days (cross-validated 17, 17, 17 against the first stage's 16; in sample 17/23, confirm
10/16), the seeds' test passes with it, and ``MatchConfig.doc_votes`` is on by default. ``--train`` writes the chosen
set's weights when the corpus stage can apply it (``STAGE_TERMS``: ``DocVotes`` weight and terms).
Session 30 (helper fc20) added eight variants of the date term, fixed before any was scored (within 30 days only when
voted, graded by days, within 7 days, times log(1 + votes), and the fitted date weight shrunk by 0.5 or 0.25:
``SHRINK``, applied after each fold's fit); the rule chooses the date weight halved (cross-validated 18, 18, 18;
in sample 18/23, confirm 10/16, all 28/39) and ``--train`` wrote it (``within_30_days`` 1.6597). Then, measured and
not chosen: the share of the case's keywords the claim names, the canonical actors' overlap, the cosine with the
article's other claims, the votes of the two claims either side, a hub count (``--hub``: how many claims of the whole
store rank the case) (each beside the shipped set), and ``--top 5`` / ``--top 20`` (the cases a claim votes for).
``--only NAME ...`` measures some feature sets alone.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

GOLD_FILE = Path(__file__).parent / "factcheck_dev_gold.json"
C = 0.1
FEATURE_SETS = {
    "first stage alone (logit)": ("logit",),
    "logit + votes (session 28)": ("logit", "votes"),
    "logit + log(1 + votes)": ("logit", "log_votes"),
    "logit + log(1 + votes) + within 30 days": ("logit", "log_votes", "d30"),
    "logit + votes + within 30 / 365 days": ("logit", "votes", "d30", "d365"),
    # added after the seeds' acceptance test failed with the votes on (a long article's many claims flood each top
    # 3): bounded votes, measured on the same footing, after the choice
    "logit + share of the article's other claims": ("logit", "share"),
    "logit + min(votes, 3)": ("logit", "votes3"),
    # session 29 (issue 14): the spread of a case over the article's claims, fixed before any was scored: votes
    # weighted like TF-IDF (votes x log((V + 1) / votes), V the article's other voting claims: a case every claim
    # retrieves counts about one vote), votes over the mean votes of the cases the article's other claims vote for
    # (discounted by how many distinct cases they vote for), votes weighted by the claim's own cosine with each voting
    # claim (votes from claims that say the same thing), and the TF-IDF votes beside the date relation
    "logit + TF-IDF votes": ("logit", "tfidf"),
    "logit + votes / mean votes of the article's cases": ("logit", "lift"),
    "logit + cosine-weighted votes": ("logit", "simvotes"),
    "logit + TF-IDF votes + within 30 days": ("logit", "tfidf", "d30"),
    # session 30 (helper fc20, issue 14): the date term, fixed before any was scored. fc19's audit found the shipped
    # date term raising wrong near-date cases (0.012 -> 0.867): the date only for a case at least one other claim votes
    # for, the date graded by days (exp(-days / 30), linear to 0 at 90 days, within 7 days), the date times log(1 +
    # votes) (a near case counts with its votes), and the shipped set with its fitted date weight shrunk (SHRINK)
    "logit + log(1 + votes) + within 30 days if voted": ("logit", "log_votes", "d30v"),
    "logit + log(1 + votes) + exp(-days / 30)": ("logit", "log_votes", "dexp"),
    "logit + log(1 + votes) + max(0, 1 - days / 90)": ("logit", "log_votes", "dlin"),
    "logit + log(1 + votes) + within 7 days": ("logit", "log_votes", "d7"),
    "logit + log(1 + votes) + within 30 days x log(1 + votes)": ("logit", "log_votes", "d30lv"),
    "logit + log(1 + votes) + exp(-days / 30) if voted": ("logit", "log_votes", "dexpv"),
    "logit + log(1 + votes) + within 30 days, date weight x 0.5": ("logit", "log_votes", "d30"),
    "logit + log(1 + votes) + within 30 days, date weight x 0.25": ("logit", "log_votes", "d30"),
    # session 30, second part (after the date weight was chosen; fixed before any was scored): what the claim and its
    # article name beside the votes, each with the shipped set's date term (fitted, then halved): the share of the
    # case's EUvsDisinfo keywords the claim names (a content word of the keyword in the claim, or the keyword's pack
    # actor among the claim's canonical actors: its text's and the claims component's), the Jaccard overlap of the
    # claim's and the case's canonical pack actors, and the cosine of the case with the mean vector of the article's
    # other claims (the article's narrative without a vote threshold), beside or instead of the votes
    "shipped + share of the case's keywords the claim names": ("logit", "log_votes", "kw", "d30"),
    "shipped + canonical actors' Jaccard overlap": ("logit", "log_votes", "actj", "d30"),
    "shipped + cosine with the article's other claims": ("logit", "log_votes", "doccos", "d30"),
    "logit + cosine with the article's other claims + within 30 days": ("logit", "doccos", "d30"),
    # and the votes of the claim's neighbours (the two check-worthy claims either side of it in the article) beside
    # the article's: a narrative is told over a passage more than over a whole article
    "shipped + log(1 + votes of the two claims either side)": ("logit", "log_votes", "nvotes", "d30"),
    # a hub case (one that many claims of the whole corpus rank among their first ``top``: a strike or a chemical
    # attack of the same weeks) says less about any one claim: log(1 + the corpus claims ranking it), its weight free
    # to go negative (measured with --hub: every check-worthy claim of the store ranked once more)
    "shipped + log(1 + corpus claims ranking the case)": ("logit", "log_votes", "hub", "d30"),
}
# feature sets whose last weight, once fitted, is multiplied by a factor (in every cross-validation fold alike): a
# smaller date weight than the fit's
SHRINK = {"logit + log(1 + votes) + within 30 days, date weight x 0.5": 0.5,
          "logit + log(1 + votes) + within 30 days, date weight x 0.25": 0.25,
          "shipped + share of the case's keywords the claim names": 0.5,
          "shipped + canonical actors' Jaccard overlap": 0.5,
          "shipped + cosine with the article's other claims": 0.5,
          "logit + cosine with the article's other claims + within 30 days": 0.5,
          "shipped + log(1 + votes of the two claims either side)": 0.5,
          "shipped + log(1 + corpus claims ranking the case)": 0.5}
# feature sets that fail the seeds' acceptance test (tests/test_factchecks_seeds.py, run as a regression check after
# a choice, never tuned on): the rule passes over them
FAILS_SEEDS = frozenset({"logit + votes (session 28)"})
# how the corpus stage applies a feature (``DocVotes``): "weight" is the per-vote weight, the rest its ``terms``
STAGE_TERMS = {"votes": "weight", "log_votes": "log_votes", "lift": "votes_over_mean", "d30": "within_30_days",
               "d365": "within_365_days"}


def _days(a: str | None, b: str | None) -> int | None:
    try:
        return abs((date.fromisoformat((b or "")[:10]) - date.fromisoformat((a or "")[:10])).days)
    except ValueError:
        return None


def keyword_share(keywords: Sequence[str], words: set[str], actors: set[str] | frozenset[str]) -> float:
    """The share of a case's keywords a claim names: a content word of the keyword among the claim's ``words``, or
    the keyword's pack actor among its canonical ``actors``."""
    from tracewire import settings
    from tracewire.corpus.factcheck import Lexicon, content_words

    global _LEXICON
    if _LEXICON is None:
        _LEXICON = Lexicon.from_packs(settings.packs())
    if not keywords:
        return 0.0
    named = sum(1 for kw in keywords if set(content_words(kw)) & words or _LEXICON.actors(kw) & actors)
    return named / len(keywords)


_LEXICON: Any = None


def jaccard(a: set[str] | frozenset[str], b: set[str] | frozenset[str]) -> float:
    """|a & b| / |a | b| (0 for two empty sets)."""
    return len(a & b) / len(a | b) if a | b else 0.0


def dev_context(store: Any, index: Any, split: str = "all") -> tuple[list[dict[str, Any]], list[dict[str, Any]], Any,
                                                                      list[int | None]]:
    """The dev gold of ``split``, every check-worthy claim of its documents (the votes' context, in store order), their
    vectors, and each gold claim's index among them (None: no check-worthy claim starts there)."""
    from tracewire.corpus.factcheck import MatchConfig, embed
    from tracewire.store.factchecks import FactcheckStore

    gold = [g for g in json.loads(GOLD_FILE.read_text(encoding="utf-8"))["claims"]
            if split == "all" or g["split"] == split]
    fs = FactcheckStore.of(store)
    docs = {g["doc"] for g in gold}
    ctx = [c for c in fs.claims(MatchConfig().min_checkworthy) if c["doc"] in docs]
    at = {(c["doc"], c["start"]): i for i, c in enumerate(ctx)}
    vecs, _ = embed(fs, [c["text"] for c in ctx])
    return gold, ctx, vecs, [at.get((g["doc"], g["start"])) for g in gold]


def main(argv: Sequence[str] | None = None) -> int:
    """Print the feature sets' figures (and write the chosen weight with --train)."""
    from sklearn.linear_model import LogisticRegression

    from tracewire import settings
    from tracewire.corpus.factcheck import (
        VOTES_FILE,
        DocVotes,
        MatchConfig,
        build_index,
        content_words,
        doc_ranked,
        shipped_reranker,
    )
    from tracewire.store import open_store

    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--db", type=Path, required=True)
    ap.add_argument("--train", action="store_true", help=f"write the chosen weight into tracewire/models/{VOTES_FILE}")
    ap.add_argument("--top", type=int, default=10,
                    help="a claim votes for its first TOP distinct cases (DocVotes.top; session 30 measured 5 and 20)")
    ap.add_argument("--only", nargs="*", help="measure only these feature sets (names as printed)")
    ap.add_argument("--hub", action="store_true",
                    help="rank every check-worthy claim of the store to count how many rank each case (the hub feature)")
    args = ap.parse_args(argv)
    store = open_store(args.db)
    index, _ = build_index(store, settings.packs())
    cfg, rr = MatchConfig(), shipped_reranker()
    gold, ctx, vecs, gi = dev_context(store, index)
    kor = {fc.row: index.keys[i] for i, fc in enumerate(index.fcs)}
    want = [{kor[r] for r in g["rows"] if r in kor} for g in gold]
    ranked = dict(doc_ranked(index, ctx, vecs, rr, cfg, DocVotes(0.0, args.top)))
    names = ("logit", "votes", "log_votes", "d30", "d365", "share", "votes3", "tfidf", "lift", "simvotes", "d30v", "dexp",
             "dlin", "d7", "d30lv", "dexpv", "kw", "actj", "doccos", "nvotes", "hub")
    voters = {d: sum(1 for j in ranked if ctx[j]["doc"] == d and ranked[j]) for d in {c["doc"] for c in ctx}}
    tops: dict[int, set[str]] = {}  # each ranked claim's first 10 distinct cases (the votes it casts)
    for j, cands in ranked.items():
        top: dict[str, None] = {}
        for c, _, _, _ in cands:
            if len(top) == args.top:
                break
            top.setdefault(index.keys[c.pos], None)
        tops[j] = set(top)
    members: dict[str, list[int]] = {}
    for j in sorted(tops):
        if tops[j]:
            members.setdefault(ctx[j]["doc"], []).append(j)
    hubs: dict[str, int] = {}  # case key -> check-worthy claims of the whole store ranking it among their first --top
    if args.hub:
        from tracewire.corpus.factcheck import embed
        from tracewire.store.factchecks import FactcheckStore

        every = FactcheckStore.of(store).claims(cfg.min_checkworthy)
        every_vecs, _ = embed(FactcheckStore.of(store), [c["text"] for c in every])
        for _, cands in doc_ranked(index, every, every_vecs, rr, cfg, DocVotes(0.0, args.top)):
            top_k: dict[str, None] = {}
            for c, _, _, _ in cands:
                if len(top_k) == args.top:
                    break
                top_k.setdefault(index.keys[c.pos], None)
            for k in top_k:
                hubs[k] = hubs.get(k, 0) + 1
        print(f"hub counts over {len(every)} claims: most ranked cases "
              + ", ".join(f"{n}" for n in sorted(hubs.values(), reverse=True)[:5]))
    rows: dict[int, tuple[Any, list[tuple[str, float, float]]]] = {}  # gold n -> features, (key, first score, cosine)
    for n, i in enumerate(gi):
        if i is None or not ranked.get(i):
            continue
        x, ks, seen = [], [], set()
        others = [j for j in members[ctx[i]["doc"]] if j != i]
        cast = sum(len(tops[j]) for j in others)
        mean = cast / max(1, len(set().union(*(tops[j] for j in others)))) if others else 1.0
        mine = index.actors(ctx[i]["text"]) | set(ctx[i].get("actors", ()))
        row = members[ctx[i]["doc"]]
        near_ones = [j for j in row if j != i and abs(row.index(j) - row.index(i)) <= 2] if i in row else []
        words = set(content_words(ctx[i]["text"]))
        if others:
            centre = vecs[others].mean(0)
            centre = centre / (np.linalg.norm(centre) or 1.0)
            doc_cos = index.cosines(centre[None, :].astype(np.float32))[0]
        for c, s, v, _ in ranked[i]:
            k = index.keys[c.pos]
            if k in seen:
                continue
            seen.add(k)
            d = _days(ctx[i]["date"], index.fcs[c.pos].date)
            assert v == sum(k in tops[j] for j in others)
            sims = sum(max(0.0, float(vecs[i] @ vecs[j])) for j in others if k in tops[j])
            near = float(d is not None and d <= 30)
            dexp = math.exp(-d / 30) if d is not None else 0.0
            x.append([math.log(max(s, 1e-9) / max(1 - s, 1e-9)), v, math.log1p(v), near,
                      float(d is not None and d <= 365), v / max(1, voters[ctx[i]["doc"]] - 1), min(v, 3),
                      v * math.log((len(others) + 1) / v) if v else 0.0, v / mean, sims, near * (v > 0), dexp,
                      max(0.0, 1 - d / 90) if d is not None else 0.0, float(d is not None and d <= 7),
                      near * math.log1p(v), dexp * (v > 0), keyword_share(index.fcs[c.pos].keywords, words, mine),
                      jaccard(mine, index.actors(index.fcs[c.pos].match_text)),
                      float(doc_cos[c.pos]) if others else 0.0,
                      math.log1p(sum(k in tops[j] for j in near_ones)), math.log1p(hubs.get(k, 0))])
            ks.append((k, s, c.cos))
        rows[n] = (np.asarray(x), ks)

    def fit(members: list[int], cols: list[int], shrink: float = 1.0) -> Any:
        diffs = []
        for n in members:
            if n not in rows or not want[n]:
                continue
            x, ks = rows[n]
            pos = [o for o, (k, _, _) in enumerate(ks) if k in want[n]]
            neg = [o for o, (k, _, _) in enumerate(ks) if k not in want[n]]
            diffs += [x[a, cols] - x[b, cols] for a in pos for b in neg]
        d = np.asarray(diffs)
        scale = np.abs(d).mean(0) + 1e-9
        model = LogisticRegression(C=C, max_iter=5000, fit_intercept=False).fit(
            np.vstack([d, -d]) / scale, np.concatenate([np.ones(len(d)), np.zeros(len(d))]))
        w = model.coef_[0] / scale
        w = w / w[0]
        w[-1] *= shrink
        return w

    def hits(members: list[int], cols: list[int], w: Any) -> tuple[int, int]:
        got = total = 0
        for n in members:
            if not want[n]:
                continue
            total += 1
            if n not in rows:
                continue
            x, ks = rows[n]
            z = x[:, cols] @ w
            top: list[str] = []
            for o in np.argsort(-z, kind="stable").tolist():
                k, _, cos = ks[o]
                if 1 / (1 + math.exp(-z[o])) < min(cfg.fill_score, cfg.min_score) or len(top) == 3:
                    break
                if cos >= cfg.min_cosine and k not in top:
                    top.append(k)
            got += any(k in want[n] for k in top)
        return got, total

    def cv(members: list[int], cols: list[int], folds: int | None, seed: int = 0, shrink: float = 1.0) -> int:
        docs = sorted({gold[n]["doc"] for n in members})
        random.Random(seed).shuffle(docs)
        fold = {d: i % (folds or len(docs)) for i, d in enumerate(docs)}
        out = 0
        for f in set(fold.values()):
            train = [n for n in members if fold[gold[n]["doc"]] != f]
            w = fit(train, cols, shrink) if len(cols) > 1 else np.ones(1)
            out += hits([n for n in members if fold[gold[n]["doc"]] == f], cols, w)[0]
        return out

    halves = {h: [n for n, g in enumerate(gold) if h == "all" or g["split"] == h] for h in ("choose", "confirm", "all")}
    print(f"{'feature set':<62} {'choose CV 5x2, 1 doc out':>26} {'weights':>26} {'choose (in)':>11} {'confirm':>8} {'all':>6}")
    best: tuple[float, int, str] | None = None
    fitted = {}
    for name, feats in FEATURE_SETS.items():
        if args.only and name not in args.only:
            continue
        cols = [names.index(f) for f in feats]
        shrink = SHRINK.get(name, 1.0)
        w = fit(halves["choose"], cols, shrink) if len(cols) > 1 else np.ones(1)
        fitted[name] = w
        folds = (cv(halves["choose"], cols, 5, 0, shrink), cv(halves["choose"], cols, 5, 1, shrink),
                 cv(halves["choose"], cols, None, 0, shrink))
        cells = [hits(halves[h], cols, w) for h in ("choose", "confirm", "all")]
        print(f"{name:<62} {', '.join(map(str, folds)):>26} {' '.join(f'{v:.3f}' for v in w):>26} "
              + " ".join(f"{a}/{b}".rjust(k) for (a, b), k in zip(cells, (11, 8, 6), strict=True)))
        key = (sum(folds) / 3, -len(cols), name)
        if name not in FAILS_SEEDS and (best is None or key[:2] > best[:2]):
            best = key
    assert best is not None
    print(f"chosen by the rule (best mean cross-validated choose, ties to fewer features; passing over "
          f"{', '.join(sorted(FAILS_SEEDS))}, which fails the seeds' acceptance test): {best[2]}")
    if args.train:
        feats = FEATURE_SETS[best[2]][1:]
        if any(f not in STAGE_TERMS for f in feats):
            print(f"the rule chooses {best[2]!r}, which the corpus stage cannot apply (DocVotes knows "
                  f"{', '.join(STAGE_TERMS)}); not written", file=sys.stderr)
            return 1
        w = [round(float(x), 4) for x in fitted[best[2]][1:]]
        total = sum(1 for n in halves["choose"] if want[n])
        about = (f"pairwise logistic regression (C={C}, no intercept) over the first-stage logit and {best[2][8:]} "
                 f"(document votes: top {args.top}), fitted on the 'choose' half of the FA-KES narrative dev set "
                 f"(eval/factcheck_dev_gold.json, {total} claims with a same-narrative EUvsDisinfo case), weights "
                 f"divided by the logit's; chosen by cross-validation on 'choose', confirmed on 'confirm' "
                 f"(eval/factcheck_docvotes.py --train); applied when MatchConfig.doc_votes (on by default)")
        weight = next((x for f, x in zip(feats, w, strict=True) if f == "votes"), 0.0)
        terms = tuple((STAGE_TERMS[f], x) for f, x in zip(feats, w, strict=True) if f != "votes")
        out = ROOT / "tracewire" / "models" / VOTES_FILE
        out.write_text(DocVotes(weight, args.top, about, terms).to_json(), encoding="utf-8")
        print(f"wrote {out.relative_to(ROOT)}: weight {weight}, terms {terms}")
    store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
