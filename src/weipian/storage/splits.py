"""Queries on patch splits (图斑拆分): parts of a parent, the parent of a part, their activity."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ColumnElement, delete, func, insert, select, union_all
from sqlalchemy.orm import Session

from weipian.storage.bulk import index_boxes
from weipian.storage.records import PatchPart
from weipian.storage.tables import (
    attachments,
    cases,
    determinations,
    events,
    patch_splits,
    patches,
    rectifications,
    referrals,
)


def not_split_parent() -> ColumnElement[bool]:
    """Patches that were not split: a split patch (被拆分) is worked on through its parts, so
    queues and sheets of work to do leave it out."""
    return ~patches.c.id.in_(select(patch_splits.c.parent_patch_id))


def split_parents(session: Session) -> set[int]:
    """The ids of every split patch (被拆分)."""
    return set(session.scalars(select(patch_splits.c.parent_patch_id).distinct()))


def parent_of(session: Session, patch_id: int) -> int | None:
    """The id of the patch ``patch_id`` is a part of, or None."""
    value = session.scalar(
        select(patch_splits.c.parent_patch_id).where(patch_splits.c.child_patch_id == patch_id)
    )
    return None if value is None else int(value)


def is_parent(session: Session, patch_id: int) -> bool:
    """Whether ``patch_id`` was split (被拆分)."""
    return (
        session.scalar(select(patch_splits.c.id).where(patch_splits.c.parent_patch_id == patch_id).limit(1))
        is not None
    )


def parts_of(session: Session, parent_id: int) -> list[PatchPart]:
    """The parts of a split patch in part order, with their patch columns and the split's own."""
    return [
        PatchPart.of(r)
        for r in session.execute(
            select(
                patches,
                patch_splits.c.part_no,
                patch_splits.c.split_status,
                patch_splits.c.created_by.label("split_by"),
                patch_splits.c.created_at.label("split_at"),
            )
            .join(patch_splits, patch_splits.c.child_patch_id == patches.c.id)
            .where(patch_splits.c.parent_patch_id == parent_id)
            .order_by(patch_splits.c.part_no)
        )
    ]


def part_states(session: Session, parent_id: int) -> list[str]:
    return list(
        session.scalars(
            select(patches.c.state)
            .join(patch_splits, patch_splits.c.child_patch_id == patches.c.id)
            .where(patch_splits.c.parent_patch_id == parent_id)
            .order_by(patch_splits.c.part_no)
        )
    )


def code_taken(session: Session, source: str, year: int, admin_code: str, codes: list[str]) -> list[str]:
    """Which of ``codes`` already name a patch of this identity (source, year, XZQDM)."""
    return sorted(
        session.scalars(
            select(patches.c.patch_code).where(
                patches.c.source == source, patches.c.year == year, patches.c.admin_code == admin_code,
                patches.c.patch_code.in_(codes),
            )
        )
    )  # fmt: skip


def insert_part(session: Session, values: dict[str, Any]) -> int:
    """Insert one part as a patch (and index its box on SQLite); returns its id."""
    new_id = int(session.execute(insert(patches).values(**values).returning(patches.c.id)).scalar_one())
    index_boxes(session, patches, "id = :pid", {"pid": new_id})
    return new_id


def link_part(
    session: Session, *, parent_id: int, child_id: int, part_no: int, status: str, by: str, at: dt.datetime
) -> None:
    session.execute(
        insert(patch_splits).values(
            parent_patch_id=parent_id, child_patch_id=child_id, part_no=part_no, split_status=status,
            created_by=by, created_at=at,
        )
    )  # fmt: skip


def worked_parts(session: Session, child_ids: list[int]) -> list[int]:
    """Parts that anything was recorded on: an event, a determination, a file, a referral, a
    ledger record or a case (any of them makes a split permanent)."""
    if not child_ids:
        return []
    used = union_all(
        *(
            select(t.c.patch_id.label("pid")).where(t.c.patch_id.in_(child_ids))
            for t in (events, determinations, attachments, referrals, rectifications, cases)
        )
    ).subquery()
    return sorted(int(v) for v in session.scalars(select(func.distinct(used.c.pid))))


def remove_parts(session: Session, parent_id: int) -> list[int]:
    """Delete the split's links and its part patches (their analysis rows cascade); returns the ids."""
    child_ids = [int(v) for v in session.scalars(
        select(patch_splits.c.child_patch_id).where(patch_splits.c.parent_patch_id == parent_id)
    )]  # fmt: skip
    session.execute(delete(patch_splits).where(patch_splits.c.parent_patch_id == parent_id))
    if child_ids:
        session.execute(delete(patches).where(patches.c.id.in_(child_ids)))
    return child_ids


def return_due(session: Session, patch_id: int) -> dt.date | None:
    """The correction deadline of the patch's latest return (county or upper level), if any."""
    payload = session.scalar(
        select(events.c.payload)
        .where(events.c.patch_id == patch_id, events.c.action.in_(("review.return", "report.return")))
        .order_by(events.c.id.desc())
        .limit(1)
    )
    due = payload.get("due_on") if isinstance(payload, dict) else None
    return dt.date.fromisoformat(due) if isinstance(due, str) else None
