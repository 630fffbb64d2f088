"""Workflow use-cases: save and submit determinations, review, report, correct.

Each step checks the actor's role and township, asks ``domain.workflow.advance`` whether the step
is allowed, appends one event and moves the cached state, all in the caller's transaction; a
refused step raises before anything is written.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from weipian.domain import clock
from weipian.domain.clock import BEIJING
from weipian.domain.referrals import add_months
from weipian.domain.roles import Actor
from weipian.domain.workflow import FROZEN_STATES, Action, State, advance
from weipian.errors import Conflict, InputError, PermissionDenied
from weipian.messages import sentences
from weipian.rules import Determination, RuleSet, validate_determination
from weipian.storage.records import DeterminationVersion, Patch
from weipian.storage.users import display_names
from weipian.storage.workflow import (
    add_determination,
    append_event,
    current_determination,
    event_by_id,
    mining_signals,
)

NOTE_MAX = 1000  # characters of a reviewer's 审核意见


def correction_due(rules: RuleSet, on: dt.date, *, upper: bool = False) -> dt.date:
    """补正期限 of a return: the county's short period in days, or the upper level's in months.

    Both are dated rule data (``county_correction_days``, ``return_correction_months``).
    """
    if upper:
        return add_months(on, rules.whole("return_correction_months", on))
    return on + dt.timedelta(days=rules.whole("county_correction_days", on))


def _now() -> dt.datetime:
    return clock.now()


def _step(
    session: Session, patch: Patch, action: Action, actor: Actor, payload: dict[str, Any], at: dt.datetime
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


def check_determination(det: Determination, patch: Patch, *, rules: RuleSet, on: dt.date) -> None:
    """Refuse a determination the rules find invalid, naming every problem."""
    problems = validate_determination(det, patch_area_m2=patch.area_m2, rules=rules, on=on)
    if problems:
        raise InputError(  # the problems as codes; the edge words and joins them
            "determination.invalid",
            code=patch.patch_code,
            problems=sentences(problems),
            codes=[p.code for p in problems],
        )


def _check_based_on(
    session: Session, patch: Patch, current: DeterminationVersion | None, based_on: int | None
) -> None:
    """Optimistic concurrency: refuse a save or submit made from a version that is no longer the
    current one (``based_on`` 0 = made before any version existed; None = the caller does not say)."""
    have = current.version if current is not None else 0
    if based_on is None or based_on == have:
        return
    assert current is not None  # have > 0: someone saved since
    event = event_by_id(session, current.event_id)
    by = event.actor if event is not None else ""
    name = display_names(session, {by}).get(by, by)
    at = current.created_at if current.created_at.tzinfo else current.created_at.replace(tzinfo=dt.UTC)
    raise Conflict(
        "determination.stale", code=patch.patch_code, version=have, based_on=based_on, by=name,
        at=at.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M"),
    )  # fmt: skip


def save_determination(
    session: Session, patch: Patch, det: Determination, *, actor: Actor, rules: RuleSet, on: dt.date,
    based_on: int | None = None,
) -> int:  # fmt: skip
    """Validate and store a new version of the patch's determination (a draft until submitted).

    ``based_on`` is the version the editor started from; a stale one raises ``Conflict``. A draft
    identical to the current version adds no version and no event; its version is returned."""
    if patch.state in FROZEN_STATES:
        raise InputError("patch.frozen", code=patch.patch_code)
    if not actor.may(Action.determination_save, patch.township_code):
        raise PermissionDenied(
            "permission.denied", action=Action.determination_save.value, code=patch.patch_code
        )
    current = current_determination(session, patch.id)
    _check_based_on(session, patch, current, based_on)
    check_determination(det, patch, rules=rules, on=on)
    data = determination_data(det)
    if current is not None and current.data == data:
        advance(patch.state, Action.determination_save)  # still refuse it where saving is not allowed
        return int(current.version)
    at = _now()
    event_id = _step(session, patch, Action.determination_save, actor, {"determination": data}, at)
    return add_determination(session, patch_id=patch.id, event_id=event_id, data=data, at=at)


def mineral_missing(session: Session, patch: Patch, data: dict[str, Any]) -> dict[str, Any] | None:
    """一图两用、地矿同核: why a mineral patch's determination lacks its mineral part, or None.

    A patch delivered with SFSK 是, or with a mineral suggestion, is filed with both parts.
    """
    sfsk, mineral = mining_signals(session, patch.id)
    if (sfsk or "").strip() != "是" and not mineral:
        return None
    if data.get("is_mining") and str(data.get("mineral_verdict") or "").strip():
        return None
    delivered = (sfsk or "").strip() == "是"
    why = (
        {"code": "mineral_why.delivered"}
        if delivered
        else {"code": "mineral_why.suggested", "params": {"mineral": mineral}}
    )
    return {"code": patch.patch_code, "why": why}  # why: a sentence as a code, worded at the edge


def submit(
    session: Session, patch: Patch, *, actor: Actor, version: int | None = None,
    evidence_gaps: list[dict[str, Any]] | None = None, acknowledged: bool = True,
) -> None:  # fmt: skip
    """The township files its current determination for review (a mineral patch with both parts);
    ``version`` is the one the user saw (a newer one saved meanwhile raises ``Conflict``).
    ``evidence_gaps`` are the photo problems the submitter was shown; unless ``acknowledged``
    they refuse the submission (``evidence.gap.unconfirmed``), else the event keeps them."""
    current = current_determination(session, patch.id)
    if current is None:
        raise InputError("determination.missing", code=patch.patch_code)
    _check_based_on(session, patch, current, version)
    missing = mineral_missing(session, patch, dict(current.data))
    if missing is not None:
        raise InputError("determination.mineral_required", **missing)
    if evidence_gaps and not acknowledged:
        if not actor.may(Action.determination_submit, patch.township_code):
            raise PermissionDenied(
                "permission.denied", action=Action.determination_submit.value, code=patch.patch_code
            )
        advance(patch.state, Action.determination_submit)  # a refused step says so first
        raise InputError("evidence.gap.unconfirmed")
    payload: dict[str, Any] = {"version": current.version}
    if evidence_gaps:
        payload["evidence_gaps"] = evidence_gaps
    _step(session, patch, Action.determination_submit, actor, payload, _now())


def review(
    session: Session,
    patch: Patch,
    *,
    passed: bool,
    reasons: list[str],
    actor: Actor,
    rules: RuleSet,
    on: dt.date,
    note: str | None = None,
) -> None:
    """County review: pass, or return with reasons (dictionary codes) and a 补正期限;
    ``note`` is the reviewer's free-text 审核意见 (kept in the event)."""
    if not passed and not reasons:
        raise InputError("review.reason_needed")
    check_review_reasons(reasons, passed=passed, rules=rules, on=on)
    payload: dict[str, Any] = {"reasons": reasons}
    if note and note.strip():
        if len(note) > NOTE_MAX:
            raise InputError("review.note_too_long", limit=NOTE_MAX)
        payload["note"] = note.strip()
    if not passed:
        payload["due_on"] = correction_due(rules, on).isoformat()
    _step(session, patch, Action.review_pass if passed else Action.review_return, actor, payload, _now())


