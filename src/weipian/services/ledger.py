"""The rectification ledger (查处整改台账): open a record, enter progress, ask for and decide 销号.

Roles (INTERFACE.md "Ledger roles"): a township account opens its own township's records,
enters progress and asks for 销号; the 市局 (reviewer or admin) may do the same, and alone
approves or returns a 销号 request and reopens a closed record. Every step checks the actor,
asks ``domain.workflow.advance``, appends one event and updates the ledger tables in the
caller's transaction; a refused step raises before anything is written. Steps that take files
take the store and remove the files they wrote if the transaction fails.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from weipian.domain.ledger import Areas, Decision, Method, RecordState, check_areas, fully_rectified
from weipian.domain.roles import Actor
from weipian.domain.workflow import Action, advance
from weipian.errors import Conflict, InputError, NotFound, PermissionDenied
from weipian.io.exif import FileType, sniff
from weipian.messages import sentences
from weipian.rules import RuleSet
from weipian.services.evidence import Upload, attach, prepare_upload
from weipian.services.ledger_records import LedgerRecord, get_record
from weipian.storage import ledger as q
from weipian.storage.patches import patch_by_id
from weipian.storage.records import Patch
from weipian.storage.splits import parts_of
from weipian.storage.store import Store
from weipian.storage.tables import townships, units
from weipian.storage.workflow import append_event, current_determination

PERSON_MAX = 64
NOTE_MAX = 2000
REASON_MAX = 500
MAX_FILES = 20  # per progress entry or 销号 request
# The note a ledger upload is stored with: a code, worded where it is shown (messages.note_text).
PROGRESS_PHOTO = "ledger.progress_photo"  # 整改进展照片
CLOSURE_EVIDENCE = "ledger.closure_evidence"  # 销号佐证材料


@dataclass(frozen=True)
class AreaInput:
    """Areas given in one progress entry, m²; None keeps the previous total."""

    demolished: float | None = None
    demolished_farmland: float | None = None
    regularised: float | None = None
    regularised_farmland: float | None = None

    def given(self) -> bool:
        return any(v is not None for v in (self.demolished, self.demolished_farmland,
                                           self.regularised, self.regularised_farmland))  # fmt: skip

    def over(self, before: Areas) -> Areas:
        """The totals to date: each given value replaces the previous one."""

        def pick(new: float | None, old: float) -> float:
            return old if new is None else float(new)

        return Areas(
            pick(self.demolished, before.demolished),
            pick(self.demolished_farmland, before.demolished_farmland),
            pick(self.regularised, before.regularised),
            pick(self.regularised_farmland, before.regularised_farmland),
        )


# --- checks shared by the steps --------------------------------------------------------------
def _patch(session: Session, patch_id: int, actor: Actor) -> Patch:
    """The patch, or NotFound — also for a military-restricted one the actor may not see."""
    row = patch_by_id(session, patch_id)
    if row is None or (row.restricted and not actor.role.is_bureau):
        raise NotFound("patch.no_such_id", id=patch_id)
    return row


def _may(actor: Actor, action: Action, patch: Patch) -> None:
    """Refuse early, before any validation: the actor's role and township, then the state."""
    if not actor.may(action, patch.township_code):
        raise PermissionDenied("permission.denied", action=action.value, code=patch.patch_code)
    advance(patch.state, action)


def _step(
    session: Session, patch: Patch, action: Action, actor: Actor, payload: dict[str, Any], at: dt.datetime
) -> int:
    if not actor.may(action, patch.township_code):
        raise PermissionDenied("permission.denied", action=action.value, code=patch.patch_code)
    after = advance(patch.state, action)
    return append_event(
        session, patch_id=patch.id, action=action.value, actor=actor.name, role=actor.role.value,
        state_before=patch.state, state_after=after.value, payload=payload, at=at,
    )  # fmt: skip


