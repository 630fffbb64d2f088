"""Queries on the referrals table (抄告 and 移交 with their feedback)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, insert, select, update
from sqlalchemy.orm import Session

from weipian.domain.clock import BEIJING
from weipian.domain.ledger import FeedbackStage
from weipian.domain.referrals import ReferralKind, ReferralStatus, find_department, referral_status
from weipian.storage.records import AnyRow
from weipian.storage.tables import patches, referral_feedback, referrals, suggestions


@dataclass(frozen=True, slots=True)
class Referral:
    """抄告 / 移交: one referral (``referrals``) with its patch's JCBH, township, state and restriction."""

    id: int
    patch_id: int
    patch_code: str
    township_code: str | None
    patch_state: str
    restricted: bool
    kind: ReferralKind
    department: str
    matter: str
    referred_by: str
    referred_at: dt.datetime
    due_on: dt.date
    feedback: str | None
    feedback_by: str | None
    feedback_at: dt.datetime | None

    @property
    def department_full_name(self) -> str:
        found = find_department(self.department)
        return found.full_name if found else self.department

    @property
    def answered_on(self) -> dt.date | None:
        """The day (Beijing time) the feedback arrived."""
        if self.feedback_at is None:
            return None
        at = self.feedback_at if self.feedback_at.tzinfo else self.feedback_at.replace(tzinfo=dt.UTC)
        return at.astimezone(BEIJING).date()

    def status(self, today: dt.date) -> ReferralStatus:
        return referral_status(self.due_on, self.answered_on, today)

    def days_left(self, today: dt.date) -> int:
        """Days until the due day (negative: days overdue)."""
        return (self.due_on - today).days

    @classmethod
    def of(cls, row: AnyRow) -> Referral:
        """A row of :func:`referral_query`."""
        return cls(
            id=row.id, patch_id=row.patch_id, patch_code=row.patch_code, township_code=row.township_code,
            patch_state=row.patch_state, restricted=bool(row.restricted), kind=ReferralKind(row.kind),
            department=row.department, matter=row.matter, referred_by=row.referred_by,
            referred_at=row.referred_at, due_on=row.due_on, feedback=row.feedback,
            feedback_by=row.feedback_by, feedback_at=row.feedback_at,
        )  # fmt: skip


@dataclass(frozen=True, slots=True)
class FeedbackEntry:
    """One entry of a referral's feedback series."""

    id: int
    stage: FeedbackStage
    text: str
    result: str | None
    given_by: str
    given_at: dt.datetime


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


def referral_by_id(session: Session, referral_id: int) -> Referral | None:
    row = session.execute(referral_query().where(referrals.c.id == referral_id)).first()
    return None if row is None else Referral.of(row)


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
) -> list[Referral]:
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
    return [Referral.of(r) for r in session.execute(q)]


def overdue_filter(today: dt.date) -> Any:
    """A where-clause: no feedback and the due day has passed."""
    return and_(referrals.c.feedback_at.is_(None), referrals.c.due_on < today)


def add_feedback_entry(session: Session, **values: Any) -> int:
    """Append one entry to a referral's feedback series (append-only table)."""
    new_id = session.execute(
        insert(referral_feedback).values(**values).returning(referral_feedback.c.id)
    ).scalar_one()
    return int(new_id)


def entries_of(session: Session, referral_id: int) -> list[FeedbackEntry]:
    """The referral's feedback series, oldest first."""
    query = (
        select(referral_feedback)
        .where(referral_feedback.c.referral_id == referral_id)
        .order_by(referral_feedback.c.id)
    )
    return [
        FeedbackEntry(r.id, FeedbackStage(r.stage), r.text, r.result, r.given_by, r.given_at)
        for r in session.execute(query)
    ]


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
