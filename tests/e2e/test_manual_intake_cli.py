"""``weipian intake manual`` (issue 10, item 17): a self-found case registered by hand goes
through the package's intake checks — CGCS2000, county box, ellipsoidal area, township by largest
share, military restriction, identity — on both backends, with a ``patch.register`` event; and
the attacks: a self-intersecting outline, one outside the county, a huge one, markup and formula
text, a township account. Every refusal is one Chinese JSON error, exit 1, nothing written."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import shapely
from sqlalchemy import func, select
from typer.testing import CliRunner

from factories import HONGLAI, HONGMEI, REGION, SQUARE_100M_ELLIPSOIDAL_M2, gk_square, to_4490, write_vector
from weipian.cli.app import app
from weipian.domain.layers import LayerKind
from weipian.domain.roles import Role
from weipian.services.layers import import_layer
from weipian.services.users import add_user
from weipian.storage.store import Store
from weipian.storage.tables import batches, events, patches

runner = CliRunner()
PASSWORD = "Manual-intake-123"


@pytest.fixture
def env(store: Store, store_url: str, tmp_path: Path) -> dict[str, str]:
    """洪濑镇 west of 洪梅镇 (1.5 km squares, EPSG:4527), a military square, three accounts."""
    towns = write_vector(
        tmp_path / "t.gpkg",
        [{"XZQDM": HONGLAI, "XZQMC": "洪濑镇"}, {"XZQDM": HONGMEI, "XZQMC": "洪梅镇"}],
        [gk_square(-1000, -1000, 1500), gk_square(500, -1000, 1500)],
    )
    import_layer(store, towns, LayerKind.townships, region=REGION)
    mil = write_vector(tmp_path / "m.gpkg", [{"NAME": "某部"}], [gk_square(2000, 2000, 300)])
    import_layer(store, mil, LayerKind.military, region=REGION)
    with store.writing() as session:
        add_user(session, username="boss", role=Role.bureau_admin, password=PASSWORD)
        add_user(session, username="checker", role=Role.bureau_reviewer, password=PASSWORD)
        add_user(session, username="hl01", role=Role.township, township=HONGLAI, password=PASSWORD)
    return {"WEIPIAN_DATABASE_URL": store_url, "WEIPIAN_NOW": "2026-12-04T09:00:00"}


def _run(args: list[str], env: dict[str, str]) -> tuple[int, dict[str, Any]]:
    result = runner.invoke(app, args, env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    lines = [ln for ln in result.stdout.splitlines() if ln.strip()]
    assert len(lines) == 1, result.output
    return result.exit_code, json.loads(lines[0])


def _coords(geom: shapely.Polygon) -> str:
    return ", ".join(f"{x:.9f} {y:.9f}" for x, y in list(geom.exterior.coords)[:-1])


def _manual(env: dict[str, str], jcbh: str, *extra: str, who: str = "boss") -> tuple[int, dict[str, Any]]:
    return _run(["intake", "manual", "--jcbh", jcbh, *extra, "--as", who, "--json"], env)


def _counts(store: Store) -> tuple[int, int, int]:
    with store.reading() as session:
        return (
            int(session.scalar(select(func.count()).select_from(patches)) or 0),
            int(session.scalar(select(func.count()).select_from(batches)) or 0),
            int(session.scalar(select(func.count()).select_from(events)) or 0),
        )


def test_coordinates_in_degrees_are_checked_as_a_package(env: dict[str, str], store: Store) -> None:
    """A 100 m square straddling the two townships, 70 % in 洪梅镇: 洪梅镇, ellipsoidal area."""
    (square,) = to_4490([gk_square(470, 0)])  # x 470–570 m, the line at 500: 30 % 洪濑镇, 70 % 洪梅镇
    code, out = _manual(env, "ZZ2026-001", "--coords", _coords(square), "--change-type", "20")
    assert code == 0, out
    assert out["source"] == "self" and out["batch"] == "2026年自主发现"
    assert out["XZQDM"] == HONGMEI and out["XZQMC"] == "洪梅镇"
    assert out["JCMJ"] == pytest.approx(SQUARE_100M_ELLIPSOIDAL_M2, abs=0.05)
    assert out["restricted"] is False and out["source_crs"] == "EPSG:4490"
    assert out["due_on"] == "2026-12-19"  # 15 days from the Beijing date it was found
    with store.reading() as session:
        p = session.execute(select(patches).where(patches.c.patch_code == "ZZ2026-001")).one()
        ev = session.execute(select(events).where(events.c.patch_id == p.id)).one()
    assert (p.source, p.change_type, p.state, p.township_share) == (
        "self",
        "20",
        "issued",
        pytest.approx(0.7, abs=1e-4),
    )
    assert (ev.action, ev.actor, ev.role) == ("patch.register", "boss", "bureau_admin")
    assert ev.payload["via"].startswith("cli:") and ev.payload["batch"] == "2026年自主发现"


def test_gauss_kruger_geojson_on_military_land_is_restricted(
    env: dict[str, str], store: Store, tmp_path: Path
) -> None:
    """GeoJSON in EPSG:4527 metres with a named CRS, on military land; a second case joins the
    same batch, whose count follows."""
    doc = {
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4527"}},
        "features": [
            {"type": "Feature", "properties": {}, "geometry": gk_square(2100, 2100).__geo_interface__}
        ],
    }
    path = tmp_path / "case.geojson"
    path.write_text(json.dumps(doc), encoding="utf-8")
    code, out = _manual(env, "ZZ-MIL", "--geojson", str(path), who="checker")
    assert code == 0, out
    assert out["restricted"] is True and out["source_crs"] == "EPSG:4527" and not out["crs_inferred"]
    assert out["JCMJ"] == pytest.approx(SQUARE_100M_ELLIPSOIDAL_M2, rel=1e-4)  # 2 km further out
    (plain,) = to_4490([gk_square(0, 0)])
    code, out = _manual(env, "ZZ-2", "--coords", _coords(plain), "--batch", "2026年自主发现")
    assert code == 0 and out["XZQDM"] == HONGLAI
    with store.reading() as session:
        (batch,) = session.execute(select(batches)).all()
    assert (batch.source, batch.name, batch.patch_count) == ("self", "2026年自主发现", 2)


def test_projected_coordinates_are_inferred_like_a_package_without_prj(env: dict[str, str]) -> None:
    ring = ", ".join(f"{x} {y}" for x, y in list(gk_square(0, 0).exterior.coords)[:-1])
    code, out = _manual(env, "ZZ-GK", "--coords", ring)
    assert code == 0 and out["source_crs"] == "EPSG:4527" and out["crs_inferred"] is True


@pytest.mark.parametrize(
    ("jcbh", "coords_of", "code"),
    [
        # a bow-tie: refused for redrawing, not silently mended into two triangles
        (
            "ZZ-BOW",
            lambda: "118.40 25.00, 118.401 25.001, 118.401 25.00, 118.40 25.001",
            "manual.geometry_invalid",
        ),
        ("ZZ-SAHARA", lambda: "5.0 20.0, 5.01 20.0, 5.01 20.01, 5.0 20.01", "manual.outside_county"),
        # most of the county box: a pasted boundary, not one case
        ("ZZ-HUGE", lambda: "118.0 24.5, 118.8 24.5, 118.8 25.4, 118.0 25.4", "manual.too_large"),
        ("ZZ-LINE", lambda: "118.40 25.00, 118.401 25.00", "manual.too_few_points"),
        ("ZZ-TEXT", lambda: "118.40 北纬25, 118.401 25.00, 118.401 25.001", "manual.coords_invalid"),
        ("ZZ-INF", lambda: "118.40 25.00, 1e400 25.00, 118.401 25.001", "manual.coords_invalid"),
        ("<b>ZZ</b>", lambda: "118.40 25.00, 118.401 25.00, 118.401 25.001", "manual.jcbh_invalid"),
        ("=HYPERLINK(1)", lambda: "118.40 25.00, 118.401 25.00, 118.401 25.001", "manual.jcbh_invalid"),
        (
            "ZZ-MANY",
            lambda: ", ".join(f"118.4{i:05d} 25.0" for i in range(10_001)),
            "manual.too_many_vertices",
        ),
    ],
)
def test_bad_outlines_and_numbers_are_refused_and_nothing_is_written(
    env: dict[str, str], store: Store, jcbh: str, coords_of: Any, code: str
) -> None:
    before = _counts(store)
    status, out = _manual(env, jcbh, "--coords", coords_of())
    assert status == 1 and out["error"]["code"] == code, out
    assert (
        "未登记" in out["error"]["message"]
        or "不合要求" in out["error"]["message"]
        or "至少" in (out["error"]["message"])
        or "无法识别" in out["error"]["message"]
        or "上限" in out["error"]["message"]
    )
    assert _counts(store) == before


def test_duplicate_jcbh_is_refused_even_in_another_township(env: dict[str, str], store: Store) -> None:
    a, b = to_4490([gk_square(0, 0), gk_square(900, 0)])  # 洪濑镇, then 洪梅镇
    assert _manual(env, "ZZ-DUP", "--coords", _coords(a))[0] == 0
    before = _counts(store)
    status, out = _manual(env, "ZZ-DUP", "--coords", _coords(b))
    assert status == 1 and out["error"]["code"] == "manual.exists" and "ZZ-DUP" in out["error"]["message"]
    assert _counts(store) == before


def test_markup_in_the_note_is_kept_as_text(env: dict[str, str], store: Store) -> None:
    (square,) = to_4490([gk_square(0, 0)])
    note = "<script>alert(1)</script> =1+1 [red]x[/red]"
    code, out = _manual(env, "ZZ-NOTE", "--coords", _coords(square), "--note", note)
    assert code == 0, out
    with store.reading() as session:
        attrs = session.scalar(select(patches.c.attrs).where(patches.c.patch_code == "ZZ-NOTE"))
    assert attrs["BZ"] == note


@pytest.mark.parametrize(("who", "code"), [("hl01", "manual.forbidden"), ("nobody", "user.not_found")])
def test_only_bureau_accounts_register(env: dict[str, str], store: Store, who: str, code: str) -> None:
    (square,) = to_4490([gk_square(0, 0)])  # inside hl01's own township: still not its to register
    before = _counts(store)
    status, out = _manual(env, "ZZ-TOWN", "--coords", _coords(square), who=who)
    assert status == 1 and out["error"]["code"] == code, out
    assert _counts(store) == before


def test_usage_mistakes_are_said_in_chinese(env: dict[str, str], tmp_path: Path) -> None:
    assert _manual(env, "ZZ-X")[1]["error"]["code"] == "manual.no_geometry"
    f = tmp_path / "a.geojson"
    f.write_text('{"type": "Point", "coordinates": [118.4, 25.0]}', encoding="utf-8")
    assert _manual(env, "ZZ-X", "--geojson", str(f))[1]["error"]["code"] == "manual.geometry_not_polygon"
    assert _manual(env, "ZZ-X", "--geojson", str(f), "--coords", "1 2")[1]["error"]["code"] == (
        "manual.geometry_twice"
    )
    f.write_text("{not json", encoding="utf-8")
    assert _manual(env, "ZZ-X", "--geojson", str(f))[1]["error"]["code"] == "manual.geojson_invalid"
    code, out = _manual(env, "ZZ-X", "--coords", "1 2, 3 4, 5 6", "--source", "ministry")
    assert code == 1 and out["error"]["code"] == "manual.source_self_only"
    code, out = _manual(env, "ZZ-X", "--coords", "118.4 25, 118.5 25, 118.5 25.1", "--change-type", "ZZZ")
    assert code == 1 and out["error"]["code"] == "manual.change_type_unknown"
