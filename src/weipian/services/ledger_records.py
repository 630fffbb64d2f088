"""Reading the rectification ledger: records, their progress entries and 销号 requests.

The records are storage's (``weipian.storage.ledger``); re-exported here for the edges.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from weipian.domain.ledger import RecordState
from weipian.domain.roles import Actor
from weipian.errors import NotFound
from weipian.storage import ledger as q
from weipian.storage.ledger import CloseOutRequest, LedgerRecord, ProgressEntry
from weipian.storage.patches import patch_by_id
from weipian.storage.tables import patch_facts, rectifications

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
    if actor.township is not None and patch.township_code != actor.township:
        raise NotFound("patch.no_such_id", id=patch_id)
    return q.record_for_patch(session, patch.id)


def history(session: Session, record: LedgerRecord) -> tuple[list[ProgressEntry], list[CloseOutRequest]]:
    """A record's progress entries and 销号 requests with their files, oldest first."""
    return q.progress_entries(session, record.id), q.requests_of(session, record.id)


def list_records(
    session: Session,
    *,
    unit: str | None = None,
    state: str | None = None,
    include_restricted: bool = True,
    limit: int | None = 500,
) -> list[LedgerRecord]:
    """Ledger records, by unit and state; waiting 销号 requests first, then by deadline."""
    query = q.record_query()
    if unit is not None:
        query = query.where(rectifications.c.responsible_unit == unit)
    if state is not None:
        query = query.where(rectifications.c.state == state)
    if not include_restricted:
        query = query.where(patch_facts.c.restricted.is_not(True))
    query = query.order_by(
        (rectifications.c.state != RecordState.requested.value),
        rectifications.c.deadline,
        rectifications.c.id,
    )
    if limit is not None:
        query = query.limit(limit)
    return q.records(session, query)
