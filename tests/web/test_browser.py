"""Real-browser tests: Playwright driving Debian's Chromium against a live server and the static report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.web.conftest import ARTIFACTS, LiveServer, shot
from tests.web.fixtures import Fixture

pytestmark = pytest.mark.browser

PAGES = ["/", "/documents", "/doc/a001", "/doc/x666", "/reuse", "/reuse/pair?source=a001&target=a002",
         "/reuse/pair?source=c001&target=x666", "/claims", "/map", "/api"]


def load(page: Any, url: str) -> Any:
    """Open a page and wait until tw.js has initialised it."""
    response = page.goto(url)
    page.wait_for_selector("body[data-ready='1']", state="attached", timeout=10000)
    return response


def page_rows(page: Any) -> int:
    """Rows of the report explorer's page: those drawn, after pressing "show the other claims" when it is there."""
    more = page.locator("#tw-claims tfoot button")
    if more.count():
        more.evaluate("b => b.click()")
    return int(page.locator("#tw-claims tbody tr").count())


def csp_violations(page: Any) -> list[str]:
    """Console messages in which Chromium reports a blocked script or style."""
    return [m for m in page.console_log if "Content Security Policy" in m or "Refused to" in m]


def assert_untouched(page: Any) -> None:
    """No payload ran: no marker, no dialog, no changed title, no injected active element."""
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.dialogs == []
    assert "pwned" not in page.title() or page.title().startswith("<script>")  # the escaped title text itself
    assert page.evaluate("document.title.indexOf('pwned') < 0 || document.title.indexOf('<script>') === 0")
    assert page.evaluate("document.querySelectorAll('main img, main iframe, main object, main embed').length") == 0
    assert page.evaluate("document.querySelectorAll('[onerror],[onload],[onmouseover],[onclick]').length") == 0
    scripts = page.evaluate("Array.from(document.scripts).map(s => s.src ? 'src' : s.type)")
    assert set(scripts) <= {"src", "application/json"}
    assert page.errors == []


def test_every_page_loads_without_errors(live_server: LiveServer, page: Any) -> None:
    for path in PAGES:
        response = load(page, live_server.url + path)
        assert response.status == 200, path
        csp = response.headers["content-security-policy"]
        assert "unsafe-inline" not in csp
    assert page.errors == []
    assert csp_violations(page) == []
    assert [m for m in page.console_log if m.startswith("error")] == []


def test_screenshots_overview_article_map(live_server: LiveServer, page: Any) -> None:
    load(page, live_server.url + "/")
    assert page.locator(".card").count() >= 8
    assert page.locator("figure.story svg rect").count() == 3
    assert page.locator("#tw-map svg path").count() > 100  # country borders drawn from the shipped base map
    shot(page, "overview")
    load(page, live_server.url + "/doc/a002")
    shot(page, "article")
    load(page, live_server.url + "/map")
    page.wait_for_selector("body[data-map-ready='1']", state="attached")
    pins = page.locator("#tw-leaflet .tw-pin").count()
    clustered = sum(int(t) for t in page.locator("#tw-leaflet .marker-cluster").all_inner_texts())
    assert pins + clustered == 7  # every place is a marker or inside a cluster
    shot(page, "map")
    for name in ("overview", "article", "map"):
        assert (ARTIFACTS / f"{name}.png").stat().st_size > 10000


def test_toggle_layers(live_server: LiveServer, page: Any) -> None:
    load(page, live_server.url + "/doc/a001")
    claim = page.locator("#tw-text .seg.l-claim").first
    background = "getComputedStyle(document.querySelector('#tw-text .seg.l-claim')).backgroundColor"
    assert page.evaluate(background) != "rgba(0, 0, 0, 0)"
    page.locator("input[data-layer='claim']").uncheck()
    assert "hide-claim" in page.evaluate("document.body.className")
    assert page.evaluate(background) == "rgba(0, 0, 0, 0)"
    page.locator("input[data-layer='claim']").check()
    assert page.evaluate(background) != "rgba(0, 0, 0, 0)"
    assert claim.is_visible()
    place = "getComputedStyle(document.querySelector('#tw-text .seg.l-place')).boxShadow"
    assert page.evaluate(place) != "none"
    page.locator("input[data-layer='place']").uncheck()
    assert page.evaluate(place) == "none"
    assert page.locator("input[data-layer='hedge']").is_enabled()  # a001 has a hedge ("reportedly")
    load(page, live_server.url + "/doc/a002")
    assert page.locator("input[data-layer='hedge']").is_disabled()  # a002 has none


