"""图斑拆分 on both backends: parts that tile the patch, their own workflow and ledger, the parent's
derived state, the statistics' counting rule, undo, and attacks that must leave the store as it was."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
import shapely
from sqlalchemy import func, select

from factories import HONGLAI, HONGMEI, small_county
from ledger_helpers import ADMIN, AT, HL, HM, LEADER, RULES, TODAY, _open, illegal
from split_helpers import collection, halves, parent_geometry
from stats_paths import both_paths
from weipian.domain.roles import Actor, Role
from weipian.errors import Conflict, InputError, NotFound, PermissionDenied, TransitionRefused
from weipian.rules import ApprovalClaim, Determination
from weipian.services import split, workflow
from weipian.storage.spatial import bbox_clause
from weipian.storage.store import Store
from weipian.storage.tables import events, patch_splits, patches
from weipian.storage.workflow import find_patch, patch_events, verify_chain

LEGAL = Determination(
    verdict="合法", subtype="用地审批", opinion="已办理农转用", project_name="某项目",
    approvals=(ApprovalClaim(route="用地审批", doc_no="闽政地〔2021〕1号", ratio_pct=100.0),),
)  # fmt: skip


@pytest.fixture
def county(store: Store, tmp_path: Path) -> Store:
    small_county(store, tmp_path)
    return store


def _id(store: Store, code: str) -> int:
    with store.reading() as s:
        return int(find_patch(s, code).id)


def _split(store: Store, data: bytes, actor: Actor = HL, code: str = "P0000") -> split.SplitInfo:
    with store.writing() as s:
        return split.split_patch(s, _id(store, code), data, actor=actor, at=AT)


def _counts(store: Store) -> tuple[int, int, int]:
    with store.reading() as s:
        return tuple(  # type: ignore[return-value]
            int(s.scalar(select(func.count()).select_from(t)) or 0) for t in (patches, events, patch_splits)
        )


def _state(store: Store, code: str) -> str:
    with store.reading() as s:
        return str(find_patch(s, code).state)


def _file(store: Store, code: str, det: Determination, actor: Actor = HL) -> None:
    with store.writing() as s:
        workflow.save_determination(s, find_patch(s, code), det, actor=actor, rules=RULES, on=TODAY)
        workflow.submit(s, find_patch(s, code), actor=actor)


def test_split_makes_parts_that_tile_the_patch(county: Store) -> None:
    whole = parent_geometry(county, "P0000")
    info = _split(county, collection(halves(whole, 0.3)))
    parent_area = next(iter(_areas(county, ["P0000"])))
    assert [p.code for p in info.parts] == ["P0000-1", "P0000-2"]
    assert info.parts_area_m2 == pytest.approx(parent_area, rel=1e-6)
    assert info.parts[0].area_m2 == pytest.approx(
        0.3 * parent_area, rel=2e-2
    )  # the square is turned a little in lon/lat
    assert {p.township_code for p in info.parts} == {HONGLAI}
    assert [p.state for p in info.parts] == ["issued", "issued"] and info.status == "审核结束"
    assert info.parent_state == "issued"
    with county.reading() as s:
        part = find_patch(s, "P0000-2")
        parent = find_patch(s, "P0000")
        assert (part.source, part.year, part.admin_code, part.batch_id, part.due_on) == (
            parent.source, parent.year, parent.admin_code, parent.batch_id, parent.due_on,
        )  # fmt: skip
        # The part's box is in the spatial index (R*Tree on SQLite, the generated geom on PostGIS).
        box = shapely.from_wkb(part.wkb).bounds
        found = s.scalars(select(patches.c.patch_code).where(bbox_clause(s, patches, box))).all()
        assert "P0000-2" in found
        [event] = [e for e in patch_events(s, parent.id) if e.action == "split.create"]
        assert [p["JCBH"] for p in event.payload["parts"]] == ["P0000-1", "P0000-2"]
        assert event.actor == "hl01" and event.state_before == event.state_after == "issued"
    # Shown from the parent and from a part alike.
    with county.reading() as s:
        shown = split.split_of(s, _id(county, "P0000-1"))
    assert shown is not None and shown.parent_code == "P0000" and len(shown.parts) == 2


def _areas(store: Store, codes: list[str]) -> list[float]:
    with store.reading() as s:
        return [float(find_patch(s, c).area_m2) for c in codes]


def test_parent_follows_its_parts_and_takes_no_step_itself(county: Store) -> None:
    _split(county, collection(halves(parent_geometry(county, "P0000"))))
    before = _counts(county)
    with pytest.raises(Conflict) as exc, county.writing() as s:
        workflow.save_determination(s, find_patch(s, "P0000"), LEGAL, actor=HL, rules=RULES, on=TODAY)
    assert exc.value.code == "split.parent_has_parts"
    assert _counts(county) == before
    _file(county, "P0000-1", illegal(300, 200))
    assert (_state(county, "P0000-1"), _state(county, "P0000")) == ("submitted", "issued")  # as P0000-2
    _file(county, "P0000-2", LEGAL)
    assert _state(county, "P0000") == "submitted"  # 已提交 once every part is
    with county.writing() as s:
        workflow.review(
            s, find_patch(s, "P0000-2"), passed=False, reasons=["return.need_field_photos"], actor=ADMIN,
            rules=RULES, on=TODAY,
        )  # fmt: skip
    assert _state(county, "P0000") == "county_returned"
    with county.reading() as s:
        derived = [e for e in patch_events(s, _id(county, "P0000")) if e.action == "split.derive"]
    assert [(e.state_before, e.state_after, e.payload["part"]) for e in derived] == [
        ("issued", "verifying", "P0000-2"), ("verifying", "submitted", "P0000-2"),
        ("submitted", "county_returned", "P0000-2"),
    ]  # fmt: skip
    with county.reading() as s:
        assert verify_chain(s)[1] is None  # the derived events are chained like any other


def test_part_has_its_own_ledger_record(county: Store) -> None:
    _split(county, collection(halves(parent_geometry(county, "P0000"))))
    _file(county, "P0000-1", illegal(300, 200))
    with county.writing() as s:
        p = find_patch(s, "P0000-1")
        workflow.review(s, p, passed=True, reasons=["pass.field_photos"], actor=ADMIN, rules=RULES, on=TODAY)
        workflow.report(s, find_patch(s, "P0000-1"), actor=ADMIN)
    record = _open(county, _id(county, "P0000-1"))
    assert (record.patch_code, record.illegal_area_m2, record.state.value) == ("P0000-1", 300.0, "rectifying")
    with pytest.raises((Conflict, TransitionRefused)):  # the parent is where its least advanced part is
        _open(county, _id(county, "P0000"))


def test_statistics_count_the_parent_once_and_the_parts_by_area(county: Store) -> None:
    _split(county, collection(halves(parent_geometry(county, "P0000"))))
    _file(county, "P0000-1", illegal(400, 350))
    _file(county, "P0000-2", illegal(250, 100, violation_type="违法占地"))
    _file(county, "P0001", LEGAL, actor=ADMIN)
    c = both_paths(county, RULES, on=dt.date(2022, 12, 1), year=2022).summary.county
    # Issued: P0000 (once, not its two parts), P0001, P0002. Determined: the two parts and P0001.
    assert (c.patches, c.determined, c.illegal, c.legal) == (3, 3, 2, 1)
    assert c.illegal_area_m2 == 650.0 and c.illegal_farmland_m2 == 450.0
    assert c.area_m2 == pytest.approx(sum(_areas(county, ["P0000", "P0001", "P0002"])), abs=0.01)


def test_undo_before_any_part_was_worked_on(county: Store) -> None:
    before = _counts(county)
    _split(county, collection(halves(parent_geometry(county, "P0000"))))
    with county.writing() as s:
        removed = split.undo_split(s, _id(county, "P0000-2"), actor=HL, at=AT)
    assert removed == ("P0000", ["P0000-1", "P0000-2"])
    after = _counts(county)
    assert (after[0], after[2]) == (before[0], before[2]) and after[1] == before[1] + 2  # create + undo
    with pytest.raises(NotFound), county.reading() as s:
        find_patch(s, "P0000-1")
    # Split again, work on a part: the split is now permanent.
    _split(county, collection(halves(parent_geometry(county, "P0000"), 0.6)))
    with county.writing() as s:
        workflow.record_field_check(s, find_patch(s, "P0000-1"), note="已到现场", actor=HL)
    with pytest.raises(Conflict) as exc, county.writing() as s:
        split.undo_split(s, _id(county, "P0000"), actor=HL, at=AT)
    assert (exc.value.code, exc.value.params["part"]) == ("split.parts_worked", "P0000-1")
    assert _state(county, "P0000-2") == "issued"


def _shifted(geom: Any, dx: float) -> Any:
    return shapely.affinity.translate(geom, xoff=dx)


def _bowtie(geom: Any) -> Any:
    minx, miny, maxx, maxy = geom.bounds
    return shapely.Polygon([(minx, miny), (maxx, maxy), (maxx, miny), (minx, maxy), (minx, miny)])


ATTACKS: dict[str, tuple[str, Any]] = {
    # code expected, builder of the file from the parent geometry
    "one part": ("split.too_few", lambda g: collection([g])),
    "gap": ("split.gap", lambda g: collection([halves(g, 0.4)[0], halves(g, 0.6)[1]])),
    "overlap": ("split.overlap", lambda g: collection([halves(g, 0.6)[0], halves(g, 0.4)[1]])),
    "outside": ("split.outside", lambda g: collection([halves(g)[0], _shifted(halves(g)[1], 0.0002)])),
    "far away": ("split.outside", lambda g: collection([halves(g)[0], _shifted(halves(g)[1], 20.0)])),
    "self-intersecting": ("split.part_invalid", lambda g: collection([halves(g)[0], _bowtie(g)])),
    "huge coordinates": (
        "split.coordinates",
        lambda g: collection([halves(g)[0], shapely.box(1e300, 1e300, 2e300, 2e300)]),
    ),
    "projected coordinates": (
        "split.coordinates",
        lambda g: collection([halves(g)[0], shapely.box(39641453, 2755704, 39641553, 2755804)]),
    ),
    "projected crs": (
        "split.crs",
        lambda g: collection(halves(g), crs={"type": "name", "properties": {"name": "EPSG:4527"}}),
    ),
    "a point": ("split.part_not_polygon", lambda g: collection([halves(g)[0], g.centroid])),
    "not a collection": (
        "split.not_feature_collection",
        lambda g: json.dumps(shapely.geometry.mapping(g)).encode(),
    ),
    "NaN": ("split.file_unreadable", lambda g: collection(halves(g)).replace(b"]]", b", [NaN, NaN]]]", 1)),
    "not json": ("split.file_unreadable", lambda g: b"\xff\xfe<svg onload=alert(1)>"),
    "deep nesting": ("split.file_unreadable", lambda g: b"[" * 100_000 + b"]" * 100_000),
    "bad coordinates": (
        "split.part_unreadable",
        lambda g: (
            b'{"type":"FeatureCollection","features":[{"type":"Feature","geometry":'
            b'{"type":"Polygon","coordinates":[["a","b"]]}}]}'
        ),
    ),
}


@pytest.mark.parametrize("name", list(ATTACKS))
def test_bad_parts_are_refused_and_nothing_is_written(county: Store, name: str) -> None:
    code, build = ATTACKS[name]
    data = build(parent_geometry(county, "P0000"))
    before = _counts(county)
    with pytest.raises(InputError) as exc:
        _split(county, data)
    assert exc.value.code == code, exc.value.params
    assert _counts(county) == before


def test_who_may_split_and_what(county: Store) -> None:
    data = collection(halves(parent_geometry(county, "P0000")))
    before = _counts(county)
    for actor, error in ((HM, PermissionDenied), (LEADER, PermissionDenied)):
        with pytest.raises(error):
            _split(county, data, actor=actor)  # another township's patch; a read-only role
    # The military patch: a township account does not even see it.
    military = collection(halves(parent_geometry(county, "P0002")))
    with pytest.raises(NotFound):
        _split(county, military, actor=Actor("hm01", Role.township, HONGMEI), code="P0002")
    assert _counts(county) == before
    _split(county, data, actor=ADMIN)
    with pytest.raises(Conflict) as exc:
        _split(county, data, actor=ADMIN)
    assert exc.value.code == "split.exists"
    part = collection(halves(parent_geometry(county, "P0000-1")))
    with pytest.raises(Conflict) as exc:
        _split(county, part, actor=ADMIN, code="P0000-1")
    assert exc.value.code == "split.nested"
    with pytest.raises(PermissionDenied), county.writing() as s:
        split.undo_split(s, _id(county, "P0000"), actor=HM, at=AT)


def test_no_split_after_the_township_filed(county: Store) -> None:
    _file(county, "P0001", LEGAL, actor=ADMIN)
    with pytest.raises(TransitionRefused):
        _split(county, collection(halves(parent_geometry(county, "P0001"))), actor=ADMIN, code="P0001")


def test_work_lists_leave_the_split_patch_out(county: Store, tmp_path: Path) -> None:
    """The fill-in sheet lists the parts, not the parent; a sheet row for the parent is refused;
    the review queue shows the submitted parts, not the parent that follows them."""
    import openpyxl

    from weipian.services.access import Scope
    from weipian.services.queries.review import review_queue
    from weipian.services.sheets import export_template, import_sheet

    _split(county, collection(halves(parent_geometry(county, "P0000"))))
    path = tmp_path / "填报.xlsx"
    assert export_template(county, path, rules=RULES, on=TODAY, township=HONGLAI) == 2
    ws = openpyxl.load_workbook(path).active
    codes = {ws.cell(row, 1).value for row in range(4, ws.max_row + 1)}
    assert codes == {"P0000-1", "P0000-2"}
    ws.append(["P0000", "部卫片", 2022, "350583", None, None, None, None, None, "违法"])
    ws.parent.save(path)
    with pytest.raises(InputError) as exc:
        import_sheet(county, path, actor=HL, rules=RULES, on=TODAY)
    assert [(r.id, r.code) for r in exc.value.params["rejected"]] == [("P0000", "row.split_parent")]
    _file(county, "P0000-1", illegal(300, 200))
    _file(county, "P0000-2", LEGAL)
    assert _state(county, "P0000") == "submitted"
    with county.reading() as s:
        queued = [r.patch_code for r in review_queue(s, Scope(restricted=True))]
    assert sorted(queued) == ["P0000-1", "P0000-2"]
