"""What a live server lets in: tokens, the browser's ``Origin``, the ``Host`` header, and server-side sources.

Why each rule exists:
- **Token on by default, even on loopback.** Any web page the user visits can open a WebSocket to
  ``127.0.0.1``; a random token that only the user's own URL carries (as Jupyter does) makes that useless.
  ``--no-token`` opts out, on loopback only; a token for a non-loopback bind must be strong.
- **Origin.** Browsers send ``Origin`` on every WebSocket handshake and let the server decide; a page from
  another origin is refused unless ``--allow-origin`` names it. Clients that are not browsers send none.
- **Host.** A server bound to loopback answers only requests addressed to a loopback name, so a DNS
  rebinding page (``evil.example`` resolving to 127.0.0.1) is refused before the token is even checked.
- **Sources.** Asking the server to open a path, URL or device is off unless ``--allow-source`` names a
  folder (paths are resolved, symlinks included, and must stay inside it), a device or file (exact), or
  a URL prefix. The refusal is the same whether or not the path exists, so nothing leaks about the disk.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.responses import PlainTextResponse

from ..core.errors import InputError

UNSAFE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
MIN_TOKEN_CHARS = 16  # for a server reachable from other machines
LOOPBACK_NAMES = ("localhost",)

#: the page's scripts and styles are files of its own, so the policy allows no inline code at all
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
       "media-src 'self' blob: mediastream:; connect-src 'self' {ws}; base-uri 'none'; form-action 'none'; "
       "frame-ancestors 'none'")


class SecurityError(InputError):
    """A server setting that would be unsafe (raised at start-up, before anything listens)."""


def is_loopback(host: str) -> bool:
    """True for ``localhost``, ``127.0.0.0/8`` and ``::1`` (with or without brackets)."""
    host = host.strip("[]").lower()
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def new_token() -> str:
    return secrets.token_urlsafe(24)


def check_token(token: str | None, host: str, no_token: bool) -> str | None:
    """The token a server at ``host`` runs with: the given one (checked), none when ``no_token`` on
    loopback, or a fresh random one. Raises :class:`SecurityError` with what to change."""
    if no_token:
        if token:
            raise SecurityError("give either --token or --no-token, not both")
        if not is_loopback(host):
            raise SecurityError(f"--no-token is allowed on loopback only; binding to {host} needs a token")
        return None
    if token is None:
        return new_token()
    if not token.strip() or token != token.strip() or any(c.isspace() for c in token):
        raise SecurityError("the token must be non-empty and contain no whitespace")
    if not is_loopback(host) and len(token) < MIN_TOKEN_CHARS:
        raise SecurityError(f"binding to {host} needs a token of at least {MIN_TOKEN_CHARS} characters "
                            "(omit --token to get a random one)")
    return token


def _netloc(origin: str) -> str:
    parts = urlsplit(origin)
    return parts.netloc.lower() if parts.scheme in ("http", "https") else ""


@dataclass
class AccessPolicy:
    """Checks every HTTP request and WebSocket handshake (see the module docstring)."""

    token: str | None = None
    loopback_only_hosts: bool = True  # the server is bound to loopback: refuse non-loopback Host headers
    allow_origins: tuple[str, ...] = ()  # extra browser origins allowed on the WebSocket ("*": any)

    def refuse_host(self, host_header: str | None) -> str | None:
        if not self.loopback_only_hosts or host_header is None:
            return None
        name = urlsplit(f"//{host_header}").hostname or ""
        if is_loopback(name):
            return None
        return f"Host {host_header!r} is not a loopback name (this server is bound to loopback)"

    def refuse_origin(self, origin: str | None, host_header: str | None) -> str | None:
        """None when allowed: no Origin (not a browser), same origin, or one named in ``allow_origins``."""
        if origin is None:
            return None
        if "*" in self.allow_origins or origin.rstrip("/") in {o.rstrip("/") for o in self.allow_origins}:
            return None
        if host_header and _netloc(origin) == host_header.lower():
            return None
        return f"origin {origin!r} is not allowed (same origin only; extend with --allow-origin)"

    def authorized(self, given: str | None) -> bool:
        if not self.token:
            return True
        return bool(given) and secrets.compare_digest(given.encode(), self.token.encode())

    def allows(self, headers, params) -> bool:
        """The request's token (``?token=`` or ``Authorization: Bearer``) is the right one, or none is needed."""
        return self.authorized(params.get("token") or headers.get("authorization", "").removeprefix("Bearer ").strip())


