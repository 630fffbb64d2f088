"""Imagery service on both backends: register (COG in the files dir), list, refuse duplicates,
choose the before/after pair for a patch, and leave no file behind when the database refuses."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import text

from factories import ORIGIN, demo_tif
from weipian.errors import Conflict, InputError
from weipian.services.imagery import add_image, image_file, imagery_for, list_images
from weipian.storage.store import Store

D = dt.date


def _files(tmp_path: Path) -> list[str]:
    folder = tmp_path / "files" / "imagery"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_add_and_list(store: Store, tmp_path: Path) -> None:
    src = demo_tif(tmp_path / "南安_前时相.tif")
    info = add_image(
        store, tmp_path / "files", src, phase="before", taken_on=D(2022, 2, 15), actor_name="张三"
    )
    assert (info.phase, info.taken_on, info.name, info.crs, info.bands) == (
        "before", D(2022, 2, 15), "南安_前时相.tif", "EPSG:4527", 3,
    )  # fmt: skip
    assert len(info.sha256) == 64 and info.added_by == "张三"
    assert image_file(tmp_path / "files", info.stored_name).is_file()
    assert _files(tmp_path) == [info.stored_name] and len(info.stored_name) == 36  # uuid hex + .tif
    w, s, e, n = info.bounds
    assert 118.3 < w < e < 118.5 and 24.8 < s < n < 25.0
    after = add_image(
        store,
        tmp_path / "files",
        demo_tif(tmp_path / "a.tif", phase="after"),
        phase="after",
        taken_on=D(2022, 10, 31),
        actor_name="李四",
    )
    with store.reading() as session:
        listed = list_images(session)
    assert [(i.id, i.phase) for i in listed] == [(info.id, "before"), (after.id, "after")]


def test_same_file_same_phase_is_refused_other_phase_allowed(store: Store, tmp_path: Path) -> None:
    src = demo_tif(tmp_path / "x.tif")
    first = add_image(
        store, tmp_path / "files", src, phase="before", taken_on=D(2022, 1, 1), actor_name="张三"
    )
    copy = tmp_path / "copy.tif"
    copy.write_bytes(src.read_bytes())
    with pytest.raises(Conflict) as info:
        add_image(store, tmp_path / "files", copy, phase="before", taken_on=D(2022, 3, 1), actor_name="张三")
    assert info.value.code == "imagery.duplicate" and info.value.params["id"] == first.id
    assert "不能重复登记" in str(info.value)
    assert _files(tmp_path) == [first.stored_name]
    add_image(
        store, tmp_path / "files", src, phase="after", taken_on=D(2022, 3, 1), actor_name="张三"
    )  # same picture, other side
    assert len(_files(tmp_path)) == 2


def test_bad_phase_and_bad_file(store: Store, tmp_path: Path) -> None:
    src = demo_tif(tmp_path / "x.tif")
    with pytest.raises(InputError) as info:
        add_image(store, tmp_path / "files", src, phase="during", taken_on=D(2022, 1, 1), actor_name="张三")
    assert info.value.code == "imagery.phase"
    bad = tmp_path / "bad.tif"
    bad.write_text("oops", encoding="utf-8")
    with pytest.raises(InputError) as info:
        add_image(store, tmp_path / "files", bad, phase="before", taken_on=D(2022, 1, 1), actor_name="张三")
    assert info.value.code == "imagery.not_raster"
    assert _files(tmp_path) == []
    with store.reading() as session:
        assert list_images(session) == []


def test_failed_database_write_leaves_no_file(store: Store, tmp_path: Path) -> None:
    """A real refusal by the database (a trigger), after the COG has been written."""
    with store.engine.begin() as conn:
        if store.dialect == "sqlite":
            conn.execute(
                text(
                    "CREATE TRIGGER no_images BEFORE INSERT ON images BEGIN SELECT RAISE(ABORT, 'full'); END"
                )
            )
        else:
            conn.execute(
                text(
                    "CREATE FUNCTION no_images() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'full'; END $$ LANGUAGE plpgsql"
                )
            )
            conn.execute(
                text(
                    "CREATE TRIGGER no_images BEFORE INSERT ON images FOR EACH ROW EXECUTE FUNCTION no_images()"
                )
            )
    with pytest.raises(Exception, match="full"):
        add_image(
            store,
            tmp_path / "files",
            demo_tif(tmp_path / "x.tif"),
            phase="before",
            taken_on=D(2022, 1, 1),
            actor_name="张三",
        )
    assert _files(tmp_path) == []
    assert not list((tmp_path / "files" / "imagery").glob(".*"))  # no temporary leftovers either


def test_choice_for_a_patch(store: Store, tmp_path: Path) -> None:
    files = tmp_path / "files"
    here = demo_tif(tmp_path / "here.tif")
    far = demo_tif(tmp_path / "far.tif", (ORIGIN[0] + 20000, ORIGIN[1], ORIGIN[0] + 21000, ORIGIN[1] + 1000))
    b_old = add_image(store, files, here, phase="before", taken_on=D(2021, 6, 1), actor_name="张三")
    b_near = add_image(
        store,
        files,
        demo_tif(tmp_path / "h2.tif", pixel_m=10.0),
        phase="before",
        taken_on=D(2022, 2, 1),
        actor_name="张三",
    )
    add_image(
        store, files, far, phase="before", taken_on=D(2022, 2, 20), actor_name="张三"
    )  # closest date, but elsewhere
    a_late = add_image(
        store,
        files,
        demo_tif(tmp_path / "a1.tif", phase="after"),
        phase="after",
        taken_on=D(2022, 12, 1),
        actor_name="张三",
    )
    a_near = add_image(
        store,
        files,
        demo_tif(tmp_path / "a2.tif", phase="after", pixel_m=10.0),
        phase="after",
        taken_on=D(2022, 9, 1),
        actor_name="张三",
    )
    with store.reading() as session:
        box = (
            b_old.bounds[0] + 0.001,
            b_old.bounds[1] + 0.001,
            b_old.bounds[0] + 0.002,
            b_old.bounds[1] + 0.002,
        )
        chosen = imagery_for(session, box, before_date="20220220", after_date="20220815")
        assert (chosen["before"].id, chosen["after"].id) == (b_near.id, a_near.id)  # type: ignore[union-attr]
        chosen = imagery_for(
            session, box, before_date=None, after_date="bad-date"
        )  # no usable dates: the most recent
        assert (chosen["before"].id, chosen["after"].id) == (b_near.id, a_late.id)  # type: ignore[union-attr]
        chosen = imagery_for(session, box, before_date="20200101", after_date="20230101")
        assert (chosen["before"].id, chosen["after"].id) == (b_old.id, a_late.id)  # type: ignore[union-attr]
        assert imagery_for(session, (100.0, 10.0, 100.1, 10.1), before_date="20220101", after_date="20220901") == {
            "before": None, "after": None,
        }  # fmt: skip