def _text(value: str | None, limit: int, *, needed: str | None = None, field: str = "") -> str | None:
    text = (value or "").strip()
    if not text:
        if needed:
            raise InputError(needed)
        return None
    if len(text) > limit:
        raise InputError("ledger.too_long", field=field, length=len(text), max=limit)
    return text


def check_measures(measures: list[str], rules: RuleSet, on: dt.date) -> list[str]:
    """The canonical measure labels, or a refusal naming the dictionary's labels."""
    known = rules.labels("rectification_measure", on)
    out: list[str] = []
    for m in measures:
        if not m.strip():
            continue
        label = rules.normalise("rectification_measure", m, on)
        if label is None:
            raise InputError("ledger.measure_unknown", measure=m.strip(), known="、".join(known))
        if label not in out:
            out.append(label)
    if not out:
        raise InputError("ledger.measures_needed", known="、".join(known))
    return out


def _illegal_areas(session: Session, patch: Patch, rules: RuleSet, on: dt.date) -> tuple[float, float | None]:
    """The illegal area and its 耕地 from the current determination; refuses a patch not 违法."""
    det = current_determination(session, patch.id)
    data = det.data if det is not None else {}
    tables = rules.tables(on).determination
    land_illegal = data.get("verdict") in tables["needs_violation"]
    mineral = data.get("mineral_verdict")
    mineral_illegal = (
        bool(mineral) and rules.parent("mineral_verdict", str(mineral), on) == tables["mineral_illegal_class"]
    )
    if not (land_illegal or mineral_illegal):
        raise InputError("ledger.not_illegal", code=patch.patch_code, verdict=data.get("verdict") or "未判定")
    area = data.get("illegal_area_m2")
    illegal = float(area) if land_illegal and area else float(patch.area_m2)
    farmland = data.get("farmland_area_m2") if land_illegal else None
    return illegal, None if farmland is None else min(float(farmland), illegal)


def _unit(session: Session, unit: str | None, patch: Patch, actor: Actor) -> str:
    code = (unit or "").strip() or patch.township_code
    if not code:
        raise InputError("ledger.unit_needed", code=patch.patch_code)
    known = set(session.scalars(select(townships.c.code))) | set(
        session.scalars(select(units.c.code).where(units.c.active.is_(True)))
    )
    if code not in known:
        raise InputError("ledger.unit_unknown", unit=code)
    own = actor.townships
    if own is not None and code not in own and code != actor.unit:  # its unit or one of its townships
        raise PermissionDenied("ledger.unit_foreign", unit=code)
    return code


def _check_deadline(deadline: dt.date, on: dt.date) -> dt.date:
    """A new deadline may not lie in the past (an overdue record keeps its old one on record)."""
    if deadline < on:
        raise InputError("ledger.deadline_early", deadline=deadline.isoformat(), today=on.isoformat())
    return deadline


def _record_of(session: Session, patch: Patch) -> LedgerRecord:
    row = q.record_for_patch(session, patch.id)
    if row is None:
        raise NotFound("ledger.no_record", code=patch.patch_code)
    return row


def _plain(value: Any) -> Any:
    """A record's value as the event payload keeps it (dates as ISO text, measures as a list)."""
    if isinstance(value, dt.date):
        return value.isoformat()
    return list(value) if isinstance(value, tuple) else value


def _uploads(files: list[tuple[str, bytes]], max_bytes: int) -> list[Upload]:
    """Photos (JPEG/PNG/HEIC, with EXIF checks) and documents (PDF), checked before writing."""
    if len(files) > MAX_FILES:
        raise InputError("ledger.too_many_files", count=len(files), max=MAX_FILES)
    out = []
    for name, data in files:
        kind = "document" if sniff(data) is FileType.pdf else "photo"
        out.append(prepare_upload(name, data, kind=kind, max_bytes=max_bytes))
    return out