def test_open_a_reuse_pair(live_server: LiveServer, page: Any) -> None:
    load(page, live_server.url + "/doc/a002")
    page.locator(".panel a", has_text="copied from a001").click()
    page.wait_for_selector("body[data-ready='1']", state="attached")
    assert "/reuse/pair?source=a001&target=a002" in page.url
    assert page.locator(".col-source .seg.l-cut").count() >= 1
    added = page.locator(".col-target .seg.l-added")
    assert added.count() >= 1 and "Harbor Daily could not verify" in added.first.inner_text()
    page.locator(".col-source a.seg.l-reuse").first.click()
    assert page.url.endswith("#tp1")
    load(page, live_server.url + "/reuse")
    page.locator("a.button", has_text="side by side").first.click()
    page.wait_for_selector(".pair")
    assert page.locator(".col").count() == 2


def test_filter_the_claims_table(live_server: LiveServer, page: Any) -> None:
    load(page, live_server.url + "/claims")
    assert page.locator("#tw-claims tbody tr").count() == 20
    page.locator("[data-facet='kind'] a", has_text="anonymous").click()
    page.wait_for_url("**/claims?*kind=anonymous*")
    kinds = page.eval_on_selector_all("#tw-claims tbody tr", "rows => rows.map(r => r.dataset.kind)")
    assert kinds and set(kinds) == {"anonymous"} and len(kinds) == 6
    page.fill("input[name='q']", "Aleppo")
    assert page.locator("#tw-dirty").is_visible()  # typed, not applied: the export warns
    page.click("form.filters button[type='submit']")
    page.wait_for_url("**q=Aleppo**")
    assert page.locator("#tw-claims tbody tr").count() == 2 and page.locator("#tw-dirty").is_hidden()
    with page.expect_download() as info:
        page.click("#tw-csv")
    assert info.value.suggested_filename == "claims_q-Aleppo_kind-anonymous.csv"
    csv_text = Path(info.value.path()).read_text(encoding="utf-8")
    assert csv_text.count("\n") == 3 and "Residents of Aleppo" in csv_text
    assert csv_text.startswith("doc,title,url,outlet,date,start,end,text,checkworthy,source,source_canonical,")


def test_map_click_lists_mentions(live_server: LiveServer, page: Any) -> None:
    load(page, live_server.url + "/map")
    page.wait_for_selector("body[data-map-ready='1']", state="attached")
    page.locator("button.place-btn", has_text="Aleppo").click()
    page.wait_for_selector("#tw-place-list li a")
    assert page.locator("#tw-place-name").inner_text() == "Mentions of Aleppo"
    hrefs = page.eval_on_selector_all("#tw-place-list a", "as => as.map(a => a.getAttribute('href'))")
    assert sorted(hrefs) == ["/doc/a003", "/doc/b001"]
    assert page.locator("#tw-place-list mark").first.inner_text() == "Aleppo"
    assert page.locator("#tw-leaflet path.leaflet-interactive, #tw-leaflet svg path").count() > 100  # borders
    # a point on the overview's small map opens the map page with that place's mentions
    load(page, live_server.url + "/")
    page.locator("circle.point[data-place='Deir ez-Zor']").click()
    page.wait_for_selector("#tw-place-list li a")
    assert page.url.endswith("/map#place=Deir%20ez-Zor")
    assert page.locator("#tw-place-list a").first.get_attribute("href") == "/doc/c001"


