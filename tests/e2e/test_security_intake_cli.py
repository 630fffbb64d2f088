"""Intake attacked through the CLI (issue 11, items 9 and 13): zips with absolute or ``..``
member names and zip bombs, patches in the Sahara or under a wrong .prj, absurd coordinates —
each refused with one Chinese JSON error and exit 1, never a traceback, nothing written (the
CLI on SQLite; the same refusals through the intake service on both backends)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
import shapely
from sqlalchemy import func, select
from typer.testing import CliRunner

from factories import REGION, gk_square, patch_rows, square_grid, write_vector
from weipian.cli.app import app
from weipian.domain.sources import Source
from weipian.errors import InputError
from weipian.services.intake import IntakeOptions, import_package
from weipian.storage.store import Store
from weipian.storage.tables import patches

runner = CliRunner()


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    monkeypatch.chdir(
        tmp_path
    )  # the CLI on SQLite, as the other e2e tests; PostGIS below through the service
    e = {"WEIPIAN_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}
    assert runner.invoke(app, ["init", "--json"], env=e).exit_code == 0
    return e


def _run(args: list[str], env: dict[str, str]) -> tuple[int, dict]:  # type: ignore[type-arg]
    result = runner.invoke(app, args, env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    lines = [ln for ln in result.stdout.splitlines() if ln.strip()]
    assert len(lines) == 1, result.output
    return result.exit_code, json.loads(lines[0])


def _import(path: Path, env: dict[str, str], *extra: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    return _run(["import", str(path), "--source", "ministry", "--batch", "B", "--json", *extra], env)


def _nothing_written(env: dict[str, str]) -> None:
    code, out = _run(["summary", "--json"], env)
    assert code == 0 and not out.get("batches"), out


def _shapefile_parts(tmp: Path) -> dict[str, bytes]:
    shp = write_vector(tmp / "src" / "p.shp", patch_rows(2), square_grid(2), encoding="GBK")
    return {p.suffix: p.read_bytes() for p in shp.parent.glob("p.*")}


@pytest.mark.parametrize("prefix", ["/tmp/decoy/", "../../decoy/", "C:/decoy/", "a/../../"])
def test_zip_member_names_leaving_the_package_are_refused(
    env: dict[str, str], tmp_path: Path, prefix: str
) -> None:
    parts = _shapefile_parts(tmp_path)
    decoy = tmp_path / "decoy"
    decoy.mkdir(exist_ok=True)
    for suffix, data in parts.items():  # the decoy on disk a bad name would reach
        (decoy / f"p{suffix}").write_bytes(data)
    pkg = tmp_path / "evil.zip"
    with zipfile.ZipFile(pkg, "w") as zf:
        for suffix, data in parts.items():
            zf.writestr(f"{prefix}p{suffix}", data)
    code, out = _import(pkg, env)
    assert code == 1 and out["error"]["code"] == "package.zip_bad_name"
    assert "压缩包" in out["error"]["message"]
    _nothing_written(env)


def test_a_zip_bomb_is_refused_before_unpacking(env: dict[str, str], tmp_path: Path) -> None:
    parts = _shapefile_parts(tmp_path)
    pkg = tmp_path / "bomb.zip"
    with zipfile.ZipFile(pkg, "w", zipfile.ZIP_DEFLATED) as zf:
        for suffix, data in parts.items():
            zf.writestr(f"p{suffix}", data)
        zf.writestr("padding.txt", b"\0" * (64 * 2**20))  # 64 MB of zeros in about 64 KB
    assert pkg.stat().st_size < 2**20
    code, out = _import(pkg, env)
    assert code == 1 and out["error"]["code"] == "package.zip_bomb"
    _nothing_written(env)


def test_a_zip_with_too_many_members_is_refused(env: dict[str, str], tmp_path: Path) -> None:
    pkg = tmp_path / "many.zip"
    with zipfile.ZipFile(pkg, "w") as zf:
        for i in range(1001):
            zf.writestr(f"f{i}.txt", b"x")
    code, out = _import(pkg, env)
    assert code == 1 and out["error"]["code"] == "package.zip_too_many"


def test_patches_in_the_sahara_are_refused_unless_allowed(env: dict[str, str], tmp_path: Path) -> None:
    sahara = [shapely.box(5.0 + i * 0.01, 20.0, 5.005 + i * 0.01, 20.005) for i in range(20)]
    pkg = write_vector(tmp_path / "sahara.gpkg", patch_rows(20), sahara, epsg=4490)
    code, out = _import(pkg, env)
    assert code == 1 and out["error"]["code"] == "package.all_rejected"
    assert {r["code"] for r in out["error"]["rejected"]} == {"row.outside_county"}
    _nothing_written(env)
    code, out = _import(pkg, env, "--allow-outside")
    assert code == 0 and out["accepted"] == 20


def test_a_wrong_prj_is_refused(env: dict[str, str], tmp_path: Path) -> None:
    """Gauss–Krüger metres declared as degrees, and degrees declared as metres."""
    pkg = write_vector(tmp_path / "a.shp", patch_rows(2), square_grid(2), epsg=4490)
    code, out = _import(pkg, env)
    assert code == 1 and {r["code"] for r in out["error"]["rejected"]} == {"row.coordinates_invalid"}
    degrees = [shapely.box(118.4, 25.0, 118.401, 25.001)]
    pkg2 = write_vector(tmp_path / "b.shp", patch_rows(1), degrees, epsg=4527)
    code, out = _import(pkg2, env)
    assert code == 1 and {r["code"] for r in out["error"]["rejected"]} <= {
        "row.outside_county",
        "row.coordinates_invalid",
    }
    _nothing_written(env)


def test_absurd_coordinates_end_in_a_json_error(env: dict[str, str], tmp_path: Path) -> None:
    sq = gk_square()
    huge = shapely.Polygon([(1e300, 2755704.0), (1e300 + 1, 2755804.0), sq.exterior.coords[0]])
    pkg = write_vector(tmp_path / "h.shp", patch_rows(2), [huge, shapely.box(-1e308, -1e308, 1e308, 1e308)])
    code, out = _import(pkg, env)
    assert code == 1 and out["error"]["code"] == "package.all_rejected"
    assert "坐标" in out["error"]["rejected"][0]["message"]
    _nothing_written(env)


def test_the_same_refusals_on_both_backends(store: Store, tmp_path: Path) -> None:
    parts = _shapefile_parts(tmp_path)
    pkg = tmp_path / "evil.zip"
    with zipfile.ZipFile(pkg, "w") as zf:
        for suffix, data in parts.items():
            zf.writestr(f"../x/p{suffix}", data)
    options = IntakeOptions(source=Source.ministry, batch="B", region=REGION)
    with pytest.raises(InputError, match="压缩包") as refused:
        import_package(store, pkg, options)
    assert refused.value.code == "package.zip_bad_name"
    sahara = write_vector(
        tmp_path / "s.gpkg", patch_rows(2), [shapely.box(5, 20, 5.01, 20.01)] * 2, epsg=4490
    )
    with pytest.raises(InputError) as refused:
        import_package(store, sahara, options)
    assert {r.code for r in refused.value.params["rejected"]} == {"row.outside_county"}
    with store.reading() as session:
        assert session.execute(select(func.count()).select_from(patches)).scalar() == 0
