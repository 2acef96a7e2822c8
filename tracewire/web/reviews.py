"""The review form's writes: CSRF tokens (double-submit cookie) and recording a review through its own store.

Pages are cached and shared, so the token never sits in a cached page: only the uncached review
form carries it, in a hidden field and in an HttpOnly, SameSite=Strict cookie scoped to /review.
A POST is accepted when both are present and equal (compared in constant time), and, when the
browser sends an Origin header, when that names this server's own Host.
"""

from __future__ import annotations

import hmac
import secrets
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from starlette.requests import Request
from starlette.responses import Response

from ..claimreview import review_claim
from ..store import open_store

COOKIE = "tw_csrf"
MAX_BODY = 64 * 1024
FIELDS = ("csrf", "claim", "rating", "note", "reviewer")


def new_token() -> str:
    """A fresh random CSRF token."""
    return secrets.token_urlsafe(24)


def set_cookie(response: Response, token: str) -> None:
    """Send the token as an HttpOnly, SameSite=Strict cookie for /review."""
    response.set_cookie(COOKIE, token, httponly=True, samesite="strict", path="/review")


def check_request(request: Request, form_token: str) -> str | None:
    """Why a review POST must be refused (missing or mismatched token, foreign Origin), else None."""
    cookie = request.cookies.get(COOKIE, "")
    if not cookie or not form_token or not hmac.compare_digest(cookie.encode(), form_token.encode()):
        return "The form's CSRF token is missing or does not match its cookie: open the review form again and resubmit."
    origin = request.headers.get("origin")
    if origin and origin != "null" and urlsplit(origin).netloc != request.headers.get("host", ""):
        return f"Refused a review sent from another site ({origin[:80]})."
    return None


def form_fields(body: bytes) -> dict[str, str]:
    """The review form's fields from an application/x-www-form-urlencoded body (missing ones empty)."""
    parsed = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True, max_num_fields=20)
    return {k: (parsed.get(k) or [""])[0] for k in FIELDS}


def record(db_path: Path, fields: dict[str, str]) -> None:
    """Write one review through a store opened for it (UsageError on a bad claim id or empty field)."""
    store = open_store(db_path)
    try:
        review_claim(store, fields["claim"], fields["rating"], fields["note"], fields["reviewer"])
    finally:
        store.close()
