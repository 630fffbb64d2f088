"""The patch list (with its xlsx export) and the patch page with the determination form."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from weipian.domain.sources import Source
from weipian.domain.townships import township_by_code
from weipian.domain.workflow import TO_VERIFY, TO_VERIFY_LABEL, Action, State
from weipian.errors import Conflict, InputError, PermissionDenied, WeipianError
from weipian.messages import message as say
from weipian.services import workflow
from weipian.services.evidence import list_evidence
from weipian.services.export import result_columns
from weipian.services.queries.detail import patch_detail
from weipian.services.queries.patches import (
    PatchFilter,
    count_patches,
    count_restricted,
    export_ids,
    filter_choices,
    list_patches,
)
from weipian.services.queries.scope import get_patch
from weipian.web.auth import flash, is_htmx
from weipian.web.deps import (
    CheckCsrf,
    CurrentUser,
    FilterDep,
    RulesDep,
    ScopeDep,
    SettingsDep,
    StoreDep,
    Today,
)
from weipian.web.export import attachment, list_workbook
from weipian.web.forms import DeterminationForm, explain, from_saved, parse
from weipian.web.patch_page import photo_gaps, render_patch_page
from weipian.web.templating import templates

router = APIRouter(prefix="/patches")


async def _form(request: Request) -> FormData:
    return await request.form()


FormDep = Annotated[FormData, Depends(_form)]


@router.get("")
def patch_list(
    request: Request, user: CurrentUser, scope: ScopeDep, store: StoreDep, rules: RulesDep, today: Today,
    f: FilterDep,
) -> Response:  # fmt: skip
    with store.reading() as session:
        page = list_patches(session, f, scope=scope, today=today)
        choices = filter_choices(session, scope)
        restricted = count_restricted(session, f, scope=scope, today=today)
    context = {
        "page": page, "f": f, "choices": choices, "scope": scope, "today": today, "restricted": restricted,
        "suggestions": rules.labels("suggestion", today), "states": list(State), "sources": list(Source),
        "to_verify": (TO_VERIFY, TO_VERIFY_LABEL),
    }  # fmt: skip
    name = "patches/_table.html" if is_htmx(request) else "patches/list.html"
    return templates.TemplateResponse(request, name, context)


@router.get("/export.xlsx")
def patch_export(
    user: CurrentUser, scope: ScopeDep, store: StoreDep, settings: SettingsDep, today: Today, f: FilterDep
) -> Response:
    with store.reading() as session:
        n = count_patches(session, f, scope=scope, today=today)
        if n > settings.export_max_rows:
            raise InputError("export.too_many", count=n, limit=settings.export_max_rows)
        columns = result_columns(session, export_ids(session, f, scope=scope, today=today))
    with tempfile.TemporaryDirectory() as tmp:
        path = list_workbook(Path(tmp) / "list.xlsx", columns, today)
        body = path.read_bytes()
    filename = f"卫片图斑清单{_filter_label(f)}_{today:%Y%m%d}.xlsx"
    return Response(
        body,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": attachment(filename)},
    )


def _filter_label(f: PatchFilter) -> str:
    """The list's filter in words, for the file name (e.g. ``_洪濑镇_已上报``)."""
    parts = []
    if f.township:
        town = township_by_code(f.township)
        parts.append(town.name if town else f.township)
    if f.source:
        parts.append(Source(f.source).label)
    if f.state:
        parts.append("待核查" if f.state == TO_VERIFY else State(f.state).label)
    if f.suggestion:
        parts.append(f"预判{f.suggestion}")
    if f.overdue:
        parts.append("逾期")
    if f.q:
        parts.append(f"含{f.q}")
    text = "".join(f"_{p}" for p in parts)
    return "".join(ch for ch in text if ch not in '\\/:*?"<>|')[:80]


