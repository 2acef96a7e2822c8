"""Draw candidate pairs for the reuse_real set and print their shared text for a human labeller.

Run: ``python eval/reuse_real_draw.py draw`` (writes eval/reuse_real/.cache/candidates.jsonl;
``draw-more`` appends the second batch),
then ``python eval/reuse_real_draw.py show FROM TO`` to read candidates FROM..TO-1 with their
shared passages in context, and ``python eval/reuse_real_draw.py build`` to join the labels in
``eval/reuse_real/labels.tsv`` (``n<TAB>label<TAB>note``) with the candidates into
``eval/reuse_real/pairs.jsonl`` (ids, offsets, labels, notes; no text). Batch 4 (dev only, by
hash): ``draw-b4`` writes ``.cache/candidates_b4.jsonl`` from tracewire's own unlabelled links,
``show-b4 FROM TO`` prints them, ``build-b4`` appends the labels after ``# batch 4`` in labels.tsv.
Batch 5 (dev only, by hash; the method's near misses): ``draw-b5`` writes ``.cache/candidates_b5.jsonl``
from what relaxed variants of the stage link and the shipped one does not, ``show-b5`` / ``build-b5`` as for 4.
Batch 6 (dev only, by hash; what issue 10's rec10 rules changed): ``draw-b6 OLD`` (OLD: a checkout of
4c25478, ``git worktree add OLD 4c25478``) writes ``.cache/candidates_b6.jsonl`` from the links the current
method gained or lost against it, ``show-b6`` / ``build-b6`` as for 4.
Batch 7 (dev only, by hash; where the method may still be wrong): ``draw-b7`` writes ``.cache/candidates_b7.jsonl``
from pairs passim links and tracewire does not, tracewire's weakest links, batch 5's near misses, the
shared-quotation path's near misses and pairs sharing a rare 10-word run that nothing links, PolNeAR and FA-KES
first; ``show-b7`` / ``build-b7`` as for 4.
Batch 8 (dev only, by hash; where the date, same-site and quotation rules decide): ``draw-b8`` writes
``.cache/candidates_b8.jsonl`` from what the stage links with one of those rules off or one threshold moved, a
loose setting, quotations two documents both print, and rare 8-word runs shared across outlets that nothing
links; ``show-b8`` / ``build-b8`` as for 4.
Batch 9 (dev only, by hash; the decisions rr28 found thin): ``draw-b9`` writes ``.cache/candidates_b9.jsonl`` from
pairs of different outlets more than a week apart sharing a rare 8-15-word run, pairs whose shared text is quoted in
one text only, the links the lede_copy and same-site rules decide, pairs the stage links with no week's window, a
control of links both systems make, and the pairs a general change of ``MEASURE_B9`` moves; ``show-b9`` /
``build-b9`` as for 4; ``variants-b9 [NAME ...]`` scores ``MEASURE_B9``'s settings on the dev half only (all, batches
1-8, batch 9, batches 1-2) and names the labelled dev pairs each one links or unlinks against the shipped method.
``lede-rewrite [WORDS] [BLOCKED] [TEMPLATE] [FIGURES]``: rr30/rr31's lede measure against the stage with its lede
path off; ``lede-stage``: the stage's lede path (rr32) against that measure, dev scored, held-out pairs counted only.
Batch 12 (dev only, by hash; rr34: the regions batches 1-11 sampled little): ``draw-b12 [--dry]`` writes
``.cache/candidates_b12.jsonl`` from the method at 680d914 (``B12_METHOD``): unlabelled shipped links of kind
``shared_quotation`` or ``rewrite``, short links across outlets (12-25 shared words), pairs whose s* lies in 0.25-4,
passim-only pairs across outlets sharing rare 10-word runs, pairs both printing a quotation of 11+ words, and
same-event pairs of different outlets neither system links (TF-IDF cosine); ``show-b12`` / ``build-b12`` as for 4;
``variants-b12`` scores ``MEASURE_B12`` (rr34's ``same_outlet_events`` rule on and off) on the dev half only and
counts the links each moves, labelled dev / unlabelled dev / held-out by hash (counted, never read). 65 drawn, 21
within-outlet body copies or row repeats left out as ``skip``, 44 labelled: 0 reuse / 8 furniture / 13
stock_phrase / 23 independent (eval/reuse_real/README.md, batch 12).

Strata per corpus (see README.md): pairs only tracewire links, only passim links, both link, and
neither links but plausibly report the same event (highest TF-IDF cosine of their words among
unlinked pairs of different outlets). The shared passages shown are the union of both systems'
aligned passages and the word runs of 6+ words the two texts have in common (difflib), so the
labeller sees what is shared whether or not a system found it.
"""

from __future__ import annotations

import contextlib
import difflib
import json
import random
import re
import sys
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from eval import reuse_real as rr  # noqa: E402
from tracewire.corpus import reuse as reuse_stage  # noqa: E402

CAND = rr.CACHE / "candidates.jsonl"
LABELS_TSV = rr.HERE / "labels.tsv"
SEED = 20261128
# pairs drawn per corpus and stratum (before within-outlet body copies are left out)
QUOTA = {
    "fakes": {"tw_only_cross": 25, "tw_only_same": 25, "passim_only": 50, "both": 25, "neither": 30},
    "polnear": {"tw_only_cross": 20, "tw_only_same": 20, "passim_only": 35, "both": 20, "neither": 30},
    "ptc": {"tw_only_cross": 20, "tw_only_same": 0, "passim_only": 35, "both": 25, "neither": 20},
}
WORD = re.compile(r"\w+")


def words(text: str) -> list[tuple[str, int, int]]:
    """Lower-cased words with their character offsets."""
    return [(m.group().lower(), m.start(), m.end()) for m in WORD.finditer(text)]


def common_runs(ta: str, tb: str, min_words: int = 6) -> list[dict[str, int]]:
    """Runs of at least ``min_words`` words the two texts share verbatim (difflib blocks), as offsets."""
    wa, wb = words(ta), words(tb)
    sm = difflib.SequenceMatcher(None, [w for w, _, _ in wa], [w for w, _, _ in wb], autojunk=False)
    out = []
    for blk in sm.get_matching_blocks():
        if blk.size >= min_words:
            out.append({"a_start": wa[blk.a][1], "a_end": wa[blk.a + blk.size - 1][2],
                        "b_start": wb[blk.b][1], "b_end": wb[blk.b + blk.size - 1][2], "words": blk.size})
    return out


def _neither(docs: dict[str, dict[str, Any]], linked: set[rr.Pair], n: int, rng: random.Random) -> list[rr.Pair]:
    """Unlinked pairs of different outlets most alike in their rare words (same-event candidates)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    ids = sorted(docs)
    m = TfidfVectorizer(min_df=2, max_df=0.2, sublinear_tf=True).fit_transform([docs[i]["text"] for i in ids])
    sim = (m @ m.T).tocoo()
    scored = []
    for i, j, v in zip(sim.row, sim.col, sim.data, strict=True):
        if i < j and docs[ids[i]]["outlet"] != docs[ids[j]]["outlet"]:
            k = rr.key(ids[i], ids[j])
            if k not in linked:
                scored.append((float(v), k))
    scored.sort(reverse=True)
    pool = [k for _, k in scored[: 4 * n]]
    return sorted(rng.sample(pool, min(n, len(pool))))


# a second batch, drawn after the first was labelled, to add positives (appended: indices stay)
QUOTA_MORE = {
    "fakes": {"passim_only": 15, "both": 25},
    "polnear": {"passim_only": 20},
    "ptc": {"both": 10},
}


def draw(more: bool = False) -> None:
    """Sample candidates of every stratum of every corpus into the cache (``more``: append batch 2)."""
    rng = random.Random(SEED + 1 if more else SEED)
    out = [json.loads(x) for x in CAND.read_text(encoding="utf-8").splitlines()] if more else []
    taken = {(c["corpus"], c["a"], c["b"]) for c in out}
    for corpus in rr.CORPORA:
        docs, tw, ps = rr.prepare(corpus)
        assert ps is not None, f"run passim on {corpus} first"
        same = {k for k in tw if docs[k[0]]["outlet"] == docs[k[1]]["outlet"]}
        strata = {
            "tw_only_cross": sorted(set(tw) - set(ps) - same),
            "tw_only_same": sorted(same - set(ps)),
            "passim_only": sorted(set(ps) - set(tw)),
            "both": sorted(set(tw) & set(ps)),
        }
        sizes = {s: len(v) for s, v in strata.items()}
        print(corpus, len(docs), "docs", sizes, file=sys.stderr)
        q = (QUOTA_MORE if more else QUOTA)[corpus]
        strata = {s: [k for k in v if (corpus, *k) not in taken] for s, v in strata.items() if s in q}
        picked = {s: sorted(rng.sample(v, min(q[s], len(v)))) for s, v in strata.items()}
        if "neither" in q:
            picked["neither"] = _neither(docs, set(tw) | set(ps), q["neither"], rng)
        for stratum, pairs in picked.items():
            for a, b in pairs:
                out.append({"corpus": corpus, "a": a, "b": b, "stratum": stratum,
                            "stratum_size": sizes.get(stratum), "tracewire": tw.get((a, b), []),
                            "passim": ps.get((a, b), []),
                            "runs": common_runs(docs[a]["text"], docs[b]["text"])})
    rr._jsonl(CAND, out)
    print(f"{len(out)} candidates -> {CAND}", file=sys.stderr)


# batch 3: drawn from the method at the time (issue 10 in progress) against passim, to grow the dev
# half only (its pairs carry split "dev" and a ``b3_`` stratum; the first two batches keep the hash rule)
SEED_DEV = 20261129
QUOTA_DEV = {
    "fakes": {"tw_only_cross": 12, "tw_only_same": 10, "passim_only": 28, "both": 20, "neither": 12},
    "polnear": {"tw_only_cross": 8, "tw_only_same": 4, "passim_only": 20, "both": 12, "neither": 10},
    "ptc": {"tw_only_cross": 8, "tw_only_same": 4, "passim_only": 18, "both": 16, "neither": 8},
}


def draw_dev() -> None:
    """Append batch 3 (dev only): new pairs of every stratum, none already drawn or labelled."""
    rng = random.Random(SEED_DEV)
    out = [json.loads(x) for x in CAND.read_text(encoding="utf-8").splitlines()]
    taken = {(c["corpus"], *rr.key(c["a"], c["b"])) for c in out}
    taken |= {(p["corpus"], *rr.key(p["a"], p["b"])) for p in rr.load_pairs()}
    for corpus in rr.CORPORA:
        docs, tw, ps = rr.prepare(corpus)
        assert ps is not None, f"run passim on {corpus} first"
        # FA-KES rows whose unit_id repeats get row ids passim's cached input lacks: leave them out
        fed = {json.loads(x)["id"] for x in (rr.CACHE / corpus / "passim_in.jsonl").read_text().splitlines()}
        docs = {i: d for i, d in docs.items() if i in fed}
        tw = {k: v for k, v in tw.items() if k[0] in fed and k[1] in fed}
        same = {k for k in set(tw) | set(ps) if docs[k[0]]["outlet"] == docs[k[1]]["outlet"]}
        strata = {
            "tw_only_cross": sorted(set(tw) - set(ps) - same),
            "tw_only_same": sorted((set(tw) & same) - set(ps)),
            "passim_only": sorted(set(ps) - set(tw)),
            "both": sorted(set(tw) & set(ps)),
        }
        sizes = {s: len(v) for s, v in strata.items()}
        print(corpus, len(docs), "docs", sizes, file=sys.stderr)
        q = QUOTA_DEV[corpus]
        strata = {s: [k for k in v if (corpus, *k) not in taken] for s, v in strata.items() if s in q}
        picked = {s: sorted(rng.sample(v, min(q[s], len(v)))) for s, v in strata.items()}
        if "neither" in q:
            linked = set(tw) | set(ps) | {k for c, *k2 in taken if c == corpus for k in [tuple(k2)]}
            picked["neither"] = _neither(docs, linked, q["neither"], rng)
        for stratum, pairs in picked.items():
            for a, b in pairs:
                out.append({"corpus": corpus, "a": a, "b": b, "stratum": "b3_" + stratum, "split": "dev",
                            "stratum_size": sizes.get(stratum), "tracewire": tw.get((a, b), []),
                            "passim": ps.get((a, b), []),
                            "runs": common_runs(docs[a]["text"], docs[b]["text"])})
    rr._jsonl(CAND, out)
    print(f"{len(out)} candidates -> {CAND}", file=sys.stderr)


def _spread(text: str, phrase: str, docs: dict[str, dict[str, Any]], outlet: str) -> str:
    """How many documents (same outlet / other outlets) contain the phrase's first 8 words."""
    ws = WORD.findall(phrase)[:8]
    if len(ws) < 4:
        return ""
    pat = re.compile(r"\W+".join(re.escape(w) for w in ws), re.I)
    same = other = 0
    for d in docs.values():
        if pat.search(d["text"]):
            if d["outlet"] == outlet:
                same += 1
            else:
                other += 1
    return f"[in {same} same-outlet / {other} other-outlet docs]"


