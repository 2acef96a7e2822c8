"""Narrative-level signals tried on the grown FA-KES narrative dev set (issue 14, session 27): none is shipped.

Run: ``python eval/factcheck_narrative_variants.py --db FILE`` on the store ``eval/factcheck_dev.py`` reads (FA-KES
ingested, EUvsDisinfo imported, analysed). For each variant it prints how many dev claims with a same-narrative case
get one in their stored top 3 (the shipped floors: places 1-3 filled down to ``fill_score``, or ``--floor``; cosine
at least ``min_cosine``; repeated cases once), per half of the dev set (``split``: a variant is chosen on 'choose' and
confirmed on 'confirm'). Each variant re-orders the shipped re-ranked depth-30 candidates (the re-ranker's logit plus
a bonus) or changes the query:

- cluster support: + weight x the summed (best-normalised) scores of the claim's other candidates that tell a close
  case (case-to-case cosine above a threshold): a narrative several cases tell lifts its cases;
- accusing structure: the claim and the case both put a power, a support verb and an armed group in one text ("X
  backs / arms / created the terrorists"): + a bonus, + another when they name the same power (the West covers the
  US, the UK and France);
- chemical blame: both match the syria pack's narrative cue (a chemical attack blamed on armed groups, or denied);
- diversity: a case too close (cosine) to one already shown is skipped;
- popularity: + weight x log(1 + the number of distinct cases within a cosine of the case): recurring narratives first;
- absent entities: - weight x the share of the case's capitalised words the claim's article never uses (a Ukraine
  case for a Syria article);
- alias expansion: the BM25 query gets canonical names for aliases (Washington -> US, takfiri -> terrorists, ...);
- clause vectors: the dense score is the mean (or max) of the whole claim's cosine and its best clause's (split at
  "said that", "accused ... of", ", saying", ...);
- learned: a logistic regression over the re-ranker's features and the bonuses above, fitted on one half's
  positives (gold cases against the other candidates) and scored on the other half;
- oracle: the best same-narrative case first when the depth-30 candidates hold one (the ceiling of re-ordering).
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

GOLD_FILE = Path(__file__).parent / "factcheck_dev_gold.json"
ARMED = re.compile(r"(?i:terror|\bISIS\b|\bISIL\b|Daesh|Islamic State|Nusra|Qaeda|Qaida|jihad|militant|mercenar|takfiri"
                   r"|rebel|extremist|insurgent|armed (?:groups?|opposition)|\bfighters\b)")
SUPPORT = re.compile(r"(?i:\b(?:back|support|arm|fund|financ|sponsor|creat|train|suppl|help|aid|protect|defend|guard"
                     r"|direct|orchestrat|assist|cooperat|ally|allie|proxy|provid|equip|deliver|evacuat|fuel|favo)\w*)")
POWERS = {k: re.compile(v) for k, v in {
    "US": r"\b(?:U\.?S\.?A?|United States|Americans?|Pentagon|Washington|CIA|White House|Obama|Trump|Clinton)\b",
    "Saudi": r"\b(?:Saudi\w*|Riyadh|Bandar)\b", "Qatar": r"\b(?:Qatar\w*|Doha)\b",
    "Turkey": r"\b(?:Turk\w*|Ankara|Erdo[gğ]an)\b", "Israel": r"\b(?:Israel\w*|Mossad|Tel Aviv)\b",
    "UK": r"\b(?:UK|U\.K\.|Brit\w*|London|MI6)\b", "France": r"\b(?:France|French|Paris)\b",
    "West": r"\b(?:West(?:ern)?|NATO|EU|Europe\w*|coalition|foreign)\b", "Ukraine": r"\b(?:Ukrain\w*|Kyiv|Kiev)\b",
}.items()}
WEST = {"US", "UK", "France", "West"}
ALIASES = ((r"\b(?:Takfiri\w*|militants?|rebels?|extremists?|jihadists?|insurgents?|mercenar\w+)\b", "terrorists"),
           (r"\b(?:Daesh|ISIL|IS|Islamic State)\b", "ISIS Daesh ISIL"),
           (r"\b(?:Washington|Pentagon|White House|Americans?|CIA|U\.S\.|USA)\b", "US"),
           (r"\b(?:Western|West)\b", "West Western"), (r"\b(?:Ankara|Turkish|Erdogan)\b", "Turkey"),
           (r"\b(?:Riyadh|Saudis?)\b", "Saudi Arabia"), (r"\b(?:Damascus|Syrian government|Assad)\b", "Syria"),
           (r"\b(?:Moscow|Kremlin|Russian)\b", "Russia"), (r"-backed\b", " supported"))
CLAUSE = re.compile(r",\s+(?:saying|adding|stressing|claiming|while|but|which|who)\b|\s+(?:said|says|claimed|stressed"
                    r"|added|noted) that\s+|\baccus\w+ [^,]{0,80}? of\s+|;\s+|:\s+|\"")
CAP = re.compile(r"\b(?:[A-Z][a-z]+(?:[-'][A-Z]?[a-z]+)*|[A-Z]{2,}s?)\b")


def patrons(text: str) -> frozenset[str]:
    """Powers of a text that puts a support verb and an armed group in it (the accusing structure), else none."""
    if not (ARMED.search(text) and SUPPORT.search(text)):
        return frozenset()
    found = {k for k, p in POWERS.items() if p.search(text)}
    return frozenset(found | ({"West"} if found & WEST else set()))


def main(argv: Sequence[str] | None = None) -> int:
    """Print the variants' figures."""
    from tracewire import settings
    from tracewire.corpus.factcheck import (
        MatchConfig,
        build_index,
        content_words,
        embed,
        prepare,
        rank,
        shipped_reranker,
    )
    from tracewire.store import open_store
    from tracewire.store.factchecks import FactcheckStore

    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--db", type=Path, required=True)
    ap.add_argument("--floor", type=float, default=None,
                    help="the score floor of the top 3 (default: the shipped fill_score; 0 lets a re-ordering lift any "
                         "candidate: the oracle's ceiling rises from 26 to 37 of 39)")
    args = ap.parse_args(argv)
    gold = json.loads(GOLD_FILE.read_text(encoding="utf-8"))["claims"]
    store = open_store(args.db)
    fs = FactcheckStore.of(store)
    index, _ = build_index(store, settings.packs())
    cfg, rr = MatchConfig(), shipped_reranker()
    floor = min(cfg.min_score, cfg.fill_score) if args.floor is None else args.floor
    by = {(c["doc"], c["start"]): c for c in fs.claims(cfg.min_checkworthy)}
    gold = [g for g in gold if (g["doc"], g["start"]) in by]
    claims = [by[(g["doc"], g["start"])] for g in gold]
    texts = [c["text"] for c in claims]
    vecs, _ = embed(fs, texts)
    key = [" ".join(content_words(fc.claim_reviewed)) for fc in index.fcs]
    kor = {fc.row: key[i] for i, fc in enumerate(index.fcs)}
    want = [{kor[r] for r in g["rows"] if r in kor} for g in gold]
    short = [len(set(content_words(t))) < cfg.min_words for t in texts]
    prepare(index, texts)
    cos = index.cosines(vecs)
    cands = [[(c.pos, s, c.cos, c.features) for c, s in rank(index, t, vecs[i], rr, cfg.depth, cos[i])]
             for i, t in enumerate(texts)]
    cc = index.claim_vecs @ index.claim_vecs.T
    case_text = [fc.match_text for fc in index.fcs]
    case_pat = [patrons(t) for t in case_text]
    claim_pat = [patrons(t) for t in texts]
    case_cw = [index.cues.told(t) is not None for t in case_text]
    claim_cw = [index.cues.told(t) is not None for t in texts]
    articles = {g["doc"]: store.document(g["doc"]).text.lower() for g in gold}
    case_caps = [{m.group(0).lower() for m in CAP.finditer(t)} for t in case_text]

    def logit(s: float) -> float:
        return math.log(max(s, 1e-9) / max(1 - s, 1e-9))

    def top3(ordered: list[tuple[int, float, float]], skip_close: float | None = None) -> list[str]:
        """The shown top 3 of (pos, score, cosine) in order: the shipped floors, repeated cases once."""
        out: list[str] = []
        shown: list[int] = []
        for p, s, c in ordered:
            if s < floor or c < cfg.min_cosine or key[p] in out:
                continue
            if skip_close is not None and any(cc[p, q] > skip_close for q in shown):
                continue
            out.append(key[p])
            shown.append(p)
            if len(out) == 3:
                break
        return out

    def report(name: str, tops: list[list[str]]) -> None:
        cells = []
        for half in ("choose", "confirm", "all"):
            idx = [i for i, g in enumerate(gold) if want[i] and (half == "all" or g["split"] == half)]
            hits = sum(any(k in want[i] for k in tops[i]) for i in idx)
            cells.append(f"{hits}/{len(idx)}")
        print(f"  {name:<58} {cells[0]:>7} {cells[1]:>7} {cells[2]:>7}")

    def reordered(bonus: Callable[[int, tuple[Any, ...]], float], skip_close: float | None = None) -> list[list[str]]:
        tops = []
        for i in range(len(gold)):
            if short[i]:
                tops.append([])
                continue
            scored = sorted(cands[i], key=lambda c: -(logit(c[1]) + bonus(i, c)))
            tops.append(top3([(c[0], c[1], c[2]) for c in scored], skip_close))
        return tops

    print(f"  {'variant (stored top 3, same-narrative case)':<58} {'choose':>7} {'confirm':>7} {'all':>7}")
    report("shipped", reordered(lambda i, c: 0.0))
    report("oracle: a same-narrative case first when retrieved",
           reordered(lambda i, c: 100.0 * (key[c[0]] in want[i])))
    for tau in (0.5, 0.6, 0.7):
        for w in (1.0, 2.0, 4.0):
            def support(i: int, c: tuple[Any, ...], tau: float = tau, w: float = w) -> float:
                best = max(x[1] for x in cands[i])
                return w * sum(x[1] / best for x in cands[i] if key[x[0]] != key[c[0]] and cc[c[0], x[0]] > tau)
            report(f"cluster support, cosine > {tau}, weight {w:g}", reordered(support))
    for both, same in ((1.0, 0.0), (1.0, 2.0), (2.0, 2.0), (0.0, 2.0)):
        report(f"accusing structure +{both:g}, same power +{same:g}",
               reordered(lambda i, c, both=both, same=same: (both + same * bool(claim_pat[i] & case_pat[c[0]]))
                         if claim_pat[i] and case_pat[c[0]] else 0.0))
    for w in (1.0, 3.0):
        report(f"chemical blame (pack cue) on both +{w:g}",
               reordered(lambda i, c, w=w: w * (claim_cw[i] and case_cw[c[0]])))
    for tau in (0.7, 0.6, 0.5):
        report(f"diversity: skip a case with cosine > {tau} to a shown one", reordered(lambda i, c: 0.0, tau))
    for tau in (0.6, 0.7):
        deg = np.asarray([len({key[q] for q in np.nonzero(cc[p] > tau)[0]} - {key[p]}) for p in range(len(key))])
        for w in (0.5, 1.0):
            report(f"popularity: +{w:g} x log(1 + cases within cosine {tau})",
                   reordered(lambda i, c, w=w, deg=deg: w * math.log1p(deg[c[0]])))
    for w in (1.0, 2.0, 4.0):
        def absent(i: int, c: tuple[Any, ...], w: float = w) -> float:
            caps = case_caps[c[0]]
            return -w * sum(x not in articles[gold[i]["doc"]] for x in caps) / len(caps) if caps else 0.0
        report(f"absent entities: -{w:g} x share not in the article", reordered(absent))

    def expand(t: str) -> str:
        return t + " " + " ".join(w for p, w in ALIASES if re.search(p, t))

    wide = [expand(t) for t in texts]
    prepare(index, wide)
    report("alias expansion of the BM25 query", [
        [] if short[i] else top3([(c.pos, s, c.cos) for c, s in rank(index, wide[i], vecs[i], rr, cfg.depth, cos[i])])
        for i in range(len(gold))])
    parts = [[p.strip(' ,."') for p in CLAUSE.split(t) if len(p.split()) >= 4] for t in texts]
    flat = [p for ps in parts for p in ps]
    pvecs, _ = embed(fs, flat)
    for mode in ("mean", "max"):
        tops, at = [], 0
        for i, t in enumerate(texts):
            n = len(parts[i])
            mine = cos[i]
            if n:
                best = index.cosines(pvecs[at:at + n]).max(axis=0)
                mine = ((cos[i] + best) / 2 if mode == "mean" else np.maximum(cos[i], best)).astype(np.float32)
            at += n
            tops.append([] if short[i] else
                        top3([(c.pos, s, c.cos) for c, s in rank(index, t, vecs[i], rr, cfg.depth, mine)]))
        report(f"clause vectors ({mode} with the whole claim)", tops)
    learned(gold, cands, want, key, short, claim_pat, case_pat, claim_cw, case_cw, logit, top3, report)
    store.close()
    return 0


