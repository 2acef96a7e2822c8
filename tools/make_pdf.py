"""Build the demo PDF ``tracewire/demo/corpus/ecm_field_brief.pdf``, its clean text and the demo's two bad inputs.

The PDF imitates a small NGO report as it comes out of a word processor: a running
header and a page number on every page, ragged lines, words hyphenated at line ends
(including the place name "Deir ez-Zor" broken after its own hyphen), a paragraph that
runs over a page break and a bullet list. Ingest is tested against the clean text.

Rebuild with ``python tools/make_pdf.py`` (needs reportlab, in the ``test`` extra).
The output is byte-for-byte reproducible (reportlab's invariant mode). The same run
writes ``corpus/corrupt_upload.txt`` (binary bytes behind a ``.txt`` name) and the
empty ``corpus/empty_story.txt``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

# A "¦" inside a word marks a forced line break: the line ends after the part before
# the mark, with a hyphen added unless that part already ends with one. The clean text
# simply drops the mark.
BREAK = "¦"
DEMO = Path(__file__).resolve().parents[1] / "tracewire" / "demo"

TITLE = "Displacement and detention in Deir ez-Zor province"
DATE_LINE = "March 15, 2024"
RUNNING_HEADER = "Euphrates Civil Monitor \u2014 Field Brief No. 7"
AUTHOR = "Euphrates Civil Monitor"

# (kind, text): kind is "p" for a paragraph, "h" for a sub-heading, "b" for a bullet item.
BLOCKS: list[tuple[str, str]] = [
    (
        "p",
        "The Euphrates Civil Monitor documented the dis¦placement of at least 4,200 families from "
        "villages along the eastern bank of the river between January and early March 2024. Most of "
        "them fled clashes between tribal fighters and the Syrian Democratic Forces in the "
        "countryside of Deir ez-¦Zor province, while others left the area around Albukamal after a "
        "series of air strikes.",
    ),
    (
        "p",
        "Our field researchers interviewed 63 displaced people in the camps and informal settlements "
        "north of the city of Deir ez-Zor. Many said they had left their homes with nothing but their "
        "documents, and several reported that family members had been detained at checkpoints on the "
        "way. \u201cWe walked for two days with the children and slept in an empty school,\u201d one "
        "woman from a village near the river told our team. \u201cNobody asked us what we needed. "
        "They only asked for our identity cards.\u201d",
    ),
    (
        "p",
        "Conditions in the Al-Hol camp remain alarming. According to the camp administration, about "
        "43,000 people were living there in February, more than half of them children under twelve. "
        "Humani¦tarian workers describe shortages of clean water, irregular food distributions and a "
        "health system that cannot cope with the cold season. The camp administration said three "
        "children died of pneumonia in January.",
    ),
    (
        "p",
        "Dr Leila Nasser, the Monitor's field coordinator, said the fate of people held in detention "
        "was the most urgent issue. \u201cHundreds of men have disappeared into facilities that no "
        "independent observer can visit,\u201d she said. The Monitor has asked the authorities on all "
        "sides to publish lists of detainees and to allow families to contact them.",
    ),
    (
        "p",
        "The Monitor also recorded allegations that armed groups had confiscated houses and farmland "
        "belonging to displaced families. These reports could not be verified independently, but "
        "they are consistent with earlier patterns documented in Raqqa and Manbij. Property disputes, "
        "if left unresolved, may become a lasting source of conflict long after the fighting stops.",
    ),
    ("h", "Key findings"),
    ("b", "At least 4,200 families displaced in Deir ez-Zor province since January."),
    ("b", "17 civilians killed by air strikes and shelling near Albukamal and al-Mayadin."),
    ("b", "Over 40 cases of arbitrary detention recorded at checkpoints."),
    ("b", "Water supply in the Al-Hol camp below the emergency standard in four of its eight sectors."),
    (
        "p",
        "We call on all parties to guarantee safe passage for civilians, to give humanitarian "
        "organi¦sations unimpeded access to the villages of origin, and to stop using displacement as "
        "a tool of war. The inter¦national donors who fund the camps should make the protection of "
        "civilians a condition of their support.",
    ),
]

PAGE_W, PAGE_H = 420.0, 595.0  # A5 portrait, points
MARGIN_X = 52.0
TOP_Y = PAGE_H - 78.0
BOTTOM_Y = 150.0
FONT, BOLD = "Helvetica", "Helvetica-Bold"
SIZE, LEADING = 10.0, 13.0
BULLET_INDENT = 14.0


@dataclass(frozen=True, slots=True)
class Line:
    """One laid-out line: its text, indent, font, whether it ends a block and starts a bullet item."""

    text: str
    indent: float
    font: str
    last: bool
    bullet: bool = False


def clean(text: str) -> str:
    """Return the text of a block with the forced-break marks removed."""
    return text.replace(BREAK, "")


def expected_text() -> str:
    """Return the clean text ingest should produce: one block per paragraph, bullet glyphs dropped."""
    parts: list[str] = []
    for _kind, text in BLOCKS:
        parts.append(clean(text))
    return "\n\n".join(parts) + "\n"


def wrap(text: str, width: float, measure: Callable[[str], float]) -> list[str]:
    """Break ``text`` into lines no wider than ``width``, honouring forced hyphenation marks."""
    lines: list[str] = []
    current = ""
    for word in text.split(" "):
        if BREAK in word:
            head, tail = word.split(BREAK, 1)
            piece = head if head.endswith("-") else head + "-"
            candidate = f"{current} {piece}" if current else piece
            if current and measure(candidate) > width:
                lines.append(current)
                candidate = piece
            lines.append(candidate)
            current = tail
            continue
        candidate = f"{current} {word}" if current else word
        if current and measure(candidate) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines


def layout(measure: Callable[[str], float]) -> list[Line]:
    """Lay out every block into lines with their indents and fonts."""
    width = PAGE_W - 2 * MARGIN_X
    out: list[Line] = []
    for kind, text in BLOCKS:
        if kind == "h":
            out.append(Line(text, 0.0, BOLD, True))
            continue
        indent = BULLET_INDENT if kind == "b" else 0.0
        wrapped = wrap(text, width - indent, measure)
        for i, line in enumerate(wrapped):
            out.append(Line(line, indent, FONT, i == len(wrapped) - 1, kind == "b" and i == 0))
    return out


def build(pdf_path: Path, text_path: Path) -> int:
    """Write the PDF and its expected clean text; return the number of pages."""
    from reportlab.pdfbase.pdfmetrics import stringWidth  # type: ignore[import-untyped, unused-ignore]
    from reportlab.pdfgen.canvas import Canvas  # type: ignore[import-untyped, unused-ignore]

    def measure(s: str) -> float:
        """Width of ``s`` in points in the body font."""
        return float(stringWidth(s, FONT, SIZE))

    lines = layout(measure)
    pages: list[list[Line]] = [[]]
    y = TOP_Y - 2 * LEADING - 10  # room for the title and date on page 1
    for line in lines:
        if y < BOTTOM_Y:
            pages.append([])
            y = TOP_Y
        pages[-1].append(line)
        y -= LEADING + (LEADING / 2 if line.last else 0.0)

    canvas = Canvas(str(pdf_path), pagesize=(PAGE_W, PAGE_H), invariant=1, pageCompression=0)
    canvas.setTitle(TITLE)
    canvas.setAuthor(AUTHOR)
    canvas.setSubject("Field Brief No. 7")
    total = len(pages)
    for number, page in enumerate(pages, start=1):
        canvas.setFont(FONT, 8)
        canvas.drawString(MARGIN_X, PAGE_H - 40, RUNNING_HEADER)
        canvas.line(MARGIN_X, PAGE_H - 45, PAGE_W - MARGIN_X, PAGE_H - 45)
        canvas.drawCentredString(PAGE_W / 2, 36, f"Page {number} of {total}")
        y = TOP_Y
        if number == 1:
            canvas.setFont(BOLD, 13)
            canvas.drawString(MARGIN_X, y, TITLE)
            y -= LEADING + 4
            canvas.setFont(FONT, 9)
            canvas.drawString(MARGIN_X, y, DATE_LINE)
            y -= LEADING + 6
        for line in page:
            canvas.setFont(line.font, SIZE)
            if line.bullet:
                # As word processors do, the bullet is a glyph of a symbol font (ZapfDingbats "l",
                # a black circle) set in the same text object as the item, so it extracts inline.
                obj = canvas.beginText(MARGIN_X + 3, y)
                obj.setFont("ZapfDingbats", 7)
                obj.textOut("l")
                obj.setFont(line.font, SIZE)
                obj.moveCursor(BULLET_INDENT - 3, 0)
                obj.textOut(line.text)
                canvas.drawText(obj)
            else:
                canvas.drawString(MARGIN_X + line.indent, y, line.text)
            y -= LEADING + (LEADING / 2 if line.last else 0.0)
        canvas.showPage()
    canvas.save()
    text_path.write_text(expected_text(), encoding="utf-8")
    return total


def corrupt_bytes(size: int = 4096) -> bytes:
    """Return the deterministic random-looking bytes of ``corpus/corrupt_upload.txt`` (a bad input)."""
    out = bytearray(b"\x00\x01\xfe\xffTWBIN\x00")
    block = hashlib.sha256(b"tracewire demo corrupt upload").digest()
    while len(out) < size:
        out += block
        block = hashlib.sha256(block).digest()
    return bytes(out[:size])


def main() -> None:
    """Rebuild the demo PDF, its expected text and the two bad inputs in tracewire/demo/."""
    here = DEMO
    corpus = here / "corpus"
    build(corpus / "ecm_field_brief.pdf", here / "expected" / "ecm_field_brief.txt")
    (corpus / "corrupt_upload.txt").write_bytes(corrupt_bytes())
    (corpus / "empty_story.txt").write_bytes(b"")


if __name__ == "__main__":
    main()