def show(lo: int, hi: int, batch: str = "") -> None:
    """Print candidates lo..hi-1 (of batch ``b4``/``b5``, or of batches 1-3): outlets, titles, shared passages."""
    cands = [json.loads(x) for x in {"": CAND, "b4": CAND_B4, "b5": CAND_B5, "b6": CAND_B6, "b7": CAND_B7,
                                     "b8": CAND_B8, "b9": CAND_B9, "b10": CAND_B10, "b11": CAND_B11,
                                     "b12": CAND_B12, "b13": CAND_B13}[batch].read_text(encoding="utf-8").splitlines()]
    cache: dict[str, dict[str, dict[str, Any]]] = {}
    for n in range(lo, min(hi, len(cands))):
        c = cands[n]
        if c["corpus"] not in cache:
            cache[c["corpus"]] = {json.loads(x)["id"]: json.loads(x) for x in
                                  (rr.CACHE / c["corpus"] / (f"docs_{batch}.jsonl" if batch else "passim_in.jsonl"))
                                  .read_text().splitlines()}
            for d in cache[c["corpus"]].values():
                d["outlet"] = d["series"]
        docs = cache[c["corpus"]]
        da, db = docs[c["a"]], docs[c["b"]]
        ta, tb = da["text"], db["text"]
        print(f"=== #{n} {c['corpus']} {c['stratum']}  A={c['a']} ({da['outlet']}, {len(ta)} ch)  "
              f"B={c['b']} ({db['outlet']}, {len(tb)} ch)  tw={len(c['tracewire'])} ps={len(c['passim'])}"
              + (f"  rule={c['rule']}" if "rule" in c else "")
              + (f"  days={c['days']} printed_days={c['printed_days']}" if "days" in c else "")
              + (f"  longest={c['longest']} quoted={c['quoted']}" if "quoted" in c else ""))
        print(f"  A: {ta[:90]!r}\n  B: {tb[:90]!r}")
        spans = [("tw", p) for p in c["tracewire"]] + [("ps", p) for p in c["passim"]] + \
                [("run", p) for p in c["runs"]] + [("lede", p) for p in c.get("lede", [])]
        seen: list[tuple[int, int]] = []
        for tag, p in sorted(spans, key=lambda x: x[1]["a_start"]):
            if any(s <= p["a_start"] and p["a_end"] <= e for s, e in seen) and tag == "run":
                continue
            seen.append((p["a_start"], p["a_end"]))
            seg = ta[p["a_start"]:p["a_end"]]
            segb = tb[p["b_start"]:p["b_end"]]
            pos = f"A@{p['a_start']}/{len(ta)} B@{p['b_start']}/{len(tb)}"
            shown = seg if len(seg) <= 400 else seg[:250] + " ... " + seg[-120:]
            extra = "" if seg == segb or tag == "run" else \
                f"\n      B-side: {(segb if len(segb) <= 300 else segb[:200] + ' ... ' + segb[-80:])!r}"
            print(f"  [{tag} {pos} {len(WORD.findall(seg))}w] "
                  f"{_spread(ta, seg, docs, da['outlet'])} {shown!r}{extra}")
        if not spans:
            print("  (no shared run of 6+ words)")


def _labelled(lines: list[str], cands: list[dict[str, Any]]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(label, note, candidate) of each label line (``n<TAB>label<TAB>note``), ``skip`` lines left out."""
    for line in lines:
        if not line.strip() or line.startswith("#"):
            continue
        n_s, label, note = (line.split("\t") + [""])[:3]
        if label == "skip":
            continue
        if label not in rr.LABELS:
            raise ValueError(f"line {line!r}: label must be one of {rr.LABELS} or skip")
        yield label, note, cands[int(n_s)]


def _pair_row(c: dict[str, Any], label: str, note: str, split: str, runs: list[dict[str, Any]]) -> dict[str, Any]:
    """A pairs.jsonl row: ids, label, split, stratum and the offsets of up to six of its longest runs."""
    ev = sorted(runs, key=lambda p: p["a_start"] - p["a_end"])
    return {"corpus": c["corpus"], "a": c["a"], "b": c["b"], "label": label, "split": split,
            "drawn_from": c["stratum"],
            "evidence": [{k: p[k] for k in ("a_start", "a_end", "b_start", "b_end")} for p in ev[:6]],
            "note": note}


def _write_pairs(rows: list[dict[str, Any]]) -> None:
    """pairs.jsonl in (corpus, a, b) order."""
    rows.sort(key=lambda r: (r["corpus"], r["a"], r["b"]))
    rr._jsonl(rr.PAIRS, rows)
    print(f"{len(rows)} labelled pairs -> {rr.PAIRS}", file=sys.stderr)


def build() -> None:
    """Join labels.tsv with the candidates into pairs.jsonl (no text)."""
    cands = [json.loads(x) for x in CAND.read_text(encoding="utf-8").splitlines()]
    lines = LABELS_TSV.read_text(encoding="utf-8").splitlines()
    # batch 4 indexes its own candidates: ``build-b4``
    cut = next((i for i, x in enumerate(lines) if x.startswith(B4_MARK)), len(lines))
    rows = [_pair_row(c, label, note, c.get("split") or rr.split_of(c["corpus"], c["a"], c["b"]),
                      c["runs"] or c["tracewire"] or c["passim"])
            for label, note, c in _labelled(lines[:cut], cands)]
    rows += [p for p in rr.load_pairs() if p["drawn_from"].startswith(("b4_", "b5_", "b6_", "b7_", "b8_", "b9_", "b10_", "b11_",
                                                                          "b12_", "b13_"))]
    _write_pairs(rows)


# batch 4 (dev only, by hash): tracewire's own links of the current method that no batch labelled,
# riskiest first, to show the dev half more of the false-link patterns a precision of 0.96 hides.
# Only pairs whose hash (``split_of``) names the dev half are kept; the others are never shown.
CAND_B4 = rr.CACHE / "candidates_b4.jsonl"
SEED_B4 = 20261130
QUOTA_B4 = {"fakes": 200, "polnear": 200, "ptc": 200}  # every such link


def _risk(same: bool, words_shared: int, kind: str, n_passages: int) -> int:
    """How likely a link is to be false: one outlet, little shared text, a shared quotation."""
    return 2 * same + 2 * (words_shared < 40) + (words_shared < 80) + (kind == "shared_quotation") + \
        (n_passages == 1)


def _taken(*paths: Path) -> set[tuple[str, str, str]]:
    """(corpus, a, b) of every labelled pair and of every candidate in the given files (skips included)."""
    taken = {(p["corpus"], *rr.key(p["a"], p["b"])) for p in rr.load_pairs()}
    for path in paths:
        if path.exists():
            taken |= {(c["corpus"], *rr.key(c["a"], c["b"])) for c in
                      (json.loads(x) for x in path.read_text(encoding="utf-8").splitlines())}
    return taken


def _fresh(k: rr.Pair, docs: dict[str, dict[str, Any]], taken: set[tuple[str, str, str]], corpus: str) -> bool:
    """A pair of this corpus's documents that no earlier batch drew."""
    return k[0] in docs and k[1] in docs and (corpus, *k) not in taken


def _same_outlet(k: rr.Pair, docs: dict[str, dict[str, Any]]) -> bool:
    """Both documents of the pair come from one known outlet."""
    return bool(docs[k[0]]["outlet"]) and docs[k[0]]["outlet"] == docs[k[1]]["outlet"]


def _write_docs(corpus: str, batch: str, docs: dict[str, dict[str, Any]]) -> None:
    """The stored texts a batch's ``show`` reads (git-ignored cache: they are article text)."""
    rr._jsonl(rr.CACHE / corpus / f"docs_{batch}.jsonl",
              ({"id": i, "text": d["text"], "series": d["outlet"] or "?"} for i, d in sorted(docs.items())))


def draw_b4() -> None:
    """Write batch 4: unlabelled dev-half pairs that tracewire links now, riskiest first."""
    import tempfile

    rng = random.Random(SEED_B4)
    taken = _taken(CAND)
    out: list[dict[str, Any]] = []
    for corpus in rr.CORPORA:
        with tempfile.TemporaryDirectory(prefix=f"reuse_b4_{corpus}_") as tmp:
            db = Path(tmp) / "tw.db"
            rr.ingest_corpus(corpus, db, Path(tmp))
            docs = rr.documents(db)
            rows = rr.reuse_records(db)
        _write_docs(corpus, "b4", docs)
        scored = []
        for r in rows:
            a, b = rr.key(r["source"], r["target"])
            if (corpus, a, b) in taken or rr.split_of(corpus, a, b) != "dev":
                continue  # labelled already, or in the held-out half: never looked at
            ps = rr.links_of([r])[(a, b)]
            ta = docs[a]["text"]
            nw = sum(len(WORD.findall(ta[p["a_start"]:p["a_end"]])) for p in ps)
            same = bool(docs[a]["outlet"]) and docs[a]["outlet"] == docs[b]["outlet"]
            scored.append((_risk(same, nw, r.get("kind", ""), len(ps)), rng.random(), a, b, ps, r.get("kind", ""),
                           same, nw))
        scored.sort(reverse=True)
        print(corpus, len(rows), "links", len(scored), "unlabelled dev", file=sys.stderr)
        for risk, _, a, b, ps, kind, same, nw in scored[: QUOTA_B4[corpus]]:
            out.append({"corpus": corpus, "a": a, "b": b, "stratum": f"b4_tw_{'same' if same else 'cross'}",
                        "risk": risk, "kind": kind, "words": nw, "tracewire": ps, "passim": [],
                        "runs": common_runs(docs[a]["text"], docs[b]["text"])})
    rr._jsonl(CAND_B4, out)
    print(f"{len(out)} candidates -> {CAND_B4}", file=sys.stderr)



B4_MARK = "# batch 4"
B5_MARK = "# batch 5"
B6_MARK = "# batch 6"


def _batch_lines(lines: list[str], mark: str) -> list[str]:
    """The label lines after a batch's ``# batch N`` line, up to the next batch's."""
    lo = next(i for i, x in enumerate(lines) if x.startswith(mark)) + 1
    hi = next((i for i in range(lo, len(lines)) if lines[i].startswith("# batch ")), len(lines))
    return lines[lo:hi]


def build_batch(batch: str) -> None:
    """Join the labels of batch ``b4`` or ``b5`` (after its ``# batch N`` line) with its candidates into pairs.jsonl."""
    mark, path = {"b4": (B4_MARK, CAND_B4), "b5": (B5_MARK, CAND_B5), "b6": (B6_MARK, CAND_B6),
                  "b7": (B7_MARK, CAND_B7), "b8": (B8_MARK, CAND_B8), "b9": (B9_MARK, CAND_B9),
                  "b10": (B10_MARK, CAND_B10), "b11": (B11_MARK, CAND_B11),
                  "b12": (B12_MARK, CAND_B12), "b13": (B13_MARK, CAND_B13)}[batch]
    cands = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]
    lines = LABELS_TSV.read_text(encoding="utf-8").splitlines()
    rows = [p for p in rr.load_pairs() if not p["drawn_from"].startswith(batch + "_")]
    for label, note, c in _labelled(_batch_lines(lines, mark), cands):
        assert rr.split_of(c["corpus"], c["a"], c["b"]) == "dev", f"batch {batch} holds dev pairs only"
        rows.append(_pair_row(c, label, note, "dev", c["runs"] or c["tracewire"] or c.get("lede", [])))
    _write_pairs(rows)


# batch 5 (dev only, by hash): the method's near misses. The reuse stage is run at the shipped
# settings and at relaxed ones (one knob or one rule at a time); the links a relaxed run makes that
# the shipped one does not, and the shipped links no batch drew, are the candidates. Only pairs
# whose hash names the dev half are kept; the others are never shown.
CAND_B5 = rr.CACHE / "candidates_b5.jsonl"
SEED_B5 = 20261131
QUOTA_B5 = {"fakes": 60, "polnear": 200, "ptc": 40}  # PolNeAR first: the held-out half's false links lie there


def _never(*_: object) -> bool:
    """A passage test that holds for no passage (a rule turned off)."""
    return False


def _off(*_: object) -> Callable[..., bool]:
    """A factory of ``_never``: stands in for a reuse filter factory whose rule is turned off."""
    return _never


# name -> (ReuseConfig fields to change, reuse.py filter factories turned off)
VARIANTS_B5: dict[str, tuple[dict[str, Any], tuple[str, ...]]] = {
    "shipped": ({}, ()),
    "anchors3": ({"min_anchors": 3}, ()),
    "weight9": ({"min_link_words": 9.0, "min_short_words": 6}, ()),
    "no_house": ({}, ("_stock_filter",)),
    "no_names": ({}, ("_name_filter",)),
    "no_formula": ({"stock_repeat": 1e9}, ()),
    "no_window": ({"wire_days": 100_000}, ()),
    # every knob and rule at once, well below the shipped settings: PolNeAR's near misses are few
    "loose": ({"min_anchors": 2, "min_link_words": 6.0, "min_short_words": 4, "stock_rarity": 0.2,
               "stock_repeat": 1e9, "wire_days": 100_000, "same_outlet_words": 30.0},
              ("_stock_filter", "_name_filter")),
}


def _variant_links(base: Path, name: str,
                   variants: dict[str, tuple[dict[str, Any], tuple[str, ...]]] | None = None) -> rr.Links:
    """The links of one variant of the reuse stage (of ``variants``, default batch 5's) on a copy of the
    ingested store ``base``."""
    import shutil
    from unittest import mock

    from tracewire.corpus import reuse

    fields, off = (VARIANTS_B5 if variants is None else variants)[name]
    db = base.with_name(f"{name}.db")
    shutil.copy(base, db)
    with contextlib.ExitStack() as stack:
        for f in off:
            stack.enter_context(mock.patch.object(reuse, f, _off))
        return rr.links_of(rr.reuse_records(db, reuse.ReuseConfig(**fields)))


