"""Queries on the case register (立案查处): cases with their patch, and the persons of a case."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, Select, delete, insert, select, update
from sqlalchemy.orm import Session

from weipian.storage.tables import case_persons, cases, patch_facts, patches, suggestions, townships


def case_query() -> Select[Any]:
    """Cases with their patch's JCBH, source, year, township, state, restriction and licence facts."""
    return select(
        cases,
        patches.c.patch_code,
        patches.c.source,
        patches.c.year,
        patches.c.township_code,
        patches.c.state.label("patch_state"),
        patches.c.restricted,
        patches.c.area_m2.label("patch_area_m2"),
        townships.c.name.label("township_name"),
        patch_facts.c.mining_licence,
        patch_facts.c.mining_mineral,
    ).select_from(
        cases.join(patches, patches.c.id == cases.c.patch_id)
        .outerjoin(townships, townships.c.code == patches.c.township_code)
        .outerjoin(patch_facts, patch_facts.c.patch_id == patches.c.id)
    )


def case_for_patch(session: Session, patch_id: int) -> Row[Any] | None:
    return session.execute(case_query().where(cases.c.patch_id == patch_id)).first()


def case_by_number(session: Session, case_no: str) -> Row[Any] | None:
    return session.execute(select(cases).where(cases.c.case_no == case_no)).first()


def insert_case(session: Session, **values: Any) -> int:
    return int(session.execute(insert(cases).values(**values).returning(cases.c.id)).scalar_one())


def update_case(session: Session, case_id: int, version: int, **values: Any) -> bool:
    """Apply ``values`` only if the case is still at ``version``; False when someone came first."""
    done = session.execute(
        update(cases)
        .where(cases.c.id == case_id, cases.c.version == version)
        .values(version=cases.c.version + 1, **values)
    )
    return bool(done.rowcount == 1)  # type: ignore[attr-defined]


def persons_of(session: Session, case_id: int) -> list[Row[Any]]:
    query = select(case_persons).where(case_persons.c.case_id == case_id).order_by(case_persons.c.id)
    return list(session.execute(query))


def insert_person(session: Session, **values: Any) -> int:
    new_id = session.execute(insert(case_persons).values(**values).returning(case_persons.c.id)).scalar_one()
    return int(new_id)


def person(session: Session, case_id: int, person_id: int) -> Row[Any] | None:
    query = select(case_persons).where(case_persons.c.id == person_id, case_persons.c.case_id == case_id)
    return session.execute(query).first()


def confirm_person(session: Session, person_id: int, **values: Any) -> bool:
    """Confirm a suggestion (with corrected name/position); False if it was confirmed meanwhile."""
    done = session.execute(
        update(case_persons)
        .where(case_persons.c.id == person_id, case_persons.c.confirmed_by.is_(None))
        .values(**values)
    )
    return bool(done.rowcount == 1)  # type: ignore[attr-defined]


def drop_suggestion(session: Session, person_id: int) -> bool:
    """Remove an unconfirmed suggestion (the event keeps it); False if it was confirmed meanwhile."""
    done = session.execute(
        delete(case_persons).where(case_persons.c.id == person_id, case_persons.c.confirmed_by.is_(None))
    )
    return bool(done.rowcount == 1)  # type: ignore[attr-defined]


def patch_flags(session: Session, patch_id: int) -> tuple[list[str], list[dict[str, Any]]]:
    """The judge's flags and reasons on a patch (empty when it was never judged)."""
    row = session.execute(
        select(suggestions.c.flags, suggestions.c.reasons).where(suggestions.c.patch_id == patch_id)
    ).first()
    if row is None:
        return [], []
    return [str(f) for f in row.flags or []], [r for r in row.reasons or [] if isinstance(r, dict)]
