"""``weipian case``: the case register and the 矿产执法台账 through the real command line, with the
attacks: a township account, a patch not 违法, bad dates, formula text in the case number."""

from __future__ import annotations

import json
import re
from pathlib import Path

import openpyxl
import pytest

from cli_helpers import county_env, run_json, runner
from weipian.cli.app import app

NOW = "2022-12-01T10:00:00"
FORMULA = '=HYPERLINK("http://evil.example/","立案号")'


def _determine(env: dict[str, str], code: str, *extra: str) -> None:
    run_json(["determine", code, "--verdict", "违法", "--violation-type", "违法占地", "--illegal-area", "8000",
          "--farmland-area", "7000", "--basic-farmland-area", "0", "--new", "--opinion", "未批先建", *extra,
          "--submit", "--confirm-gaps", "--as", "admin"], env)  # fmt: skip
    run_json(["review", code, "--pass", "--reason", "pass.field_photos", "--as", "shenhe"], env)


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    accounts = (
        ("admin", "bureau_admin", None),
        ("shenhe", "bureau_reviewer", None),
        ("hl01", "township", "350583113"),
    )
    env, store = county_env(tmp_path, NOW, accounts)
    store.dispose()
    _determine(env, "P0000")
    _determine(env, "P0001", "--mining", "--mineral-verdict", "无证开采", "--mineral-handling", "立案")
    return env


