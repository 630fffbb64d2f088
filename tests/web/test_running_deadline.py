"""Regression: a patch the county returned and the township then saved as a draft (state back to
核查中) runs on its correction deadline (the rules' 补正期限 from the day of the return), not its
first 15-day one — identically in ``weipian lists show overdue``, ``weipian due``, the web list,
the dashboard and the patch's history."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

from fastapi.testclient import TestClient
from typer.testing import CliRunner
from web_helpers import HONGLAI, login

from weipian.cli.app import app as cli
from weipian.rules import load_rules
from weipian.storage.store import Store
from weipian.web.app import create_app
from weipian.web.settings import WebSettings

runner = CliRunner()
TOWNSHIP = ["--as", "honglai"]
DRAFT = ["--verdict", "伪变化", "--opinion", "实地无变化"]


def _cli(store: Store, now: str, *args: str) -> dict[str, Any]:
    env = {"WEIPIAN_DATABASE_URL": store.url, "WEIPIAN_NOW": now}
    result = runner.invoke(cli, [*args, "--json"], env=env)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def _web_overdue(store: Store, now: str, tmp: Any) -> tuple[set[str], int]:
    """JCBH on the web list filtered to 逾期, and the dashboard's 逾期 figure."""
    settings = WebSettings(
        database_url=store.url, secret_key="test-secret-key-" + "x" * 32, files_dir=tmp / "files",
        now=dt.datetime.fromisoformat(now),
    )  # fmt: skip
    with TestClient(create_app(settings), follow_redirects=False) as client:
        login(client, "admin")
        listed = set(re.findall(r"P000\d", client.get("/patches", params={"overdue": "1"}).text))
        card = re.search(r'href="/patches\?overdue=1"><b>(\d+)</b>', client.get("/").text)
        assert card is not None
    return listed, int(card.group(1))


def test_returned_then_draft_runs_on_the_correction_deadline(county: Store, tmp_path: Any) -> None:
    # Issued 2022-11-01: the first deadline is 2022-11-16.
    _cli(county, "2022-11-10T10:00", "determine", "P0000", *DRAFT, "--submit", "--confirm-gaps", *TOWNSHIP)
    _cli(county, "2022-11-15T10:00", "review", "P0000", "--return", "--reason", "return.need_field_photos",
         "--as", "reviewer")  # fmt: skip
    corrected = [
        "--verdict",
        "伪变化",
        "--opinion",
        "实地无变化，已补拍照片",
    ]  # a changed draft (an unchanged one saves nothing)
    _cli(county, "2022-11-16T10:00", "determine", "P0000", *corrected, *TOWNSHIP)  # a draft: back to 核查中
    days = load_rules().whole("county_correction_days", dt.date(2022, 11, 15))
    due = dt.date(2022, 11, 15) + dt.timedelta(days=days)
    assert due > dt.date(2022, 11, 17)  # else the two deadlines cannot be told apart below
    # P0001 and P0002 (untouched) are due 2022-11-16.
    for day, p0000_overdue in (
        (dt.date(2022, 11, 17), False),  # past the first deadline, within the correction one
        (due, False),  # the last day of the correction deadline
        (due + dt.timedelta(days=1), True),
    ):
        now = f"{day.isoformat()}T09:00"
        cli_rows = {r["JCBH"]: r for r in _cli(county, now, "lists", "show", "overdue")["rows"]}
        web_rows, dashboard = _web_overdue(county, now, tmp_path)
        # P0002 (military land, seen by 市局 roles) is untouched too, like P0001.
        expected = {c for c, late in (("P0000", p0000_overdue), ("P0001", True), ("P0002", True)) if late}
        assert set(cli_rows) == expected, now
        assert web_rows == set(cli_rows), now
        assert dashboard == len(expected), now
        reminders = [
            i
            for u in _cli(county, now, "due", "--unit", HONGLAI)["units"]
            for i in u["overdue"] + u["due_soon"]
        ]
        p0000 = [i for i in reminders if i["JCBH"] == "P0000" and i["kind"] == "verification"]
        assert [(i["due_on"], i["overdue"]) for i in p0000] == [(due.isoformat(), p0000_overdue)], now
        history = _cli(county, now, "history", "P0000")
        assert history["running_due_on"] == due.isoformat() and history["state"] == "verifying"
        assert (history["days_left"] < 0) is p0000_overdue
        if p0000_overdue:
            assert cli_rows["P0000"]["due_on"] == due.isoformat() and cli_rows["P0000"]["days_overdue"] == 1
