"""立案查处 pages: the case list (with the 立案查处台账 and 矿产执法台账 exports) and the case
section's forms on the patch page — file, update, hold persons responsible, confirm or set aside
a suggestion, close.

A patch outside the account's scope answers 404 like one that does not exist; township staff
see their own township's cases and change nothing (the services refuse, 403); a refusal renders
the error page in Chinese and writes nothing.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from weipian.domain import clock
from weipian.domain.cases import CaseKind
from weipian.domain.ledger import CASE_KIND_LABELS, OUTCOME_LABELS
from weipian.domain.workflow import Action
from weipian.errors import InputError
from weipian.messages.labels import CASE_STAGE_LABELS
from weipian.services import cases
from weipian.services.access import Scope
from weipian.services.case_records import CaseRecord, find_case, list_cases
from weipian.services.case_sheet import export_mineral, export_register
from weipian.services.queries.scope import get_patch
from weipian.services.users import Account
from weipian.storage.store import Store
from weipian.web.auth import flash
from weipian.web.deps import CheckCsrf, CurrentUser, RulesDep, ScopeDep, StoreDep, Today
from weipian.web.export import attachment
from weipian.web.templating import templates

router = APIRouter()


async def _form(request: Request) -> FormData:
    return await request.form()


FormDep = Annotated[FormData, Depends(_form)]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _now() -> dt.datetime:
    return clock.now()


def _no_cases(scope: Scope) -> bool:
    return scope.nothing or scope.department is not None


@router.get("/cases")
def case_list(
    request: Request, user: CurrentUser, scope: ScopeDep, store: StoreDep, today: Today,
    kind: str | None = None, open: str | None = None,
) -> Response:  # fmt: skip
    chosen = CaseKind(kind) if kind in {k.value for k in CaseKind} else None
    items: list[CaseRecord] = []
    if not _no_cases(scope):
        with store.reading() as session:
            items = list_cases(session, townships=scope.townships, kind=chosen, include_restricted=scope.restricted,
                               open_only=bool(open))  # fmt: skip
    context = {"items": items, "kind": chosen, "open": bool(open), "kinds": CASE_KIND_LABELS, "scope": scope,
               "today": today, "stages": CASE_STAGE_LABELS, "nothing": _no_cases(scope)}  # fmt: skip
    return templates.TemplateResponse(request, "cases/list.html", context)


@router.get("/cases/export.xlsx")
def case_export(
    user: CurrentUser,
    scope: ScopeDep,
    store: StoreDep,
    rules: RulesDep,
    today: Today,
    kind: str | None = None,
) -> Response:
    if _no_cases(scope):
        raise InputError("case.export_empty")
    mineral = kind == CaseKind.mineral.value
    with tempfile.TemporaryDirectory() as tmp, store.reading() as session:
        path = Path(tmp) / "cases.xlsx"
        if mineral:
            export_mineral(session, path, rules, within=scope.townships, on=today)
        else:
            export_register(session, path, within=scope.townships, on=today)
        body = path.read_bytes()
    name = "矿产执法台账" if mineral else "立案查处台账"
    town = f"_{scope.unit}" if scope.unit else ""
    return Response(
        body,
        media_type=XLSX,
        headers={"Content-Disposition": attachment(f"{name}{town}_{today:%Y%m%d}.xlsx")},
    )


# --- the patch page's section ------------------------------------------------------------------
def case_panel(store: Store, patch: Any, user: Account, rules: Any, today: dt.date) -> dict[str, Any]:
    """What the patch page's 立案查处 section needs (the caller has checked the patch's scope)."""
    if user.actor.role.value == "department":
        return {"show": False}
    with store.reading() as session:
        record = find_case(session, patch.id, user.actor)
        kinds: set[CaseKind] = set()
        hints: list[str] = []
        if record is None:
            kinds, _ = cases.illegal_kinds(session, patch, rules=rules, on=today)
            hints = [o.label for o in cases.suggested_outcomes(session, patch, rules=rules, on=today)]
    may = user.actor.may(Action.case_open, patch.township_code)
    return {
        "show": record is not None or bool(kinds),
        "record": record,
        "kinds": sorted(kinds, key=lambda k: k.value),
        "kind_labels": CASE_KIND_LABELS,
        "hints": hints,
        "can_open": record is None and may and patch.state in {s.value for s in cases.CASE_STATES},
        "can_edit": record is not None and may and record.fields.closed_on is None,
        "can_person": record is not None and may,
        "outcomes": [
            (o, label) for o, label in OUTCOME_LABELS.items() if label in rules.labels("case_outcome", today)
        ],
        "today": today,
    }


def _back(patch_id: int) -> Response:
    return RedirectResponse(f"/patches/{patch_id}#case", status_code=303)


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _date(form: FormData, name: str) -> dt.date | None:
    text = _text(form, name)
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InputError("date.invalid", value=text[:40]) from None


def _amount(form: FormData, name: str, label: str) -> float | None:
    text = _text(form, name).replace(",", "")
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise InputError("case.not_number", field=label, value=text[:40]) from None


def _version(form: FormData) -> int | None:
    text = _text(form, "version")
    return int(text) if text.isdigit() else None


@router.post("/patches/{patch_id}/case/open", dependencies=[CheckCsrf])
def open_case(
    request: Request, patch_id: int, user: CurrentUser, scope: ScopeDep, store: StoreDep, rules: RulesDep,
    today: Today, form: FormDep,
) -> Response:  # fmt: skip
    filed = _date(form, "filed_on")
    if filed is None:
        raise InputError("case.filed_needed")
    with store.writing() as session:
        get_patch(session, patch_id, scope)
        cases.open_case(session, patch_id, case_no=_text(form, "case_no"), filed_on=filed,
                        kind=_text(form, "kind") or None, note=_text(form, "note"), actor=user.actor, rules=rules,
                        on=today, at=_now())  # fmt: skip
    flash(request, "case.opened")
    return _back(patch_id)


@router.post("/patches/{patch_id}/case/update", dependencies=[CheckCsrf])
def update_case(
    request: Request, patch_id: int, user: CurrentUser, scope: ScopeDep, store: StoreDep, rules: RulesDep,
    today: Today, form: FormDep,
) -> Response:  # fmt: skip
    changes: dict[str, Any] = {
        "case_no": _text(form, "case_no"), "filed_on": _date(form, "filed_on"),
        "decision_no": _text(form, "decision_no"), "decision_on": _date(form, "decision_on"),
        "fine_yuan": _amount(form, "fine_yuan", "罚款"), "confiscated_yuan": _amount(form, "confiscated_yuan", "没收金额"),
        "confiscated_area_m2": _amount(form, "confiscated_area_m2", "没收面积"),
        "confiscation": _text(form, "confiscation"), "note": _text(form, "note"),
    }  # fmt: skip
    with store.writing() as session:
        get_patch(session, patch_id, scope)
        cases.update_case(session, patch_id, changes=changes, actor=user.actor, rules=rules, on=today, at=_now(),
                          based_on=_version(form))  # fmt: skip
    flash(request, "case.updated")
    return _back(patch_id)


@router.post("/patches/{patch_id}/case/person", dependencies=[CheckCsrf])
def add_person(
    request: Request, patch_id: int, user: CurrentUser, scope: ScopeDep, store: StoreDep, rules: RulesDep,
    today: Today, form: FormDep,
) -> Response:  # fmt: skip
    with store.writing() as session:
        get_patch(session, patch_id, scope)
        cases.add_person(session, patch_id, name=_text(form, "name"), position=_text(form, "position"),
                         outcome=_text(form, "outcome"), detail=_text(form, "detail"), actor=user.actor, rules=rules,
                         on=today, at=_now())  # fmt: skip
    flash(request, "case.person_added")
    return _back(patch_id)


@router.post("/patches/{patch_id}/case/person/{person_id}", dependencies=[CheckCsrf])
def decide_suggestion(
    request: Request, patch_id: int, person_id: int, user: CurrentUser, scope: ScopeDep, store: StoreDep,
    form: FormDep,
) -> Response:  # fmt: skip
    """Confirm a suggested person (``decision=confirm``) or set it aside (``decision=dismiss``)."""
    decision = _text(form, "decision")
    with store.writing() as session:
        get_patch(session, patch_id, scope)
        if decision == "dismiss":
            cases.dismiss_suggestion(session, patch_id, person_id, reason=_text(form, "reason"), actor=user.actor,
                                     at=_now())  # fmt: skip
        else:
            cases.confirm_person(session, patch_id, person_id, name=_text(form, "name"),
                                 position=_text(form, "position"), detail=_text(form, "detail"), actor=user.actor,
                                 at=_now())  # fmt: skip
    flash(request, "case.suggestion_dismissed" if decision == "dismiss" else "case.person_confirmed_ok")
    return _back(patch_id)


@router.post("/patches/{patch_id}/case/close", dependencies=[CheckCsrf])
def close_case(
    request: Request, patch_id: int, user: CurrentUser, scope: ScopeDep, store: StoreDep, rules: RulesDep,
    today: Today, form: FormDep,
) -> Response:  # fmt: skip
    closed = _date(form, "closed_on")
    if closed is None:
        raise InputError("date.invalid", value="（空）")
    with store.writing() as session:
        get_patch(session, patch_id, scope)
        cases.close_case(session, patch_id, closed_on=closed, actor=user.actor, rules=rules, on=today, at=_now(),
                         based_on=_version(form))  # fmt: skip
    flash(request, "case.closed")
    return _back(patch_id)