def learned(gold: list[dict[str, Any]], cands: list[list[tuple[Any, ...]]], want: list[set[str]], key: list[str],
            short: list[bool], claim_pat: list[frozenset[str]], case_pat: list[frozenset[str]], claim_cw: list[bool],
            case_cw: list[bool], logit: Callable[[float], float], top3: Callable[..., list[str]],
            report: Callable[[str, list[list[str]]], None]) -> None:
    """A logistic regression over the re-ranker's features, its logit and the structure bonuses, fitted on one
    half and scored on the other (each half's row is the other half's model)."""
    from sklearn.linear_model import LogisticRegression

    def feats(i: int, c: tuple[Any, ...]) -> list[float]:
        both = bool(claim_pat[i] and case_pat[c[0]])
        return [*c[3], logit(c[1]), float(both), float(both and bool(claim_pat[i] & case_pat[c[0]])),
                float(claim_cw[i] and case_cw[c[0]])]

    x = {i: np.asarray([feats(i, c) for c in cands[i]]) for i in range(len(gold)) if cands[i]}
    tops: list[list[str]] = [[] for _ in gold]
    for fit_on, score_on in (("choose", "confirm"), ("confirm", "choose")):
        idx = [i for i, g in enumerate(gold) if g["split"] == fit_on and want[i] and i in x]
        model = LogisticRegression(C=0.1, max_iter=2000, class_weight="balanced").fit(
            np.vstack([x[i] for i in idx]), np.concatenate([[key[c[0]] in want[i] for c in cands[i]] for i in idx]))
        for i, g in enumerate(gold):
            if g["split"] == score_on and i in x and not short[i]:
                z = model.decision_function(x[i])
                tops[i] = top3([(cands[i][k][0], cands[i][k][1], cands[i][k][2]) for k in np.argsort(-z, kind="stable")])
    report("learned on the other half (logistic regression, C=0.1)", tops)


if __name__ == "__main__":
    sys.exit(main())
