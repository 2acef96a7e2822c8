"""CheckThat! 2020 Task 2 (retrieving previously fact-checked claims): MAP@1/3/5 and MRR.

Run: ``python eval/factcheck_retrieval.py [dev|test] [--train] [--db FILE]`` (reads
../shared/data/checkthat2020-task2). ``dev`` (the default for the gate) scores the 200
development tweets; ``test`` the 200 held-out test tweets, for the closing note only (refused
under ``make test``, see eval/splits.py). ``--train`` fits the re-ranker on the training tweets,
picks its regularisation and the retrieval depth on dev, and writes
``tracewire/models/factcheck_rerank.json``; test is never read then.

The 10,375 verified claims are loaded into a tracewire store (``--db``, default
``eval/.cache/checkthat2020.db``) through the same tables ``tracewire factchecks import`` fills,
so their vectors are encoded once and kept under (text hash, model hash); delete the file to
start over. Printed beside the run: BM25 alone (FTS5), dense alone (cosine), the re-ranked
result, and the published figures (marked unverified: the search tool did not return the
overview paper's table).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import re
import sys
import time
import zipfile
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from eval import splits  # noqa: E402

DATA = splits.shared_dir() / "data" / "checkthat2020-task2"
CACHE = ROOT / "eval" / ".cache" / "checkthat2020.db"
SOURCE = "checkthat2020"
# Published test figures, MAP@5 (task overview, CLEF 2020). Not confirmed through the search tool: unverified.
PUBLISHED = {"Buster.ai, best 2020 system": {"map@5": 0.929},
             "organisers' Elasticsearch baseline": {"map@5": 0.608}}

_TAIL = re.compile(r"\s+[—–-]+\s+(?P<name>[^—–]*?)\s*\(@\w+\)\s+\w+ \d{1,2}, \d{4}\s*$")
_URL = re.compile(r"(?:https?://\S+|pic\.twitter\.com/\S+)")


def clean_tweet(text: str) -> str:
    """A tweet without links and the handle and date of its signature; the author's name stays (verified
    claims often name who said it)."""
    return " ".join(_URL.sub(" ", _TAIL.sub(lambda m: f" — {m.group('name')}", text)).split())


def _tsv(raw: bytes) -> list[list[str]]:
    """Rows of a CheckThat! TSV file (quoted fields as the organisers wrote them)."""
    return list(csv.reader(io.StringIO(raw.decode("utf-8")), delimiter="\t"))


def verified_claims() -> list[tuple[str, str, str]]:
    """(vclaim_id, vclaim, title) of the 10,375 verified claims."""
    with zipfile.ZipFile(DATA / "data" / "v3.zip") as z:
        rows = _tsv(z.read("v3.0/verified_claims.docs.tsv"))
    return [(r[0], r[1], r[2]) for r in rows[1:] if len(r) >= 3]


def load_split(split: str) -> tuple[list[tuple[str, str]], dict[str, set[str]]]:
    """(tweet id, tweet) and gold vclaim ids per tweet of ``split``: train, dev or test (held out)."""
    if split == "test":
        splits.refuse_under_gates("CheckThat! 2020 Task 2 test tweets")
        with zipfile.ZipFile(DATA / splits.CHECKTHAT2020_HELD_OUT / "test-input.zip") as z:
            tweets, qrels = _tsv(z.read("tweets.queries.tsv")), _tsv(z.read("tweet-vclaim-pairs.qrels"))
    elif split in ("train", "dev"):
        with zipfile.ZipFile(DATA / "data" / "v3.zip") as z:
            tweets = _tsv(z.read(f"v3.0/{split}/tweets.queries.tsv"))
            qrels = _tsv(z.read(f"v3.0/{split}/tweet-vclaim-pairs.qrels"))
    else:
        raise ValueError(f"TW902 unknown CheckThat! 2020 split {split!r}: use train, dev or test")
    gold: dict[str, set[str]] = {}
    for r in qrels:
        if len(r) >= 4 and r[3].strip() == "1":
            gold.setdefault(r[0].strip(), set()).add(f"{SOURCE}:{r[2].strip()}")
    queries = [(r[0].strip(), r[1]) for r in tweets if len(r) >= 2 and r[0].strip().isdigit()]
    return [q for q in queries if q[0] in gold], gold


def average_precision(gold: set[str], ranked: Sequence[str], k: int) -> float:
    """AP@k as the task's scorer computes it: precision at each relevant hit in the top k, over |gold|."""
    hits, total = 0, 0.0
    for i, x in enumerate(ranked[:k], 1):
        if x in gold:
            hits += 1
            total += hits / i
    return total / len(gold) if gold else 0.0


