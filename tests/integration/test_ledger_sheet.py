"""The ledger's Excel round trip on both backends: export, fill offline, import all or nothing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

from factories import HONGMEI, small_county
from ledger_helpers import ADMIN, AT, HL, RULES, TODAY, _open, illegal, reported
from weipian.errors import InputError
from weipian.messages import message
from weipian.services.ledger_records import find_record
from weipian.services.ledger_sheet import export_ledger, import_ledger
from weipian.storage.store import Store
from weipian.storage.tables import events, rectification_progress


def _rows(path: Path) -> tuple[openpyxl.Workbook, dict[str, int], list[str]]:
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    codes = [c.value for c in ws[3]]
    return wb, {str(ws.cell(r, 1).value): r for r in range(4, ws.max_row + 1)}, codes


def _set(path: Path, values: dict[tuple[str, str], object]) -> None:
    wb, rows, codes = _rows(path)
    ws = wb.active
    for (jcbh, code), v in values.items():
        ws.cell(rows[jcbh], codes.index(code) + 1, v)
    wb.save(path)


def _count(store: Store, table: object) -> int:
    with store.reading() as s:
        return int(s.scalar(select(func.count()).select_from(table)) or 0)  # type: ignore[arg-type]


def test_export_fill_import(store: Store, tmp_path: Path) -> None:
    small_county(store, tmp_path)
    p0 = reported(store, "P0000", illegal())
    reported(store, "P0001", illegal(200, 0))
    _open(store, p0, responsible='=HYPERLINK("http://x")')  # text that looks like a formula
    # The military patch's record never leaves in the workbook (the offline packet only).
    _open(store, reported(store, "P0002", illegal()), actor=ADMIN, unit=HONGMEI)
    path = tmp_path / "台账.xlsx"
    with store.reading() as s:
        assert export_ledger(s, path, unit=None, on=TODAY) == 1
    wb, rows, codes = _rows(path)
    assert "P0002" not in rows
    cell = wb.active.cell(rows["P0000"], codes.index("ZRR") + 1)
    assert cell.data_type == "s" and cell.value == '=HYPERLINK("http://x")'  # written as text

    # A filled row with inconsistent areas and a good one: nothing is written.
    ws = wb.active
    ws.append(
        ["P0001", None, None, None, None, None, None, None, None, "王五", "拆除复耕", "2023-01-31", 100]
    )
    ws.append([None] * 5)  # a blank row is skipped
    wb.save(path)
    _set(path, {("P0000", "CCMJ"): 600, ("P0000", "JZQK"): "已拆除"})
    before = (_count(store, events), _count(store, rectification_progress))
    with pytest.raises(InputError) as exc:
        import_ledger(store, tmp_path / "f", path, actor=ADMIN, rules=RULES, on=TODAY, at=AT)
    assert exc.value.code == "sheet.rejected" and exc.value.params["count"] == 1
    (bad,) = exc.value.params["rejected"]
    assert (bad.row, bad.id, bad.params["cause"]) == (rows["P0000"], "P0000", "ledger.areas_invalid")
    worded = message(bad.code, row=bad.row, id=bad.id, **bad.params)  # the cause is worded at the edge
    assert worded.startswith(f"第 {bad.row} 行（P0000）：") and "超过违法面积" in worded, worded
    assert (_count(store, events), _count(store, rectification_progress)) == before  # all or nothing

    _set(path, {("P0000", "CCMJ"): 300, ("P0000", "CCGDMJ"): 200, ("P0000", "ZRR"): "张三"})
    assert import_ledger(store, tmp_path / "f", path, actor=ADMIN, rules=RULES, on=TODAY, at=AT) == 2
    with store.reading() as s:
        r0 = find_record(s, p0, ADMIN)
        r1 = find_record(s, reported_id(s), ADMIN)
    assert r0 is not None and (r0.responsible_person, r0.areas.demolished, r0.remaining_m2) == (
        "张三",
        300.0,
        200.0,
    )
    assert r1 is not None and (r1.responsible_person, r1.measures, r1.areas.demolished) == (
        "王五",
        ("拆除复耕",),
        100.0,
    )

    # A township account may not touch another township's rows.
    with pytest.raises(InputError) as exc:
        import_ledger(
            store, tmp_path / "f", path, actor=HL, rules=RULES, on=TODAY, at=AT + dt.timedelta(hours=1)
        )
    assert [r.params["cause"] for r in exc.value.params["rejected"]] == ["row.other_township"]


def reported_id(s: object) -> int:
    from weipian.storage.workflow import find_patch

    return int(find_patch(s, "P0001").id)  # type: ignore[arg-type]
