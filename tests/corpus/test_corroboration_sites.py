"""Documents given no outlet count as the site of their URL when corroboration counts outlets.

Found on GeoVirus (229 WikiNews pages, no outlet field, one URL host): "asserted by 5 documents in 5 outlets",
each page its own independent author, when all five are pages of en.wikinews.org.
"""

from __future__ import annotations

import json
from pathlib import Path

from tracewire.corpus.corroboration import corroborate, origins, site_name
from tracewire.corpus.narratives import documents_by_id
from tracewire.ingest import ingest
from tracewire.store import open_store


def test_site_name_falls_back_to_the_urls_host() -> None:
    assert site_name("Wire Daily", "https://www.other.test/a") == "Wire Daily"
    assert site_name("  ", "https://www.wiki.test/wiki/A_story") == "wiki.test"
    assert site_name(None, " https://News.Example.test/x ") == "news.example.test"
    assert site_name(None, None) is None and site_name(None, "not a url") is None
    assert site_name(None, "http://[::1") is None  # a malformed URL names no site, and does not fail


def _claim(doc: str) -> dict[str, object]:
    return {"doc": doc, "start": 0, "end": 40, "source": None, "source_kind": "unattributed",
            "source_canonical": None, "channel": None}


def test_pages_of_one_site_are_one_outlet_and_one_author() -> None:
    urls = {"p1": "https://www.wiki.test/wiki/One", "p2": "https://wiki.test/wiki/Two", "q": "https://paper.test/3"}
    outlets = {d: site_name(None, u) for d, u in urls.items()}
    rec = corroborate("n", [_claim(d) for d in urls], outlets, origins([], {}), {})
    assert (rec["documents"], rec["outlets"]) == (3, 2)
    assert [(s["source"], s["documents"]) for s in rec["independent_sources"]] == [
        ("wiki.test", ["p1", "p2"]), ("paper.test", ["q"])]


def test_the_narratives_stage_counts_stored_pages_under_their_site(tmp_path: Path) -> None:
    """What the stage reads from a store: two pages of one site without an outlet, one with an outlet."""
    src = tmp_path / "pages.jsonl"
    rows = [{"id": "p1", "url": "https://www.wiki.test/wiki/One", "text": "Officials said the clinic reopened."},
            {"id": "p2", "url": "https://wiki.test/wiki/Two", "text": "Residents said the market reopened."},
            {"id": "q", "outlet": "Valley Post", "url": "https://wiki.test/x", "text": "The mayor said roads closed."}]
    src.write_text("".join(json.dumps(r) + "\n" for r in rows))
    store = open_store(tmp_path / "tw.db")
    try:
        ingest([src], store)
        docs = documents_by_id(store.corpus_layers()["documents"])
    finally:
        store.close()
    assert {k: d["outlet"] for k, d in docs.items()} == {"p1": "wiki.test", "p2": "wiki.test", "q": "Valley Post"}


def test_a_malformed_url_does_not_stop_the_analysis(tmp_path: Path) -> None:
    """``http://[::1`` (an unclosed IPv6 literal) made ``urlsplit`` raise inside the reuse stage: ``analyze`` failed
    for the whole store. Its document now groups by its folder, like one with no URL."""
    from tracewire.corpus.furniture import outlet_key
    from tracewire.engines.local import analyze_store
    from tracewire.records import Document

    assert outlet_key(Document("a", "x", "0", "in/a.txt", url="http://[::1")) == "folder:in"
    src = tmp_path / "bad.jsonl"
    src.write_text("".join(json.dumps({"id": i, "url": u, "text": t}) + "\n" for i, u, t in (
        ("a", "http://[::1", "The council said the bridge on the river road will close for repairs next week."),
        ("b", "http://[::1/x", "Residents said the market near the old mosque reopened after the storm."))))
    store = open_store(tmp_path / "tw.db")
    try:
        ingest([src], store)
        analyze_store(store)
        assert {d["id"] for d in store.corpus_layers()["documents"]} == {"a", "b"}
    finally:
        store.close()
