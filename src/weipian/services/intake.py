"""Patch intake: ``weipian import`` — read a package, check every row, store the batch whole.

All reading and geometry work happens before the write transaction opens; the batch, its
patches and their same-place links are then written in one transaction, so a bad package, an
error or a killed process leaves the store as it was.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from numpy.typing import NDArray
from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from weipian.analysis.area import AreaMethod, areas
from weipian.analysis.match import largest_share, same_place
from weipian.domain import clock
from weipian.domain.layers import LayerKind
from weipian.domain.sources import Source
from weipian.domain.townships import COUNTY_CODE
from weipian.errors import Conflict, InputError
from weipian.io.patch_rows import PatchFields, Rejection, map_fields
from weipian.io.readers import VectorTable, read_vector
from weipian.services.common import Progress, no_progress, prepare_geoms
from weipian.storage.bulk import bulk_insert, index_boxes
from weipian.storage.layers import current_layer, feature_attrs, load_features
from weipian.storage.patches import existing_identities, find_batch, patches_in_bbox
from weipian.storage.restriction import military_flags
from weipian.storage.store import Store
from weipian.storage.tables import batches, layers, patch_links, patches
from weipian.storage.townships import township_names

CHUNK = 5000


@dataclass(frozen=True)
class IntakeOptions:
    """What the edge passes in: the batch's identity and the settings intake uses."""

    source: Source
    batch: str | None = None
    issued: dt.date | None = None
    verification_days: int = 15
    same_place_min_overlap: float = 0.5
    area_method: AreaMethod = field(default_factory=AreaMethod)
    region: tuple[float, float, float, float] = field(kw_only=True)  # the county box (settings)
    allow_outside: bool = False  # keep patches lying wholly outside ``region``
    today: dt.date = field(default_factory=clock.today)


@dataclass
class ImportSummary:
    """What ``weipian import --json`` prints (INTERFACE.md), plus a few facts for people."""

    batch: str
    source: str
    accepted: int = 0
    repaired: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    source_crs: str = ""
    crs_inferred: bool = False
    linked: int = 0
    unassigned: int = 0
    due_on: dt.date | None = None
    warnings: list[tuple[str, dict[str, Any]]] = field(default_factory=list)


# Called inside the write transaction with the new patches' ids (in row order): a caller that
# must record something with them (the register event of a hand-registered case) does it there,
# so the patches and that record land together or not at all.
AfterWrite = Callable[[Session, list[int]], None]


def import_package(
    store: Store, path: Path, options: IntakeOptions, *, progress: Progress = no_progress
) -> ImportSummary:
    """Import one patch package as one batch, all or nothing."""
    progress("读取文件", 0, 1)
    table = read_vector(path, options.region)
    progress("读取文件", 1, 1)
    return import_table(store, table, options, progress=progress)


