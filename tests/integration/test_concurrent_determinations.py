"""Optimistic concurrency on determinations (issue 11 item 10), on both backends: every save and
submit names the version it was based on; a stale one is refused and writes nothing."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from factories import HONGLAI, small_county
from weipian.cli.app import app
from weipian.domain.roles import Actor, Role
from weipian.errors import Conflict
from weipian.messages import message
from weipian.rules import Determination, load_rules
from weipian.services import workflow
from weipian.services.admin import init_store
from weipian.storage.store import Store
from weipian.storage.tables import determinations, events
from weipian.storage.users import insert_user
from weipian.storage.workflow import current_determination, find_patch

RULES = load_rules()
TODAY = dt.date(2022, 11, 20)
WANG = Actor("wang", Role.township, HONGLAI)
LI = Actor("li", Role.township, HONGLAI)


def illegal(area: float, opinion: str = "未批先建") -> Determination:
    return Determination(
        verdict="违法", opinion=opinion, violation_type="违法占地", illegal_area_m2=area,
        farmland_area_m2=area, basic_farmland_area_m2=0.0, is_new=True,
    )  # fmt: skip


@pytest.fixture
def county(store: Store, tmp_path: Path) -> Store:
    small_county(store, tmp_path)
    with store.writing() as s:
        for name, shown in (("wang", "王核查"), ("li", "李核查")):
            insert_user(
                s, username=name, display_name=shown, password_hash="x", role=Role.township.value,
                township_code=HONGLAI, department=None, at=dt.datetime.now(dt.UTC),
            )  # fmt: skip
    return store


def _counts(store: Store, patch_id: int) -> tuple[int, int]:
    with store.reading() as s:
        dets = s.scalar(
            select(func.count()).select_from(determinations).where(determinations.c.patch_id == patch_id)
        )
        evs = s.scalar(select(func.count()).select_from(events).where(events.c.patch_id == patch_id))
    return int(dets or 0), int(evs or 0)


def _save(store: Store, who: Actor, det: Determination, based_on: int | None) -> int:
    with store.writing() as s:
        patch = find_patch(s, "P0000")
        return workflow.save_determination(s, patch, det, actor=who, rules=RULES, on=TODAY, based_on=based_on)


def test_two_users_save_at_once_the_later_is_refused(county: Store) -> None:
    # Both opened the empty form (version 0); 王 saves first.
    assert _save(county, WANG, illegal(500.25), based_on=0) == 1
    pid = find_patch_id(county)
    before = _counts(county, pid)
    with pytest.raises(Conflict) as caught:
        _save(county, LI, illegal(480.0, "李的意见"), based_on=0)
    exc = caught.value
    assert exc.code == "determination.stale"
    assert exc.params["by"] == "王核查" and exc.params["version"] == 1
    text = message(exc.code, **exc.params)
    assert "已被王核查于" in text and "请刷新后再提交" in text
    assert _counts(county, pid) == before  # nothing written
    with county.reading() as s:
        assert current_determination(s, pid).data["illegal_area_m2"] == 500.25  # 王's stays
    # Based on what is there now, 李 may save.
    assert _save(county, LI, illegal(480.0, "李的意见"), based_on=1) == 2


def find_patch_id(store: Store) -> int:
    with store.reading() as s:
        return int(find_patch(s, "P0000").id)


def test_submit_of_a_version_never_seen_is_refused(county: Store) -> None:
    _save(county, WANG, illegal(500.0), based_on=0)
    _save(county, LI, illegal(300.0), based_on=1)  # 李 changes it after 王 looked at version 1
    pid = find_patch_id(county)
    with pytest.raises(Conflict) as caught, county.writing() as s:
        workflow.submit(s, find_patch(s, "P0000"), actor=WANG, version=1)
    assert caught.value.params["by"] == "李核查" and caught.value.params["version"] == 2
    with county.reading() as s:
        assert find_patch(s, "P0000").state == "verifying"
    with county.writing() as s:
        workflow.submit(s, find_patch(s, "P0000"), actor=WANG, version=2)
    assert _counts(county, pid) == (2, 3)


def test_unchanged_draft_adds_no_version(county: Store) -> None:
    assert _save(county, WANG, illegal(500.0), based_on=0) == 1
    pid = find_patch_id(county)
    assert _save(county, WANG, illegal(500.0), based_on=1) == 1
    assert _counts(county, pid) == (1, 1)
    assert _save(county, WANG, illegal(500.5), based_on=1) == 2
    assert _counts(county, pid) == (2, 2)


runner = CliRunner()


def _cli(args: list[str], env: dict[str, str]) -> tuple[int, dict[str, Any]]:
    result = runner.invoke(app, [*args, "--json"], env=env)
    return result.exit_code, json.loads(result.stdout.strip().splitlines()[-1])


def test_cli_determine_with_a_stale_version_exits_1(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    url = f"sqlite:///{tmp_path / 'w.db'}"
    store = Store(url)
    try:
        init_store(store)
        small_county(store, tmp_path)
    finally:
        store.dispose()
    env = {"WEIPIAN_DATABASE_URL": url}
    code, _ = _cli(["users", "add", "admin", "--role", "bureau_admin", "--password", "long-enough-1"], env)
    assert code == 0
    args = ["determine", "P0000", "--as", "admin", "--verdict", "违法", "--violation-type", "违法占地", "--illegal-area", "500.5",
            "--farmland-area", "500.5", "--basic-farmland-area", "0", "--new", "--opinion", "未批先建"]  # fmt: skip
    code, out = _cli([*args, "--based-on", "0"], env)
    assert code == 0 and out["version"] == 1
    code, out = _cli([*args, "--illegal-area", "400", "--based-on", "0"], env)
    assert code == 1 and out["error"]["code"] == "determination.stale"
    assert "请刷新后再提交" in out["error"]["message"]
    code, out = _cli(["submit", "P0000", "--as", "admin", "--based-on", "0", "--confirm-gaps"], env)
    assert code == 1 and out["error"]["code"] == "determination.stale"
    code, out = _cli(["submit", "P0000", "--as", "admin", "--based-on", "1", "--confirm-gaps"], env)
    assert code == 0 and out["patches"][0]["state"] == "submitted"
