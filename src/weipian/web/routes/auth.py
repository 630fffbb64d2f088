"""Sign in and out."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from weipian.domain.roles import Role
from weipian.errors import PermissionDenied
from weipian.messages import message as say
from weipian.services.users import authenticate, end_sessions
from weipian.web.auth import USER, flash, log_in, log_out
from weipian.web.deps import CheckCsrf, StoreDep
from weipian.web.templating import templates

router = APIRouter()


def safe_next(target: str | None) -> str:
    """Only a path on this site (no scheme, no host) is followed after signing in."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


@router.get("/login")
def login_page(request: Request, next: str | None = None) -> Response:
    return templates.TemplateResponse(request, "login.html", {"next": safe_next(next), "error": None})


@router.post("/login", dependencies=[CheckCsrf])
def login(
    request: Request,
    store: StoreDep,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    address = request.client.host if request.client else None
    try:
        account = authenticate(store, username, password, address=address) if username and password else None
    except PermissionDenied as exc:  # locked out: say so, with when to try again
        context = {"next": safe_next(next), "error": say(exc.code, **exc.params), "username": username}
        return templates.TemplateResponse(request, "login.html", context, status_code=429)
    if account is None:
        context = {"next": safe_next(next), "error": say("auth.failed"), "username": username}
        return templates.TemplateResponse(request, "login.html", context, status_code=401)
    log_in(request, account)
    target = safe_next(next)
    if target == "/" and account.role is Role.department:  # a liaison's work is its referrals
        target = "/referrals"
    return RedirectResponse(target, status_code=303)


@router.post("/logout", dependencies=[CheckCsrf])
def logout(request: Request, store: StoreDep) -> Response:
    user_id = request.session.get(USER)
    if isinstance(user_id, int):  # a copy of this cookie must not outlive the logout
        with store.writing() as session:
            end_sessions(session, user_id)
    log_out(request)
    flash(request, "auth.logged_out")
    return RedirectResponse("/login", status_code=303)
