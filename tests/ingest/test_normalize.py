"""Normalisation: re-flow, hyphens, glyphs, page furniture, boilerplate, offsets."""

from __future__ import annotations

from tracewire.ingest.boilerplate import load_rules
from tracewire.ingest.normalize import looks_hard_wrapped, normalize

RULES = load_rules(("core",))

PDF_LIKE = (
    "The convoy left the base before dawn and drove east along the desert road towards the \n"
    "river crossing, where engineers had spent the week building a pontoon bridge for the recon-\n"
    "naissance units that were expected to arrive from the west before the end of the month. \n"
    "Officers said the column stopped twice near Deir ez-\n\n"
    "Zor to refuel, and that no shots were fired during the whole of the long night drive there. \n"
    "The plan had three goals: \n"
    "\uf0b7 to secure the bridge before the river rose with the spring floods upstream; \n"
    "\uf0b7 to move the artillery battery across the river without being seen from the air; \n"
    "\uf0b7 to hold the crossing until reinforcements arrived from the provincial capital. \n"
    "A second paragraph starts here and continues for a while on the next line of the page so that \n"
    "the line lengths look like those of a real hard-wrapped document extracted from a PDF file.\n"
)


def test_pdf_reflow_joins_lines_and_fixes_hyphens() -> None:
    """Broken lines join into sentences; split words are mended, hyphenated names kept."""
    out = normalize(PDF_LIKE, pdf=True, rules=RULES).text
    assert "reconnaissance units" in out
    assert "Deir ez-Zor to refuel" in out
    assert "towards the river crossing" in out
    assert "\uf0b7" not in out
    # each bullet item stands on its own line
    assert "\nto secure the bridge" in out and "\nto hold the crossing" in out
    # no line ends in the middle of a sentence
    for line in out.split("\n"):
        if line.strip():
            assert line.rstrip()[-1] in ".;:!?\"”", line


def test_hard_wrap_detected_in_plain_text() -> None:
    """A .txt extracted from a PDF is recognised; a one-paragraph-per-line text is not."""
    assert looks_hard_wrapped(PDF_LIKE)
    prose = "\n\n".join(["A full paragraph of text that ends properly with a full stop." * 3] * 10)
    assert not looks_hard_wrapped(prose)


def test_offsets_map_back_to_raw() -> None:
    """Every character of the normalised text maps to the same character in the raw text."""
    mt = normalize(PDF_LIKE, pdf=True, rules=RULES)
    for i, ch in enumerate(mt.text):
        if ch not in " \n":
            assert PDF_LIKE[mt.src[i]] == ch
    anchors = mt.anchors()
    assert anchors[0] == (0, 0)


def test_page_numbers_and_running_headers_dropped() -> None:
    """Page numbers and a header repeated on every page disappear."""
    pages = []
    for n in range(1, 4):
        pages.append(f"DESERT WATCH QUARTERLY\nBody text of page {n} about the convoy and the bridge.\n{n}\n")
    out = normalize("\f".join(pages), pdf=True, pages=3, rules=RULES).text
    assert "DESERT WATCH QUARTERLY" not in out
    assert "Body text of page 2" in out
    assert "\n2\n" not in out and not out.endswith("3")


def test_trailing_boilerplate_removed() -> None:
    """Comment forms and share lines after the article are cut, the article stays."""
    raw = (
        "Headline of the story\n\n" + "The article body says something about the war. " * 20 + "\n\n"
        "Source: Levant Wire\n\nShare this:\n\nSimilar Posts\n\nAn unrelated post title\n\n"
        "Leave a Reply\n\nYour email address will not be published. Required fields are marked *\n"
    )
    out = normalize(raw, rules=RULES).text
    for gone in ("Leave a Reply", "Similar Posts", "Your email address", "Share this", "unrelated post"):
        assert gone not in out
    assert out.endswith("Source: Levant Wire")


def test_nfc_and_invisible_characters() -> None:
    """Decomposed accents compose; zero-width and soft hyphens vanish."""
    out = normalize("Cafe\u0301 in Ale\u00adppo\u200b today.", rules=RULES).text
    assert out == "Café in Aleppo today."


def test_c1_controls_become_their_cp1252_punctuation() -> None:
    """Text read as Latin-1 upstream: U+0085, U+0092 and U+0096 are "…", "’" and "–", one for one.

    The five code points cp1252 leaves undefined stay, so no offset moves.
    """
    raw = "He said\x85 the mayor\x92s office \x96 not the council\x9d \x93 agreed"
    mt = normalize(raw, rules=RULES)
    assert mt.text == "He said… the mayor’s office – not the council\x9d “ agreed"
    assert list(mt.src) == list(range(len(raw)))
