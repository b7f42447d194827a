"""HTTP protections of the ingress: upload size while streaming, cross-site requests, API keys,
security headers, CORS.
Pure ASGI/Starlette, configured by the Ingress replica that serves the request (its `guard`, made in
its constructor from what was bound or from the replica's environment, deployments/environment.py):
Serve pickles the FastAPI app in the process that builds the graph, so the app and its middleware
can hold no settings of their own. (Request ids: Serve's proxy takes the caller's `X-Request-ID`,
or makes one, puts it in every log line and returns it.)"""

from __future__ import annotations

import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from fastapi import HTTPException, Request
from starlette.middleware.cors import CORSMiddleware
from ray import serve
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .environment import AccessEnvironment

PUBLIC_PATHS = ("/api/health",)  # health and its sub-paths never need a key
PAGE_PATHS = frozenset({"/", "/static/advice_codes.js", "/static/app.js", "/static/app.css"})  # the page holds no data; it asks for the key
SECURITY_HEADERS = {
    b"x-content-type-options": b"nosniff",
    b"x-frame-options": b"DENY",
    b"referrer-policy": b"no-referrer",
}


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_DEFAULT_PORTS = {"http": "80", "https": "443"}


def _origin_key(scheme: str, netloc: str) -> str:
    """'host:port' with the scheme's default port filled in, so 'http://x' and Host 'x:80' agree."""
    try:
        parts = urlsplit("//" + netloc)
        return f"{parts.hostname or ''}:{parts.port or _DEFAULT_PORTS.get(scheme, '')}"
    except ValueError:  # a port that is no number
        return netloc.lower()


@dataclass(frozen=True)
class GuardSettings:
    access: AccessEnvironment
    max_body_bytes: int  # the upload limit (limits.max_upload_mb)


def replica_guard() -> GuardSettings:
    """The settings of the Ingress this replica runs (set in its constructor, before any request)."""
    return serve.get_replica_context().servable_object.guard


def cross_site_refusal(scope: Scope, allowed_origins: tuple[str, ...] = ()) -> str | None:
    """Why a state-changing request (POST, DELETE, ...) is refused as cross-site, or None.

    A browser names the page that sends a request in `Origin` (and says `Sec-Fetch-Site`); a page
    on another site may send a plain form post here without CORS ever being asked, so such a
    request is refused unless it comes from this service's own origin (the Host it was sent to)
    or one in HIENFELD_CORS_ORIGINS. Requests without `Origin` (curl, httpx, scripts) are no
    browser's cross-site requests and keep working, with or without keys."""
    if scope.get("method", "GET").upper() in SAFE_METHODS:
        return None
    headers = {k.lower(): v for k, v in scope.get("headers") or []}
    origin = headers.get(b"origin", b"").decode("latin-1").strip()
    fetch_site = headers.get(b"sec-fetch-site", b"").decode("latin-1").strip().lower()
    if not origin:
        if fetch_site in ("cross-site", "same-site"):
            return "een verzoek van een andere website"
        return None
    if origin.rstrip("/") in allowed_origins:
        return None
    parts = urlsplit(origin)
    if origin == "null" or not parts.netloc:
        return "een verzoek zonder herkenbare herkomst (Origin: null)"
    own_hosts = [headers.get(b"host", b""), headers.get(b"x-forwarded-host", b"")]
    own = {_origin_key(parts.scheme, h.decode("latin-1").split(",")[0].strip()) for h in own_hosts if h}
    if _origin_key(parts.scheme, parts.netloc) in own:
        return None
    return f"een verzoek van een andere website ({origin})"


class GuardMiddleware:
    """Refuses cross-site state-changing requests (403) and bodies above `max_body_bytes` as they
    stream in (413, before all of it is read), and adds security headers to every response."""

    def __init__(self, app: ASGIApp, settings: Callable[[], GuardSettings] = replica_guard):
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        guard = self.settings()
        self.max_body_bytes = guard.max_body_bytes
        headers = dict(scope.get("headers") or [])
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message = {**message, "headers": list(message.get("headers", [])) + list(SECURITY_HEADERS.items())}
            await send(message)

        refusal = cross_site_refusal(scope, guard.access.cors_origins)
        if refusal is not None:
            detail = (f"{refusal} is geweigerd: analyses starten en caches beheren kan alleen vanaf de pagina van "
                      "deze dienst, een oorsprong in HIENFELD_CORS_ORIGINS of een script zonder Origin-header")
            await _answer(send_with_headers, 403, detail)
            return
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_body_bytes:
            await self._refuse(send_with_headers)
            return
        seen = 0
        refused = False

        async def counting_receive() -> Message:
            nonlocal seen, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_body_bytes and not started:
                    # Answer now and tell the app the client left, so it stops reading the body.
                    refused = True
                    await self._refuse(send_with_headers)
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            if not refused:
                await send_with_headers(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except Exception:
            if not refused:
                raise

    async def _refuse(self, send: Send) -> None:
        mb = self.max_body_bytes / 1024 / 1024
        await _answer(send, 413, f"upload te groot: de grens is {mb:.0f} MB (HIENFELD_MAX_UPLOAD_MB)")


async def _answer(send: Send, status: int, detail: str) -> None:
    body = json.dumps({"detail": detail}, ensure_ascii=False).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


class ConfiguredCORS:
    """CORS for the origins in HIENFELD_CORS_ORIGINS (comma-separated); none set, no CORS headers."""

    def __init__(self, app: ASGIApp, settings: Callable[[], GuardSettings] = replica_guard):
        self.app = app
        self.settings = settings
        self._inner: ASGIApp | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):  # lifespan: before the replica's settings exist
            await self.app(scope, receive, send)
            return
        if self._inner is None:
            origins = list(self.settings().access.cors_origins)
            self._inner = CORSMiddleware(
                self.app, allow_origins=origins, allow_methods=["GET", "POST", "DELETE"],
                allow_headers=["Authorization", "X-API-Key", "Content-Type", "X-Request-ID"],
            ) if origins else self.app
        await self._inner(scope, receive, send)


def docs_enabled() -> bool:
    return replica_guard().access.docs


def _presented_key(request: Request) -> str:
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    return request.headers.get("x-api-key", "")


def _check(request: Request, expected: str, what: str) -> None:
    if not hmac.compare_digest(_presented_key(request).encode(), expected.encode()):
        raise HTTPException(status_code=401, detail=f"{what} vereist: stuur 'Authorization: Bearer <sleutel>' "
                                                    "of 'X-API-Key: <sleutel>'",
                            headers={"WWW-Authenticate": "Bearer"})


def require_api_key(request: Request) -> None:
    """With HIENFELD_API_KEY set, every /api endpoint except health needs it (or the admin key)."""
    access = replica_guard().access
    api_key = access.api_key
    path = request.url.path
    if not api_key or path.startswith(PUBLIC_PATHS) or path in PAGE_PATHS:
        return
    admin_key = access.admin_key
    if admin_key and hmac.compare_digest(_presented_key(request).encode(), admin_key.encode()):
        return
    _check(request, api_key, "API-sleutel")


def require_admin_key(request: Request) -> None:
    """Cache clear/delete need HIENFELD_ADMIN_KEY when it is set."""
    admin_key = replica_guard().access.admin_key
    if admin_key:
        _check(request, admin_key, "beheerderssleutel")
