"""Settings and the store for a CLI command."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from pydantic import ValidationError
from typer._click.globals import get_current_context  # typer vendors click (0.29)

from weipian.cli.output import err
from weipian.config import Settings
from weipian.errors import WeipianError
from weipian.storage.store import Store


def settings() -> Settings:
    return Settings()


def apply_clock() -> None:
    """Let "now" follow ``WEIPIAN_NOW`` for this command; a value that is no date-time exits 1."""
    try:
        Settings().apply_clock()
    except ValidationError as exc:
        names = "、".join(sorted({"WEIPIAN_" + str(e["loc"][0]).upper() for e in exc.errors()}))
        err.print(
            f"环境变量 {names} 的取值无效，请改正或删除后重试"
            "（WEIPIAN_NOW 的格式如 2026-12-03T09:00，北京时间）。",
            highlight=False,
        )
        raise typer.Exit(1) from None


def open_store(s: Settings, *, require_init: bool = True) -> Store:
    """The store named by the settings; refuses an uninitialised one when ``require_init``."""
    store = Store(s.database_url)
    command = get_current_context(silent=True)
    if command is not None:  # every store a command opens is closed when the command ends
        command.call_on_close(store.dispose)
    if require_init and not store.is_initialised():
        raise WeipianError("database.not_initialised")
    return store


@contextmanager
def command_store() -> Iterator[Store]:
    """The configured (initialised) store for one command, disposed of afterwards."""
    store = open_store(settings())
    try:
        yield store
    finally:
        store.dispose()
