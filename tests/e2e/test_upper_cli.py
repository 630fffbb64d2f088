"""``weipian upper`` (the province's or ministry's answer) and ``determine --correct`` after 上报."""

from __future__ import annotations

from pathlib import Path

from test_rectify_cli import env  # noqa: F401  (the fixture: P0000 reported, accounts)

from cli_helpers import run_json

DET = ["--verdict", "违法", "--violation-type", "违法占地", "--illegal-area", "480", "--farmland-area", "300",
       "--basic-farmland-area", "0", "--new", "--opinion", "未批先建"]  # fmt: skip


def test_upper_level_answer_and_correction(env: dict[str, str], tmp_path: Path) -> None:  # noqa: F811
    assert run_json(["upper", "P0000", "--return", "--as", "shenhe"], env, code=1)["error"]["code"] == (
        "review.reason_needed"
    )
    bad = run_json(
        ["upper", "P0000", "--return", "--reason", "pass.field_photos", "--as", "shenhe"], env, code=1
    )
    assert bad["error"]["code"] == "review.reason_unknown"
    denied = run_json(["upper", "P0000", "--accept", "--as", "hl01"], env, code=1)["error"]
    assert denied["code"] == "permission.denied" and "没有权限" in denied["message"]
    back = run_json(
        ["upper", "P0000", "--return", "--reason", "return.need_field_photos", "--as", "shenhe"], env
    )
    assert back["patches"] == [{"JCBH": "P0000", "state": "returned"}]
    last = run_json(["history", "P0000"], env)["events"][-1]
    assert (last["action"], last["actor"], last["payload"]["reasons"]) == (
        "report.return", "shenhe", ["return.need_field_photos"],
    )  # fmt: skip
    assert "due_on" in last["payload"]  # one month to correct

    # Correction after 上报: refused before, a new version after, the event keeps the old values.
    assert run_json(["determine", "P0001", *DET, "--correct", "面积有误", "--as", "admin"], env, code=1)[
        "error"
    ]["code"] == ("workflow.not_frozen")
    run_json(["determine", "P0001", *DET, "--submit", "--confirm-gaps", "--as", "admin"], env)
    run_json(["review", "P0001", "--pass", "--reason", "pass.field_photos", "--as", "shenhe"], env)
    run_json(["report", "P0001", "--as", "admin"], env)
    assert (
        run_json(["upper", "P0001", "--accept", "--as", "shenhe"], env)["patches"][0]["state"] == "accepted"
    )
    assert run_json(["determine", "P0001", *DET, "--correct", " ", "--as", "admin"], env, code=1)["error"][
        "code"
    ] == ("correction.reason_needed")
    fixed = run_json(
        [
            "determine",
            "P0001",
            *DET[:4],
            "--illegal-area",
            "450",
            *DET[6:],
            "--correct",
            "实测面积",
            "--as",
            "admin",
        ],
        env,
    )
    assert (fixed["version"], fixed["state"]) == (2, "accepted")
    ev = run_json(["history", "P0001"], env)["events"][-1]
    assert ev["action"] == "record.correct" and ev["payload"]["reason"] == "实测面积"
    assert (ev["payload"]["old"]["illegal_area_m2"], ev["payload"]["new"]["illegal_area_m2"]) == (
        480.0,
        450.0,
    )
