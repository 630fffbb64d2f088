"""Fast bulk writes: driver-level executemany on SQLite, COPY on PostgreSQL.

SQLAlchemy's per-row parameter processing costs more than the insert itself at 100,000 rows,
so intake and layer import hand plain tuples straight to the driver, inside the session's
transaction. Values must already be driver-ready: dict → JSON text is done here.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import JSON, Date, DateTime, Table, text
from sqlalchemy.orm import Session

from weipian.storage.tables import SPATIAL_TABLES


def _json(v: Any) -> str:
    return json.dumps(v, ensure_ascii=False)


def _iso(v: dt.date) -> str:  # SQLAlchemy's SQLite storage format for Date and DateTime
    return v.isoformat(sep=" ") if isinstance(v, dt.datetime) else v.isoformat()


def _ready(table: Table, name: str, values: Sequence[Any], sqlite: bool) -> Sequence[Any]:
    """A column's values as the driver takes them (JSON as text; dates as text on SQLite)."""
    col_type = table.c[name].type
    if isinstance(col_type, JSON):
        return [None if v is None else _json(v) for v in values]
    if sqlite and isinstance(col_type, Date | DateTime):
        return [None if v is None else _iso(v) for v in values]
    return values


def bulk_insert(session: Session, table: Table, data: Mapping[str, Sequence[Any]]) -> None:
    """Insert rows given column-wise (name → equally long value lists) in the session's transaction."""
    if not data or not len(next(iter(data.values()))):
        return
    conn = session.connection()
    sqlite = conn.dialect.name == "sqlite"
    names = list(data)
    rows = list(zip(*(_ready(table, n, data[n], sqlite) for n in names), strict=True))
    cols = ", ".join(names)
    if not sqlite:
        raw = conn.connection.dbapi_connection
        assert raw is not None
        with raw.cursor() as cur, cur.copy(f"COPY {table.name} ({cols}) FROM STDIN") as copy:  # type: ignore[attr-defined]
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join("?" for _ in names)
    conn.exec_driver_sql(f"INSERT INTO {table.name} ({cols}) VALUES ({marks})", rows)


def index_boxes(session: Session, table: Table, where_sql: str, params: dict[str, Any]) -> None:
    """Add the boxes of freshly inserted rows to the SQLite R*Tree (PostGIS indexes itself).

    One set-based statement is several times faster than a per-row trigger.
    """
    if session.get_bind().dialect.name != "sqlite":
        return
    rtree = SPATIAL_TABLES[table.name]
    session.execute(
        text(f"INSERT INTO {rtree} SELECT id, minx, maxx, miny, maxy FROM {table.name} WHERE {where_sql}"),
        params,
    )
