"""The judging engine: a patch's facts → a suggestion (预判) with reasons, flags and a trace.

Steps, in order (a provincial engine's order): 军事用地 → 伪变化; 合法 (a legal route covers
the patch); 设施农用地; 农村道路; 其他 (出入口, 边角细缝, then the data-defined sub-types);
违法 as the fallback. The mineral suggestion is made alongside (一图两用). A step whose
inputs are missing answers 存疑. Rules never decide: a person makes the determination.
"""

from __future__ import annotations

import math
from datetime import date

from weipian.rules.approvals import Coverage, assess_approvals
from weipian.rules.mineral import judge_mineral
from weipian.rules.model import Judgement, PatchFacts
from weipian.rules.ruleset import RuleSet
from weipian.rules.tables import Condition
from weipian.rules.trace import Ctx, Outcome, Tracer, layer_text, mu, pct, sqm
from weipian.rules.violation import illegal_flags

__all__ = ["judge"]


def judge(facts: PatchFacts, rules: RuleSet, *, on: date) -> Judgement:
    """Suggest a land (and mineral) classification for one patch with the rules in force ``on``.

    >>> from datetime import date
    >>> from weipian.rules import load_rules
    >>> from weipian.rules.model import ApprovalFact, PatchFacts
    >>> a = ApprovalFact("conversion_approval", "闽政地〔2021〕88号", date(2021, 3, 1), None, None, 0.96)
    >>> f = PatchFacts.simple("T1", 900.0, "20", after_date=date(2024, 5, 1), approvals=(a,))
    >>> j = judge(f, load_rules(), on=date(2024, 6, 1))
    >>> j.verdict, j.subtype, j.reason_codes
    ('合法', '用地审批', ('approval.covered',))
    >>> g = PatchFacts.simple("T2", 900.0, "20", farmland_m2=900.0, before_date=date(2024, 1, 2),
    ...                       after_date=date(2024, 5, 1))
    >>> j = judge(g, load_rules(), on=date(2024, 6, 1))
    >>> j.verdict, sorted(j.flags)
    ('违法', ['farmland_housing_candidate'])
    """
    tables = rules.tables(on)
    t = Tracer()
    change = tables.change_types.get(facts.change_type or "")
    ctx = Ctx(
        facts, rules, tables, on, t, change.group if change else None, rules.area_m2("overlap_noise_max", on)
    )
    t.step(
        "trace.start", rules_version=rules.version, on=on.isoformat(), patch_code=facts.patch_code,
        area_m2=sqm(facts.area_m2), change_type=facts.change_type or "—", change_name=ctx.change_name,
        group=ctx.group or "—", before_date=_day(facts.before_date), after_date=_day(facts.after_date),
    )  # fmt: skip
    if not (math.isfinite(facts.area_m2) and facts.area_m2 > 0):
        t.reason(
            "input.bad_area", area_m2=facts.area_m2 if math.isfinite(facts.area_m2) else str(facts.area_m2)
        )
        outcome = Outcome(ctx.verdict("doubtful"))
    else:
        _annotate(ctx)
        coverage = assess_approvals(facts, tables, on, t)
        outcome = (
            _military(ctx)
            or _legal(ctx, coverage)
            or _facility(ctx, coverage)
            or _rural_road(ctx)
            or _other(ctx, coverage)
            or _fallback(ctx)
        )
    t.step("trace.land", verdict=outcome.verdict, subtype=outcome.subtype or "—")
    legal = outcome.verdict == ctx.verdict("legal")
    # 合法 by a 临时用地 only: not a construction approval (it may not be used for mining).
    temporary = legal and any(r.code == "approval.covered_temporary" for r in t.reasons)
    mineral = judge_mineral(ctx, outcome.military, legal=legal and not temporary, temporary=temporary)
    return Judgement(
        verdict=outcome.verdict,
        subtype=outcome.subtype,
        reasons=tuple(t.reasons),
        mineral_verdict=mineral,
        flags=frozenset(t.flags),
        remark=outcome.remark,
        is_new=_is_new(ctx, outcome),
        trace=tuple(t.steps),
        rules_version=rules.version,
        violation_type=outcome.violation_type,
    )


