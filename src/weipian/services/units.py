"""Responsibility units (责任单位): list, add, update, and the townships an account's unit covers.

The county's units ship as data (domain/organisation.py) and ``weipian init`` adds the missing
ones; the bureau corrects them here. A unit covers townships the store knows; a section covers
none. An inactive unit covers nothing: its accounts see no patch until it is active again.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from weipian.domain.organisation import OrgUnit, UnitKind, valid_code
from weipian.errors import Conflict, InputError, NotFound
from weipian.storage.tables import townships
from weipian.storage.units import all_units, insert_unit, set_coverage, unit_by_code, update_unit

__all__ = [
    "add_unit",
    "all_units",
    "covered_townships",
    "find_unit",
    "unit_filter",
    "unit_names",
    "update_unit_record",
]


def find_unit(session: Session, code: str | None) -> OrgUnit:
    """The unit called ``code``, or NotFound naming the command that lists them."""
    unit = unit_by_code(session, (code or "").strip())
    if unit is None:
        raise NotFound("unit.unknown", unit=(code or "").strip())
    return unit


def covered_townships(
    session: Session, unit_code: str | None, township: str | None
) -> tuple[str | None, frozenset[str]]:
    """The name of an account's unit and the townships it answers for: its unit's (none while the
    unit is inactive), or — for an account from before units, whose unit is its township — that
    township alone."""
    code = unit_code or township
    if not code:
        return None, frozenset()
    unit = unit_by_code(session, code)
    if unit is None:  # a township not (yet) among the units is still its own unit
        name = session.scalar(select(townships.c.name).where(townships.c.code == code))
        return (name, frozenset({code})) if name and code == township else (None, frozenset())
    return unit.name, unit.townships if unit.active else frozenset()


def unit_names(session: Session) -> dict[str, str]:
    """Code → name of every unit."""
    return {u.code: u.name for u in all_units(session)}


def _coverage(session: Session, kind: UnitKind, codes: Iterable[str]) -> frozenset[str]:
    wanted = frozenset(c.strip() for c in codes if c.strip())
    if kind is UnitKind.section and wanted:
        raise InputError("unit.section_townships")
    known = set(session.scalars(select(townships.c.code)))
    unknown = sorted(wanted - known)
    if unknown:
        raise InputError("unit.township_unknown", township="、".join(unknown))
    return wanted


def add_unit(
    session: Session, *, code: str, name: str, kind: UnitKind, covers: Iterable[str] = ()
) -> OrgUnit:
    """A new unit (a 资源管理所, another section …); a township unit comes from the township list."""
    code, name = code.strip(), name.strip()
    if not valid_code(code):
        raise InputError("unit.code_invalid", unit=code)
    if not name or len(name) > 64:
        raise InputError("unit.name_invalid", name=name)
    if kind is UnitKind.township:
        raise InputError("unit.township_kind")
    if unit_by_code(session, code) is not None:
        raise Conflict("unit.exists", unit=code)
    unit = OrgUnit(code, name, kind, _coverage(session, kind, covers))
    insert_unit(session, unit)
    return unit


def update_unit_record(
    session: Session,
    code: str,
    *,
    name: str | None = None,
    covers: Iterable[str] | None = None,
    active: bool | None = None,
) -> OrgUnit:
    """Rename a unit, set the townships it covers or (de)activate it; a township unit keeps
    covering itself."""
    unit = find_unit(session, code)
    if name is not None:
        name = name.strip()
        if not name or len(name) > 64:
            raise InputError("unit.name_invalid", name=name)
    if covers is not None:
        wanted = _coverage(session, unit.kind, covers)
        if unit.kind is UnitKind.township and wanted != {unit.code}:
            raise InputError("unit.township_covers_itself", unit=unit.code)
        set_coverage(session, unit.code, wanted)
    update_unit(session, unit.code, name=name, active=active)
    return find_unit(session, unit.code)


def unit_filter(session: Session, code: str | None) -> tuple[str | None, frozenset[str] | None]:
    """``(unit, townships)`` for a ``--unit`` filter: a unit and the townships it covers (a
    township's code is its own unit); ``(None, None)`` without a code; NotFound for an unknown one."""
    code = (code or "").strip()
    if not code:
        return None, None
    unit = unit_by_code(session, code)
    if unit is None:
        if session.scalar(select(townships.c.code).where(townships.c.code == code)) is None:
            raise NotFound("unit.unknown", unit=code)
        return code, frozenset({code})
    return unit.code, unit.townships
