"""Referrals (抄告) and transfers (移交) of a patch to another department, and their feedback.

- ``refer``: 市局管理员, 市局审核员 and 乡镇核查员 (its own township's patches: the work plan makes
  the townships the referring party); the department must be on the list
  (``domain/data/departments.yaml``) and take that kind; feedback is due two calendar months
  later. A military-restricted patch goes only to an internal section of the bureau: to an
  outside department it is sent offline through the confidential channel, never through here.
- ``give_feedback``: a 部门联络员 of the referral's department (never on a restricted patch, which
  a liaison cannot see), or a 市局管理员. Feedback is a **series** of entries (接收, 受理, 办理中,
  办结); the referral stays open, and its two-month clock keeps chasing, until the 办结 entry,
  after which nothing more is added (the bureau refers the matter again if the answer must
  change), so what the sender read is what stays on record.
- ``list_referrals``: all, open (no feedback yet) or overdue, by department or patch. Overdue
  referrals stay listed until their feedback arrives.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from weipian.domain import clock
from weipian.domain.ledger import FeedbackStage, stage_from_text
from weipian.domain.referrals import (
    Department,
    ReferralKind,
    departments,
    feedback_due,
    find_department,
)
from weipian.domain.roles import Role
from weipian.errors import Conflict, InputError, NotFound, PermissionDenied
from weipian.messages.labels import FEEDBACK_STAGE_LABELS
from weipian.rules import RuleSet, load_rules
from weipian.services.users import Account
from weipian.storage.referrals import (  # the records are storage's; re-exported for the edges
    FeedbackEntry as FeedbackEntry,
)
from weipian.storage.referrals import (
    Referral as Referral,
)
from weipian.storage.referrals import (
    add_feedback_entry,
    entries_of,
    find_referrals,
    insert_referral,
    is_restricted,
    non_grain_candidates,
    referral_by_id,
    set_feedback,
    transferred_patches,
)
from weipian.storage.store import Store
from weipian.storage.tables import patches

MATTER_MAX = 2000
FEEDBACK_MAX = 4000
REFERRING_ROLES = frozenset({Role.bureau_admin, Role.bureau_reviewer, Role.township})
NON_GRAIN_DEPARTMENT = "农业农村"  # 非粮化 is transferred (移交) there (DOMAIN.md §5.5)


def department_of(account: Account) -> Department | None:
    """The department a 部门联络员 account answers for (None for other roles or an unknown one)."""
    if account.role is not Role.department:
        return None
    return find_department(account.department)


def may_answer(actor: Account, referral: Referral) -> bool:
    """Whether ``actor`` may give this referral's feedback (whether or not it has one already)."""
    if actor.role is Role.bureau_admin:
        return True
    own = department_of(actor)
    return own is not None and own.name == referral.department and not referral.restricted


def _sees(actor: Account, referral: Referral, township_code: str | None) -> bool:
    """Whether the referral's patch lies in the actor's scope (as the web's Scope decides)."""
    if actor.is_bureau:
        return True
    if referral.restricted or actor.role is Role.department:
        return False  # a liaison it may not answer is one of another department
    if actor.role is Role.township:
        return township_code is not None and township_code in actor.covers
    return actor.role is Role.leader


def resolve_department(text: str | None) -> Department:
    """The listed department called ``text``, or a Chinese refusal naming the list."""
    found = find_department(text)
    if found is None:
        known = "、".join(d.name for d in departments())
        raise InputError("referral.department_unknown", department=(text or "").strip(), known=known)
    return found


def _text(value: str | None, code: str, limit: int) -> str:
    text = (value or "").strip()
    if not text:
        raise InputError(code)
    if len(text) > limit:
        raise InputError("referral.too_long", length=len(text), max=limit)
    return text


def refer(
    store: Store,
    patch_id: int,
    *,
    kind: ReferralKind | str,
    department: str,
    matter: str,
    actor: Account,
    today: dt.date,
    now: dt.datetime | None = None,
    rules: RuleSet | None = None,
) -> Referral:
    """Refer (抄告) or transfer (移交) the patch to a department; feedback due in the rules'
    ``referral_feedback_months`` (two calendar months)."""
    if actor.role not in REFERRING_ROLES:
        raise PermissionDenied("referral.forbidden")
    try:
        kind = ReferralKind(kind)
    except ValueError:
        raise InputError("referral.kind_unknown", kind=kind) from None
    dept = resolve_department(department)
    if not dept.takes(kind):
        takes = "、".join(k.label for k in ReferralKind if dept.takes(k))
        raise InputError("referral.kind_refused", department=dept.name, kind_label=kind.label, kinds=takes)
    text = _text(matter, "referral.matter_needed", MATTER_MAX)
    with store.writing() as session:
        found_patch = session.execute(
            select(patches.c.patch_code, patches.c.township_code).where(patches.c.id == patch_id)
        ).first()
        if found_patch is None:
            raise NotFound("patch.no_such_id", id=patch_id)
        code = found_patch.patch_code
        if actor.role is Role.township:
            # A township refers its own patches only; a restricted one it cannot even see.
            if is_restricted(session, patch_id):
                raise NotFound("patch.no_such_id", id=patch_id)
            if found_patch.township_code is None or found_patch.township_code not in actor.covers:
                raise PermissionDenied("referral.foreign_township", code=code)
        if not dept.internal and is_restricted(session, patch_id):
            raise PermissionDenied("referral.restricted", code=code, department=dept.name)
        new_id = insert_referral(
            session, patch_id=patch_id, kind=kind.value, department=dept.name, matter=text,
            referred_by=actor.username, referred_at=now or clock.now(),
            due_on=feedback_due(today, (rules or load_rules()).whole("referral_feedback_months", today)),
        )  # fmt: skip
        row = referral_by_id(session, new_id)
    assert row is not None
    return row


