"""Field aliases and delivered values."""

from __future__ import annotations

import pandas as pd
import pytest

from weipian.domain.fields import match_columns
from weipian.domain.townships import townships
from weipian.errors import InputError
from weipian.io.patch_rows import map_fields, yyyymmdd


def test_aliases_map_case_insensitively_first_listed_wins() -> None:
    m = match_columns(["tbbh", "JCBH", "监测面积（亩）", " xzqdm "])
    assert m["JCBH"].name == "JCBH"  # JCBH is listed before TBBH
    assert m["JCMJ"].unit == "mu" and m["XZQDM"].name == " xzqdm "


def test_map_fields_converts_mu_and_dates() -> None:
    df = pd.DataFrame(
        {
            "监测编号": ["A1", None],
            "监测面积（亩）": [1.5, None],
            "后时相": ["2022年9月1日", "bad"],
            "备注": ["x", None],
        }
    )
    f = map_fields(df, "p.gpkg")
    assert f.jcbh.tolist() == ["A1", None]
    assert f.delivered_area_m2[0] == pytest.approx(1000.0)
    assert f.after_date.tolist() == ["20220901", None]
    assert f.extra == [{"备注": "x"}, {"备注": None}]


def test_missing_id_column_is_refused() -> None:
    with pytest.raises(InputError) as info:
        map_fields(pd.DataFrame({"NAME": ["x"]}), "p.gpkg")
    assert info.value.code == "package.missing_field" and info.value.params["field"] == "JCBH"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (20220301, "20220301"),
        ("2022-03-01", "20220301"),
        ("2022/3/1", "20220301"),
        ("20221301", None),
        (None, None),
    ],
)
def test_yyyymmdd(value: object, expected: str | None) -> None:
    assert yyyymmdd(value) == expected


def test_township_table_has_the_27_units() -> None:
    units = townships()
    assert len(units) == 27 and len({u.code for u in units}) == 27
    assert all(u.code.startswith("350583") and len(u.code) == 9 for u in units)
    assert {"雪峰华侨经济开发区", "溪美街道", "向阳乡"} <= {u.name for u in units}
