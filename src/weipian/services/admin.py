"""Store administration: ``weipian init``."""

from __future__ import annotations

from weipian.domain.townships import townships
from weipian.storage.migrate import upgrade
from weipian.storage.store import Store
from weipian.storage.townships import sync_townships


def init_store(store: Store) -> str | None:
    """Create or upgrade the schema and load the township list; safe to repeat."""
    revision = upgrade(store.engine)
    with store.writing() as session:
        sync_townships(session, townships())
    return revision
