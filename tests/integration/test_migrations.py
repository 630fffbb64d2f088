"""Migrations: an empty store upgrades to head, repeatably, and matches the table definitions."""

from __future__ import annotations

import warnings
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.exc import SAWarning

from factories import REGION
from weipian.services.admin import init_store
from weipian.storage.migrate import head_revision
from weipian.storage.schema_filter import include_name
from weipian.storage.store import Store
from weipian.storage.tables import metadata


def test_upgrade_is_idempotent_and_matches_tables(store_url: str) -> None:
    store = Store(store_url)
    assert not store.is_initialised()
    assert init_store(store) == head_revision()
    assert init_store(store) == head_revision()  # safe to repeat
    assert store.is_initialised()
    with store.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"include_name": include_name})
        with warnings.catch_warnings():
            # SQLAlchemy cannot name PostGIS's type while reflecting; that column is skipped anyway.
            warnings.filterwarnings("ignore", "Did not recognize type 'geometry'", SAWarning)
            assert compare_metadata(ctx, metadata) == []
        assert conn.execute(text("SELECT count(*) FROM townships")).scalar() == 27
    tables = set(inspect(store.engine).get_table_names())
    assert {"patches", "batches", "layers", "layer_features", "patch_links", "townships"} <= tables
    store.dispose()


def test_spatial_index_follows_writes(store: Store) -> None:
    """The R*Tree (SQLite) or generated PostGIS column (PostgreSQL) mirrors every row."""
    import tempfile
    from pathlib import Path

    from factories import patch_rows, square_grid, write_vector
    from weipian.domain.sources import Source
    from weipian.services.intake import IntakeOptions, import_package

    with tempfile.TemporaryDirectory() as tmp:
        pkg = write_vector(Path(tmp) / "p.gpkg", patch_rows(3), square_grid(3))
        import_package(store, pkg, IntakeOptions(source=Source.ministry, region=REGION))
    with store.engine.connect() as conn:
        if store.spatial_index == "rtree":
            n = conn.execute(text("SELECT count(*) FROM patch_rtree")).scalar()
        else:
            n = conn.execute(
                text("SELECT count(*) FROM patches WHERE ST_IsValid(geom) AND ST_SRID(geom) = 4490")
            ).scalar()
    assert n == 3


def test_readers_never_block_the_writer(tmp_path: Path) -> None:
    """A long read (an analysis worker) must not hold SQLite's write lock."""
    store = Store(f"sqlite:///{tmp_path / 'w.db'}")
    init_store(store)
    with store.reading() as reader:
        assert reader.execute(text("SELECT count(*) FROM townships")).scalar() == 27  # read txn open
        other = Store(store.url)  # another process's engine, as a pool worker would have
        with other.writing() as writer:
            writer.execute(text("UPDATE townships SET kind = kind"))
        other.dispose()
    store.dispose()
