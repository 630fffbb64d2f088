"""``weipian rectify``: the ledger contract of INTERFACE.md through the real command line."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli_helpers import county_env, run_json
from photos import field_photo, minimal_pdf

NOW = "2022-12-01T10:00:00"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    accounts = (
        ("admin", "bureau_admin", None),
        ("shenhe", "bureau_reviewer", None),
        ("hl01", "township", "350583113"),
    )
    env, store = county_env(tmp_path, NOW, accounts)
    store.dispose()
    run_json(
        [
            "determine",
            "P0000",
            "--verdict",
            "违法",
            "--violation-type",
            "违法占地",
            "--illegal-area",
            "520",
            "--farmland-area",
            "300",
            "--basic-farmland-area",
            "0",
            "--new",
            "--opinion",
            "未批先建",
            "--submit",
            "--confirm-gaps",
            "--as",
            "admin",
        ],
        env,
    )
    run_json(["review", "P0000", "--pass", "--reason", "pass.field_photos", "--as", "shenhe"], env)
    run_json(["report", "P0000", "--as", "admin"], env)  # fmt: skip
    return env


def _file(tmp_path: Path, name: str, data: bytes) -> str:
    p = tmp_path / name
    p.write_bytes(data)
    return str(p)


def test_ledger_round(env: dict[str, str], tmp_path: Path) -> None:
    opened = run_json(["rectify", "open", "P0000", "--responsible", "张三", "--measures", "拆除复耕,罚款",
                   "--deadline", "2023-02-28", "--as", "hl01"], env)["record"]  # fmt: skip
    assert (opened["state"], opened["patch_state"], opened["measures"]) == (
        "rectifying",
        "rectifying",
        ["拆除复耕", "罚款"],
    )

    err = run_json(["rectify", "progress", "P0000", "--demolished-area", "400", "--regularised-area", "200",
                "--as", "hl01"], env, code=1)["error"]  # fmt: skip
    assert err["code"] == "ledger.areas_invalid" and "超过违法面积" in err["message"]

    photo = _file(tmp_path, "整改现场.jpg", field_photo())
    run_json(["rectify", "progress", "P0000", "--demolished-area", "320", "--demolished-farmland-area", "300",
          "--note", "已拆除主体", "--photo", photo, "--as", "hl01"], env)  # fmt: skip
    err = run_json(["rectify", "close", "P0000", "--evidence", photo, "--as", "hl01"], env, code=1)["error"]
    assert err["code"] == "ledger.unrectified"
    assert (
        run_json(["rectify", "close", "P0000", "--as", "hl01"], env, code=1)["error"]["code"]
        == "ledger.evidence_needed"
    )
    run_json(["rectify", "progress", "P0000", "--regularised-area", "200", "--as", "hl01"], env)

    due = run_json(["due", "--unit", "350583113"], env)
    assert due["days"] == 7 and [u["unit"] for u in due["units"]] == ["350583113"]
    assert due["units"][0]["overdue"] == []  # the deadline is 2023-02-28
    assert run_json(["due", "--unit", "12345"], env, code=1)["error"]["code"] == "due.unit_unknown"
    shown = run_json(["rectify", "show", "P0000"], env)
    for key in ("JCBH", "state", "responsible", "measures", "deadline", "illegal_area_m2", "rectified_area_m2",
                "unrectified_area_m2", "demolished_area_m2", "regularised_area_m2"):  # fmt: skip
        assert key in shown
    assert (shown["illegal_area_m2"], shown["rectified_area_m2"], shown["unrectified_area_m2"]) == (
        520.0,
        520.0,
        0.0,
    )
    assert (shown["demolished_area_m2"], shown["regularised_area_m2"], shown["deadline"]) == (
        320.0,
        200.0,
        "2023-02-28",
    )
    assert [len(p["photos"]) for p in shown["progress"]] == [1, 0]
    assert shown["days_left"] == 89  # WEIPIAN_NOW is the clock

    after = _file(tmp_path, "整改后.jpg", field_photo(colour=(3, 3, 3)))
    doc = _file(tmp_path, "验收.pdf", minimal_pdf())
    assert run_json(["rectify", "close", "P0000", "--evidence", after, "--evidence", doc, "--as", "hl01"],
                env)["record"]["state"] == "requested"  # fmt: skip
    err = run_json(["rectify", "approve", "P0000", "--as", "hl01"], env, code=1)["error"]
    assert err["code"] == "ledger.decide_forbidden"
    err = run_json(["rectify", "return", "P0000", "--as", "shenhe"], env, code=1)["error"]
    assert err["code"] == "ledger.reason_needed"
    err = run_json(
        ["rectify", "approve", "P0000", "--reason", "pass.nonsense", "--as", "shenhe"], env, code=1
    )["error"]
    assert err["code"] == "ledger.reason_unknown"
    waiting = run_json(["due"], env)
    assert waiting["totals"]["waiting"] == {"close_out": 1}
    (hl,) = [u for u in waiting["units"] if u["unit"] == "350583113"]
    assert [(w["JCBH"], w["requested_on"]) for w in hl["waiting"]] == [("P0000", "2022-12-01")]
    hm = {u["unit"]: u for u in waiting["units"]}["350583114"]  # P0001, issued 11-01, never determined
    assert [(o["kind"], o["days_left"]) for o in hm["overdue"]] == [("verification", -15)]
    done = run_json(
        ["rectify", "approve", "P0000", "--reason", "pass.rectified_verified", "--as", "shenhe"], env
    )
    assert (done["record"]["state"], done["record"]["closed_on"], done["record"]["patch_state"]) == (
        "closed", "2022-12-01", "closed",
    )  # fmt: skip
    assert run_json(["rectify", "reopen", "P0000", "--reason", "复建", "--as", "hl01"], env, code=1)["error"][
        "code"
    ] == ("ledger.reopen_forbidden")
    assert (
        run_json(["rectify", "reopen", "P0000", "--reason", "复建", "--as", "admin"], env)["record"]["state"]
        == "rectifying"
    )
    history = run_json(["history", "P0000"], env)["events"]
    assert [e["action"] for e in history][-7:] == [  # the refused progress entry left no event
        "report.submit", "rectification.start", "rectification.progress", "rectification.progress",
        "close_out.request", "close_out.approve", "close_out.reopen",
    ]  # fmt: skip
    assert [(e["action"], e["actor"]) for e in history if e["action"].startswith("close_out")] == [
        ("close_out.request", "hl01"), ("close_out.approve", "shenhe"), ("close_out.reopen", "admin"),
    ]  # fmt: skip


def test_bad_input_exits_1_in_chinese(env: dict[str, str]) -> None:
    base = ["rectify", "open", "P0000", "--responsible", "张三", "--as", "hl01"]
    err = run_json([*base, "--measures", "推倒", "--deadline", "2023-01-01"], env, code=1)["error"]
    assert err["code"] == "ledger.measure_unknown" and "拆除复耕" in err["message"]
    assert (
        run_json([*base, "--measures", "罚款", "--deadline", "明天"], env, code=1)["error"]["code"]
        == "date.invalid"
    )
    assert (
        run_json([*base[:-1], "nobody", "--measures", "罚款", "--deadline", "2023-01-01"], env, code=1)[
            "error"
        ]["code"]
        == "user.not_found"
    )
    assert run_json(["rectify", "show", "P0000"], env, code=1)["error"]["code"] == "ledger.no_record"
    assert run_json(["rectify", "show", "P0001"], env, code=1)["error"]["code"] == "ledger.no_record"
    # nothing was opened by the refused commands
    assert run_json(["history", "P0000"], env)["state"] == "reported"


def test_ledger_sheet_commands(env: dict[str, str], tmp_path: Path) -> None:
    import openpyxl

    run_json(["rectify", "open", "P0000", "--responsible", "张三", "--measures", "罚款", "--deadline", "2023-02-28",
          "--as", "hl01"], env)  # fmt: skip
    path = tmp_path / "台账.xlsx"
    assert run_json(["ledger", "export", str(path), "--unit", "350583113"], env)["rows"] == 1
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    codes = [c.value for c in ws[3]]
    ws.cell(4, codes.index("CCMJ") + 1, "=1+1")  # a formula is not an area
    wb.save(path)
    err = run_json(["ledger", "import", str(path), "--as", "hl01"], env, code=1)["error"]
    assert err["code"] == "sheet.rejected" and "面积必须是数字" in err["rejected"][0]["message"]
    ws.cell(4, codes.index("CCMJ") + 1, 120)
    wb.save(path)
    assert run_json(["ledger", "import", str(path), "--as", "hl01"], env)["rows"] == 1
    assert run_json(["rectify", "show", "P0000"], env)["demolished_area_m2"] == 120.0
