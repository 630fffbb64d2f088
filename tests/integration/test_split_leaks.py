"""Split patches counted once, and exports that hold what they should (both backends):

- the dashboard's state counts, its overdue count, the 逾期 list, the reminders and 月清 count a
  split patch as its parts, never the parent as well;
- the platform export marks the parent 被拆分 and each part 拆分 with its 拆分状态 and the parent's
  identifier, and asks no filing of the parent;
- a ledger record opened on a split parent is refused naming its parts;
- the ledger's Excel export never holds a military-restricted patch.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pyogrio
import pytest

from factories import HONGLAI, small_county
from ledger_helpers import ADMIN, AT, HL, RULES, TODAY, _open, illegal, reported
from split_helpers import collection, halves, parent_geometry
from weipian.errors import Conflict
from weipian.services import split
from weipian.services.access import Scope
from weipian.services.delivery import export_delivery
from weipian.services.due import reminders
from weipian.services.ledger_sheet import export_ledger
from weipian.services.lists import closure, special_list
from weipian.services.queries.dashboard import dashboard
from weipian.storage.store import Store
from weipian.storage.workflow import find_patch

BUREAU = Scope(restricted=True)


@pytest.fixture
def county(store: Store, tmp_path: Path) -> Store:
    """small_county with P0000 split in two halves (P0000-1, P0000-2)."""
    small_county(store, tmp_path)
    data = collection(halves(parent_geometry(store, "P0000")))
    with store.writing() as s:
        split.split_patch(s, find_patch(s, "P0000").id, data, actor=HL, at=AT)
    return store


def test_counts_and_overdue_lists_hold_the_parts_not_the_parent(county: Store) -> None:
    with county.reading() as s:  # issued 2022-11-01, due 11-16: everything is late on 12-01
        d = dashboard(s, BUREAU, TODAY)
        late = {r.patch_code for r in special_list(s, "overdue", on=TODAY)}
        due = reminders(s, today=TODAY)
    assert late == {"P0000-1", "P0000-2", "P0001", "P0002"}
    assert d.total == sum(n for _, n in d.by_state) == 4
    assert d.overdue == 4
    assert sum(n for _, n in d.by_suggestion) == 4
    codes = [i.patch_code for u in due for i in u.overdue]
    assert sorted(codes) == ["P0000-1", "P0000-2", "P0001", "P0002"]


def test_monthly_closure_counts_the_parts_not_the_parent(county: Store) -> None:
    reported(county, "P0000-1", illegal(area=200.0, farmland=100.0))
    with county.reading() as s:
        months = closure(s)
    assert sum(m.issued for m in months) == 4  # P0000-1, P0000-2, P0001, P0002
    assert sum(m.determined for m in months) <= 1  # at most P0000-1, never the parent as well


def test_platform_export_marks_the_split(county: Store, tmp_path: Path) -> None:
    reported(county, "P0000-1", illegal(area=200.0, farmland=100.0))
    reported(county, "P0000-2", illegal(area=150.0, farmland=50.0))
    with county.reading() as s:
        assert find_patch(s, "P0000").state == "reported"  # derived from its parts
    target = tmp_path / "部报送.gpkg"
    summary = export_delivery(
        county, target, platform="ministry", fmt="gpkg", rules=RULES, on=TODAY, force=True
    )
    incomplete = {i.code: i.fields for i in summary.incomplete}
    assert "P0000" not in incomplete and incomplete["P0001"] == ("PDJG",)  # the parent owes no filing
    assert incomplete["P0000-1"] == ("JZCL",)  # a part files like any patch (no photo here)
    df = pyogrio.read_dataframe(target).set_index("JCBH")
    assert sorted(df.index) == ["P0000", "P0000-1", "P0000-2", "P0001"]
    assert df.loc["P0000", "TBZT"] == "被拆分" and pd.isna(df.loc["P0000", "PDJG"])
    for part in ("P0000-1", "P0000-2"):
        assert (df.loc[part, "TBZT"], df.loc[part, "CFZT"], df.loc[part, "YJCBH"]) == (
            "拆分",
            "审核结束",
            "P0000",
        )
        assert df.loc[part, "PDJG"] == "违法"
    assert pd.isna(df.loc["P0001", "TBZT"]) and pd.isna(df.loc["P0001", "YJCBH"])
    assert df.loc["P0000-1", "WFMJ"] == 200.0


def test_a_ledger_record_on_a_split_parent_names_its_parts(county: Store) -> None:
    reported(county, "P0000-1", illegal())
    reported(county, "P0000-2", illegal())
    with county.reading() as s:
        parent = find_patch(s, "P0000").id
        part = find_patch(s, "P0000-1").id
    with pytest.raises(Conflict) as exc:
        _open(county, parent, actor=ADMIN)
    assert exc.value.code == "ledger.split_parent"
    assert exc.value.params["parts"] == "P0000-1、P0000-2"
    assert _open(county, part, actor=HL).patch_code == "P0000-1"


def test_ledger_export_never_holds_a_restricted_patch(store: Store, tmp_path: Path) -> None:
    small_county(store, tmp_path)
    for code in ("P0000", "P0002"):  # P0002 lies on military land
        pid = reported(store, code, illegal())
        _open(store, pid, actor=ADMIN, unit=HONGLAI)
    path = tmp_path / "台账.xlsx"
    with store.reading() as s:
        n = export_ledger(s, path, unit=None, on=TODAY)
        n_unit = export_ledger(s, tmp_path / "洪濑.xlsx", unit=HONGLAI, on=TODAY)
    assert n == n_unit == 1
    cells = {str(c.value) for row in openpyxl.load_workbook(path).active.iter_rows() for c in row if c.value}
    assert "P0000" in cells and "P0002" not in cells