def _annotate(ctx: Ctx) -> None:
    f, t = ctx.facts, ctx.t
    if ctx.touches(f.eco_redline_m2):
        t.reason("eco_redline.overlap", area_m2=sqm(f.eco_redline_m2 or 0))
        t.flag("eco_redline")
    if ctx.touches(f.protected_m2):
        t.reason("protected_area.overlap", area_m2=sqm(f.protected_m2 or 0))
        t.flag("protected_area")
    if ctx.touches(f.stable_farmland_m2):
        t.reason("priority.stable_farmland", area_m2=sqm(f.stable_farmland_m2 or 0))
        t.flag("stable_farmland")
    if ctx.touches(f.riverside_m2):
        t.reason("priority.riverside", area_m2=sqm(f.riverside_m2 or 0))
        t.flag("riverside")
    for p in f.prior:
        t.reason("prior.same_place", code=p.code, year=p.year or "-", determination=p.determination or "-")
    partial = ctx.missing(frozenset({"basic_farmland", "eco_redline", "protected_area", "military"}))
    if partial:
        t.step("trace.partial_layers", layers=layer_text(partial))
        t.reason("input.partial", kinds=partial, layers=layer_text(partial))


def _military(ctx: Ctx) -> Outcome | None:
    f = ctx.facts
    if not ctx.touches(f.military_m2):
        return None
    ctx.t.step("trace.military", area_m2=sqm(f.military_m2 or 0), noise_m2=sqm(ctx.noise))
    ctx.t.reason("military.overlap", area_m2=sqm(f.military_m2 or 0))
    ctx.t.flag("restricted")
    return Outcome(ctx.verdict("false_change"), remark=ctx.tables.label("remark", "military"), military=True)


def _legal(ctx: Ctx, cov: Coverage) -> Outcome | None:
    t, routes = ctx.t, ctx.tables.legal_routes
    need = ctx.rules.threshold("approval_coverage_min", ctx.on)
    best = cov.best(routes=routes)
    if best is not None and best.ratio >= need.value:
        if routes[best.kind].temporary and ctx.group in ctx.tables.temporary_use["lasting_change_groups"]:
            t.step("trace.legal_temporary_lasting", doc_no=best.doc_no, change_name=ctx.change_name)
            t.reason("approval.temporary_lasting", doc_no=best.doc_no, change_name=ctx.change_name)
            return Outcome(ctx.verdict("doubtful"))
        t.step(
            "trace.legal_covered",
            route=best.route,
            doc_no=best.doc_no,
            ratio_pct=pct(best.ratio),
            limit=need.written,
        )
        t.reason(
            "approval.covered_temporary" if routes[best.kind].temporary else "approval.covered",
            route=best.route,
            doc_no=best.doc_no,
            ratio_pct=pct(best.ratio),
            threshold_pct=pct(need.value),
        )
        qsx = ctx.facts.before_date
        if best.latest is not None and qsx is not None and best.latest > qsx:
            # Approved after 前时相: the change may have started before the approval (未批先建).
            t.step(
                "trace.legal_between_images", doc_no=best.doc_no, doc_date=_day(best.latest), qsx=_day(qsx)
            )
            t.reason(
                "approval.between_images",
                route=best.route,
                doc_no=best.doc_no,
                doc_date=best.latest.isoformat(),
                before_date=qsx.isoformat(),
            )
        return Outcome(ctx.verdict("legal"), best.route)
    combined = cov.combined(routes)
    if combined >= need.value:
        names = sorted(
            c.route for k, c in cov.counted.items() if routes[k].sufficient and k != cov.facility_kind
        )
        t.step("trace.legal_combined", routes="、".join(names), ratio_pct=pct(combined), limit=need.written)
        t.reason(
            "approval.combined_routes",
            routes="、".join(names),
            ratio_pct=pct(combined),
            threshold_pct=pct(need.value),
        )
        return Outcome(ctx.verdict("doubtful"))
    if combined + cov.undated >= need.value and cov.undated > 0:
        t.step("trace.legal_undated", ratio_pct=pct(combined + cov.undated), limit=need.written)
        return Outcome(ctx.verdict("doubtful"))
    if best is not None:
        t.step("trace.legal_partial", route=best.route, ratio_pct=pct(best.ratio), limit=need.written)
        t.reason(
            "approval.partial", route=best.route, ratio_pct=pct(best.ratio), threshold_pct=pct(need.value)
        )
    weak = cov.best(sufficient=False, routes=routes)
    if weak is not None and weak.ratio >= need.value:
        t.step("trace.legal_weak", route=weak.route, doc_no=weak.doc_no, ratio_pct=pct(weak.ratio))
        t.reason("approval.preapproval_only", route=weak.route, doc_no=weak.doc_no, ratio_pct=pct(weak.ratio))
        t.flag("preapproval_only")
    return None