@router.get("/{patch_id}")
def patch_page(
    request: Request, patch_id: int, user: CurrentUser, scope: ScopeDep, store: StoreDep, rules: RulesDep,
    today: Today,
) -> Response:  # fmt: skip
    with store.reading() as session:
        d = patch_detail(session, patch_id, scope=scope, today=today)
    det = d.determination
    form = from_saved(det.data if det else None, det.version if det else 0)
    # Back from a submit whose photo problems were not confirmed: the warning asks for it.
    ack_needed = request.query_params.get("ack") == "photos"
    return render_patch_page(request, d, user, rules, today, form, evidence_ack_needed=ack_needed)


ACK_NEEDED = "?ack=photos#determination"


def _unconfirmed_gaps(
    session: Any, patch: Any, verdict: str | None, rules: Any, today: dt.date, form: FormData
) -> tuple[list[dict[str, Any]], bool]:
    """The photo problems of a submission (rule data ``photos_required``, failed checks), and
    whether the submitter has not confirmed them (``evidence_ack``)."""
    gaps = photo_gaps(list_evidence(session, patch.id), rules, today, verdict)
    return gaps, bool(gaps) and form.get("evidence_ack") != "1"


# The addresses forms post to: opened directly (a reload, a bookmark, the back button) they
# show the patch page at that part instead of a bare 405.
FORM_ANCHORS = {
    "determination": "determination", "submit": "determination", "review": "review",
    "evidence": "evidence", "referrals": "referrals",
}  # fmt: skip


def _back_to_page(anchor: str) -> Any:
    def show(patch_id: int, user: CurrentUser) -> Response:
        return RedirectResponse(f"/patches/{patch_id}#{anchor}", status_code=303)

    return show


for _part, _anchor in FORM_ANCHORS.items():
    router.add_api_route(
        f"/{{patch_id}}/{_part}", _back_to_page(_anchor), methods=["GET"], include_in_schema=False
    )


def _refused(
    request: Request, patch_id: int, user: Any, scope: Any, store: Any, rules: Any, today: dt.date,
    parsed: DeterminationForm, det: Any, exc: WeipianError,
) -> Response:  # fmt: skip
    """The patch page again with what was typed and why it was not saved (422, or 409 when
    someone else saved meanwhile)."""
    with store.reading() as session:
        d = patch_detail(session, patch_id, scope=scope, today=today)
    if isinstance(exc, Conflict):
        parsed.conflict = say(exc.code, **exc.params)
        return render_patch_page(request, d, user, rules, today, parsed, status=409)
    if det is not None:
        explain(parsed, det, patch_area_m2=d.patch.area_m2, rules=rules, on=today)
    if not parsed.errors:  # the service saw a problem the field-by-field check did not place
        parsed.add("verdict", say(exc.code, **exc.params))
    return render_patch_page(request, d, user, rules, today, parsed, status=422)


@router.post("/{patch_id}/determination", dependencies=[CheckCsrf])
def save_determination(
    request: Request, patch_id: int, user: CurrentUser, scope: ScopeDep, store: StoreDep, rules: RulesDep,
    today: Today, form: FormDep,
) -> Response:  # fmt: skip
    det, parsed = parse(form)
    and_submit = form.get("action") == "submit"
    try:
        with store.writing() as session:
            patch = get_patch(session, patch_id, scope)
            if det is None:  # unreadable input: say so only to someone who may write here
                if not user.actor.may(Action.determination_save, patch.township_code):
                    raise PermissionDenied(
                        "permission.denied", action=Action.determination_save.value, code=patch.patch_code
                    )
                raise InputError("determination.form")
            version = workflow.save_determination(
                session, patch, det, actor=user.actor, rules=rules, on=today, based_on=parsed.based_on
            )
            if and_submit:
                gaps, unconfirmed = _unconfirmed_gaps(session, patch, det.verdict, rules, today, form)
                and_submit = not unconfirmed  # the draft is kept; the page asks to confirm
                if and_submit:
                    workflow.submit(
                        session, get_patch(session, patch_id, scope), actor=user.actor, version=version,
                        evidence_gaps=gaps,
                    )  # fmt: skip
    except (InputError, Conflict) as exc:
        if isinstance(exc, InputError) and exc.code not in ("determination.invalid", "determination.form"):
            raise
        return _refused(request, patch_id, user, scope, store, rules, today, parsed, det, exc)
    if and_submit:
        flash(request, "determination.submitted")
        return RedirectResponse(f"/patches/{patch_id}#determination", status_code=303)
    if version == parsed.based_on:
        flash(request, "determination.unchanged", version=version)
    else:
        flash(request, "determination.saved", version=version)
    wanted = form.get("action") == "submit"  # asked to submit, but the photo problems need a yes
    return RedirectResponse(
        f"/patches/{patch_id}" + (ACK_NEEDED if wanted else "#determination"), status_code=303
    )


