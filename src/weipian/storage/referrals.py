"""Queries on the referrals table (抄告 and 移交 with their feedback)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Row, Select, and_, insert, select, update
from sqlalchemy.orm import Session

from weipian.storage.tables import patches, referral_feedback, referrals, suggestions


def insert_referral(
    session: Session,
    *,
    patch_id: int,
    kind: str,
    department: str,
    matter: str,
    referred_by: str,
    referred_at: dt.datetime,
    due_on: dt.date,
) -> int:
    """Add one referral; returns its id."""
    new_id = session.execute(
        insert(referrals)
        .values(
            patch_id=patch_id, kind=kind, department=department, matter=matter,
            referred_by=referred_by, referred_at=referred_at, due_on=due_on,
        )
        .returning(referrals.c.id)
    ).scalar_one()  # fmt: skip
    return int(new_id)


def set_feedback(session: Session, referral_id: int, *, feedback: str, by: str, at: dt.datetime) -> bool:
    """Record the feedback unless there is one already; False when another came first."""
    done = session.execute(
        update(referrals)
        .where(referrals.c.id == referral_id, referrals.c.feedback.is_(None))
        .values(feedback=feedback, feedback_by=by, feedback_at=at)
    )
    return bool(done.rowcount == 1)  # type: ignore[attr-defined]


def is_restricted(session: Session, patch_id: int) -> bool:
    """Whether the patch lies on military land (restricted; never sent outside the bureau online)."""
    flag = session.scalar(select(patches.c.restricted).where(patches.c.id == patch_id))
    return bool(flag)


def referral_query() -> Select[Any]:
    """Referrals with their patch's JCBH, township, state and restricted flag."""
    return select(
        referrals,
        patches.c.patch_code,
        patches.c.township_code,
        patches.c.state.label("patch_state"),
        patches.c.restricted,
    ).select_from(referrals.join(patches, patches.c.id == referrals.c.patch_id))


def referral_by_id(session: Session, referral_id: int) -> Row[Any] | None:
    return session.execute(referral_query().where(referrals.c.id == referral_id)).first()


def find_referrals(
    session: Session,
    *,
    department: str | None = None,
    patch_id: int | None = None,
    unanswered: bool = False,
    due_before: dt.date | None = None,
    restricted: bool = True,
    limit: int | None = None,
    query: Select[Any] | None = None,
) -> list[Row[Any]]:
    """Referrals narrowed by department, patch, no feedback yet, due before a day; oldest due first.

    ``restricted=False`` leaves out referrals of military-restricted patches; ``query`` replaces
    :func:`referral_query` (a caller may narrow it first).
    """
    q = query if query is not None else referral_query()
    if department is not None:
        q = q.where(referrals.c.department == department)
    if patch_id is not None:
        q = q.where(referrals.c.patch_id == patch_id)
    if unanswered or due_before is not None:
        q = q.where(referrals.c.feedback_at.is_(None))
    if due_before is not None:
        q = q.where(referrals.c.due_on < due_before)
    if not restricted:
        q = q.where(patches.c.restricted.is_(False))
    q = q.order_by(referrals.c.feedback_at.is_not(None), referrals.c.due_on, referrals.c.id)
    if limit is not None:
        q = q.limit(limit)
    return list(session.execute(q))


def overdue_filter(today: dt.date) -> Any:
    """A where-clause: no feedback and the due day has passed."""
    return and_(referrals.c.feedback_at.is_(None), referrals.c.due_on < today)


def add_feedback_entry(session: Session, **values: Any) -> int:
    """Append one entry to a referral's feedback series (append-only table)."""
    new_id = session.execute(
        insert(referral_feedback).values(**values).returning(referral_feedback.c.id)
    ).scalar_one()
    return int(new_id)


def entries_of(session: Session, referral_id: int) -> list[Row[Any]]:
    query = (
        select(referral_feedback)
        .where(referral_feedback.c.referral_id == referral_id)
        .order_by(referral_feedback.c.id)
    )
    return list(session.execute(query))


def non_grain_candidates(township: str | None) -> Select[Any]:
    """Patches with a suggestion (its flags are read in Python: JSON differs between backends)."""
    q = (
        select(
            patches.c.id, patches.c.patch_code, patches.c.township_code, patches.c.area_m2, patches.c.state,
            suggestions.c.verdict, suggestions.c.flags,
            patches.c.restricted,
        )
        .select_from(patches.join(suggestions, suggestions.c.patch_id == patches.c.id))
        .order_by(patches.c.township_code, patches.c.patch_code)
    )  # fmt: skip
    return q if township is None else q.where(patches.c.township_code == township)


def transferred_patches(session: Session, department: str) -> set[int]:
    """Ids of patches already transferred (移交) to ``department``."""
    query = select(referrals.c.patch_id).where(
        referrals.c.kind == "transfer", referrals.c.department == department
    )
    return set(session.scalars(query))