def import_table(
    store: Store,
    table: VectorTable,
    options: IntakeOptions,
    *,
    progress: Progress = no_progress,
    append: bool = False,
    after_write: AfterWrite | None = None,
) -> ImportSummary:
    """Check and store the rows of ``table`` as one batch, all or nothing: the package path and
    the hand-registered case (``append``: add to the batch of that name if it exists) share it."""
    path = table.path
    fields = map_fields(table.attrs, str(path))
    prepared = prepare_geoms(table, options.region, allow_outside=options.allow_outside)
    batch_name = options.batch or Path(path).stem
    issued = options.issued or _first_date(fields.issued_on) or options.today
    summary = ImportSummary(batch=batch_name, source=options.source.value)
    summary.source_crs, summary.crs_inferred = table.crs, table.crs_inferred
    if table.crs_inferred:
        summary.warnings.append(("crs.inferred", {"path": str(path), "epsg": table.epsg}))

    keep = _check_rows(fields, prepared.problem, prepared.geom_type, summary)
    if not keep.any():
        raise InputError("package.all_rejected", path=str(path), count=len(keep), rejected=summary.rejected)
    idx = np.flatnonzero(keep)
    geoms = prepared.geoms[idx]
    area = areas(geoms, options.area_method)
    centre = shapely.centroid(geoms)
    default_year = issued.year

    years = np.array(
        [fields.year[i] or _year_of(fields.after_date[i]) or default_year for i in idx], dtype=np.int64
    )
    # Townships and same-place links are read-only work: do them before taking the write lock
    # (SQLite has one writer; web users saving meanwhile must not wait on it), then check inside
    # the lock that no patch or layer arrived in between, else do them again there.
    with store.reading() as session:
        if not append and find_batch(session, options.source.value, batch_name) is not None:
            raise Conflict("batch.exists", batch=batch_name, source=options.source.label)
        context = _Context.compute(session, geoms, fields.text["XZQDM"][idx], years, options, progress)

    with store.writing() as session:
        existing = find_batch(session, options.source.value, batch_name)
        if existing is not None and not append:
            raise Conflict("batch.exists", batch=batch_name, source=options.source.label)
        if _marks(session) != context.marks:
            context = _Context.compute(session, geoms, fields.text["XZQDM"][idx], years, options, progress)
        town_code, town_share, links = context.town_code, context.town_share, context.links
        restricted = context.restricted
        admin = np.array(
            [fields.text["XZQDM"][i] or (town_code[k] or COUNTY_CODE) for k, i in enumerate(idx)],
            dtype=object,
        )
        exists = existing_identities(session, options.source.value, sorted({int(y) for y in years}))
        fresh = np.array(
            [(int(years[k]), str(admin[k]), str(fields.jcbh[i])) not in exists for k, i in enumerate(idx)],
            dtype=bool,
        )
        for k in np.flatnonzero(~fresh):
            summary.rejected.append(Rejection(int(idx[k]) + 1, fields.jcbh[idx[k]], "row.exists"))
        if not fresh.any():
            raise InputError(
                "package.all_rejected", path=str(path), count=len(keep), rejected=summary.rejected
            )
        sel = np.flatnonzero(fresh)
        idx, geoms, area, centre = idx[sel], geoms[sel], area[sel], centre[sel]
        admin, years, town_code, town_share = admin[sel], years[sel], town_code[sel], town_share[sel]
        links = links.kept(sel)
        restricted = restricted[sel]
        due_on = issued + dt.timedelta(days=options.verification_days)
        repaired_count = int(prepared.repaired[idx].sum())
        if existing is None:
            first_new = 0
            batch_id = session.execute(
                insert(batches)
                .values(
                    source=options.source.value,
                    name=batch_name,
                    year=int(np.bincount(years - years.min()).argmax() + years.min()),
                    issued_on=issued,
                    verification_days=options.verification_days,
                    due_on=due_on,
                    file_name=Path(path).name,
                    file_hash=table.file_hash,
                    source_crs=table.crs[:32],
                    crs_inferred=table.crs_inferred,
                    area_method=options.area_method.code,
                    patch_count=len(idx),
                    repaired_count=repaired_count,
                    imported_at=clock.now(),
                    id_field=fields.id_field[:32],
                )
                .returning(batches.c.id)
            ).scalar_one()
        else:
            # Counting first takes the batch row's lock (PostgreSQL): appends to one batch queue
            # here, so the ids read after the insert are this call's alone.
            batch_id = existing.id
            _count_into(session, batch_id, len(idx), repaired_count)
            first_new = (session.scalar(select(func.max(patches.c.id))) or 0) + 1
        columns = _patch_columns(
            batch_id, options, fields, idx, geoms, area, centre, admin, years, town_code, town_share,
            prepared.repaired, due_on, links.earlier,
        )  # fmt: skip
        columns["restricted"] = restricted.tolist()
        columns["military_layer_id"] = [context.military_layer_id] * len(idx)
        for start in range(0, len(idx), CHUNK):
            bulk_insert(
                session, patches, {name: values[start : start + CHUNK] for name, values in columns.items()}
            )
            progress("写入图斑", min(start + CHUNK, len(idx)), len(idx))
        index_boxes(
            session, patches, "batch_id = :batch AND id >= :first", {"batch": batch_id, "first": first_new}
        )
        new_ids = _ids_of(session, batch_id, first_new)
        if links.rows:
            link_rows = [(int(new_ids[k]), *rest) for k, *rest in links.rows]
            bulk_insert(
                session, patch_links, dict(zip(LINK_COLUMNS, zip(*link_rows, strict=True), strict=True))
            )
        if after_write is not None:
            after_write(session, [int(i) for i in new_ids])

    summary.accepted = len(idx)
    summary.repaired = int(prepared.repaired[idx].sum())
    summary.linked = len(links.rows)
    summary.unassigned = int(sum(1 for c in town_code if c is None))
    summary.due_on = due_on
    summary.rejected.sort(key=lambda r: r.row)
    return summary


def _first_date(values: NDArray[np.object_]) -> dt.date | None:
    present = [v for v in values if v is not None]
    return min(present) if present else None


def _year_of(yyyymmdd: str | None) -> int | None:
    return int(yyyymmdd[:4]) if yyyymmdd else None


