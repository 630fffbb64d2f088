"""The case register (立案查处): file a case for an illegal patch, update it, close it (结案), and
hold persons responsible (既查事又查人).

Roles: the 市局 (reviewer or admin) files and changes cases; township staff read their own
township's cases and change nothing; a patch the account may not see answers "no such patch".
Every step checks the actor, the patch (determined 违法, past the county review) and the values
(``domain.cases.check_case``) before anything is written, then appends one event and changes the
register in the caller's transaction. A case changes only from the version the caller read
(``based_on``; a stale one is refused), so two people editing one case never overwrite each other.

The judge's discipline and crime flags become *suggested* persons (unconfirmed rows, name
possibly blank) when the case is filed; they count nowhere until a person confirms them, and a
case is not closed while a suggestion waits.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from typing import Any

from sqlalchemy.orm import Session

from weipian.domain.cases import (
    NAME_MAX,
    POSITION_MAX,
    TEXT_MAX,
    CaseFields,
    CaseKind,
    CaseProblem,
    Outcome,
    check_case,
    kind_from_text,
    outcome_from_label,
    suggestions_from_flags,
)
from weipian.domain.ledger import CASE_KIND_LABELS
from weipian.domain.roles import Actor
from weipian.domain.workflow import Action, State, advance
from weipian.errors import Conflict, InputError, NotFound, PermissionDenied
from weipian.messages import sentences
from weipian.rules import RuleSet
from weipian.rules.violation import determined_flags
from weipian.services.case_records import CasePerson, CaseRecord, get_case, visible_patch
from weipian.storage import cases as q
from weipian.storage.records import Patch
from weipian.storage.workflow import append_event, current_determination

# A case is filed once the county has passed the 违法 determination (or later).
CASE_STATES = frozenset({State.county_passed, State.reported, State.accepted, State.rectifying, State.closed})
UPDATABLE = ("case_no", "filed_on", "decision_no", "decision_on", "fine_yuan", "confiscated_yuan",
             "confiscated_area_m2", "confiscation", "note")  # fmt: skip


# --- checks shared by the steps --------------------------------------------------------------
def _allowed(actor: Actor, action: Action, patch: Patch) -> None:
    if not actor.may(action, patch.township_code):
        raise PermissionDenied("case.forbidden", code=patch.patch_code, role=actor.role.label)
    advance(patch.state, action)


def _event(session: Session, patch: Patch, action: Action, actor: Actor, payload: dict[str, Any],
           at: dt.datetime) -> int:  # fmt: skip
    """One event beside the workflow (the patch keeps its state); on PostgreSQL it also takes the
    event chain's lock, so the checks made after it see every earlier writer."""
    if actor.via:  # the CLI: the account acted as, and the operating-system user who did it
        payload = {**payload, "via": actor.via}
    return append_event(
        session, patch_id=patch.id, action=action.value, actor=actor.name, role=actor.role.value,
        state_before=patch.state, state_after=patch.state, payload=payload, at=at,
    )  # fmt: skip


def illegal_kinds(
    session: Session, patch: Patch, *, rules: RuleSet, on: dt.date
) -> tuple[set[CaseKind], float]:
    """Which kinds of case the current determination allows, and the illegal area (m²)."""
    det = current_determination(session, patch.id)
    data = det.data if det is not None else {}
    tables = rules.tables(on).determination
    kinds: set[CaseKind] = set()
    if data.get("verdict") in tables["needs_violation"]:
        kinds.add(CaseKind.land)
    mineral = data.get("mineral_verdict")
    if mineral and rules.parent("mineral_verdict", str(mineral), on) == tables["mineral_illegal_class"]:
        kinds.add(CaseKind.mineral)
    area = data.get("illegal_area_m2")
    illegal = float(area) if CaseKind.land in kinds and area else float(patch.area_m2)
    return kinds, illegal


def _refuse(problems: list[CaseProblem], code: str) -> None:
    if problems:
        raise InputError(
            "case.invalid", code=code, problems=sentences(problems), codes=[p.code for p in problems]
        )


def _one_line(value: str | None, limit: int, field: str) -> str | None:
    text = (value or "").strip()
    if not text:
        return None
    if len(text) > limit:
        raise InputError("case.too_long", field=field, length=len(text), max=limit)
    if any(ord(ch) < 32 for ch in text):
        raise InputError("case.bad_char", field=field)
    return text


def _long_text(value: str | None, field: str) -> str | None:
    text = (value or "").strip()
    if len(text) > TEXT_MAX:
        raise InputError("case.too_long", field=field, length=len(text), max=TEXT_MAX)
    return text or None


def _plain(fields: CaseFields) -> dict[str, Any]:
    return {
        k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in dataclasses.asdict(fields).items()
    }


