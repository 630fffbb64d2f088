"""The CLI end-to-end tests' shared steps: run a command with ``--json``, and a small county
store with sign-in accounts, addressed through the environment as a user's shell would be."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from factories import small_county
from weipian.cli.app import app
from weipian.services.admin import init_store
from weipian.storage.store import Store

runner = CliRunner()
PASSWORD = "long-enough-1"


def run_json(args: list[str], env: dict[str, str], code: int = 0) -> dict[str, Any]:
    """Run ``weipian ARGS --json``; the exit code must be ``code`` and stdout one JSON object."""
    result = runner.invoke(app, [*args, "--json"], env=env)
    assert result.exit_code == code, result.output
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1  # exactly one JSON object on stdout
    return json.loads(lines[0])  # type: ignore[no-any-return]


def county_env(
    tmp_path: Path, now: str, accounts: tuple[tuple[str, str, str | None], ...], files: str = "files"
) -> tuple[dict[str, str], Store]:
    """small_county in a fresh SQLite store and the ``(name, role, township)`` accounts; returns the
    environment and the store (open, for the caller to read from and dispose of)."""
    url = f"sqlite:///{tmp_path / 'w.db'}"
    store = Store(url)
    init_store(store)
    small_county(store, tmp_path)
    env = {"WEIPIAN_DATABASE_URL": url, "WEIPIAN_NOW": now, "WEIPIAN_FILES_DIR": str(tmp_path / files)}
    for name, role, town in accounts:
        extra = ["--township", town] if town else []
        run_json(["users", "add", name, "--role", role, "--password", PASSWORD, *extra], env)
    return env, store
