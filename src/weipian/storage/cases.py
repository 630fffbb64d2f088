"""Queries on the case register (立案查处): cases with their patch, and the persons of a case."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, delete, insert, select, update
from sqlalchemy.orm import Session

from weipian.domain.cases import CaseFields, CaseKind, CaseStage, Outcome
from weipian.storage.records import AnyRow
from weipian.storage.tables import case_persons, cases, patch_facts, patches, suggestions, townships


@dataclass(frozen=True, slots=True)
class CasePerson:
    """A person held responsible (``case_persons``); unconfirmed = only a suggestion of the judge's flags."""

    id: int
    name: str
    position: str | None
    outcome: Outcome
    detail: str | None
    suggested_by: str | None
    confirmed_by: str | None
    confirmed_at: dt.datetime | None

    @classmethod
    def of(cls, row: AnyRow) -> CasePerson:
        return cls(
            id=row.id, name=row.name, position=row.position, outcome=Outcome(row.outcome), detail=row.detail,
            suggested_by=row.suggested_by, confirmed_by=row.confirmed_by, confirmed_at=row.confirmed_at,
        )  # fmt: skip

    @property
    def confirmed(self) -> bool:
        return self.confirmed_by is not None


@dataclass(frozen=True, slots=True)
class CaseRecord:
    """立案查处: one case (``cases``) with its patch's identity, state, licence facts and persons."""

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
    fields: CaseFields  # what the bureau enters: numbers, dates, amounts, 结案
    mining_licence: str | None
    mining_mineral: str | None
    created_by: str
    created_at: dt.datetime
    updated_by: str
    updated_at: dt.datetime
    version: int  # optimistic concurrency: each change sets version + 1
    persons: tuple[CasePerson, ...]

    @classmethod
    def of(cls, row: AnyRow, persons: list[CasePerson]) -> CaseRecord:
        """A row of :func:`case_query` with the case's persons."""
        return cls(
            id=row.id, patch_id=row.patch_id, patch_code=row.patch_code, source=row.source, year=row.year,
            township_code=row.township_code, township_name=row.township_name, patch_state=row.patch_state,
            restricted=bool(row.restricted), kind=CaseKind(row.kind), fields=_fields(row),
            mining_licence=row.mining_licence, mining_mineral=row.mining_mineral, created_by=row.created_by,
            created_at=row.created_at, updated_by=row.updated_by, updated_at=row.updated_at,
            version=int(row.version), persons=tuple(persons),
        )  # fmt: skip

    @property
    def stage(self) -> CaseStage:
        return self.fields.stage

    @property
    def confirmed_persons(self) -> tuple[CasePerson, ...]:
        return tuple(p for p in self.persons if p.confirmed)

    @property
    def pending_suggestions(self) -> tuple[CasePerson, ...]:
        return tuple(p for p in self.persons if not p.confirmed)


def _fields(row: AnyRow) -> CaseFields:
    def num(v: Any) -> float | None:
        return None if v is None else float(v)

    return CaseFields(
        case_no=row.case_no, filed_on=row.filed_on, decision_no=row.decision_no, decision_on=row.decision_on,
        fine_yuan=num(row.fine_yuan), confiscated_yuan=num(row.confiscated_yuan),
        confiscated_area_m2=num(row.confiscated_area_m2), confiscation=row.confiscation, closed_on=row.closed_on,
        note=row.note,
    )  # fmt: skip


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


def case_for_patch(session: Session, patch_id: int) -> CaseRecord | None:
    row = session.execute(case_query().where(cases.c.patch_id == patch_id)).first()
    return None if row is None else CaseRecord.of(row, persons_of(session, row.id))


def cases_of(session: Session, query: Select[Any]) -> list[CaseRecord]:
    """The cases of ``query`` (a narrowed, ordered :func:`case_query`) with their persons, read in
    bounded batches rather than a query per case."""
    rows = list(session.execute(query))
    persons: dict[int, list[CasePerson]] = defaultdict(list)
    ids = [r.id for r in rows]
    for i in range(0, len(ids), 500):  # bounded IN lists
        chunk = ids[i : i + 500]
        for p in session.execute(
            select(case_persons).where(case_persons.c.case_id.in_(chunk)).order_by(case_persons.c.id)
        ):
            persons[p.case_id].append(CasePerson.of(p))
    return [CaseRecord.of(r, persons[r.id]) for r in rows]


def case_id_by_number(session: Session, case_no: str) -> int | None:
    """The id of the case numbered ``case_no`` (立案号), if any."""
    value = session.scalar(select(cases.c.id).where(cases.c.case_no == case_no))
    return None if value is None else int(value)


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


def persons_of(session: Session, case_id: int) -> list[CasePerson]:
    query = select(case_persons).where(case_persons.c.case_id == case_id).order_by(case_persons.c.id)
    return [CasePerson.of(r) for r in session.execute(query)]


def insert_person(session: Session, **values: Any) -> int:
    new_id = session.execute(insert(case_persons).values(**values).returning(case_persons.c.id)).scalar_one()
    return int(new_id)


def person(session: Session, case_id: int, person_id: int) -> CasePerson | None:
    query = select(case_persons).where(case_persons.c.id == person_id, case_persons.c.case_id == case_id)
    row = session.execute(query).first()
    return None if row is None else CasePerson.of(row)


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
