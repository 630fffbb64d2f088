"""Queries on the townships table (the responsibility units)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from weipian.domain.townships import Township
from weipian.storage.tables import patches, townships


def sync_townships(session: Session, units: Iterable[Township]) -> int:
    """Make the townships table hold ``units``; units still referenced by patches are kept."""
    wanted = {u.code: u for u in units}
    have = {r.code: r for r in session.execute(select(townships))}
    used = set(session.scalars(select(patches.c.township_code).distinct()))
    stale = [c for c in have if c not in wanted and c not in used]
    if stale:
        session.execute(delete(townships).where(townships.c.code.in_(stale)))
    for code, unit in wanted.items():
        if code in have:
            if (have[code].name, have[code].kind) != (unit.name, unit.kind):
                session.execute(
                    townships.update().where(townships.c.code == code).values(name=unit.name, kind=unit.kind)
                )
        else:
            session.execute(insert(townships).values(code=code, name=unit.name, kind=unit.kind))
    return len(wanted)


def township_names(session: Session) -> dict[str, str]:
    """Code → name of every township in the store."""
    return {r.code: r.name for r in session.execute(select(townships.c.code, townships.c.name))}
