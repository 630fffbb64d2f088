"""Reading the rectification ledger: records, their progress entries and 销号 requests.

The records are storage's (``weipian.storage.ledger``); re-exported here for the edges.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import or_
from sqlalchemy.orm import Session

from weipian.domain.ledger import RecordState
from weipian.domain.roles import Actor
from weipian.errors import NotFound
from weipian.storage import ledger as q
from weipian.storage.ledger import CloseOutRequest, LedgerRecord, ProgressEntry
from weipian.storage.patches import patch_by_id, withheld_from_export
from weipian.storage.tables import patch_facts, patches, rectifications

__all__ = [
    "CloseOutRequest",
    "LedgerRecord",
    "ProgressEntry",
    "find_record",
    "get_record",
    "history",
    "list_records",
]


def get_record(session: Session, patch_id: int) -> LedgerRecord:
    row = q.record_for_patch(session, patch_id)
    if row is None:
        raise NotFound("ledger.no_record_id", id=patch_id)
    return row


def find_record(session: Session, patch_id: int, actor: Actor) -> LedgerRecord | None:
    """The patch's record as ``actor`` may see it (township staff: own township only)."""
    patch = patch_by_id(session, patch_id)
    if patch is None or (patch.restricted and not actor.role.is_bureau):
        raise NotFound("patch.no_such_id", id=patch_id)
    if not actor.reaches(patch.township_code):  # another unit's patch
        raise NotFound("patch.no_such_id", id=patch_id)
    return q.record_for_patch(session, patch.id)


def history(session: Session, record: LedgerRecord) -> tuple[list[ProgressEntry], list[CloseOutRequest]]:
    """A record's progress entries and 销号 requests with their files, oldest first."""
    return q.progress_entries(session, record.id), q.requests_of(session, record.id)


def list_records(
    session: Session,
    *,
    unit: str | None = None,
    townships: Collection[str] | None = None,
    state: str | None = None,
    include_restricted: bool = True,
    exportable: bool = False,
    limit: int | None = 500,
) -> list[LedgerRecord]:
    """Ledger records, by unit and state; waiting 销号 requests first, then by deadline.

    ``unit`` keeps the records it is responsible for and, with ``townships`` (its coverage), those
    of patches in its townships; ``townships`` alone keeps the patches there (an account's scope).
    ``exportable`` leaves out what no export may hold (``withheld_from_export``: military land).
    """
    query = q.record_query()
    if unit is not None:
        mine = rectifications.c.responsible_unit == unit
        query = query.where(
            mine if not townships else or_(mine, patches.c.township_code.in_(sorted(townships)))
        )
    elif townships is not None:
        query = query.where(patches.c.township_code.in_(sorted(townships)))
    if state is not None:
        query = query.where(rectifications.c.state == state)
    if exportable:
        query = query.where(~withheld_from_export())
    if not include_restricted:  # restricted from import (patches) or by the desk comparison
        query = query.where(patches.c.restricted.is_(False), patch_facts.c.restricted.is_not(True))
    query = query.order_by(
        (rectifications.c.state != RecordState.requested.value),
        rectifications.c.deadline,
        rectifications.c.id,
    )
    if limit is not None:
        query = query.limit(limit)
    return q.records(session, query)
