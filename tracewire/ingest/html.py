"""HTML pages: main text and metadata with trafilatura (no scripts, navigation or comments)."""

from __future__ import annotations

from typing import Any

from ..errors import Code, Rejected
from .build import MAX_DOC_CHARS, Hints, single
from .context import FileInput, ReadResult
from .detect import decode
from .metadata import parse_date


def read_html(inp: FileInput) -> ReadResult:
    """Extract the article body and its metadata (title, date, site name, author, url)."""
    import trafilatura

    decoded = decode(inp.data)
    html = decoded.text
    if len(html) > MAX_DOC_CHARS:  # the parse tree costs many times the page: refuse before it is built
        raise Rejected(Code.TW106, f"HTML page of {len(html):,} characters is over the {MAX_DOC_CHARS:,}-"
                       "character limit for one document")
    try:
        result = trafilatura.bare_extraction(
            html,
            with_metadata=True,
            include_comments=False,
            include_tables=False,
            include_images=False,
            # metadata dates only: a date guessed from the page body would be a silent guess
            date_extraction_params={"extensive_search": False, "original_date": True},
        )
    except Exception as e:  # trafilatura raises many parser errors on broken markup
        raise Rejected(Code.TW108, f"HTML could not be parsed: {type(e).__name__}: {e}") from e
    if result is None:
        raise Rejected(Code.TW108, "no article text found in the HTML page")
    data: dict[str, Any] = result.as_dict() if hasattr(result, "as_dict") else dict(result)
    text = data.get("text") or ""
    title = data.get("title") or None
    # trafilatura starts the text with the headline when the page repeats it in an <h1>
    if title and text.startswith(title + "\n"):
        text = text[len(title) + 1 :]
    date = data.get("date")
    hints = Hints(
        title=title,
        outlet=data.get("sitename") or None,
        date=parse_date(date) if isinstance(date, str) else None,
        url=data.get("url") or None,
        author=data.get("author") or None,
        meta={"encoding": decoded.encoding, **decoded.meta(),
              **({"description": data["description"]} if data.get("description") else {})},
    )
    return single(inp, text, fmt="html", hints=hints)