def _number_taken(session: Session, case_no: str, case_id: int | None) -> None:
    other = q.case_id_by_number(session, case_no)
    if other is not None and other != case_id:
        raise Conflict("case.number_taken", number=case_no)


def _case_row(session: Session, patch: Patch) -> CaseRecord:
    row = q.case_for_patch(session, patch.id)
    if row is None:
        raise NotFound("case.no_case", code=patch.patch_code)
    return row


def _check_version(row: CaseRecord, based_on: int | None, patch: Patch) -> int:
    if based_on is not None and based_on != row.version:
        raise Conflict("case.stale", code=patch.patch_code, by=row.updated_by, version=row.version)
    return int(row.version)


def _flags(
    session: Session, patch: Patch, illegal: float, rules: RuleSet, on: dt.date
) -> tuple[list[str], list[dict[str, Any]]]:
    """The judge's flags on the patch and those the determined areas reach, with their reasons."""
    flags, reasons = q.patch_flags(session, patch.id)
    det = current_determination(session, patch.id)
    data = det.data if det is not None else {}
    for flag, code, params in determined_flags(
        rules, on, illegal_m2=illegal, farmland_m2=data.get("farmland_area_m2"),
        basic_farmland_m2=data.get("basic_farmland_area_m2"),
    ):  # fmt: skip
        flags.append(flag)
        reasons.append({"code": code, "params": params})
    return flags, reasons


def suggested_outcomes(session: Session, patch: Patch, *, rules: RuleSet, on: dt.date) -> list[Outcome]:
    """What a case filed now would suggest (for the page before filing); empty when not 违法."""
    kinds, illegal = illegal_kinds(session, patch, rules=rules, on=on)
    if not kinds:
        return []
    flags, _ = _flags(session, patch, illegal, rules, on)
    return [s.outcome for s in suggestions_from_flags(flags)]


def _suggestion_detail(reasons: list[dict[str, Any]], flag: str) -> str | None:
    from weipian.messages import message

    prefix = "threshold.crime" if flag == "crime_threshold" else "threshold.discipline"
    texts = [
        message(r["code"], **(r.get("params") or {}))
        for r in reasons
        if str(r.get("code", "")).startswith(prefix)
    ]
    return "".join(dict.fromkeys(texts)) or None  # each sentence once, in order


# --- the steps --------------------------------------------------------------------------------
def open_case(
    session: Session,
    patch_id: int,
    *,
    case_no: str,
    filed_on: dt.date,
    actor: Actor,
    rules: RuleSet,
    on: dt.date,
    at: dt.datetime,
    kind: str | None = None,
    note: str | None = None,
) -> CaseRecord:
    """立案 for a patch determined 违法 (land or mineral); the judge's flags become suggestions."""
    patch = visible_patch(session, patch_id, actor)
    _allowed(actor, Action.case_open, patch)
    kinds, illegal = illegal_kinds(session, patch, rules=rules, on=on)
    if not kinds:
        det = current_determination(session, patch.id)
        verdict = (det.data.get("verdict") if det is not None else None) or "未判定"
        raise InputError("case.not_illegal", code=patch.patch_code, verdict=verdict)
    if State(patch.state) not in CASE_STATES:
        raise InputError("case.not_reviewed", code=patch.patch_code, state=patch.state)
    chosen = kind_from_text(kind) if kind else (CaseKind.land if CaseKind.land in kinds else CaseKind.mineral)
    if chosen is None:
        raise InputError("case.kind_unknown", kind=kind)
    if chosen not in kinds:
        raise InputError("case.kind_mismatch", code=patch.patch_code, kind=CASE_KIND_LABELS[chosen])
    fields = CaseFields(case_no=case_no.strip(), filed_on=filed_on, note=_long_text(note, "备注"))
    _refuse(check_case(fields, illegal_area_m2=illegal, today=on), patch.patch_code)
    flags, reasons = _flags(session, patch, illegal, rules, on)
    suggested = suggestions_from_flags(flags)
    payload = {"kind": chosen.value, **_plain(fields), "suggested": [s.outcome.value for s in suggested]}
    _event(session, patch, Action.case_open, actor, payload, at)
    if q.case_for_patch(session, patch.id) is not None:
        raise Conflict("case.exists", code=patch.patch_code)
    _number_taken(session, fields.case_no, None)
    case_id = q.insert_case(
        session, patch_id=patch.id, kind=chosen.value, case_no=fields.case_no, filed_on=filed_on,
        note=fields.note, created_by=actor.name, created_at=at, updated_by=actor.name, updated_at=at, version=1,
    )  # fmt: skip
    for s in suggested:
        q.insert_person(
            session, case_id=case_id, name="", position=None, outcome=s.outcome.value,
            detail=_suggestion_detail(reasons, s.flag), suggested_by=s.flag, confirmed_by=None, confirmed_at=None,
        )  # fmt: skip
    return get_case(session, patch.id)


