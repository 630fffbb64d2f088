"""The ledger's Excel round trip: export the records, import what a unit filled in offline.

The import checks every filled row as strictly as the web form (the same services run) and
writes all rows or none: a refused row rolls the whole workbook back and is named with its
reason. Blank rows are skipped.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from weipian.domain.roles import Actor
from weipian.domain.sources import SOURCE_LABELS, Source
from weipian.errors import InputError, WeipianError
from weipian.io.ledger_sheet import read_ledger, write_ledger
from weipian.io.patch_rows import Rejection
from weipian.rules import RuleSet
from weipian.services import ledger
from weipian.services.ledger_records import get_record, list_records
from weipian.services.units import unit_filter
from weipian.storage.store import Store
from weipian.storage.workflow import find_patch

_SOURCE_BY_LABEL = {v: k for k, v in SOURCE_LABELS.items()} | {s.value: s.value for s in Source}


def export_ledger(session: Session, path: Path, *, unit: str | None, on: dt.date) -> int:
    """Write the ledger (one unit's when given: its records and its townships') to ``path``,
    never a military-restricted patch; returns the number of rows."""
    rows = []
    chosen, covers = unit_filter(session, unit)
    # Military-restricted patches never leave in a file, whoever asks (like the case exports).
    for r in list_records(session, unit=chosen, townships=covers, exportable=True, limit=None):
        rows.append({
            "JCBH": r.patch_code, "LY": SOURCE_LABELS.get(Source(r.source)), "NF": r.year,
            "XZQDM": r.township_code, "ZRDW": r.responsible_unit, "TZZT": r.state.label,
            "WFMJ": round(r.illegal_area_m2, 2),
            "WFGDMJ": None if r.illegal_farmland_m2 is None else round(r.illegal_farmland_m2, 2),
            "WZGMJ": round(r.remaining_m2, 2),
            "ZRR": r.responsible_person, "ZGCS": "、".join(r.measures), "ZGSX": r.deadline.isoformat(),
            "CCMJ": r.areas.demolished, "CCGDMJ": r.areas.demolished_farmland, "BBMJ": r.areas.regularised,
            "BBGDMJ": r.areas.regularised_farmland, "JZQK": None,
        })  # fmt: skip
    write_ledger(path, rows, f"查处整改台账（{on:%Y年%m月%d日}导出，共 {len(rows)} 条）")
    return len(rows)


def _text(v: Any) -> str | None:
    if v is None:
        return None
    text = str(v).strip()
    return text or None


def _number(v: Any, field: str) -> float | None:
    if v is None or (isinstance(v, str) and not v.strip()):
        return None
    if isinstance(v, bool) or not isinstance(v, int | float | str):
        raise InputError("ledger.area_not_number", value=str(v)[:40])
    try:
        return float(str(v).replace(",", "").strip())
    except ValueError:
        raise InputError("ledger.area_not_number", value=str(v)[:40]) from None


def _date(v: Any) -> dt.date | None:
    if v is None or v == "":
        return None
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    try:
        return dt.date.fromisoformat(str(v).strip())
    except ValueError:
        raise InputError("date.invalid", value=str(v)[:40]) from None


def import_ledger(
    store: Store, files_dir: Path, path: Path, *, actor: Actor, rules: RuleSet, on: dt.date, at: dt.datetime
) -> int:
    """Apply every filled row (plan changes, then the areas and note as a progress entry)."""
    rows = read_ledger(path)
    rejected: list[Rejection] = []
    done = 0
    with store.writing() as session:
        seen: dict[str, int] = {}
        for n, r in rows:
            code = _text(r.get("JCBH"))
            try:
                if code is None:
                    raise InputError("row.missing_id", row=n)
                if code in seen:
                    raise InputError("row.duplicate_id", row=n, id=code, first_row=seen[code])
                seen[code] = n
                year = _text(r.get("NF"))
                patch = find_patch(session, code, source=_SOURCE_BY_LABEL.get(_text(r.get("LY")) or ""),
                                   year=int(float(year)) if year else None)  # fmt: skip
                if not actor.reaches(patch.township_code):
                    raise InputError(
                        "row.other_township", row=n, id=code, township=actor.unit or actor.township
                    )
                _apply(session, files_dir, patch.id, r, actor=actor, rules=rules, on=on, at=at)
                done += 1
            except WeipianError as exc:  # the cause as a code; the edge words it
                why = {"code": exc.code, "params": dict(exc.params)}
                rejected.append(Rejection(n, code, "row.invalid", {"problems": why, "cause": exc.code}))
        if rejected:
            raise InputError("sheet.rejected", path=str(path), count=len(rejected), rejected=rejected)
    return done


def _apply(
    session: Session, files_dir: Path, patch_id: int, r: dict[str, Any], *, actor: Actor, rules: RuleSet,
    on: dt.date, at: dt.datetime,
) -> None:  # fmt: skip
    record = get_record(session, patch_id) if _has_record(session, patch_id) else None
    person, measures, deadline = _text(r.get("ZRR")), _text(r.get("ZGCS")), _date(r.get("ZGSX"))
    items = None if measures is None else measures.replace("，", "、").replace(",", "、").split("、")
    if record is None:
        if person is None or items is None or deadline is None:
            raise InputError("ledger.sheet_open_needs")
        ledger.open_record(session, patch_id, responsible=person, measures=items, deadline=deadline, actor=actor,
                           rules=rules, on=on, at=at)  # fmt: skip
        record = get_record(session, patch_id)
    else:
        changes: dict[str, Any] = {}
        if person is not None and person != record.responsible_person:
            changes["responsible"] = person
        if items is not None and [ledger.check_measures(items, rules, on)] != [list(record.measures)]:
            changes["measures"] = items
        if deadline is not None and deadline != record.deadline:
            changes["deadline"] = deadline
        if changes:
            ledger.update_plan(session, patch_id, actor=actor, rules=rules, on=on, at=at, **changes)
    areas = ledger.AreaInput(
        _number(r.get("CCMJ"), "CCMJ"), _number(r.get("CCGDMJ"), "CCGDMJ"), _number(r.get("BBMJ"), "BBMJ"),
        _number(r.get("BBGDMJ"), "BBGDMJ"),
    )  # fmt: skip
    before = record.areas
    changed = areas.over(before) != before
    note = _text(r.get("JZQK"))
    if changed or note is not None:
        ledger.save_progress(session, files_dir, patch_id, areas=areas, note=note, uploads=[], actor=actor, on=on,
                             at=at, max_distance_m=0.0, written=[])  # fmt: skip


def _has_record(session: Session, patch_id: int) -> bool:
    from weipian.storage.ledger import record_for_patch

    return record_for_patch(session, patch_id) is not None
