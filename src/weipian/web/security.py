"""Response headers that keep pages on this site: a Content-Security-Policy allowing only
same-origin scripts, styles, images and connections (the offline rule, enforced by the
browser), no framing by other sites, no MIME sniffing."""

from __future__ import annotations

import logging

from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# The map issue may need more (e.g. worker-src blob: for MapLibre): widen here, never to a host.
CSP = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "font-src 'self'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "form-action 'self'",
    )
)
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
]


MAX_ID = 2**63 - 1  # the largest id either database can hold


def _has_impossible_id(path: str) -> bool:
    """A path segment of digits no database id can equal (≥ 2⁶³): such a thing cannot exist.

    >>> _has_impossible_id("/patches/9223372036854775808"), _has_impossible_id("/patches/12")
    (True, False)
    """
    return any(part.isdigit() and (len(part) > 19 or int(part) > MAX_ID) for part in path.split("/"))


class SecurityHeaders:
    """ASGI middleware adding :data:`HEADERS` to every HTTP response, errors included.

    It sits outside every other part of the app, so it also answers what nothing else may: an
    id no database can hold (404) and an unexpected exception (a Chinese 500 page, logged),
    both with the same headers. Responses that set no ``Cache-Control`` get ``no-store``
    (signed-in pages must not stay in a shared computer's cache); static files keep theirs.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = str(scope.get("path", ""))
        static = path.startswith("/static/")
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = [*message.get("headers", []), *HEADERS]
                if not static and not any(k.lower() == b"cache-control" for k, _ in headers):
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        if _has_impossible_id(path):
            await _plain(404, "http.404", "页面不存在。", path)(scope, receive, send_with_headers)
            return
        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            logging.getLogger("weipian.web").exception("unexpected error on %s", path)
            if started:
                raise
            text = "系统内部错误，本次操作未保存。请稍后重试；如反复出现，请把出现时间告诉系统管理员。"
            await _plain(500, "server.error", text, path)(scope, receive, send_with_headers)


def _plain(status: int, code: str, text: str, path: str) -> Response:
    """An error answered without templates or the session (they may be what failed)."""
    if path.startswith("/api/"):
        return JSONResponse({"error": {"code": code, "message": text}}, status_code=status)
    page = f'<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>{status}</title><p>{text}</p>'
    return HTMLResponse(page, status_code=status)


class BodyTooLarge(Exception):
    """The request body passed the limit while it was being received."""


class BodyLimit:
    """ASGI middleware refusing request bodies over ``max_bytes`` while they stream in.

    A declared Content-Length over the limit is refused before reading; a chunked body (no
    length) is counted message by message and cut off as soon as it passes the limit, so no
    more than the limit is ever read, spooled or written to disk.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        received = 0
        started = False

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge
            return message

        async def watch(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watch)
        except BodyTooLarge:
            if started:
                raise
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        from weipian.messages import message as say

        text = say("request.too_large", limit_mb=f"{self.max_bytes / 2**20:g}")
        response = _plain(413, "request.too_large", text, str(scope.get("path", "")))
        response.headers["Connection"] = "close"
        await response(scope, receive, send)
