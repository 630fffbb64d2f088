"""``weipian imagery add/list``: --json contract, Chinese errors, exit codes 0 / 1 / 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from factories import demo_tif
from weipian.cli.app import app

runner = CliRunner()


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    monkeypatch.chdir(tmp_path)  # the CLI is an edge: it reads WEIPIAN_* from the environment
    return {"WEIPIAN_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}


def _run(args: list[str], env: dict[str, str]) -> tuple[int, dict]:  # type: ignore[type-arg]
    result = runner.invoke(app, args, env=env)
    lines = [ln for ln in result.stdout.splitlines() if ln.strip()]
    assert len(lines) == 1, result.output
    return result.exit_code, json.loads(lines[0])


def test_add_and_list(env: dict[str, str], tmp_path: Path) -> None:
    assert _run(["init", "--json"], env)[0] == 0
    src = demo_tif(tmp_path / "前时相.tif")
    code, out = _run(
        ["imagery", "add", str(src), "--phase", "before", "--date", "20220215", "--by", "张三", "--json"], env
    )
    assert code == 0
    assert (out["phase"], out["taken_on"], out["name"], out["crs"], out["added_by"]) == (
        "before", "2022-02-15", "前时相.tif", "EPSG:4527", "张三",
    )  # fmt: skip
    assert (tmp_path / "cli.db.files" / "imagery" / out["stored_name"]).is_file()
    code, listed = _run(["imagery", "list", "--json"], env)
    assert code == 0 and [i["id"] for i in listed["images"]] == [out["id"]]
    code, again = _run(["imagery", "add", str(src), "--phase", "before", "--date", "20220301", "--json"], env)
    assert code == 1 and again["error"]["code"] == "imagery.duplicate" and "重复" in again["error"]["message"]
    text = runner.invoke(app, ["imagery", "list"], env=env)
    assert text.exit_code == 0 and "前时相" in text.stdout and "2022-02-15" in text.stdout
    human = runner.invoke(
        app,
        [
            "imagery",
            "add",
            str(demo_tif(tmp_path / "a.tif", phase="after")),
            "--phase",
            "after",
            "--date",
            "2022-10-31",
        ],
        env=env,
    )
    assert human.exit_code == 0 and "已登记影像" in human.stderr and "后时相" in human.stderr


def test_errors(env: dict[str, str], tmp_path: Path) -> None:
    _run(["init", "--json"], env)
    src = demo_tif(tmp_path / "x.tif")
    code, out = _run(["imagery", "add", str(src), "--phase", "before", "--date", "2022-13-45", "--json"], env)
    assert code == 1 and out["error"]["code"] == "imagery.date"
    (tmp_path / "bad.tif").write_text("不是影像", encoding="utf-8")
    code, out = _run(["imagery", "add", "bad.tif", "--phase", "after", "--date", "20221031", "--json"], env)
    assert code == 1 and out["error"]["code"] == "imagery.not_raster" and "GeoTIFF" in out["error"]["message"]
    usage = runner.invoke(
        app, ["imagery", "add", str(src), "--phase", "during", "--date", "20220101"], env=env
    )
    assert usage.exit_code == 2
    assert (
        not list((tmp_path / "cli.db.files" / "imagery").glob("*"))
        if (tmp_path / "cli.db.files").exists()
        else True
    )