def _number(value: Any, field: str) -> float | None:
    if value is None:
        return None
    number = float(value)
    if not math.isfinite(number):
        raise InputError("case.amount_negative", field=field, value=str(value))
    return round(number, 2)


def update_case(
    session: Session,
    patch_id: int,
    *,
    changes: dict[str, Any],
    actor: Actor,
    rules: RuleSet,
    on: dt.date,
    at: dt.datetime,
    based_on: int | None = None,
) -> CaseRecord:
    """Change the 处罚决定书, fines, confiscations, case number or dates of an open case.

    ``changes`` maps field names of :class:`CaseFields` (not ``closed_on``) to new values; an
    empty text clears a field."""
    unknown = sorted(set(changes) - set(UPDATABLE))
    if unknown:
        raise InputError("case.field_unknown", fields="、".join(unknown))
    if not changes:
        raise InputError("case.nothing_given")
    patch = visible_patch(session, patch_id, actor)
    _allowed(actor, Action.case_update, patch)
    row = _case_row(session, patch)
    version = _check_version(row, based_on, patch)
    if row.fields.closed_on is not None:
        raise Conflict(
            "case.closed_already", code=patch.patch_code, closed_on=row.fields.closed_on.isoformat()
        )
    old = row.fields
    values: dict[str, Any] = {}
    labels = {
        "case_no": "立案号",
        "decision_no": "处罚决定书文号",
        "confiscation": "没收内容",
        "note": "备注",
    }
    for name, value in changes.items():
        if name in ("fine_yuan", "confiscated_yuan", "confiscated_area_m2"):
            values[name] = _number(value, name)
        elif name in ("filed_on", "decision_on"):
            values[name] = value
        elif name in ("case_no", "decision_no"):
            values[name] = (
                _one_line(value, 128, labels[name]) if name == "decision_no" else (value or "").strip()
            )
        else:
            values[name] = _long_text(value, labels[name])
    if values.get("filed_on", old.filed_on) is None:
        raise InputError("case.filed_needed")
    new = dataclasses.replace(old, **values)
    _, illegal = illegal_kinds(session, patch, rules=rules, on=on)
    _refuse(check_case(new, illegal_area_m2=illegal, today=on), patch.patch_code)
    before, after = _plain(old), _plain(new)
    diff = {k for k in before if before[k] != after[k]}
    if not diff:
        raise InputError("case.nothing_changed")
    _event(session, patch, Action.case_update, actor,
           {"old": {k: before[k] for k in sorted(diff)}, "new": {k: after[k] for k in sorted(diff)}}, at)  # fmt: skip
    if "case_no" in diff:
        _number_taken(session, new.case_no, row.id)
    if not q.update_case(session, row.id, version, updated_by=actor.name, updated_at=at,
                         **{k: getattr(new, k) for k in diff}):  # fmt: skip
        raise Conflict("case.stale", code=patch.patch_code, by=row.updated_by, version=row.version)
    return get_case(session, patch.id)


def close_case(
    session: Session,
    patch_id: int,
    *,
    closed_on: dt.date,
    actor: Actor,
    rules: RuleSet,
    on: dt.date,
    at: dt.datetime,
    based_on: int | None = None,
) -> CaseRecord:
    """结案: refused while a suggested person waits for a decision."""
    patch = visible_patch(session, patch_id, actor)
    _allowed(actor, Action.case_close, patch)
    row = _case_row(session, patch)
    version = _check_version(row, based_on, patch)
    if row.fields.closed_on is not None:
        raise Conflict(
            "case.closed_already", code=patch.patch_code, closed_on=row.fields.closed_on.isoformat()
        )
    new = dataclasses.replace(row.fields, closed_on=closed_on)
    _, illegal = illegal_kinds(session, patch, rules=rules, on=on)
    _refuse(check_case(new, illegal_area_m2=illegal, today=on), patch.patch_code)
    waiting = [p for p in q.persons_of(session, row.id) if p.confirmed_by is None]
    if waiting:
        raise InputError("case.suggestions_pending", code=patch.patch_code, count=len(waiting))
    _event(
        session,
        patch,
        Action.case_close,
        actor,
        {"case_no": row.fields.case_no, "closed_on": closed_on.isoformat()},
        at,
    )
    if not q.update_case(session, row.id, version, closed_on=closed_on, updated_by=actor.name, updated_at=at):
        raise Conflict("case.stale", code=patch.patch_code, by=row.updated_by, version=row.version)
    return get_case(session, patch.id)


