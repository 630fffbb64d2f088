"""The event log attacked (issue 11, item 8): ``INSERT OR REPLACE`` / ``REPLACE`` cannot rewrite
events or determinations on SQLite, and an event changed or removed behind the triggers' back is
named by ``weipian verify-log`` (the hash chain), on SQLite and PostGIS."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner

from factories import small_county
from weipian.cli.app import app
from weipian.domain.roles import Actor, Role
from weipian.rules import Determination, load_rules
from weipian.services import workflow
from weipian.storage.store import Store
from weipian.storage.workflow import find_patch, verify_chain

runner = CliRunner()
ADMIN = Actor("admin", Role.bureau_admin)


@pytest.fixture
def logged(store: Store, tmp_path: Path) -> Store:
    small_county(store, tmp_path)
    with store.writing() as session:
        for code in ("P0000", "P0001", "P0002"):
            workflow.record_field_check(session, find_patch(session, code), note=f"核查{code}", actor=ADMIN)
    return store


def _verify(store: Store) -> tuple[int, dict]:  # type: ignore[type-arg]
    result = runner.invoke(app, ["verify-log", "--json"], env={"WEIPIAN_DATABASE_URL": store.url})
    return result.exit_code, json.loads(result.stdout.strip().splitlines()[-1])


def _tamper(store: Store, sql: str) -> None:
    """Change the log as someone with database access would: lift the trigger, write, restore."""
    with store.engine.begin() as conn:
        if store.engine.dialect.name == "sqlite":
            conn.execute(text("DROP TRIGGER events_no_update"))
            conn.execute(text("DROP TRIGGER events_no_delete"))
            conn.execute(text(sql))
            conn.execute(
                text(
                    "CREATE TRIGGER events_no_update BEFORE UPDATE ON events BEGIN SELECT RAISE(ABORT, 'x'); END"
                )
            )
            conn.execute(
                text(
                    "CREATE TRIGGER events_no_delete BEFORE DELETE ON events BEGIN SELECT RAISE(ABORT, 'x'); END"
                )
            )
        else:
            conn.execute(text("ALTER TABLE events DISABLE TRIGGER events_append_only"))
            conn.execute(text(sql))
            conn.execute(text("ALTER TABLE events ENABLE TRIGGER events_append_only"))


def test_an_intact_log_verifies(logged: Store) -> None:
    code, out = _verify(logged)
    assert code == 0 and out == {"ok": True, "events": 3}


def test_a_changed_event_is_named(logged: Store) -> None:
    _tamper(logged, "UPDATE events SET actor = 'someone' WHERE id = 2")
    code, out = _verify(logged)
    assert (
        code == 1 and out["error"]["code"] == "log.broken_hash" and "第 2 号记录" in out["error"]["message"]
    )


def test_a_removed_event_is_named(logged: Store) -> None:
    _tamper(logged, "DELETE FROM events WHERE id = 2")
    with logged.reading() as session:
        _checked, broken = verify_chain(session)
    assert broken is not None and (broken.id, broken.reason) == (3, "link")


def test_insert_or_replace_cannot_rewrite_history(logged: Store) -> None:
    """SQLite's REPLACE (and PostgreSQL's ON CONFLICT DO UPDATE) meet a trigger and write nothing."""
    sqlite = logged.engine.dialect.name == "sqlite"
    columns = "id, patch_id, action, actor, role, at, state_before, state_after, payload, prev_hash, hash"
    forged = columns.replace("actor", "'forger'")
    sql = (
        f"INSERT OR REPLACE INTO events ({columns}) SELECT {forged} FROM events WHERE id = 1"
        if sqlite
        else f"INSERT INTO events ({columns}) SELECT {forged} FROM events WHERE id = 1 "
        "ON CONFLICT (id) DO UPDATE SET actor = 'forger'"
    )
    with logged.engine.connect() as conn, pytest.raises(DBAPIError):
        conn.execute(text(sql))
    with logged.writing() as session:
        det = Determination(verdict="伪变化", opinion="实地无变化")
        patch = find_patch(session, "P0000")
        workflow.save_determination(
            session, patch, det, actor=ADMIN, rules=load_rules(), on=dt.date(2022, 11, 20)
        )
    dcols = "id, patch_id, version, event_id, verdict, violation_type, farmland_housing, data, created_at"
    sql = (
        f"REPLACE INTO determinations ({dcols}) SELECT {dcols.replace('verdict', chr(39) + '合法' + chr(39))} FROM determinations"
        if sqlite
        else f"INSERT INTO determinations ({dcols}) SELECT {dcols} FROM determinations "
        "ON CONFLICT (id) DO UPDATE SET verdict = '合法'"
    )
    with logged.engine.connect() as conn, pytest.raises(DBAPIError):
        conn.execute(text(sql))
    with logged.reading() as session:
        assert session.execute(text("SELECT verdict FROM determinations")).scalar() == "伪变化"
        assert session.execute(text("SELECT actor FROM events WHERE id = 1")).scalar() == "admin"
    assert _verify(logged)[0] == 0


def test_the_migration_backfills_hashes_of_existing_events(logged: Store) -> None:
    from alembic import command

    from weipian.storage.migrate import _config, upgrade

    command.downgrade(_config(logged.engine), "2026_11_30_add_web_indexes")  # events without hashes
    upgrade(logged.engine)
    with logged.reading() as session:
        assert verify_chain(session) == (3, None)
        assert session.execute(text("SELECT count(*) FROM events WHERE hash = ''")).scalar() == 0
    _tamper(logged, "UPDATE events SET payload = '{}' WHERE id = 3")
    with logged.reading() as session:
        assert verify_chain(session)[1] is not None
