"""The city bureau's review queue: pass or return several submitted patches at once."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from weipian.domain.workflow import Action
from weipian.errors import InputError, PermissionDenied, WeipianError
from weipian.messages import message as say
from weipian.services import workflow
from weipian.services.claims import claim_problems
from weipian.services.export import withheld_ids
from weipian.services.queries.patches import filter_choices
from weipian.services.queries.review import review_queue
from weipian.services.queries.scope import get_patch
from weipian.services.users import Account
from weipian.web.deps import CheckHtmx, CurrentUser, RulesDep, ScopeDep, StoreDep, Today
from weipian.web.errors import status_of
from weipian.web.export import (
    REVIEW_GROUPS,
    attachment,
    export_name,
    review_table,
    table_workbook,
    township_name,
)
from weipian.web.templating import templates

router = APIRouter(prefix="/review")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _reviewer(user: Account) -> None:
    if not user.actor.may(Action.review_pass, None):
        raise PermissionDenied("review.forbidden")


def _context(store: Any, scope: Any, rules: Any, today: Any, township: str | None) -> dict[str, Any]:
    with store.reading() as session:
        queue = review_queue(session, scope, township)  # 重点关注 first, then oldest first
        towns = filter_choices(session, scope)["townships"]
        # Claimed approval numbers that match no layer record, or cover too little: a badge.
        claims = claim_problems(session, [r.id for r in queue], rules=rules, on=today)
    reasons = rules.review_reasons(today)
    return {
        "queue": queue, "townships": towns, "township": township,
        "claim_flags": {pid: [say(c.code, **dict(c.params)) for c in found] for pid, found in claims.items() if found},
        "correction_days": rules.whole("county_correction_days", today),
        "pass_reasons": [r for r in reasons if r.outcome == "pass"],
        "return_reasons": [r for r in reasons if r.outcome == "return"],
    }  # fmt: skip


@router.get("")
def review_page(
    request: Request, user: CurrentUser, scope: ScopeDep, store: StoreDep, rules: RulesDep, today: Today,
    township: str | None = None,
) -> Response:  # fmt: skip
    _reviewer(user)
    context = _context(store, scope, rules, today, township or None)
    return templates.TemplateResponse(
        request, "review.html", {**context, "result": None, "error": None, "kept": None}
    )


@router.get("/export.xlsx")
def review_export(
    user: CurrentUser,
    scope: ScopeDep,
    store: StoreDep,
    rules: RulesDep,
    today: Today,
    township: str | None = None,
) -> Response:
    """The queue as the page shows it (same township filter and order), minus restricted patches;
    the file name names the township."""
    _reviewer(user)
    context = _context(store, scope, rules, today, township or None)
    with store.reading() as session:
        withheld = withheld_ids(session, [r.id for r in context["queue"]])
    rows = review_table([r for r in context["queue"] if r.id not in withheld])
    place = township_name(township) if township else "全市"
    with tempfile.TemporaryDirectory() as tmp:
        path = table_workbook(
            Path(tmp) / "review.xlsx", "审核队列", REVIEW_GROUPS, rows, filter_label=place, today=today,
            area_columns=frozenset({4}), totals={4: sum(r[3] or 0.0 for r in rows)},
        )  # fmt: skip
        body = path.read_bytes()
    filename = export_name("审核队列", place, today=today)
    return Response(body, media_type=XLSX, headers={"Content-Disposition": attachment(filename)})


@router.post("", dependencies=[CheckHtmx])
def review_batch(
    request: Request,
    user: CurrentUser,
    scope: ScopeDep,
    store: StoreDep,
    rules: RulesDep,
    today: Today,
    outcome: Annotated[str, Form()],
    patch_id: Annotated[list[int] | None, Form()] = None,
    reason: Annotated[list[str] | None, Form()] = None,
    township: Annotated[str | None, Form()] = None,
) -> Response:
    """Pass or return every ticked patch in one transaction: all of them or none."""
    _reviewer(user)
    passed = outcome == "pass"
    # Only the reasons of the chosen outcome count: the checklist shows both groups.
    reasons = [r for r in (reason or []) if r.startswith("pass." if passed else "return.")]
    result = error = result_code = error_code = None
    status = 200
    try:
        if not patch_id:
            raise InputError("review.nothing_selected")
        with store.writing() as session:
            for pid in patch_id:
                workflow.review(
                    session, get_patch(session, pid, scope), passed=passed, reasons=reasons,
                    actor=user.actor, rules=rules, on=today,
                )  # fmt: skip
        result_code = "review.passed" if passed else "review.returned"
        due = workflow.correction_due(rules, today)
        result = say(result_code, count=len(patch_id), days=(due - today).days, due_on=due.isoformat())
    except WeipianError as exc:
        error, error_code, status = say(exc.code, **exc.params), exc.code, status_of(exc)
    context = _context(store, scope, rules, today, township or None)
    # After a refusal nothing was written: keep the ticks so the reviewer only adds what is missing.
    kept = {"ids": set(patch_id or []), "reasons": set(reason or []), "outcome": outcome} if error else None
    return templates.TemplateResponse(
        request,
        "_partials/review_queue.html",
        {
            **context,
            "result": result,
            "result_code": result_code,
            "error": error,
            "error_code": error_code,
            "kept": kept,
        },
        status_code=status,
    )
