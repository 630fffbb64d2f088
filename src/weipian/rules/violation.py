"""Flags on a suggested 违法: crime and discipline thresholds, 新增农村乱占耕地建房 candidates.

Each threshold is read with the value in force on the judging date; a threshold not yet in
force on that date is skipped (and the trace says so).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from weipian.rules.model import ApprovalFact, PatchFacts
from weipian.rules.trace import Ctx, mu, pct, sqm

if TYPE_CHECKING:
    from weipian.rules.ruleset import RuleSet

__all__ = ["determined_flags", "illegal_flags"]


def illegal_flags(ctx: Ctx) -> None:
    """Raise the flags a suggested 违法 may carry, with their reasons.

    >>> from datetime import date
    >>> from weipian.rules import judge, load_rules
    >>> from weipian.rules.model import PatchFacts
    >>> f = PatchFacts.simple("T", 8000.0, "YH", farmland_m2=7000.0, basic_farmland_m2=3400.0)
    >>> sorted(judge(f, load_rules(), on=date(2024, 3, 1)).flags)
    ['crime_threshold']
    >>> sorted(judge(f, load_rules(), on=date(2007, 3, 1)).flags)  # the 2000 tiers, before 15号令
    ['crime_threshold', 'discipline_threshold']
    """
    areas = _areas(ctx)
    _crime(ctx, areas)
    _discipline(ctx, areas)
    _farmland_housing(ctx)


def _areas(ctx: Ctx) -> tuple[float, float, float]:
    """(永久基本农田, 耕地 outside 永农, other land) in m² for threshold tests.

    永农 is not a part of 耕地: since 三调 much of it is 园地, 林地, 坑塘 or 可调整地类, so it may
    exceed 耕地. 耕地 outside 永农 is measured by the desk comparison; when it was not, the
    smallest it can be (耕地 − 永农, at least 0) is used and the trace says so.
    """
    f = ctx.facts
    basic = f.basic_farmland_m2 or 0.0
    farmland = f.farmland_m2 or 0.0
    if f.farmland_outside_basic_m2 is not None:
        outside = min(f.farmland_outside_basic_m2, farmland)
    else:
        outside = max(0.0, farmland - basic)
        ctx.t.step("trace.farmland_lower_bound", outside_m2=sqm(outside))
    return basic, outside, max(0.0, f.area_m2 - basic - outside)


def _over(ctx: Ctx, name: str, area: float, code: str, flag: str) -> None:
    if not ctx.rules.in_force(name, ctx.on):
        ctx.t.step("trace.threshold_not_in_force", name=ctx.rules.title(name), on=ctx.on.isoformat())
        return
    limit = ctx.rules.threshold(name, ctx.on)
    hit = area >= limit.value
    ctx.t.step(
        "trace.threshold", name=ctx.rules.title(name), area_m2=sqm(area), area_mu=mu(area), limit=limit.written,
        hit=hit,
    )  # fmt: skip
    if hit:
        ctx.t.reason(code, area_mu=mu(area), min_mu=mu(limit.value))
        ctx.t.flag(flag)


def _crime(ctx: Ctx, areas: tuple[float, float, float]) -> None:
    basic, farmland, _ = areas
    if ctx.group in ctx.tables.crime["needs_finding_groups"]:
        # 立案追诉 needs a change of use and damage to 耕地; earthworks alone are not evidence of
        # either, so the flag waits for a person's finding.
        limits = (("crime_basic_farmland_min", basic), ("crime_farmland_min", farmland))
        hit = [
            n
            for n, a in limits
            if ctx.rules.in_force(n, ctx.on) and a >= ctx.rules.threshold(n, ctx.on).value
        ]
        ctx.t.step(
            "trace.crime_earthwork",
            change_name=ctx.change_name,
            reached="、".join(ctx.rules.title(n) for n in hit) or "—",
        )
        if hit:
            ctx.t.reason(
                "threshold.crime_needs_finding",
                change_type=ctx.facts.change_type,
                change_name=ctx.change_name,
            )
        return
    _over(ctx, "crime_basic_farmland_min", basic, "threshold.crime_basic_farmland", "crime_threshold")
    _over(ctx, "crime_farmland_min", farmland, "threshold.crime_farmland", "crime_threshold")


def _discipline(ctx: Ctx, areas: tuple[float, float, float]) -> None:
    basic, farmland, other = areas
    flag = "discipline_threshold"
    _over(ctx, "discipline_basic_farmland_min", basic, "threshold.discipline_basic_farmland", flag)
    _over(ctx, "discipline_farmland_min", farmland, "threshold.discipline_farmland", flag)
    _over(ctx, "discipline_other_land_min", other, "threshold.discipline_other_land", flag)


def _farmland_housing(ctx: Ctx) -> None:
    f, t, r, on = ctx.facts, ctx.t, ctx.rules, ctx.on
    if not r.in_force("farmland_housing_cutoff", on):
        t.step("trace.housing_not_in_force", on=on.isoformat())
        return
    table = ctx.tables.farmland_housing
    if ctx.group not in table["change_groups"] or not ctx.touches(f.farmland_m2):
        return
    excluded = _housing_exclusion(ctx, table)
    if excluded is not None:
        code, params = excluded
        t.step("trace.housing_excluded")
        t.reason(code, **params)
        return
    cutoff = r.date_value("farmland_housing_cutoff", on)
    if f.after_date is not None and f.after_date < cutoff:
        t.step("trace.housing_before_cutoff", after_date=f.after_date.isoformat(), cutoff=cutoff.isoformat())
        t.reason(
            "farmland_housing.before_cutoff", after_date=f.after_date.isoformat(), cutoff=cutoff.isoformat()
        )
        return
    t.step("trace.housing_candidate", farmland_m2=sqm(f.farmland_m2 or 0), cutoff=cutoff.isoformat())
    t.reason("farmland_housing.candidate", farmland_m2=sqm(f.farmland_m2 or 0), cutoff=cutoff.isoformat())
    t.flag("farmland_housing_candidate")
    if f.before_date is None or f.before_date < cutoff:
        t.step(
            "trace.housing_check_build_date", before_date=str(f.before_date or "—"), cutoff=cutoff.isoformat()
        )
        t.reason(
            "farmland_housing.check_build_date", before_date=str(f.before_date), cutoff=cutoff.isoformat()
        )
        t.flag("check_build_date")


def _housing_exclusion(ctx: Ctx, table: Mapping[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """Why the patch is not a 农村乱占耕地建房 candidate (reason code and parameters), or None.

    New or old stock follows when it was built (前/后时相, a person's build date), never whether
    an earlier patch at the spot was judged: that patch may have been another change.
    """
    f, r, on = ctx.facts, ctx.rules, ctx.on
    urban = sum(a for c, a in f.settlement_m2.items() if c in table["urban_settlement_codes"]) / f.area_m2
    if urban > table["urban_share_max"]:
        return "farmland_housing.urban", {"ratio_pct": pct(urban)}
    if f.township_kind is not None and f.township_kind in table["excluded_township_kinds"]:
        return "farmland_housing.street", {"kind": f.township_kind}
    if f.dev_inside_m2 is not None and f.dev_inside_m2 / f.area_m2 > table["dev_boundary_share_max"]:
        return "farmland_housing.dev_boundary", {"ratio_pct": pct(f.dev_inside_m2 / f.area_m2)}
    covered = min(1.0, sum(a.ratio for a in f.approvals if _in_force_at_hsx(a, f, table)))
    if covered > table["approval_share_max"]:
        return "farmland_housing.approved", {"ratio_pct": pct(covered)}
    if r.in_force("farmland_housing_area_max", on):
        limit = r.threshold("farmland_housing_area_max", on)
        if f.area_m2 > limit.value:
            return "farmland_housing.too_large", {"area_mu": mu(f.area_m2), "max_mu": mu(limit.value)}
    return None


def _in_force_at_hsx(a: ApprovalFact, f: PatchFacts, table: Mapping[str, Any]) -> bool:
    if a.kind not in table["approval_kinds"] or f.after_date is None:
        return False
    if a.valid_from is not None and a.valid_to is not None and a.kind == "temporary_use":
        return a.valid_from <= f.after_date <= a.valid_to
    return a.doc_date is not None and a.doc_date <= f.after_date


def determined_flags(
    rules: RuleSet, on: date, *, illegal_m2: float, farmland_m2: float | None, basic_farmland_m2: float | None
) -> list[tuple[str, str, dict[str, float]]]:
    """The crime and discipline flags the areas of a person's 违法 determination reach, as
    (flag, reason code, reason parameters) — the same thresholds as the judge's flags, for the
    case register's suggestions (a person has already found the change, so no earthwork rule).

    >>> from weipian.rules import load_rules
    >>> [f for f, _, _ in determined_flags(load_rules(), date(2024, 1, 1), illegal_m2=8000,
    ...                                    farmland_m2=7000, basic_farmland_m2=0)]
    ['crime_threshold']
    """
    basic = basic_farmland_m2 or 0.0
    outside = max(0.0, (farmland_m2 or 0.0) - basic)  # 永农 is no part of 耕地 (see _areas)
    other = max(0.0, illegal_m2 - basic - outside)
    checks = (
        ("crime_basic_farmland_min", basic, "threshold.crime_basic_farmland", "crime_threshold"),
        ("crime_farmland_min", outside, "threshold.crime_farmland", "crime_threshold"),
        (
            "discipline_basic_farmland_min",
            basic,
            "threshold.discipline_basic_farmland",
            "discipline_threshold",
        ),
        ("discipline_farmland_min", outside, "threshold.discipline_farmland", "discipline_threshold"),
        ("discipline_other_land_min", other, "threshold.discipline_other_land", "discipline_threshold"),
    )
    out = []
    for name, area, code, flag in checks:
        if rules.in_force(name, on) and area >= (limit := rules.threshold(name, on).value):
            out.append((flag, code, {"area_mu": mu(area), "min_mu": mu(limit)}))
    return out