def draw_b5() -> None:
    """Write batch 5: unlabelled dev-half pairs that a relaxed variant links and the shipped method does not,
    and the shipped method's links that no batch drew."""
    import tempfile

    rng = random.Random(SEED_B5)
    taken = _taken(CAND, CAND_B4)
    out: list[dict[str, Any]] = []
    for corpus in ("polnear", "fakes", "ptc"):
        with tempfile.TemporaryDirectory(prefix=f"reuse_b5_{corpus}_") as tmp:
            base = Path(tmp) / "base.db"
            rr.ingest_corpus(corpus, base, Path(tmp))
            docs = rr.documents(base)
            runs = {name: _variant_links(base, name) for name in VARIANTS_B5}
        _write_docs(corpus, "b5", docs)
        shipped = runs["shipped"]
        pool_: dict[rr.Pair, list[str]] = {}
        for name, links in runs.items():
            for k in links:
                if (name == "shipped" or k not in shipped) and (corpus, *k) not in taken \
                        and rr.split_of(corpus, *k) == "dev":  # held-out pairs: never looked at
                    pool_.setdefault(k, []).append(name)
        keys = sorted(pool_)
        # the nearest misses first (a run one knob or one rule away links them), then the loose run's
        near = sorted(keys, key=lambda k: (pool_[k] == ["loose"], rng.random()))
        picked = sorted(near[: QUOTA_B5[corpus]])
        print(corpus, {n: len(v) for n, v in runs.items()}, len(keys), "unlabelled dev pairs,",
              len(picked), "drawn", file=sys.stderr)
        for a, b in picked:
            names = pool_[(a, b)]
            same = bool(docs[a]["outlet"]) and docs[a]["outlet"] == docs[b]["outlet"]
            out.append({"corpus": corpus, "a": a, "b": b,
                        "stratum": f"b5_{'shipped' if 'shipped' in names else 'near'}_{'same' if same else 'cross'}",
                        "variants": names, "tracewire": runs[names[0]][(a, b)], "passim": [],
                        "runs": common_runs(docs[a]["text"], docs[b]["text"])})
    rr._jsonl(CAND_B5, out)
    print(f"{len(out)} candidates -> {CAND_B5}", file=sys.stderr)


# batch 6 (dev only, by hash): what issue 10's rec10 rules (merged at 2692dae) changed. Candidates: (a) the
# links the current method makes that the method at 4c25478 did not, and those it lost; (b) the new rules'
# near misses: pairs a relaxed setting of the current method links (batch 5's ``VARIANTS_B5``) that no
# relaxed setting of the method at 4c25478 links. None drawn or labelled before; only pairs whose hash
# names the dev half are kept (the others are counted, never shown). Which rule a changed link owes
# itself to is read from variants of the current method with one rule off.
CAND_B6 = rr.CACHE / "candidates_b6.jsonl"
OLD_B6 = "4c25478"
_OLD_LINKS = """
import json, sys, tempfile
from pathlib import Path
from eval import reuse_real as rr
from eval import reuse_real_draw as d
corpus, out = sys.argv[1], sys.argv[2]
with tempfile.TemporaryDirectory(prefix="reuse_b6_old_") as tmp:
    base = Path(tmp) / "base.db"
    rr.ingest_corpus(corpus, base, Path(tmp))
    runs = {name: d._variant_links(base, name) for name in d.VARIANTS_B5}
json.dump({name: {"\\t".join(k): v for k, v in links.items()} for name, links in runs.items()}, open(out, "w"))
"""


def _old_links(corpus: str, old: Path) -> dict[str, rr.Links]:
    """The links of the method checked out at ``old`` (``git worktree add OLD 4c25478``) at its shipped
    and batch 5's relaxed settings, cached in ``.cache/<corpus>/links_4c25478.json``."""
    import os
    import subprocess

    path = rr.CACHE / corpus / f"links_{OLD_B6}.json"
    if not path.exists():
        env = {**os.environ, "PYTHONPATH": str(old)}
        subprocess.run([sys.executable, "-c", _OLD_LINKS, corpus, str(path)], check=True, cwd=old, env=env)
    raw = json.loads(path.read_text(encoding="utf-8"))
    return {name: {rr.key(*k.split("\t")): v for k, v in links.items()} for name, links in raw.items()}


def _identity(p: Any, *_: object) -> Any:
    """``heaviest_run`` turned off: every passage weighed whole."""
    return p


def _not_twice(ds: Any, *_: object) -> Any:
    """``_printed_twice`` turned off: no n-gram held twice is a seed."""
    import numpy as np

    return np.zeros(ds.shape[0], dtype=bool)


def _b6_variant(base: Path, name: str, relax: str = "shipped") -> rr.Links:
    """The current method with one rec10 rule off (``shipped``: none), on a copy of the store ``base``;
    ``relax``: one of batch 5's relaxed settings (``VARIANTS_B5``) on top."""
    import shutil
    from unittest import mock

    from tracewire.corpus import align, reuse

    db = base.with_name(f"{name}_{relax}.db")
    shutil.copy(base, db)
    fields, off = VARIANTS_B5[relax]
    real = getattr(reuse, "candidate_pairs")  # noqa: B009 (imported into reuse, patched there)

    def known_only(*a: Any, **kw: Any) -> Any:
        """The short path for documents of different *known* outlets only (as at 4c25478)."""
        ii, jj, w, stats = real(*a, **kw)
        known = kw.get("known")
        if known is None:
            return ii, jj, w, stats
        ok = (w >= kw["min_shared"]) | (known[ii] & known[jj])
        return ii[ok], jj[ok], w[ok], stats

    patches = {"shipped": [], "no_unknown_short": [(reuse, "candidate_pairs", known_only)],
               "no_heaviest": [(reuse, "heaviest_run", _identity)],
               "no_twice": [(align, "_printed_twice", _not_twice)]}[name]
    with contextlib.ExitStack() as stack:
        for mod, attr, new in patches:
            stack.enter_context(mock.patch.object(mod, attr, new))
        for f in off:
            stack.enter_context(mock.patch.object(reuse, f, _off))
        return rr.links_of(rr.reuse_records(db, reuse.ReuseConfig(**fields)))


VARIANTS_B6 = ("shipped", "no_unknown_short", "no_heaviest", "no_twice")


def _b6_rule(k: rr.Pair, gained: bool, runs: dict[str, rr.Links]) -> str:
    """Which rec10 rule a changed link owes itself to: the variants that undo the change, else the rest."""
    undo = [n for n in VARIANTS_B6[1:] if (k in runs[n]) != gained]
    return "+".join(undo) if undo else "quote_or_end"  # quoted passages weigh their words, or the end extension


def draw_b6(old: Path) -> None:
    """Write batch 6: the dev-half pairs whose link the rec10 rules changed, and the rules' near misses."""
    import tempfile
    from collections import Counter

    # batch 6's own pairs are not "taken": drawing again gives the same candidates, indices and all
    taken = _taken(CAND, CAND_B4, CAND_B5) - {(p["corpus"], *rr.key(p["a"], p["b"])) for p in rr.load_pairs()
                                              if p["drawn_from"].startswith("b6_")}
    out: list[dict[str, Any]] = []
    for corpus in rr.CORPORA:
        before = _old_links(corpus, old)
        with tempfile.TemporaryDirectory(prefix=f"reuse_b6_{corpus}_") as tmp:
            base = Path(tmp) / "base.db"
            rr.ingest_corpus(corpus, base, Path(tmp))
            docs = rr.documents(base)
            runs = {name: _b6_variant(base, name) for name in VARIANTS_B6}
            relaxed = {name: _b6_variant(base, "shipped", name) for name in VARIANTS_B5 if name != "shipped"}
            # the short path's own near misses (pages of no known outlet): pairs a relaxed setting links
            # with it and not without it; reported as a count with the labels they already carry
            path_near: set[rr.Pair] = set()
            if not all(d["outlet"] for d in docs.values()):
                for name, links in relaxed.items():
                    path_near |= set(links) - set(_b6_variant(base, "no_unknown_short", name)) - set(runs["shipped"])
        _write_docs(corpus, "b6", docs)
        now, then = runs["shipped"], before["shipped"]
        changed = [(k, True) for k in sorted(set(now) - set(then))] + \
            [(k, False) for k in sorted(set(then) - set(now))]
        rules = Counter((g, _b6_rule(k, g, runs), rr.split_of(corpus, *k)) for k, g in changed)
        fresh = [(k, g) for k, g in changed if (corpus, *k) not in taken and rr.split_of(corpus, *k) == "dev"]
        old_pool = set().union(*before.values())
        near: dict[rr.Pair, list[str]] = {}
        for name, links in relaxed.items():
            for k in set(links) - set(now) - old_pool:
                near.setdefault(k, []).append(name)
        near_dev = sorted(k for k in near if (corpus, *k) not in taken and rr.split_of(corpus, *k) == "dev")
        if path_near:
            labels = {(p["corpus"], *rr.key(p["a"], p["b"])): p["label"] for p in rr.load_pairs("dev")}
            print(f"{corpus}: {len(path_near)} near misses of the short path for pages of no known outlet, "
                  f"{sum(rr.split_of(corpus, *k) != 'dev' for k in path_near)} held-out by hash (not shown); "
                  f"dev ones by label: {Counter(labels.get((corpus, *k), '?') for k in path_near if rr.split_of(corpus, *k) == 'dev')}",
                  file=sys.stderr)
        print(f"{corpus}: {len(then)} links at {OLD_B6}, {len(now)} now; changed (gained, rule, half): "
              f"{dict(sorted(rules.items()))}; {len(fresh)} unlabelled dev drawn. Near misses of the new "
              f"rules: {len(near)}, {sum(rr.split_of(corpus, *k) != 'dev' for k in near)} held-out by hash "
              f"(not shown), {len(near_dev)} unlabelled dev drawn", file=sys.stderr)
        for (a, b), gained in fresh:
            same = bool(docs[a]["outlet"]) and docs[a]["outlet"] == docs[b]["outlet"]
            out.append({"corpus": corpus, "a": a, "b": b,
                        "stratum": f"b6_{'gained' if gained else 'lost'}_{'same' if same else 'cross'}",
                        "rule": _b6_rule((a, b), gained, runs),
                        "tracewire": (now if gained else then)[(a, b)], "passim": [],
                        "runs": common_runs(docs[a]["text"], docs[b]["text"])})
        for a, b in near_dev:
            same = bool(docs[a]["outlet"]) and docs[a]["outlet"] == docs[b]["outlet"]
            first = next(n for n in relaxed if (a, b) in relaxed[n])
            out.append({"corpus": corpus, "a": a, "b": b, "stratum": f"b6_near_{'same' if same else 'cross'}",
                        "rule": "+".join(near[(a, b)]), "tracewire": relaxed[first][(a, b)], "passim": [],
                        "runs": common_runs(docs[a]["text"], docs[b]["text"])})
    rr._jsonl(CAND_B6, out)
    print(f"{len(out)} candidates -> {CAND_B6}", file=sys.stderr)


# batch 7 (dev only, by hash): where the method may still be wrong once the dev half scores PolNeAR at
# 1.000/1.000 and the held-out half's errors lie in PolNeAR and FA-KES. Per corpus, three strata of pairs
# none drawn or labelled before, whose hash names the dev half (the others are counted, never shown):
# (a) ``passim_only``: passim links them and the shipped method does not (passim never pairs one series,
#     so these cross outlets; PTC's pages each form their own series), the longest passim alignments first
#     (a random draw from the 3n longest): where a missed copy would hide;
# (b) ``tw_weak``: the shipped method's links, weakest first (fewest matched words over its passages),
#     inside one outlet and across outlets;
# (c) ``near``: pairs one of batch 5's relaxed settings (``VARIANTS_B5``) links and the shipped one does
#     not, the nearest first (one knob away before the ``loose`` run), inside one outlet and across;
# (d) ``runs``: pairs neither system links (nor a relaxed setting) that share a verbatim run of 10+ words
#     (10-grams in at most ``RUN_MAX_DF`` documents), most shared 10-grams first (a random draw from the 3n
#     most): the misses both systems share. PolNeAR's dev half holds almost no unlabelled pair of (a)-(c).
# (e) ``quote``: the shared-quotation path's near misses, which batch 5's settings never relaxed: pairs a
#     setting with a lower ``quote_words`` (``VARIANTS_B7``) links and neither the shipped method nor
#     any of (a)-(d) drew. Appended after (a)-(d), so their candidate indices stay as labelled.
# (f) ``runs_cross``: (d) across outlets only (the most shared 10-grams of (d) are one outlet's
#     furniture and its articles printed twice): copies that neither system links, which would make
#     both systems' recall an overestimate (README, Known limits). Appended after (e).
# (g) ``passim_runs``: (a) where the two texts share a verbatim run of ``PASSIM_RUN_WORDS`` words or more,
#     longest run first (no random draw): the copies passim finds and tracewire may miss, rather than
#     passim's loose alignments. Appended after (f).
CAND_B7 = rr.CACHE / "candidates_b7.jsonl"
SEED_B7 = 20261132
B7_MARK = "# batch 7"
QUOTA_B7 = {
    "polnear": {"passim_only": 16, "tw_weak": 10, "near": 20, "runs": 24},
    "fakes": {"passim_only": 12, "tw_weak": 8, "near": 10, "runs": 8},
    "ptc": {"passim_only": 4, "tw_weak": 4, "near": 4, "runs": 0},
}
RUN_N, RUN_MAX_DF = 10, 8
QUOTA_B7_QUOTE = {"polnear": 24, "fakes": 8, "ptc": 8}
QUOTA_B7_RUNS_CROSS = {"polnear": 8, "fakes": 16, "ptc": 4}
QUOTA_B7_PASSIM_RUNS = {"polnear": 8, "fakes": 14, "ptc": 8}
PASSIM_RUN_WORDS = 16
VARIANTS_B7: dict[str, tuple[dict[str, Any], tuple[str, ...]]] = {
    "quote9": ({"quote_words": 9.0}, ()),
    "quote_loose": ({"quote_words": 6.0, "quote_share": 0.3, "min_anchors": 2}, ()),
}


