"""移送与抄告: the referral list, a new referral from the patch page, a department's feedback."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from weipian.domain.referrals import ReferralKind, departments
from weipian.errors import PermissionDenied
from weipian.services.export import withheld_ids
from weipian.services.queries.referrals import LIST_LIMIT, STATUS_FILTERS, overdue_count, scoped_referrals
from weipian.services.queries.scope import get_patch
from weipian.services.referrals import give_feedback, may_answer, refer
from weipian.web.auth import flash
from weipian.web.deps import CheckCsrf, CurrentUser, ScopeDep, StoreDep, Today
from weipian.web.export import (
    REFERRAL_GROUPS,
    attachment,
    export_name,
    referral_table,
    scope_label,
    table_workbook,
)
from weipian.web.routes.auth import safe_next
from weipian.web.templating import templates

router = APIRouter()
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get("/referrals")
def referral_list(
    request: Request, user: CurrentUser, scope: ScopeDep, store: StoreDep, today: Today,
    status: str | None = None, department: str | None = None,
) -> Response:  # fmt: skip
    status = status if status in STATUS_FILTERS else None
    known = {d.name for d in departments()}
    dept = department if department in known and scope.department is None else None
    with store.reading() as session:
        items = scoped_referrals(session, scope, today, status=status, department=dept)
        n_overdue = overdue_count(session, scope, today)
    context = {
        "items": items, "status": status, "department": dept, "scope": scope, "today": today,
        "statuses": STATUS_FILTERS, "departments": departments(), "n_overdue": n_overdue,
        "answerable": {r.id for r in items if r.feedback_at is None and may_answer(user, r)},
        "limit": LIST_LIMIT,
    }  # fmt: skip
    return templates.TemplateResponse(request, "referrals/list.html", context)


@router.get("/referrals/export.xlsx")
def referral_export(
    user: CurrentUser, scope: ScopeDep, store: StoreDep, today: Today,
    status: str | None = None, department: str | None = None,
) -> Response:  # fmt: skip
    """The referral list as the page shows it (same filter and scope, without the page's cap),
    minus restricted patches; the file name names the scope, the status and the department."""
    if scope.nothing:
        raise PermissionDenied("referral.export_forbidden")
    status = status if status in STATUS_FILTERS else None
    found = {d.name: d for d in departments()}
    dept = department if department in found and scope.department is None else None
    with store.reading() as session:
        items = scoped_referrals(session, scope, today, status=status, department=dept, limit=None)
        withheld = withheld_ids(session, [r.patch_id for r in items])
    rows = referral_table([r for r in items if r.patch_id not in withheld], today)
    kept = STATUS_FILTERS[status] if status else "全部"
    parts = [scope_label(scope), found[dept].full_name if dept else None, kept]
    with tempfile.TemporaryDirectory() as tmp:
        path = table_workbook(
            Path(tmp) / "referrals.xlsx", "移送抄告清单", REFERRAL_GROUPS, rows,
            filter_label="，".join(p for p in parts if p), today=today,
        )  # fmt: skip
        body = path.read_bytes()
    filename = export_name("移送抄告清单", *parts, today=today)
    return Response(body, media_type=XLSX, headers={"Content-Disposition": attachment(filename)})


@router.post("/patches/{patch_id}/referrals", dependencies=[CheckCsrf])
def new_referral(
    request: Request, patch_id: int, user: CurrentUser, scope: ScopeDep, store: StoreDep, today: Today,
    kind: Annotated[str, Form()] = ReferralKind.referral.value,
    department: Annotated[str, Form()] = "",
    matter: Annotated[str, Form()] = "",
) -> Response:  # fmt: skip
    with store.reading() as session:
        get_patch(session, patch_id, scope)  # 404 outside the account's scope
    r = refer(store, patch_id, kind=kind, department=department, matter=matter, actor=user, today=today)
    flash(request, "referral.created", kind_label=r.kind.label, department=r.department_full_name,
          due=r.due_on.isoformat())  # fmt: skip
    return RedirectResponse(f"/patches/{patch_id}#referrals", status_code=303)


@router.post("/referrals/{referral_id}/feedback", dependencies=[CheckCsrf])
def feedback(
    request: Request, referral_id: int, user: CurrentUser, store: StoreDep,
    text: Annotated[str, Form()] = "", next: Annotated[str, Form()] = "/referrals",
    stage: Annotated[str, Form()] = "办结",
) -> Response:  # fmt: skip
    give_feedback(store, referral_id, text=text, actor=user, stage=stage)
    flash(request, "referral.feedback_saved")
    return RedirectResponse(safe_next(next), status_code=303)
