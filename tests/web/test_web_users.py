"""Accounts: the service's checks, argon2id hashes, ``weipian users`` and ``weipian serve``."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from weipian.cli.serve import serve_command
from weipian.cli.users import app as users_app
from weipian.domain.roles import Actor, Role
from weipian.domain.workflow import Action
from weipian.errors import Conflict, InputError, NotFound
from weipian.services.users import add_user, authenticate, list_accounts, set_active, set_password
from weipian.storage.store import Store
from weipian.storage.users import user_by_name
from weipian.web.app import create_app
from weipian.web.settings import WebSettings, key_file, secret_key

runner = CliRunner()


def _cli() -> typer.Typer:
    """The two commands as ``weipian`` wires them (cli/app.py adds the same lines)."""
    root = typer.Typer()
    root.add_typer(users_app, name="users")
    root.command("serve")(serve_command)
    return root


def test_add_and_authenticate(store: Store) -> None:
    with store.writing() as session:
        a = add_user(
            session, username="wang", role=Role.township, password="s3cret-pass-1", township="350583113"
        )
    assert (a.role, a.township_code, a.display_name, a.active) == (Role.township, "350583113", "wang", True)
    # What the workflow services take: the township's own unit, covering that township.
    assert a.actor == Actor("wang", Role.township, unit="350583113", covers=frozenset({"350583113"}))
    assert a.actor.may(Action.determination_submit, "350583113")
    assert not a.actor.may(Action.determination_submit, "350583114")
    with store.reading() as session:
        assert user_by_name(session, "wang").password_hash.startswith("$argon2id$")
    assert authenticate(store, "wang", "s3cret-pass-1") == a
    assert authenticate(store, "wang", "wrong-pass") is None
    assert authenticate(store, "nobody", "s3cret-pass-1") is None
    with store.writing() as session:
        set_password(session, "wang", "another-pass-1")
        set_active(session, "wang", False)
    assert authenticate(store, "wang", "another-pass-1") is None
    with store.writing() as session:
        set_active(session, "wang", True)
    assert authenticate(store, "wang", "another-pass-1") is not None


@pytest.mark.parametrize(
    ("kwargs", "error", "code"),
    [
        ({"username": "li", "role": Role.township}, InputError, "user.township_needed"),
        (
            {"username": "li", "role": Role.township, "township": "999999999"},
            InputError,
            "user.township_unknown",
        ),
        ({"username": "li", "role": Role.leader, "township": "350583113"}, InputError, "user.township_only"),
        ({"username": "li", "role": Role.leader, "password": "short"}, InputError, "user.password_short"),
        ({"username": "li si", "role": Role.leader}, InputError, "user.name_invalid"),
        ({"username": "taken", "role": Role.leader}, Conflict, "user.exists"),
    ],
)
def test_add_refusals(store: Store, kwargs: dict[str, Any], error: type[Exception], code: str) -> None:
    with store.writing() as session:
        add_user(session, username="taken", role=Role.bureau_admin, password="long-enough-1")
    with pytest.raises(error) as info, store.writing() as session:
        add_user(session, **{"password": "long-enough-1", **kwargs})
    assert info.value.code == code  # type: ignore[attr-defined]
    with store.reading() as session:
        assert [a.username for a in list_accounts(session)] == ["taken"]


def test_password_of_unknown_user(store: Store) -> None:
    with pytest.raises(NotFound), store.writing() as session:
        set_password(session, "ghost", "long-enough-1")


@pytest.fixture
def env(store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    monkeypatch.chdir(tmp_path)  # no stray .env
    return {"WEIPIAN_DATABASE_URL": store.url}


def _json(args: list[str], env: dict[str, str], stdin: str | None = None) -> tuple[int, dict[str, Any]]:
    result = runner.invoke(_cli(), args, env=env, input=stdin)
    lines = [ln for ln in result.stdout.splitlines() if ln.strip()]
    assert len(lines) == 1, result.output
    return result.exit_code, json.loads(lines[0])


def test_users_cli(env: dict[str, str]) -> None:
    code, out = _json(
        ["users", "add", "zhang", "--role", "bureau_reviewer", "--password", "pw-1234567890", "--json"], env
    )
    assert code == 0 and out["user"]["role"] == "bureau_reviewer" and "password" not in json.dumps(out)
    # Without --password and without a terminal the password is one line of standard input.
    code, out = _json(
        [
            "users",
            "add",
            "chen",
            "--role",
            "township",
            "--township",
            "350583113",
            "--display-name",
            "陈某",
            "--json",
        ],
        env,
        stdin="pw-abcdefghij\n",
    )
    assert code == 0 and out["user"]["township"] == "350583113" and out["user"]["display_name"] == "陈某"
    code, out = _json(
        ["users", "add", "zhang", "--role", "leader", "--password", "pw-1234567890", "--json"], env
    )
    assert code == 1 and out["error"]["code"] == "user.exists" and out["error"]["message"]
    code, out = _json(
        ["users", "add", "x", "--role", "township", "--password", "pw-1234567890", "--json"], env
    )
    assert code == 1 and out["error"]["code"] == "user.township_needed"
    assert runner.invoke(_cli(), ["users", "add", "y", "--role", "boss"], env=env).exit_code == 2
    code, out = _json(["users", "disable", "chen", "--json"], env)
    assert code == 0 and out == {"username": "chen", "active": False}
    code, out = _json(["users", "passwd", "zhang", "--password", "pw-0987654321", "--json"], env)
    assert code == 0
    code, out = _json(["users", "list", "--json"], env)
    assert [(u["username"], u["active"]) for u in out["users"]] == [("zhang", True), ("chen", False)]
    text = runner.invoke(_cli(), ["users", "list"], env=env)
    assert text.exit_code == 0 and "市局审核员" in text.stdout


def test_serve_starts_uvicorn_with_the_factory(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[Any, ...]] = []
    import uvicorn

    monkeypatch.setattr(uvicorn, "run", lambda *a, **kw: calls.append((a, kw)))
    result = runner.invoke(_cli(), ["serve", "--port", "8123"], env=env)
    assert result.exit_code == 0, result.output
    (args, kwargs) = calls[0]
    assert args == ("weipian.web.app:create_app",) and kwargs["factory"] is True and kwargs["port"] == 8123
    empty = {"WEIPIAN_DATABASE_URL": f"sqlite:///{Path.cwd() / 'empty.db'}"}
    assert runner.invoke(_cli(), ["serve"], env=empty).exit_code == 1  # not initialised


def test_secret_key_file_is_made_once(store: Store, tmp_path: Path) -> None:
    settings = WebSettings(database_url=f"sqlite:///{tmp_path / 'a.db'}")
    assert key_file(settings) == tmp_path / "a.db.key"
    first = secret_key(settings)
    assert len(first) >= 40 and secret_key(settings) == first
    assert stat.S_IMODE(os.stat(tmp_path / "a.db.key").st_mode) == 0o600
    given = "given-" + "g" * 40
    assert secret_key(WebSettings(database_url=settings.database_url, secret_key=given)) == given
    app = create_app(WebSettings(database_url=store.url, secret_key_file=tmp_path / "k"))
    assert app.state.store.url == store.url and (tmp_path / "k").exists()
    app.state.store.dispose()
