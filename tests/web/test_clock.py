"""WEIPIAN_NOW: deadlines, overdue lists and event times follow the set clock in the CLI and the
web, and every page says the clock is set."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from fastapi.testclient import TestClient
from typer.testing import CliRunner
from web_helpers import login

from weipian.cli.app import app as cli
from weipian.domain import clock
from weipian.storage.store import Store
from weipian.web.app import create_app
from weipian.web.settings import WebSettings

runner = CliRunner()
# small_county issues its batch on 2022-11-01: the 15-day deadline is 2022-11-16.
BEFORE_DUE, AFTER_DUE = "2022-11-10T09:00", "2022-12-01T08:30"


def _cli(store: Store, now: str | None, *args: str) -> dict[str, Any]:
    env = {"WEIPIAN_DATABASE_URL": store.url, **({"WEIPIAN_NOW": now} if now else {})}
    result = runner.invoke(cli, [*args, "--json"], env=env)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def _web(store: Store, now: str | None, tmp: Any) -> TestClient:
    settings = WebSettings(
        database_url=store.url, secret_key="test-secret-key-" + "x" * 32, files_dir=tmp / "files",
        now=dt.datetime.fromisoformat(now) if now else None,
    )  # fmt: skip
    return TestClient(create_app(settings), follow_redirects=False)


def test_overdue_follows_the_set_clock_in_cli_and_web(county: Store, tmp_path: Any) -> None:
    for now, overdue in ((BEFORE_DUE, False), (AFTER_DUE, True)):
        rows = _cli(county, now, "lists", "show", "overdue")["rows"]
        assert ("P0000" in {r["JCBH"] for r in rows}) is overdue
        with _web(county, now, tmp_path) as client:
            login(client, "admin")
            page = client.get("/patches", params={"overdue": "1"}).text
            assert ("P0000" in page) is overdue
            banner = f"演示/培训时钟：当前时间设为 {now.replace('T', ' ')}"
            assert banner in page and banner in client.get("/").text


def test_no_banner_on_the_real_clock(client: TestClient) -> None:
    login(client, "admin")
    assert "演示/培训时钟" not in client.get("/").text
    assert clock.fixed_now() is None


def test_event_times_and_days_left_follow_the_set_clock(county: Store) -> None:
    _cli(county, "2022-11-12T10:30", "determine", "P0000", "--verdict", "伪变化", "--opinion", "无变化",
         "--as", "admin")  # fmt: skip
    history = _cli(county, "2022-11-14T08:00", "history", "P0000")
    saved = dt.datetime.fromisoformat(history["events"][-1]["at"])
    assert clock.as_beijing(saved.replace(tzinfo=saved.tzinfo or dt.UTC)) == dt.datetime(
        2022, 11, 12, 10, 30, tzinfo=clock.BEIJING
    )
    assert history["days_left"] == 2  # due 2022-11-16, today 2022-11-14 (Beijing)


def test_a_bad_clock_setting_is_refused_in_chinese(county: Store) -> None:
    result = runner.invoke(cli, ["lists", "show", "overdue", "--json"],
                           env={"WEIPIAN_DATABASE_URL": county.url, "WEIPIAN_NOW": "下周一"})  # fmt: skip
    assert result.exit_code == 1
    assert "WEIPIAN_NOW" in result.output and "2026-12-03T09:00" in result.output