def reciprocal_rank(gold: set[str], ranked: Sequence[str]) -> float:
    """1 / rank of the first relevant result (0 when none is retrieved)."""
    return next((1.0 / i for i, x in enumerate(ranked, 1) if x in gold), 0.0)


def scores(rankings: dict[str, list[str]], gold: dict[str, set[str]]) -> dict[str, float]:
    """MAP@1, MAP@3, MAP@5 and MRR over the queries."""
    n = len(rankings) or 1
    out = {f"map@{k}": sum(average_precision(gold[q], r, k) for q, r in rankings.items()) / n for k in (1, 3, 5)}
    out["mrr"] = sum(reciprocal_rank(gold[q], r) for q, r in rankings.items()) / n
    return {k: round(v, 4) for k, v in out.items()}


def open_index(db: Path) -> tuple[object, object]:
    """The verified claims in a store at ``db`` (imported once) and the matcher's index over them."""
    from tracewire.corpus.factcheck import build_index
    from tracewire.records import FactCheck
    from tracewire.store import open_store
    from tracewire.store.factchecks import FactcheckStore

    store = open_store(db)
    fs = FactcheckStore.of(store)
    if fs.count() == 0:
        fcs = [FactCheck(id=f"{SOURCE}:{i}", source=SOURCE, source_path=str(DATA / "data" / "v3.zip"),
                         claim_reviewed=" ".join(c.split()), title=" ".join(t.split()) or None)
               for i, c, t in verified_claims()]
        fs.write(fcs, [])
    t = time.perf_counter()
    index, encoded = build_index(store)
    print(f"index: {len(index.fcs)} verified claims, {encoded} texts encoded now ({time.perf_counter() - t:.0f} s); "
          f"vectors kept in {db}", file=sys.stderr)
    return store, index


def run(split: str = "dev", db: Path = CACHE) -> dict[str, dict[str, float]]:
    """Figures of BM25 alone, dense alone and the re-ranked matcher on ``split``."""
    import numpy as np

    from tracewire.corpus.factcheck import MatchConfig, doc_ranked, embed, prepare, rank, shipped_reranker
    from tracewire.store.factchecks import FactcheckStore

    queries, gold = load_split(split)
    store, index = open_index(db)
    texts = [clean_tweet(t) for _, t in queries]
    vecs, _ = embed(FactcheckStore.of(store), texts)  # type: ignore[arg-type]
    rr = shipped_reranker()
    prepare(index, texts)  # type: ignore[arg-type]
    out: dict[str, dict[str, list[str]]] = {"bm25": {}, "dense": {}, "reranked": {}}
    for (qid, _), text, vec in zip(queries, texts, vecs, strict=True):
        ranked = rank(index, text, vec, rr)  # type: ignore[arg-type]
        out["reranked"][qid] = [index.fcs[c.pos].id for c, _ in ranked]  # type: ignore[attr-defined]
        out["bm25"][qid] = [index.fcs[c.pos].id for c, _ in sorted(ranked, key=lambda x: -x[0].bm25) if c.bm25 > 0]  # type: ignore[attr-defined]
        cos = index.claim_vecs @ vec  # type: ignore[attr-defined]
        out["dense"][qid] = [index.fcs[int(j)].id for j in np.argsort(-cos)[:20]]  # type: ignore[attr-defined]
    # the corpus stage's ranking (tracewire.corpus.factcheck.doc_ranked: re-ranker, then document votes), each tweet
    # its own article: no other claim votes, so it must equal the re-ranked order (the gate pins both)
    claims = [{"doc": qid, "start": 0, "end": len(text), "text": text} for (qid, _), text in zip(queries, texts, strict=True)]
    stage = dict(doc_ranked(index, claims, vecs, rr, MatchConfig(min_words=0)))  # type: ignore[arg-type]
    out["stage"] = {qid: [index.fcs[c.pos].id for c, _, _, _ in stage[i]]  # type: ignore[attr-defined]
                    for i, (qid, _) in enumerate(queries)}
    store.close()  # type: ignore[attr-defined]
    return {name: scores(r, gold) for name, r in out.items()}