def _check_rows(
    fields: PatchFields, problem: NDArray[np.str_], geom_type: NDArray[np.str_], summary: ImportSummary
) -> NDArray[np.bool_]:
    """Reject rows with no id, a repeated id, or no usable polygon; return the rows to keep."""
    keep = np.ones(len(fields.jcbh), dtype=bool)
    first_row: dict[str, int] = {}
    for i, code in enumerate(fields.jcbh):
        row = i + 1
        if code is None:
            summary.rejected.append(Rejection(row, None, "row.missing_id"))
            keep[i] = False
        elif problem[i]:
            params = {"geom_type": geom_type[i]} if problem[i] == "row.geometry_not_polygon" else {}
            summary.rejected.append(Rejection(row, code, str(problem[i]), params))
            keep[i] = False
        elif code in first_row:
            summary.rejected.append(Rejection(row, code, "row.duplicate_id", {"first_row": first_row[code]}))
            keep[i] = False
        else:
            first_row[code] = row
    return keep


def _assign_townships(
    session: Session, geoms: NDArray[np.object_], delivered: NDArray[np.object_]
) -> tuple[NDArray[np.object_], NDArray[np.object_]]:
    """Township of each patch: largest share of the townships layer, else a 9-digit XZQDM."""
    known = township_names(session)
    code = np.array([c if c in known else None for c in delivered], dtype=object)
    share = np.full(len(geoms), None, dtype=object)
    layer = current_layer(session, LayerKind.townships.value)
    if layer is None:
        return code, share
    zones = load_features(session, layer.id)
    best, frac = largest_share(geoms, zones.geoms)
    for k, b in enumerate(best):
        if b >= 0 and zones.codes[b] in known:
            code[k], share[k] = zones.codes[b], float(frac[k])
    return code, share


def _patch_columns(
    batch_id: int,
    options: IntakeOptions,
    fields: PatchFields,
    idx: NDArray[np.int64],
    geoms: NDArray[np.object_],
    area: NDArray[np.float64],
    centre: NDArray[np.object_],
    admin: NDArray[np.object_],
    years: NDArray[np.int64],
    town_code: NDArray[np.object_],
    town_share: NDArray[np.object_],
    repaired: NDArray[np.bool_],
    due_on: dt.date,
    earlier: dict[int, list[str]],
) -> dict[str, list[Any]]:
    """The patches table's columns for the kept rows, column-wise for bulk_insert."""
    n = len(idx)
    t = {name: values[idx].tolist() for name, values in fields.text.items()}
    bounds = shapely.bounds(geoms)
    return {
        "batch_id": [batch_id] * n,
        "source": [options.source.value] * n,
        "year": years.tolist(),
        "admin_code": admin.tolist(),
        "patch_code": fields.jcbh[idx].tolist(),
        "admin_name": t["XZQMC"],
        "township_code": town_code.tolist(),
        "township_share": town_share.tolist(),
        "change_type": t["TBLX"],
        "before_date": fields.before_date[idx].tolist(),
        "after_date": fields.after_date[idx].tolist(),
        "lon": shapely.get_x(centre).tolist(),
        "lat": shapely.get_y(centre).tolist(),
        "area_m2": area.tolist(),
        "area_method": [options.area_method.code] * n,
        "delivered_area_m2": fields.delivered_area_m2[idx].tolist(),
        "issued_on": fields.issued_on[idx].tolist(),
        "prior_patch_code": t["QQJCBH"],
        "prior_change_type": t["QQTBLX"],
        "same_place_codes_delivered": t["TYWZJCTBWQBH"],
        "same_place_codes": [_merge_codes(c, earlier.get(k, [])) for k, c in enumerate(t["TYWZJCTBWQBH"])],
        "is_mining": t["SFSK"],
        "attrs": [fields.extra[i] for i in idx.tolist()],
        "source_row": (idx + 1).tolist(),
        "repaired": repaired[idx].tolist(),
        "state": ["issued"] * n,
        "due_on": [due_on] * n,
        "wkb": shapely.to_wkb(geoms).tolist(),
        "minx": bounds[:, 0].tolist(),
        "miny": bounds[:, 1].tolist(),
        "maxx": bounds[:, 2].tolist(),
        "maxy": bounds[:, 3].tolist(),
    }


LINK_COLUMNS = (
    "patch_id", "kind", "target_patch_id", "target_feature_id", "target_code", "target_year",
    "overlap_m2", "overlap_ratio",
)  # fmt: skip


def _merge_codes(delivered: str | None, computed: list[str]) -> str | None:
    """TYWZJCTBWQBH: the delivered codes, then the computed earlier ones not already there."""
    merged = [c.strip() for c in (delivered or "").replace("，", ",").split(",") if c.strip()]
    merged += [c for c in computed if c not in merged]
    return ",".join(merged) or None


