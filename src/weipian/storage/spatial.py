"""Bounding-box prefilters: R*Tree on SQLite, GiST on PostGIS. Exact tests happen in shapely."""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import shapely
from numpy.typing import NDArray
from sqlalchemy import ColumnElement, Select, Table, and_, literal_column, select, text
from sqlalchemy.orm import Session

from weipian.storage.tables import SPATIAL_TABLES

BBox = tuple[float, float, float, float]


def spatial_index(session: Session) -> Literal["rtree", "gist"]:
    """Which spatial index the store behind ``session`` has."""
    return "gist" if session.get_bind().dialect.name == "postgresql" else "rtree"


def bbox_clause(session: Session, table: Table, bbox: BBox) -> ColumnElement[bool]:
    """A WHERE clause keeping rows of ``table`` whose box meets ``bbox`` (minx, miny, maxx, maxy)."""
    minx, miny, maxx, maxy = (float(v) for v in bbox)
    if spatial_index(session) == "gist":
        return text(f"{table.name}.geom && ST_MakeEnvelope(:bx0, :by0, :bx1, :by1, 4490)").bindparams(
            bx0=minx, by0=miny, bx1=maxx, by1=maxy
        )  # type: ignore[return-value]
    rtree = SPATIAL_TABLES[table.name]
    ids: Select[tuple[Any]] = (
        select(literal_column("id"))
        .select_from(text(rtree))
        .where(
            and_(
                literal_column("minx") <= maxx,
                literal_column("maxx") >= minx,
                literal_column("miny") <= maxy,
                literal_column("maxy") >= miny,
            )
        )
    )
    return table.c.id.in_(ids)


def box_scan(session: Session, table: Table, bbox: BBox) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """Ids and boxes (n, 4) of the rows of ``table`` whose box meets ``bbox``, from the index alone.

    Read through the driver's cursor, in the session's transaction: tens of thousands of rows
    of five numbers, where building a SQLAlchemy row for each cost more than the query. On
    SQLite the boxes are the R*Tree's (float32, rounded outward): a superset, fine for a filter.
    """
    minx, miny, maxx, maxy = (float(v) for v in bbox)
    raw = session.connection().connection.dbapi_connection
    assert raw is not None
    cur = raw.cursor()
    try:
        if spatial_index(session) == "gist":
            cur.execute(
                f"SELECT id, minx, miny, maxx, maxy FROM {table.name} "
                "WHERE geom && ST_MakeEnvelope(%s, %s, %s, %s, 4490)",
                (minx, miny, maxx, maxy),
            )
        else:
            cur.execute(
                f"SELECT id, minx, miny, maxx, maxy FROM {SPATIAL_TABLES[table.name]} "
                "WHERE minx <= ? AND maxx >= ? AND miny <= ? AND maxy >= ?",
                (maxx, minx, maxy, miny),
            )
        rows = cur.fetchall()
    finally:
        cur.close()
    table_ = np.array(rows, dtype=np.float64).reshape(-1, 5)
    return table_[:, 0].astype(np.int64), table_[:, 1:]


def bbox_columns(geoms: NDArray[np.object_]) -> NDArray[np.float64]:
    """(n, 4) array of minx, miny, maxx, maxy."""
    return shapely.bounds(geoms)  # type: ignore[no-any-return]