def train(db: Path = CACHE) -> dict[str, object]:
    """Fit the re-ranker on train, choose C and depth on dev, write the weights file; returns the choice."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    from tracewire.corpus.factcheck import WEIGHTS_FILE, Reranker, embed, feature_rows
    from tracewire.store.factchecks import FactcheckStore

    store, index = open_index(db)
    fs = FactcheckStore.of(store)  # type: ignore[arg-type]
    data = {}
    for split in ("train", "dev"):
        queries, gold = load_split(split)
        texts = [clean_tweet(t) for _, t in queries]
        vecs, _ = embed(fs, texts)
        data[split] = (queries, gold, texts, vecs)
    best: tuple[float, float, int, Reranker] | None = None
    for depth in (20, 30, 50):
        rows = {s: feature_rows(index, d[2], d[3], depth) for s, d in data.items()}  # type: ignore[arg-type]
        qs, gold = data["train"][0], data["train"][1]
        x = np.vstack([f for _, f in rows["train"]])
        y = np.concatenate([[1 if i in gold[q] else 0 for i in ids] for (q, _), (ids, _) in zip(qs, rows["train"], strict=True)])
        for c in (0.1, 1.0, 10.0):
            model = LogisticRegression(C=c, max_iter=2000).fit(x, y)
            rr = Reranker(tuple(float(v) for v in model.coef_[0]), float(model.intercept_[0]))
            dq, dgold = data["dev"][0], data["dev"][1]
            rankings = {}
            for (q, _), (ids, f) in zip(dq, rows["dev"], strict=True):
                s = rr.scores(f) if len(ids) else np.zeros(0)
                rankings[q] = [ids[i] for i in sorted(range(len(ids)), key=lambda i: (-s[i], ids[i]))]
            m = scores(rankings, dgold)
            print(f"depth {depth} C {c}: dev {m}", file=sys.stderr)
            if best is None or m["map@5"] > best[0]:
                best = (m["map@5"], c, depth, rr)
    assert best is not None
    _, c, depth, rr = best
    rr = Reranker(rr.coef, rr.intercept, 0.05, f"logistic regression (C={c}) on CheckThat! 2020 Task 2 train tweets, "
                  f"candidates from depth {depth}; C and depth chosen on dev MAP@5 {best[0]}")
    (ROOT / "tracewire" / "models" / WEIGHTS_FILE).write_text(rr.to_json(), encoding="utf-8")
    store.close()  # type: ignore[attr-defined]
    return {"C": c, "depth": depth, "dev_map@5": best[0]}


def main(argv: Sequence[str] | None = None) -> int:
    """Print the figures (or train with --train)."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("split", nargs="?", default="test", choices=("dev", "test"))
    ap.add_argument("--train", action="store_true", help="fit the re-ranker on train, tune on dev, write its weights")
    ap.add_argument("--db", type=Path, default=CACHE)
    args = ap.parse_args(argv)
    args.db.parent.mkdir(parents=True, exist_ok=True)
    if args.train:
        print(json.dumps(train(args.db)))
        return 0
    r = run(args.split, args.db)
    print(f"CheckThat! 2020 Task 2, {args.split} ({'200 held-out test tweets' if args.split == 'test' else 'development tweets'})")
    print(f"{'system':56} {'MAP@1':>6} {'MAP@3':>6} {'MAP@5':>6} {'MRR':>6}")
    for name, label in (("bm25", "BM25 alone (SQLite FTS5, top 30)"), ("dense", "dense alone (all-MiniLM-L6-v2 cosine)"),
                        ("reranked", "tracewire (BM25 + dense, re-ranked)"),
                        ("stage", "corpus stage (+ document votes, one tweet each)")):
        m = r[name]
        print(f"{label:56} {m['map@1']:6.3f} {m['map@3']:6.3f} {m['map@5']:6.3f} {m['mrr']:6.3f}")
    for name, m2 in PUBLISHED.items():
        print(f"{name + ' (published, unverified)':56} {'':>6} {'':>6} {m2['map@5']:6.3f} {'':>6}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
