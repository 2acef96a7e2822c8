"""The web app through Starlette's TestClient: every page and endpoint, escaping, CSP, token, URL schemes."""

from __future__ import annotations

import csv
import io
import re
import time
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from tests.web.fixtures import (
    HOSTILE_ACTOR,
    HOSTILE_OUTLET,
    HOSTILE_PLACE,
    HOSTILE_TITLE,
    HOSTILE_URL,
    SAFE_URL,
    Fixture,
)
from tracewire.errors import Code, UsageError
from tracewire.records import Document
from tracewire.store.base import IngestBatch
from tracewire.store.sqlite import SQLiteStore
from tracewire.web import app as web_app
from tracewire.web.app import create_app
from tracewire.web.security import is_loopback
from tracewire.web.server import serve

BASE = "http://127.0.0.1"  # the Host the app answers to (TestClient's default, "testserver", is refused)
TOKEN = "s3cret-token-0123456789"
PAGES = ["/", "/documents", "/documents?outlet=Northgate+Wire", "/doc/a001", "/doc/a002", "/doc/x666", "/reuse",
         "/reuse/pair?source=a001&target=a002", "/reuse/pair?source=c001&target=x666", "/claims",
         "/claims?q=killed", "/map", "/api"]
API = ["/api/overview", "/api/documents", "/api/documents/a001", "/api/reuse",
       "/api/reuse/pair?source=a001&target=a002", "/api/claims", "/api/places",
       "/api/places/mentions?name=Aleppo", "/api/stories"]
RAW_PAYLOADS = ["<script>window.__pwned", "<script>document.title", "<img src=x", "<svg onload", "<iframe",
                "<b onmouseover", "</textarea><script>", "<style>body", "<i>Doubt</i>"]


@pytest.fixture(scope="module")
def client(fixture_store: Fixture) -> Iterator[TestClient]:
    """A test client over the fixture store."""
    with TestClient(create_app(fixture_store.db), base_url=BASE) as c:
        yield c