# --- the steps --------------------------------------------------------------------------------
def open_record(
    session: Session,
    patch_id: int,
    *,
    responsible: str,
    measures: list[str],
    deadline: dt.date,
    actor: Actor,
    rules: RuleSet,
    on: dt.date,
    at: dt.datetime,
    unit: str | None = None,
    major_case: bool = False,
) -> LedgerRecord:
    """Open the ledger record of an illegal patch; the patch moves to 整改中. A split patch has
    none: each part is determined and rectified on its own."""
    patch = _patch(session, patch_id, actor)
    parts = [p.patch_code for p in parts_of(session, patch.id)]
    if parts and actor.may(Action.rectification_start, patch.township_code):  # else: refused below
        raise Conflict("ledger.split_parent", code=patch.patch_code, parts="、".join(parts))
    if actor.may(Action.rectification_start, patch.township_code) and q.record_for_patch(session, patch.id):
        raise Conflict("ledger.exists", code=patch.patch_code)
    _may(actor, Action.rectification_start, patch)
    person = _text(responsible, PERSON_MAX, needed="ledger.responsible_needed", field="整改责任人")
    labels = check_measures(measures, rules, on)
    unit_code = _unit(session, unit, patch, actor)
    _check_deadline(deadline, on)
    illegal, farmland = _illegal_areas(session, patch, rules, on)
    payload = {"responsible_unit": unit_code, "responsible_person": person, "measures": labels,
               "deadline": deadline.isoformat(), "illegal_area_m2": illegal, "illegal_farmland_m2": farmland,
               "major_case": major_case}  # fmt: skip
    _step(session, patch, Action.rectification_start, actor, payload, at)
    q.insert_record(
        session, patch_id=patch.id, state=RecordState.rectifying.value, responsible_unit=unit_code,
        responsible_person=person, measures=labels, deadline=deadline, illegal_area_m2=illegal,
        illegal_farmland_m2=farmland, demolished_m2=0.0, demolished_farmland_m2=0.0, regularised_m2=0.0,
        regularised_farmland_m2=0.0, remaining_m2=illegal, method=Method.none.value, major_case=major_case,
        opened_by=actor.name, opened_at=at, updated_at=at, closed_on=None,
    )  # fmt: skip
    return get_record(session, patch.id)


def update_plan(
    session: Session,
    patch_id: int,
    *,
    actor: Actor,
    rules: RuleSet,
    on: dt.date,
    at: dt.datetime,
    responsible: str | None = None,
    measures: list[str] | None = None,
    deadline: dt.date | None = None,
    major_case: bool | None = None,
) -> LedgerRecord:
    """Change the responsible person, measures, deadline or 重大典型问题 flag of an open record."""
    patch = _patch(session, patch_id, actor)
    _may(actor, Action.rectification_update, patch)
    row = _record_of(session, patch)
    values: dict[str, Any] = {}
    if responsible is not None:
        values["responsible_person"] = _text(responsible, PERSON_MAX, needed="ledger.responsible_needed")
    if measures is not None:
        values["measures"] = check_measures(measures, rules, on)
    if deadline is not None:
        values["deadline"] = _check_deadline(deadline, on)
    if major_case is not None:
        values["major_case"] = major_case
    if not values:
        raise InputError("ledger.nothing_given")
    old = {k: _plain(getattr(row, k)) for k in values}
    new = {k: _plain(v) for k, v in values.items()}
    _step(session, patch, Action.rectification_update, actor, {"old": old, "new": new}, at)
    q.update_record(session, row.id, updated_at=at, **values)
    return get_record(session, patch.id)


