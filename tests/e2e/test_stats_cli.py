"""``weipian stats --json`` and ``weipian exclusions``: the INTERFACE.md keys, sums, errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from factories import HONGLAI, small_county
from weipian.cli.app import app
from weipian.services.admin import init_store
from weipian.storage.store import Store

runner = CliRunner()
KEYS = {
    "patches", "determined", "illegal", "illegal_area_m2", "illegal_farmland_m2",
    "new_construction_farmland_m2", "illegal_farmland_ratio_pct", "rectified", "rectified_area_m2",
    "rectification_rate_count_pct", "rectification_rate_area_pct", "overdue", "housing", "housing_area_m2",
}  # fmt: skip
UNIT_KEYS = {"XZQDM", "XZQMC", "rank", "interview", "interview_reasons"}


def run(args: list[str], env: dict[str, str], code: int = 0) -> dict[str, Any]:
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
    e = {"WEIPIAN_DATABASE_URL": url}
    run(["users", "add", "admin", "--role", "bureau_admin", "--password", "x" * 12], e)
    run(["users", "add", "hl", "--role", "township", "--township", HONGLAI, "--password", "x" * 12], e)
    run(["determine", "P0000", "--verdict", "违法", "--subtype", "厂房类", "--violation-type", "违法占地",
         "--illegal-area", "5000", "--farmland-area", "4000", "--basic-farmland-area", "0", "--new",
         "--opinion", "未批先建", "--submit", "--confirm-gaps", "--as", "admin"], e)  # fmt: skip
    return e


def test_stats_json_has_the_interface_keys_and_adds_up(env: dict[str, str]) -> None:
    data = run(["stats", "--year", "2022"], env)
    assert set(data["county"]) >= KEYS
    assert data["units"] and all(set(u) >= KEYS | UNIT_KEYS for u in data["units"])
    for key in KEYS - {
        "illegal_farmland_ratio_pct",
        "rectification_rate_count_pct",
        "rectification_rate_area_pct",
    }:
        assert data["county"][key] == pytest.approx(sum(u[key] for u in data["units"]), abs=0.011), key
    assert data["county"]["illegal"] == 1 and data["county"]["illegal_farmland_m2"] == 4000.0
    ranks = sorted(u["rank"] for u in data["units"] if u["rank"] is not None)
    assert ranks == list(range(1, len(ranks) + 1))
    honglai = next(u for u in data["units"] if u["XZQDM"] == HONGLAI)
    assert honglai["rank"] == 1 and honglai["XZQMC"] == "洪濑镇"
    assert honglai["interview"] is bool(honglai["interview_reasons"])
    for reason in honglai["interview_reasons"]:
        assert reason["code"].startswith("interview.") and reason["message"]
    assert data["county"]["rectified"] + data["county"]["unrectified"] == data["county"]["illegal"]


def test_stats_one_unit_and_errors(env: dict[str, str]) -> None:
    one = run(["stats", "--unit", HONGLAI], env)
    assert [u["XZQDM"] for u in one["units"]] == [HONGLAI] and one["county"]["patches"] == 1
    bad = run(["stats", "--month", "2022-13"], env, code=1)
    assert bad["error"]["code"] == "stats.month_invalid" and "YYYY-MM" in bad["error"]["message"]
    unknown = run(["stats", "--unit", "350583999"], env, code=1)
    assert unknown["error"]["code"] == "stats.unit_unknown"
    assert run(["stats", "--month", "2030-01"], env)["county"]["patches"] == 0


def test_stats_by_quarter_batch_and_source(env: dict[str, str]) -> None:
    whole = run(["stats"], env)["county"]["patches"]
    q4 = run(["stats", "--year", "2022", "--quarter", "4"], env)
    assert q4["county"]["patches"] == whole and q4["filter"]["label"] == "2022年度第4季度"
    assert run(["stats", "--year", "2022", "--quarter", "1"], env)["county"]["patches"] == 0
    assert run(["stats", "--batch", "B1", "--source", "ministry"], env)["county"]["patches"] == whole
    assert run(["stats", "--source", "province"], env)["county"]["patches"] == 0
    for args, code in (
        (["--quarter", "4"], "stats.quarter_needs_year"), (["--year", "2022", "--quarter", "5"], "stats.quarter_invalid"),
        (["--batch", "没有的批次"], "stats.batch_unknown"), (["--source", "city"], "stats.source_unknown"),
    ):  # fmt: skip
        bad = run(["stats", *args], env, code=1)
        assert bad["error"]["code"] == code and bad["error"]["message"], args


def test_exclusions_cli(env: dict[str, str]) -> None:
    refused = run(["exclusions", "set", "P0000", "--category", "省以上重点工程", "--as", "hl"], env, code=1)
    assert refused["error"]["code"] == "exclusion.forbidden"
    assert run(["exclusions", "set", "P0000", "--category", "省以上重点工程", "--as", "admin"], env)[
        "exclusion"
    ]
    assert run(["exclusions", "list"], env)["exclusions"] == [
        {"JCBH": "P0000", "exclusion": "省以上重点工程"}
    ]
    county = run(["stats"], env)["county"]
    assert county["illegal_farmland_m2"] == 0.0 and county["excluded"] == 1
    run(["exclusions", "clear", "P0000", "--reason", "核实不属于", "--as", "admin"], env)
    assert run(["exclusions", "list"], env)["exclusions"] == []


def test_export_ministry_checks_then_forces(env: dict[str, str], tmp_path: Path) -> None:
    target = tmp_path / "部报送.xlsx"
    refused = run(["export", "ministry", str(target)], env, code=1)
    assert refused["error"]["code"] == "delivery.incomplete" and not target.exists()
    missing = {m["JCBH"]: m["fields"] for m in refused["error"]["missing"]}
    assert missing == {"P0000": ["JZCL"], "P0001": ["PDJG"]}
    done = run(["export", "ministry", str(target), "--force"], env)
    assert done["written"] and done["patches"] == 2 and done["restricted_left_out"] == 1 and target.exists()
    nothing = run(["export", "province", str(tmp_path / "省.gpkg")], env, code=1)
    assert nothing["error"]["code"] == "delivery.nothing"
