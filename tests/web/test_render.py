"""Segments, URL checks, FTS query building and report slugs."""

from __future__ import annotations

import pytest

from tracewire.errors import UsageError
from tracewire.store.queries import fts_query
from tracewire.store.readmodel import ClaimFilters, safe_url
from tracewire.web.render import Mark, segments
from tracewire.web.views import slug


def test_segments_split_at_every_boundary_and_keep_all_layers() -> None:
    text = "Officials said 14 people died in Idlib."
    marks = [Mark(0, 39, "claim", "claim"), Mark(0, 9, "source", "src"), Mark(15, 24, "quantity", "q"),
             Mark(33, 38, "place", "Idlib", href="#x", anchor="p1"), Mark(50, 60, "actor", "out of range")]
    segs = segments(text, marks)
    assert "".join(s.text for s in segs) == text
    assert [(s.text, s.layers) for s in segs] == [
        ("Officials", ["claim", "source"]), (" said ", ["claim"]), ("14 people", ["claim", "quantity"]),
        (" died in ", ["claim"]), ("Idlib", ["claim", "place"]), (".", ["claim"])]
    idlib = segs[4]
    assert idlib.href == "#x" and idlib.anchors == ["p1"] and idlib.css == "l-claim l-place"
    assert idlib.title == "claim\nIdlib"


def test_segments_without_marks_is_the_whole_text() -> None:
    assert [(s.text, s.layers) for s in segments("plain", [])] == [("plain", [])]
    assert segments("", []) == []


@pytest.mark.parametrize("url", ["https://example.org/a?b=1", "http://x.example/"])
def test_safe_url_accepts_http(url: str) -> None:
    assert safe_url(url) == url


@pytest.mark.parametrize("url", ["javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:alert(1)",
                                 "java\nscript:alert(1)", "data:text/html,<script>", "ftp://x.example/",
                                 "//evil.example/x", "/relative", "https:///nohost", "http://x.example/\"onmouseover=",
                                 "vbscript:msgbox", "", None])
def test_safe_url_rejects_everything_else(url: str | None) -> None:
    assert safe_url(url) is None


def test_fts_query_quotes_words_and_drops_syntax() -> None:
    assert fts_query("killed near Idlib") == '"killed" "near" "Idlib"*'
    assert fts_query('") OR col:* NEAR(') == '"OR" "col" "NEAR"*'
    assert fts_query("  ...  ") == ""


def test_claim_filters_validate_values() -> None:
    f = ClaimFilters.from_params({"q": " water ", "kind": "anonymous", "hedged": "no", "from": "2026-03"})
    assert f.params() == {"q": "water", "kind": "anonymous", "hedged": "no", "from": "2026-03"}
    for bad in ({"kind": "rumour"}, {"hedged": "maybe"}, {"to": "yesterday"}, {"page": "0"}, {"page": "two"}):
        with pytest.raises(UsageError):
            ClaimFilters.from_params(bad)


def test_slug_keeps_plain_ids_and_disambiguates_others() -> None:
    assert slug("004_5f7f21560a4aea28") == "004_5f7f21560a4aea28"
    a, b = slug("corpus:1"), slug("corpus/1")
    assert a != b and a.startswith("corpus_1_") and "/" not in b
    assert not slug("../etc/passwd").startswith(".")


def test_timeline_fills_empty_days_and_months() -> None:
    from tracewire.store.queries import _timeline

    days = _timeline([("2026-01-30", 1), ("2026-02-02", 3), ("bad", 9)])
    assert days["unit"] == "day" and [b["count"] for b in days["bins"]] == [1, 0, 0, 3]
    months = _timeline([("2025-11-05", 2), ("2026-01-10", 1), ("2026-06-01", 4)])
    assert months["unit"] == "month"
    assert [b["label"] for b in months["bins"]] == ["2025-11", "2025-12", "2026-01", "2026-02", "2026-03", "2026-04",
                                                   "2026-05", "2026-06"]
    assert [b["count"] for b in months["bins"]] == [2, 0, 1, 0, 0, 0, 0, 4]