def give_feedback(
    store: Store,
    referral_id: int,
    *,
    text: str,
    actor: Account,
    now: dt.datetime | None = None,
    stage: FeedbackStage | str = FeedbackStage.done,
    result: str | None = None,
) -> Referral:
    """Add one entry to the referral's feedback series; 办结 (the default) closes it."""
    found_stage = stage if isinstance(stage, FeedbackStage) else stage_from_text(str(stage))
    if found_stage is None:
        raise InputError(
            "referral.stage_unknown", stage=stage, known="、".join(FEEDBACK_STAGE_LABELS.values())
        )
    body = _text(text, "referral.feedback_needed", FEEDBACK_MAX)
    outcome = (result or "").strip() or None
    if outcome is not None and len(outcome) > FEEDBACK_MAX:
        raise InputError("referral.too_long", length=len(outcome), max=FEEDBACK_MAX)
    at = now or _now()
    with store.writing() as session:
        found = referral_by_id(session, referral_id)
        if found is None:
            raise NotFound("referral.not_found", id=referral_id)
        referral = found
        if not may_answer(actor, referral):
            # Outside the actor's scope (another department's or township's referral, a
            # restricted patch for a non-bureau role) it answers as if it did not exist: a 403
            # would confirm the id and name the department.
            if not _sees(actor, referral, found.township_code):
                raise NotFound("referral.not_found", id=referral_id)
            raise PermissionDenied("referral.feedback_forbidden", department=referral.department)
        if referral.feedback_at is not None:
            raise Conflict("referral.feedback_given", id=referral_id, by=referral.feedback_by)
        add_feedback_entry(
            session, referral_id=referral_id, stage=found_stage.value, text=body, result=outcome,
            given_by=actor.username, given_at=at,
        )  # fmt: skip
        if found_stage is FeedbackStage.done:
            answer = body if outcome is None else f"{body}\n办理结果：{outcome}"
            if not set_feedback(session, referral_id, feedback=answer, by=actor.username, at=at):
                raise Conflict("referral.feedback_given", id=referral_id, by="他人")
        row = referral_by_id(session, referral_id)
    assert row is not None
    return row


def feedback_entries(session: Session, referral_id: int) -> list[FeedbackEntry]:
    """The referral's feedback series, oldest first."""
    return entries_of(session, referral_id)


def non_grain_worklist(session: Session, *, township: str | None = None) -> list[dict[str, Any]]:
    """非粮化 patches (suggestion flag ``non_grain``) not yet transferred (移交) to 农业农村."""
    rows = session.execute(non_grain_candidates(township)).all()
    sent = transferred_patches(session, NON_GRAIN_DEPARTMENT)
    return [
        {
            "patch_id": r.id,
            "JCBH": r.patch_code,
            "township": r.township_code,
            "area_m2": r.area_m2,
            "state": r.state,
            "suggestion": r.verdict,
        }
        for r in rows
        if "non_grain" in (r.flags or []) and r.id not in sent and not r.restricted
    ]


def _now() -> dt.datetime:
    return clock.now()


def get_referral(session: Session, referral_id: int) -> Referral:
    row = referral_by_id(session, referral_id)
    if row is None:
        raise NotFound("referral.not_found", id=referral_id)
    return row


def list_referrals(
    session: Session,
    *,
    today: dt.date,
    status: str | None = None,
    department: str | None = None,
    patch_id: int | None = None,
    include_restricted: bool = True,
    query: Select[Any] | None = None,
    limit: int | None = 1000,
) -> list[Referral]:
    """Referrals, oldest due first, answered last.

    ``status``: None (all), ``"open"`` (no feedback yet, overdue included) or ``"overdue"``
    (no feedback and past the due day). ``department`` is a listed name (or alias).
    """
    dept = resolve_department(department).name if department else None
    rows = find_referrals(
        session,
        department=dept,
        patch_id=patch_id,
        unanswered=status == "open",
        due_before=today if status == "overdue" else None,
        restricted=include_restricted,
        limit=limit,
        query=query,
    )
    return rows
