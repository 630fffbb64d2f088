"""The home page (dashboard) and a health check."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response

from weipian.messages.labels import DUE_KIND_LABELS
from weipian.services.due import reminders
from weipian.services.queries.dashboard import dashboard
from weipian.web.deps import CurrentUser, ScopeDep, StoreDep, Today
from weipian.web.templating import templates

router = APIRouter()


@router.get("/")
def home(request: Request, user: CurrentUser, scope: ScopeDep, store: StoreDep, today: Today) -> Response:
    with store.reading() as session:
        figures = dashboard(session, scope, today)
        # Reminders are the townships' and the 市局's (a liaison's are its referrals' page).
        due = (
            []
            if scope.nothing or scope.department is not None
            else reminders(session, today=today, unit=scope.unit, include_restricted=scope.restricted)
        )
    return templates.TemplateResponse(
        request,
        "dashboard.html",
        {"d": figures, "counts": dict(figures.by_state), "today": today, "scope": scope, "due": due,
         "due_kinds": DUE_KIND_LABELS},
    )  # fmt: skip


@router.get("/healthz", include_in_schema=False)
def healthz(store: StoreDep) -> Response:
    store.ping()
    return PlainTextResponse("ok")
