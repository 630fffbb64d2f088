"""Military restriction (涉军): which patches lie on military land, kept current at all times.

A patch is restricted from the moment it is imported if it meets the current military layer
(intake calls :func:`military_flags`), and every new military layer version re-marks all
patches in the same transaction as the layer (:func:`remark_patches`). Nothing waits for
``weipian analyze``. A patch checked against no military layer (none existed yet) keeps
``military_layer_id`` NULL, and exports hold it back as if restricted.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from numpy.typing import NDArray
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from weipian.analysis.match import on_military_land
from weipian.domain.layers import LayerKind
from weipian.errors import InputError
from weipian.storage.layers import current_layer, load_features
from weipian.storage.tables import patches

CHUNK = 5000


def military_flags(session: Session, geoms: NDArray[np.object_]) -> tuple[NDArray[np.bool_], int | None]:
    """Whether each (EPSG:4490) patch meets the current military layer, and that layer's id."""
    layer = current_layer(session, LayerKind.military.value)
    if layer is None or len(geoms) == 0:
        return np.zeros(len(geoms), dtype=bool), (None if layer is None else int(layer.id))
    b = shapely.total_bounds(geoms)
    military = load_features(
        session, layer.id, (float(b[0]), float(b[1]), float(b[2]), float(b[3])), with_attrs=False
    )
    return on_military_land(geoms, military.geoms), int(layer.id)


@dataclass(frozen=True)
class Remark:
    """What a new military layer version changes: patches restricted and released."""

    restricted: int  # restricted under the new version
    newly_restricted: int
    released: int  # restricted before, not any more


def remark_patches(
    session: Session, layer_id: int, military: NDArray[np.object_], *, confirm_release: bool
) -> Remark:
    """Mark every patch against the new military layer ``military`` (version ``layer_id``).

    A version that would release restricted patches is refused without ``confirm_release``
    (a broken or truncated layer must not make military land public); the caller's
    transaction then writes nothing.
    """
    hits: list[int] = []
    released: list[int] = []
    newly = 0
    last = 0
    while True:
        rows = session.execute(
            select(patches.c.id, patches.c.wkb, patches.c.restricted)
            .where(patches.c.id > last)
            .order_by(patches.c.id)
            .limit(CHUNK)
        ).all()
        if not rows:
            break
        last = rows[-1].id
        flags = on_military_land(shapely.from_wkb([r.wkb for r in rows]), military)
        for row, hit in zip(rows, flags.tolist(), strict=True):
            if hit:
                hits.append(row.id)
                newly += not row.restricted
            elif row.restricted:
                released.append(row.id)
    if released and not confirm_release:
        raise InputError("layer.military_releases", count=len(released))
    session.execute(update(patches).values(military_layer_id=layer_id))
    for ids, value in ((hits, True), (released, False)):
        for start in range(0, len(ids), 1000):
            session.execute(
                update(patches).where(patches.c.id.in_(ids[start : start + 1000])).values(restricted=value)
            )
    return Remark(restricted=len(hits), newly_restricted=newly, released=len(released))


def remark_against_current(session: Session) -> Remark | None:
    """Mark every patch against the current military layer (the migration's backfill); None
    when no military layer exists (patches stay unchecked)."""
    layer = current_layer(session, LayerKind.military.value)
    if layer is None:
        return None
    military = load_features(session, layer.id, with_attrs=False)
    return remark_patches(session, int(layer.id), military.geoms, confirm_release=True)
