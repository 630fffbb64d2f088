"""Store administration: ``weipian init``."""

from __future__ import annotations

from weipian.domain.organisation import county_units
from weipian.domain.townships import townships
from weipian.storage.migrate import upgrade
from weipian.storage.store import Store
from weipian.storage.townships import sync_townships
from weipian.storage.units import seed_units


def init_store(store: Store) -> str | None:
    """Create or upgrade the schema, load the township list and add the county's units the store
    lacks; safe to repeat."""
    revision = upgrade(store.engine)
    with store.writing() as session:
        sync_townships(session, townships())
        seed_units(session, county_units())
    return revision
