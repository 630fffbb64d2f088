"""Run the Alembic migrations packaged with weipian (``weipian init`` = upgrade to head)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine


def _config(engine: Engine | None = None) -> Config:
    location = Path(str(resources.files("weipian.storage").joinpath("migrations")))
    cfg = Config()
    cfg.set_main_option("script_location", str(location))
    if engine is not None:
        cfg.attributes["engine"] = engine
    return cfg


def head_revision() -> str | None:
    return ScriptDirectory.from_config(_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine) -> str | None:
    """Bring the schema to the newest revision; safe to repeat. Returns the revision."""
    command.upgrade(_config(engine), "head")
    return current_revision(engine)