def test_hostile_article_executes_nothing(live_server: LiveServer, page: Any, fixture_store: Fixture) -> None:
    for path in ["/doc/x666", "/", "/documents", "/claims", "/claims?q=spokesman", "/reuse",
                 "/reuse/pair?source=c001&target=x666", "/map"]:
        response = load(page, live_server.url + path)
        assert "unsafe-inline" not in response.headers["content-security-policy"].split("script-src")[1].split(";")[0]
        for el in page.locator(".seg, .panel b, .tags a").all()[:40]:
            el.hover(timeout=2000)  # would fire any onmouseover that slipped through
        assert_untouched(page)
    assert csp_violations(page) == []  # escaping, not only the CSP, stopped the payloads
    load(page, live_server.url + "/doc/x666")
    assert "<script>document.title='pwned'" in page.locator("h1").inner_text()
    assert page.locator("a.ext").count() == 0 and "javascript:" in page.locator(".unsafe-url").inner_text()
    # the hostile place on the map: its label and mention list stay text
    load(page, live_server.url + "/map")
    page.locator("button.place-btn", has_text="Tell Abyad").click()
    page.wait_for_selector("#tw-place-list li a")
    assert "<svg onload" in page.locator("#tw-place-name").inner_text()
    assert_untouched(page)


def test_csp_blocks_injected_inline_code(live_server: LiveServer, page: Any) -> None:
    load(page, live_server.url + "/doc/x666")
    page.evaluate("""() => {
        document.body.insertAdjacentHTML('beforeend', '<img src="data:," onerror="window.__pwned=1">');
        const s = document.createElement('script'); s.textContent = 'window.__pwned = 2'; document.body.appendChild(s);
    }""")
    page.wait_for_timeout(300)
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert csp_violations(page), page.console_log


def test_static_report_works_offline(fixture_store: Fixture, browser: Any, tmp_path: Path) -> None:
    from tracewire.report import build_report

    index = build_report(fixture_store.db, tmp_path / "report")
    context = browser.new_context(viewport={"width": 1400, "height": 900}, offline=True, accept_downloads=True)
    page = context.new_page()
    errors: list[str] = []
    console: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: console.append(m.text))
    try:
        load(page, index.as_uri())
        assert page.locator("#tw-map svg path").count() > 100
        page.locator("figure.story a").first.click()
        page.wait_for_selector("article.doc")
        load(page, (index.parent / "pair-a001--a002.html").as_uri())
        assert "Harbor Daily could not verify" in page.locator(".col-target .seg.l-added").first.inner_text()
        load(page, (index.parent / "doc-a001.html").as_uri())
        page.locator("input[data-layer='claim']").uncheck()
        assert "hide-claim" in page.evaluate("document.body.className")
        load(page, (index.parent / "claims.html").as_uri())
        page.wait_for_selector("body[data-explore-ready]", state="attached")
        scripts = "Array.from(document.scripts, s => s.src.split('/').pop()).filter(n => n.startsWith('claims-idx'))"
        loaded = page.evaluate(scripts)  # ready means the whole search index is in memory: a search loads no file
        assert loaded and sorted(loaded) == sorted(p.name for p in index.parent.glob("claims-idx-*.js"))
        page.locator("[data-facet='kind'] a", has_text="anonymous").click()
        page.wait_for_function("location.hash.indexOf('kind=anonymous') >= 0")
        page.wait_for_selector("body[data-explore-ready]", state="attached")
        assert page_rows(page) == 6
        page.fill("input[name='q']", "aleppo")
        page.click("form.filters button[type='submit']")
        page.wait_for_function("location.hash.indexOf('q=aleppo') >= 0")
        page.wait_for_selector("body[data-explore-ready]", state="attached")
        assert page_rows(page) == 2
        assert page.evaluate(scripts) == loaded
        with page.expect_download() as info:
            page.click("#tw-csv")
        csv_text = Path(info.value.path()).read_text(encoding="utf-8")
        assert csv_text.splitlines()[0].startswith("doc,title,url") and len(csv_text.splitlines()) == 3
        assert info.value.suggested_filename == "claims_q-aleppo_kind-anonymous.csv"
        load(page, (index.parent / "map.html").as_uri())
        page.wait_for_selector("body[data-map-ready='1']", state="attached")
        page.locator("button.place-btn", has_text="Aleppo").click()
        hrefs = page.eval_on_selector_all("#tw-place-list a", "as => as.map(a => a.getAttribute('href'))")
        assert sorted(hrefs) == ["doc-a003.html", "doc-b001.html"]
        load(page, (index.parent / "doc-x666.html").as_uri())
        assert page.evaluate("typeof window.__pwned") == "undefined"
        assert errors == [] and [m for m in console if "Refused" in m] == []
    finally:
        context.close()


