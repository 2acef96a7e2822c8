"""The response cache: rendered GET responses by path and query, valid for one store generation, with ETags."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response

CACHE_ENTRIES = 1024  # rendered responses kept per app (least recently used go first)
CACHE_BYTES = 64 * 1024 * 1024  # ... and at most this many body bytes in all
CACHE_KEY_MAX = 2048  # longer paths + query strings are answered but not cached


@dataclass(frozen=True, slots=True)
class Cached:
    """A rendered response kept by the cache: status, content type, body and its ETag."""

    status: int
    media_type: str
    body: bytes
    etag: str

    def response(self, request: Request) -> Response:
        """The stored response, or 304 Not Modified when the client already holds this ETag."""
        headers = {"ETag": self.etag, "Cache-Control": "no-cache"}
        if self.etag in parse_etags(request.headers.get("if-none-match", "")):
            return Response(status_code=304, headers=headers)
        return Response(self.body, status_code=self.status, headers=headers, media_type=self.media_type)


def parse_etags(header: str) -> set[str]:
    """The entity tags of an If-None-Match header (weak tags compare by their opaque part)."""
    tags = set()
    for part in header.split(","):
        tag = part.strip()
        if tag.startswith("W/"):
            tag = tag[2:]
        if tag:
            tags.add(tag)
    return tags


class ResponseCache:
    """Rendered GET responses by path and query string, least recently used first out.

    Pages are pure functions of the store, so an entry stays valid until the store changes: every
    entry belongs to one store generation (see ``Database.current_generation``) and a new
    generation empties the cache. Bounded by entry count and body bytes. It sits behind the
    security middleware, so a cached page is only ever served after the token check.
    """

    def __init__(self, max_entries: int = CACHE_ENTRIES, max_bytes: int = CACHE_BYTES) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.entries: OrderedDict[str, Cached] = OrderedDict()
        self.size = 0
        self.generation = -1
        self.hits = 0
        self.misses = 0
        self.lock = threading.Lock()

    def get(self, key: str, generation: int) -> Cached | None:
        """The entry for ``key`` made in this store generation, or None."""
        with self.lock:
            self._advance(generation)
            found = self.entries.get(key) if generation == self.generation else None
            if found is None:
                self.misses += 1
                return None
            self.entries.move_to_end(key)
            self.hits += 1
            return found

    def _advance(self, generation: int) -> None:
        """Empty the cache when a newer store generation shows up (callers hold the lock)."""
        if generation > self.generation:
            self.entries.clear()
            self.size = 0
            self.generation = generation

    def put(self, key: str, generation: int, response: Response) -> Cached:
        """Keep a rendered response made in ``generation`` (dropped when the store changed meanwhile)."""
        body = bytes(response.body)
        etag = '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'
        entry = Cached(response.status_code, response.headers.get("content-type", response.media_type or ""),
                       body, etag)
        if len(body) > self.max_bytes // 8:
            return entry
        with self.lock:
            self._advance(generation)
            if generation != self.generation:  # rendered from a store that has changed since
                return entry
            old = self.entries.pop(key, None)
            if old is not None:
                self.size -= len(old.body)
            self.entries[key] = entry
            self.size += len(body)
            while self.entries and (len(self.entries) > self.max_entries or self.size > self.max_bytes):
                _, dropped = self.entries.popitem(last=False)
                self.size -= len(dropped.body)
        return entry


def cache_key(request: Request) -> str | None:
    """The cache key of a request (path and raw query string), or None when it is too long to keep."""
    query = request.scope.get("query_string", b"").decode("latin-1")
    key = request.scope["path"] + ("?" + query if query else "")
    return key if len(key) <= CACHE_KEY_MAX else None
