"""Reference layers: ``weipian layers import`` for every kind, versioned.

A re-import of a kind adds a new version and makes it current; older versions stay for the
record (results computed on them are marked stale by the analysis).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import shapely
from sqlalchemy import insert

from weipian.analysis.area import plane_centre, project_equal_area
from weipian.domain import clock
from weipian.domain.layers import REQUIRED_ATTRIBUTES, LayerKind, layer_field_names
from weipian.errors import InputError
from weipian.io.patch_rows import Rejection, json_ready
from weipian.io.readers import column_values, read_vector
from weipian.services.common import Progress, no_progress, prepare_geoms
from weipian.storage.bulk import bulk_insert, index_boxes
from weipian.storage.layers import mark_stale, next_version, retire_versions
from weipian.storage.restriction import remark_patches
from weipian.storage.store import Store
from weipian.storage.tables import layer_features, layers

CHUNK = 5000
FEATURE_COLUMNS = (
    "layer_id",
    "code",
    "source_row",
    "repaired",
    "attrs",
    "wkb",
    "minx",
    "miny",
    "maxx",
    "maxy",
)


@dataclass
class LayerSummary:
    """What ``weipian layers import --json`` prints."""

    kind: str
    name: str
    version: int = 0
    features: int = 0
    repaired: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    source_crs: str = ""
    crs_inferred: bool = False
    stale: int = 0  # patches whose desk comparison used an older version of this kind
    restricted: int | None = None  # military only: patches on military land under this version
    newly_restricted: int = 0
    released: int = 0  # military only: patches no longer restricted (needs confirm_release)


def _key_column(columns: list[str], kind: LayerKind, path: Path) -> str | None:
    """The column holding each feature's key (XZQDM, JCBH, DLBM, document number …).

    Required for the kinds that cannot work without it; for the others the first known
    document-number column, if any.
    """
    upper = {c.strip().upper(): c for c in columns}
    wanted = REQUIRED_ATTRIBUTES.get(kind)
    if wanted:
        ((fieldname, aliases),) = wanted.items()
        for alias in aliases:
            if alias.upper() in upper:
                return upper[alias.upper()]
        raise InputError("layer.missing_field", path=str(path), kind=kind.value, field=fieldname)
    doc_names: dict[str, list[str]] = layer_field_names()["doc_no"]  # type: ignore[assignment]
    for name in doc_names.get(kind.value, []):
        if name.upper() in upper:
            return upper[name.upper()]
    return None


def import_layer(
    store: Store,
    path: Path,
    kind: LayerKind,
    *,
    name: str | None = None,
    as_of: dt.date | None = None,
    region: tuple[float, float, float, float],
    allow_outside: bool = False,
    confirm_release: bool = False,
    progress: Progress = no_progress,
) -> LayerSummary:
    """Import a reference layer file as the new current version of ``kind``, all or nothing.

    Checked like a patch package, but refused whole: coordinates out of range, or features
    wholly outside the county box (unless ``allow_outside``). A military version that would
    release restricted patches needs ``confirm_release``.
    """
    progress("读取文件", 0, 1)
    table = read_vector(path, region)
    progress("读取文件", 1, 1)
    key = _key_column([str(c) for c in table.attrs.columns], kind, path)
    prepared = prepare_geoms(table, region, allow_outside=allow_outside)
    for code in ("row.coordinates_invalid", "row.outside_county"):
        bad = np.flatnonzero(prepared.problem == code)
        if len(bad):
            raise InputError(
                code.replace("row.", "layer."), path=str(path), count=len(bad), first_row=int(bad[0]) + 1
            )
    summary = LayerSummary(kind=kind.value, name=name or Path(path).stem)
    summary.source_crs, summary.crs_inferred = table.crs, table.crs_inferred
    ok = prepared.problem == ""
    for i in np.flatnonzero(~ok):
        summary.rejected.append(Rejection(int(i) + 1, None, str(prepared.problem[i])))
    if not ok.any():
        raise InputError("package.all_rejected", path=str(path), count=len(ok), rejected=summary.rejected)
    idx = np.flatnonzero(ok)
    geoms = prepared.geoms[idx]
    wkb, bounds = shapely.to_wkb(geoms), shapely.bounds(geoms)
    # The equal-area copy analyze measures in, in the county's plane: projected once, here.
    plane = plane_centre(region)
    plane_wkb = shapely.to_wkb(project_equal_area(geoms, plane))
    codes = column_values(table.attrs, key)
    columns = [str(c) for c in table.attrs.columns]
    values = {c: column_values(table.attrs, c) for c in columns}
    with store.writing() as session:
        version = next_version(session, kind.value)
        retire_versions(session, kind.value)
        layer_id = session.execute(
            insert(layers)
            .values(
                kind=kind.value,
                name=summary.name,
                version=version,
                as_of=as_of,
                file_name=Path(path).name,
                file_hash=table.file_hash,
                source_crs=table.crs[:32],
                crs_inferred=table.crs_inferred,
                feature_count=len(idx),
                repaired_count=int(prepared.repaired[idx].sum()),
                is_current=True,
                imported_at=clock.now(),
                plane_lon=plane[0],
                plane_lat=plane[1],
            )
            .returning(layers.c.id)
        ).scalar_one()
        code_values = [None if c is None else str(json_ready(c)) for c in codes[idx].tolist()]
        attrs = [{c: json_ready(values[c][i]) for c in columns} for i in idx.tolist()]
        for start in range(0, len(idx), CHUNK):
            part = slice(start, start + CHUNK)
            bulk_insert(
                session,
                layer_features,
                {
                    "layer_id": [layer_id] * len(idx[part]),
                    "code": code_values[part],
                    "source_row": (idx[part] + 1).tolist(),
                    "repaired": prepared.repaired[idx[part]].tolist(),
                    "attrs": attrs[part],
                    "wkb": wkb[part].tolist(),
                    "plane_wkb": plane_wkb[part].tolist(),
                    "minx": bounds[part, 0].tolist(),
                    "miny": bounds[part, 1].tolist(),
                    "maxx": bounds[part, 2].tolist(),
                    "maxy": bounds[part, 3].tolist(),
                },
            )
            progress("写入要素", min(start + CHUNK, len(idx)), len(idx))
        index_boxes(session, layer_features, "layer_id = :layer", {"layer": layer_id})
        summary.stale = mark_stale(session, kind.value, layer_id)
        if kind is LayerKind.military:
            remark = remark_patches(session, layer_id, geoms, confirm_release=confirm_release)
            summary.restricted, summary.newly_restricted = remark.restricted, remark.newly_restricted
            summary.released = remark.released
    summary.version = version
    summary.features = len(idx)
    summary.repaired = int(prepared.repaired[idx].sum())
    return summary
