"""Workflow use-cases: save and submit determinations, review, report, correct.

Each step checks the actor's role and township, asks ``domain.workflow.advance`` whether the step
is allowed, appends one event and moves the cached state, all in the caller's transaction; a
refused step raises before anything is written.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from sqlalchemy import Row
from sqlalchemy.orm import Session

from weipian.domain.roles import Actor
from weipian.domain.workflow import FROZEN_STATES, Action, State, advance
from weipian.errors import InputError, PermissionDenied
from weipian.rules import Determination, RuleSet, validate_determination
from weipian.storage.workflow import add_determination, append_event, current_determination

RETURN_DAYS = 30  # a patch the county or the upper level returns is corrected within a month


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _step(
    session: Session, patch: Row[Any], action: Action, actor: Actor, payload: dict[str, Any], at: dt.datetime
) -> int:
    if not actor.may(action, patch.township_code):
        raise PermissionDenied("permission.denied", action=action.value, code=patch.patch_code)
    after = advance(patch.state, action)
    if actor.via:  # the CLI: the account acted as, and the operating-system user who did it
        payload = {**payload, "via": actor.via}
    return append_event(
        session,
        patch_id=patch.id,
        action=action.value,
        actor=actor.name,
        role=actor.role.value,
        state_before=patch.state,
        state_after=after.value,
        payload=payload,
        at=at,
    )


def determination_data(det: Determination) -> dict[str, Any]:
    """A determination as JSON-ready data (dates as ISO text)."""

    def plain(v: Any) -> Any:
        if isinstance(v, dt.date):
            return v.isoformat()
        if isinstance(v, list | tuple):
            return [plain(x) for x in v]
        if isinstance(v, dict):
            return {k: plain(x) for k, x in v.items()}
        return v

    return {k: plain(v) for k, v in dataclasses.asdict(det).items()}


def check_determination(det: Determination, patch: Row[Any], rules: RuleSet, on: dt.date) -> None:
    """Refuse a determination the rules find invalid, naming every problem."""
    problems = validate_determination(det, patch_area_m2=patch.area_m2, rules=rules, on=on)
    if problems:
        from weipian.messages import message

        text = "；".join(message(p.code, **dict(p.params)) for p in problems)
        raise InputError(
            "determination.invalid", code=patch.patch_code, problems=text, codes=[p.code for p in problems]
        )


def save_determination(
    session: Session, patch: Row[Any], det: Determination, *, actor: Actor, rules: RuleSet, on: dt.date
) -> int:
    """Validate and store a new version of the patch's determination (a draft until submitted)."""
    if patch.state in FROZEN_STATES:
        raise InputError("patch.frozen", code=patch.patch_code)
    check_determination(det, patch, rules, on)
    at = _now()
    data = determination_data(det)
    event_id = _step(session, patch, Action.determination_save, actor, {"determination": data}, at)
    return add_determination(session, patch_id=patch.id, event_id=event_id, data=data, at=at)


def submit(session: Session, patch: Row[Any], *, actor: Actor) -> None:
    """The township files its current determination for review."""
    current = current_determination(session, patch.id)
    if current is None:
        raise InputError("determination.missing", code=patch.patch_code)
    _step(session, patch, Action.determination_submit, actor, {"version": current.version}, _now())


def review(
    session: Session,
    patch: Row[Any],
    *,
    passed: bool,
    reasons: list[str],
    actor: Actor,
    rules: RuleSet,
    on: dt.date,
) -> None:
    """County review: pass, or return with reasons (dictionary codes) and a correction deadline."""
    if not passed and not reasons:
        raise InputError("review.reason_needed")
    check_review_reasons(reasons, passed=passed, rules=rules, on=on)
    payload: dict[str, Any] = {"reasons": reasons}
    if not passed:
        payload["due_on"] = (on + dt.timedelta(days=RETURN_DAYS)).isoformat()
    _step(session, patch, Action.review_pass if passed else Action.review_return, actor, payload, _now())


def report(session: Session, patch: Row[Any], *, actor: Actor) -> None:
    """上报: the reviewed record goes up and freezes."""
    current = current_determination(session, patch.id)
    _step(
        session, patch, Action.report_submit, actor, {"version": current.version if current else None}, _now()
    )


def upper_level(
    session: Session, patch: Row[Any], *, accepted: bool, reasons: list[str], actor: Actor, on: dt.date
) -> None:
    """Record the province's or ministry's answer: accepted, or returned with a one-month deadline."""
    payload: dict[str, Any] = {"reasons": reasons}
    if not accepted:
        payload["due_on"] = (on + dt.timedelta(days=RETURN_DAYS)).isoformat()
    _step(session, patch, Action.report_accept if accepted else Action.report_return, actor, payload, _now())


def correct(
    session: Session,
    patch: Row[Any],
    det: Determination,
    *,
    reason: str,
    actor: Actor,
    rules: RuleSet,
    on: dt.date,
) -> int:
    """An explicit correction after 上报: a new version; the event keeps the old values."""
    if patch.state not in FROZEN_STATES:
        raise InputError("workflow.not_frozen", code=patch.patch_code, state=patch.state)
    check_determination(det, patch, rules, on)
    old = current_determination(session, patch.id)
    data = determination_data(det)
    payload = {"reason": reason, "old": old.data if old else None, "new": data}
    at = _now()
    event_id = _step(session, patch, Action.record_correct, actor, payload, at)
    return add_determination(session, patch_id=patch.id, event_id=event_id, data=data, at=at)


def record_field_check(session: Session, patch: Row[Any], *, note: str, actor: Actor) -> None:
    """A field check (实地核查) was made: who, when and what was seen."""
    _step(session, patch, Action.field_check_record, actor, {"note": note}, _now())


def state_of(patch: Row[Any]) -> State:
    return State(patch.state)


def check_review_reasons(reasons: list[str], *, passed: bool, rules: RuleSet, on: dt.date) -> None:
    """Refuse reason codes the rule dictionary does not list for this outcome."""
    outcome = "pass" if passed else "return"
    known = {r.code for r in rules.review_reasons(on) if r.outcome == outcome}
    for reason in reasons:
        if reason not in known:
            raise InputError("review.reason_unknown", reason=reason, known="、".join(sorted(known)))