def _facility(ctx: Ctx, cov: Coverage) -> Outcome | None:
    f, t, cover = ctx.facts, ctx.t, cov.facility
    if cover is None:
        return None
    need = ctx.rules.threshold("facility_coverage_min", ctx.on)
    if f.change_type not in ctx.tables.facility["change_types"]:
        change = ctx.tables.change_types.get(f.change_type or "")
        t.step("trace.facility_wrong_change", doc_no=cover.doc_no, change_name=ctx.change_name)
        t.reason(
            "facility.not_facility_change",
            doc_no=cover.doc_no,
            change_type=f.change_type,
            change_name=change.name if change else f.change_type,
        )
        return None
    if cover.ratio < need.value:
        t.step("trace.facility_partial", doc_no=cover.doc_no, ratio_pct=pct(cover.ratio), limit=need.written)
        t.reason(
            "facility.partial", doc_no=cover.doc_no, ratio_pct=pct(cover.ratio), threshold_pct=pct(need.value)
        )
        return None
    if ctx.missing_reason(ctx.tables.inputs["facility"], "facility"):
        return Outcome(ctx.verdict("doubtful"))
    t.step(
        "trace.facility_covered", doc_no=cover.doc_no, ratio_pct=pct(cover.ratio), limit=need.written,
        farmland_m2=sqm(f.farmland_m2 or 0),
    )  # fmt: skip
    if ctx.touches(f.farmland_m2):
        t.reason("facility.on_farmland", doc_no=cover.doc_no, farmland_m2=sqm(f.farmland_m2 or 0))
        t.flag("facility_on_farmland")
    if ctx.touches(f.basic_farmland_m2):
        t.reason("facility.on_basic_farmland", basic_farmland_m2=sqm(f.basic_farmland_m2 or 0))
        t.flag("facility_on_farmland")
    if not ctx.touches(f.farmland_m2) and not ctx.touches(f.basic_farmland_m2):
        t.reason("facility.registered", doc_no=cover.doc_no, ratio_pct=pct(cover.ratio))
    return Outcome(ctx.verdict("facility"), cover.route)


def _rural_road(ctx: Ctx) -> Outcome | None:
    f, t = ctx.facts, ctx.t
    if ctx.group not in ctx.tables.rural_road["change_groups"]:
        return None
    low = ctx.rules.threshold("rural_road_width_min", ctx.on)
    high = ctx.rules.threshold("rural_road_width_max", ctx.on)
    params = {"min_m": low.value, "max_m": high.value}
    if f.width_m is None:
        t.step("trace.road_width_unknown", change_name=ctx.change_name)
        t.reason("road.width_unknown", **params)
        return Outcome(ctx.verdict("doubtful"))
    if low.value <= f.width_m <= high.value:
        t.step("trace.road_width_ok", width_m=f.width_m, low=low.written, high=high.written)
        t.reason("road.width_ok", width_m=f.width_m, **params)
        return Outcome(ctx.verdict("rural_road"))
    t.step("trace.road_width_out", width_m=f.width_m, low=low.written, high=high.written)
    t.reason("road.width_out_of_range", width_m=f.width_m, **params)
    return None


def _other(ctx: Ctx, cov: Coverage) -> Outcome | None:
    f, t, r, on = ctx.facts, ctx.t, ctx.rules, ctx.on
    label = ctx.tables.labels["other_subtype"]
    if f.access_overlap_ratio is not None and f.access_unmatched_farmland_m2 is not None:
        large = f.area_m2 > r.area_m2("access_large_patch_min", on)
        need = r.threshold("access_large_overlap_min" if large else "access_small_overlap_min", on)
        limit = r.threshold("access_unmatched_farmland_max", on)
        ok = f.access_overlap_ratio >= need.value and f.access_unmatched_farmland_m2 < limit.value
        t.step(
            "trace.access", large=large, ratio_pct=pct(f.access_overlap_ratio), need=need.written,
            unmatched_m2=sqm(f.access_unmatched_farmland_m2), limit=limit.written, ok=ok,
        )  # fmt: skip
        if ok:
            t.reason(
                "other.access",
                ratio_pct=pct(f.access_overlap_ratio),
                threshold_pct=pct(need.value),
                unmatched_m2=sqm(f.access_unmatched_farmland_m2),
            )
            return Outcome(ctx.verdict("other"), label["access"])
    best = cov.best(routes=ctx.tables.legal_routes)
    if best is not None:
        uncovered = f.area_m2 * (1 - best.ratio)
        limit = r.threshold("sliver_max", on)
        t.step("trace.sliver", uncovered_m2=sqm(uncovered), route=best.route, limit=limit.written)
        if uncovered <= limit.value:
            t.reason("other.sliver", route=best.route, uncovered_m2=sqm(uncovered), max_m2=sqm(limit.value))
            return Outcome(ctx.verdict("other"), label["sliver"])
    for i, rule in enumerate(ctx.tables.other_rules):
        holds = _holds(ctx, rule.when)
        t.step("trace.other_rule", index=i + 1, name=rule.subtype or ctx.verdict(rule.verdict), holds=holds)
        if (
            holds
            and rule.verdict == "illegal"
            and ctx.missing_reason(ctx.tables.inputs["fallback"], "fallback")
        ):
            return Outcome(ctx.verdict("doubtful"))
        if holds:
            t.reason(rule.reason, subtype=rule.subtype or "", **_area_params(f))
            for flag in sorted(rule.flags):
                t.flag(flag)
            if rule.verdict == "illegal":
                return _illegal(ctx, rule.subtype)
            return Outcome(ctx.verdict("other"), rule.subtype)
    return None


