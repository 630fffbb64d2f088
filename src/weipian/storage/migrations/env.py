"""Alembic environment: the engine comes from weipian.storage.migrate, never from a URL here."""

from __future__ import annotations

from alembic import context

from weipian.storage.schema_filter import include_name
from weipian.storage.tables import metadata


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
