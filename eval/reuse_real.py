"""Reuse on real news: precision and recall of tracewire and passim on hand-labelled pairs.

Run: ``python eval/reuse_real.py [dev|heldout|all] [--passim]`` (default dev; reads ../shared/data).

The labelled pairs are in ``eval/reuse_real/pairs.jsonl`` (ids, offsets, labels; no text; the
protocol is in ``eval/reuse_real/README.md``). Each corpus (FA-KES, PolNeAR, PTC, and as dev only
GeoWebNews and LGL) is ingested into a temporary store with the real ingest and analysed with the
reuse corpus stage; a labelled pair counts as linked when the store holds a reuse link between its two documents.
passim's pairs come from ``eval/reuse_real/.cache/<corpus>/passim/pairs.jsonl`` (git-ignored),
made by ``--passim`` through ``../shared/peers/passim/run`` on the very texts tracewire stored,
so the offsets of both systems agree.

A pair is positive when labelled ``reuse``; ``furniture``, ``stock_phrase`` and ``independent``
are negatives. Prints, side by side, precision and recall of both systems per corpus and
overall, and how many pairs of each label each system links.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))
from eval import splits  # noqa: E402  (after the path set-up above)

if TYPE_CHECKING:
    from tracewire.corpus.reuse import ReuseConfig

SHARED = Path(os.environ.get("TRACEWIRE_SHARED", ROOT.parent / "shared"))
DATA = SHARED / "data"
PASSIM = SHARED / "peers" / "passim" / "run"
HERE = Path(__file__).resolve().parent / "reuse_real"
PAIRS = HERE / "pairs.jsonl"
CACHE = HERE / ".cache"
CORPORA = ("fakes", "polnear", "ptc", "gwn", "lgl")
# corpora added after the held-out half was fixed (batch 13): every pair of theirs is dev, because the
# links of both halves were read before they were labelled (eval/reuse_real/README.md, batch 13)
DEV_ONLY = frozenset({"gwn", "lgl"})
LABELS = ("reuse", "furniture", "stock_phrase", "independent")
SPLITS = ("dev", "heldout")

Pair = tuple[str, str]  # (smaller id, larger id)
Links = dict[Pair, list[dict[str, int]]]  # pair -> passages (a_start, a_end, b_start, b_end)


def key(a: str, b: str) -> Pair:
    """A pair of document ids in a fixed order."""
    return (a, b) if a <= b else (b, a)


def split_of(corpus: str, a: str, b: str) -> str:
    """The half a pair belongs to: a hash of corpus and ids, so it never depends on labels or systems."""
    if corpus in DEV_ONLY:
        return "dev"
    x, y = key(a, b)
    h = hashlib.sha256(f"{corpus}\t{x}\t{y}".encode()).digest()
    return SPLITS[h[0] & 1]


# -- corpora as tracewire ingests them ---------------------------------------------------------------
def _jsonl(path: Path, rows: Iterable[dict[str, Any]]) -> Path:
    """Write rows as JSON Lines; returns the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    return path


