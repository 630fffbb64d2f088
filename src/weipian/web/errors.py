"""WeipianError → HTTP status, in one dict, and the installer of the handlers.

Pages get a Chinese error page, HTMX requests an alert fragment, ``/api/`` a JSON body shaped
like the CLI's: ``{"error": {"code": …, "message": …}}``. A request without a session is sent
to the login page (HTMX: ``HX-Redirect``; API: 401).
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.exc import DataError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from weipian.errors import Conflict, InputError, NotFound, PermissionDenied, TransitionRefused, WeipianError
from weipian.messages import message as say
from weipian.web.templating import templates

STATUS: dict[type[WeipianError], int] = {
    InputError: 422,
    NotFound: 404,
    Conflict: 409,
    TransitionRefused: 409,
    PermissionDenied: 403,
    WeipianError: 400,
}

HTTP_MESSAGES = {
    404: "页面不存在：地址可能有误，或该图斑不在您的查看范围内。",
    405: "该地址不能这样打开。请从页面上的按钮或链接进入。",
}


class LoginRequired(Exception):
    """No valid session: the user must sign in."""


def status_of(exc: WeipianError) -> int:
    for cls in type(exc).__mro__:
        if cls in STATUS:
            return STATUS[cls]  # type: ignore[index]
    return 400


def _known_user(request: Request) -> None:
    """Find the signed-in account for an error page that no route dependency reached (an unknown
    address, a wrong method), so it keeps the navigation; through the same check as every page."""
    if getattr(request.state, "user", None) is not None or "session" not in request.scope:
        return
    from weipian.web.deps import current_user_or_none  # deps imports this module's LoginRequired

    current_user_or_none(request)


def render_error(request: Request, status: int, code: str, text: str) -> Response:
    """The error in the form the request expects."""
    if request.url.path.startswith("/api/"):
        return JSONResponse({"error": {"code": code, "message": text}}, status_code=status)
    _known_user(request)
    context: dict[str, Any] = {"status": status, "code": code, "text": text}
    name = "_partials/error.html" if request.headers.get("HX-Request") else "error.html"
    return templates.TemplateResponse(request, name, context, status_code=status)


def _weipian_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, WeipianError)
    return render_error(request, status_of(exc), exc.code, say(exc.code, **exc.params))


def _login_required(request: Request, exc: Exception) -> Response:
    if request.url.path.startswith("/api/"):
        return render_error(request, 401, "auth.required", say("auth.required"))
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    login = f"/login?next={quote(target, safe='')}"
    if request.headers.get("HX-Request"):
        return Response(status_code=401, headers={"HX-Redirect": login})
    return RedirectResponse(login, status_code=303)


def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    fields = "、".join(".".join(str(p) for p in e.get("loc", ())[1:]) or "请求" for e in exc.errors())
    return render_error(request, 422, "request.invalid", say("request.invalid", detail=fields))


def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    text = HTTP_MESSAGES.get(exc.status_code, f"请求失败（{exc.status_code}）。")
    return render_error(request, exc.status_code, f"http.{exc.status_code}", text)


def _database_unavailable(request: Request, exc: Exception) -> Response:
    """SQLite busy past its timeout (another process writing, e.g. a large import), or the
    database server unreachable: nothing was saved; say so and ask to retry."""
    logging.getLogger("weipian.web").warning("database unavailable: %s", exc)
    code = "database.busy" if "locked" in str(exc).lower() else "database.unavailable"
    response = render_error(request, 503, code, say(code))
    response.headers["Retry-After"] = "10"
    return response


def _out_of_range(request: Request, exc: Exception) -> Response:
    """A number no database column can hold (an id ≥ 2⁶³ in a form or query): nothing has it."""
    return render_error(request, 404, "http.404", HTTP_MESSAGES[404])


def install_error_handlers(app: FastAPI) -> None:
    """Register every handler above on ``app``."""
    app.add_exception_handler(WeipianError, _weipian_error)
    app.add_exception_handler(LoginRequired, _login_required)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(OperationalError, _database_unavailable)
    app.add_exception_handler(OverflowError, _out_of_range)
    app.add_exception_handler(DataError, _out_of_range)
