"""Narratives end to end: the seed articles (acceptance 1 of issue 15) and reproducibility on the demo corpus."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import shared_path
from tracewire.corpus.narratives import update_narratives
from tracewire.demo import answers_path, corpus_dir
from tracewire.engines.local import analyze_store
from tracewire.ingest import ingest
from tracewire.store import SQLiteStore, open_store

S000, S002, S004 = "000_4d704c3045a45c94", "002_525e1a21c51b5b98", "004_5f7f21560a4aea28"


def _analysed(folder: Path, db: Path, workers: int = 1) -> SQLiteStore:
    """A store with ``folder`` ingested and analysed (per-document components and corpus stages)."""
    store = open_store(db)
    ingest([folder], store)
    analyze_store(store, workers=workers)
    return store


def _narratives(store: SQLiteStore) -> list[tuple[str, tuple[tuple[str, int, int], ...]]]:
    """Narrative ids with their member keys."""
    return [(n["narrative"], tuple((m["doc"], m["start"], m["end"]) for m in n["members"]))
            for n in store.narrative_rows()]


@pytest.fixture(scope="module")
def seeds_store(tmp_path_factory: pytest.TempPathFactory) -> SQLiteStore:
    """The five seed articles, analysed."""
    return _analysed(shared_path("seeds"), tmp_path_factory.mktemp("seeds") / "tw.db")


@pytest.mark.shared
@pytest.mark.slow
def test_000_and_004_002_tell_one_narrative_without_reuse(seeds_store: SQLiteStore) -> None:
    """US help to ISIS against the Syrian forces: 000 and 004/002 in one narrative, no reuse link 000-004."""
    links = {frozenset((r["source"], r["target"])) for r in seeds_store.reuse_rows()}
    assert frozenset((S000, S004)) not in links and frozenset((S000, S002)) not in links
    assert frozenset((S004, S002)) in links
    both = [n for n in seeds_store.narrative_rows() if {S000, S004} <= {m["doc"] for m in n["members"]}]
    assert both, "no narrative holds claims of both 000 and 004"
    texts = {m["doc"] for n in both for m in n["members"]}
    assert S002 in texts  # the rewrite tells it too


@pytest.mark.shared
@pytest.mark.slow
def test_corroboration_counts_004_and_002_once(seeds_store: SQLiteStore) -> None:
    """002 is a rewrite of 004: it collapses into 004, and no source rests on 002 alone."""
    corr = {c["narrative"]: c for c in seeds_store.corroboration_rows()}
    checked = 0
    for n in seeds_store.narrative_rows():
        docs = {m["doc"] for m in n["members"]}
        if not {S002, S004} <= docs:
            continue
        c = corr[n["narrative"]]
        assert {"doc": S002, "into": S004, "why": "rewrite"} in c["collapsed"]
        for src in c["independent_sources"]:
            assert src["documents"] != [S002], src
        assert c["documents"] == len(docs)
        checked += 1
    assert checked, "no narrative holds both 004 and 002"


def _fields(record: dict[str, Any]) -> set[str]:
    """Top-level fields of a record."""
    return set(record)


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> SQLiteStore:
    """The demo corpus, analysed with one worker."""
    return _analysed(corpus_dir(), tmp_path_factory.mktemp("demo") / "tw.db")


def _claim_at(store: SQLiteStore, doc: str, text: str) -> tuple[str, int, int]:
    """The key of the claim of ``doc`` whose text contains ``text``."""
    hits = [(c["doc"], c["start"], c["end"]) for c in store.claim_rows() if c["doc"] == doc and text in c["text"]]
    assert len(hits) == 1, (doc, text, hits)
    return hits[0]


def _narrative_of(store: SQLiteStore) -> dict[tuple[str, int, int], str]:
    """Claim key -> narrative id."""
    return {(m["doc"], m["start"], m["end"]): n["narrative"] for n in store.narrative_rows() for m in n["members"]}


@pytest.mark.slow
def test_demo_narratives_and_corroboration_answers(demo_store: SQLiteStore) -> None:
    """Gate: the demo answers' narratives, corroboration and contradictions are found."""
    answers = tomllib.loads(answers_path().read_text(encoding="utf-8"))
    of = _narrative_of(demo_store)
    by_name: dict[str, str] = {}
    for n in answers["narratives"]:
        keys = [_claim_at(demo_store, c["doc"], c["text"]) for c in n["claims"]]
        ids = {of.get(k) for k in keys}
        assert len(ids) == 1 and None not in ids, (n["name"], ids)
        by_name[n["name"]] = ids.pop()  # type: ignore[assignment]
    corr = {c["narrative"]: c for c in demo_store.corroboration_rows()}
    members = {n["narrative"]: {m["doc"] for m in n["members"]} for n in demo_store.narrative_rows()}
    for want in answers["corroboration"]:
        nid = by_name[want["narrative"]]
        got = corr[nid]
        assert set(want["documents"]) <= members[nid]
        collapsed = {(c["doc"], c["into"]) for c in got["collapsed"]}
        assert {(c["doc"], c["into"]) for c in want["collapsed"]} <= collapsed
        for src in want["sources"]:
            match = [s for s in got["independent_sources"] if src["source"].lower() in s["source"].lower()
                     and s["kind"] == src["kind"] and s["channel"] == src.get("channel", s["channel"])]
            assert match, (src, got["independent_sources"])
        roots = set(want["documents"]) - {d for d, _ in collapsed}
        assert len(roots) == want["independent_texts"]
        copies = {doc["id"]: doc.get("outlet") for doc in answers["documents"]}
        for s in got["independent_sources"]:  # a copy's own outlet is never a source: its text is the root's
            assert all(s["source"] != copies.get(d) for d, _ in collapsed), s
    found = list(demo_store.contradiction_rows())
    for want in answers["contradictions"]:
        match = [c for c in found if {c["a"]["doc"], c["b"]["doc"]} == set(want["docs"])
                 and c["kind"] == want["kind"] and c["about"]["category"] == want["category"]]
        assert match, (want, [(c["a"]["doc"], c["b"]["doc"]) for c in found])
        assert all(c["reuse"] is None for c in match) == (want["reuse"] == "none")


