"""PDF articles: text layer extracted with pypdf (BSD), then re-flowed by normalize."""

from __future__ import annotations

import io
import logging
import re
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from ..errors import Code, Rejected
from .build import Hints, single
from .context import FileInput, ReadResult

# a news article or a report, not a book: more pages than this is rejected before extraction
MAX_PDF_PAGES = 2000
# seconds one PDF may take (hostile files can make pypdf loop over shared objects for minutes)
PDF_BUDGET_S = 30.0


class _OutOfTime(BaseException):
    """Raised by the alarm inside pypdf; a BaseException so pypdf's ``except Exception`` lets it out."""


@contextmanager
def _deadline(seconds: float) -> Iterator[None]:
    """Interrupt the block after ``seconds`` (SIGALRM on the main thread; elsewhere checks only)."""
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return

    def alarm(signum: int, frame: object) -> None:
        raise _OutOfTime

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)

# pypdf logs every recoverable defect of a real-world PDF at WARNING; they are not ours to show
logging.getLogger("pypdf").setLevel(logging.ERROR)


def extract_pages(data: bytes, budget_s: float = PDF_BUDGET_S) -> tuple[list[str], dict[str, str]]:
    """Text of each page and the document info (title, author), within a time budget, or Rejected."""
    start = time.monotonic()
    try:
        with _deadline(budget_s):
            return _extract(data, start, budget_s)
    except _OutOfTime:
        raise Rejected(Code.TW104, _too_slow(budget_s)) from None


def _too_slow(budget_s: float) -> str:
    """The rejection message for a PDF that ran out of time."""
    return (f"PDF still not read after {budget_s:.0f} s (the per-file time budget): a damaged or hostile "
            "file; repair it (e.g. qpdf) or print it to a new PDF")


def _extract(data: bytes, start: float, budget_s: float) -> tuple[list[str], dict[str, str]]:
    """Open the PDF, check its declared page count, then extract page by page against the clock."""
    from pypdf import PdfReader

    if not data.lstrip()[:8].startswith(b"%PDF"):
        raise Rejected(Code.TW104, "not a PDF: the file does not start with %PDF")
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                reader.decrypt("")
            except Exception as e:
                raise Rejected(Code.TW104, "encrypted PDF that needs a password") from e
        declared = _declared_pages(reader)
        if declared > MAX_PDF_PAGES:
            raise Rejected(Code.TW104, f"PDF declares {declared:,} pages, over the {MAX_PDF_PAGES:,}-page "
                           "limit for one document; split it")
        pages = []
        for n, page in enumerate(reader.pages):
            if n >= MAX_PDF_PAGES:
                raise Rejected(Code.TW104, f"PDF has more than {MAX_PDF_PAGES:,} pages, the limit for one "
                               "document; split it")
            if time.monotonic() - start > budget_s:
                raise Rejected(Code.TW104, _too_slow(budget_s))
            pages.append(page.extract_text(extraction_mode="plain") or "")
        info: dict[str, object] = dict(reader.metadata or {})
        props = {k: str(info.get(f"/{k.title()}")).strip() for k in ("title", "author")
                 if info.get(f"/{k.title()}") and str(info.get(f"/{k.title()}")).strip()}
    except Rejected:
        raise
    except Exception as e:  # pypdf raises many kinds on damaged files (PdfReadError, LimitReachedError, ...)
        raise Rejected(Code.TW104, f"corrupt PDF ({type(e).__name__}: {e})") from e
    if not pages:
        raise Rejected(Code.TW104, "corrupt PDF: no pages could be read")
    if sum(len(p.strip()) for p in pages) < 20:
        raise Rejected(
            Code.TW105,
            f"PDF with {len(pages)} page(s) but no text layer (scanned images?); run OCR first",
        )
    return pages, props


def _declared_pages(reader: object) -> int:
    """The page count the PDF's page tree declares (cheap; a liar is caught by the clock)."""
    try:
        count = reader.trailer["/Root"]["/Pages"]["/Count"]  # type: ignore[attr-defined]
        return int(count)
    except Exception:  # a broken tree: let the page walk report it
        return 0


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
    pages, props = extract_pages(inp.data, inp.budget_s)
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
    return single(inp, raw, fmt="pdf", hints=hints, pdf=True, pages=len(pages))