def save_progress(
    session: Session,
    files_dir: Path,
    patch_id: int,
    *,
    areas: AreaInput,
    note: str | None,
    uploads: list[Upload],
    actor: Actor,
    on: dt.date,
    at: dt.datetime,
    max_distance_m: float,
    written: list[Path],
) -> LedgerRecord:
    """A progress entry in the caller's transaction (files it writes are added to ``written``)."""
    text = _text(note, NOTE_MAX, field="进展情况")
    if not areas.given() and text is None and not uploads:
        raise InputError("ledger.progress_empty")
    patch = _patch(session, patch_id, actor)
    _may(actor, Action.rectification_progress, patch)
    row = _record_of(session, patch)
    if row.state == RecordState.requested.value:
        raise Conflict("ledger.request_pending", code=patch.patch_code)
    after = areas.over(row.areas)
    problems = check_areas(after, row.illegal_area_m2, row.illegal_farmland_m2)
    if problems:
        raise InputError(
            "ledger.areas_invalid", code=patch.patch_code, problems=sentences(problems),
            codes=[p.code for p in problems],
        )  # fmt: skip
    files = [attach(session, files_dir, patch, upload=u, uploader=actor.name,
                    max_distance_m=max_distance_m, note=PROGRESS_PHOTO, written=written) for u in uploads]  # fmt: skip
    remaining = after.remaining(row.illegal_area_m2)
    payload = {"demolished_m2": after.demolished, "demolished_farmland_m2": after.demolished_farmland,
               "regularised_m2": after.regularised, "regularised_farmland_m2": after.regularised_farmland,
               "remaining_m2": remaining, "note": text, "attachments": [f.id for f in files],
               "failed_checks": sum(f.failed for f in files)}  # fmt: skip
    event_id = _step(session, patch, Action.rectification_progress, actor, payload, at)
    progress_id = q.insert_progress(
        session, rectification_id=row.id, event_id=event_id, on_date=on, note=text,
        demolished_m2=after.demolished, demolished_farmland_m2=after.demolished_farmland,
        regularised_m2=after.regularised, regularised_farmland_m2=after.regularised_farmland,
        remaining_m2=remaining, created_by=actor.name, created_at=at,
    )  # fmt: skip
    for f in files:
        q.link_file(session, attachment_id=f.id, purpose="progress", progress_id=progress_id)
    q.update_record(
        session, row.id, demolished_m2=after.demolished, demolished_farmland_m2=after.demolished_farmland,
        regularised_m2=after.regularised, regularised_farmland_m2=after.regularised_farmland,
        remaining_m2=remaining, method=after.method.value, updated_at=at,
    )  # fmt: skip
    return get_record(session, patch.id)


def record_progress(
    store: Store,
    files_dir: Path,
    patch_id: int,
    *,
    areas: AreaInput,
    note: str | None,
    photos: list[tuple[str, bytes]],
    actor: Actor,
    on: dt.date,
    at: dt.datetime,
    max_bytes: int,
    max_distance_m: float,
) -> LedgerRecord:
    """A progress entry: areas as totals to date (checked), a note and photos (EXIF-checked)."""
    if not areas.given() and _text(note, NOTE_MAX, field="进展情况") is None and not photos:
        raise InputError("ledger.progress_empty")
    uploads = _uploads(photos, max_bytes)
    written: list[Path] = []
    try:
        with store.writing() as session:
            return save_progress(
                session, files_dir, patch_id, areas=areas, note=note, uploads=uploads, actor=actor, on=on, at=at,
                max_distance_m=max_distance_m, written=written,
            )  # fmt: skip
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise


