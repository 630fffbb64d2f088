"""``weipian export ministry|province``: the filing fields the platforms want, per patch.

Ministry patches go to the ministry file, provincial ones to the province's; restricted
(military) patches never. A split patch is delivered as 被拆分 (图斑状态 TBZT) with no filing of
its own, each part as 拆分 with its 拆分状态 (CFZT) and the split patch's identifier (YJCBH). Before anything is written every patch is checked for the fields
its filing needs; unless forced, one missing field anywhere means no file at all.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from sqlalchemy import select
from sqlalchemy.orm import aliased

from weipian.domain.delivery import (
    DELIVERY_FIELDS,
    FIELD_LABELS,
    SPLIT_PARENT,
    SPLIT_PART,
    identifier_fields,
    missing_fields,
)
from weipian.errors import InputError
from weipian.io.delivery import DELIVERY_FORMATS, write_delivery
from weipian.messages import message
from weipian.rules import RuleSet
from weipian.services.export import fields_of
from weipian.storage.patches import filter_batch, withheld_from_export
from weipian.storage.store import Store
from weipian.storage.tables import (
    attachments,
    batches,
    patch_facts,
    patch_splits,
    patches,
    suggestions,
    townships,
)
from weipian.storage.workflow import latest_determinations

PLATFORMS = ("ministry", "province")  # the platforms a filing goes to (labels: messages SOURCE_LABELS)
# The filing fields that are the result export's own (services/export.FIELDS: same meaning,
# column and rounding); the rest are built below.
SHARED = ("JCBH", "XZQDM", "XZQMC", "XZDM", "XZMC", "PC", "NF", "TBLX", "QSX", "HSX", "LZB", "BZB", "JCMJ", "GDMJ",
          "YJJBNTMJ", "STHXMJ", "NYDMJ", "JSYDMJ", "WLYDMJ", "PZWH", "YPJG", "PDJG", "ZT")  # fmt: skip


@dataclass(frozen=True)
class Incomplete:
    """One patch whose filing leaves required fields blank."""

    code: str
    fields: tuple[str, ...]

    @property
    def labels(self) -> list[str]:
        return [FIELD_LABELS[f] for f in self.fields]


@dataclass
class DeliverySummary:
    path: Path
    format: str
    platform: str
    patches: int
    restricted_left_out: int
    incomplete: list[Incomplete] = field(default_factory=list)
    written: bool = False


def _r2(v: Any) -> float | None:
    return None if v is None else round(float(v), 2)


def _yes(v: Any) -> str | None:
    return None if v is None else ("是" if v else "否")


def _approvals(data: dict[str, Any]) -> str | None:
    parts = [
        f"{a.get('route') or ''}:{a.get('doc_no') or ''}:{a.get('ratio_pct') if a.get('ratio_pct') is not None else ''}%"
        for a in data.get("approvals") or []
    ]
    return "；".join(parts) or None


def _reasons(reasons: Any) -> str | None:
    texts = [message(r["code"], **dict(r.get("params") or {})) for r in reasons or [] if isinstance(r, dict)]
    return "；".join(texts) or None


def delivery_rows(
    store: Store, platform: str, rules: RuleSet, *, on: dt.date, batch: str | None = None
) -> tuple[list[dict[str, Any]], list[bytes], int]:
    """The rows for ``platform`` (DELIVERY_FIELDS plus a helper class), their WKB, restricted count."""
    det = latest_determinations()
    with store.reading() as session:
        query = (
            select(
                patches.c.id, patches.c.patch_code, patches.c.admin_code, patches.c.admin_name,
                patches.c.township_code, townships.c.name.label("town_name"), batches.c.name.label("batch_name"),
                batches.c.id_field, patches.c.year, patches.c.change_type, patches.c.before_date, patches.c.after_date,
                patches.c.lon, patches.c.lat, patches.c.area_m2, patches.c.state, patches.c.is_mining,
                patches.c.wkb, patch_facts.c.run_id, patch_facts.c.area_m2.label("fact_area_m2"),
                patch_facts.c.farmland_m2, patch_facts.c.basic_farmland_m2, patch_facts.c.eco_redline_m2,
                patch_facts.c.agri_m2, patch_facts.c.construction_m2, patch_facts.c.unused_m2,
                patch_facts.c.approval_no, patch_facts.c.approval_ratio,
                patch_facts.c.is_mining.label("fact_is_mining"),
                withheld_from_export().label("restricted"),
                suggestions.c.verdict.label("ypjg"), suggestions.c.reasons, suggestions.c.flags,
                det.c.verdict.label("pdjg"), det.c.violation_type.label("wflx"), det.c.data,
            )
            .join(batches, batches.c.id == patches.c.batch_id)
            .outerjoin(townships, townships.c.code == patches.c.township_code)
            .outerjoin(patch_facts, patch_facts.c.patch_id == patches.c.id)
            .outerjoin(suggestions, suggestions.c.patch_id == patches.c.id)
            .outerjoin(det, det.c.patch_id == patches.c.id)
            .where(patches.c.source == platform)
            .order_by(patches.c.id)
        )  # fmt: skip
        rows = session.execute(filter_batch(session, query, batch)).all()
        # 图斑拆分: part id → (the parent's JCBH, 拆分状态); the parents' ids.
        parent = aliased(patches)
        part_of = {
            r.child_patch_id: (r.parent_code, r.split_status)
            for r in session.execute(
                select(
                    patch_splits.c.child_patch_id,
                    patch_splits.c.split_status,
                    parent.c.patch_code.label("parent_code"),
                ).join(parent, parent.c.id == patch_splits.c.parent_patch_id)
            )
        }
        split = set(session.scalars(select(patch_splits.c.parent_patch_id)))
        files: dict[int, list[str]] = {}
        for pid, stored in session.execute(
            select(attachments.c.patch_id, attachments.c.stored_name).order_by(attachments.c.id)
        ):
            files.setdefault(pid, []).append(f"evidence/{stored}")
    kept = [r for r in rows if not (r.restricted or "restricted" in (r.flags or []))]
    out = []
    for r in kept:
        data: dict[str, Any] = r.data or {}
        mineral = data.get("mineral_verdict")
        mineral_class = None
        if mineral:
            canonical = rules.normalise("mineral_verdict", mineral, on)
            mineral_class = rules.parent("mineral_verdict", canonical, on) if canonical else None
        is_new = data.get("is_new")
        illegal = r.pdjg == "违法"
        out.append(
            {
                **fields_of(r, SHARED),
                # Where a filing field differs from the result export's it must, for the platforms'
                # format (domain/delivery.DELIVERY_FIELDS): a filing reports what was determined, so
                # SFSK takes the determination first, WFLX and the illegal areas are given only for
                # 违法 and under the platforms' names (WFGDMJ, WFJBNTMJ), PZBL is rounded like every
                # filed figure (AREA_FIELDS); the other fields the result export does not carry.
                "PZBL": _r2(r.approval_ratio),
                "SFSK": ("是" if data.get("is_mining") else None) or r.fact_is_mining or r.is_mining,
                "YPLY": _reasons(r.reasons), "PDXL": data.get("subtype"),
                "WFLX": r.wflx if illegal else None,
                "WFMJ": _r2(data.get("illegal_area_m2")) if illegal else None,
                "WFGDMJ": _r2(data.get("farmland_area_m2")) if illegal else None,
                "WFJBNTMJ": _r2(data.get("basic_farmland_area_m2")) if illegal else None,
                "XZCL": None if is_new is None else ("新增" if is_new else "存量"),
                "SFLZGD": _yes(data.get("farmland_housing")) if r.pdjg else None,
                "LZLB": data.get("farmland_housing_class"), "KCPDJG": mineral,
                "KCCLFS": data.get("mineral_handling"), "HFSX": _approvals(data), "RDYJ": data.get("opinion"),
                "XMMC": data.get("project_name"), "XMZT": data.get("project_owner"),
                "JZCL": "；".join(files.get(r.id, [])) or None,
                "TBZT": SPLIT_PARENT if r.id in split else SPLIT_PART if r.id in part_of else None,
                "CFZT": part_of[r.id][1] if r.id in part_of else None,
                "YJCBH": part_of[r.id][0] if r.id in part_of else None,
                "KCPDJG_CLASS": mineral_class, "ID_FIELD": r.id_field,
            }
        )  # fmt: skip
    return out, [r.wkb for r in kept], len(rows) - len(kept)


def export_delivery(
    store: Store,
    path: Path,
    *,
    platform: str,
    fmt: str,
    rules: RuleSet,
    on: dt.date,
    batch: str | None = None,
    force: bool = False,
) -> DeliverySummary:
    """Check every patch, then write the file (or nothing: ``delivery.incomplete`` lists the gaps)."""
    if platform not in PLATFORMS:
        raise InputError("delivery.source", platform=platform)
    if fmt not in DELIVERY_FORMATS:
        raise InputError("export.format", format=fmt, formats="、".join(DELIVERY_FORMATS))
    rows, wkbs, restricted = delivery_rows(store, platform, rules, on=on, batch=batch)
    if not rows:
        raise InputError(
            "delivery.nothing",
            platform=platform,
            batch_note={"code": "document.batch_note", "params": {"batch": batch}} if batch else "",
        )
    incomplete = [Incomplete(r["JCBH"], tuple(m)) for r in rows if (m := missing_fields(r))]
    summary = DeliverySummary(Path(path), fmt, platform, len(rows), restricted, incomplete)
    if incomplete and not force:
        raise InputError(
            "delivery.incomplete",
            count=len(incomplete),
            missing=[{"JCBH": i.code, "fields": list(i.fields), "labels": i.labels} for i in incomplete],
        )
    # The identifier goes back under the name its batch delivered it with (INTERFACE.md).
    codes = [r["JCBH"] for r in rows]
    ids = {name: list(codes) for name in identifier_fields(r["ID_FIELD"] for r in rows)}
    columns = {**ids, **{name: [r[name] for r in rows] for name, _ in DELIVERY_FIELDS if name != "JCBH"}}
    geoms = shapely.from_wkb(wkbs) if wkbs else np.zeros(0, dtype=object)
    title = message(
        "document.title.delivery", platform=platform, batch=batch or {"code": "document.all_batches"}
    )
    write_delivery(Path(path), fmt, columns, geoms, title=title, layer=f"{platform}_delivery")
    summary.written = True
    return summary
