"""The Store: one engine, one writer at a time, sessions for readers.

SQLite (the embedded default) runs in WAL mode with foreign keys on; every write transaction
starts with ``BEGIN IMMEDIATE`` under a process-wide lock, so a writer never meets a half-done
write and readers keep their own snapshots. PostgreSQL needs neither; the same code runs on it.
"""

from __future__ import annotations

import os
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Literal

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError, ProgrammingError
from sqlalchemy.orm import Session, sessionmaker

from weipian.errors import InputError

SpatialIndex = Literal["rtree", "gist"]
_WRITER = "weipian_writer"


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Take over transaction control from the stdlib driver, which defers BEGIN.
        dbapi_conn.isolation_level = None
        pragmas = (
            "journal_mode=WAL",
            "foreign_keys=ON",
            "busy_timeout=10000",
            "synchronous=NORMAL",
            "cache_size=-65536",
        )  # 64 MiB page cache: index inserts of large batches
        for pragma in pragmas:
            dbapi_conn.execute(f"PRAGMA {pragma}")

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # Writers take the write lock up front (no lock upgrade deadlocks); readers begin a
        # plain deferred transaction, so they never block a writer in WAL mode.
        writer = conn.get_execution_options().get(_WRITER, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if writer else "BEGIN")


_STORES: weakref.WeakSet[Store] = weakref.WeakSet()


def _forget_connections_after_fork() -> None:
    # A forked worker must not use, nor close, the parent's pooled connections (SQLAlchemy's
    # advice for multiprocessing): drop them from the child's pools without closing them.
    for store in list(_STORES):
        store.engine.dispose(close=False)


os.register_at_fork(after_in_child=_forget_connections_after_fork)


class Store:
    """Database access for weipian: ``writing()`` for changes, ``reading()`` for queries."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        try:
            parsed = make_url(url)
        except ArgumentError as exc:
            raise InputError("database.url", url=url) from exc
        self.url = url
        self.dialect = parsed.get_backend_name()
        if self.dialect == "sqlite":
            # Keep a connection per web worker thread: opening one (and its PRAGMAs) per request
            # once 5 are busy cost ~4 % under 20 concurrent users (benchmarks/bench_web.py).
            self.engine = create_engine(url, echo=echo, pool_size=20)
            _configure_sqlite(self.engine)
            self.spatial_index: SpatialIndex = "rtree"
        elif self.dialect == "postgresql":
            self.engine = create_engine(url, echo=echo, pool_pre_ping=True)
            self.spatial_index = "gist"
        else:
            raise InputError("database.url", url=url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._writer_sessions = sessionmaker(
            self.engine.execution_options(**{_WRITER: True}), expire_on_commit=False
        )
        self._write_lock = threading.Lock()
        _STORES.add(self)

    @contextmanager
    def writing(self) -> Iterator[Session]:
        """A session whose block commits on success and rolls back on any error."""
        with self._write_lock, self._writer_sessions() as session, session.begin():
            yield session

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A session for queries; nothing it does is committed."""
        with self._sessions() as session:
            yield session

    def is_initialised(self) -> bool:
        """Whether the schema is at the newest migration."""
        from weipian.storage.migrate import current_revision, head_revision

        try:
            return current_revision(self.engine) == head_revision()
        except (OperationalError, ProgrammingError):
            return False

    def dispose(self) -> None:
        self.engine.dispose()

    def ping(self) -> None:
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
