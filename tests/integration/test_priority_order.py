"""Issue 10 item 22: priority patches (重点关注: 可以长期稳定利用耕地, 江河沿岸, 战略性矿种) come
first in the patch list and the special lists, then the running deadline, then JCBH; the same on
SQLite and PostGIS, page after page. ``patches.priority`` is written by the judge and backfilled
by its migration for patches judged before."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import select
from sqlalchemy.orm import Session

from factories import HONGLAI, REGION, gk_square, patch_rows, write_vector
from weipian.domain.layers import LayerKind
from weipian.domain.roles import Actor, Role
from weipian.domain.sources import Source
from weipian.rules import Determination, is_priority, load_rules
from weipian.services import workflow
from weipian.services.access import Scope
from weipian.services.analyze import analyze
from weipian.services.deadlines import effective_due, return_deadlines
from weipian.services.intake import IntakeOptions, import_package
from weipian.services.judge import judge_patches
from weipian.services.layers import import_layer
from weipian.services.lists import special_list
from weipian.services.queries import patches as patch_list
from weipian.services.queries.patches import PatchFilter, export_ids, list_patches
from weipian.storage.migrate import _config, upgrade
from weipian.storage.store import Store
from weipian.storage.tables import patches, suggestions
from weipian.storage.workflow import find_patch

RULES = load_rules()
ON = dt.date(2022, 11, 20)
RETURNED_ON = dt.date(2022, 11, 3)  # batch A's own deadline is 2022-11-16, the 补正 one earlier
TODAY = dt.date(2023, 1, 15)  # every open patch is overdue
STEP = 150.0


def _county(store: Store, tmp: Path) -> None:
    """Batch A (issued 2022-11-01, 6 patches) and batch B (issued 2022-10-01, an earlier deadline,
    4 patches); the riverside buffer (江河沿岸) covers A0004 and B0002; A0001 is returned by the
    county, so its correction deadline runs instead of its own."""
    town = write_vector(
        tmp / "t.gpkg", [{"XZQDM": HONGLAI, "XZQMC": "洪濑镇"}], [gk_square(-500, -500, 3000)]
    )
    import_layer(store, town, LayerKind.townships, region=REGION)
    land = write_vector(tmp / "l.gpkg", [{"DLBM": "0101"}], [gk_square(-500, -500, 3000)])
    import_layer(store, land, LayerKind.landuse, region=REGION)
    river = write_vector(
        tmp / "r.gpkg", [{"MC": "东溪缓冲区"}, {"MC": "西溪缓冲区"}],
        [gk_square(4 * STEP - 10, -10, 120), gk_square(8 * STEP - 10, -10, 120)],
    )  # fmt: skip
    import_layer(store, river, LayerKind.riverside, region=REGION)
    mil = write_vector(tmp / "m.gpkg", [{"NAME": "某部"}], [gk_square(-400, -400, 100)])  # apart: exportable
    import_layer(store, mil, LayerKind.military, region=REGION)
    for prefix, n, first, issued in (("A", 6, 0, dt.date(2022, 11, 1)), ("B", 4, 6, dt.date(2022, 10, 1))):
        squares = [gk_square((first + i) * STEP) for i in range(n)]
        pkg = write_vector(tmp / f"{prefix}.gpkg", patch_rows(n, prefix), squares)
        options = IntakeOptions(source=Source.ministry, batch=prefix, issued=issued, region=REGION)
        import_package(store, pkg, options)
    analyze(store, workers=1)
    judge_patches(store, RULES, on=ON)
    town_staff, bureau = Actor("t", Role.township, HONGLAI), Actor("b", Role.bureau_admin)
    reason = next(r.code for r in RULES.review_reasons(ON) if r.outcome == "return")
    with store.writing() as s:
        patch = find_patch(s, "A0001")
        det = Determination("伪变化", opinion="影像阴影，实地无变化")
        workflow.save_determination(s, patch, det, actor=town_staff, rules=RULES, on=RETURNED_ON)
        workflow.submit(s, find_patch(s, "A0001"), actor=town_staff)
        workflow.review(
            s,
            find_patch(s, "A0001"),
            passed=False,
            reasons=[reason],
            actor=bureau,
            rules=RULES,
            on=RETURNED_ON,
        )


def _expected(store: Store) -> list[str]:
    """The order worked out in Python from the suggestions' flags and the running deadline."""
    with store.reading() as s:
        rows = s.execute(
            select(patches.c.id, patches.c.patch_code, patches.c.state, patches.c.due_on, suggestions.c.flags)
            .outerjoin(suggestions, suggestions.c.patch_id == patches.c.id)
        ).all()  # fmt: skip
        returns = return_deadlines(s)
    rows.sort(key=lambda r: (not is_priority(r.flags), effective_due(r, returns), r.patch_code, r.id))
    return [r.patch_code for r in rows]


