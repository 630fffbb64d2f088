"""Queries on the rectification ledger: records, progress entries, 销号 requests and their files."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Row, Select, insert, select, update
from sqlalchemy.orm import Session

from weipian.domain import clock
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


def record_for_patch(session: Session, patch_id: int) -> Row[Any] | None:
    return session.execute(record_query().where(rectifications.c.patch_id == patch_id)).first()


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


def progress_entries(session: Session, record_id: int) -> list[Row[Any]]:
    """A record's progress entries, oldest first."""
    query = (
        select(rectification_progress)
        .where(rectification_progress.c.rectification_id == record_id)
        .order_by(rectification_progress.c.id)
    )
    return list(session.execute(query))


def insert_request(session: Session, **values: Any) -> int:
    new_id = session.execute(
        insert(close_out_requests).values(**values).returning(close_out_requests.c.id)
    ).scalar_one()
    return int(new_id)


def pending_request(session: Session, record_id: int) -> Row[Any] | None:
    """The record's 销号 request that still waits for the 市局, if any."""
    query = select(close_out_requests).where(
        close_out_requests.c.rectification_id == record_id, close_out_requests.c.decision.is_(None)
    )
    return session.execute(query).first()


def decide_request(session: Session, request_id: int, **values: Any) -> bool:
    """Set the decision on a waiting request; False when another decision came first."""
    done = session.execute(
        update(close_out_requests)
        .where(close_out_requests.c.id == request_id, close_out_requests.c.decision.is_(None))
        .values(**values)
    )
    return bool(done.rowcount == 1)  # type: ignore[attr-defined]


def requests_of(session: Session, record_id: int) -> list[Row[Any]]:
    query = (
        select(close_out_requests)
        .where(close_out_requests.c.rectification_id == record_id)
        .order_by(close_out_requests.c.id)
    )
    return list(session.execute(query))


def link_file(session: Session, *, attachment_id: int, purpose: str, **target: int) -> None:
    """Tie an attachment to a progress entry, a 销号 request, a feedback entry or a case."""
    session.execute(insert(ledger_files).values(attachment_id=attachment_id, purpose=purpose, **target))


def files_of(session: Session, **target: int) -> list[Row[Any]]:
    """Attachments tied to one target (e.g. ``progress_id=3``), oldest first."""
    ((column, value),) = target.items()
    query = (
        select(attachments)
        .join(ledger_files, ledger_files.c.attachment_id == attachments.c.id)
        .where(ledger_files.c[column] == value)
        .order_by(attachments.c.id)
    )
    return list(session.execute(query))


def utc_now() -> dt.datetime:
    return clock.now()