def _run_pairs(docs: dict[str, dict[str, Any]], n: int = RUN_N) -> dict[rr.Pair, int]:
    """Pairs of documents sharing a verbatim run of ``n`` words (an ``n``-gram in at most
    ``RUN_MAX_DF`` documents), with how many such n-grams they share."""
    from collections import Counter, defaultdict

    grams: dict[tuple[str, ...], set[str]] = defaultdict(set)
    for i, d in docs.items():
        ws = [w for w, _, _ in words(d["text"])]
        for j in range(len(ws) - n + 1):
            grams[tuple(ws[j:j + n])].add(i)
    shared: Counter[rr.Pair] = Counter()
    for ids in grams.values():
        if 2 <= len(ids) <= RUN_MAX_DF:
            s_ids = sorted(ids)
            for x in range(len(s_ids)):
                for y in range(x + 1, len(s_ids)):
                    shared[(s_ids[x], s_ids[y])] += 1
    return dict(shared)


def _b7_words(text: str, ps: list[dict[str, int]]) -> int:
    """Words of a pair's passages on its first document."""
    return sum(len(WORD.findall(text[p["a_start"]:p["a_end"]])) for p in ps)


def draw_b7() -> None:
    """Write batch 7: unlabelled dev-half pairs passim links and tracewire does not, tracewire's weakest
    links, and its near misses, PolNeAR and FA-KES first."""
    import tempfile

    rng = random.Random(SEED_B7)
    rng_late = random.Random(SEED_B7 + 1)  # (e) and (f) draw from their own stream: (a)-(d) stay as labelled
    taken = _taken(CAND, CAND_B4, CAND_B5, CAND_B6) - \
        {(p["corpus"], *rr.key(p["a"], p["b"])) for p in rr.load_pairs() if p["drawn_from"].startswith("b7_")}
    out: list[dict[str, Any]] = []
    later: list[dict[str, Any]] = []  # stratum (e), appended after (a)-(d)
    last: list[dict[str, Any]] = []  # stratum (f), appended after (e)
    final: list[dict[str, Any]] = []  # stratum (g), appended after (f)
    for corpus in ("polnear", "fakes", "ptc"):
        with tempfile.TemporaryDirectory(prefix=f"reuse_b7_{corpus}_") as tmp:
            base = Path(tmp) / "base.db"
            rr.ingest_corpus(corpus, base, Path(tmp))
            docs = rr.documents(base)
            runs = {name: _variant_links(base, name) for name in VARIANTS_B5}
            quote_runs = {name: _variant_links(base, name, VARIANTS_B7) for name in VARIANTS_B7}
        _write_docs(corpus, "b7", docs)
        ps = rr.passim_links(corpus)
        shipped = runs["shipped"]

        fresh = partial(_fresh, docs=docs, taken=taken, corpus=corpus)
        same = partial(_same_outlet, docs=docs)

        pools: dict[str, list[rr.Pair]] = {
            "passim_only": [k for k in ps if k not in shipped and fresh(k)],
            "tw_weak": [k for k in shipped if fresh(k)],
            "near": [k for k in set().union(*(set(v) for n, v in runs.items() if n != "shipped"))
                     if k not in shipped and fresh(k)],
        }
        any_link = set(ps).union(*(set(v) for v in runs.values()))
        shared = _run_pairs(docs)
        pools["runs"] = [k for k in shared if k not in any_link and fresh(k)]
        held = {s: sum(rr.split_of(corpus, *k) != "dev" for k in v) for s, v in pools.items()}
        pools = {s: sorted(k for k in v if rr.split_of(corpus, *k) == "dev") for s, v in pools.items()}
        q = QUOTA_B7[corpus]
        # (a) the longest passim alignments, drawn at random among the 3n longest
        by_len = sorted(pools["passim_only"], key=lambda k: -_b7_words(docs[k[0]]["text"], ps[k]))
        top = by_len[: 3 * q["passim_only"]]
        picked = {"passim_only": sorted(rng.sample(top, min(q["passim_only"], len(top))))}
        # (b) the weakest shipped links, half inside one outlet and half across where both exist
        weak = sorted(pools["tw_weak"], key=lambda k: (_b7_words(docs[k[0]]["text"], shipped[k]), k))
        n_same = min(q["tw_weak"] // 2, sum(map(same, weak)))
        picked["tw_weak"] = [k for k in weak if same(k)][:n_same]
        picked["tw_weak"] += [k for k in weak if not same(k)][: q["tw_weak"] - n_same]
        picked["tw_weak"] += [k for k in weak if k not in picked["tw_weak"]][: q["tw_weak"] - len(picked["tw_weak"])]
        # (c) the nearest misses first (one knob or rule away), then the loose run's, at random within each
        near_of = {k: [n for n in VARIANTS_B5 if n != "shipped" and k in runs[n]] for k in pools["near"]}
        order = sorted(pools["near"], key=lambda k: (near_of[k] == ["loose"], rng.random()))
        picked["near"] = [k for k in order if k not in picked["passim_only"]][: q["near"]]
        # (d) the most shared rare 10-grams, drawn at random among the 3n most
        top = sorted(pools["runs"], key=lambda k: (-shared[k], k))[: 3 * q["runs"]]
        picked["runs"] = sorted(rng.sample(top, min(q["runs"], len(top))))
        print(f"{corpus}: shipped {len(shipped)} links, passim {len(ps)}; unlabelled dev pairs per stratum "
              f"{ {s: len(v) for s, v in pools.items()} } (held-out by hash, not shown: {held}); drawn "
              f"{ {s: len(v) for s, v in picked.items()} }", file=sys.stderr)
        for stratum, pairs in picked.items():
            for a, b in sorted(pairs):
                tw = shipped.get((a, b)) or next((runs[n][(a, b)] for n in VARIANTS_B5 if (a, b) in runs[n]), [])
                out.append({"corpus": corpus, "a": a, "b": b,
                            "stratum": f"b7_{stratum}_{'same' if same((a, b)) else 'cross'}",
                            "rule": "+".join(n for n in VARIANTS_B5 if (a, b) in runs[n])
                            or ("passim" if (a, b) in ps else f"{shared.get((a, b), 0)} shared {RUN_N}-grams"),
                            "words": _b7_words(docs[a]["text"], tw or ps.get((a, b), [])),
                            "tracewire": tw, "passim": ps.get((a, b), []),
                            "runs": common_runs(docs[a]["text"], docs[b]["text"])})
        # (e) the shared-quotation path's near misses, appended after (a)-(d) of every corpus
        drawn = {k for v in picked.values() for k in v}
        qpool = sorted(k for k in set().union(*(set(v) for v in quote_runs.values()))
                       if k not in shipped and k not in drawn and fresh(k))
        qdev = [k for k in qpool if rr.split_of(corpus, *k) == "dev"]
        qpick = sorted(sorted(qdev, key=lambda k: (k not in quote_runs["quote9"], rng_late.random()))[: QUOTA_B7_QUOTE[corpus]])
        print(f"{corpus}: quotation near misses {len(qpool)} unlabelled, {len(qpool) - len(qdev)} held-out by "
              f"hash (not shown), {len(qpick)} drawn", file=sys.stderr)
        for a, b in qpick:
            tw = next(quote_runs[n][(a, b)] for n in VARIANTS_B7 if (a, b) in quote_runs[n])
            later.append({"corpus": corpus, "a": a, "b": b,
                          "stratum": f"b7_quote_{'same' if same((a, b)) else 'cross'}",
                          "rule": "+".join(n for n in VARIANTS_B7 if (a, b) in quote_runs[n]),
                          "words": _b7_words(docs[a]["text"], tw), "tracewire": tw,
                          "passim": ps.get((a, b), []), "runs": common_runs(docs[a]["text"], docs[b]["text"])})
        # (f) pairs of different outlets sharing a rare 10-gram run that nothing links, appended after (e)
        drawn |= set(qpick)
        cross = [k for k in pools["runs"] if k not in drawn and not same(k)]
        top = sorted(cross, key=lambda k: (-shared[k], k))[: 3 * QUOTA_B7_RUNS_CROSS[corpus]]
        rpick = sorted(rng_late.sample(top, min(QUOTA_B7_RUNS_CROSS[corpus], len(top))))
        print(f"{corpus}: {len(cross)} more unlabelled dev pairs of different outlets share a rare {RUN_N}-gram "
              f"that nothing links; {len(rpick)} drawn", file=sys.stderr)
        last.extend({"corpus": corpus, "a": a, "b": b, "stratum": "b7_runs_cross",
                     "rule": f"{shared[(a, b)]} shared {RUN_N}-grams", "words": 0, "tracewire": [], "passim": [],
                     "runs": common_runs(docs[a]["text"], docs[b]["text"])} for a, b in rpick)
        # (g) passim's links tracewire lacks that hold a long verbatim run, longest first, appended after (f)
        drawn |= set(rpick)
        longest = {k: max((r["words"] for r in common_runs(docs[k[0]]["text"], docs[k[1]]["text"], PASSIM_RUN_WORDS)),
                          default=0) for k in pools["passim_only"] if k not in drawn}
        gpick = sorted(sorted((k for k, m in longest.items() if m), key=lambda k: (-longest[k], k))
                       [: QUOTA_B7_PASSIM_RUNS[corpus]])
        print(f"{corpus}: {sum(map(bool, longest.values()))} more passim-only dev pairs share a run of "
              f"{PASSIM_RUN_WORDS}+ words; {len(gpick)} drawn", file=sys.stderr)
        final.extend({"corpus": corpus, "a": a, "b": b, "stratum": "b7_passim_runs_cross",
                      "rule": f"passim, longest run {longest[(a, b)]} words", "words": longest[(a, b)],
                      "tracewire": [], "passim": ps[(a, b)],
                      "runs": common_runs(docs[a]["text"], docs[b]["text"])} for a, b in gpick)
    out += later + last + final
    rr._jsonl(CAND_B7, out)
    print(f"{len(out)} candidates -> {CAND_B7}", file=sys.stderr)


# batch 8 (dev only, by hash; where the date, same-site and quotation rules decide): the reuse stage is run at
# the shipped settings and with one rule or threshold moved at a time (``VARIANTS_B8``): the printed-dates rule
# off, the event-days rule off, no week's window at all (the short path for any dates, no ``apart_words``, no
# printed-dates test), the same-site rule off, ``quote_words`` 10, every word threshold x0.85, ``min_anchors``
# 3, and a ``loose`` setting with all of them at once and lower still. Candidates, none drawn or labelled
# before and only pairs whose hash names the dev half (the others are counted, never shown): (a) ``near``:
# pairs a one-rule variant links and the shipped method does not, one rule away first; (b) ``loose``: pairs
# only the loose setting links; (c) ``quote``: pairs that both print a rare ``QUOTE_RUN_N``-word run inside
# quotation marks (a quotation), that nothing links, across outlets first, then the furthest apart in time
# (PolNeAR quotations weeks apart); (d) ``runs8``: pairs of different outlets sharing a rare 8-word run that
# neither passim nor any variant links, the most shared runs first (FA-KES reports linked by one short
# passage); (e) ``shipped``: the shipped method's links no batch drew (inside one outlet: all of them).
CAND_B8 = rr.CACHE / "candidates_b8.jsonl"
SEED_B8 = 20261134
B8_MARK = "# batch 8"
QUOTA_B8 = {
    "polnear": {"near": 40, "loose": 16, "quote": 24, "shipped": 6, "runs8": 16},
    "fakes": {"near": 30, "loose": 16, "quote": 10, "shipped": 10, "runs8": 24},
    "ptc": {"near": 14, "loose": 8, "quote": 6, "shipped": 4, "runs8": 6},
}
_S = 0.85
VARIANTS_B8: dict[str, tuple[dict[str, Any], tuple[str, ...]]] = {
    "no_printed": ({"printed_days": False}, ()),
    "no_event": ({"event_days": False}, ()),
    "no_window": ({"wire_days": 100_000}, ()),
    "no_site": ({}, ("same_site",)),
    "quote10": ({"quote_words": 10.0}, ()),
    "scaled85": ({"min_link_words": 12.0 * _S, "min_short_words": 7, "apart_words": 25.0 * _S,
                  "same_outlet_words": 60.0 * _S, "quote_words": 12.0 * _S}, ()),
    "anchors3": ({"min_anchors": 3}, ()),
    # every rule and threshold above moved at once, and further (the dev half holds almost no pair one rule away)
    "loose": ({"printed_days": False, "event_days": False, "wire_days": 100_000, "min_anchors": 2,
               "min_link_words": 8.0, "min_short_words": 6, "same_outlet_words": 40.0, "quote_words": 8.0,
               "stock_rarity": 0.3}, ("same_site",)),
}
QUOTED = re.compile(r"[\"\u201c\u201d]([^\"\u201c\u201d\n]{20,800})[\"\u201c\u201d]")
QUOTE_RUN_N, QUOTE_MAX_DF = 8, 8


def _quoted_runs(docs: dict[str, dict[str, Any]]) -> dict[rr.Pair, int]:
    """Pairs of documents that both print a ``QUOTE_RUN_N``-word run inside quotation marks (an n-gram in at
    most ``QUOTE_MAX_DF`` documents), with how many such n-grams they share: a quotation both print."""
    from collections import Counter, defaultdict

    grams: dict[tuple[str, ...], set[str]] = defaultdict(set)
    for i, d in docs.items():
        for m in QUOTED.finditer(d["text"]):
            ws = [w for w, _, _ in words(m.group(1))]
            for j in range(len(ws) - QUOTE_RUN_N + 1):
                grams[tuple(ws[j:j + QUOTE_RUN_N])].add(i)
    shared: Counter[rr.Pair] = Counter()
    for ids in grams.values():
        if 2 <= len(ids) <= QUOTE_MAX_DF:
            s_ids = sorted(ids)
            for x in range(len(s_ids)):
                for y in range(x + 1, len(s_ids)):
                    shared[(s_ids[x], s_ids[y])] += 1
    return dict(shared)


def _b8_links(base: Path, name: str) -> rr.Links:
    """The links of the shipped method (``shipped``) or of one of ``VARIANTS_B8`` on a copy of the store ``base``
    (a rule named in the variant's second field is turned off: ``same_site`` never holds)."""
    import shutil
    from unittest import mock

    from tracewire.corpus import reuse

    fields, off = ({}, ()) if name == "shipped" else VARIANTS_B8[name]
    db = base.with_name(f"{name}.db")
    shutil.copy(base, db)
    with contextlib.ExitStack() as stack:
        for f in off:
            stack.enter_context(mock.patch.object(reuse, f, _never))
        return rr.links_of(rr.reuse_records(db, reuse.ReuseConfig(**fields)))


def draw_b8() -> None:
    """Write batch 8: unlabelled dev-half pairs that one moved rule or threshold links and the shipped method does
    not, PolNeAR quotations weeks apart that nothing links, and unlabelled shipped links."""
    import tempfile

    from tracewire.corpus.reuse import days_apart, printed_date

    rng = random.Random(SEED_B8)
    taken = _taken(CAND, CAND_B4, CAND_B5, CAND_B6, CAND_B7) - \
        {(p["corpus"], *rr.key(p["a"], p["b"])) for p in rr.load_pairs() if p["drawn_from"].startswith("b8_")}
    out: list[dict[str, Any]] = []
    for corpus in ("polnear", "fakes", "ptc"):
        with tempfile.TemporaryDirectory(prefix=f"reuse_b8_{corpus}_") as tmp:
            base = Path(tmp) / "base.db"
            rr.ingest_corpus(corpus, base, Path(tmp))
            docs = rr.documents(base)
            runs = {name: _b8_links(base, name) for name in ("shipped", *VARIANTS_B8)}
        _write_docs(corpus, "b8", docs)
        ps = rr.passim_links(corpus)
        shipped = runs["shipped"]

        fresh = partial(_fresh, docs=docs, taken=taken, corpus=corpus)
        same = partial(_same_outlet, docs=docs)

        near_of = {k: [n for n in VARIANTS_B8 if k in runs[n]] for n in VARIANTS_B8 for k in runs[n]
                   if k not in shipped}
        quoted = _quoted_runs(docs)
        pools: dict[str, list[rr.Pair]] = {
            "near": [k for k in near_of if fresh(k) and near_of[k] != ["loose"]],
            "loose": [k for k in near_of if fresh(k) and near_of[k] == ["loose"]],
            "quote": [k for k in quoted if k not in shipped and k not in near_of and fresh(k)],
            "shipped": [k for k in shipped if fresh(k)]}
        runs8 = _run_pairs(docs, QUOTE_RUN_N)
        any_link = set(ps).union(*(set(v) for v in runs.values()), quoted)
        pools["runs8"] = [k for k in runs8 if k not in any_link and fresh(k) and not same(k)]
        held = {s: sum(rr.split_of(corpus, *k) != "dev" for k in v) for s, v in pools.items()}
        pools = {s: sorted(k for k in v if rr.split_of(corpus, *k) == "dev") for s, v in pools.items()}
        q = QUOTA_B8[corpus]
        picked = {"near": sorted(sorted(pools["near"], key=lambda k: (len(near_of[k]) > 1, rng.random()))[: q["near"]])}
        top = sorted(pools["runs8"], key=lambda k: (-runs8[k], k))[: 3 * q["runs8"]]
        picked["runs8"] = sorted(rng.sample(top, min(q["runs8"], len(top))))
        for s in ("loose", "shipped"):
            picked[s] = sorted(rng.sample(pools[s], min(q[s], len(pools[s]))))
        # the quotations both print, across outlets first, then the furthest apart in time, then the most shared
        picked["quote"] = sorted(sorted(pools["quote"], key=lambda k: (
            same(k), -min(days_apart(docs[k[0]].get("date"), docs[k[1]].get("date")), 60), -quoted[k], k))[: q["quote"]])
        print(f"{corpus}: shipped {len(shipped)} links, variants "
              f"{ {n: len(runs[n]) for n in VARIANTS_B8} }; unlabelled dev pairs per stratum "
              f"{ {s: len(v) for s, v in pools.items()} } (held-out by hash, not shown: {held}); drawn "
              f"{ {s: len(v) for s, v in picked.items()} }", file=sys.stderr)
        for stratum, pairs in picked.items():
            for a, b in pairs:
                tw = shipped.get((a, b)) or next((runs[n][(a, b)] for n in VARIANTS_B8 if (a, b) in runs[n]), [])
                pa, pb = printed_date(docs[a]["text"]), printed_date(docs[b]["text"])
                out.append({"corpus": corpus, "a": a, "b": b,
                            "stratum": f"b8_{stratum}_{'same' if same((a, b)) else 'cross'}",
                            "rule": "+".join(n for n in ("shipped", *VARIANTS_B8) if (a, b) in runs[n]) or stratum,
                            "days": days_apart(docs[a].get("date"), docs[b].get("date")),
                            "printed_days": days_apart(pa, pb) if pa and pb else None,
                            "words": _b7_words(docs[a]["text"], tw), "tracewire": tw, "passim": ps.get((a, b), []),
                            "runs": common_runs(docs[a]["text"], docs[b]["text"])})
    rr._jsonl(CAND_B8, out)
    print(f"{len(out)} candidates -> {CAND_B8}", file=sys.stderr)


# batch 9 (dev only, by hash; the decisions rr28 found thin): the reuse stage at the shipped settings and with
# one of the rules that decide them off (``VARIANTS_B9``: the lede_copy rule, the same-site rule, the week's
# window). Candidates, none drawn or labelled before and only pairs whose hash names the dev half (the others
# are counted, never shown): (a) ``far``: documents of different outlets dated more than ``wire_days`` (7) apart
# that share a rare run (an 8-gram in at most 8 documents) whose longest verbatim run is 8-15 words, linked or
# not, the runs of 10-15 words first; (b) ``halfquote``: documents of different outlets sharing rare 8-word runs whose shared words lie mostly
# (``HALF_QUOTED`` or more) inside quotation marks in one text and mostly outside (at most ``HALF_UNQUOTED``) in
# the other; (c) ``lede``: the shipped links the lede_copy rule makes (gone with it off); (d) ``site``: the
# pairs the same-site rule decides (linked with it off or on, not both); (e) ``window``: the pairs the stage
# links with no week's window at all and not at the shipped settings; (f) ``control``: a random draw of the
# shipped links passim also makes, across outlets; (g) ``measured``: the pairs one of the general changes
# ``variants-b9`` measures (``MEASURE_B9``) links or unlinks and the shipped method does not, appended last.
CAND_B9 = rr.CACHE / "candidates_b9.jsonl"
SEED_B9 = 20261135
B9_MARK = "# batch 9"
QUOTA_B9 = {
    "polnear": {"far": 30, "halfquote": 12, "lede": 10, "site": 10, "window": 10, "control": 5},
    "fakes": {"far": 24, "halfquote": 10, "lede": 10, "site": 10, "window": 10, "control": 5},
    "ptc": {"far": 4, "halfquote": 8, "lede": 10, "site": 10, "window": 10, "control": 5},
}
FAR_MIN_RUN, FAR_MAX_RUN = 8, 15
HALF_QUOTED, HALF_UNQUOTED = 0.6, 0.2
VARIANTS_B9: dict[str, tuple[dict[str, Any], tuple[str, ...]]] = {
    "no_lede": ({"lede_copy": False}, ()),
    "no_site": ({}, ("same_site",)),
    "no_window": ({"wire_days": 100_000}, ()),
}


def _quoted_share(text: str, runs: list[tuple[int, int]]) -> float:
    """Share of the words of the character spans ``runs`` of ``text`` that lie inside quotation marks."""
    spans = [(m.start(), m.end()) for m in QUOTED.finditer(text)]
    total = inside = 0
    for lo, hi in runs:
        for m in WORD.finditer(text, lo, hi):
            total += 1
            inside += any(s <= m.start() < e for s, e in spans)
    return inside / total if total else 0.0


def _b9_links(base: Path, name: str) -> rr.Links:
    """The links of the shipped method or of one of ``VARIANTS_B9`` on a copy of the store ``base``."""
    import shutil
    from unittest import mock

    from tracewire.corpus import reuse

    fields, off = ({}, ()) if name == "shipped" else VARIANTS_B9[name]
    db = base.with_name(f"{name}.db")
    shutil.copy(base, db)
    with contextlib.ExitStack() as stack:
        for f in off:
            stack.enter_context(mock.patch.object(reuse, f, _never))
        return rr.links_of(rr.reuse_records(db, reuse.ReuseConfig(**fields)))


def _measured_links(base: Path, name: str) -> rr.Links:
    """The links of one of ``MEASURE_B9``'s settings on a copy of the store ``base``."""
    import shutil

    from tracewire.corpus import reuse

    db = base.with_name(f"m_{name}.db")
    shutil.copy(base, db)
    return rr.links_of(rr.reuse_records(db, reuse.ReuseConfig(**MEASURE_B9[name])))


def draw_b9() -> None:
    """Write batch 9: unlabelled dev-half pairs of different outlets weeks apart sharing a rare 8-15-word run,
    pairs whose shared text is quoted in one text only, the links the lede_copy and same-site rules decide, and a
    random control of links both systems make."""
    import tempfile

    from tracewire.corpus.reuse import days_apart, printed_date

    rng = random.Random(SEED_B9)
    taken = _taken(CAND, CAND_B4, CAND_B5, CAND_B6, CAND_B7, CAND_B8) - \
        {(p["corpus"], *rr.key(p["a"], p["b"])) for p in rr.load_pairs() if p["drawn_from"].startswith("b9_")}
    out: list[dict[str, Any]] = []
    late: list[dict[str, Any]] = []  # stratum (g), appended after (a)-(f) of every corpus
    for corpus in ("polnear", "fakes", "ptc"):
        with tempfile.TemporaryDirectory(prefix=f"reuse_b9_{corpus}_") as tmp:
            base = Path(tmp) / "base.db"
            rr.ingest_corpus(corpus, base, Path(tmp))
            docs = rr.documents(base)
            runs = {name: _b9_links(base, name) for name in ("shipped", *VARIANTS_B9)}
            measured = {name: _measured_links(base, name) for name in MEASURE_B9 if name != "shipped"}
        _write_docs(corpus, "b9", docs)
        ps = rr.passim_links(corpus)
        shipped = runs["shipped"]

        fresh = partial(_fresh, docs=docs, taken=taken, corpus=corpus)
        same = partial(_same_outlet, docs=docs)

        def days(k: rr.Pair, docs: dict[str, dict[str, Any]] = docs) -> int:
            return days_apart(docs[k[0]].get("date"), docs[k[1]].get("date"))

        runs8 = _run_pairs(docs, QUOTE_RUN_N)
        # the hash decides first: a held-out pair's text is never aligned or read, only counted
        cross8 = [k for k in runs8 if fresh(k) and not same(k)]
        held = {"runs8_cross": sum(rr.split_of(corpus, *k) != "dev" for k in cross8)}
        cross8 = [k for k in cross8 if rr.split_of(corpus, *k) == "dev"]
        common = {k: common_runs(docs[k[0]]["text"], docs[k[1]]["text"], FAR_MIN_RUN) for k in cross8}
        longest = {k: max((r["words"] for r in v), default=0) for k, v in common.items()}
        qa = {k: _quoted_share(docs[k[0]]["text"], [(r["a_start"], r["a_end"]) for r in v])
              for k, v in common.items() if v}
        qb = {k: _quoted_share(docs[k[1]]["text"], [(r["b_start"], r["b_end"]) for r in v])
              for k, v in common.items() if v}
        lede = [k for k in shipped if k not in runs["no_lede"]]
        site = [k for k in set(shipped) ^ set(runs["no_site"])]
        pools: dict[str, list[rr.Pair]] = {
            "far": [k for k in cross8 if days(k) > 7 and FAR_MIN_RUN <= longest[k] <= FAR_MAX_RUN],
            "halfquote": [k for k in qa if max(qa[k], qb[k]) >= HALF_QUOTED and min(qa[k], qb[k]) <= HALF_UNQUOTED],
            "lede": [k for k in lede if fresh(k)],
            "site": [k for k in site if fresh(k)],
            "window": [k for k in runs["no_window"] if k not in shipped and fresh(k)],
            "control": [k for k in shipped if k in ps and fresh(k) and not same(k)],
        }
        for s in ("lede", "site", "window", "control"):
            held[s] = sum(rr.split_of(corpus, *k) != "dev" for k in pools[s])
            pools[s] = [k for k in pools[s] if rr.split_of(corpus, *k) == "dev"]
        pools = {s: sorted(v) for s, v in pools.items()}
        q = QUOTA_B9[corpus]
        picked: dict[str, list[rr.Pair]] = {}
        drawn: set[rr.Pair] = set()
        for s in ("lede", "site", "window", "far", "halfquote", "control"):
            pool = [k for k in pools[s] if k not in drawn]
            if s == "far":  # the runs of 10-15 words first (rr28's thin margin), at random within each
                pool = sorted(pool, key=lambda k: (longest[k] < 10, rng.random()))[: q[s]]
            picked[s] = sorted(rng.sample(pool, min(q[s], len(pool))))
            drawn |= set(picked[s])
        print(f"{corpus}: shipped {len(shipped)} links, variants { {n: len(runs[n]) for n in VARIANTS_B9} }; "
              f"unlabelled dev pairs per stratum { {s: len(v) for s, v in pools.items()} } (held-out by hash, "
              f"not shown: {held}); drawn { {s: len(v) for s, v in picked.items()} }", file=sys.stderr)
        # (g) the pairs one of the general changes ``variants-b9`` measures links or unlinks, appended after the rest
        moved = {k: [n for n, v in measured.items() if (k in v) != (k in shipped)]
                 for k in set(shipped).union(*(set(v) for v in measured.values()))}
        mpool = [k for k, ns in moved.items() if ns and fresh(k) and k not in drawn]
        mdev = sorted(k for k in mpool if rr.split_of(corpus, *k) == "dev")
        print(f"{corpus}: pairs a measured setting links or unlinks, unlabelled: {len(mpool)}, "
              f"{len(mpool) - len(mdev)} held-out by hash (not shown), {len(mdev)} drawn", file=sys.stderr)
        for a, b in mdev:
            k = (a, b)
            tw = shipped.get(k) or next(v[k] for v in measured.values() if k in v)
            late.append({"corpus": corpus, "a": a, "b": b,
                         "stratum": f"b9_measured_{'same' if same(k) else 'cross'}",
                         "rule": ("shipped-" if k in shipped else "+") + "+".join(moved[k]), "days": days(k),
                         "printed_days": None, "longest": longest.get(k), "quoted": [],
                         "words": _b7_words(docs[a]["text"], tw), "tracewire": tw, "passim": ps.get(k, []),
                         "runs": common_runs(docs[a]["text"], docs[b]["text"])})
        for stratum, pairs in picked.items():
            for a, b in pairs:
                k = (a, b)
                tw = shipped.get(k) or next((runs[n][k] for n in VARIANTS_B9 if k in runs[n]), [])
                pa, pb = printed_date(docs[a]["text"]), printed_date(docs[b]["text"])
                out.append({"corpus": corpus, "a": a, "b": b,
                            "stratum": f"b9_{stratum}_{'same' if same(k) else 'cross'}",
                            "rule": "+".join(n for n in ("shipped", *VARIANTS_B9) if k in runs[n])
                            + ("+passim" if k in ps else "") or "none",
                            "days": days(k), "printed_days": days_apart(pa, pb) if pa and pb else None,
                            "longest": longest.get(k), "quoted": [round(qa.get(k, 0.0), 2), round(qb.get(k, 0.0), 2)],
                            "words": _b7_words(docs[a]["text"], tw), "tracewire": tw, "passim": ps.get(k, []),
                            "runs": common_runs(docs[a]["text"], docs[b]["text"])})
    rr._jsonl(CAND_B9, out + late)
    print(f"{len(out)} candidates -> {CAND_B9}", file=sys.stderr)


# the general changes measured on the dev half with batch 9 (``variants-b9``): the week's window, the quotation
# threshold, the rare-run (word) threshold and the rarity of anchors, one at a time
MEASURE_B9: dict[str, dict[str, Any]] = {
    "shipped": {},
    "wire_days10": {"wire_days": 10},
    "wire_days14": {"wire_days": 14},
    "wire_days30": {"wire_days": 30},
    "no_window": {"wire_days": 100_000},
    "apart_words20": {"apart_words": 20.0},
    "apart_words30": {"apart_words": 30.0},
    "quote_words11": {"quote_words": 11.0},
    "quote_words10": {"quote_words": 10.0},
    "quote_words13": {"quote_words": 13.0},
    "min_link_words11": {"min_link_words": 11.0},
    "min_link_words10": {"min_link_words": 10.0},
    "min_link_words13": {"min_link_words": 13.0},
    "rare_df3": {"rare_df": 3},
    "rare_df6": {"rare_df": 6},
    "stock_rarity0.4": {"stock_rarity": 0.4},
    "stock_rarity0.6": {"stock_rarity": 0.6},
}


# rr30's variants (``variants-b10``): the two rules of branch rr30 (a passage both documents follow with the same
# numbered reference rides along; a link with a passage that fills a template with other numbers and names is
# dropped), one at a time and both off (the method before them)
MEASURE_B10: dict[str, dict[str, Any]] = {
    "shipped": {},
    "no_cited_rides": {"cited_rides": False},
    "no_template_fill": {"template_fill": False},
    "before_rr30": {"cited_rides": False, "template_fill": False},
}

# rr31's variants (``variants-b11``): a filled template's name slots leave out a source credited on both sides
# (``template_sources``) and two names of conflict actors (``template_actors``; both off: rr30's rule), the share of a passage's words its replaced words must reach
# (``template_share``, not shipped), and the rule off
MEASURE_B11: dict[str, dict[str, Any]] = {
    "shipped": {},
    "no_template_sources": {"template_sources": False},
    "no_template_actors": {"template_actors": False},
    "no_sources_no_actors": {"template_sources": False, "template_actors": False},
    "template_share_0.05": {"template_share": 0.05},
    "template_share_0.1": {"template_share": 0.1},
    "share_0.1_no_sources": {"template_share": 0.1, "template_sources": False},
    "no_template_fill": {"template_fill": False},
}


def measure_b9(names: list[str], settings: dict[str, dict[str, Any]] | None = None, new: str = "b9_") -> None:
    """Score each of ``MEASURE_B9``'s settings (or those named) on the dev half only: all dev pairs, the pairs of
    the batches before ``new`` (old) and of batch ``new``, and the dev pairs of batches 1-2; plus each setting's
    count of links over the three corpora and, against ``shipped``, how many links it adds or removes that are
    labelled dev pairs (named), unlabelled dev pairs, or pairs whose hash names the held-out half (labels not read:
    held-out pairs are never scored)."""
    import tempfile

    from tracewire.corpus import reuse

    settings = MEASURE_B9 if settings is None else settings
    names = names or list(settings)
    links: dict[str, dict[str, rr.Links]] = {n: {} for n in names}
    for corpus in rr.CORPORA:
        with tempfile.TemporaryDirectory(prefix=f"reuse_m9_{corpus}_") as tmp:
            base = Path(tmp) / "base.db"
            rr.ingest_corpus(corpus, base, Path(tmp))
            import shutil
            for n in names:
                db = base.with_name(f"{n}.db")
                shutil.copy(base, db)
                links[n][corpus] = rr.links_of(rr.reuse_records(db, reuse.ReuseConfig(**settings[n])))
    dev = rr.load_pairs("dev")
    groups = {"dev": dev, "old": [p for p in dev if not p["drawn_from"].startswith(new)],
              "new": [p for p in dev if p["drawn_from"].startswith(new)],
              "b1-2": [p for p in dev if not p["drawn_from"].startswith(tuple(f"b{i}_" for i in range(3, 100)))]}
    print(f"{'setting':<18}" + "".join(f"{g + ' P/R (tp fp fn)':>26}" for g in groups) + f"{'links':>7}")
    for n in names:
        linked = rr.linked_pairs(links[n])
        cells = []
        for g in groups.values():
            sc = rr.score(g, linked)
            cells.append(f"{sc['precision']:.3f}/{sc['recall']:.3f} ({sc['tp']} {sc['fp']} {sc['fn']})")
        print(f"{n:<18}" + "".join(f"{c:>26}" for c in cells) + f"{len(linked):>7}", flush=True)
        if "shipped" in links and n != "shipped":
            base_linked = rr.linked_pairs(links["shipped"])
            for p in dev:
                k = (p["corpus"], *rr.key(p["a"], p["b"]))
                if (k in linked) != (k in base_linked):
                    print(f"    {'+' if k in linked else '-'} {p['corpus']} {p['drawn_from']} {p['label']}: "
                          f"{p['note'][:110]}")
            labelled = {(p["corpus"], *rr.key(p["a"], p["b"])) for p in dev}
            moved = linked ^ base_linked
            print(f"    links moved over the three corpora: {len(moved)} ({len(moved & labelled)} labelled dev, "
                  f"{sum(k not in labelled and rr.split_of(*k) == 'dev' for k in moved)} unlabelled dev, "
                  f"{sum(rr.split_of(*k) != 'dev' for k in moved)} held-out by hash: counted, not read)")


# rr30's rewrite-tolerant lede measure (``lede-rewrite [WORDS] [BLOCKED]``): a word diff of the first WORDS words of two
# reports (case-folded, a plural or -ed/-ing ending cut), counting the words matched in blocks of 2 or more
LEDE_REWRITE_WORDS, LEDE_REWRITE_BLOCKED = 80, 22
_stem = reuse_stage.lede_stem  # the stage's (``ReuseConfig.lede_rewrite_words``) stemming, one definition


def _lede_blocked(la: list[str], lb: list[str]) -> int:
    """Words two ledes have in common in the same order, in blocks of two words or more (a word diff)."""
    sm = difflib.SequenceMatcher(None, la, lb, autojunk=False)
    return sum(bl.size for bl in sm.get_matching_blocks() if bl.size >= 2)


def _lede_template(text_a: str, text_b: str, n_words: int) -> bool:
    """True when the first ``n_words`` words of the two reports, word by word, fill a template with other facts
    (the shipped ``filled_template`` test: other numbers and a name that is no credited source)."""
    from tracewire.corpus.reuse import _TOKEN, ReuseConfig, filled_template

    cfg = ReuseConfig()
    heads = []
    for text in (text_a, text_b):
        ws = words(text)[:n_words]
        heads.append(_TOKEN.findall(text[: ws[-1][2]]) if ws else [])
    return filled_template(heads[0], heads[1], cfg.template_share, cfg.template_sources)


def _lede_figures(text: str, n_words: int) -> set[str]:
    """The numbers of digits among a report's first ``n_words`` words, years (1900-2099) left out."""
    return {w for w, _, _ in words(text)[:n_words] if w.isdigit() and not (len(w) == 4 and w[:2] in ("19", "20"))}


def _lede_pairs(n_words: int, blocked: int, template: bool, figures: bool = False,
                stage: dict[str, rr.Links] | None = None
                ) -> Iterator[tuple[str, dict[str, dict[str, Any]], rr.Links, list[tuple[int, str, str, str, str]]]]:
    """Per corpus: its documents, the shipped links and every pair of different outlets at most ``wire_days``
    apart whose ledes share some words (cosine of their words > 0.2) and that the shipped method does not link, as
    (words shared in blocks of 2+, a, b, half by hash, why the test leaves it out at ``blocked`` or more: "a filled
    template" when ``template`` and the ledes fill one, "no figure in common" when ``figures`` and their first words
    share no number of digits but a year; "" when it is kept). The texts of pairs whose hash names the held-out
    half are never returned. "The shipped method" is the stage with its own lede path off
    (``ReuseConfig.lede_rewrite_words`` 0, rr32), the method this measure was made against; ``stage``: filled with
    each corpus's links of the stage as shipped (its lede path on), from a copy of the same store."""
    import shutil
    import tempfile

    from sklearn.feature_extraction.text import TfidfVectorizer

    from tracewire.corpus.reuse import ReuseConfig, days_apart

    window = ReuseConfig().wire_days
    for corpus in rr.CORPORA:
        with tempfile.TemporaryDirectory(prefix=f"reuse_lr_{corpus}_") as tmp:
            base = Path(tmp) / "base.db"
            rr.ingest_corpus(corpus, base, Path(tmp))
            docs = rr.documents(base)
            if stage is not None:
                shutil.copy(base, base.with_name("stage.db"))
                stage[corpus] = rr.links_of(rr.reuse_records(base.with_name("stage.db")))
            shipped = rr.links_of(rr.reuse_records(base, ReuseConfig(lede_rewrite_words=0)))
        ids = sorted(docs)
        ledes = {i: [_stem(w) for w, _, _ in words(docs[i]["text"])[:n_words]] for i in ids}
        m = TfidfVectorizer().fit_transform([" ".join(ledes[i]) for i in ids])
        sim = (m @ m.T).tocoo()
        found: list[tuple[int, str, str, str, str]] = []
        for i, j, v in zip(sim.row.tolist(), sim.col.tolist(), sim.data.tolist(), strict=True):
            if i >= j or v < 0.2:
                continue
            a, b = rr.key(ids[i], ids[j])
            da, db = docs[a], docs[b]
            if (a, b) in shipped or (da["outlet"] and da["outlet"] == db["outlet"]) or \
                    days_apart(da.get("date"), db.get("date")) > window:
                continue
            got = _lede_blocked(ledes[a], ledes[b])
            half = rr.split_of(corpus, a, b)
            # a held-out pair's texts are read only by the shipped test itself, never shown or kept
            why = ""
            if got >= blocked and template and _lede_template(da["text"], db["text"], n_words):
                why = "a filled template"
            elif got >= blocked and figures and \
                    _lede_figures(da["text"], n_words).isdisjoint(_lede_figures(db["text"], n_words)):
                why = "no figure in common"
            found.append((got, a, b, half, why))
        yield corpus, docs, shipped, found


def lede_rewrite(n_words: int = LEDE_REWRITE_WORDS, blocked: int = LEDE_REWRITE_BLOCKED, template: int = 0,
                 figures: int = 0) -> None:
    """Measure a rewrite-tolerant lede test on the dev half: for pairs of different outlets dated at most
    ``wire_days`` apart, the words their first ``n_words`` words share in order in blocks of 2+ (``_lede_blocked``).
    Prints the labelled dev pairs ranked by it (linked reuse pairs left out: the test would only add links), and,
    over the three corpora, the pairs at ``blocked`` or more that the shipped method does not link, by half (a pair
    whose hash names the held-out half is counted, never shown); the unlabelled dev ones are shown. ``template`` 1:
    the test runs after ``template_fill`` (a pair whose ledes fill a template with other facts is not added, as the
    shipped rule drops such a link); ``figures`` 1: a pair whose first words share no number of digits but a year is
    not added (measured by rr31: its dev negatives print other tolls). The dev half is scored with the test's links
    added to the shipped ones."""
    labels = {(p["corpus"], *rr.key(p["a"], p["b"])): p for p in rr.load_pairs("dev")}
    ranked: list[tuple[int, str, str, bool, str]] = []
    added: set[tuple[str, str, str]] = set()
    shipped_all: set[tuple[str, str, str]] = set()
    for corpus, docs, shipped, found in _lede_pairs(n_words, blocked, bool(template), bool(figures)):
        shipped_all |= {(corpus, *k) for k in shipped}
        near = {(a, b): got for got, a, b, _, _ in found}
        for k, p in labels.items():
            if k[0] == corpus and k[1:] in near and not (p["label"] == "reuse" and k[1:] in shipped):
                ranked.append((near[k[1:]], corpus, p["label"], k[1:] in shipped, p["note"][:70]))
        counts: dict[str, int] = {}
        for got, a, b, half, why in found:
            if got < blocked:
                continue
            tag = "held-out by hash (not shown)" if half != "dev" else \
                f"dev {labels[(corpus, a, b)]['label']}" if (corpus, a, b) in labels else "dev unlabelled"
            tag += f", left out: {why}" if why else ""
            counts[tag] = counts.get(tag, 0) + 1
            if not why:
                added.add((corpus, a, b))
            if half == "dev" and (corpus, a, b) not in labels:
                print(f"  + {corpus} {a} ({docs[a]['outlet']}, {docs[a]['date']}) / {b} ({docs[b]['outlet']}, "
                      f"{docs[b]['date']}): {got} words" + (f" (left out: {why})" if why else ""))
        print(f"{corpus}: pairs at {blocked}+ words that the shipped method does not link: {counts}", flush=True)
    ranked.sort(reverse=True)
    window = 7
    print(f"labelled dev pairs of different outlets at most {window} days apart, linked reuse pairs left out, by "
          f"words shared in blocks of 2+ in their first {n_words} words:")
    for got, corpus, label, linked, note in ranked[:15]:
        print(f"  {got:>3} {corpus:<8} {label:<13} {'linked' if linked else '':<7}{note}")
    dev = list(labels.values())
    for name, linked in (("shipped", shipped_all), (f"shipped + lede test at {blocked}", shipped_all | added)):
        sc = rr.score(dev, linked)
        print(f"dev half, {name}: P {sc['precision']:.3f} R {sc['recall']:.3f} (tp {sc['tp']} fp {sc['fp']} "
              f"fn {sc['fn']}); links over the three corpora {len(linked)}")


def lede_stage(n_words: int = LEDE_REWRITE_WORDS, blocked: int = LEDE_REWRITE_BLOCKED) -> None:
    """rr32: the stage's lede path (``ReuseConfig.lede_rewrite_words``, shipped) against rr31's measure
    (``lede-rewrite 80 22 1 1``): per corpus, the pairs the stage links with the path and not without it, and the
    pairs the measure adds, by half: the dev-hash ones where the two differ are shown (ids and label), the held-out
    ones only counted (links the path adds or removes: the path only adds, but a pair it links is counted however
    it changes). The dev half is scored both ways."""
    labels = {(p["corpus"], *rr.key(p["a"], p["b"])): p for p in rr.load_pairs("dev")}
    stage: dict[str, rr.Links] = {}
    off_all: set[tuple[str, str, str]] = set()
    on_all: set[tuple[str, str, str]] = set()
    measure_all: set[tuple[str, str, str]] = set()
    for corpus, _, shipped, found in _lede_pairs(n_words, blocked, True, True, stage):
        off = {(corpus, *k) for k in shipped}
        on = {(corpus, *k) for k in stage[corpus]}
        measure = {(corpus, a, b) for got, a, b, _, why in found if got >= blocked and not why}
        off_all |= off
        on_all |= on
        measure_all |= off | measure
        counts: dict[str, int] = {}
        for k in sorted((on ^ off) | measure):
            half = rr.split_of(*k)
            what = ("stage +" if k in on and k not in off else "stage -" if k in off and k not in on else
                    "stage =") + (" measure +" if k in measure else "")
            counts[f"{half} {what}"] = counts.get(f"{half} {what}", 0) + 1
            if half == "dev" and (k in measure) != (k in on and k not in off):
                lab = labels[k]["label"] if k in labels else "unlabelled"
                print(f"  dev {k[0]} {k[1]} / {k[2]}: {what} ({lab})")
        print(f"{corpus}: {counts}", flush=True)
    dev = list(labels.values())
    for name, linked in (("stage, lede path off", off_all), ("stage as shipped (lede path on)", on_all),
                         (f"measure: off + lede test at {blocked}", measure_all)):
        sc = rr.score(dev, linked)
        print(f"dev half, {name}: P {sc['precision']:.3f} R {sc['recall']:.3f} (tp {sc['tp']} fp {sc['fp']} "
              f"fn {sc['fn']}); links over the three corpora {len(linked)}")


# batch 10 (dev only, by hash; rr31): the unlabelled dev pairs rr30's rewrite-tolerant lede test adds at its shipped
# candidate setting (``lede-rewrite``: 80 words, 22 in blocks of 2+), read and labelled to decide it
CAND_B10 = rr.CACHE / "candidates_b10.jsonl"
B10_MARK = "# batch 10"


def draw_b10(n_words: int = LEDE_REWRITE_WORDS, blocked: int = LEDE_REWRITE_BLOCKED) -> None:
    """Write the unlabelled dev-hash pairs the lede test adds to ``.cache/candidates_b10.jsonl`` (and the texts
    ``show-b10`` reads to the git-ignored cache); held-out pairs are counted, never written."""
    _draw_lede("b10", CAND_B10, n_words, blocked)


# batch 11 (dev only, by hash; rr31): the unlabelled dev pairs the lede test reaches at 18-21 words once it runs
# after ``template_fill`` and asks for a figure in common, those it adds and those the figure leaves out, to test
# the figure requirement on pairs it was not chosen on
CAND_B11 = rr.CACHE / "candidates_b11.jsonl"
B11_MARK = "# batch 11"


def draw_b11(n_words: int = LEDE_REWRITE_WORDS, blocked: int = 18) -> None:
    """Write the unlabelled dev-hash pairs at ``blocked`` or more words (and under batch 10's 22, labelled already)
    to ``.cache/candidates_b11.jsonl``, by what the test with both requirements does with them."""
    _draw_lede("b11", CAND_B11, n_words, blocked, template=True, figures=True)


def _draw_lede(batch: str, path: Path, n_words: int, blocked: int, template: bool = False,
               figures: bool = False) -> None:
    """The unlabelled dev-hash pairs of the lede measure at ``blocked`` or more words, with their lede blocks;
    held-out pairs are counted, never written."""
    taken = _taken() if batch == "b10" else _taken(CAND_B10)
    out: list[dict[str, Any]] = []
    for corpus, docs, _, found in _lede_pairs(n_words, blocked, template, figures):
        held = 0
        for got, a, b, half, why in sorted(found):
            if got < blocked or (corpus, a, b) in taken:
                continue
            if half != "dev":
                held += 1
                continue
            la, lb = words(docs[a]["text"])[:n_words], words(docs[b]["text"])[:n_words]
            sm = difflib.SequenceMatcher(None, [_stem(w) for w, _, _ in la], [_stem(w) for w, _, _ in lb],
                                         autojunk=False)
            blocks = [{"a_start": la[m.a][1], "a_end": la[m.a + m.size - 1][2], "b_start": lb[m.b][1],
                       "b_end": lb[m.b + m.size - 1][2], "words": m.size}
                      for m in sm.get_matching_blocks() if m.size >= 2]
            kind = "rewrite" if batch == "b10" else {"": "kept", "no figure in common": "nofigure",
                                                     "a filled template": "template"}[why]
            out.append({"corpus": corpus, "a": a, "b": b, "stratum": f"{batch}_lede_{kind}_cross",
                        "rule": f"lede_rewrite {got}" + (f" ({why})" if why else ""),
                        "days": days_apart_of(docs, a, b), "printed_days": None,
                        "tracewire": [], "passim": [], "lede": blocks,
                        "runs": common_runs(docs[a]["text"], docs[b]["text"], 5)})
        if any(c["corpus"] == corpus for c in out):
            _write_docs(corpus, batch, docs)
        print(f"{corpus}: {sum(c['corpus'] == corpus for c in out)} dev pairs drawn, {held} held-out by hash "
              f"(not shown)", file=sys.stderr)
    rr._jsonl(path, out)
    print(f"{len(out)} candidates -> {path}", file=sys.stderr)


# batch 12 (dev only, by hash; rr34): the regions batches 1-11 sampled little, from the method as shipped now.
# Strata, in this order of priority (a pair lands in the first that holds it), none drawn or labelled before and
# only pairs whose hash names the dev half (the others are counted, never shown): (a) ``quote``: shipped links of
# kind ``shared_quotation``; (b) ``rewrite``: shipped links of kind ``rewrite``; (c) ``short``: shipped links of
# different outlets (or of pages of no known outlet) whose shared words number ``B12_SHORT`` (12-25); (d)
# ``margin``: pairs the link test aligned whose s* (``eval/reuse_real_margin.py``: the factor on its word
# thresholds at which the answer flips) lies in ``B12_MARGIN``, nearest 1 first; (e) ``passim``: pairs passim
# links and the shipped method does not, across outlets, a random n among the 3n sharing the most rare 10-word
# runs (a 10-gram in at most 8 documents: PTC's passim-only pairs are nearly all one site's poll widget); (f)
# ``longquote``: pairs of documents that both print a quotation with ``B12_LONGQUOTE`` or more shared quoted
# 8-grams (11+ words), linked or not, across outlets first; (g) ``neither``: pairs of different outlets that
# neither system links, a random n among the 4n most alike in their rare words (TF-IDF cosine: same-event reports,
# where a rewrite both systems miss would lie), appended after (a)-(f) of every corpus from their own random stream.
CAND_B12 = rr.CACHE / "candidates_b12.jsonl"
SEED_B12 = 20261136
B12_MARK = "# batch 12"
B12_SHORT = (12, 25)
B12_MARGIN = (0.25, 4.0)
B12_LONGQUOTE = 4
QUOTA_B12 = {  # every pair of (a)-(d) and (f) the dev half holds (few: 2-11 per stratum); 8 of (e) where it is large
    "polnear": {"quote": 20, "rewrite": 20, "short": 20, "margin": 20, "passim": 8, "longquote": 20},
    "fakes": {"quote": 20, "rewrite": 20, "short": 20, "margin": 20, "passim": 8, "longquote": 20},
    "ptc": {"quote": 20, "rewrite": 20, "short": 20, "margin": 20, "passim": 8, "longquote": 20},
}
# the method batch 12 was drawn from: 680d914, before rr34's rule (``same_outlet_events``); with the rule on, one
# pair it drops moves from (b) to (d) and the random draw of (e) changes with it
B12_METHOD: dict[str, Any] = {"same_outlet_events": False}
QUOTA_B12_NEITHER = {"polnear": 8, "fakes": 10, "ptc": 0}  # PTC has no outlets: no pair of different outlets


def _unlinked_dev(k: rr.Pair, corpus: str, fresh: Callable[[rr.Pair], bool], seen: set[rr.Pair]) -> bool:
    """A fresh pair whose hash names the dev half and that neither system links nor the link test aligned."""
    return fresh(k) and k not in seen and rr.split_of(corpus, *k) == "dev"


def _neither_b12(docs: dict[str, dict[str, Any]], ok: Callable[[rr.Pair], bool], n: int,
                 rng: random.Random) -> list[rr.Pair]:
    """A random n among the 4n pairs of different outlets that ``ok`` keeps, most alike in their rare words."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    if n <= 0:
        return []
    ids = sorted(docs)
    m = TfidfVectorizer(min_df=2, max_df=0.2, sublinear_tf=True).fit_transform([docs[i]["text"] for i in ids])
    sim = (m @ m.T).tocoo()
    scored = sorted(((float(v), rr.key(ids[i], ids[j])) for i, j, v in zip(sim.row, sim.col, sim.data, strict=True)
                     if i < j and docs[ids[i]]["outlet"] and docs[ids[j]]["outlet"]
                     and docs[ids[i]]["outlet"] != docs[ids[j]]["outlet"]), reverse=True)
    pool = [k for _, k in scored if ok(k)][: 4 * n]
    return sorted(rng.sample(pool, min(n, len(pool))))

# the general changes batch 12's errors were weighed with (``variants-b12``; scored on the dev half only)
MEASURE_B12: dict[str, dict[str, Any]] = {
    "shipped": {},
    "no_same_events": {"same_outlet_events": False},  # the rule rr34 added, off (the method before it)
}


def draw_b12(dry: bool = False) -> None:
    """Write batch 12 to ``.cache/candidates_b12.jsonl`` (``dry``: print the pools' sizes only)."""
    import math
    import tempfile
    from unittest import mock

    from eval import reuse_real_margin as rm
    from tracewire.corpus.reuse import ReuseConfig, days_apart

    rng = random.Random(SEED_B12)
    rng_late = random.Random(SEED_B12 + 1)  # (g) draws from its own stream: (a)-(f) stay as labelled
    taken = _taken(CAND, CAND_B4, CAND_B5, CAND_B6, CAND_B7, CAND_B8, CAND_B9, CAND_B10, CAND_B11) - \
        {(p["corpus"], *rr.key(p["a"], p["b"])) for p in rr.load_pairs() if p["drawn_from"].startswith("b12_")}
    out: list[dict[str, Any]] = []
    later: list[dict[str, Any]] = []  # stratum (g), appended after (a)-(f)
    method = ReuseConfig(**B12_METHOD)
    for corpus in ("polnear", "fakes", "ptc"):
        with mock.patch.object(rr, "tracewire_links", lambda db: rr.links_of(rr.reuse_records(db, method))):
            calls, shipped, _, cfg = rm._capture(corpus)
        with tempfile.TemporaryDirectory(prefix=f"reuse_b12_{corpus}_") as tmp:
            base = Path(tmp) / "base.db"
            rr.ingest_corpus(corpus, base, Path(tmp))
            docs = rr.documents(base)
            records = {rr.key(r["source"], r["target"]): r for r in rr.reuse_records(base, method)}
        ps = rr.passim_links(corpus)
        fresh = partial(_fresh, docs=docs, taken=taken, corpus=corpus)
        same = partial(_same_outlet, docs=docs)
        dev = [k for k in set(calls) | set(records) | set(ps) if fresh(k) and rr.split_of(corpus, *k) == "dev"]
        held = sum(1 for k in set(calls) | set(records) | set(ps) if fresh(k) and rr.split_of(corpus, *k) != "dev")
        quoted = _quoted_runs(docs)
        held += sum(1 for k in quoted if fresh(k) and k not in calls and k not in records and k not in ps
                    and rr.split_of(corpus, *k) != "dev")
        dev += [k for k in quoted if fresh(k) and k not in calls and k not in records and k not in ps
                and rr.split_of(corpus, *k) == "dev"]
        s_of = {k: rm._flip(calls[k], partial(rm._scaled, cfg), rm.LO, rm.HI) for k in dev if k in calls}
        lo, hi = B12_SHORT
        pools: dict[str, list[rr.Pair]] = {
            "quote": [k for k in dev if records.get(k, {}).get("kind") == "shared_quotation"],
            "rewrite": [k for k in dev if records.get(k, {}).get("kind") == "rewrite"],
            "short": [k for k in dev if k in records and not same(k) and lo <= records[k]["shared_words"] <= hi],
            "margin": [k for k in dev if k in s_of and B12_MARGIN[0] <= s_of[k] <= B12_MARGIN[1]],
            "passim": [k for k in dev if k in ps and k not in shipped and not same(k)],
            "longquote": [k for k in dev if quoted.get(k, 0) >= B12_LONGQUOTE],
        }
        used: set[rr.Pair] = set()
        for s in pools:
            pools[s] = sorted(k for k in pools[s] if k not in used)
            used |= set(pools[s])
        q = QUOTA_B12[corpus]
        picked: dict[str, list[rr.Pair]] = {}
        for s in ("quote", "rewrite", "short"):
            picked[s] = sorted(rng.sample(pools[s], min(q[s], len(pools[s]))))
        picked["margin"] = sorted(sorted(pools["margin"], key=lambda k: (abs(math.log(s_of[k])), k))[: q["margin"]])
        rare = _run_pairs(docs, RUN_N)
        top = sorted(pools["passim"], key=lambda k: (-rare.get(k, 0), k))[: 3 * q["passim"]]
        picked["passim"] = sorted(rng.sample(top, min(q["passim"], len(top))))
        picked["longquote"] = sorted(sorted(pools["longquote"], key=lambda k: (same(k), -quoted[k], k))[: q["longquote"]])
        drawn = {k for v in picked.values() for k in v}
        picked["neither"] = _neither_b12(
            docs, partial(_unlinked_dev, corpus=corpus, fresh=fresh, seen=set(calls) | set(shipped) | set(ps) | drawn),
            QUOTA_B12_NEITHER[corpus], rng_late)
        print(f"{corpus}: shipped {len(shipped)} links; unlabelled dev pairs per stratum "
              f"{ {s: len(v) for s, v in pools.items()} } (candidates held-out by hash, not shown: {held}); drawn "
              f"{ {s: len(v) for s, v in picked.items()} }", file=sys.stderr)
        if dry:
            continue
        if any(picked.values()):
            _write_docs(corpus, "b12", docs)
        for stratum, pairs in picked.items():
            for a, b in pairs:
                tw = shipped.get((a, b), [])
                rec = records.get((a, b), {})
                (later if stratum == "neither" else out).append({
                            "corpus": corpus, "a": a, "b": b,
                            "stratum": f"b12_{stratum}_{'same' if same((a, b)) else 'cross'}",
                            "rule": f"kind={rec.get('kind', '-')} words={rec.get('shared_words', '-')} "
                                    f"s*={s_of.get((a, b), float('nan')):.2f} quoted8={quoted.get((a, b), 0)}",
                            "days": days_apart(docs[a].get("date"), docs[b].get("date")), "printed_days": None,
                            "tracewire": tw, "passim": ps.get((a, b), []),
                            "runs": common_runs(docs[a]["text"], docs[b]["text"])})
    if not dry:
        rr._jsonl(CAND_B12, out + later)
        print(f"{len(out) + len(later)} candidates -> {CAND_B12}", file=sys.stderr)


# batch 13: a fourth and fifth corpus, GeoWebNews and LGL (the news texts of two geoparsing gold corpora:
# wire copy across US and UK sites, and 85 local papers). Every pair of theirs is dev (``rr.DEV_ONLY``): the
# links on both were read before the rights-notice rule was written. Strata: every pair tracewire links (at the
# shipped method, and with ``notice_rides`` off, the method before the rule), every pair passim links, pairs
# sharing a rare verbatim run of ``RUN_N`` words that neither links (up to 12 a corpus, at random), and
# ``QUOTA_B13_NEITHER`` unlinked same-topic pairs of different outlets.
CAND_B13 = rr.CACHE / "candidates_b13.jsonl"
SEED_B13 = 20261137
B13_MARK = "# batch 13"
QUOTA_B13_RUNS = 12
QUOTA_B13_NEITHER = {"gwn": 10, "lgl": 10}


def _unseen(k: rr.Pair, fresh: Callable[[rr.Pair], bool], excluded: set[rr.Pair]) -> bool:
    """A pair no batch drew that no system links and that shares no rare run."""
    return fresh(k) and k not in excluded


def draw_b13() -> None:
    """Write batch 13 to ``.cache/candidates_b13.jsonl``."""
    import shutil
    import tempfile

    from tracewire.corpus.reuse import ReuseConfig, days_apart

    rng = random.Random(SEED_B13)
    taken = _taken() - {(p["corpus"], *rr.key(p["a"], p["b"])) for p in rr.load_pairs()
                        if p["drawn_from"].startswith("b13_")}  # its own pairs, labelled: drawn again the same
    out: list[dict[str, Any]] = []
    for corpus in ("gwn", "lgl"):
        with tempfile.TemporaryDirectory(prefix=f"reuse_b13_{corpus}_") as tmp:
            base = Path(tmp) / "base.db"
            rr.ingest_corpus(corpus, base, Path(tmp))
            docs = rr.documents(base)
            old = Path(tmp) / "before.db"
            shutil.copy(base, old)  # a store remembers its links: each method runs on its own copy
            shipped = {rr.key(r["source"], r["target"]): r for r in rr.reuse_records(base)}
            before = {rr.key(r["source"], r["target"]): r
                      for r in rr.reuse_records(old, ReuseConfig(notice_rides=False))}
        ps = rr.passim_links(corpus)
        fresh = partial(_fresh, docs=docs, taken=taken, corpus=corpus)
        tw = set(shipped) | set(before)
        runs = _run_pairs(docs, RUN_N)
        pools = {
            "both": sorted(k for k in tw if k in ps and fresh(k)),
            "tw_only": sorted(k for k in tw if k not in ps and fresh(k)),
            "passim_only": sorted(k for k in ps if k not in tw and fresh(k)),
        }
        seen = tw | set(ps)
        run_pool = sorted(k for k in runs if k not in seen and fresh(k))
        pools["run"] = sorted(rng.sample(run_pool, min(QUOTA_B13_RUNS, len(run_pool))))
        drawn = {k for v in pools.values() for k in v}
        excluded = seen | drawn | set(runs)
        pools["neither"] = _neither_b12(docs, partial(_unseen, fresh=fresh, excluded=excluded),
                                        QUOTA_B13_NEITHER[corpus], rng)
        print(f"{corpus}: shipped {len(shipped)} links, {len(before)} without notice_rides, passim {len(ps)}; "
              f"drawn { {s: len(v) for s, v in pools.items()} } (run pool {len(run_pool)})", file=sys.stderr)
        _write_docs(corpus, "b13", docs)
        for stratum, pairs in pools.items():
            for a, b in pairs:
                rec = shipped.get((a, b)) or before.get((a, b)) or {}
                out.append({"corpus": corpus, "a": a, "b": b,
                            "stratum": f"b13_{stratum}_{'same' if _same_outlet((a, b), docs) else 'cross'}",
                            "rule": f"kind={rec.get('kind', '-')} words={rec.get('shared_words', '-')} "
                                    f"shipped={(a, b) in shipped} before={(a, b) in before} run{RUN_N}={runs.get((a, b), 0)}",
                            "days": days_apart(docs[a].get("date"), docs[b].get("date")), "printed_days": None,
                            "tracewire": (shipped.get((a, b)) and rr.links_of([shipped[(a, b)]])[(a, b)])
                            or (before.get((a, b)) and rr.links_of([before[(a, b)]])[(a, b)]) or [],
                            "passim": ps.get((a, b), []),
                            "runs": common_runs(docs[a]["text"], docs[b]["text"])})
    rr._jsonl(CAND_B13, out)
    print(f"{len(out)} candidates -> {CAND_B13}", file=sys.stderr)


def days_apart_of(docs: dict[str, dict[str, Any]], a: str, b: str) -> int:
    """Days between the two documents' metadata dates."""
    from tracewire.corpus.reuse import days_apart

    return days_apart(docs[a].get("date"), docs[b].get("date"))


if __name__ == "__main__":
    cmd = sys.argv[1] if len(sys.argv) > 1 else ""
    if cmd == "draw":
        draw()
    elif cmd == "draw-more":
        draw(more=True)
    elif cmd == "draw-dev":
        draw_dev()
    elif cmd == "show":
        show(int(sys.argv[2]), int(sys.argv[3]))
    elif cmd in ("show-b4", "show-b5", "show-b6", "show-b7", "show-b8", "show-b9"):
        show(int(sys.argv[2]), int(sys.argv[3]), cmd[-2:])
    elif cmd in ("show-b10", "show-b11", "show-b12", "show-b13"):
        show(int(sys.argv[2]), int(sys.argv[3]), cmd.split("-")[1])
    elif cmd == "draw-b4":
        draw_b4()
    elif cmd == "draw-b5":
        draw_b5()
    elif cmd == "draw-b6":
        draw_b6(Path(sys.argv[2]))
    elif cmd == "draw-b7":
        draw_b7()
    elif cmd == "draw-b8":
        draw_b8()
    elif cmd == "draw-b9":
        draw_b9()
    elif cmd == "variants-b9":
        measure_b9(sys.argv[2:])
    elif cmd == "variants-b10":
        measure_b9(sys.argv[2:], MEASURE_B10)
    elif cmd == "variants-b11":
        measure_b9(sys.argv[2:], MEASURE_B11)
    elif cmd == "variants-b12":
        measure_b9(sys.argv[2:], MEASURE_B12, "b12_")
    elif cmd == "lede-rewrite":
        lede_rewrite(*(int(x) for x in sys.argv[2:6]))
    elif cmd == "lede-stage":
        lede_stage(*(int(x) for x in sys.argv[2:4]))
    elif cmd == "draw-b10":
        draw_b10()
    elif cmd == "draw-b11":
        draw_b11()
    elif cmd == "draw-b13":
        draw_b13()
    elif cmd == "draw-b12":
        draw_b12(dry="--dry" in sys.argv[2:])
    elif cmd in ("build-b4", "build-b5", "build-b6", "build-b7", "build-b8", "build-b9", "build-b10", "build-b11",
                 "build-b12", "build-b13"):
        build_batch(cmd.split("-")[1])
    elif cmd == "build":
        build()
    else:
        raise SystemExit(__doc__)