def report(session: Session, patch: Patch, *, actor: Actor) -> None:
    """上报: the reviewed record goes up and freezes."""
    current = current_determination(session, patch.id)
    _step(
        session, patch, Action.report_submit, actor, {"version": current.version if current else None}, _now()
    )


def upper_level(
    session: Session,
    patch: Patch,
    *,
    accepted: bool,
    reasons: list[str],
    actor: Actor,
    rules: RuleSet,
    on: dt.date,
) -> None:
    """Record the province's or ministry's answer: accepted, or returned with its 补正期限."""
    payload: dict[str, Any] = {"reasons": reasons}
    if not accepted:
        payload["due_on"] = correction_due(rules, on, upper=True).isoformat()
    _step(session, patch, Action.report_accept if accepted else Action.report_return, actor, payload, _now())


def correct(
    session: Session,
    patch: Patch,
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
    check_determination(det, patch, rules=rules, on=on)
    old = current_determination(session, patch.id)
    data = determination_data(det)
    payload = {"reason": reason, "old": old.data if old else None, "new": data}
    at = _now()
    event_id = _step(session, patch, Action.record_correct, actor, payload, at)
    return add_determination(session, patch_id=patch.id, event_id=event_id, data=data, at=at)


def record_field_check(
    session: Session,
    patch: Patch,
    *,
    actor: Actor,
    note: str | None = None,
    summary: dict[str, Any] | None = None,
) -> None:
    """A field check (实地核查) was made: who, when and what was seen — a person's ``note``, or
    a ``summary`` the system writes as a code with parameters (``{"code": …, "params": …}``)."""
    payload: dict[str, Any] = {"summary": summary} if summary is not None else {"note": note or ""}
    _step(session, patch, Action.field_check_record, actor, payload, _now())


def current_verdict(session: Session, patch_id: int) -> str | None:
    """判定结果 of the patch's current determination, or None before the first one."""
    current = current_determination(session, patch_id)
    return str(current.data.get("verdict") or "") or None if current else None


def record_evidence_change(
    session: Session, patch: Patch, action: Action, payload: dict[str, Any], *, actor: Actor
) -> None:
    """A photo or document withdrawn, or its note written: allowed only before submission."""
    if action not in (Action.evidence_withdraw, Action.evidence_note):
        raise ValueError(action)
    _step(session, patch, action, actor, payload, _now())


def state_of(patch: Patch) -> State:
    return State(patch.state)


def check_review_reasons(reasons: list[str], *, passed: bool, rules: RuleSet, on: dt.date) -> None:
    """Refuse reason codes the rule dictionary does not list for this outcome."""
    outcome = "pass" if passed else "return"
    known = {r.code for r in rules.review_reasons(on) if r.outcome == outcome}
    for reason in reasons:
        if reason not in known:
            raise InputError("review.reason_unknown", reason=reason, known="、".join(sorted(known)))