def _polnear_rows() -> Iterator[dict[str, Any]]:
    """PolNeAR's news texts with publisher, date, title and author from its metadata.tsv."""
    base = DATA / "polnear" / "data"
    meta: dict[str, dict[str, str]] = {}
    with (base / "metadata.tsv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            meta[row["filename"]] = row
    seen: set[str] = set()
    for split in ("train", "dev", "test"):
        for txt in sorted((base / split / "text").glob("*.txt")):
            if txt.stem in seen:
                continue
            seen.add(txt.stem)
            m = meta.get(txt.stem, {})
            yield {"id": txt.stem, "text": txt.read_text(encoding="utf-8"),
                   "outlet": m.get("publisher") or txt.stem.split("_", 1)[0],
                   "date": m.get("publication_date"), "title": m.get("title"), "author": m.get("author")}


def _ptc_rows() -> Iterator[dict[str, Any]]:
    """PTC training articles; their outlet is unknown, so none is given (tracewire falls back to the folder)."""
    for txt in sorted((DATA / "ptc" / "train-articles").glob("article*.txt")):
        yield {"id": txt.stem, "text": txt.read_text(encoding="utf-8"), "outlet": None}


def _geo_rows(name: str) -> Iterator[dict[str, Any]]:
    """News texts of a geoparsing gold corpus (``gwn``: GeoWebNews, ``lgl``: Local-Global Lexicon).

    Their toponym annotations are not read. Ids: LGL's ``docid``; GWN's position in GWN.xml (it has
    none). Outlet: LGL's ``domain``; GWN's host of its ``link`` (every article is of another site
    but for a few, so wire copy across outlets is what the two share).
    """
    from urllib.parse import urlparse
    from xml.etree import ElementTree

    path = DATA / "geoparsing" / "data" / ("GWN.xml" if name == "gwn" else "Corpora/lgl.xml")
    for n, art in enumerate(ElementTree.parse(path).getroot().iter("article")):
        url = art.findtext("url") or art.findtext("link") or None
        yield {"id": art.get("docid") or str(n), "text": art.findtext("text") or "",
               "title": art.findtext("title"), "url": url,
               "outlet": art.findtext("domain") or (urlparse(url).hostname if url else None),
               "date": (art.findtext("dltime") or "")[:10] or None}


def ingest_corpus(corpus: str, db: Path, work: Path) -> None:
    """Ingest one corpus into the store at ``db`` with tracewire's real ingest."""
    from tracewire.ingest import FieldMap, ingest
    from tracewire.store import SQLiteStore

    if corpus == "fakes":
        # as the README shows: the CSV itself, with its columns mapped
        paths = [DATA / "fakes" / "FA-KES-Dataset.csv"]
        fields = FieldMap().with_overrides(["id=unit_id", "text=article_content", "outlet=source"])
    elif corpus == "polnear":
        with splits.texts_for_another_task("reuse_real"):
            paths, fields = [_jsonl(work / "polnear.jsonl", _polnear_rows())], FieldMap()
    elif corpus == "ptc":
        with splits.texts_for_another_task("reuse_real"):
            paths, fields = [_jsonl(work / "ptc.jsonl", _ptc_rows())], FieldMap()
    elif corpus in ("gwn", "lgl"):
        paths, fields = [_jsonl(work / f"{corpus}.jsonl", _geo_rows(corpus))], FieldMap()
    else:
        raise ValueError(f"unknown corpus {corpus!r}; choose one of {', '.join(CORPORA)}")
    store = SQLiteStore(db)
    try:
        ingest(paths, store, fields=fields)
    finally:
        store.close()


def documents(db: Path) -> dict[str, dict[str, Any]]:
    """The stored documents (id -> exported record, normalised text included)."""
    from tracewire.export import export_string
    from tracewire.store import SQLiteStore

    store = SQLiteStore(db)
    try:
        rows = [json.loads(x) for x in export_string(store, "documents").split("\n") if x]
    finally:
        store.close()
    return {r["id"]: r for r in rows}


# -- the two systems ---------------------------------------------------------------------------------
def reuse_records(db: Path, config: ReuseConfig | None = None) -> list[dict[str, Any]]:
    """Run the reuse corpus stage on the store and return its exported ``reuse`` records.

    Kept to public entry points (``update_reuse`` and the ``reuse`` export) so it keeps working
    when the method behind them changes. ``config``: the stage's settings (None: its defaults).
    """
    from tracewire.corpus.reuse import update_reuse
    from tracewire.export import export_string
    from tracewire.store import SQLiteStore

    store = SQLiteStore(db)
    try:
        update_reuse(store, config=config)
        return [json.loads(x) for x in export_string(store, "reuse").splitlines()]
    finally:
        store.close()


def tracewire_links(db: Path) -> Links:
    """tracewire's predictor: the pairs the reuse stage links, with their passages' offsets."""
    return links_of(reuse_records(db))


def links_of(records: Iterable[dict[str, Any]]) -> Links:
    """The pairs exported ``reuse`` records link, with their passages' offsets (a before b)."""
    out: Links = {}
    for r in records:
        k = key(r["source"], r["target"])
        flip = k[0] != r["source"]
        out[k] = [
            {"a_start": p["target_start" if flip else "source_start"],
             "a_end": p["target_end" if flip else "source_end"],
             "b_start": p["source_start" if flip else "target_start"],
             "b_end": p["source_end" if flip else "target_end"]}
            for p in r["passages"]
        ]
    return out


def run_passim(corpus: str, docs: dict[str, dict[str, Any]]) -> float:
    """Run the passim peer on the stored texts (series = outlet); returns its wall time in seconds."""
    d = CACHE / corpus
    src = _jsonl(d / "passim_in.jsonl", (
        {"id": i, "text": r["text"], "series": r["outlet"] or f"unknown:{i}"} for i, r in sorted(docs.items())))
    t0 = time.perf_counter()
    subprocess.run([str(PASSIM), str(src), str(d / "passim")], check=True)
    return time.perf_counter() - t0


def passim_links(corpus: str) -> Links:
    """passim's cached pairs for a corpus (every aligned passage of a pair of documents)."""
    path = CACHE / corpus / "passim" / "pairs.jsonl"
    if not path.exists():
        raise FileNotFoundError(f"no passim output at {path}: run `python eval/reuse_real.py --passim` first")
    out: Links = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        p = json.loads(line)
        k = key(p["id"], p["id2"])
        flip = k[0] != p["id"]
        out.setdefault(k, []).append(
            {"a_start": p["begin2" if flip else "begin"], "a_end": p["end2" if flip else "end"],
             "b_start": p["begin" if flip else "begin2"], "b_end": p["end" if flip else "end2"]})
    return out


def prepare(corpus: str, with_passim: bool = False) -> tuple[dict[str, dict[str, Any]], Links, Links | None]:
    """Ingest and analyse a corpus in a temporary store; (documents, tracewire links, passim links)."""
    with tempfile.TemporaryDirectory(prefix=f"reuse_real_{corpus}_") as tmp:
        db = Path(tmp) / "tw.db"
        ingest_corpus(corpus, db, Path(tmp))
        docs = documents(db)
        tw = tracewire_links(db)
    if with_passim:
        secs = run_passim(corpus, docs)
        (CACHE / corpus / "passim_wall_s").write_text(f"{secs:.1f}\n")
    ps = passim_links(corpus) if (CACHE / corpus / "passim" / "pairs.jsonl").exists() else None
    return docs, tw, ps


# -- scoring -----------------------------------------------------------------------------------------
def load_pairs(split: str | None = None) -> list[dict[str, Any]]:
    """The labelled pairs, optionally of one half only (the held-out half is refused under the gates).

    ``None`` (every pair, for the file's format check) is not a half to score.
    """
    if split in ("heldout", "all"):
        splits.refuse_under_gates("the held-out half of eval/reuse_real")
    rows = [json.loads(x) for x in PAIRS.read_text(encoding="utf-8").splitlines() if x.strip()]
    return [r for r in rows if split in (None, "all") or r["split"] == split]


def score(pairs: list[dict[str, Any]], linked: set[tuple[str, str, str]]) -> dict[str, Any]:
    """Precision, recall and links per label of one system on labelled pairs."""
    tp = fp = fn = 0
    by_label = dict.fromkeys(LABELS, 0)
    for p in pairs:
        hit = (p["corpus"], *key(p["a"], p["b"])) in linked
        pos = p["label"] == "reuse"
        tp += hit and pos
        fp += hit and not pos
        fn += pos and not hit
        by_label[p["label"]] += hit
    return {"pairs": len(pairs), "positives": tp + fn, "tp": tp, "fp": fp, "fn": fn,
            "precision": tp / (tp + fp) if tp + fp else 1.0, "recall": tp / (tp + fn) if tp + fn else 1.0,
            "linked_by_label": by_label}


def linked_pairs(links: dict[str, Links]) -> set[tuple[str, str, str]]:
    """(corpus, a, b) of every link of one system."""
    return {(c, *k) for c, ls in links.items() for k in ls}


def systems(with_passim: bool = False) -> tuple[dict[str, Links], dict[str, Links]]:
    """Both systems' links per corpus: tracewire run now, passim from its cache (absent: not scored)."""
    tw: dict[str, Links] = {}
    ps: dict[str, Links] = {}
    for corpus in CORPORA:
        _, tw[corpus], p_links = prepare(corpus, with_passim)
        if p_links is not None:
            ps[corpus] = p_links
    return tw, ps


def figures(split: str, tw: dict[str, Links], ps: dict[str, Links]) -> dict[str, Any]:
    """Both systems' figures on one half: {system: {corpus | 'overall': score}} plus label counts."""
    pairs = load_pairs(split)
    out: dict[str, Any] = {"split": split, "tracewire": {}, "passim": {},
                           "n_by_label": {lab: sum(p["label"] == lab for p in pairs) for lab in LABELS}}
    for name, links in (("tracewire", tw), ("passim", ps)):
        if set(links) != set(CORPORA):
            continue  # passim not run on every corpus: no side-by-side figure
        linked = linked_pairs(links)
        for corpus in CORPORA:
            out[name][corpus] = score([p for p in pairs if p["corpus"] == corpus], linked)
        out[name]["overall"] = score(pairs, linked)
    return out


def run(split: str = "dev", with_passim: bool = False) -> dict[str, Any]:
    """Ingest, analyse and score one half (``all``: both) with both systems."""
    return figures(split, *systems(with_passim))


def _table(result: dict[str, Any]) -> str:
    """The side-by-side report."""
    lines = [f"reuse_real, {result['split']} half: positive = label 'reuse'", "",
             f"{'corpus':<10}{'pairs':>6}{'pos':>5}  {'tracewire P':>11}{'R':>7}  {'passim P':>9}{'R':>7}"]
    tw, ps = result["tracewire"], result["passim"]
    for c in [*CORPORA, "overall"]:
        t = tw[c]
        p = ps.get(c)
        if not t["pairs"]:  # a dev-only corpus in the held-out half: nothing to score
            lines.append(f"{c:<10}{0:>6}{0:>5}  {'-':>11}{'-':>7}  {'-':>9}{'-':>7}")
            continue
        pcol = f"{p['precision']:>9.3f}{p['recall']:>7.3f}" if p else f"{'(no run)':>16}"
        lines.append(f"{c:<10}{t['pairs']:>6}{t['positives']:>5}  {t['precision']:>11.3f}{t['recall']:>7.3f}  {pcol}")
    lines += ["", "pairs linked, by label", f"{'label':<14}{'pairs':>6}{'tracewire':>11}{'passim':>8}"]
    n_by_label = result.get("n_by_label", {})
    for lab in LABELS:
        pcount = ps["overall"]["linked_by_label"][lab] if ps else "-"
        lines.append(f"{lab:<14}{n_by_label.get(lab, 0):>6}{tw['overall']['linked_by_label'][lab]:>11}{pcount!s:>8}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command line: print the side-by-side figures of one half."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("split", nargs="?", default="dev", choices=[*SPLITS, "all"])
    ap.add_argument("--passim", action="store_true", help="(re)run passim and refresh its cached pairs")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = ap.parse_args(argv)
    if not DATA.exists():
        print(f"needs {DATA} (the ../shared folder beside the checkout is absent)", file=sys.stderr)
        return 1
    result = run(args.split, args.passim)
    print(json.dumps(result, indent=1) if args.json else _table(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