def test_report_draws_the_rows_in_view_and_the_rest_on_demand(fixture_store: Fixture, browser: Any,
                                                              tmp_path: Path) -> None:
    """On a short window the report's explorer draws the rows that can be in view; the rest come with the foot's
    button, or when that row scrolls into view, in the order of the page."""
    from tracewire.report import build_report

    folder = build_report(fixture_store.db, tmp_path / "report").parent
    context = browser.new_context(viewport={"width": 1400, "height": 500}, offline=True)
    page = context.new_page()
    try:
        load(page, (folder / "claims.html").as_uri())
        page.wait_for_selector("body[data-explore-ready]", state="attached")
        page.evaluate("location.hash = 'sort=date'")
        page.wait_for_function("location.hash === '#sort=date' && document.body.dataset.exploreReady")
        want = page.evaluate("TW_EXPLORE.query({sort: 'date'}).then(r => r.keys.map(String))")
        keys = page.eval_on_selector_all("#tw-claims tbody tr", "rs => rs.map(r => r.dataset.key)")
        assert 1 <= len(keys) < len(want) and keys == want[:len(keys)]
        more = page.locator("#tw-claims tfoot button")
        assert more.inner_text() == f"Show the other {len(want) - len(keys)} claims of this page"
        more.evaluate("b => b.click()")  # pressed where it is (a click would scroll it into view first)
        assert page.eval_on_selector_all("#tw-claims tbody tr", "rs => rs.map(r => r.dataset.key)") == want
        assert page.locator("#tw-claims tfoot tr").count() == 0
        assert "…" not in page.locator("#tw-claims tbody").inner_text()  # every row drawn has its text
        page.evaluate("location.hash = 'sort=date&order=asc'")  # a new view starts with the rows in view again
        page.wait_for_function("location.hash === '#sort=date&order=asc' && document.body.dataset.exploreReady")
        assert 1 <= page.locator("#tw-claims tbody tr").count() < len(want)
        page.locator("#tw-claims tfoot button").scroll_into_view_if_needed()  # scrolled to, the rest is drawn
        page.wait_for_selector("#tw-claims tfoot tr", state="detached")
        want = page.evaluate("TW_EXPLORE.query({sort: 'date', order: 'asc'}).then(r => r.keys.map(String))")
        assert page.eval_on_selector_all("#tw-claims tbody tr", "rs => rs.map(r => r.dataset.key)") == want
    finally:
        context.close()


def test_report_documents_search_counts_each_outlet_as_the_server(live_server: LiveServer, fixture_store: Fixture,
                                                                   browser: Any, tmp_path: Path) -> None:
    """The report's documents page, searched: each outlet shown says how many of its documents match, as many as
    the server's /documents?q=… finds in it; an outlet with none is hidden; the total is the server's."""
    from collections import Counter

    import httpx

    from tracewire.report import build_report

    folder = build_report(fixture_store.db, tmp_path / "report").parent
    context = browser.new_context(offline=True)
    page = context.new_page()
    try:
        load(page, (folder / "documents.html").as_uri())
        heads = "ss => ss.filter(s => !s.hidden).map(s => [s.querySelector('h2').firstChild.data.trim()," \
                " s.querySelector('h2 small').textContent, s.querySelectorAll('tbody tr:not([hidden])').length])"
        outlets = [h[0] for h in page.eval_on_selector_all("section.doc-group", heads)]
        for q in ["saraqib", "MARKET", "a00", "wire shelling", "northgate", "zzz", "pwned"]:
            page.fill("#tw-doc-q", q)
            got = {name: (int(small.split()[0]), rows)
                   for name, small, rows in page.eval_on_selector_all("section.doc-group", heads)}
            found = httpx.get(live_server.url + "/api/documents", params={"q": q}).json()
            assert not found["has_next"]
            per_outlet = Counter(d["outlet"] or "(no outlet)" for d in found["documents"])
            assert got == {name: (n, n) for name, n in per_outlet.items()}, q
            assert page.locator("#tw-doc-status").inner_text().startswith(
                f"{found['total']} document{' matches' if found['total'] == 1 else 's match'}"), q
            want = per_outlet
        assert want and all(" of " in s for _, s, _ in page.eval_on_selector_all("section.doc-group", heads))
        page.fill("#tw-doc-q", "")
        assert [h[0] for h in page.eval_on_selector_all("section.doc-group", heads)] == outlets
    finally:
        context.close()
