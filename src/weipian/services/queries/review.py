"""The review queue: submitted patches with the determination under review."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from weipian.domain.workflow import Action, State
from weipian.services.access import Scope
from weipian.services.queries.patches import list_query
from weipian.services.queries.scope import visible
from weipian.storage.evidence import failed_check_counts
from weipian.storage.tables import events, patches


def review_queue(session: Session, scope: Scope, township: str | None = None) -> list[dict[str, Any]]:
    """Every submitted patch in ``scope`` (optionally one township), oldest submission first."""
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
        .where(patches.c.state == State.submitted.value)
    )
    if township:
        query = query.where(patches.c.township_code == township)
    rows = session.execute(query.order_by(submitted.c.submitted_at, patches.c.patch_code)).all()
    failed = failed_check_counts(session, [r.id for r in rows])  # field evidence: failed photo checks
    return [{**r._asdict(), "failed_photo_checks": failed.get(r.id, 0)} for r in rows]
