"""The CLI acts as a named account, never as anyone it claims to be (issue 11, item 15), and the
web app refuses to start with a short secret key."""

from __future__ import annotations

import getpass
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from factories import HONGLAI, small_county
from weipian.cli.app import app
from weipian.domain.roles import Role
from weipian.errors import InputError
from weipian.services.admin import init_store
from weipian.services.users import add_user, set_active
from weipian.storage.store import Store

runner = CliRunner()


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    monkeypatch.chdir(tmp_path)
    url = f"sqlite:///{tmp_path / 'a.db'}"
    store = Store(url)
    init_store(store)
    small_county(store, tmp_path)
    with store.writing() as session:
        for name, role, town in (
            ("admin", Role.bureau_admin, None),
            ("leader", Role.leader, None),
            ("honglai", Role.township, HONGLAI),
            ("gone", Role.bureau_admin, None),
        ):
            add_user(session, username=name, role=role, password="long-enough-1", township=town)
        set_active(session, "gone", False)
    store.dispose()
    yield {"WEIPIAN_DATABASE_URL": url}


def _run(args: list[str], env: dict[str, str]) -> tuple[int, dict]:  # type: ignore[type-arg]
    result = runner.invoke(app, [*args, "--json"], env=env)
    lines = [ln for ln in result.stdout.splitlines() if ln.strip()]
    return result.exit_code, (json.loads(lines[-1]) if lines else {})


FIELD = ["field-check", "P0001", "--note", "现场已核查"]  # P0001 lies in 洪梅镇


@pytest.mark.parametrize(
    ("who", "code"),
    [("nobody", "user.not_found"), ("gone", "user.not_found"), ("leader", "permission.denied"),
     ("honglai", "permission.denied"), ("", "cli.as_required")],
)  # fmt: skip
def test_workflow_commands_refuse_accounts_that_may_not_act(env: dict[str, str], who: str, code: str) -> None:
    status, out = _run([*FIELD, "--as", who], env)
    assert status == 1 and out["error"]["code"] == code
    status, out = _run(["history", "P0001"], env)
    assert out["events"] == []


def test_the_old_by_and_role_options_are_gone(env: dict[str, str]) -> None:
    result = runner.invoke(app, [*FIELD, "--by", "王某", "--role", "bureau_admin"], env=env)
    assert result.exit_code == 2


def test_an_allowed_account_acts_and_the_os_user_is_recorded(env: dict[str, str]) -> None:
    status, _ = _run([*FIELD, "--as", "admin"], env)
    assert status == 0
    event = _run(["history", "P0001"], env)[1]["events"][0]
    assert event["actor"] == "admin" and event["role"] == "bureau_admin"
    assert event["payload"]["via"] == f"cli:{getpass.getuser()}"


def test_a_short_secret_key_refuses_to_start(env: dict[str, str], tmp_path: Path) -> None:
    result = runner.invoke(app, ["serve"], env={**env, "WEIPIAN_SECRET_KEY": "x"})
    assert result.exit_code == 1 and "至少需要 32" in result.output.replace("\n", "")
    from weipian.web.app import create_app
    from weipian.web.settings import WebSettings

    with pytest.raises(InputError) as refused:
        create_app(WebSettings(database_url=env["WEIPIAN_DATABASE_URL"], secret_key="k" * 31))
    assert refused.value.code == "secret.too_short"
    key_file = tmp_path / "short.key"
    key_file.write_text("abc\n")
    with pytest.raises(InputError):
        create_app(WebSettings(database_url=env["WEIPIAN_DATABASE_URL"], secret_key_file=key_file))
