"""Queries on the rectification ledger: records, progress entries, 销号 requests and their files."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, insert, select, update
from sqlalchemy.orm import Session

from weipian.domain import clock
from weipian.domain.ledger import Areas, Decision, Method, RecordState
from weipian.storage.records import AnyRow, Attachment
from weipian.storage.tables import (
    attachments,
    close_out_requests,
    ledger_files,
    patch_facts,
    patches,
    rectification_progress,
    rectifications,
    townships,
)


@dataclass(frozen=True, slots=True)
class LedgerRecord:
    """台账: one ledger record (``rectifications``) with its patch's identity, state and township."""

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
    areas: Areas  # totals to date: demolished, regularised, and their 耕地
    remaining_m2: float
    method: Method
    major_case: bool
    opened_by: str
    opened_at: dt.datetime
    closed_on: dt.date | None

    @classmethod
    def of(cls, row: AnyRow) -> LedgerRecord:
        """A row of :func:`record_query`."""
        return cls(
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

    @property
    def rectified_area_m2(self) -> float:
        return self.areas.rectified

    def days_left(self, today: dt.date) -> int:
        return (self.deadline - today).days

    def overdue(self, today: dt.date) -> bool:
        """Past its deadline and not closed out."""
        return self.state is not RecordState.closed and today > self.deadline


@dataclass(frozen=True, slots=True)
class ProgressEntry:
    """整改进展: one progress entry (areas as totals to date) with its photos."""

    id: int
    on_date: dt.date
    note: str | None
    areas: Areas
    remaining_m2: float
    created_by: str
    created_at: dt.datetime
    photos: tuple[Attachment, ...]


@dataclass(frozen=True, slots=True)
class CloseOutRequest:
    """销号 request, with the 市局's decision once made (None while it waits) and its files."""

    id: int
    requested_by: str
    requested_at: dt.datetime
    note: str | None
    decision: Decision | None
    reason_code: str | None
    decision_note: str | None
    decided_by: str | None
    decided_at: dt.datetime | None
    files: tuple[Attachment, ...]


def record_query() -> Select[Any]:
    """Ledger records with their patch's JCBH, source, year, batch, township, state and restriction."""
    return select(
        rectifications,
        patches.c.patch_code,
        patches.c.source,
        patches.c.year,
        patches.c.batch_id,
        patches.c.township_code,
        patches.c.state.label("patch_state"),
        townships.c.name.label("township_name"),
        patches.c.area_m2.label("patch_area_m2"),
        patches.c.wkb,
        patches.c.after_date,
        patches.c.restricted,
    ).select_from(
        rectifications.join(patches, patches.c.id == rectifications.c.patch_id)
        .outerjoin(townships, townships.c.code == patches.c.township_code)
        .outerjoin(patch_facts, patch_facts.c.patch_id == patches.c.id)
    )


def record_for_patch(session: Session, patch_id: int) -> LedgerRecord | None:
    row = session.execute(record_query().where(rectifications.c.patch_id == patch_id)).first()
    return None if row is None else LedgerRecord.of(row)


def records(session: Session, query: Select[Any]) -> list[LedgerRecord]:
    """The records of ``query``, a narrowed and ordered :func:`record_query`."""
    return [LedgerRecord.of(r) for r in session.execute(query)]


def insert_record(session: Session, **values: Any) -> int:
    new_id = session.execute(
        insert(rectifications).values(**values).returning(rectifications.c.id)
    ).scalar_one()
    return int(new_id)


def update_record(session: Session, record_id: int, **values: Any) -> None:
    session.execute(update(rectifications).where(rectifications.c.id == record_id).values(**values))


def insert_progress(session: Session, **values: Any) -> int:
    new_id = session.execute(
        insert(rectification_progress).values(**values).returning(rectification_progress.c.id)
    ).scalar_one()
    return int(new_id)


def progress_entries(session: Session, record_id: int) -> list[ProgressEntry]:
    """A record's progress entries with their photos, oldest first."""
    query = (
        select(rectification_progress)
        .where(rectification_progress.c.rectification_id == record_id)
        .order_by(rectification_progress.c.id)
    )
    return [_entry(session, p) for p in session.execute(query)]


def _entry(session: Session, p: AnyRow) -> ProgressEntry:
    return ProgressEntry(
        id=p.id, on_date=p.on_date, note=p.note,
        areas=Areas(p.demolished_m2, p.demolished_farmland_m2, p.regularised_m2, p.regularised_farmland_m2),
        remaining_m2=p.remaining_m2, created_by=p.created_by, created_at=p.created_at,
        photos=tuple(files_of(session, progress_id=p.id)),
    )  # fmt: skip


def insert_request(session: Session, **values: Any) -> int:
    new_id = session.execute(
        insert(close_out_requests).values(**values).returning(close_out_requests.c.id)
    ).scalar_one()
    return int(new_id)


def pending_request(session: Session, record_id: int) -> CloseOutRequest | None:
    """The record's 销号 request that still waits for the 市局, if any."""
    query = select(close_out_requests).where(
        close_out_requests.c.rectification_id == record_id, close_out_requests.c.decision.is_(None)
    )
    row = session.execute(query).first()
    return None if row is None else _request(session, row)


def decide_request(session: Session, request_id: int, **values: Any) -> bool:
    """Set the decision on a waiting request; False when another decision came first."""
    done = session.execute(
        update(close_out_requests)
        .where(close_out_requests.c.id == request_id, close_out_requests.c.decision.is_(None))
        .values(**values)
    )
    return bool(done.rowcount == 1)  # type: ignore[attr-defined]


def requests_of(session: Session, record_id: int) -> list[CloseOutRequest]:
    """A record's 销号 requests with their files, oldest first."""
    query = (
        select(close_out_requests)
        .where(close_out_requests.c.rectification_id == record_id)
        .order_by(close_out_requests.c.id)
    )
    return [_request(session, r) for r in session.execute(query)]


def _request(session: Session, r: AnyRow) -> CloseOutRequest:
    return CloseOutRequest(
        id=r.id, requested_by=r.requested_by, requested_at=r.requested_at, note=r.note,
        decision=Decision(r.decision) if r.decision else None, reason_code=r.reason_code,
        decision_note=r.decision_note, decided_by=r.decided_by, decided_at=r.decided_at,
        files=tuple(files_of(session, close_request_id=r.id)),
    )  # fmt: skip


def link_file(session: Session, *, attachment_id: int, purpose: str, **target: int) -> None:
    """Tie an attachment to a progress entry, a 销号 request, a feedback entry or a case."""
    session.execute(insert(ledger_files).values(attachment_id=attachment_id, purpose=purpose, **target))


def files_of(session: Session, **target: int) -> list[Attachment]:
    """Attachments tied to one target (e.g. ``progress_id=3``), oldest first."""
    ((column, value),) = target.items()
    query = (
        select(attachments)
        .join(ledger_files, ledger_files.c.attachment_id == attachments.c.id)
        .where(ledger_files.c[column] == value)
        .order_by(attachments.c.id)
    )
    return [Attachment.of(r) for r in session.execute(query)]


def utc_now() -> dt.datetime:
    return clock.now()