def _ids_of(session: Session, batch_id: int, first: int = 0) -> NDArray[np.int64]:
    ids = session.scalars(
        select(patches.c.id)
        .where(patches.c.batch_id == batch_id, patches.c.id >= first)
        .order_by(patches.c.id)
    )
    return np.fromiter(ids, dtype=np.int64)


def _count_into(session: Session, batch_id: int, added: int, repaired: int) -> None:
    """Add ``added`` patches (``repaired`` of them mended) to an existing batch's counts."""
    session.execute(
        update(batches)
        .where(batches.c.id == batch_id)
        .values(patch_count=batches.c.patch_count + added, repaired_count=batches.c.repaired_count + repaired)
    )


@dataclass
class _Links:
    """Link rows keyed by the new patch's position, and earlier-year codes per position."""

    rows: list[tuple[Any, ...]] = field(default_factory=list)
    earlier: dict[int, list[str]] = field(default_factory=dict)

    def kept(self, sel: NDArray[np.int64]) -> _Links:
        """The links of the positions in ``sel``, renumbered to their place in it."""
        new = {int(old): k for k, old in enumerate(sel)}
        return _Links(
            [(new[a], *rest) for a, *rest in self.rows if a in new],
            {new[a]: codes for a, codes in self.earlier.items() if a in new},
        )


def _marks(session: Session) -> tuple[int | None, int | None]:
    """The newest patch and layer version: if they differ, the store changed."""
    return session.scalar(select(func.max(patches.c.id))), session.scalar(select(func.max(layers.c.id)))


@dataclass
class _Context:
    """What intake reads from the store about new patches: townships, same-place links."""

    marks: tuple[int | None, int | None]
    town_code: NDArray[np.object_]
    town_share: NDArray[np.object_]
    links: _Links
    restricted: NDArray[np.bool_]  # on the current military layer: hidden from the start
    military_layer_id: int | None

    @classmethod
    def compute(
        cls, session: Session, geoms: NDArray[np.object_], delivered: NDArray[np.object_],
        years: NDArray[np.int64], options: IntakeOptions, progress: Progress,
    ) -> _Context:  # fmt: skip
        marks = _marks(session)
        progress("归属乡镇", 0, 1)
        town_code, town_share = _assign_townships(session, geoms, delivered)
        progress("归属乡镇", 1, 1)
        # Matched against what is stored *before* adding this batch, so it never meets itself.
        progress("同位置关联", 0, 1)
        links = _same_place(session, geoms, years, options.same_place_min_overlap)
        progress("同位置关联", 1, 1)
        restricted, military_layer_id = military_flags(session, geoms)
        return cls(marks, town_code, town_share, links, restricted, military_layer_id)


def _same_place(
    session: Session, geoms: NDArray[np.object_], years: NDArray[np.int64], min_ratio: float
) -> _Links:
    """Match new patches with prior-year patches and stored patches at the same place."""
    bounds = shapely.total_bounds(geoms)
    bbox = (float(bounds[0]), float(bounds[1]), float(bounds[2]), float(bounds[3]))
    out = _Links()
    prior_layer = current_layer(session, LayerKind.prior_patches.value)
    if prior_layer is not None:
        prior = load_features(session, prior_layer.id, bbox, with_attrs=False)
        match = same_place(geoms, prior.geoms, min_ratio)
        attrs = feature_attrs(session, sorted({int(prior.ids[b]) for b in match.b_index}))
        for a, b, m2, ratio in zip(match.a_index, match.b_index, match.overlap_m2, match.ratio, strict=True):
            code = prior.codes[b] or ""
            found = attrs.get(int(prior.ids[b]), {})
            year = _int_or_none(found.get("NF") or found.get("year"))
            out.rows.append(
                (int(a), "same_place_prior", None, int(prior.ids[b]), code, year, float(m2), float(ratio))
            )
            if year is None or year < years[a]:
                out.earlier.setdefault(int(a), []).append(code)
    others = patches_in_bbox(session, bbox)
    match = same_place(geoms, others.geoms, min_ratio)
    for a, b, m2, ratio in zip(match.a_index, match.b_index, match.overlap_m2, match.ratio, strict=True):
        year = int(others.years[b])
        out.rows.append(
            (
                int(a),
                "same_place_patch",
                int(others.ids[b]),
                None,
                others.codes[b],
                year,
                float(m2),
                float(ratio),
            )
        )
        if year < years[a]:
            out.earlier.setdefault(int(a), []).append(others.codes[b])
    return out


def _int_or_none(v: Any) -> int | None:
    try:
        return int(v)
    except (TypeError, ValueError):
        return None
