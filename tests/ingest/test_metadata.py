"""Metadata read from article text."""

from __future__ import annotations

from tracewire.ingest.metadata import from_text, numeric_date_order, parse_date


def test_dates() -> None:
    """Written dates parse; ambiguous numeric dates stay unknown unless the order is known."""
    assert parse_date("August 12, 2023") == "2023-08-12"
    assert parse_date("12 August 2023") == "2023-08-12"
    assert parse_date("Sat, 12 Aug 2023") == "2023-08-12"
    assert parse_date("2023-08-12T10:00:00Z") == "2023-08-12"
    assert parse_date("4/5/2017") is None
    assert parse_date("4/5/2017", order="MDY") == "2017-04-05"
    assert parse_date("10/24/2014") == "2014-10-24"
    assert parse_date("February 30, 2020") is None
    assert numeric_date_order(["4/5/2017", "10/24/2014"]) == "MDY"
    assert numeric_date_order(["4/5/2017"]) is None


def test_header_lines() -> None:
    """Date line, 'From' outlet, desk credit, byline, dateline and headline."""
    text = (
        "March 3, 2024\nFrom Levant Daily\nThe Wire News Desk\nBy Hana Khoury\n\n"
        "Convoy attacked on the Palmyra road\n\n"
        "PALMYRA – A convoy was attacked on Sunday, officials said.\n"
    )
    m = from_text(text)
    assert m.date == "2024-03-03"
    assert m.outlet == "Levant Daily"
    assert m.extra["credited"] == "The Wire"
    assert m.author == "Hana Khoury"
    assert m.title == "Convoy attacked on the Palmyra road"
    assert m.dateline == "PALMYRA"


def test_source_line_and_unknowns() -> None:
    """'Source: X' at the end names the outlet; nothing else is guessed."""
    m = from_text("It is now clear that the attack was planned.\n\nMore text here.\n\nSource: RT")
    assert m.outlet == "RT"
    assert m.date is None and m.title is None and m.dateline is None
