"""Build small real PDFs for tests with reportlab (text layer, image-only, truncated)."""

from __future__ import annotations

import io

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas


def text_pdf(pages: list[list[str]], header: str | None = "The Levant Review — Analysis") -> bytes:
    """A PDF whose pages hold the given lines, with a running header and page numbers."""
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    width, height = A4
    for n, lines in enumerate(pages, start=1):
        if header:
            c.setFont("Helvetica", 8)
            c.drawString(72, height - 40, header)
        c.setFont("Helvetica", 11)
        y = height - 80
        for line in lines:
            c.drawString(72, y, line)
            y -= 15
        c.setFont("Helvetica", 8)
        c.drawString(width / 2, 30, str(n))
        c.showPage()
    c.save()
    return buf.getvalue()


def image_only_pdf() -> bytes:
    """A PDF with drawings but no text layer, like a scan."""
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    c.rect(100, 100, 300, 400, fill=1)
    c.circle(250, 600, 50)
    c.showPage()
    c.save()
    return buf.getvalue()