@router.post("/{patch_id}/review", dependencies=[CheckCsrf])
def review_patch(
    request: Request, patch_id: int, user: CurrentUser, scope: ScopeDep, store: StoreDep, rules: RulesDep,
    today: Today, form: FormDep,
) -> Response:  # fmt: skip
    """通过 / 退回 from the patch page, with reason codes and the free-text 审核意见."""
    outcome = str(form.get("outcome") or "")
    passed = outcome == "pass"
    chosen = [str(r) for r in form.getlist("reason")]
    # Only the reasons of the chosen outcome count: the page shows both groups.
    reasons = [r for r in chosen if r.startswith("pass." if passed else "return.")]
    note = str(form.get("note") or "")
    try:
        if outcome not in ("pass", "return"):
            raise InputError("review.outcome_needed")
        with store.writing() as session:
            workflow.review(
                session, get_patch(session, patch_id, scope), passed=passed, reasons=reasons,
                actor=user.actor, rules=rules, on=today, note=note,
            )  # fmt: skip
    except InputError as exc:
        with store.reading() as session:
            d = patch_detail(session, patch_id, scope=scope, today=today)
        det = d.determination
        kept = {
            "outcome": outcome,
            "reasons": set(chosen),
            "note": note,
            "error": say(exc.code, **exc.params),
        }
        return render_patch_page(
            request, d, user, rules, today, from_saved(det.data if det else None, det.version if det else 0),
            status=422, review_form=kept,
        )  # fmt: skip
    due = workflow.correction_due(rules, today)
    flash(
        request, "review.passed" if passed else "review.returned", count=1,
        days=(due - today).days, due_on=due.isoformat(),
    )  # fmt: skip
    return RedirectResponse(f"/patches/{patch_id}#review", status_code=303)


@router.post("/{patch_id}/submit", dependencies=[CheckCsrf])
def submit_determination(
    request: Request, patch_id: int, user: CurrentUser, scope: ScopeDep, store: StoreDep, rules: RulesDep,
    today: Today, form: FormDep,
) -> Response:  # fmt: skip
    """Submit the version the user saw (``version``); a newer one saved meanwhile is refused (409).
    Photo problems must have been confirmed (``evidence_ack``), else the page asks first."""
    version = form.get("version")
    try:
        with store.writing() as session:
            patch = get_patch(session, patch_id, scope)
            verdict = workflow.current_verdict(session, patch.id)
            gaps, unconfirmed = _unconfirmed_gaps(session, patch, verdict, rules, today, form)
            workflow.submit(
                session, patch, actor=user.actor,
                version=int(str(version)) if str(version or "").isdigit() else None, evidence_gaps=gaps,
                acknowledged=not unconfirmed,
            )  # fmt: skip
    except InputError as exc:
        if exc.code != "evidence.gap.unconfirmed":
            raise
        return RedirectResponse(f"/patches/{patch_id}" + ACK_NEEDED, status_code=303)
    flash(request, "determination.submitted")
    return RedirectResponse(f"/patches/{patch_id}#determination", status_code=303)
