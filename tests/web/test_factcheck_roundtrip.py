"""ClaimReview round trip in a browser: import -> review in the UI -> export claimreview -> re-import."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.web.conftest import LiveServer

pytestmark = [pytest.mark.browser]

REVIEW = {
    "@context": "https://schema.org", "@type": "ClaimReview",
    "claimReviewed": "American helicopters evacuated Islamic State commanders from Deir ez-Zor before the army came.",
    "url": "https://checks.example.org/helicopters", "datePublished": "2018-03-05",
    "author": {"@type": "Organization", "name": "Example Checks"},
    "reviewRating": {"@type": "Rating", "alternateName": "False"},
}
ARTICLE = ("March 6, 2018\nFrom Outlet A\n\nDAMASCUS – American helicopters evacuated commanders of the Islamic "
           "State from Deir ez-Zor on Tuesday, hours before the Syrian army reached the area, local sources told "
           "the agency. The militants were flown to a base in Hasakah province, the sources said.\n")
OTHER = ("March 7, 2018\nFrom Outlet C\n\nRain fell over Damascus on Wednesday and the city council said 40 "
         "streets were flooded after the storm.\n")


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two short articles of our own, a ClaimReview imported, analysed."""
    from tracewire.cli import main

    tmp = tmp_path_factory.mktemp("roundtrip")
    (tmp / "corpus").mkdir()
    (tmp / "corpus" / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp / "corpus" / "c.txt").write_text(OTHER, encoding="utf-8")
    (tmp / "checks.jsonld").write_text(json.dumps(REVIEW), encoding="utf-8")
    db = tmp / "tw.db"
    assert main(["ingest", str(tmp / "corpus"), "--db", str(db)]) == 0
    assert main(["factchecks", "import", str(tmp / "checks.jsonld"), "--db", str(db)]) == 0
    assert main(["analyze", "--db", str(db)]) == 0
    return db


@pytest.fixture
def server(store: Path) -> Iterator[LiveServer]:
    """The app over the store on a free loopback port (writes allowed)."""
    from tracewire.web.app import create_app

    with LiveServer(create_app(store, cache_entries=0)) as srv:
        yield srv


def test_review_in_the_browser_exports_and_reimports(server: LiveServer, store: Path, browser: Any,
                                                     tmp_path: Path) -> None:
    """The article's panel shows the imported fact-check; the review form saves; export and re-import agree."""
    from tracewire.cli import main
    from tracewire.ingest.factchecks import import_factchecks
    from tracewire.store import open_store
    from tracewire.store.factchecks import FactcheckStore

    context = browser.new_context(viewport={"width": 1200, "height": 900})
    pg = context.new_page()
    try:
        pg.goto(server.url + "/doc/a")
        panel = pg.locator("details.factchecks").first
        assert "Known fact-checks" in panel.inner_text()
        assert panel.locator("a[href='https://checks.example.org/helicopters']").count() == 1
        pg.locator("a.review-link").first.click()
        pg.wait_for_load_state()
        assert pg.locator("form.review-form").count() == 1
        claim_id = pg.locator("input[name='claim']").get_attribute("value")
        pg.fill("input[name='rating']", "Misleading")
        pg.fill("textarea[name='note']", "Sources unnamed; no footage")
        pg.fill("input[name='reviewer']", "Browser Reviewer")
        pg.locator("form.review-form button[type='submit']").click()
        pg.wait_for_load_state()
        shown = pg.locator("main").inner_text()
        assert "Reviewed: Misleading by Browser Reviewer" in shown and "Sources unnamed; no footage" in shown
    finally:
        context.close()

    reviews = FactcheckStore.of(opened := open_store(store)).reviews()
    opened.close()
    assert [f"{r.doc}:{r.start}-{r.end}" for r in reviews] == [claim_id]
    out = tmp_path / "claimreview.jsonl"
    assert main(["export", "claimreview", "--db", str(store), "--out", str(out)]) == 0
    fresh = open_store(tmp_path / "again.db")
    summary = import_factchecks([out], fresh)
    assert summary.new == len(reviews) and not summary.rejections
    back = {(f.claim_reviewed, f.rating, f.review_body, f.author) for f in FactcheckStore.of(fresh).factchecks()}
    assert back == {(" ".join(r.claim_text.split()), r.rating, r.note, r.reviewer) for r in reviews}
    assert import_factchecks([out], fresh).new == 0  # importing the export again adds nothing
    fresh.close()