def _area_params(f: PatchFacts) -> dict[str, float]:
    return {
        "area_m2": sqm(f.area_m2),
        "farmland_m2": sqm(f.farmland_m2 or 0),
        "basic_farmland_m2": sqm(f.basic_farmland_m2 or 0),
    }


def _share(
    parts: dict[str, float], area: float, codes: frozenset[str], prefixes: tuple[str, ...] = ()
) -> float:
    return sum(a for c, a in parts.items() if c in codes or c.startswith(prefixes)) / area


def _holds(ctx: Ctx, c: Condition) -> bool | None:
    """Whether a data condition holds; None when it needs land-use facts that are missing."""
    f = ctx.facts
    if c.change_groups is not None and ctx.group not in c.change_groups:
        return False
    if c.change_types is not None and f.change_type not in c.change_types:
        return False
    if c.needs_landuse and ctx.missing(frozenset({"landuse"})):
        return None
    if c.land_class_min is not None:
        share = _share(dict(f.land_classes), f.area_m2, c.land_class_codes, c.land_class_prefixes)
        if share < c.land_class_min:
            return False
    if (
        c.settlement_min is not None
        and _share(dict(f.settlement_m2), f.area_m2, c.settlement_codes) < c.settlement_min
    ):
        return False
    if c.on_farmland is not None and ctx.touches(f.farmland_m2) != c.on_farmland:
        return False
    if c.on_basic_farmland is not None:
        if f.basic_farmland_m2 is None:
            return None
        if ctx.touches(f.basic_farmland_m2) != c.on_basic_farmland:
            return False
    return True


def _fallback(ctx: Ctx) -> Outcome:
    f, t = ctx.facts, ctx.t
    doubtful = Outcome(ctx.verdict("doubtful"))
    if ctx.group is None:
        t.step("trace.fallback_unknown_type", change_type=f.change_type or "（空）", on=ctx.on.isoformat())
        t.reason("input.unknown_change_type", change_type=f.change_type or "（空）")
        return doubtful
    if ctx.missing_reason(ctx.tables.inputs["fallback"], "fallback"):
        return doubtful
    if t.has("approval.preapproval_only"):
        t.step("trace.fallback_preapproval")
        return doubtful
    change = ctx.tables.change_types[f.change_type or ""]
    t.step("trace.fallback_illegal", subtype=change.illegal_subtype or "—")
    return _illegal(ctx, change.illegal_subtype)


def _illegal(ctx: Ctx, subtype: str | None) -> Outcome:
    """违法 with the occupation reasons and the crime, discipline and 乱占 flags."""
    f, t = ctx.facts, ctx.t
    if ctx.touches(f.farmland_m2):
        t.reason(
            "farmland.no_approval", farmland_m2=sqm(f.farmland_m2 or 0), farmland_mu=mu(f.farmland_m2 or 0)
        )
    if ctx.touches(f.basic_farmland_m2):
        t.reason(
            "basic_farmland.no_approval",
            basic_farmland_m2=sqm(f.basic_farmland_m2 or 0),
            basic_farmland_mu=mu(f.basic_farmland_m2 or 0),
        )
    if not ctx.touches(f.farmland_m2):
        t.reason(
            "construction.no_approval",
            area_m2=sqm(f.area_m2),
            change_type=f.change_type,
            change_name=ctx.change_name,
        )
    if ctx.group == "earthwork":
        t.reason("change.earthwork_on_farmland", change_type=f.change_type, change_name=ctx.change_name)
    illegal_flags(ctx)
    return Outcome(
        ctx.verdict("illegal"), subtype, violation_type=ctx.tables.label("violation_type", "default")
    )


def _is_new(ctx: Ctx, outcome: Outcome) -> bool | None:
    """新增 when the change appeared between the two image dates; unknown without them.

    An earlier patch at the same place does not make this one 存量: it may have been another
    change (推土 then, a building now). A person's build date decides in the determination.
    """
    f = ctx.facts
    if outcome.verdict in (ctx.verdict("doubtful"), ctx.verdict("false_change")):
        return None
    if f.before_date is not None and f.after_date is not None:
        return True
    return None


def _day(value: date | None) -> str:
    """A date for a trace parameter (ISO), or a dash when unknown."""
    return value.isoformat() if value is not None else "—"
