"""HTTP protections of the ingress: upload size while streaming, API keys, security headers, CORS.
Pure ASGI/Starlette, configured from the replica's environment when a request arrives: Serve
pickles the FastAPI app in the process that builds the graph, so anything read at construction
would carry that process's settings instead of the replica's. (Request ids: Serve's proxy takes the
caller's `X-Request-ID`, or makes one, puts it in every log line and returns it.)"""

from __future__ import annotations

import hmac
import os

from fastapi import HTTPException, Request
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hienfeld.config import load_settings

PUBLIC_PATHS = ("/api/health",)  # health and its sub-paths never need a key
PAGE_PATHS = frozenset({"/", "/static/app.js", "/static/app.css"})  # the page holds no data; it asks for the key
SECURITY_HEADERS = {
    b"x-content-type-options": b"nosniff",
    b"x-frame-options": b"DENY",
    b"referrer-policy": b"no-referrer",
}


class GuardMiddleware:
    """Refuses bodies above `max_body_bytes` as they stream in (413, before all of it is read) and
    adds security headers to every response."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        self.max_body_bytes = load_settings().limits.max_upload_bytes
        headers = dict(scope.get("headers") or [])
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message = {**message, "headers": list(message.get("headers", [])) + list(SECURITY_HEADERS.items())}
            await send(message)

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
        body = ('{"detail": "upload too large: the limit is %.0f MB (HIENFELD_MAX_UPLOAD_MB)"}' % mb).encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


class ConfiguredCORS:
    """CORS for the origins in HIENFELD_CORS_ORIGINS (comma-separated); none set, no CORS headers."""

    def __init__(self, app: ASGIApp):
        self.app = app
        self._inner: ASGIApp | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self._inner is None:
            origins = [o.strip() for o in os.environ.get("HIENFELD_CORS_ORIGINS", "").split(",") if o.strip()]
            self._inner = CORSMiddleware(
                self.app, allow_origins=origins, allow_methods=["GET", "POST", "DELETE"],
                allow_headers=["Authorization", "X-API-Key", "Content-Type", "X-Request-ID"],
            ) if origins else self.app
        await self._inner(scope, receive, send)


def docs_enabled() -> bool:
    return os.environ.get("HIENFELD_ENABLE_DOCS", "").lower() in ("1", "true", "yes")


def _presented_key(request: Request) -> str:
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    return request.headers.get("x-api-key", "")


def _check(request: Request, expected: str, what: str) -> None:
    if not hmac.compare_digest(_presented_key(request).encode(), expected.encode()):
        raise HTTPException(status_code=401, detail=f"{what} required: send 'Authorization: Bearer <key>' "
                                                    "or 'X-API-Key: <key>'",
                            headers={"WWW-Authenticate": "Bearer"})


def require_api_key(request: Request) -> None:
    """With HIENFELD_API_KEY set, every /api endpoint except health needs it (or the admin key)."""
    api_key = os.environ.get("HIENFELD_API_KEY")
    path = request.url.path
    if not api_key or path.startswith(PUBLIC_PATHS) or path in PAGE_PATHS:
        return
    admin_key = os.environ.get("HIENFELD_ADMIN_KEY")
    if admin_key and hmac.compare_digest(_presented_key(request).encode(), admin_key.encode()):
        return
    _check(request, api_key, "API key")


def require_admin_key(request: Request) -> None:
    """Cache clear/delete need HIENFELD_ADMIN_KEY when it is set."""
    admin_key = os.environ.get("HIENFELD_ADMIN_KEY")
    if admin_key:
        _check(request, admin_key, "admin key")