def test_case_round_and_attacks(env: dict[str, str], tmp_path: Path) -> None:
    # A township account files no case, not even on its own township's patch.
    err = run_json(
        ["case", "open", "P0000", "--number", "立-1", "--filed", "2022-11-25", "--as", "hl01"], env, 1
    )
    assert err["error"]["code"] == "case.forbidden" and "市局" in err["error"]["message"]
    # A patch not determined 违法 (P0002 was never determined).
    err = run_json(
        ["case", "open", "P0002", "--number", "立-9", "--filed", "2022-11-25", "--as", "admin"], env, 1
    )
    assert err["error"]["code"] == "case.not_illegal"
    # Bad dates: not a date, and a filing date in the future.
    err = run_json(
        ["case", "open", "P0000", "--number", "立-1", "--filed", "2022-13-01", "--as", "admin"], env, 1
    )
    assert err["error"]["code"] == "date.invalid"
    err = run_json(
        ["case", "open", "P0000", "--number", "立-1", "--filed", "2022-12-02", "--as", "admin"], env, 1
    )
    assert err["error"]["code"] == "case.invalid" and err["error"]["message"].count("晚于今天") == 1

    case = run_json(
        ["case", "open", "P0000", "--number", FORMULA, "--filed", "2022-11-25", "--as", "shenhe"], env
    )["case"]
    assert (case["case_no"], case["stage"], case["kind"], case["version"]) == (FORMULA, "filed", "land", 1)
    [suggestion] = case["persons"]  # 10.5 亩 耕地: the crime threshold suggests 移送司法
    assert (suggestion["outcome"], suggestion["confirmed"], suggestion["suggested_by"]) == (
        "judicial", False, "crime_threshold",
    )  # fmt: skip

    err = run_json(["case", "update", "P0000", "--decision-number", "罚-3", "--decision-date", "2022-11-20",
                "--as", "shenhe"], env, 1)["error"]  # fmt: skip
    assert err["code"] == "case.invalid" and "早于立案日期" in err["message"]
    err = run_json(["case", "update", "P0000", "--confiscated-area", "9000", "--as", "shenhe"], env, 1)[
        "error"
    ]
    assert "超过该图斑的违法面积" in err["message"]
    err = run_json(["case", "update", "P0000", "--fine", "一万", "--as", "shenhe"], env, 1)["error"]
    assert err["code"] == "case.not_number"
    err = run_json(["case", "update", "P0000", "--fine", "100", "--as", "hl01"], env, 1)["error"]
    assert err["code"] == "case.forbidden"
    case = run_json(["case", "update", "P0000", "--decision-number", "南自然资罚〔2022〕3号", "--decision-date",
                 "2022-11-28", "--fine", "52000", "--confiscated-area", "800", "--based-on", "1", "--as", "shenhe"],
                env)["case"]  # fmt: skip
    assert (case["fine_yuan"], case["confiscated_area_m2"], case["stage"], case["version"]) == (
        52000.0,
        800.0,
        "decided",
        2,
    )
    err = run_json(["case", "update", "P0000", "--fine", "1", "--based-on", "1", "--as", "admin"], env, 1)[
        "error"
    ]
    assert err["code"] == "case.stale"

    err = run_json(["case", "close", "P0000", "--date", "2022-11-30", "--as", "shenhe"], env, 1)["error"]
    assert err["code"] == "case.suggestions_pending"
    err = run_json(
        ["case", "person", "P0000", "--name", "王某", "--outcome", "警告", "--as", "shenhe"], env, 1
    )["error"]
    assert err["code"] == "case.outcome_unknown"
    case = run_json(["case", "person", "P0000", "--confirm", str(suggestion["id"]), "--name", "张某", "--position",
                 "项目业主", "--as", "admin"], env)["case"]  # fmt: skip
    case = run_json(["case", "person", "P0000", "--name", "李某", "--position", "村党支部书记", "--outcome", "discipline",
                 "--detail", "党内警告", "--as", "shenhe"], env)["case"]  # fmt: skip
    assert sorted((p["name"], p["outcome"], p["confirmed"]) for p in case["persons"]) == [
        ("张某", "judicial", True), ("李某", "discipline", True),
    ]  # fmt: skip
    err = run_json(["case", "close", "P0000", "--date", "2022-11-27", "--as", "shenhe"], env, 1)["error"]
    assert "早于处罚决定日期" in err["message"]
    case = run_json(["case", "close", "P0000", "--date", "2022-11-30", "--as", "shenhe"], env)["case"]
    assert (case["stage"], case["closed_on"]) == ("closed", "2022-11-30")

    shown = run_json(["case", "show", "P0000"], env)
    assert (shown["JCBH"], shown["stage"], shown["decision_no"], shown["pending_suggestions"]) == (
        "P0000", "closed", "南自然资罚〔2022〕3号", 0,
    )  # fmt: skip
    history = runner.invoke(app, ["history", "P0000", "--json"], env=env)
    assert [e["action"] for e in json.loads(history.stdout)["events"]][-5:] == [
        "case.open",
        "case.update",
        "case.person",
        "case.person",
        "case.close",
    ]  # refused steps wrote no event

    # The mineral case and the 矿产执法台账.
    err = run_json(["case", "open", "P0001", "--number", FORMULA, "--filed", "2022-11-26", "--kind", "矿产",
                "--as", "shenhe"], env, 1)["error"]  # fmt: skip
    assert err["code"] == "case.number_taken"
    run_json(["case", "open", "P0001", "--number", "南自然资矿立〔2022〕1号", "--filed", "2022-11-26", "--kind", "矿产",
          "--as", "shenhe"], env)  # fmt: skip
    out = tmp_path / "矿产执法台账.xlsx"
    assert run_json(["case", "export", str(out), "--mineral"], env)["rows"] == 1
    ws = openpyxl.load_workbook(out).active
    assert re.fullmatch(r"矿产执法台账（\d{4}年\d\d月\d\d日导出，共 1 宗）", ws["A1"].value)
    headers = [c.value for c in ws[2]]
    row = dict(zip(headers, [c.value for c in ws[3]], strict=True))
    assert (row["监测编号"], row["采矿许可证号"], row["矿产判定"], row["处理方式"], row["立案号"]) == (
        "P0001", "无", "无证开采", "立案", "南自然资矿立〔2022〕1号",
    )  # fmt: skip

    register = tmp_path / "立案查处台账.xlsx"
    assert run_json(["case", "export", str(register)], env)["rows"] == 2
    ws = openpyxl.load_workbook(register).active
    assert re.fullmatch(r"立案查处台账（\d{4}年\d\d月\d\d日导出，共 2 件）", ws["A1"].value)
    headers = [c.value for c in ws[2]]
    cells = {ws.cell(r, 2).value: ws.cell(r, headers.index("立案号") + 1) for r in (3, 4)}
    formula_cell = cells["P0000"]
    assert formula_cell.value == FORMULA and formula_cell.data_type == "s" and formula_cell.quotePrefix
    row = {h: ws.cell(3, j + 1).value for j, h in enumerate(headers)}
    assert (row["罚款（元）"], row["移送司法（人）"], row["党纪政务处分（人）"]) == (52000, 1, 1)
    err = run_json(["case", "export", str(tmp_path / "x.csv")], env, 1)["error"]
    assert err["code"] == "export.format"
