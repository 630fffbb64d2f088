"""``weipian determine … --submit`` and ``weipian submit`` warn about missing or failed field photos
as the web page does (rule data ``photos_required``): without ``--confirm-gaps`` nothing is
submitted or saved (exit 1, the gaps in Chinese); with it the submission's event keeps the gaps."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from cli_helpers import county_env, run_json
from weipian.cli.app import app

NOW = "2022-11-20T10:00:00+08:00"
ACCOUNTS = (("admin", "bureau_admin", None), ("hl01", "township", "350583113"))
DET = ["--verdict", "违法", "--violation-type", "违法占地", "--illegal-area", "520", "--farmland-area", "300",
       "--basic-farmland-area", "0", "--new", "--opinion", "未批先建"]  # fmt: skip


def test_submit_without_photos_needs_confirmation(tmp_path: Path) -> None:
    env, store = county_env(tmp_path, NOW, ACCOUNTS)
    store.dispose()
    refused = run_json(["determine", "P0000", *DET, "--submit", "--as", "hl01"], env, code=1)["error"]
    assert refused["code"] == "evidence.gap.unconfirmed_cli"
    # 违法 needs 2 photos (review.yaml photos_required); the message says what is wrong and what to do
    assert "现场照片 0 张，按当前判定结果至少需要 2 张" in refused["message"]
    assert "--confirm-gaps" in refused["message"] and "。；" not in refused["message"]
    events = run_json(["history", "P0000"], env)["events"]
    assert [e["action"] for e in events if e["action"].startswith("determination")] == []  # nothing saved

    plain = CliRunner().invoke(app, ["determine", "P0000", *DET, "--submit", "--as", "hl01"], env=env)
    assert plain.exit_code == 1 and "未提交，本次命令未写入任何内容" in plain.output

    # a saved draft, submitted on its own: the same check, by its current verdict
    run_json(["determine", "P0000", *DET, "--as", "hl01"], env)
    again = run_json(["submit", "P0000", "--as", "hl01"], env, code=1)["error"]
    assert again["code"] == "evidence.gap.unconfirmed_cli" and "至少需要 2 张" in again["message"]
    assert run_json(["submit", "P0000", "--as", "hl01", "--confirm-gaps"], env)["patches"] == [
        {"JCBH": "P0000", "state": "submitted"}
    ]
    last = run_json(["history", "P0000"], env)["events"][-1]
    assert last["action"] == "determination.submit"
    assert last["payload"]["evidence_gaps"] == [
        {"code": "evidence.gap.missing", "params": {"count": 0, "required": 2}}
    ]

    # determine --submit --confirm-gaps: saved, submitted, and the gaps printed as confirmed
    done = run_json(["determine", "P0001", *DET, "--submit", "--confirm-gaps", "--as", "admin"], env)
    assert done["state"] == "submitted" and done["evidence_gaps"][0]["code"] == "evidence.gap.missing"
    text = CliRunner().invoke(
        app, ["determine", "P0002", "--verdict", "伪变化", "--opinion", "特殊用地", "--submit", "--confirm-gaps",
              "--as", "admin"], env=env,
    )  # fmt: skip
    assert text.exit_code == 0, text.output
    assert "已知晓以下照片问题并提交" in text.output and "至少需要 1 张" in text.output
