"""整改台账 pages: every unit's ledger (市局) or the own township's, one record with its forms —
open, progress with photos, request 销号, the 市局's decision, reopen — and the upper level's
answer on a reported patch.

Every record is reached through its patch: outside the account's scope it answers 404, exactly
like a patch that does not exist. The services check roles and states; a refusal renders the
error page in Chinese and writes nothing.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile

from weipian.config import files_dir
from weipian.domain import clock
from weipian.domain.ledger import METHOD_LABELS, RECORD_STATE_LABELS, RecordState
from weipian.domain.workflow import TRANSITIONS, Action, State
from weipian.errors import InputError, PermissionDenied
from weipian.services import ledger, workflow
from weipian.services.access import Scope
from weipian.services.ledger_records import find_record, history, list_records
from weipian.services.queries.scope import get_patch
from weipian.services.units import unit_filter, unit_names
from weipian.services.users import Account
from weipian.storage.splits import parts_of
from weipian.storage.store import Store
from weipian.web.auth import check_csrf, flash
from weipian.web.deps import CheckCsrf, CurrentUser, RulesDep, ScopeDep, SettingsDep, StoreDep, Today
from weipian.web.export import (
    LEDGER_GROUPS,
    attachment,
    export_name,
    ledger_table,
    scope_label,
    table_workbook,
    township_name,
)
from weipian.web.settings import WebSettings
from weipian.web.templating import templates

router = APIRouter()
MAX_FILES = 12
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _now() -> dt.datetime:
    return clock.now()


@router.get("/ledger")
def ledger_list(
    request: Request, user: CurrentUser, scope: ScopeDep, store: StoreDep, today: Today,
    state: str | None = None, unit: str | None = None,
) -> Response:  # fmt: skip
    if scope.nothing or scope.department is not None:
        items = []
    else:
        state = state if state in {s.value for s in RecordState} else None
        with store.reading() as session:
            chosen: str | None = None
            covers: frozenset[str] | None = (
                scope.townships
            )  # a township account: its unit's, whatever ?unit says
            if covers is None:
                chosen, covers = unit_filter(session, unit)
            items = list_records(session, unit=chosen, townships=covers, state=state,
                                 include_restricted=scope.restricted)  # fmt: skip
    context = {"items": items, "state": state, "states": RECORD_STATE_LABELS, "today": today, "scope": scope,
               "methods": METHOD_LABELS, "unit": None if scope.townships is not None else unit}  # fmt: skip
    return templates.TemplateResponse(request, "ledger/list.html", context)


@router.get("/ledger/export.xlsx")
def ledger_export(
    user: CurrentUser, scope: ScopeDep, store: StoreDep, today: Today, state: str | None = None,
    unit: str | None = None,
) -> Response:  # fmt: skip
    """The ledger list as the page shows it (same filter and scope), minus restricted patches; the
    file name names the unit and the state."""
    if scope.nothing or scope.department is not None:
        raise PermissionDenied("ledger.export_forbidden")
    state = state if state in {s.value for s in RecordState} else None
    with store.reading() as session:
        # A township account gets its unit's rows whatever ?unit says, as on the page.
        chosen, covers = (
            (None, scope.townships) if scope.townships is not None else unit_filter(session, unit)
        )
        items = list_records(session, unit=chosen, townships=covers, state=state, include_restricted=False,
                             exportable=True, limit=None)  # fmt: skip
        place = unit_names(session).get(chosen, township_name(chosen)) if chosen else scope_label(scope)
    rows = ledger_table(items, METHOD_LABELS)
    kept = RECORD_STATE_LABELS[RecordState(state)] if state else "全部"
    with tempfile.TemporaryDirectory() as tmp:
        path = table_workbook(
            Path(tmp) / "ledger.xlsx", "查处整改台账", LEDGER_GROUPS, rows, filter_label=f"{place}，{kept}",
            today=today, area_columns=frozenset(range(7, 12)), totals=_column_sums(rows, range(6, 11), offset=1),
        )  # fmt: skip
        body = path.read_bytes()
    filename = export_name("查处整改台账", place, kept, today=today)
    return Response(body, media_type=XLSX, headers={"Content-Disposition": attachment(filename)})


def _column_sums(rows: list[list[Any]], columns: range, *, offset: int) -> dict[int, float]:
    """Sums of ``columns`` of ``rows``, keyed by their place in the sheet (``offset``: 序号)."""
    return {c + offset: sum(r[c] or 0.0 for r in rows) for c in columns}


def _may(user: Account, action: Action, patch: Any) -> bool:
    return user.actor.may(action, patch.township_code) and (State(patch.state), action) in TRANSITIONS


@router.get("/ledger/{patch_id}")
def ledger_page(
    request: Request, patch_id: int, user: CurrentUser, scope: ScopeDep, store: StoreDep, rules: RulesDep,
    today: Today,
) -> Response:  # fmt: skip
    with store.reading() as session:
        patch = get_patch(session, patch_id, scope)  # 404 outside the scope
        record = find_record(session, patch_id, user.actor)
        entries, requests = history(session, record) if record else ([], [])
        parts = [(p.id, p.patch_code) for p in parts_of(session, patch.id)]  # a split patch: its parts'
    state = record.state if record else None
    context = {
        "p": patch, "r": record, "entries": entries, "requests": requests, "today": today,
        "methods": METHOD_LABELS, "measures": rules.labels("rectification_measure", today),
        "reasons": rules.close_out_reasons(today),
        "reason_labels": {x.code: x.label for x in rules.close_out_reasons(today)},
        "parts": parts,
        "can_open": record is None and not parts and _may(user, Action.rectification_start, patch),
        "can_progress": state is RecordState.rectifying and _may(user, Action.rectification_progress, patch),
        "can_request": state is RecordState.rectifying and _may(user, Action.close_out_request, patch),
        "can_decide": state is RecordState.requested and _may(user, Action.close_out_approve, patch),
        "can_reopen": state is RecordState.closed and _may(user, Action.close_out_reopen, patch),
    }  # fmt: skip
    return templates.TemplateResponse(request, "ledger/detail.html", context)


def _back(patch_id: int) -> Response:
    return RedirectResponse(f"/ledger/{patch_id}", status_code=303)


@router.post("/ledger/{patch_id}/open", dependencies=[CheckCsrf])
def open_record(
    request: Request, patch_id: int, user: CurrentUser, scope: ScopeDep, store: StoreDep, rules: RulesDep,
    today: Today, responsible: Annotated[str, Form()] = "", deadline: Annotated[str, Form()] = "",
    measures: Annotated[list[str] | None, Form()] = None, major_case: Annotated[str, Form()] = "",
) -> Response:  # fmt: skip
    due = _date(deadline)
    with store.writing() as session:
        get_patch(session, patch_id, scope)
        ledger.open_record(
            session, patch_id, responsible=responsible, measures=list(measures or []), deadline=due,
            actor=user.actor, rules=rules, on=today, at=_now(), major_case=bool(major_case),
        )  # fmt: skip
    flash(request, "ledger.opened")
    return _back(patch_id)


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise InputError("date.invalid", value=text) from None


def _area(form: FormData, name: str) -> float | None:
    value = form.get(name)
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        return float(value.replace(",", "").strip())
    except ValueError:
        raise InputError("ledger.area_not_number", value=value[:40]) from None


async def _files(form: FormData, name: str) -> list[tuple[str, bytes]]:
    uploads = [f for f in form.getlist(name) if isinstance(f, UploadFile) and (f.filename or f.size)]
    if len(uploads) > MAX_FILES:
        raise InputError("ledger.too_many_files", count=len(uploads), max=MAX_FILES)
    return [(f.filename or "", await f.read()) for f in uploads]


async def _multipart(request: Request, settings: WebSettings) -> FormData:
    max_bytes = settings.upload_max_mb * 2**20
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > max_bytes * MAX_FILES + 2**20:  # before reading the body
        raise InputError("evidence.request_too_large", limit_mb=settings.upload_max_mb, files=MAX_FILES)
    form = await request.form()
    token = form.get("csrf_token")
    check_csrf(request, token if isinstance(token, str) else None)
    return form


def _check_scope(store: Store, patch_id: int, scope: Scope) -> None:
    with store.reading() as session:
        get_patch(session, patch_id, scope)


@router.post("/ledger/{patch_id}/progress")
async def progress(
    request: Request, patch_id: int, user: CurrentUser, scope: ScopeDep, store: StoreDep,
    settings: SettingsDep, today: Today,
) -> Response:  # fmt: skip
    form = await _multipart(request, settings)
    try:
        await run_in_threadpool(_check_scope, store, patch_id, scope)
        areas = ledger.AreaInput(
            _area(form, "demolished"), _area(form, "demolished_farmland"), _area(form, "regularised"),
            _area(form, "regularised_farmland"),
        )  # fmt: skip
        note = form.get("note")
        photos = await _files(form, "photos")
        await run_in_threadpool(
            lambda: ledger.record_progress(
                store, files_dir(settings), patch_id, areas=areas, note=note if isinstance(note, str) else None,
                photos=photos, actor=user.actor, on=today, at=_now(), max_bytes=settings.upload_max_mb * 2**20,
                max_distance_m=settings.photo_max_distance_m,
            )
        )  # fmt: skip
    finally:
        await form.close()
    flash(request, "ledger.progress_saved")
    return _back(patch_id)


@router.post("/ledger/{patch_id}/close")
async def request_close_out(
    request: Request, patch_id: int, user: CurrentUser, scope: ScopeDep, store: StoreDep,
    settings: SettingsDep,
) -> Response:  # fmt: skip
    form = await _multipart(request, settings)
    try:
        await run_in_threadpool(_check_scope, store, patch_id, scope)
        note = form.get("note")
        evidence = await _files(form, "evidence")
        await run_in_threadpool(
            lambda: ledger.request_close_out(
                store, files_dir(settings), patch_id, evidence=evidence,
                note=note if isinstance(note, str) else None, actor=user.actor, at=_now(),
                max_bytes=settings.upload_max_mb * 2**20, max_distance_m=settings.photo_max_distance_m,
            )
        )  # fmt: skip
    finally:
        await form.close()
    flash(request, "ledger.requested")
    return _back(patch_id)


@router.post("/ledger/{patch_id}/decide", dependencies=[CheckCsrf])
def decide(
    request: Request, patch_id: int, user: CurrentUser, scope: ScopeDep, store: StoreDep, rules: RulesDep,
    today: Today, decision: Annotated[str, Form()] = "", reason: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
) -> Response:  # fmt: skip
    approve = decision == "approve"
    with store.writing() as session:
        get_patch(session, patch_id, scope)
        ledger.decide_close_out(
            session, patch_id, approve=approve, reason=reason or None, note=note, actor=user.actor, rules=rules,
            on=today, at=_now(),
        )  # fmt: skip
    flash(request, "ledger.approved" if approve else "ledger.returned")
    return _back(patch_id)


@router.post("/ledger/{patch_id}/reopen", dependencies=[CheckCsrf])
def reopen(
    request: Request, patch_id: int, user: CurrentUser, scope: ScopeDep, store: StoreDep,
    reason: Annotated[str, Form()] = "",
) -> Response:  # fmt: skip
    with store.writing() as session:
        get_patch(session, patch_id, scope)
        ledger.reopen(session, patch_id, reason=reason, actor=user.actor, at=_now())
    flash(request, "ledger.reopened")
    return _back(patch_id)


@router.post("/patches/{patch_id}/upper", dependencies=[CheckCsrf])
def upper_level(
    request: Request, patch_id: int, user: CurrentUser, scope: ScopeDep, store: StoreDep, rules: RulesDep,
    today: Today, decision: Annotated[str, Form()] = "", reasons: Annotated[list[str] | None, Form()] = None,
) -> Response:  # fmt: skip
    """上级通过 / 上级退回 with reason codes, recorded by a 市局 account."""
    accepted = decision == "accept"
    chosen = [r for r in (reasons or []) if r]
    with store.writing() as session:
        patch = get_patch(session, patch_id, scope)
        if not accepted and not chosen:
            raise InputError("review.reason_needed")
        workflow.check_review_reasons(chosen, passed=accepted, rules=rules, on=today)
        workflow.upper_level(
            session, patch, accepted=accepted, reasons=chosen, actor=user.actor, rules=rules, on=today
        )
    flash(request, "upper.accepted" if accepted else "upper.returned")
    return RedirectResponse(f"/patches/{patch_id}#upper", status_code=303)
