"""``weipian referrals``: add, list (open/overdue/by department), feedback, with --json and errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from factories import small_county
from weipian.cli.app import app
from weipian.services.admin import init_store
from weipian.storage.store import Store

runner = CliRunner()


def _run(args: list[str], env: dict[str, str], code: int = 0) -> dict[str, Any]:
    result = runner.invoke(app, [*args, "--json"], env=env)
    assert result.exit_code == code, result.output
    return json.loads(result.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    url = f"sqlite:///{tmp_path / 'w.db'}"
    store = Store(url)
    init_store(store)
    small_county(store, tmp_path)
    store.dispose()
    env = {"WEIPIAN_DATABASE_URL": url}
    for name, role, dept in (("admin", "bureau_admin", None), ("lin", "department", "林业局")):
        extra = ["--department", dept] if dept else []
        _run(["users", "add", name, "--role", role, "--password", "long-enough-1", *extra], env)
    return env


def test_add_list_and_feedback(env: dict[str, str]) -> None:
    assert _run(["users", "list"], env)["users"][1]["department"] == "林业"
    r = _run(
        ["referrals", "add", "P0001", "--department", "林业", "--matter", "占用林地", "--as", "admin"], env
    )
    ref = r["referral"]
    assert (ref["JCBH"], ref["kind"], ref["department"], ref["status"]) == (
        "P0001",
        "referral",
        "林业",
        "open",
    )
    _run(["referrals", "add", "P0000", "--department", "农业农村", "--kind", "transfer", "--matter", "非粮化",
          "--as", "admin"], env)  # fmt: skip
    listed = _run(["referrals", "list", "--department", "林业局"], env)["referrals"]
    assert [x["JCBH"] for x in listed] == ["P0001"]
    assert len(_run(["referrals", "list", "--open"], env)["referrals"]) == 2
    assert _run(["referrals", "list", "--overdue"], env)["referrals"] == []  # due in two months

    done = _run(["referrals", "feedback", str(ref["id"]), "--text", "已立案", "--as", "lin"], env)["referral"]
    assert (done["feedback"], done["feedback_by"], done["status"]) == ("已立案", "lin", "answered")
    again = _run(["referrals", "feedback", str(ref["id"]), "--text", "改", "--as", "admin"], env, code=1)
    assert again["error"]["code"] == "referral.feedback_given"
    assert [x["JCBH"] for x in _run(["referrals", "list", "--open"], env)["referrals"]] == ["P0000"]
    depts = _run(["referrals", "departments"], env)["departments"]
    assert {"name": "纪委监委"}.items() <= next(d for d in depts if d["name"] == "纪委监委").items()


def test_refusals(env: dict[str, str]) -> None:
    cases = [
        (["P0002", "--department", "林业", "--as", "admin"], "referral.restricted"),
        (["P0001", "--department", "教育局", "--as", "admin"], "referral.department_unknown"),
        (["P0001", "--department", "林业", "--as", "lin"], "referral.forbidden"),
        (["P0001", "--department", "林业", "--as", "nobody"], "user.not_found"),
        (["P9999", "--department", "林业", "--as", "admin"], "patch.not_found"),
    ]
    for args, code in cases:
        out = _run(["referrals", "add", *args, "--matter", "事项"], env, code=1)
        assert out["error"]["code"] == code, args
        assert out["error"]["message"]  # a Chinese sentence
    assert _run(["referrals", "list"], env)["referrals"] == []
    result = runner.invoke(app, ["referrals", "add", "P0002", "--department", "林业", "--matter", "x", "--as",
                                 "admin"], env=env)  # fmt: skip
    assert result.exit_code == 1 and "线下办理" in result.output
    bad = _run(["users", "add", "x", "--role", "department", "--department", "教育局", "--password", "long-enough-1"],
               env, code=1)  # fmt: skip
    assert bad["error"]["code"] == "user.department_unknown"


def test_feedback_series_receipt_and_non_grain(env: dict[str, str]) -> None:
    _run(
        [
            "users",
            "add",
            "nong",
            "--role",
            "department",
            "--department",
            "农业农村",
            "--password",
            "long-enough-1",
        ],
        env,
    )
    _run(
        [
            "users",
            "add",
            "hl01",
            "--role",
            "township",
            "--township",
            "350583113",
            "--password",
            "long-enough-1",
        ],
        env,
    )
    ref = _run(["referrals", "add", "P0000", "--department", "农业农村", "--kind", "transfer", "--matter", "非粮化",
                "--as", "hl01"], env)["referral"]  # fmt: skip
    assert ref["referred_by"] == "hl01"  # a township refers its own patch
    assert _run(["referrals", "add", "P0001", "--department", "林业", "--matter", "x", "--as", "hl01"], env,
                code=1)["error"]["code"] == "referral.foreign_township"  # fmt: skip
    rid = str(ref["id"])
    got = _run(["referrals", "receive", rid, "--text", "接收函 农〔2026〕3号", "--as", "nong"], env)[
        "referral"
    ]
    assert [e["stage"] for e in got["entries"]] == ["received"] and got["status"] == "open"
    _run(["referrals", "feedback", rid, "--stage", "办理中", "--text", "已责令整改", "--as", "nong"], env)
    assert (
        _run(["referrals", "feedback", rid, "--stage", "完了", "--text", "x", "--as", "nong"], env, code=1)[
            "error"
        ]["code"]
        == "referral.stage_unknown"
    )
    done = _run(["referrals", "feedback", rid, "--stage", "办结", "--text", "已恢复", "--result", "恢复种植",
                 "--as", "nong"], env)["referral"]  # fmt: skip
    assert [e["stage_label"] for e in done["entries"]] == ["接收", "办理中", "办结"]
    assert done["status"] == "answered"
    shown = _run(["referrals", "show", rid], env)["referral"]
    assert shown["entries"][-1]["result"] == "恢复种植"
    assert _run(["referrals", "non-grain"], env)["patches"] == []  # no 非粮化 flag in the small county
