"""Queries on the units and unit_townships tables (responsibility units, 责任单位)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from weipian.domain.organisation import OrgUnit, UnitKind
from weipian.storage.tables import townships, unit_townships, units


def all_units(session: Session) -> list[OrgUnit]:
    """Every unit with its townships: township units first (by code), then the others."""
    covers: dict[str, set[str]] = defaultdict(set)
    for r in session.execute(select(unit_townships.c.unit_code, unit_townships.c.township_code)):
        covers[r.unit_code].add(r.township_code)
    rows = session.execute(select(units)).all()
    found = [
        OrgUnit(r.code, r.name, UnitKind(r.kind), frozenset(covers[r.code]), bool(r.active)) for r in rows
    ]
    return sorted(found, key=lambda u: (u.kind is not UnitKind.township, u.kind.value, u.code))


def unit_by_code(session: Session, code: str) -> OrgUnit | None:
    row = session.execute(select(units).where(units.c.code == code)).first()
    if row is None:
        return None
    covers = session.scalars(select(unit_townships.c.township_code).where(unit_townships.c.unit_code == code))
    return OrgUnit(row.code, row.name, UnitKind(row.kind), frozenset(covers), bool(row.active))


def insert_unit(session: Session, unit: OrgUnit) -> None:
    session.execute(
        insert(units).values(code=unit.code, name=unit.name, kind=unit.kind.value, active=unit.active)
    )
    set_coverage(session, unit.code, unit.townships)


def update_unit(session: Session, code: str, *, name: str | None = None, active: bool | None = None) -> None:
    values: dict[str, object] = {}
    if name is not None:
        values["name"] = name
    if active is not None:
        values["active"] = active
    if values:
        session.execute(update(units).where(units.c.code == code).values(**values))


def set_coverage(session: Session, code: str, covers: Iterable[str]) -> None:
    """Make unit ``code`` cover exactly ``covers`` (township codes the store holds)."""
    session.execute(delete(unit_townships).where(unit_townships.c.unit_code == code))
    rows = [{"unit_code": code, "township_code": t} for t in sorted(set(covers))]
    if rows:
        session.execute(insert(unit_townships), rows)


def seed_units(session: Session, wanted: Iterable[OrgUnit]) -> int:
    """Add the units of ``wanted`` the store lacks (coverage limited to known townships); units
    already stored are left as the bureau edited them. Returns how many were added."""
    have = set(session.scalars(select(units.c.code)))
    known = set(session.scalars(select(townships.c.code)))
    added = 0
    for unit in wanted:
        if unit.code in have:
            continue
        insert_unit(session, OrgUnit(unit.code, unit.name, unit.kind, unit.townships & known, unit.active))
        added += 1
    return added