class Tags(HTMLParser):
    """Collects every start tag with its attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def tags(html: str) -> list[tuple[str, dict[str, str | None]]]:
    """Parse HTML into (tag, attributes) pairs."""
    p = Tags()
    p.feed(html)
    return p.tags


@pytest.mark.parametrize("path", PAGES)
def test_every_page_answers_with_csp_and_no_inline_code(client: TestClient, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 200, r.text[:300]
    assert r.headers["content-type"].startswith("text/html")
    csp = r.headers["content-security-policy"]
    script_src = re.search(r"script-src ([^;]*)", csp)
    assert script_src and "unsafe-inline" not in script_src.group(1) and "unsafe-eval" not in csp
    assert "default-src 'none'" in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    for tag, attrs in tags(r.text):
        assert not [a for a in attrs if a.startswith("on")], (tag, attrs)
        assert "style" not in attrs, (tag, attrs)
        if tag == "script":
            assert attrs.get("src") or attrs.get("type") == "application/json", attrs
        for a in ("href", "src", "action"):
            value = (attrs.get(a) or "").strip().lower()
            assert not value.startswith(("javascript:", "data:text", "vbscript:")), (tag, attrs)


@pytest.mark.parametrize("path", API)
def test_every_api_endpoint_answers_json(client: TestClient, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 200, r.text[:300]
    assert r.headers["content-type"] == "application/json"
    assert isinstance(r.json(), dict)


def test_api_page_documents_every_endpoint(client: TestClient) -> None:
    html = client.get("/api").text
    routes = {getattr(r, "path", "") for r in client.app.routes}  # type: ignore[attr-defined]
    api_routes = {p.replace("{doc_id:path}", "{id}") for p in routes if p.startswith("/api/")}
    documented = {e["path"] for e in web_app.API_DOCS}
    assert api_routes <= documented, f"undocumented API endpoints: {api_routes - documented}"
    for path in documented:
        assert f"<code>{path}</code>" in html


def test_overview_counts_outlets_stories_and_top_claims(client: TestClient) -> None:
    ov = client.get("/api/overview").json()
    assert ov["counts"]["documents"] == 6
    assert ov["counts"]["reuse_links"] == 3
    assert ov["top_claims"][0]["documents"] == 3
    northgate = next(o for o in ov["outlets"] if o["outlet"] == "Northgate Wire")
    assert northgate["documents"] == 2
    # a001: 3 named-ish (2 government, 1 org) + 1 anonymous; b001: 1 anonymous + 1 government
    assert northgate["kinds"]["anonymous"] == 2 and northgate["anonymous_share"] == pytest.approx(2 / 6, abs=1e-3)
    assert ov["stories"][0]["root"] == "a001" and len(ov["stories"][0]["members"]) == 3
    bins = ov["timeline"]["bins"]
    assert [b["label"] for b in bins][:3] == ["2026-03-02", "2026-03-03", "2026-03-04"]
    assert [b["count"] for b in bins] == [2, 0, 1, 1, 0, 0, 0, 1, 1] and len(bins) == 9
    html = client.get("/").text
    assert "Northgate Wire" in html and "story s1" in html and "<svg" in html


def test_article_marks_every_layer(client: TestClient, fixture_store: Fixture) -> None:
    html = client.get("/doc/a002").text
    for layer in ("claim", "source", "cue", "quantity", "actor", "place", "technique", "reuse"):
        assert f"l-{layer}" in html, layer
    assert 'href="/reuse/pair?source=a001&amp;target=a002"' in html
    assert "copied from a001" in html
    doc = client.get("/api/documents/a002").json()
    text = fixture_store.texts["a002"]
    for c in doc["claims"]:
        assert text[c["start"]:c["end"]] == c["text"]
    assert {q["value"] for q in doc["quantities"]} == {14, 30, 2000}
    hedged = client.get("/doc/b001").text
    assert "l-hedge" in hedged and "hedged" in hedged


def test_hostile_text_is_escaped_everywhere(client: TestClient) -> None:
    for path in ["/", "/documents", "/doc/x666", "/reuse", "/reuse/pair?source=c001&target=x666", "/claims",
                 "/claims?q=spokesman", "/map"]:
        html = client.get(path).text
        for payload in RAW_PAYLOADS:
            assert payload not in html, (path, payload)
    html = client.get("/doc/x666").text
    assert "&lt;script&gt;window.__pwned=1;document.title=&#39;pwned&#39;&lt;/script&gt;" in html
    assert "&lt;/textarea&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in html
    # the page title is escaped too
    assert "<title>&lt;script&gt;document.title=" in html
    doc = client.get("/api/documents/x666").json()
    assert doc["title"] == HOSTILE_TITLE and doc["outlet"] == HOSTILE_OUTLET
    assert doc["actors"][0]["actor"] == HOSTILE_ACTOR and doc["places"][0]["name"] == HOSTILE_PLACE


def test_json_embedded_in_pages_cannot_close_its_script(client: TestClient) -> None:
    html = client.get("/map").text
    block = html.split('<script type="application/json" id="tw-map-data">', 1)[1].split("</script>", 1)[0]
    assert "<" not in block and ">" not in block
    assert "\\u003csvg onload" in block


def test_document_urls_are_links_only_for_http(client: TestClient) -> None:
    good = client.get("/doc/a001").text
    assert f'href="{SAFE_URL}"' in good and 'rel="noopener noreferrer nofollow"' in good
    ftp = client.get("/doc/b001").text
    assert 'href="ftp:' not in ftp and "ftp://files.example/b1" in ftp
    hostile = client.get("/doc/x666").text
    assert "javascript:" in hostile  # shown as text ...
    assert not any((a.get("href") or "").lower().startswith("javascript") for _, a in tags(hostile))  # ... not linked
    assert client.get("/api/documents/x666").json()["safe_url"] is None
    assert HOSTILE_URL.startswith("javascript:")


def test_reuse_pair_marks_passages_additions_and_cuts(client: TestClient) -> None:
    html = client.get("/reuse/pair?source=a001&target=a002").text
    assert html.count('class="anchor" id="sp') == 2 and html.count('class="anchor" id="tp') == 2
    assert 'href="#tp1"' in html and 'href="#sp2"' in html
    assert "l-added" in html and "l-cut" in html
    assert "a002 copies from a001" in html and "a002 adds a closing paragraph" in html
    assert '<span class="link-kind">rewrite</span>' in html  # the kind, and its one edited word
    assert html.count("l-edit") == 3 and "(1 edit)" in html  # legend + one mark on each side
    pair = client.get("/api/reuse/pair?source=a001&target=a002").json()
    assert pair["target_additions"] and pair["source_cuts"] and pair["direction_known"] == 1
    assert client.get("/reuse/pair?source=a002&target=a001").status_code == 404
    assert client.get("/reuse/pair?source=a001").status_code == 400


def test_claims_filters_and_full_text_search(client: TestClient) -> None:
    def docs(**params: str) -> list[tuple[str, str]]:
        return [(c["doc"], c["source_kind"]) for c in client.get("/api/claims", params=params).json()["claims"]]

    assert len(docs()) == 20
    assert {k for _, k in docs(kind="anonymous")} == {"anonymous"} and len(docs(kind="anonymous")) == 6
    assert sorted(d for d, _ in docs(q="killed injured")) == ["a001", "a002", "a003"]
    assert sorted(d for d, _ in docs(q="observ")) == ["a001", "a002", "a003"]  # prefix on the last word
    assert sorted(d for d, _ in docs(hedged="yes")) == ["a001", "b001", "x666"]
    assert {d for d, _ in docs(outlet="Northgate Wire")} == {"a001", "b001"}
    assert {d for d, _ in docs(**{"from": "2026-03-05", "to": "2026-03-09"})} == {"b001", "c001"}
    assert {d for d, _ in docs(actor="Syrian Democratic Forces")} == {"c001"}
    assert {d for d, _ in docs(place="Aleppo")} == {"a003", "b001"}
    assert docs(q='") OR 1=1 --') == []  # FTS syntax is neutralised, not an error
    assert client.get("/api/claims", params={"kind": "rumour"}).status_code == 400
    assert "rumour" in client.get("/api/claims", params={"kind": "rumour"}).json()["error"]
    assert client.get("/api/claims", params={"from": "March"}).status_code == 400
    assert client.get("/api/claims", params={"page": "x"}).status_code == 400
    assert '<b id="tw-total">2</b> claims match' in client.get("/claims", params={"q": "Aleppo"}).text
    html = client.get("/claims", params={"kind": "anonymous"}).text
    assert "sorted by checkworthy (descending)" in html
    assert html.count('data-kind="anonymous"') == 6 and 'data-kind="named_org"' not in html


def test_claims_pagination(fixture_store: Fixture, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(SQLiteStore.claims_page, "__defaults__", (10,))
    # the shared client cached full pages already
    with TestClient(create_app(fixture_store.db), base_url=BASE) as fresh:
        first = fresh.get("/api/claims").json()
        second = fresh.get("/api/claims", params={"page": 2}).json()
    assert first["has_next"] and not second["has_next"]
    assert len(first["claims"]) == 10 and len(second["claims"]) == 10
    assert not {c["claim_key"] for c in first["claims"]} & {c["claim_key"] for c in second["claims"]}


def test_claims_csv_exports_filtered_rows_and_defuses_formulas(client: TestClient) -> None:
    r = client.get("/claims.csv", params={"kind": "anonymous"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert len(rows) == 6 and {row["source_kind"] for row in rows} == {"anonymous"}
    assert web_app.csv_cell("=HYPERLINK(\"x\")") == "'=HYPERLINK(\"x\")" and web_app.csv_cell("-3") == "'-3"
    assert web_app.csv_cell(0.5) == 0.5


def test_map_points_and_mentions(client: TestClient) -> None:
    points = client.get("/api/places").json()["points"]
    assert {p["name"] for p in points} >= {"Saraqib", "Idlib", "Aleppo", "Deir ez-Zor"}
    assert points[0]["mentions"] == 3
    mentions = client.get("/api/places/mentions", params={"name": "Aleppo"}).json()["mentions"]
    assert {m["doc"] for m in mentions} == {"a003", "b001"}
    for m in mentions:
        at = m["start"] - m["context_start"]
        assert m["context"][at:at + len(m["mention"])] == m["mention"]
    assert client.get("/api/places/mentions").status_code == 400
    world = client.get("/static/world.js")
    assert world.status_code == 200 and world.text.startswith("window.TW_WORLD = {")
    assert '"Syria"' in world.text


def test_unknown_document_is_404_page_and_json(client: TestClient) -> None:
    r = client.get("/doc/<script>nope")
    assert r.status_code == 404 and "<script>nope" not in r.text
    assert client.get("/api/documents/nope").json() == {"error": "Not found: nope", "status": 404}


def test_new_documents_show_up_without_restart(fixture_store: Fixture, tmp_path: Path) -> None:
    import shutil

    db = tmp_path / "copy.db"
    shutil.copy(fixture_store.db, db)
    with TestClient(create_app(db), base_url=BASE) as c:
        assert c.get("/api/overview").json()["counts"]["documents"] == 6
        store = SQLiteStore(db)
        batch = IngestBatch()
        batch.documents.append((Document(id="n001", text="A late report from Hama.", sha256="f" * 64,
                                         source_path="n001.txt", outlet="Late Wire"), None, None))
        store.write_ingest_batch(batch)
        store.close()
        deadline = time.monotonic() + 20
        counts = []  # the first request notices the change and starts a background refresh
        while time.monotonic() < deadline:
            counts.append(c.get("/api/overview").json()["counts"]["documents"])
            if counts[-1] == 7:
                break
            time.sleep(0.05)
        assert counts[-1] == 7 and set(counts) <= {6, 7}
        assert c.get("/doc/n001").status_code == 200


def test_token_is_checked_on_every_request(fixture_store: Fixture) -> None:
    with TestClient(create_app(fixture_store.db, token=TOKEN), base_url=BASE) as c:
        for path in ["/", "/api/overview", "/static/tw.js", "/doc/a001", "/claims.csv"]:
            r = c.get(path)
            assert r.status_code == 401, path
            assert "content-security-policy" in r.headers
        assert c.get("/", headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert c.get("/", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200
        r = c.get(f"/claims?kind=anonymous&token={TOKEN}", follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/claims?kind=anonymous"
        assert "httponly" in r.headers["set-cookie"].lower() and "samesite=strict" in r.headers["set-cookie"].lower()
        assert c.get("/api/overview").status_code == 200  # the cookie now carries the token
        c.cookies.clear()
        assert c.get("/api/overview").status_code == 401


def test_serve_refuses_a_public_address_without_token(fixture_store: Fixture,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TRACEWIRE_TOKEN", raising=False)
    with pytest.raises(UsageError) as e:
        serve(fixture_store.db, host="0.0.0.0")
    assert e.value.code == Code.TW002 and "0.0.0.0" in str(e.value) and "--token" in str(e.value)
    with pytest.raises(UsageError):
        serve(fixture_store.db, host="192.168.1.5", token="")
    with pytest.raises(UsageError, match="port"):
        serve(fixture_store.db, port=0)
    calls: list[tuple[str, int]] = []
    import uvicorn

    monkeypatch.setattr(uvicorn, "run", lambda app, host, port, **kw: calls.append((host, port)))
    monkeypatch.setenv("TRACEWIRE_TOKEN", "from-env-0123456789")
    serve(fixture_store.db, host="0.0.0.0", port=9999, workers=1)
    serve(fixture_store.db, workers=1)
    assert calls == [("0.0.0.0", 9999), ("127.0.0.1", 8765)]
    with pytest.raises(UsageError, match="--workers 0"):
        serve(fixture_store.db, workers=0)


def test_is_loopback() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("127.8.0.1") and is_loopback("::1")
    assert is_loopback("localhost") and is_loopback("[::1]")
    assert not is_loopback("0.0.0.0") and not is_loopback("10.0.0.1") and not is_loopback("example.org")


def test_missing_database_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="No database"):
        create_app(tmp_path / "absent.db")


def test_an_empty_store_renders_every_page(tmp_path: Path) -> None:
    db = tmp_path / "empty.db"
    SQLiteStore(db).close()
    with TestClient(create_app(db), base_url=BASE) as c:
        for path in ["/", "/documents", "/reuse", "/claims", "/claims?q=x", "/map", "/api", "/api/overview",
                     "/api/places", "/api/stories", "/claims.csv"]:
            assert c.get(path).status_code == 200, path
        assert "No claims yet" in c.get("/").text
        assert c.get("/api/overview").json()["counts"]["documents"] == 0


def test_documents_search_and_sort(client: TestClient) -> None:
    """The documents list searches id, title and outlet (every word, any case) and sorts by any column."""
    found = client.get("/api/documents", params={"q": "saraqib MARKET"}).json()
    assert (found["total"], [d["id"] for d in found["documents"]]) == (3, ["a003", "a001", "a002"])
    assert [d["id"] for d in client.get("/api/documents", params={"q": "northgate"}).json()["documents"]] == ["b001", "a001"]
    assert client.get("/api/documents", params={"q": "100%_"}).json()["total"] == 0  # LIKE wildcards are plain text
    by_title = client.get("/api/documents", params={"sort": "title"}).json()["documents"]
    assert [d["id"] for d in by_title[:3]] == ["x666", "b001", "a002"]  # "<script>…" sorts before letters
    oldest = client.get("/api/documents", params={"sort": "date", "order": "asc"}).json()["documents"]
    assert [d["id"] for d in oldest[:2]] == ["a001", "a002"]
    page = client.get("/documents", params={"q": "saraqib", "sort": "id"}).text
    assert "3 documents match “saraqib”" in page and 'href="/documents?q=saraqib&amp;sort=id&amp;order=desc"' in page
    assert client.get("/documents", params={"sort": "bogus"}).status_code == 400