@dataclass
class SourcePolicy:
    """Which server-side sources a client may ask for: folders, exact files/devices, URL prefixes."""

    folders: list[Path] = field(default_factory=list)
    exact: set[str] = field(default_factory=set)  # files or devices, by resolved path
    url_prefixes: list[str] = field(default_factory=list)

    @classmethod
    def parse(cls, entries: list[str] | tuple[str, ...]) -> SourcePolicy:
        """``--allow-source`` values: an existing folder, an existing file or device, or a URL prefix
        (``rtsp://camera.local/``). Raises :class:`SecurityError` for anything else."""
        policy = cls()
        for e in entries:
            if "://" in e:
                if urlsplit(e).scheme not in ("rtsp", "rtsps", "http", "https", "rtmp", "srt", "udp", "tcp"):
                    raise SecurityError(f"--allow-source {e!r}: unsupported URL scheme")
                policy.url_prefixes.append(e)
                continue
            p = Path(e).expanduser()
            if not p.exists():
                raise SecurityError(f"--allow-source {e!r}: no such folder, file or device")
            (policy.folders.append(p.resolve()) if p.is_dir() else policy.exact.add(str(p.resolve())))
        return policy

    @property
    def enabled(self) -> bool:
        return bool(self.folders or self.exact or self.url_prefixes)

    def resolve(self, path: str, fmt: str | None = None) -> str:
        """The path or URL to open, or ``PermissionError`` with one message for every refusal (a path
        outside the allowed folders reads the same whether it exists or not)."""
        refused = PermissionError("source not allowed: this server reads only the folders, files, devices and "
                                  "URL prefixes given to --allow-source")
        if not self.enabled:
            raise PermissionError("this server reads no sources (start it with --allow-source FOLDER|DEVICE|URL)")
        if "://" in path:
            if fmt is None and any(path.startswith(p) for p in self.url_prefixes):
                return path
            raise refused
        if "\x00" in path:
            raise refused
        candidates = [Path(path)] if os.path.isabs(path) else [f / path for f in self.folders]
        for c in candidates:
            real = os.path.realpath(c)
            if real in self.exact:
                return real
            if fmt is None and any(Path(real).is_relative_to(f) for f in self.folders):
                return real
        raise refused


class Guard:
    """ASGI middleware in front of every route: refuses a non-loopback ``Host`` on a loopback server
    (DNS rebinding), and a foreign ``Origin`` on a WebSocket handshake or a state-changing request (POST, PUT,
    PATCH, DELETE: cross-site request forgery), before any handler runs; puts the security headers (CSP, no
    referrer: the page's URL carries the token) on every HTTP response. Used by ``serve`` and ``arena``."""

    def __init__(self, app, policy: AccessPolicy):
        self.app, self.policy = app, policy

    async def __call__(self, scope, receive, send):
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        headers = Headers(scope=scope)
        host = headers.get("host")
        reason = self.policy.refuse_host(host)
        if reason is None and (scope["type"] == "websocket" or scope.get("method") in UNSAFE_METHODS):
            reason = self.policy.refuse_origin(headers.get("origin"), host)
        if reason is not None:
            if scope["type"] == "websocket":  # a close before accept: the handshake gets HTTP 403
                await send({"type": "websocket.close", "code": 1008, "reason": reason[:120]})
            else:
                await PlainTextResponse(f"forbidden: {reason}", status_code=403)(scope, receive, send)
            return

        async def secured(message):
            if message["type"] == "http.response.start":
                extra = [(b"content-security-policy", CSP.format(ws=f"ws://{host} wss://{host}").encode("latin-1")),
                         (b"referrer-policy", b"no-referrer"), (b"x-content-type-options", b"nosniff"),
                         (b"x-frame-options", b"DENY"), (b"cache-control", b"no-store")]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, secured)


def add_page(app, static: Path, files: dict[str, str]) -> None:
    """The page at ``/`` (``static/index.html``) and its own script and styles at ``/static/NAME``. Only the
    names in ``files`` are served (name -> media type): no path from a client reaches the disk."""
    from fastapi.responses import FileResponse, HTMLResponse

    @app.get("/", response_class=HTMLResponse)
    def page() -> str:
        return (static / "index.html").read_text()

    @app.get("/static/{name}")
    def static_file(name: str):
        if name not in files:
            return PlainTextResponse("not found", status_code=404)
        return FileResponse(static / name, media_type=files[name])
