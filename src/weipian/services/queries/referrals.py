"""Referrals within a scope: the /referrals list, the patch page's panel, the dashboard count.

An account sees the referrals of the patches it may see; a 部门联络员 only its own department's
(so never a restricted patch's).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from weipian.domain.referrals import Department, ReferralKind, departments
from weipian.services.access import Scope, scope_of
from weipian.services.queries.scope import visible
from weipian.services.referrals import REFERRING_ROLES, Referral, list_referrals, may_answer
from weipian.services.users import Account
from weipian.storage.referrals import is_restricted, overdue_filter, referral_query
from weipian.storage.store import Store
from weipian.storage.tables import patches, referrals

STATUS_FILTERS = {"open": "未反馈", "overdue": "已逾期"}
LIST_LIMIT = 1000


def _scoped(scope: Scope) -> Any:
    query = referral_query().where(referrals.c.patch_id.in_(visible(select(patches.c.id), scope)))
    if scope.department is not None:
        query = query.where(referrals.c.department == scope.department)
    return query


def scoped_referrals(
    session: Session, scope: Scope, today: dt.date, *, status: str | None = None,
    department: str | None = None, patch_id: int | None = None, limit: int | None = LIST_LIMIT,
) -> list[Referral]:  # fmt: skip
    """The referrals ``scope`` may see, narrowed by status (open/overdue), department, patch;
    at most ``limit`` (None: all, for a download)."""
    if scope.nothing:
        return []
    return list_referrals(
        session, today=today, status=status if status in STATUS_FILTERS else None,
        department=department, patch_id=patch_id, query=_scoped(scope), limit=limit,
    )  # fmt: skip


def overdue_count(session: Session, scope: Scope, today: dt.date) -> int:
    """How many referrals ``scope`` may see are past their due day without feedback."""
    if scope.nothing:
        return 0
    query = _scoped(scope).where(overdue_filter(today))
    return int(session.scalar(select(func.count()).select_from(query.subquery())) or 0)


@dataclass(frozen=True)
class ReferralPanel:
    """What the patch page's 移送与抄告 section shows and offers."""

    items: list[Referral]
    can_refer: bool
    answerable: frozenset[int]  # ids of the referrals this account may answer
    departments: tuple[Department, ...]
    kinds: tuple[ReferralKind, ...]
    restricted: bool  # the patch is military-restricted: only internal sections offered
    today: dt.date


def referral_panel(store: Store, patch: Any, *, user: Account, today: dt.date) -> ReferralPanel:
    """The patch's referrals for ``user`` (the page has already checked the patch is in scope)."""
    with store.reading() as session:
        items = scoped_referrals(session, scope_of(user), today, patch_id=patch.id)
        restricted = is_restricted(session, patch.id)
    offered = tuple(d for d in departments() if d.internal or not restricted)
    return ReferralPanel(
        items=items,
        can_refer=user.role in REFERRING_ROLES,
        answerable=frozenset(r.id for r in items if r.feedback_at is None and may_answer(user, r)),
        departments=offered,
        kinds=tuple(ReferralKind),
        restricted=restricted,
        today=today,
    )
