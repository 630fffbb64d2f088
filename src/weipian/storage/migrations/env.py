"""Alembic environment: the engine comes from weipian.storage.migrate, never from a URL here."""

from __future__ import annotations

from typing import Any

from alembic import context

from weipian.storage.tables import metadata

# R*Tree virtual tables (and their shadow tables) and the PostGIS column are made by hand in
# the migrations; autogenerate must not offer to drop them.
_HAND_MADE_PREFIXES = ("patch_rtree", "feature_rtree", "spatial_ref_sys")


def include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    if type_ == "table" and name is not None:
        return not name.startswith(_HAND_MADE_PREFIXES)
    if type_ == "column" and name == "geom":
        return False
    if type_ == "index" and name is not None and name.endswith("_geom_gist"):
        return False
    return True


def run_migrations_online() -> None:
    engine = context.config.attributes["engine"]
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            include_name=include_name,
            transaction_per_migration=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run_migrations_online()