def request_close_out(
    store: Store,
    files_dir: Path,
    patch_id: int,
    *,
    evidence: list[tuple[str, bytes]],
    note: str | None,
    actor: Actor,
    at: dt.datetime,
    max_bytes: int,
    max_distance_m: float,
) -> LedgerRecord:
    """Ask the 市局 for 销号: refused while area is unrectified or without evidence."""
    text = _text(note, NOTE_MAX, field="销号说明")
    if not evidence:
        raise InputError("ledger.evidence_needed")
    uploads = _uploads(evidence, max_bytes)
    written: list[Path] = []
    try:
        with store.writing() as session:
            patch = _patch(session, patch_id, actor)
            _may(actor, Action.close_out_request, patch)
            row = _record_of(session, patch)
            if row.state == RecordState.requested.value:
                raise Conflict("ledger.request_pending", code=patch.patch_code)
            if not fully_rectified(row.areas, row.illegal_area_m2):
                raise InputError(
                    "ledger.unrectified", code=patch.patch_code, remaining=f"{row.remaining_m2:.2f}"
                )
            files = [attach(session, files_dir, patch, upload=u, uploader=actor.name,
                            max_distance_m=max_distance_m, note=CLOSURE_EVIDENCE, written=written)
                     for u in uploads]  # fmt: skip
            payload = {
                "note": text,
                "attachments": [f.id for f in files],
                "failed_checks": sum(f.failed for f in files),
            }
            event_id = _step(session, patch, Action.close_out_request, actor, payload, at)
            request_id = q.insert_request(
                session, rectification_id=row.id, request_event_id=event_id, requested_by=actor.name,
                requested_at=at, note=text,
            )  # fmt: skip
            for f in files:
                q.link_file(session, attachment_id=f.id, purpose="close_out", close_request_id=request_id)
            q.update_record(session, row.id, state=RecordState.requested.value, updated_at=at)
            return get_record(session, patch.id)
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise


def decide_close_out(
    session: Session,
    patch_id: int,
    *,
    approve: bool,
    reason: str | None,
    note: str | None,
    actor: Actor,
    rules: RuleSet,
    on: dt.date,
    at: dt.datetime,
) -> LedgerRecord:
    """The 市局 approves (the patch goes to 已销号) or returns a waiting 销号 request."""
    action = Action.close_out_approve if approve else Action.close_out_return
    patch = _patch(session, patch_id, actor)
    if not actor.may(action, patch.township_code):
        raise PermissionDenied("ledger.decide_forbidden", code=patch.patch_code)
    row = _record_of(session, patch)
    request = q.pending_request(session, row.id)
    if request is None:
        raise InputError("ledger.no_request", code=patch.patch_code)
    outcome = "pass" if approve else "return"
    known = {r.code: r.label for r in rules.close_out_reasons(on) if r.outcome == outcome}
    code = (reason or "").strip() or None
    if code is None and not approve:
        raise InputError("ledger.reason_needed", known="、".join(known))
    if code is not None and code not in known:
        raise InputError("ledger.reason_unknown", reason=code, known="、".join(known))
    text = _text(note, NOTE_MAX, field="审核意见")
    payload = {"request_id": request.id, "reason": code, "note": text}
    event_id = _step(session, patch, action, actor, payload, at)
    decision = Decision.approved if approve else Decision.returned
    if not q.decide_request(session, request.id, decision=decision.value, reason_code=code, decision_note=text,
                            decided_by=actor.name, decided_at=at, decision_event_id=event_id):  # fmt: skip
        raise Conflict("ledger.decided_already", code=patch.patch_code)
    state = RecordState.closed if approve else RecordState.rectifying
    q.update_record(session, row.id, state=state.value, closed_on=on if approve else None, updated_at=at)
    return get_record(session, patch.id)


def reopen(session: Session, patch_id: int, *, reason: str, actor: Actor, at: dt.datetime) -> LedgerRecord:
    """Reopen a closed-out record (市局 only), by an explicit event with the reason."""
    patch = _patch(session, patch_id, actor)
    if not actor.may(Action.close_out_reopen, patch.township_code):
        raise PermissionDenied("ledger.reopen_forbidden", code=patch.patch_code)
    row = _record_of(session, patch)
    text = _text(reason, REASON_MAX, needed="ledger.reopen_reason_needed", field="重新打开原因")
    _step(
        session, patch, Action.close_out_reopen, actor, {"reason": text, "closed_on": str(row.closed_on)}, at
    )
    q.update_record(session, row.id, state=RecordState.rectifying.value, closed_on=None, updated_at=at)
    return get_record(session, patch.id)
