"""What the read models share across backends: page sizes, the claims explorer's filters, URL checks.

The read models themselves are ``Store`` methods (SQLite: ``queries.py``); the web, the report and
export call them and never see a connection.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from ..errors import Code, UsageError

SOURCE_KINDS = ("named_person", "named_org", "media_outlet", "government_body", "anonymous", "unresolved",
                "unattributed")
NAMED_KINDS = ("named_person", "named_org", "media_outlet", "government_body")
PAGE_SIZE = 50
MAP_POINTS = 400
STORY_GRAPHS = 12
STORY_NODES = 40
TOP_CLAIMS = 15
COMMON_MENTIONS = 10000  # above this many mentions an actor/place filter probes claims instead of listing them
# the documents list's sort columns (SQL over web_docs) and the direction each starts in
DOC_SORTS = {"date": "date", "title": "coalesce(title, id)", "outlet": "outlet", "claims": "n_claims", "id": "id"}
DOC_SORT_DEFAULT_DIR = {"date": "desc", "claims": "desc"}  # the others ascending
SUMMARY_VERSION = 6  # bump when the overview summary changes shape, so stores rebuild their web tables


def safe_url(url: str | None) -> str | None:
    """The URL when it is an absolute http(s) URL without control characters, else None."""
    if not url or any(ord(ch) < 33 or ch in "\"'<>`\\" for ch in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url


@dataclass(slots=True)
class ClaimFilters:
    """Filters of the claims explorer; empty strings mean "any"."""

    q: str = ""
    kind: str = ""
    actor: str = ""
    place: str = ""
    hedged: str = ""
    outlet: str = ""
    date_from: str = ""
    date_to: str = ""
    page: int = 1

    @classmethod
    def from_params(cls, params: Any) -> ClaimFilters:
        """Read filters from a query-string mapping, validating each value."""
        def get(name: str) -> str:
            return str(params.get(name, "") or "").strip()[:200]
        f = cls(q=get("q"), kind=get("kind"), actor=get("actor"), place=get("place"), hedged=get("hedged"),
                outlet=get("outlet"), date_from=get("from"), date_to=get("to"))
        if f.kind and f.kind not in SOURCE_KINDS:
            raise UsageError(f"Unknown source kind {f.kind!r}. Use one of {', '.join(SOURCE_KINDS)}.", Code.TW002)
        if f.hedged not in ("", "yes", "no"):
            raise UsageError(f"hedged must be 'yes' or 'no', not {f.hedged!r}.", Code.TW002)
        for name, value in (("from", f.date_from), ("to", f.date_to)):
            if value and not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", value):
                raise UsageError(f"{name}={value!r} is not a date. Use YYYY-MM-DD.", Code.TW002)
        f.page = parse_page(params.get("page"))
        return f

    def params(self) -> dict[str, str]:
        """The non-empty filters as query-string parameters."""
        pairs = {"q": self.q, "kind": self.kind, "actor": self.actor, "place": self.place,
                 "hedged": self.hedged, "outlet": self.outlet, "from": self.date_from, "to": self.date_to}
        return {k: v for k, v in pairs.items() if v}


def parse_page(value: Any) -> int:
    """A 1-based page number from a query parameter."""
    if value in (None, ""):
        return 1
    try:
        page = int(str(value))
    except ValueError as e:
        raise UsageError(f"page={value!r} is not a number. Use page=1, 2, ...", Code.TW002) from e
    if page < 1 or page > 100000:
        raise UsageError(f"page={page} is out of range. Use a page from 1 to 100000.", Code.TW002)
    return page
