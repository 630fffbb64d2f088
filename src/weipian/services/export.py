"""``weipian export results`` and the web list export: per-patch results with INTERFACE.md field
names, one column mapping for both (:func:`result_columns`).

Patches on military land (restricted) never leave through an export, nor do patches never
checked against a military layer; their number is reported.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from weipian.domain.sources import Source
from weipian.domain.workflow import STATE_LABELS, State
from weipian.errors import InputError
from weipian.io.exports import FORMATS, RESULT_FIELDS, write_results
from weipian.messages import message
from weipian.messages.labels import MINING_STATUS_LABELS
from weipian.storage.patches import filter_batch, withheld_from_export
from weipian.storage.store import Store
from weipian.storage.tables import batches, patch_facts, patches, suggestions, townships
from weipian.storage.workflow import latest_determinations


@dataclass
class ExportSummary:
    path: Path
    format: str
    patches: int
    restricted_left_out: int  # restricted, or never checked against a military layer
    not_analysed: int
    military_unchecked: int = 0  # held back: imported before any military layer existed


def export_results(store: Store, path: Path, *, fmt: str, batch: str | None = None) -> ExportSummary:
    """Write every (unrestricted) patch, or one batch's, with its latest desk-comparison figures."""
    if fmt not in FORMATS:
        raise InputError("export.format", format=fmt, formats="、".join(FORMATS))
    with store.reading() as session:
        rows = session.execute(filter_batch(session, _results_query(), batch)).all()
    kept = [r for r in rows if not r.withheld]
    columns = _columns(kept)
    geoms = shapely.from_wkb([r.wkb for r in kept]) if kept else np.zeros(0, dtype=object)
    title = message("document.title.results", batch=batch or {"code": "document.all_batches"})
    write_results(Path(path), fmt, columns, geoms, title)
    return ExportSummary(
        path=Path(path),
        format=fmt,
        patches=len(kept),
        restricted_left_out=len(rows) - len(kept),
        military_unchecked=sum(1 for r in rows if r.military_layer_id is None),
        not_analysed=sum(1 for r in kept if r.run_id is None),
    )


def result_columns(session: Session, ids: Sequence[int]) -> dict[str, list[Any]]:
    """The export columns of the patches ``ids``, in that order (the web list export: its ids
    come filtered and scoped from the list, withheld patches already left out)."""
    found: dict[int, Any] = {}
    for start in range(0, len(ids), 1000):
        part = list(ids[start : start + 1000])
        found.update((r.id, r) for r in session.execute(_results_query().where(patches.c.id.in_(part))))
    return _columns([found[i] for i in ids if i in found and not found[i].withheld])


def _results_query() -> Select[Any]:
    """Every patch with its latest desk-comparison figures, suggestion and current determination."""
    det = latest_determinations()
    return (
        select(
            patches,
            *[
                c
                for c in patch_facts.c
                if c.name not in ("patch_id", "area_m2", "area_method", "is_mining", "restricted")
            ],
            patch_facts.c.area_m2.label("fact_area_m2"),
            patch_facts.c.area_method.label("fact_area_method"),
            patch_facts.c.is_mining.label("fact_is_mining"),
            batches.c.name.label("batch_name"),
            townships.c.name.label("town_name"),
            suggestions.c.verdict.label("ypjg"),
            det.c.verdict.label("pdjg"),
            det.c.violation_type.label("wflx"),
            withheld_from_export().label("withheld"),
            det.c.data.label("det_data"),
        )
        .join(batches, batches.c.id == patches.c.batch_id)
        .outerjoin(patch_facts, patch_facts.c.patch_id == patches.c.id)
        .outerjoin(townships, townships.c.code == patches.c.township_code)
        .outerjoin(suggestions, suggestions.c.patch_id == patches.c.id)
        .outerjoin(det, det.c.patch_id == patches.c.id)
        .order_by(patches.c.id)
    )


def _round(v: Any) -> Any:
    return None if v is None else round(float(v), 2)


def _filed(r: Any, key: str) -> Any:
    return _round((r.det_data or {}).get(key))


