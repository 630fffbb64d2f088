"""Flags on a suggested 违法: crime and discipline thresholds, 新增农村乱占耕地建房 candidates.

Each threshold is read with the value in force on the judging date; a threshold not yet in
force on that date is skipped (and the trace says so).
"""

from __future__ import annotations

from weipian.rules.trace import Ctx, mu, sqm

__all__ = ["illegal_flags"]


def illegal_flags(ctx: Ctx) -> None:
    """Raise the flags a suggested 违法 may carry, with their reasons.

    >>> from datetime import date
    >>> from weipian.rules import judge, load_rules
    >>> from weipian.rules.model import PatchFacts
    >>> f = PatchFacts.simple("T", 8000.0, "YH", farmland_m2=7000.0, basic_farmland_m2=3400.0)
    >>> sorted(judge(f, load_rules(), on=date(2024, 3, 1)).flags)
    ['crime_threshold', 'discipline_threshold']
    """
    _crime(ctx)
    _discipline(ctx)
    _farmland_housing(ctx)


def _areas(ctx: Ctx) -> tuple[float, float, float]:
    """(永久基本农田, other 耕地, other land) in m² for threshold tests."""
    f = ctx.facts
    basic = f.basic_farmland_m2 or 0.0
    farmland = f.farmland_m2 or 0.0
    return basic, max(0.0, farmland - basic), max(0.0, f.area_m2 - max(farmland, basic))


def _over(ctx: Ctx, name: str, area: float, code: str, flag: str) -> None:
    if not ctx.rules.in_force(name, ctx.on):
        ctx.t.step(f"{name}: not in force on {ctx.on}")
        return
    limit = ctx.rules.threshold(name, ctx.on)
    hit = area >= limit.value
    ctx.t.step(f"{name}: {sqm(area)} m2 ({mu(area)} mu) ≥ {limit} → {hit}")
    if hit:
        ctx.t.reason(code, area_mu=mu(area), min_mu=mu(limit.value))
        ctx.t.flag(flag)


def _crime(ctx: Ctx) -> None:
    basic, farmland, _ = _areas(ctx)
    _over(ctx, "crime_basic_farmland_min", basic, "threshold.crime_basic_farmland", "crime_threshold")
    _over(ctx, "crime_farmland_min", farmland, "threshold.crime_farmland", "crime_threshold")


def _discipline(ctx: Ctx) -> None:
    basic, farmland, other = _areas(ctx)
    flag = "discipline_threshold"
    _over(ctx, "discipline_basic_farmland_min", basic, "threshold.discipline_basic_farmland", flag)
    _over(ctx, "discipline_farmland_min", farmland, "threshold.discipline_farmland", flag)
    _over(ctx, "discipline_other_land_min", other, "threshold.discipline_other_land", flag)


def _farmland_housing(ctx: Ctx) -> None:
    f, t, r, on = ctx.facts, ctx.t, ctx.rules, ctx.on
    if not r.in_force("farmland_housing_cutoff", on):
        t.step(f"farmland housing: rule not in force on {on}")
        return
    table = ctx.tables.farmland_housing
    if ctx.group not in table["change_groups"] or not ctx.touches(f.farmland_m2):
        return
    urban = sum(a for c, a in f.settlement_m2.items() if c in table["urban_settlement_codes"]) / f.area_m2
    if urban > table["urban_share_max"]:
        t.step(
            f"farmland housing: {round(urban * 100, 1)}% in urban settlement codes > {table['urban_share_max']} → not rural"
        )
        return
    baseline = r.whole("farmland_housing_baseline", on)
    old = [p for p in f.prior if p.year is not None and p.year <= baseline]
    if old:
        t.step(f"farmland housing: same place judged in {old[0].year} ≤ baseline {baseline} → old stock")
        t.reason("farmland_housing.before_baseline", code=old[0].code, year=old[0].year, baseline=baseline)
        return
    cutoff = r.date_value("farmland_housing_cutoff", on)
    if f.after_date is not None and f.after_date < cutoff:
        t.step(f"farmland housing: HSX {f.after_date} before cut-off {cutoff} → not new")
        t.reason(
            "farmland_housing.before_cutoff", after_date=f.after_date.isoformat(), cutoff=cutoff.isoformat()
        )
        return
    t.step(
        f"farmland housing: building on farmland {sqm(f.farmland_m2 or 0)} m2, cut-off {cutoff} → candidate"
    )
    t.reason("farmland_housing.candidate", farmland_m2=sqm(f.farmland_m2 or 0), cutoff=cutoff.isoformat())
    t.flag("farmland_housing_candidate")
    if f.before_date is None or f.before_date < cutoff:
        t.step(f"farmland housing: QSX {f.before_date} not after cut-off {cutoff} → check build date")
        t.reason(
            "farmland_housing.check_build_date", before_date=str(f.before_date), cutoff=cutoff.isoformat()
        )
        t.flag("check_build_date")