@pytest.fixture
def county(store: Store, tmp_path: Path) -> Store:
    _county(store, tmp_path)
    return store


def test_priority_first_then_running_deadline_page_after_page(
    county: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = _expected(county)
    # the riverside patches first (B0002's deadline is earlier), then batch B, then A0001 whose
    # correction deadline (returned on 2022-11-03) runs before batch A's own deadline
    assert expected == [
        "B0002",
        "A0004",
        "B0000",
        "B0001",
        "B0003",
        "A0001",
        "A0000",
        "A0002",
        "A0003",
        "A0005",
    ]
    monkeypatch.setattr(patch_list, "PAGE_SIZE", 3)
    scope = Scope(restricted=True)
    with county.reading() as s:
        first = list_patches(s, PatchFilter(), scope=scope, today=TODAY)
        assert (first.total, first.pages) == (10, 4)
        walked = [
            r.patch_code
            for p in range(1, 5)
            for r in list_patches(s, PatchFilter(page=p), scope=scope, today=TODAY).rows
        ]
        assert walked == expected
        assert [r.priority_labels for r in first.rows[:3]] == [("江河沿岸",), ("江河沿岸",), ()]
        # no returned patch among batch B: the pages come straight off the indexes, in the same order
        only_b = [
            r.patch_code
            for p in (1, 2)
            for r in list_patches(s, PatchFilter(q="B", page=p), scope=scope, today=TODAY).rows
        ]
        assert only_b == [c for c in expected if c.startswith("B")]
        # filters keep the order; the export too
        overdue = [
            r.patch_code
            for p in range(1, 5)
            for r in list_patches(s, PatchFilter(overdue=True, page=p), scope=scope, today=TODAY).rows
        ]
        assert overdue == expected  # every patch is open and late
        assert _codes(s, export_ids(s, PatchFilter(), scope=scope, today=TODAY)) == expected
        batch_a = _codes(s, export_ids(s, PatchFilter(q="A"), scope=scope, today=TODAY))
        assert batch_a == [c for c in expected if c.startswith("A")]


def test_special_lists_sort_the_same_way(county: Store) -> None:
    expected = _expected(county)
    with county.reading() as s:
        late = special_list(s, "overdue", on=TODAY)
        back = special_list(s, "returned", on=TODAY)
    assert [r.patch_code for r in late] == expected
    assert [r.priority for r in late[:2]] == [("江河沿岸",), ("江河沿岸",)] and late[2].priority == ()
    assert [r.patch_code for r in back] == ["A0001"]


def test_the_judge_writes_the_priority_and_rejudging_clears_it(county: Store, tmp_path: Path) -> None:
    def marked() -> set[str]:
        with county.reading() as s:
            return set(s.scalars(select(patches.c.patch_code).where(patches.c.priority.is_(True))))

    assert marked() == {"A0004", "B0002"}
    # a newer riverside layer no longer touches B0002: judged again, it is no longer a priority
    river = write_vector(tmp_path / "r2.gpkg", [{"MC": "东溪缓冲区"}], [gk_square(4 * STEP - 10, -10, 120)])
    import_layer(county, river, LayerKind.riverside, region=REGION)
    analyze(county, workers=1)
    judge_patches(county, RULES, on=ON)
    assert marked() == {"A0004"}
    assert _expected(county)[:2] == ["A0004", "B0000"]


def test_upgrade_backfills_the_priority_of_patches_judged_before(county: Store) -> None:
    script = ScriptDirectory.from_config(_config())
    revision = script.get_revision("2026_12_03_priority_sort")
    assert revision is not None
    before = revision.down_revision
    assert isinstance(before, str)
    command.downgrade(_config(county.engine), before)  # the column is gone, the suggestions stay
    county.engine.dispose()
    upgrade(county.engine)
    with county.reading() as s:
        got = {r.patch_code: r.priority for r in s.execute(select(patches.c.patch_code, patches.c.priority))}
    assert {code for code, p in got.items() if p} == {"A0004", "B0002"} and len(got) == 10
    with county.reading() as s:
        assert _codes(
            s, export_ids(s, PatchFilter(), scope=Scope(restricted=True), today=TODAY)
        ) == _expected(county)


def _codes(s: Session, ids: list[int]) -> list[str]:
    """JCBH of ``ids``, in their order (the export reads its columns by id, in list order)."""
    code = dict(s.execute(select(patches.c.id, patches.c.patch_code).where(patches.c.id.in_(ids))).all())
    return [code[i] for i in ids]


def test_every_priority_flag_has_a_badge() -> None:
    from weipian.messages.labels import PRIORITY_LABELS
    from weipian.rules import PRIORITY_FLAGS

    assert set(PRIORITY_LABELS) == set(PRIORITY_FLAGS)
