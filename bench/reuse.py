"""Reuse benchmark: planted reuse at scale, tracewire vs a plain datasketch MinHashLSH baseline.

Generates a synthetic corpus (made-up words, Zipf-distributed, so no real text is copied)
with planted reuse families: verbatim copies, copies with 5-20 % word edits, condensed
rewrites, a short text inserted into a long one; plus documents that share only a site
footer and unrelated documents of the same topic that share stock phrases. Prints, side by
side, pair recall and precision against the planted truth, wall time and peak memory.

    .venv/bin/python bench/reuse.py --sizes 10000 100000
    .venv/bin/python bench/reuse.py --sizes 10000 100000 300000 --no-baseline-above 100000

Measured 2026-11-23 on the 2-core build machine with nothing else running, command
``.venv/bin/python bench/reuse.py --sizes 10000 100000 300000`` (14 min; memory is the summed
PSS of the process tree, workers included, minus the corpus the system was handed):

    docs    system                  recall>=50%  precision  wall s  cpu s  peak MiB
    10000   tracewire workers=2     0.9967       1.0000        4.0    7.0     384
    10000   datasketch LSH t=0.3    0.6507       0.6171       11.0   11.0     199
    100000  tracewire workers=2     0.9964       1.0000       46.1   72.1    1118
    100000  datasketch LSH t=0.3    0.6586       0.8310      108.6  106.0    1452
    300000  tracewire workers=2     0.9966       1.0000      159.5  226.7    2886
    300000  datasketch LSH t=0.3    0.6558       0.8663      418.9  364.8    4294
    tracewire: time N^1.08, memory N^0.57 (fit over the three sizes); 1M docs: 9.8 min, 5.6 GiB
    baseline:  time N^1.06, memory N^0.90; 1M docs: 25.0 min, 12.3 GiB

tracewire is 2.75x, 2.36x and 2.63x faster in wall time. Its time includes alignment, boilerplate
discounting and direction; the baseline only proposes candidates. The memory fit is pulled down
by fixed costs at 10k. From the two largest runs alone, 1M documents need about 8.0 GiB
(memory N^0.86) and 10.4 min (time N^1.13).

Then measured at 1M, tracewire only
(``.venv/bin/python bench/reuse.py --sizes 1000000 --no-baseline-above 300000``, 13 min with
224 s of corpus generation):

    1000000 tracewire workers=2     0.9968       1.0000      573.6  740.4    9539

9.6 min, inside the extrapolation; 9.3 GiB, above it (12.2 GiB counting the corpus it was handed).

Truth: a pair counts when the smaller document has >= 50 % of its words in text it shares
with the other (recall is measured on those); a found pair is correct when the two documents
belong to the same family and share any text (precision).
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import re
import resource
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tracewire.corpus.reuse import find_reuse  # noqa: E402
from tracewire.records import Document  # noqa: E402

SYLL = ["ka", "ro", "mi", "tan", "el", "su", "dor", "bi", "na", "vex", "lo", "qu", "ar", "zen",
        "pa", "ti", "gor", "ul", "he", "si", "mab", "ne", "fa", "jor", "wi", "ce", "ob", "ry"]


@dataclass
class Corpus:
    """Generated documents and the planted truth."""

    texts: list[str]
    family: list[int]  # family id per document (-1: no planted reuse)
    sents: list[set[int]] = field(default_factory=list)  # family sentence ids per document
    words: list[int] = field(default_factory=list)
    sent_words: dict[tuple[int, int], int] = field(default_factory=dict)
    site: list[int | None] = field(default_factory=list)  # the site (outlet) of each document


def vocabulary(rng: np.random.Generator, size: int) -> list[str]:
    """Distinct made-up words (2-4 syllables: about 640k possible, far more than asked for)."""
    out: set[str] = set()
    while len(out) < size:
        k = int(rng.integers(2, 5))
        out.add("".join(SYLL[int(i)] for i in rng.integers(0, len(SYLL), k)))
    return sorted(out)


def generate(n_docs: int, seed: int = 7) -> Corpus:
    """A corpus of about ``n_docs`` documents with planted reuse families."""
    rng = np.random.default_rng(seed)
    vocab = np.array(vocabulary(rng, 30_000))
    zipf = 1.0 / np.arange(1, len(vocab) + 1) ** 1.05
    cdf = np.cumsum(zipf / zipf.sum())

    vlist = [str(w) for w in vocab]

    def draw(k: int) -> list[str]:
        """k Zipf-distributed words."""
        idx = np.minimum(np.searchsorted(cdf, rng.random(k)), len(vlist) - 1)
        return [vlist[i] for i in idx.tolist()]

    def sentences(topic: int, k: int) -> list[str]:
        """k random sentences, some with a stock phrase of the topic."""
        lengths = rng.integers(8, 25, k)
        words = draw(int(lengths.sum()))
        stock_at = rng.random(k) < 0.3
        out, pos = [], 0
        for n_w, st in zip(lengths.tolist(), stock_at.tolist(), strict=True):
            ws = words[pos : pos + n_w]
            pos += n_w
            if st:
                ws.insert(int(rng.integers(0, n_w)), stock[topic][int(rng.integers(0, 30))])
            out.append(" ".join(ws).capitalize() + ".")
        return out

    n_topics, n_sites = 40, max(5, n_docs // 200)
    stock = [[" ".join(rng.choice(vocab[:3000], int(rng.integers(3, 7)))) for _ in range(30)]
             for _ in range(n_topics)]
    footers = [" ".join(draw(int(rng.integers(15, 45)))) for _ in range(n_sites)]

    def edit(s: str, rate: float) -> str:
        """Substitute, delete or insert words at the given rate."""
        out: list[str] = []
        for w in s.split(" "):
            r = rng.random()
            if r < rate / 3:
                continue
            if r < 2 * rate / 3:
                out.append(str(vocab[int(rng.integers(0, len(vocab)))]))
                continue
            out.append(w)
            if r < rate:
                out.append(str(vocab[int(rng.integers(0, len(vocab)))]))
        return " ".join(out)

    c = Corpus(texts=[], family=[])

    def add(text_sents: list[tuple[int, str]], fam: int, site: int | None) -> None:
        """Append a document built from (sentence id, sentence) pairs; id -1 = own text."""
        paras, cur = [], []
        for k, (_, s) in enumerate(text_sents):
            cur.append(s)
            if len(cur) >= 4 or k == len(text_sents) - 1:
                paras.append(" ".join(cur))
                cur = []
        body = "\n\n".join(paras)
        if site is not None:
            body += "\n\n" + footers[site]
        c.texts.append(body)
        c.family.append(fam)
        c.site.append(site)
        c.sents.append({i for i, _ in text_sents if i >= 0})
        c.words.append(len(body.split()))

    fam = 0
    while len(c.texts) < n_docs:
        topic = int(rng.integers(0, n_topics))
        site = int(rng.integers(0, n_sites)) if rng.random() < 0.7 else None
        if rng.random() < 0.6:  # unrelated document of a topic (shares stock phrases, footers)
            add([(-1, x) for x in sentences(topic, int(rng.integers(10, 45)))], -1, site)
            continue
        kind = rng.choice(["wire", "insert"], p=[0.8, 0.2])
        n_s = int(rng.integers(4, 9)) if kind == "insert" else int(rng.integers(12, 45))
        orig = list(enumerate(sentences(topic, n_s)))
        for i, s in orig:
            c.sent_words[(fam, i)] = len(s.split())
        add(orig, fam, site)
        for _ in range(int(rng.integers(1, 5))):
            other = int(rng.integers(0, n_sites)) if rng.random() < 0.7 else None
            if kind == "insert":
                own = [(-1, x) for x in sentences(topic, int(rng.integers(25, 60)))]
                at = int(rng.integers(0, len(own)))
                add(own[:at] + orig + own[at:], fam, other)
                continue
            how = rng.choice(["verbatim", "edited", "condensed"])
            if how == "verbatim":
                add(orig, fam, other)
            elif how == "edited":
                rate = float(rng.uniform(0.05, 0.20))
                add([(i, edit(s, rate)) for i, s in orig], fam, other)
            else:
                keep = sorted(rng.choice(n_s, max(3, int(n_s * rng.uniform(0.4, 0.7))), replace=False))
                extra = [(-1, x) for x in sentences(topic, int(rng.integers(0, 4)))]
                add([orig[int(k)] for k in keep] + extra, fam, other)
        fam += 1
    return c


def truth(c: Corpus) -> tuple[set[tuple[int, int]], set[tuple[int, int]]]:
    """(pairs with the smaller side >= 50 % contained, all pairs that share any planted text)."""
    by_fam: dict[int, list[int]] = {}
    for i, f in enumerate(c.family):
        if f >= 0:
            by_fam.setdefault(f, []).append(i)
    strong: set[tuple[int, int]] = set()
    anyshare: set[tuple[int, int]] = set()
    for f, members in by_fam.items():
        for x in range(len(members)):
            for y in range(x + 1, len(members)):
                i, j = members[x], members[y]
                shared = c.sents[i] & c.sents[j]
                if not shared:
                    continue
                anyshare.add((i, j))
                words = sum(c.sent_words[(f, s)] for s in shared)
                if words >= 0.5 * min(c.words[i], c.words[j]):
                    strong.add((i, j))
    return strong, anyshare


def run_tracewire(c: Corpus, workers: int = 1) -> set[tuple[int, int]]:
    """Pairs linked by tracewire.find_reuse."""
    docs = [Document(id=f"d{i:07d}", text=t, sha256="", source_path="",
                     outlet=None if c.site[i] is None else f"site{c.site[i]}") for i, t in enumerate(c.texts)]
    links = find_reuse(docs, workers=workers)
    return {tuple(sorted((int(lk.source[1:]), int(lk.target[1:])))) for lk in links}  # type: ignore[misc]


WORD = re.compile(r"\w+")


def run_baseline(c: Corpus, threshold: float = 0.3, num_perm: int = 128) -> set[tuple[int, int]]:
    """Candidate pairs of a plain datasketch MinHashLSH over the same word 5-gram shingles."""
    from datasketch import MinHash, MinHashLSH

    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    sigs = []
    for i, t in enumerate(c.texts):
        toks = WORD.findall(t.casefold())
        sh = {" ".join(toks[k : k + 5]).encode() for k in range(max(1, len(toks) - 4))}
        m = MinHash(num_perm=num_perm)
        m.update_batch(list(sh))
        lsh.insert(i, m)
        sigs.append(m)
    pairs: set[tuple[int, int]] = set()
    for i, m in enumerate(sigs):
        for j in lsh.query(m):
            if j != i:
                pairs.add((min(i, j), max(i, j)))
    return pairs


def _pss_mb(pid: int) -> float:
    """Proportional set size of one process in MiB (shared pages split among their sharers); 0 once gone."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _tree(pid: int) -> list[int]:
    """A process and all its descendants."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            with open(f"/proc/{p}/task/{p}/children") as fh:
                todo.extend(int(x) for x in fh.read().split())
        except OSError:
            pass
    return out


_CORPUS: list[Corpus] = []  # the corpus the forked child inherits from the parent


def _cpu() -> float:
    """CPU seconds of this process and its finished children."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def _child(name: str, threshold: float, workers: int, conn: object) -> None:
    """Run one system on the inherited corpus; send "ready", then (pairs, wall s, cpu s)."""
    c = _CORPUS[0]
    fn: Callable[[Corpus], set[tuple[int, int]]] = (
        (lambda cc: run_tracewire(cc, workers)) if name == "tracewire"
        else (lambda cc: run_baseline(cc, threshold))
    )
    conn.send("ready")  # type: ignore[attr-defined]
    c0, t0 = _cpu(), time.perf_counter()
    pairs = fn(c)
    secs, cpu = time.perf_counter() - t0, _cpu() - c0
    conn.send((pairs, secs, cpu))  # type: ignore[attr-defined]


