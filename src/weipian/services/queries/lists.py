"""The special lists of the lists service, narrowed to a scope and linked to patch pages."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from weipian.services.access import Scope
from weipian.services.lists import ListRow, special_list
from weipian.services.queries.scope import visible
from weipian.storage.tables import patches

TITLES = {
    "housing": "新增农村乱占耕地建房清单",
    "military": "涉军事用地图斑清单（仅限离线报送，不得网络上报）",
    "overdue": "逾期未完成核查图斑清单",
    "returned": "被退回图斑清单",
}
BUREAU_ONLY = frozenset({"military"})


@dataclass(frozen=True, slots=True)
class ScopedRow:
    """A special list's row as a page shows it: with the patch to link to and whether it is
    restricted (military land: on the page for 市局 roles, never in a download)."""

    row: ListRow
    id: int | None  # None: the JCBH names more than one patch (the page links a search)
    restricted: bool


def scoped_list(session: Session, name: str, *, scope: Scope, today: dt.date) -> list[ScopedRow]:
    """The rows of list ``name`` that ``scope`` may see, in the list's order."""
    if scope.nothing:
        return []
    rows = special_list(session, name, on=today, townships=scope.townships)
    codes = sorted({r.patch_code for r in rows})
    ids: dict[tuple[str, str, str | None], list[tuple[int, bool]]] = defaultdict(list)
    for start in range(0, len(codes), 500):
        query = select(
            patches.c.id,
            patches.c.patch_code,
            patches.c.source,
            patches.c.township_code,
            patches.c.restricted,
        ).where(patches.c.patch_code.in_(codes[start : start + 500]))
        for p in session.execute(visible(query, scope)):
            ids[(p.patch_code, p.source, p.township_code)].append((p.id, bool(p.restricted)))
    out = []
    for row in rows:
        found = ids.get((row.patch_code, row.source, row.township_code))
        if found:  # not found: outside the scope (a restricted patch for a non-bureau role)
            one = found[0][0] if len(found) == 1 else None
            out.append(ScopedRow(row, one, any(r for _, r in found)))
    return out
