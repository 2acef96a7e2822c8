"""PDF articles: text layer extracted with pypdf (BSD), then re-flowed by normalize."""

from __future__ import annotations

import io
import logging
import re

from ..errors import Code, Rejected
from .build import Hints, build_document
from .context import FileInput, ReadResult

# pypdf logs every recoverable defect of a real-world PDF at WARNING; they are not ours to show
logging.getLogger("pypdf").setLevel(logging.ERROR)


def extract_pages(data: bytes) -> tuple[list[str], dict[str, str]]:
    """Text of each page and the document info (title, author), or Rejected when unusable."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    if not data.lstrip()[:8].startswith(b"%PDF"):
        raise Rejected(Code.TW104, "not a PDF: the file does not start with %PDF")
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                reader.decrypt("")
            except Exception as e:
                raise Rejected(Code.TW104, "encrypted PDF that needs a password") from e
        pages = [page.extract_text(extraction_mode="plain") or "" for page in reader.pages]
        info: dict[str, object] = dict(reader.metadata or {})
        props = {k: str(info.get(f"/{k.title()}")).strip() for k in ("title", "author")
                 if info.get(f"/{k.title()}") and str(info.get(f"/{k.title()}")).strip()}
    except Rejected:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError, AttributeError, IndexError) as e:
        raise Rejected(Code.TW104, f"corrupt PDF ({type(e).__name__}: {e})") from e
    if not pages:
        raise Rejected(Code.TW104, "corrupt PDF: no pages could be read")
    if sum(len(p.strip()) for p in pages) < 20:
        raise Rejected(
            Code.TW105,
            f"PDF with {len(pages)} page(s) but no text layer (scanned images?); run OCR first",
        )
    return pages, props


def running_header(pages: list[str]) -> str | None:
    """The first line shared by every page (digits aside), such as a publisher's running head."""
    firsts = []
    for page in pages:
        lines = [ln.strip() for ln in page.split("\n") if ln.strip()]
        if not lines:
            return None
        firsts.append(lines[0])
    if len(firsts) < 2:
        return None
    keys = {re.sub(r"\d+", "#", f) for f in firsts}
    return firsts[0] if len(keys) == 1 else None


def read_pdf(inp: FileInput) -> ReadResult:
    """One PDF is one document; pages are joined with form feeds and the text re-flowed."""
    pages, props = extract_pages(inp.data)
    raw = "\f".join(pages)
    meta: dict[str, object] = {"pages": len(pages)}
    outlet = None
    header = running_header(pages)
    if header:
        # a report's running head names its publisher first: "Euphrates Civil Monitor — Field Brief 7"
        meta["running_header"] = header
        head = re.split(r"\s+[—–|]\s+|\s+-\s+", header)[0].strip()
        if 1 <= len(head.split()) <= 6 and not re.search(r"\d", head):
            outlet = head
            meta["outlet_from"] = "running header"
    hints = Hints(title=props.get("title"), author=props.get("author"), outlet=outlet, meta=meta)
    doc = build_document(
        inp.path.stem, raw, fmt="pdf", source_path=str(inp.path), digest=inp.sha256, rules=inp.rules,
        hints=hints, pdf=True, pages=len(pages),
    )
    return ReadResult(documents=[doc], rows=[None])
