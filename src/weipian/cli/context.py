"""Settings and the store for a CLI command."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from weipian.config import Settings
from weipian.errors import WeipianError
from weipian.storage.store import Store


def settings() -> Settings:
    return Settings()


def open_store(s: Settings, *, require_init: bool = True) -> Store:
    """The store named by the settings; refuses an uninitialised one when ``require_init``."""
    store = Store(s.database_url)
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
