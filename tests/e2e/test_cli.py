"""The CLI contract of INTERFACE.md: --json objects on stdout, exit codes 0 / 1 / 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from factories import bowtie, patch_rows, square_grid, write_vector, zip_shapefile
from weipian.cli.app import app

runner = CliRunner()


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    # The CLI is an edge: it reads WEIPIAN_* from the environment by design.
    monkeypatch.chdir(tmp_path)
    return {"WEIPIAN_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}


def _run(args: list[str], env: dict[str, str]) -> tuple[int, dict]:  # type: ignore[type-arg]
    result = runner.invoke(app, args, env=env)
    lines = [ln for ln in result.stdout.splitlines() if ln.strip()]
    assert len(lines) == 1, result.output  # exactly one JSON object on stdout
    return result.exit_code, json.loads(lines[0])


def test_import_json_contract(env: dict[str, str], tmp_path: Path) -> None:
    assert _run(["init", "--json"], env)[0] == 0
    rows = patch_rows(3)
    rows[2]["JCBH"] = rows[0]["JCBH"]
    shp = write_vector(
        tmp_path / "pkg" / "部.shp", rows, [*square_grid(2), bowtie()], encoding="GBK", keep_cpg=False
    )
    pkg = zip_shapefile(shp, tmp_path / "部.zip", gbk_names=True)
    code, out = _run(["import", str(pkg), "--source", "ministry", "--batch", "B1", "--json"], env)
    assert code == 0
    assert out["batch"] == "B1" and out["accepted"] == 2 and out["repaired"] == 0
    assert out["rejected"] == [
        {"row": 3, "id": "P0000", "code": "row.duplicate_id", "message": out["rejected"][0]["message"]}
    ]
    assert "P0000" in out["rejected"][0]["message"]
    code, again = _run(["import", str(pkg), "--source", "ministry", "--batch", "B1", "--json"], env)
    assert code == 1 and again["error"]["code"] == "batch.exists"


def test_errors_are_json_with_exit_1(env: dict[str, str], tmp_path: Path) -> None:
    code, out = _run(["import", "missing.zip", "--source", "ministry", "--json"], env)
    assert code == 1 and out["error"]["code"] == "database.not_initialised"
    _run(["init", "--json"], env)
    (tmp_path / "bad.zip").write_bytes(b"not a zip")
    code, out = _run(["import", "bad.zip", "--source", "ministry", "--json"], env)
    assert code == 1 and out["error"]["code"] == "package.corrupt_zip"
    assert "压缩包" in out["error"]["message"]


def test_usage_errors_exit_2(env: dict[str, str]) -> None:
    result = runner.invoke(app, ["import", "x.zip", "--source", "nowhere"], env=env)
    assert result.exit_code == 2
    result = runner.invoke(app, ["layers", "import", "x.gpkg", "--kind", "nonsense"], env=env)
    assert result.exit_code == 2


def test_layers_and_summary(env: dict[str, str], tmp_path: Path) -> None:
    _run(["init", "--json"], env)
    towns = write_vector(
        tmp_path / "t.gpkg", [{"XZQDM": "350583113", "XZQMC": "洪濑镇"}], [square_grid(1)[0].buffer(500)]
    )
    code, out = _run(
        ["layers", "import", str(towns), "--kind", "townships", "--as-of", "2022-12-31", "--json"], env
    )
    assert code == 0 and (out["kind"], out["version"], out["features"]) == ("townships", 1, 1)
    code, out = _run(["layers", "import", str(towns), "--kind", "townships", "--json"], env)
    assert out["version"] == 2
    code, out = _run(["layers", "list", "--json"], env)
    assert [(r["version"], r["current"]) for r in out["layers"]] == [(1, False), (2, True)]
    pkg = write_vector(tmp_path / "p.gpkg", patch_rows(2), square_grid(2))
    _run(["import", str(pkg), "--source", "province", "--json"], env)
    code, out = _run(["summary", "--json"], env)
    assert code == 0 and out["batches"][0]["patch_count"] == 2
    assert out["townships"] == [
        {
            "township_code": "350583113",
            "name": "洪濑镇",
            "source": "province",
            "patches": 2,
            "area_m2": out["townships"][0]["area_m2"],
        }
    ]
    result = runner.invoke(app, ["summary"], env=env)
    assert result.exit_code == 0 and "洪濑镇" in result.stdout
