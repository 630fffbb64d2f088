"""The review queue: submitted patches with the determination under review."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from weipian.domain.workflow import Action, State
from weipian.services.access import Scope
from weipian.services.queries.patches import ListedPatch, list_query
from weipian.services.queries.scope import visible
from weipian.storage.evidence import failed_check_counts
from weipian.storage.splits import not_split_parent
from weipian.storage.tables import events, patches


@dataclass(frozen=True, slots=True)
class ReviewItem(ListedPatch):
    """A patch in the review queue: the list's row, when it was submitted, and how many of its
    field photos failed their automatic checks."""

    submitted_at: dt.datetime | None  # the latest submission (as stored: UTC)
    failed_photo_checks: int


def review_queue(session: Session, scope: Scope, township: str | None = None) -> list[ReviewItem]:
    """Every submitted patch in ``scope`` (optionally one township): 重点关注 first, then the
    oldest submission first."""
    submitted = (
        select(events.c.patch_id, func.max(events.c.at).label("submitted_at"))
        .where(events.c.action == Action.determination_submit.value)
        .group_by(events.c.patch_id)
        .subquery()
    )
    query = (
        visible(list_query(), scope)
        .add_columns(submitted.c.submitted_at)
        .outerjoin(submitted, submitted.c.patch_id == patches.c.id)
        .where(patches.c.state == State.submitted.value, not_split_parent())  # its parts are reviewed
    )
    if township:
        query = query.where(patches.c.township_code == township)
    rows = session.execute(query.order_by(submitted.c.submitted_at, patches.c.patch_code)).all()
    failed = failed_check_counts(session, [r.id for r in rows])  # field evidence: failed photo checks
    queue = [
        ReviewItem(
            **ListedPatch.values(r), submitted_at=r.submitted_at, failed_photo_checks=failed.get(r.id, 0)
        )
        for r in rows
    ]
    return sorted(queue, key=lambda r: not r.priority_labels)  # stable: oldest first within
