"""The mineral suggestion made on the same patch (一图两用、地矿同核).

A patch is a mineral patch when its TBLX is mining (采矿), it meets a mining licence, or it
lies on 采矿用地. Inside a valid licence → 持证开采; straddling a valid licence → 越界开采;
an invalid licence → 无证开采; outside every licence with TBLX 采矿 → 无证开采 (存疑 when the
land is covered by a construction approval or supply: check for 工程施工), otherwise 非开采. Without the ``mining_right`` layer (or the licence's validity) → 存疑.
"""

from __future__ import annotations

from weipian.domain.mining import MEETS_LICENCE, MiningStatus
from weipian.rules.trace import Ctx, mu, sqm

__all__ = ["judge_mineral"]


def _involved(ctx: Ctx) -> bool:
    f, table = ctx.facts, ctx.tables.mining
    if f.change_type in table["change_types"] or f.mining_status in MEETS_LICENCE:
        return True
    on_mining_land = sum(a for c, a in f.land_classes.items() if c in table["land_classes"])
    return ctx.touches(on_mining_land)


def judge_mineral(ctx: Ctx, military: bool, *, legal: bool = False, temporary: bool = False) -> str | None:
    """The mineral label for the patch, or None when it is not a mineral patch. ``legal``: the
    land is covered by a construction approval or supply; ``temporary``: by a 临时用地 only.

    >>> from datetime import date
    >>> from weipian.rules import judge, load_rules
    >>> from weipian.rules.model import PatchFacts
    >>> f = PatchFacts.simple("K1", 3000.0, "CK", mining_status="outside")
    >>> judge(f, load_rules(), on=date(2024, 6, 1)).mineral_verdict
    '无证开采'
    """
    f, t = ctx.facts, ctx.t
    label = ctx.tables.labels["mineral"]
    if not _involved(ctx):
        return None
    if military:
        t.step("trace.mineral_military")
        return label["false_change"]
    strategic = [m for m in ctx.tables.priority["strategic_minerals"] if m in (f.mining_mineral or "")]
    if strategic:
        t.reason("priority.strategic_mineral", mineral=f.mining_mineral, strategic="、".join(strategic))
        t.flag("strategic_mineral")
    if ctx.missing_reason(ctx.tables.inputs["mineral"], "mineral"):
        return label["doubtful"]
    status, valid, mining = (
        f.mining_status,
        f.mining_valid,
        f.change_type in ctx.tables.mining["change_types"],
    )
    t.step("trace.mineral_licence", status=status or "unknown", valid=valid, mining=mining)
    if status in MEETS_LICENCE:
        if valid is None:
            t.reason("mining.validity_unknown")
            return label["doubtful"]
        if not valid:
            t.reason("mining.licence_invalid", mining_status=status)
            return _field_check(ctx, label["unlicensed"], f.area_m2)
        if status == MiningStatus.inside:
            t.reason("mining.licensed")
            return label["licensed"]
        outside = f.mining_outside_m2 if f.mining_outside_m2 is not None else f.area_m2
        t.reason("mining.out_of_bounds", outside_m2=sqm(outside))
        return _field_check(ctx, label["out_of_bounds"], outside)
    if status == MiningStatus.outside:
        if mining and legal:
            # Digging inside an approved or supplied project is usually 工程施工, not mining; a
            # person checks whether minerals were taken away for sale.
            t.reason("mining.check_construction", change_type=f.change_type, change_name=ctx.change_name)
            return label["doubtful"]
        if mining and temporary:
            # A 临时用地 serves construction works or surveys, never mining: a person checks which.
            t.reason("mining.check_temporary", change_type=f.change_type, change_name=ctx.change_name)
            return label["doubtful"]
        if mining:
            t.reason("mining.unlicensed", change_type=f.change_type, change_name=ctx.change_name)
            return _field_check(ctx, label["unlicensed"], f.area_m2)
        t.reason("mining.not_mining", change_type=f.change_type, change_name=ctx.change_name)
        return label["non_mining"]
    t.reason("mining.status_unknown", status=status)
    return label["doubtful"]


def _field_check(ctx: Ctx, verdict: str, area: float) -> str:
    """Flag suspected illegal mining at or above the provincial field-check area."""
    r, on, t = ctx.rules, ctx.on, ctx.t
    if r.parent("mineral_verdict", verdict, on) != ctx.tables.mining["illegal_class"]:
        return verdict
    if not r.in_force("mineral_field_check_min", on):
        t.step("trace.mineral_not_in_force", on=on.isoformat())
        return verdict
    limit = r.threshold("mineral_field_check_min", on)
    hit = area >= limit.value
    t.step("trace.mineral_field_check", area_m2=sqm(area), area_mu=mu(area), limit=limit.written, hit=hit)
    if hit:
        t.reason("threshold.mineral_field_check", area_mu=mu(area), min_mu=mu(limit.value))
        t.flag("mineral_field_check")
    return verdict