def parse_outcome(text: str, rules: RuleSet, on: dt.date) -> Outcome:
    """An outcome from a code (discipline …), a dictionary label or one of its aliases."""
    key = (text or "").strip()
    labels = rules.labels("case_outcome", on)
    label = rules.normalise("case_outcome", key, on)
    if label is None and key in {o.value for o in Outcome} and Outcome(key).label in labels:
        label = Outcome(key).label
    outcome = outcome_from_label(label) if label else None
    if outcome is None:
        known = "、".join(f"{o.value}（{o.label}）" for o in Outcome if o.label in labels)
        raise InputError("case.outcome_unknown", outcome=key[:40], known=known)
    return outcome


def add_person(
    session: Session,
    patch_id: int,
    *,
    name: str,
    outcome: str,
    actor: Actor,
    rules: RuleSet,
    on: dt.date,
    at: dt.datetime,
    position: str | None = None,
    detail: str | None = None,
) -> CaseRecord:
    """A person held responsible, entered (and so confirmed) by ``actor``."""
    patch = visible_patch(session, patch_id, actor)
    _allowed(actor, Action.case_person, patch)
    row = _case_row(session, patch)
    who = _one_line(name, NAME_MAX, "姓名")
    if who is None:
        raise InputError("case.person_name_needed")
    job = _one_line(position, POSITION_MAX, "单位及职务")
    result = parse_outcome(outcome, rules, on)
    text = _long_text(detail, "处理情况")
    payload = {"op": "add", "case_no": row.fields.case_no, "name": who, "position": job, "outcome": result.value,
               "detail": text}  # fmt: skip
    _event(session, patch, Action.case_person, actor, payload, at)
    q.insert_person(
        session, case_id=row.id, name=who, position=job, outcome=result.value, detail=text, suggested_by=None,
        confirmed_by=actor.name, confirmed_at=at,
    )  # fmt: skip
    return get_case(session, patch.id)


def _suggestion(session: Session, row: CaseRecord, person_id: int, patch: Patch) -> CasePerson:
    person = q.person(session, row.id, person_id)
    if person is None:
        raise NotFound("case.no_person", code=patch.patch_code, id=person_id)
    if person.confirmed_by is not None:
        raise Conflict("case.person_confirmed", code=patch.patch_code, id=person_id, by=person.confirmed_by)
    return person


def confirm_person(
    session: Session,
    patch_id: int,
    person_id: int,
    *,
    actor: Actor,
    at: dt.datetime,
    name: str | None = None,
    position: str | None = None,
    detail: str | None = None,
) -> CaseRecord:
    """Confirm a suggested person (naming them when the suggestion has no name yet)."""
    patch = visible_patch(session, patch_id, actor)
    _allowed(actor, Action.case_person, patch)
    row = _case_row(session, patch)
    person = _suggestion(session, row, person_id, patch)
    who = _one_line(name, NAME_MAX, "姓名") or person.name or None
    if who is None:
        raise InputError("case.person_name_needed")
    job = _one_line(position, POSITION_MAX, "单位及职务") or person.position
    text = _long_text(detail, "处理情况") or person.detail
    payload = {"op": "confirm", "case_no": row.fields.case_no, "person": person_id, "name": who, "position": job,
               "outcome": person.outcome, "suggested_by": person.suggested_by, "detail": text}  # fmt: skip
    _event(session, patch, Action.case_person, actor, payload, at)
    if not q.confirm_person(session, person_id, name=who, position=job, detail=text, confirmed_by=actor.name,
                            confirmed_at=at):  # fmt: skip
        raise Conflict("case.person_confirmed", code=patch.patch_code, id=person_id, by="他人")
    return get_case(session, patch.id)


def dismiss_suggestion(
    session: Session, patch_id: int, person_id: int, *, reason: str, actor: Actor, at: dt.datetime
) -> CaseRecord:
    """Set a suggestion aside, with the reason (the event keeps what was suggested)."""
    patch = visible_patch(session, patch_id, actor)
    _allowed(actor, Action.case_person, patch)
    row = _case_row(session, patch)
    person = _suggestion(session, row, person_id, patch)
    why = _long_text(reason, "不予追究的理由")
    if why is None:
        raise InputError("case.dismiss_reason_needed")
    payload = {"op": "dismiss", "case_no": row.fields.case_no, "person": person_id, "outcome": person.outcome,
               "suggested_by": person.suggested_by, "reason": why}  # fmt: skip
    _event(session, patch, Action.case_person, actor, payload, at)
    if not q.drop_suggestion(session, person_id):
        raise Conflict("case.person_confirmed", code=patch.patch_code, id=person_id, by="他人")
    return get_case(session, patch.id)
