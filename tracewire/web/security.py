"""The server's guards: Host allow-list, token (checked, read from a file or the settings), headers, on-site redirects."""

from __future__ import annotations

import hmac
import ipaddress
import re
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import quote, urlencode, urlsplit

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .. import settings
from ..errors import Code, UsageError
from . import views

TOKEN_COOKIE = "tracewire_token"
TOKEN_MIN_CHARS = 16
TOKEN_FILE_MAX = 4096  # a token file holds one line; anything longer is the wrong file
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")
HOST_PATTERN = re.compile(r"[a-z0-9_]([a-z0-9_.-]*[a-z0-9_])?|\[[0-9a-f:.]+\]")
SECURITY_HEADERS = {
    "Content-Security-Policy": views.CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def is_loopback(host: str) -> bool:
    """True for localhost and loopback addresses (127.0.0.0/8, ::1)."""
    if host.lower().rstrip(".") == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def host_name(value: str) -> str:
    """A host as the Host header names it: lower case, no port, no trailing dot, IPv6 in brackets."""
    value = value.strip().lower()
    if value.startswith("["):
        end = value.find("]")
        return value[:end + 1] if end > 0 else value
    if value.count(":") > 1:  # a bare IPv6 address, as --host takes it
        return f"[{value}]"
    return value.split(":", 1)[0].rstrip(".")


def allowed_hosts(host: str = "127.0.0.1", extra: Iterable[str] = ()) -> frozenset[str]:
    """The Host names the server answers to: the loopback names, ``host`` (its --host) and ``extra`` (--allow-host).

    A browser sends the name from its address bar, so a page on a name an attacker controls that
    re-resolves to 127.0.0.1 (DNS rebinding) arrives with that name and is refused.
    """
    names = set(LOOPBACK_NAMES)
    for value in (host, *extra):
        name = host_name(value)
        if not HOST_PATTERN.fullmatch(name) or any(c in value for c in "/\\@?#*"):
            raise UsageError(f"{value!r} (from --host or --allow-host) is not a host name. Pass the name as the "
                             "browser's address bar shows it, without scheme or path, e.g. --allow-host tracewire.lan.",
                             Code.TW002)
        names.add(name)
    return frozenset(names)


def host_allowed(header: str | None, allowed: frozenset[str]) -> bool:
    """True when a request's Host header names an allowed host or a loopback address."""
    if not header:
        return False
    name = host_name(header)
    if name in allowed:
        return True
    try:  # an address literal cannot be rebound by DNS
        return ipaddress.ip_address(name.strip("[]")).is_loopback
    except ValueError:
        return False


def check_token(token: str, source: str = "the token") -> str:
    """``token`` when it is strong enough to guard the server, else a UsageError that says how to make one."""
    problem = ""
    if len(token) < TOKEN_MIN_CHARS:
        problem = f"is {len(token)} characters long"
    elif any(c.isspace() or not c.isprintable() for c in token):
        problem = "contains whitespace or control characters"
    if problem:
        raise UsageError(
            f"{source} {problem}; a server token needs at least {TOKEN_MIN_CHARS} characters and no whitespace. "
            "Make one with `python -c \"import secrets; print(secrets.token_urlsafe(24))\"` and put it in "
            "$TRACEWIRE_TOKEN or in a file named by --token-file.", Code.TW002)
    return token


def read_token(token: str | None = None, token_file: Path | None = None) -> str | None:
    """The server token: ``token``, else the line in ``token_file``, else in $TRACEWIRE_TOKEN_FILE, else $TRACEWIRE_TOKEN.

    None when none is set. Whatever is found must pass ``check_token`` (line ends are dropped).
    """
    if token is not None and token_file is not None:
        raise UsageError("Pass --token or --token-file, not both. Prefer --token-file (or $TRACEWIRE_TOKEN): "
                         "--token is visible to every user of this machine in the process list.", Code.TW002)
    if token is not None:
        return check_token(token, "--token")
    path = token_file or (Path(settings.get("token_file")) if settings.get("token_file") else None)
    if path is not None:
        source = "--token-file" if token_file is not None else "$TRACEWIRE_TOKEN_FILE"
        try:
            with open(path, encoding="utf-8") as f:
                text = f.read(TOKEN_FILE_MAX + 1)
        except (OSError, UnicodeDecodeError) as e:
            raise UsageError(f"Cannot read the token from {source} {str(path)!r}: {e}. Write the token into that "
                             "file (one line, readable by you alone: chmod 600).", Code.TW002) from e
        if len(text) > TOKEN_FILE_MAX:
            raise UsageError(f"{source} {str(path)!r} holds more than {TOKEN_FILE_MAX} characters; it should hold "
                             "the token alone, on one line.", Code.TW002)
        return check_token(text.strip("\r\n"), f"the token in {source} {str(path)!r}")
    from_env = settings.get("token")
    return check_token(from_env, "$TRACEWIRE_TOKEN") if from_env else None


def local_location(location: str) -> str:
    """A redirect target made site-relative: path and query only, one leading slash (``//host`` goes nowhere)."""
    location = "".join(c for c in location if c.isprintable() and not c.isspace())
    if location[:1] in ("/", "\\"):  # a path: "//evil.example/" is the path /evil.example/ of this site
        location = "/" + location.lstrip("/\\")
    parts = urlsplit(location)
    path = "/" + parts.path.lstrip("/\\")
    return path + ("?" + parts.query if parts.query else "")


class SecurityMiddleware:
    """Checks the Host header and the token on every HTTP request; adds the security headers, keeps redirects on-site."""

    def __init__(self, app: ASGIApp, token: str | None, hosts: frozenset[str] = frozenset(LOOPBACK_NAMES)) -> None:
        self.app = app
        self.token = token
        self.hosts = hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """ASGI entry point."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            """Add the security headers to the response start and make any redirect site-relative."""
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for k, v in SECURITY_HEADERS.items():
                    headers[k] = v
                if "location" in headers:
                    headers["location"] = local_location(headers["location"])
            await send(message)

        request = Request(scope)
        host = request.headers.get("host")
        if not host_allowed(host, self.hosts):
            shown = ascii(host[:100]) if host else "none"
            response: Response = PlainTextResponse(
                f"400: this tracewire server does not answer to the host {shown} (a guard against DNS rebinding): "
                "it answers to localhost, loopback addresses, its --host and the names given with --allow-host. "
                "If you opened it under that name on purpose, restart it with --allow-host NAME "
                "(or $TRACEWIRE_ALLOW_HOSTS).", status_code=400)
            await response(scope, receive, send_with_headers)
            return
        if self.token is not None:
            given = token_from(request)
            if given is None or not hmac.compare_digest(given.encode("utf-8"), self.token.encode("utf-8")):
                response = PlainTextResponse(
                    "401: this tracewire server needs its token: open it once with ?token=TOKEN, "
                    "or send the header 'Authorization: Bearer TOKEN'.", status_code=401)
                await response(scope, receive, send_with_headers)
                return
            if "token" in request.query_params:
                rest = [(k, v) for k, v in request.query_params.multi_items() if k != "token"]
                raw_path = scope.get("raw_path")
                target = raw_path.decode("latin-1") if raw_path else quote(scope["path"], safe="/:@!$&'()*+,;=~")
                response = RedirectResponse(local_location(target + (f"?{urlencode(rest)}" if rest else "")), 303)
                response.set_cookie(TOKEN_COOKIE, self.token, httponly=True, samesite="strict")
                await response(scope, receive, send_with_headers)
                return
        await self.app(scope, receive, send_with_headers)


def token_from(request: Request) -> str | None:
    """The token a request carries: bearer header, query parameter or cookie."""
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    return request.query_params.get("token") or request.cookies.get(TOKEN_COOKIE)