@pytest.mark.slow
def test_same_ids_and_members_across_runs_and_workers(demo_store: SQLiteStore, tmp_path: Path) -> None:
    """Two runs and a run with two workers give the same narratives, corroboration and contradictions."""
    one = demo_store
    first = _narratives(one)
    assert first, "the demo corpus has narratives"
    update_narratives(one)  # a second run: vectors come from the store now
    assert _narratives(one) == first
    two = _analysed(corpus_dir(), tmp_path / "two.db", workers=2)
    assert _narratives(two) == first
    assert list(two.corroboration_rows()) == list(one.corroboration_rows())
    assert list(two.contradiction_rows()) == list(one.contradiction_rows())
    n = next(iter(one.narrative_rows()))
    assert _fields(n) == {"narrative", "label", "members", "first", "outlets", "parameters"}
    c = next(iter(one.corroboration_rows()))
    assert _fields(c) == {"narrative", "documents", "outlets", "independent_sources", "collapsed"}
    for x in one.contradiction_rows():
        assert _fields(x) == {"a", "b", "about", "kind", "reuse", "evidence"}


@pytest.mark.slow
def test_pages_and_report(demo_store: SQLiteStore, tmp_path: Path) -> None:
    """Narratives, one narrative, contradictions: served, linked from the article page and the claims
    explorer, and written into the static report."""
    from starlette.testclient import TestClient

    from tracewire.report.html import build_report
    from tracewire.web.app import create_app

    nid = next(iter(demo_store.narrative_rows()))["narrative"]
    with TestClient(create_app(demo_store.path), base_url="http://127.0.0.1") as client:
        listing = client.get("/narratives").text
        assert "resting on" in listing and "confirmation" not in listing
        page = client.get(f"/narratives/{nid}").text
        assert "Timeline by outlet" in page and "<svg" in page and "Corroboration graph" in page
        assert "41" in client.get("/contradictions").text
        assert "/narratives/narrative-" in client.get("/doc/lws_desert_ambush").text
        assert 'href="/narratives"' in client.get("/claims").text
        assert client.get("/narratives/narrative-000000000000").status_code == 404
    build_report(demo_store.path, tmp_path / "report")
    written = {p.name for p in (tmp_path / "report").iterdir()}
    assert {"narratives.html", "contradictions.html", f"narrative-{nid}.html"} <= written
