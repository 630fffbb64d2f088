"""Reading the case register (立案查处): cases with their persons, as the account may see them."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from weipian.domain.cases import CaseFields, CaseKind, CaseStage, Outcome
from weipian.domain.roles import Actor
from weipian.errors import NotFound
from weipian.storage import cases as q
from weipian.storage.patches import patch_by_id
from weipian.storage.records import Patch
from weipian.storage.tables import case_persons, cases, patches


@dataclass(frozen=True)
class CasePerson:
    """A person held responsible; unconfirmed = only a suggestion of the judge's flags."""

    id: int
    name: str
    position: str | None
    outcome: Outcome
    detail: str | None
    suggested_by: str | None
    confirmed_by: str | None
    confirmed_at: dt.datetime | None

    @property
    def confirmed(self) -> bool:
        return self.confirmed_by is not None


@dataclass(frozen=True)
class CaseRecord:
    """One case as the edges show it."""

    id: int
    patch_id: int
    patch_code: str
    source: str
    year: int
    township_code: str | None
    township_name: str | None
    patch_state: str
    restricted: bool
    kind: CaseKind
    fields: CaseFields
    mining_licence: str | None
    mining_mineral: str | None
    created_by: str
    created_at: dt.datetime
    updated_by: str
    updated_at: dt.datetime
    version: int
    persons: tuple[CasePerson, ...]

    @property
    def stage(self) -> CaseStage:
        return self.fields.stage

    @property
    def confirmed_persons(self) -> tuple[CasePerson, ...]:
        return tuple(p for p in self.persons if p.confirmed)

    @property
    def pending_suggestions(self) -> tuple[CasePerson, ...]:
        return tuple(p for p in self.persons if not p.confirmed)


def _person(row: Row[Any]) -> CasePerson:
    return CasePerson(
        id=row.id, name=row.name, position=row.position, outcome=Outcome(row.outcome), detail=row.detail,
        suggested_by=row.suggested_by, confirmed_by=row.confirmed_by, confirmed_at=row.confirmed_at,
    )  # fmt: skip


def case_fields(row: Row[Any]) -> CaseFields:
    def num(v: Any) -> float | None:
        return None if v is None else float(v)

    return CaseFields(
        case_no=row.case_no, filed_on=row.filed_on, decision_no=row.decision_no, decision_on=row.decision_on,
        fine_yuan=num(row.fine_yuan), confiscated_yuan=num(row.confiscated_yuan),
        confiscated_area_m2=num(row.confiscated_area_m2), confiscation=row.confiscation, closed_on=row.closed_on,
        note=row.note,
    )  # fmt: skip


def _record(row: Row[Any], persons: list[Row[Any]]) -> CaseRecord:
    return CaseRecord(
        id=row.id, patch_id=row.patch_id, patch_code=row.patch_code, source=row.source, year=row.year,
        township_code=row.township_code, township_name=row.township_name, patch_state=row.patch_state,
        restricted=bool(row.restricted), kind=CaseKind(row.kind), fields=case_fields(row),
        mining_licence=row.mining_licence, mining_mineral=row.mining_mineral, created_by=row.created_by,
        created_at=row.created_at, updated_by=row.updated_by, updated_at=row.updated_at, version=int(row.version),
        persons=tuple(_person(p) for p in persons),
    )  # fmt: skip


def get_case(session: Session, patch_id: int) -> CaseRecord:
    row = q.case_for_patch(session, patch_id)
    if row is None:
        raise NotFound("case.no_case_id", id=patch_id)
    return _record(row, q.persons_of(session, row.id))


def visible_patch(session: Session, patch_id: int, actor: Actor) -> Patch:
    """The patch, or NotFound when ``actor`` may not see it (restricted; another township)."""
    patch = patch_by_id(session, patch_id)
    if patch is None or (patch.restricted and not actor.role.is_bureau):
        raise NotFound("patch.no_such_id", id=patch_id)
    if actor.township is not None and patch.township_code != actor.township:
        raise NotFound("patch.no_such_id", id=patch_id)
    return patch


def find_case(session: Session, patch_id: int, actor: Actor) -> CaseRecord | None:
    """The patch's case as ``actor`` may see it (township staff: own township only)."""
    patch = visible_patch(session, patch_id, actor)
    row = q.case_for_patch(session, patch.id)
    return None if row is None else _record(row, q.persons_of(session, row.id))


def list_cases(
    session: Session,
    *,
    township: str | None = None,
    kind: CaseKind | None = None,
    include_restricted: bool = True,
    open_only: bool = False,
    limit: int | None = 500,
) -> list[CaseRecord]:
    """Cases, newest filing first, with their persons (one query for all of them)."""
    query = q.case_query()
    if township is not None:
        query = query.where(patches.c.township_code == township)
    if kind is not None:
        query = query.where(cases.c.kind == kind.value)
    if not include_restricted:
        query = query.where(patches.c.restricted.is_not(True))
    if open_only:
        query = query.where(cases.c.closed_on.is_(None))
    query = query.order_by(cases.c.filed_on.desc(), cases.c.id.desc())
    if limit is not None:
        query = query.limit(limit)
    rows = list(session.execute(query))
    persons: dict[int, list[Row[Any]]] = defaultdict(list)
    ids = [r.id for r in rows]
    for i in range(0, len(ids), 500):  # bounded IN lists
        chunk = ids[i : i + 500]
        for p in session.execute(
            select(case_persons).where(case_persons.c.case_id.in_(chunk)).order_by(case_persons.c.id)
        ):
            persons[p.case_id].append(p)
    return [_record(r, persons[r.id]) for r in rows]
