"""Reading the rectification ledger: records, their progress entries and 销号 requests."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row
from sqlalchemy.orm import Session

from weipian.domain.ledger import Areas, Decision, Method, RecordState
from weipian.domain.roles import Actor
from weipian.errors import NotFound
from weipian.services.evidence import Evidence, evidence_of
from weipian.storage import ledger as q
from weipian.storage.patches import patch_by_id
from weipian.storage.tables import patch_facts, rectifications


@dataclass(frozen=True)
class LedgerRecord:
    """One ledger record as the edges show it."""

    id: int
    patch_id: int
    patch_code: str
    source: str
    year: int
    township_code: str | None
    township_name: str | None
    patch_state: str
    restricted: bool
    state: RecordState
    responsible_unit: str
    responsible_person: str
    measures: tuple[str, ...]
    deadline: dt.date
    illegal_area_m2: float
    illegal_farmland_m2: float | None
    areas: Areas
    remaining_m2: float
    method: Method
    major_case: bool
    opened_by: str
    opened_at: dt.datetime
    closed_on: dt.date | None

    @property
    def rectified_area_m2(self) -> float:
        return self.areas.rectified

    def days_left(self, today: dt.date) -> int:
        return (self.deadline - today).days

    def overdue(self, today: dt.date) -> bool:
        """Past its deadline and not closed out."""
        return self.state is not RecordState.closed and today > self.deadline


def _record(row: Row[Any]) -> LedgerRecord:
    return LedgerRecord(
        id=row.id, patch_id=row.patch_id, patch_code=row.patch_code, source=row.source, year=row.year,
        township_code=row.township_code, township_name=row.township_name, patch_state=row.patch_state,
        restricted=bool(row.restricted), state=RecordState(row.state), responsible_unit=row.responsible_unit,
        responsible_person=row.responsible_person, measures=tuple(row.measures or ()), deadline=row.deadline,
        illegal_area_m2=float(row.illegal_area_m2),
        illegal_farmland_m2=None if row.illegal_farmland_m2 is None else float(row.illegal_farmland_m2),
        areas=Areas(row.demolished_m2, row.demolished_farmland_m2, row.regularised_m2, row.regularised_farmland_m2),
        remaining_m2=float(row.remaining_m2), method=Method(row.method), major_case=bool(row.major_case),
        opened_by=row.opened_by, opened_at=row.opened_at, closed_on=row.closed_on,
    )  # fmt: skip


def get_record(session: Session, patch_id: int) -> LedgerRecord:
    row = q.record_for_patch(session, patch_id)
    if row is None:
        raise NotFound("ledger.no_record_id", id=patch_id)
    return _record(row)


def find_record(session: Session, patch_id: int, actor: Actor) -> LedgerRecord | None:
    """The patch's record as ``actor`` may see it (township staff: own township only)."""
    patch = patch_by_id(session, patch_id)
    if patch is None or (patch.restricted and not actor.role.is_bureau):
        raise NotFound("patch.no_such_id", id=patch_id)
    if actor.township is not None and patch.township_code != actor.township:
        raise NotFound("patch.no_such_id", id=patch_id)
    row = q.record_for_patch(session, patch.id)
    return None if row is None else _record(row)


@dataclass(frozen=True)
class ProgressEntry:
    id: int
    on_date: dt.date
    note: str | None
    areas: Areas
    remaining_m2: float
    created_by: str
    created_at: dt.datetime
    photos: tuple[Evidence, ...]


@dataclass(frozen=True)
class CloseOutRequest:
    id: int
    requested_by: str
    requested_at: dt.datetime
    note: str | None
    decision: Decision | None
    reason_code: str | None
    decision_note: str | None
    decided_by: str | None
    decided_at: dt.datetime | None
    files: tuple[Evidence, ...]


def history(session: Session, record: LedgerRecord) -> tuple[list[ProgressEntry], list[CloseOutRequest]]:
    """A record's progress entries and 销号 requests with their files, oldest first."""
    entries = [
        ProgressEntry(
            id=p.id,
            on_date=p.on_date,
            note=p.note,
            areas=Areas(
                p.demolished_m2, p.demolished_farmland_m2, p.regularised_m2, p.regularised_farmland_m2
            ),
            remaining_m2=p.remaining_m2,
            created_by=p.created_by,
            created_at=p.created_at,
            photos=tuple(evidence_of(a) for a in q.files_of(session, progress_id=p.id)),
        )
        for p in q.progress_entries(session, record.id)
    ]
    requests = [
        CloseOutRequest(
            id=r.id,
            requested_by=r.requested_by,
            requested_at=r.requested_at,
            note=r.note,
            decision=Decision(r.decision) if r.decision else None,
            reason_code=r.reason_code,
            decision_note=r.decision_note,
            decided_by=r.decided_by,
            decided_at=r.decided_at,
            files=tuple(evidence_of(a) for a in q.files_of(session, close_request_id=r.id)),
        )
        for r in q.requests_of(session, record.id)
    ]
    return entries, requests


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
    return [_record(r) for r in session.execute(query)]
