"""The demo's dates follow the clock: batches issued in the last weeks, the ministry's overdue,
the province's due soon; the same seed and WEIPIAN_NOW give the same files."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from weipian.cli.app import app
from weipian.io.readers import read_vector

runner = CliRunner()
NOW = "2026-12-03T09:00"  # Beijing time


def _json(args: list[str], env: dict[str, str]) -> dict[str, Any]:
    result = runner.invoke(app, [*args, "--json"], env=env)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    monkeypatch.chdir(tmp_path)
    return {"WEIPIAN_DATABASE_URL": f"sqlite:///{tmp_path / 'w.db'}", "WEIPIAN_NOW": NOW}


def test_demo_dates_follow_the_clock(env: dict[str, str], tmp_path: Path) -> None:
    args = ["demo", "--patches", "40", "--parcels", "1000", "--no-imagery", "--seed", "3"]
    demo = _json([*args, "--dir", "a"], env)
    ministry, province = demo["packages"]
    assert (ministry["issued"], province["issued"]) == ("2026-11-13", "2026-11-22")
    assert (ministry["batch"], province["batch"]) == ("2026年第1批", "2026年省第1批")
    assert Path(ministry["path"]).name == "ministry_2026_01.zip"
    table = read_vector(Path(ministry["path"]), (117.8, 24.4, 118.9, 25.5))
    hsx = [str(v) for v in table.attrs["HSX"]]
    assert min(hsx) > "20260101" and max(hsx) < "20261113"  # imaged this year, before the batch
    licences = read_vector(Path(demo["layers"]["mining_right"]), (117.8, 24.4, 118.9, 25.5))
    assert "2026-03-31" in [str(v) for v in licences.attrs["YXQZ"]]  # one expired before the images

    again = _json([*args, "--dir", "b"], env)
    assert Path(ministry["path"]).read_bytes() == Path(again["packages"][0]["path"]).read_bytes()
    first, second = (
        read_vector(Path(p["path"]), (117.8, 24.4, 118.9, 25.5)) for p in (province, again["packages"][1])
    )
    assert first.attrs.equals(second.attrs)  # a GeoPackage also stores when it was written

    _json(["init"], env)
    _json(["layers", "import", demo["layers"]["townships"], "--kind", "townships"], env)
    accepted = [
        _json(
            ["import", p["path"], "--source", p["source"], "--batch", p["batch"], "--issued", p["issued"]],
            env,
        )["accepted"]
        for p in demo["packages"]
    ]
    overdue = _json(["lists", "show", "overdue"], env)["rows"]
    # Ministry due 2026-11-28 (past); province due 2026-12-07 (in 4 days).
    assert len(overdue) == accepted[0] and {r["source"] for r in overdue} == {"ministry"}
    late = _json(["lists", "show", "overdue"], {**env, "WEIPIAN_NOW": "2026-12-08T09:00"})["rows"]
    assert {r["source"] for r in late} == {"ministry", "province"}
    assert dt.date.fromisoformat(NOW[:10]) - dt.date.fromisoformat(ministry["issued"]) == dt.timedelta(
        days=20
    )
