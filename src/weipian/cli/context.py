"""Settings and the store for a CLI command."""

from __future__ import annotations

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