def measure(name: str, threshold: float, workers: int
            ) -> tuple[set[tuple[int, int]], float, float, float, float]:
    """Run one system in a forked process; sample the memory of its whole process tree.

    Memory is the summed PSS of the child and its worker processes, sampled every 100 ms:
    (peak - the child's PSS before it starts) is what the system itself needed, the corpus
    it was handed excluded; the peak including the corpus is reported beside it.
    """
    ctx = mp.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    p = ctx.Process(target=_child, args=(name, threshold, workers, child))
    p.start()
    parent.recv()
    pid = p.pid
    assert pid is not None
    base = peak = _pss_mb(pid)
    while not parent.poll(0.1):
        peak = max(peak, float(sum(_pss_mb(x) for x in _tree(pid))))
    pairs, secs, cpu = parent.recv()
    p.join()
    return pairs, secs, cpu, peak, base


def score(found: set[tuple[int, int]], strong: set[tuple[int, int]], anyshare: set[tuple[int, int]]
          ) -> tuple[float, float]:
    """(recall on >= 50 %-contained pairs, precision against any planted sharing)."""
    recall = len(found & strong) / max(len(strong), 1)
    precision = len(found & anyshare) / max(len(found), 1)
    return recall, precision


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the side-by-side table."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--threshold", type=float, default=0.3, help="baseline MinHashLSH Jaccard threshold")
    ap.add_argument("--workers", type=int, default=2, help="tracewire worker processes")
    ap.add_argument("--no-baseline-above", type=int, default=10**9,
                    help="skip the (slow) baseline for corpora larger than this")
    args = ap.parse_args(argv)
    rows: list[tuple[int, str, float, float, float, float, float, int]] = []
    print(f"{'docs':>8} {'system':<24} {'recall>=50%':>11} {'precision':>9} {'wall s':>8} {'cpu s':>8} "
          f"{'peak MiB':>9} {'(+corpus)':>9} {'pairs':>8}")
    for n in args.sizes:
        t0 = time.perf_counter()
        c = generate(n, args.seed)
        strong, anyshare = truth(c)
        _CORPUS[:] = [c]
        print(f"{'':>8} generated {len(c.texts)} documents, {sum(c.words)} words in "
              f"{time.perf_counter() - t0:.0f} s", flush=True)
        systems = ["tracewire"] + (["baseline"] if n <= args.no_baseline_above else [])
        for name in systems:
            found, secs, cpu, peak, base = measure(name, args.threshold, args.workers)
            r, p = score(found, strong, anyshare)
            label = (f"tracewire workers={args.workers}" if name == "tracewire"
                     else f"datasketch LSH t={args.threshold}")
            rows.append((n, name, r, p, secs, peak - base, peak, len(found)))
            print(f"{n:>8} {label:<24} {r:>11.4f} {p:>9.4f} {secs:>8.1f} {cpu:>8.1f} {peak - base:>9.0f} "
                  f"{peak:>9.0f} {len(found):>8}", flush=True)
        _CORPUS.clear()
        del c
        print(f"{'':>8} truth: {len(strong)} pairs >=50 % contained, {len(anyshare)} sharing any text")
    for name in ("tracewire", "baseline"):
        pts = [(n, secs, mem) for n, nm, _, _, secs, mem, _, _ in rows if nm == name]
        if len(pts) < 2:
            continue
        # least-squares slope of log(time) and log(memory) on log(N) over every measured size
        x = np.log([n for n, _, _ in pts])
        t_slope = float(np.polyfit(x, np.log([t for _, t, _ in pts]), 1)[0])
        m_slope = float(np.polyfit(x, np.log([max(m, 1.0) for _, _, m in pts]), 1)[0])
        n1, t1, m1 = pts[-1]
        print(f"{name}: over {', '.join(str(n) for n, _, _ in pts)} docs time grows as N^{t_slope:.2f}, "
              f"memory as N^{m_slope:.2f}; extrapolated to 1M docs from {n1}: "
              f"{t1 * (1_000_000 / n1) ** t_slope / 60:.1f} min, {m1 * (1_000_000 / n1) ** m_slope / 1024:.1f} GiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
