"""The static report: files, relative links, offline assets, the same escaping as the server."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.web.fixtures import SAFE_URL, Fixture
from tracewire.errors import UsageError
from tracewire.report import build_report

RAW_PAYLOADS = ["<script>window.__pwned", "<img src=x", "<svg onload", "<iframe", "<b onmouseover"]


@pytest.fixture(scope="module")
def report(fixture_store: Fixture, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The report of the fixture store."""
    return build_report(fixture_store.db, tmp_path_factory.mktemp("report") / "out")


def test_report_writes_every_page(report: Path) -> None:
    out = report.parent
    assert report.name == "index.html"
    names = {p.name for p in out.iterdir()}
    assert {"index.html", "documents.html", "reuse.html", "claims.html", "map.html", "static"} <= names
    assert {f"doc-{d}.html" for d in ("a001", "a002", "a003", "b001", "c001", "x666")} <= names
    assert {"pair-a001--a002.html", "pair-a002--a003.html", "pair-c001--x666.html"} <= names
    assert {p.name for p in (out / "static").iterdir()} >= {"tw.js", "tw.css", "world.js", "world.geo.json",
                                                            "world.NOTICE.txt"}


def test_report_links_are_relative_and_resolve(report: Path) -> None:
    out = report.parent
    for page in out.glob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert '<meta http-equiv="Content-Security-Policy"' in html
        assert "unsafe-inline" not in html
        for url in re.findall(r'(?:href|src)="([^"]*)"', html):
            if url.startswith(("http://", "https://")):
                assert url in (SAFE_URL, "http://harbor.example/a2"), (page.name, url)
                continue
            assert not url.startswith("/"), (page.name, url)
            target = url.split("#")[0].replace("&amp;", "&")
            if target and not target.startswith("data:"):
                assert (out / target).exists(), (page.name, url)


def test_report_pair_shows_direction_and_added_tail(report: Path) -> None:
    html = (report.parent / "pair-a001--a002.html").read_text(encoding="utf-8")
    assert "a002 copies from a001" in html
    target_col = html.split('class="col col-target"', 1)[1]
    assert 'seg l-added' in target_col and "Harbor Daily could not verify" in target_col


def test_report_escapes_hostile_text(report: Path) -> None:
    for page in report.parent.glob("*.html"):
        html = page.read_text(encoding="utf-8")
        for payload in RAW_PAYLOADS:
            assert payload not in html, (page.name, payload)


def test_report_embeds_map_mentions_with_links(report: Path) -> None:
    html = (report.parent / "map.html").read_text(encoding="utf-8")
    assert '"href":"doc-b001.html"' in html.replace(" ", "")


def test_report_refuses_bad_paths(fixture_store: Fixture, tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="No database"):
        build_report(tmp_path / "absent.db", tmp_path / "out")
    f = tmp_path / "file"
    f.write_text("x")
    with pytest.raises(UsageError, match="is a file"):
        build_report(fixture_store.db, f)
