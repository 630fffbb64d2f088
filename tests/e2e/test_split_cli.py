"""``weipian split``: cut, show, refuse and undo through the real command line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import shapely
from typer.testing import CliRunner

from factories import small_county
from split_helpers import collection, halves
from weipian.cli.app import app
from weipian.services.admin import init_store
from weipian.storage.store import Store
from weipian.storage.workflow import find_patch

runner = CliRunner()


def _run(args: list[str], env: dict[str, str], code: int = 0) -> dict[str, Any]:
    result = runner.invoke(app, [*args, "--json"], env=env)
    assert result.exit_code == code, result.output
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1  # exactly one JSON object on stdout
    return json.loads(lines[0])  # type: ignore[no-any-return]


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    url = f"sqlite:///{tmp_path / 'w.db'}"
    store = Store(url)
    init_store(store)
    small_county(store, tmp_path)
    with store.reading() as s:
        whole = shapely.from_wkb(find_patch(s, "P0000").wkb)
    store.dispose()
    (tmp_path / "parts.geojson").write_bytes(collection(halves(whole)))
    (tmp_path / "overlap.geojson").write_bytes(collection([halves(whole, 0.6)[0], halves(whole, 0.4)[1]]))
    env = {
        "WEIPIAN_DATABASE_URL": url,
        "WEIPIAN_NOW": "2022-11-10T10:00:00",
        "WEIPIAN_FILES_DIR": str(tmp_path / "f"),
    }
    for name, role, town in (("admin", "bureau_admin", None), ("hl01", "township", "350583113"),
                             ("hm01", "township", "350583114")):  # fmt: skip
        extra = ["--township", town] if town else []
        _run(["users", "add", name, "--role", role, "--password", "long-enough-1", *extra], env)
    return env


def test_split_show_and_undo(env: dict[str, str], tmp_path: Path) -> None:
    parts = str(tmp_path / "parts.geojson")
    made = _run(["split", "P0000", "--parts", parts, "--as", "hl01"], env)
    assert [p["JCBH"] for p in made["parts"]] == ["P0000-1", "P0000-2"]
    assert made["parts_area_m2"] == pytest.approx(made["area_m2"], abs=0.02)
    shown = _run(["split", "show", "P0000-2", "--geometry"], env)
    assert shown["JCBH"] == "P0000" and shown["split_status"] == "审核结束"
    assert shown["parts"][1]["geometry"]["type"] == "MultiPolygon"
    # A part is a patch: it is determined on its own; the parent follows.
    _run(["field-check", "P0000-1", "--note", "已到现场", "--as", "hl01"], env)
    assert _run(["split", "show", "P0000"], env)["state"] == "issued"  # P0000-2 is not touched yet
    refused = _run(["split", "undo", "P0000", "--as", "hl01"], env, code=1)
    assert refused["error"]["code"] == "split.parts_worked" and "P0000-1" in refused["error"]["message"]


def test_undo_and_refusals_in_chinese(env: dict[str, str], tmp_path: Path) -> None:
    parts = str(tmp_path / "parts.geojson")
    wrong = _run(["split", "P0000", "--parts", parts, "--as", "hm01"], env, code=1)
    assert wrong["error"]["code"] == "permission.denied"
    bad = _run(["split", "P0000", "--parts", str(tmp_path / "overlap.geojson"), "--as", "hl01"], env, code=1)
    assert bad["error"]["code"] == "split.overlap" and "重叠" in bad["error"]["message"]
    missing = _run(["split", "P0000", "--parts", str(tmp_path / "none.geojson"), "--as", "hl01"], env, code=1)
    assert missing["error"]["code"] == "package.not_found"
    assert _run(["split", "show", "P0000"], env, code=1)["error"]["code"] == "split.none"
    _run(["split", "create", "P0000", "--parts", parts, "--as", "hl01"], env)
    undone = _run(["split", "undo", "P0000-1", "--as", "hl01"], env)
    assert undone == {"JCBH": "P0000", "removed": ["P0000-1", "P0000-2"]}
    # Text mode says it in Chinese on stderr.
    result = runner.invoke(
        app, ["split", "P0000", "--parts", str(tmp_path / "overlap.geojson"), "--as", "hl01"], env=env
    )
    assert result.exit_code == 1 and "子图斑之间不能重叠" in result.output