# One definition of each field that means the same thing wherever a patch leaves weipian: the
# result export (xlsx, GeoPackage, shapefile, and the web list's xlsx), the platform filings
# (services/delivery.py) and the offline determination sheet (services/sheets.py) take these
# getters by name. A row needs the attributes a getter reads: patches' columns, the desk figures
# (patch_facts, ``fact_area_m2`` for its area), ``batch_name``, ``town_name``, ``ypjg``, ``pdjg``.
FIELDS: dict[str, Callable[[Any], Any]] = {
    "JCBH": lambda r: r.patch_code,
    # As delivered (a ministry package often carries only the county's 6 digits); the
    # township weipian derived from the boundaries has its own fields.
    "XZQDM": lambda r: r.admin_code,
    "XZQMC": lambda r: r.admin_name,
    "XZDM": lambda r: r.township_code,
    "XZMC": lambda r: r.town_name,
    "LY": lambda r: Source(r.source).label,
    "PC": lambda r: r.batch_name,
    "NF": lambda r: r.year,  # the monitoring year (filings and the determination sheet)
    "TBLX": lambda r: r.change_type,
    "QSX": lambda r: r.before_date,
    "HSX": lambda r: r.after_date,
    "LZB": lambda r: round(r.lon, 7),
    "BZB": lambda r: round(r.lat, 7),
    # JCMJ by the analysis method when analysed, else the intake figure.
    "JCMJ": lambda r: _round(r.fact_area_m2 if r.run_id is not None else r.area_m2),
    "GDMJ": lambda r: _round(r.farmland_m2),
    "YJJBNTMJ": lambda r: _round(r.basic_farmland_m2),
    "STHXMJ": lambda r: _round(r.eco_redline_m2),
    "NYDMJ": lambda r: _round(r.agri_m2),
    "JSYDMJ": lambda r: _round(r.construction_m2),
    "WLYDMJ": lambda r: _round(r.unused_m2),
    "PZWH": lambda r: r.approval_no,
    "YPJG": lambda r: r.ypjg,
    "PDJG": lambda r: r.pdjg,
    "ZT": lambda r: STATE_LABELS[State(r.state)],
}


def fields_of(r: Any, names: Sequence[str]) -> dict[str, Any]:
    """The shared fields ``names`` of one row."""
    return {name: FIELDS[name](r) for name in names}


def _columns(rows: list[Any]) -> dict[str, list[Any]]:
    """The one mapping of result rows to INTERFACE.md fields (RESULT_FIELDS order)."""
    get: dict[str, Any] = {
        **FIELDS,
        "WDGDMJ": lambda r: _round(r.stable_farmland_m2),  # a priority of the work plan
        "PZBL": lambda r: r.approval_ratio,
        "SFSK": lambda r: r.fact_is_mining or r.is_mining,
        "KQWZ": lambda r: MINING_STATUS_LABELS.get(r.mining_status or ""),
        "TYWZJCTBWQBH": lambda r: r.same_place_codes,
        "WFLX": lambda r: r.wflx,
        # The person's filed areas: their own names, never GDMJ/YJJBNTMJ (the desk figures).
        "WFMJ": lambda r: _filed(r, "illegal_area_m2"),
        "WFZYGDMJ": lambda r: _filed(r, "farmland_area_m2"),
        "WFZYJBNTMJ": lambda r: _filed(r, "basic_farmland_area_m2"),
        "MJFF": lambda r: r.fact_area_method if r.run_id is not None else r.area_method,
        "SFGQ": lambda r: None if r.run_id is None else ("是" if r.stale else "否"),
    }
    return {name: [get[name](r) for r in rows] for name, _ in RESULT_FIELDS}


def withheld_ids(session: Session, ids: Sequence[int]) -> set[int]:
    """Which of the patches ``ids`` no download may contain (military-restricted, or never checked
    against a military layer): the web lists' exports drop them."""
    if not ids:
        return set()
    query = select(patches.c.id).where(patches.c.id.in_(list(ids)), withheld_from_export())
    return set(session.scalars(query))
