"""``weipian split``: cut, show, refuse and undo through the real command line."""

from __future__ import annotations

from pathlib import Path

import pytest
import shapely

from cli_helpers import county_env, run_json, runner
from split_helpers import collection, halves
from weipian.cli.app import app
from weipian.storage.workflow import find_patch


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    accounts = (
        ("admin", "bureau_admin", None),
        ("hl01", "township", "350583113"),
        ("hm01", "township", "350583114"),
    )
    env, store = county_env(tmp_path, "2022-11-10T10:00:00", accounts, files="f")
    with store.reading() as s:
        whole = shapely.from_wkb(find_patch(s, "P0000").wkb)
    store.dispose()
    (tmp_path / "parts.geojson").write_bytes(collection(halves(whole)))
    (tmp_path / "overlap.geojson").write_bytes(collection([halves(whole, 0.6)[0], halves(whole, 0.4)[1]]))
    return env


def test_split_show_and_undo(env: dict[str, str], tmp_path: Path) -> None:
    parts = str(tmp_path / "parts.geojson")
    made = run_json(["split", "P0000", "--parts", parts, "--as", "hl01"], env)
    assert [p["JCBH"] for p in made["parts"]] == ["P0000-1", "P0000-2"]
    assert made["parts_area_m2"] == pytest.approx(made["area_m2"], abs=0.02)
    shown = run_json(["split", "show", "P0000-2", "--geometry"], env)
    assert shown["JCBH"] == "P0000" and shown["split_status"] == "审核结束"
    assert shown["parts"][1]["geometry"]["type"] == "MultiPolygon"
    # A part is a patch: it is determined on its own; the parent follows.
    run_json(["field-check", "P0000-1", "--note", "已到现场", "--as", "hl01"], env)
    assert run_json(["split", "show", "P0000"], env)["state"] == "issued"  # P0000-2 is not touched yet
    refused = run_json(["split", "undo", "P0000", "--as", "hl01"], env, code=1)
    assert refused["error"]["code"] == "split.parts_worked" and "P0000-1" in refused["error"]["message"]


def test_undo_and_refusals_in_chinese(env: dict[str, str], tmp_path: Path) -> None:
    parts = str(tmp_path / "parts.geojson")
    wrong = run_json(["split", "P0000", "--parts", parts, "--as", "hm01"], env, code=1)
    assert wrong["error"]["code"] == "permission.denied"
    bad = run_json(
        ["split", "P0000", "--parts", str(tmp_path / "overlap.geojson"), "--as", "hl01"], env, code=1
    )
    assert bad["error"]["code"] == "split.overlap" and "重叠" in bad["error"]["message"]
    missing = run_json(
        ["split", "P0000", "--parts", str(tmp_path / "none.geojson"), "--as", "hl01"], env, code=1
    )
    assert missing["error"]["code"] == "package.not_found"
    assert run_json(["split", "show", "P0000"], env, code=1)["error"]["code"] == "split.none"
    run_json(["split", "create", "P0000", "--parts", parts, "--as", "hl01"], env)
    undone = run_json(["split", "undo", "P0000-1", "--as", "hl01"], env)
    assert undone == {"JCBH": "P0000", "removed": ["P0000-1", "P0000-2"]}
    # Text mode says it in Chinese on stderr.
    result = runner.invoke(
        app, ["split", "P0000", "--parts", str(tmp_path / "overlap.geojson"), "--as", "hl01"], env=env
    )
    assert result.exit_code == 1 and "子图斑之间不能重叠" in result.output
