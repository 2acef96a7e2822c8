"""Reviews of claims and their schema.org ClaimReview JSON-LD (what ``tracewire export claimreview`` writes).

A claim is named ``DOC:START-END`` (its document id and character offsets, as ``export claims``
gives them). A review is a verdict (free text such as "False" or "Misleading", or a number),
a short note and the reviewer's name; the export is one ClaimReview object per reviewed claim,
which ``tracewire factchecks import`` reads back.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from .errors import Code, UsageError
from .records import Review
from .store.base import Row, Store
from .store.factchecks import FactcheckStore

MAX_RATING = 100
MAX_NOTE = 5_000
MAX_REVIEWER = 200
_ID = re.compile(r"^(?P<doc>.+):(?P<start>\d+)-(?P<end>\d+)$")


def claim_id(doc: str, start: int, end: int) -> str:
    """The id a claim is reviewed by: ``DOC:START-END``."""
    return f"{doc}:{start}-{end}"


def parse_claim_id(value: str) -> tuple[str, int, int]:
    """(doc, start, end) from ``DOC:START-END``; a coded error says how to find ids."""
    m = _ID.match(value.strip())
    if not m or int(m.group("start")) >= int(m.group("end")):
        raise UsageError(f"claim id {value[:80]!r} is not DOC:START-END (for example 004_5f7f21560a4aea28:120-245); "
                         "`tracewire export claims` lists doc, start and end of every claim", Code.TW002)
    return m.group("doc"), int(m.group("start")), int(m.group("end"))


def _clean(value: str, what: str, limit: int, required: bool = True) -> str:
    """One line of text within ``limit`` characters (control characters removed)."""
    text = " ".join("".join(ch for ch in value if ch.isprintable() or ch in "\n\t").split())
    if required and not text:
        raise UsageError(f"{what} is empty; give a short {what} (for example --{what} ...)", Code.TW002)
    if len(text) > limit:
        raise UsageError(f"{what} has {len(text)} characters, more than {limit}; shorten it", Code.TW002)
    return text


def review_claim(store: Store, claim: str, rating: str, note: str, reviewer: str, now: str | None = None) -> Review:
    """Record a reviewer's verdict on the claim ``DOC:START-END`` (replacing an earlier one)."""
    doc, start, end = parse_claim_id(claim)
    fs = FactcheckStore.of(store)
    row = fs.claim_span(doc, start, end)
    if row is None:
        raise UsageError(f"no claim {claim_id(doc, start, end)!r} in the store; `tracewire export claims` lists the "
                         "claims (doc, start, end) of the analysed documents", Code.TW002)
    review = Review(doc, start, end, row["text"], _clean(rating, "rating", MAX_RATING),
                    _clean(note, "note", MAX_NOTE, required=False), _clean(reviewer, "reviewer", MAX_REVIEWER),
                    now or datetime.now(UTC).isoformat(timespec="seconds"))
    fs.write_review(review)
    return review


def _rating(value: str) -> dict[str, Any]:
    """A schema.org Rating: the verdict as alternateName, and as ratingValue when it is a number 1-5."""
    rating: dict[str, Any] = {"@type": "Rating", "alternateName": value}
    if re.fullmatch(r"[1-5]", value):
        rating.update(ratingValue=int(value), bestRating=5, worstRating=1)
    return rating


def claimreview(row: Row) -> dict[str, Any]:
    """One review (with its document's metadata) as a schema.org ClaimReview object."""
    item: dict[str, Any] = {"@type": "Claim"}
    if row.get("outlet"):
        item["author"] = {"@type": "Organization", "name": row["outlet"]}
    if row.get("date"):
        item["datePublished"] = row["date"]
    appearance: dict[str, Any] = {"@type": "CreativeWork"}
    if row.get("url") and str(row["url"]).lower().startswith(("http://", "https://")):
        appearance["url"] = row["url"]
    if row.get("title"):
        appearance["headline"] = row["title"]
    if len(appearance) > 1:
        item["appearance"] = appearance
    out: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "identifier": claim_id(row["doc"], row["start"], row["end"]),
        "claimReviewed": " ".join(str(row["claim_text"]).split()),  # one line, as fact-checkers publish it
        "reviewRating": _rating(row["rating"]),
        "author": {"@type": "Person", "name": row["reviewer"]},
        "datePublished": str(row["reviewed_at"])[:10],
        "itemReviewed": item,
    }
    if row.get("note"):
        out["reviewBody"] = row["note"]
    return out


def claimreview_rows(store: Store) -> Iterator[Row]:
    """Every reviewed claim as a ClaimReview object (the ``claimreview`` export)."""
    for row in FactcheckStore.of(store).review_rows():
        yield claimreview(row)
