"""Measure PDF text extractors on PDFs we generate with known text: pypdf vs pdfminer.six.

    .venv/bin/python eval/pdf_extractors.py

For each generated PDF (one column, several pages, running header, page numbers, hyphenated line
ends) both extractors' text goes through tracewire's normalisation; the score is the word-sequence
similarity (difflib ratio) to the text that was typeset, plus extraction time.
"""

from __future__ import annotations

import difflib
import io
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.ingest.pdfs import text_pdf  # noqa: E402
from tracewire.ingest.boilerplate import load_rules  # noqa: E402
from tracewire.ingest.normalize import normalize  # noqa: E402

VOCAB = ("reconnaissance militants government coalition Euphrates convoy artillery positions province "
         "spokesman ministry commanders reinforcements checkpoint airbase infrastructure").split()
SHORT = "the a of and to in on near with by from said".split()


def make_case(rng: random.Random, pages: int) -> tuple[bytes, str]:
    """A PDF with hyphenated line ends and the clean text it should yield."""
    words = [rng.choice(VOCAB if rng.random() < 0.4 else SHORT) for _ in range(pages * 420)]
    lines: list[str] = []
    cur = ""
    for w in words:
        if len(cur) + len(w) + 1 > 78:
            if len(w) > 9 and rng.random() < 0.5:  # split the long word with a hyphen
                cut = len(w) // 2
                lines.append(f"{cur} {w[:cut]}-")
                cur = w[cut:]
                continue
            lines.append(cur)
            cur = w
        else:
            cur = f"{cur} {w}".strip()
    lines.append(cur + ".")
    per_page = (len(lines) + pages - 1) // pages
    pdf = text_pdf([lines[i : i + per_page] for i in range(0, len(lines), per_page)])
    return pdf, " ".join(words) + "."


def pypdf_pages(data: bytes) -> list[str]:
    """Page texts with pypdf."""
    from pypdf import PdfReader

    return [p.extract_text() or "" for p in PdfReader(io.BytesIO(data)).pages]


def pdfminer_pages(data: bytes) -> list[str]:
    """Page texts with pdfminer.six."""
    from pdfminer.high_level import extract_text

    return extract_text(io.BytesIO(data)).split("\f")


def main() -> None:
    """Score both extractors and print a table."""
    rng = random.Random(3)
    cases = [make_case(rng, pages) for pages in (1, 2, 3, 5) for _ in range(3)]
    rules = load_rules(("core",))
    print(f"{'extractor':<12} {'similarity':>10} {'exact words':>12} {'ms/page':>8}")
    for name, fn in (("pypdf", pypdf_pages), ("pdfminer.six", pdfminer_pages)):
        sims, exact, secs, pages_n = [], 0, 0.0, 0
        for pdf, truth in cases:
            t0 = time.perf_counter()
            pages = fn(pdf)
            secs += time.perf_counter() - t0
            pages_n += len([p for p in pages if p.strip()])
            text = normalize("\f".join(pages), pdf=True, pages=len(pages), rules=rules).text
            got, want = text.split(), truth.split()
            sims.append(difflib.SequenceMatcher(None, got, want, autojunk=False).ratio())
            exact += got == want
        print(f"{name:<12} {sum(sims) / len(sims):>10.4f} {exact:>5}/{len(cases):<6} "
              f"{1000 * secs / max(1, pages_n):>8.1f}")


if __name__ == "__main__":
    main()
