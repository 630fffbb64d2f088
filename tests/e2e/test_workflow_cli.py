"""A whole demo batch goes from issued to reported through the CLI, offline sheet included."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner

from weipian.cli.app import app

runner = CliRunner()


def _json(args: list[str], env: dict[str, str]) -> dict[str, Any]:
    result = runner.invoke(app, [*args, "--json"], env=env)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    monkeypatch.chdir(tmp_path)
    return {"WEIPIAN_DATABASE_URL": f"sqlite:///{tmp_path / 'w.db'}"}


def test_demo_batch_from_issued_to_reported(env: dict[str, str], tmp_path: Path) -> None:
    demo = _json(["demo", "--dir", "data", "--patches", "60", "--parcels", "2000"], env)
    _json(["init"], env)
    for name, role in (("admin", "bureau_admin"), ("shenhe", "bureau_reviewer")):
        _json(["users", "add", name, "--role", role, "--password", "long-enough-1"], env)
    for kind, path in demo["layers"].items():
        _json(["layers", "import", path, "--kind", kind], env)
    ministry = demo["packages"][0]
    _json(["import", ministry["path"], "--source", "ministry", "--batch", ministry["batch"]], env)
    _json(["analyze", "--workers", "1"], env)
    judged = _json(["judge", "--on", "2022-11-20"], env)
    assert judged["judged"] == ministry["patches"] and judged["not_analysed"] == 0
    # The demo's 可以长期稳定利用耕地 and 江河沿岸 layers raise the priority flags.
    assert {"stable_farmland", "riverside"} <= set(judged["flags"])
    # and a 增减挂钩 建新区 is the approval (PZWH) of some patch.
    _json(["export", "results", str(tmp_path / "结果.xlsx")], env)
    results = openpyxl.load_workbook(tmp_path / "结果.xlsx").active
    pzwh = [c.value for c in results[3]].index("PZWH")
    assert any(
        str(row[pzwh]).startswith("泉自然资") for row in results.iter_rows(min_row=4, values_only=True)
    )

    sheet = tmp_path / "填报.xlsx"
    assert _json(["determinations", "template", str(sheet)], env)["rows"] <= ministry["patches"]
    wb = openpyxl.load_workbook(sheet)
    ws = wb.active
    codes = [c.value for c in ws[3]]
    jcbh = []
    for row in ws.iter_rows(min_row=4):
        jcbh.append(row[codes.index("JCBH")].value)
        row[codes.index("PDJG")].value = "伪变化"
        row[codes.index("RDYJ")].value = "实地核查无变化"
        if row[codes.index("SFSK")].value == "是":  # marked by the template: 一图两用, the mineral part too
            row[codes.index("KCPD")].value = "伪变化"
    wb.save(sheet)
    saved = _json(["determinations", "import", str(sheet), "--submit", "--as", "admin"], env)
    assert saved["saved"] == saved["submitted"] == len(jcbh)
    # Military patches never travel in a file: the bureau files them itself (伪变化, 特殊用地).
    military = [r["JCBH"] for r in _json(["lists", "show", "military"], env)["rows"]]
    assert military and not set(military) & set(jcbh)
    for code in military:
        _json(["field-check", code, "--note", "部队营区内，未入内", "--as", "admin"], env)
        _json(
            [
                "determine",
                code,
                "--verdict",
                "伪变化",
                "--opinion",
                "特殊用地",
                "--submit",
                "--confirm-gaps",
                "--as",
                "admin",
            ],
            env,
        )
    jcbh += military
    assert len(jcbh) == ministry["patches"]

    _json(["review", *jcbh, "--pass", "--reason", "pass.extraction_error", "--as", "shenhe"], env)
    reported = _json(["report", *jcbh, "--as", "admin"], env)
    assert {p["state"] for p in reported["patches"]} == {"reported"}
    history = _json(["history", jcbh[0]], env)
    assert [e["action"] for e in history["events"]] == [
        "determination.save", "determination.submit", "review.pass", "report.submit",
    ]  # fmt: skip
    # The suggestion comes with its reasons and rule trace in Chinese beside the codes.
    suggestion = history["suggestion"]
    assert suggestion["trace"][0]["code"] == "trace.start"
    assert suggestion["trace_texts"][0].startswith("按 2022-11-20 有效的规则预判图斑 " + jcbh[0])
    assert len(suggestion["trace_texts"]) == len(suggestion["trace"]) >= 2
    assert len(suggestion["reason_texts"]) == len(suggestion["reasons"])
    # The readable history names roles in Chinese and shows Beijing time (UTC+8).
    text = runner.invoke(app, ["history", jcbh[0]], env={**env, "COLUMNS": "200"}).stdout
    assert "北京时间" in text and "township" not in text and "bureau_reviewer" not in text
    first = history["events"][0]
    utc = dt.datetime.fromisoformat(str(first["at"])).replace(tzinfo=dt.UTC)
    assert (utc + dt.timedelta(hours=8)).strftime("%Y-%m-%d %H:%M") in text
    # After 上报 the record is frozen: a new determination is refused with a clear code.
    result = runner.invoke(
        app, ["determine", jcbh[0], "--verdict", "违法", "--as", "admin", "--json"], env=env
    )
    assert result.exit_code == 1 and json.loads(result.stdout)["error"]["code"] == "patch.frozen"
    assert {r["state"] for r in _json(["lists", "show", "military"], env)["rows"]} == {"reported"}
