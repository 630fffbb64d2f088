"""Checks on a person's determination (合法性判定) before it is saved or submitted.

Labels are compared after normalisation (aliases such as 实地为设施 are accepted). Which
verdicts need an approval, a 违法类型, an opinion or a sub-type is data (the
``determination`` and ``subtype_dictionaries`` tables); the checks themselves are here.
An empty result means the record is valid.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from weipian.rules.model import Reason
from weipian.rules.ruleset import RuleSet

__all__ = ["ApprovalClaim", "Determination", "validate_determination"]


@dataclass(frozen=True)
class ApprovalClaim:
    """One evidence route claimed for 合法: route label, document number, share of the patch in %."""

    route: str
    doc_no: str
    ratio_pct: float


@dataclass(frozen=True)
class Determination:
    """A person's land (and mineral) determination of one patch (DOMAIN.md §4, §5)."""

    verdict: str
    subtype: str | None = None
    opinion: str | None = None  # 核实认定意见
    project_name: str | None = None
    project_owner: str | None = None
    build_date: date | None = None
    field_description: str | None = None
    approvals: tuple[ApprovalClaim, ...] = ()
    violation_type: str | None = None  # WFLX
    illegal_area_m2: float | None = None
    farmland_area_m2: float | None = None
    basic_farmland_area_m2: float | None = None
    is_new: bool | None = None
    is_mining: bool = False
    mineral_verdict: str | None = None
    mineral_handling: str | None = None
    farmland_housing: bool = False
    farmland_housing_class: str | None = None


def validate_determination(
    det: Determination, *, patch_area_m2: float, rules: RuleSet, on: date
) -> tuple[Reason, ...]:
    """Reasons this determination cannot be accepted; empty when it is valid.

    >>> from weipian.rules import load_rules
    >>> rules, on = load_rules(), date(2024, 6, 1)
    >>> ok = Determination("违法", "光伏", violation_type="违法占地", illegal_area_m2=900.0,
    ...                    farmland_area_m2=300.0, is_new=True)
    >>> validate_determination(ok, patch_area_m2=1000.0, rules=rules, on=on)
    ()
    >>> bad = Determination("非农违法", illegal_area_m2=1200.0, is_new=True)
    >>> [r.code for r in validate_determination(bad, patch_area_m2=1000.0, rules=rules, on=on)]
    ['determination.illegal_needs_type', 'determination.area_exceeds_patch']
    """
    return tuple(_check(det, patch_area_m2, rules, on))


def _text(value: str | None) -> bool:
    return value is not None and bool(value.strip())


def _field(name: str, **params: object) -> dict[str, object]:
    """Parameters naming a field by its code: the form puts the sentence under that input, and
    ``messages.message`` words it as ``{field_label}`` (``messages.rules.FIELD_LABELS``)."""
    return {"field": name, **params}


def _unknown(name: str, value: str | None, options: list[str]) -> Reason:
    return Reason("determination.unknown_label", _field(name, value=value, options="、".join(options)))


def _check(det: Determination, patch_area: float, rules: RuleSet, on: date) -> Iterator[Reason]:
    table = rules.tables(on).determination
    verdict = rules.normalise("determination", det.verdict, on)
    if not _text(det.verdict):
        yield Reason(
            "determination.verdict_needed", {"options": "、".join(rules.labels("determination", on))}
        )
        return
    if verdict is None:
        yield _unknown("verdict", det.verdict, rules.labels("determination", on))
        return
    yield from _subtype(det, verdict, rules, on)
    yield from _approvals(det, verdict, rules, on)
    yield from _violation(det, verdict, rules, on)
    yield from _areas(det, patch_area, rules, on)
    if verdict in table["needs_opinion"] and not _text(det.opinion):
        yield Reason("determination.opinion_needed", {"verdict": verdict})
    yield from _mineral(det, rules, on)
    yield from _housing(det, verdict, rules, on)
    if det.build_date is not None and det.build_date > on:
        yield Reason(
            "determination.build_date_future",
            {"build_date": det.build_date.isoformat(), "on": on.isoformat()},
        )


def _subtype(det: Determination, verdict: str, rules: RuleSet, on: date) -> Iterator[Reason]:
    tables = rules.tables(on)
    names = tables.subtype_dictionaries.get(verdict, ())
    if not _text(det.subtype):
        if verdict in tables.determination["needs_subtype"]:
            yield Reason("determination.subtype_needed", {"verdict": verdict})
        return
    if not names:
        yield Reason("determination.impossible_combination", _field("subtype", verdict=verdict))
    elif all(rules.normalise(n, det.subtype, on) is None for n in names):
        options = [label for n in names for label in rules.labels(n, on)]
        others = {n for ns in tables.subtype_dictionaries.values() for n in ns} - set(names)
        if any(rules.normalise(n, det.subtype, on) is not None for n in sorted(others)):
            yield Reason(
                "determination.subtype_not_for_verdict",
                _field("subtype", value=det.subtype, verdict=verdict, options="、".join(options)),
            )
        else:
            yield _unknown("subtype", det.subtype, options)


def _approvals(det: Determination, verdict: str, rules: RuleSet, on: date) -> Iterator[Reason]:
    table = rules.tables(on).determination
    for i, a in enumerate(det.approvals, start=1):
        if rules.normalise("legal_route", a.route, on) is None:
            yield _unknown("route", a.route, rules.labels("legal_route", on))
        if not _text(a.doc_no):
            yield Reason("determination.approval_incomplete", _field("doc_no", index=i))
        if not 0 < a.ratio_pct <= 100:
            yield Reason("determination.ratio_out_of_range", {"index": i, "ratio_pct": a.ratio_pct})
    if verdict not in table["needs_approval"]:
        return
    if not det.approvals:
        yield Reason("determination.legal_needs_approval", {"verdict": verdict})
    elif verdict == table["facility"]:
        route = table["facility_route"]
        if not any(rules.normalise("legal_route", a.route, on) == route for a in det.approvals):
            yield Reason("determination.facility_needs_registry", {"route": route})


def _violation(det: Determination, verdict: str, rules: RuleSet, on: date) -> Iterator[Reason]:
    if verdict not in rules.tables(on).determination["needs_violation"]:
        for name in ("violation_type", "illegal_area_m2"):
            if getattr(det, name) not in (None, "", 0, 0.0):
                yield Reason("determination.impossible_combination", _field(name, verdict=verdict))
        return
    if not _text(det.violation_type):
        yield Reason("determination.illegal_needs_type", {})
    elif rules.normalise("violation_type", det.violation_type, on) is None:
        yield _unknown("violation_type", det.violation_type, rules.labels("violation_type", on))
    if det.illegal_area_m2 is None or det.illegal_area_m2 <= 0:
        yield Reason("determination.illegal_needs_area", {})
    if det.is_new is None:
        yield Reason("determination.new_flag_needed", {})


def _areas(det: Determination, patch_area: float, rules: RuleSet, on: date) -> Iterator[Reason]:
    limit = patch_area * (1 + rules.ratio("determination_area_tolerance", on))
    for name in ("illegal_area_m2", "farmland_area_m2", "basic_farmland_area_m2"):
        value = getattr(det, name)
        if value is None:
            continue
        if value < 0:
            yield Reason("determination.negative_area", _field(name))
        elif value > limit:
            yield Reason(
                "determination.area_exceeds_patch",
                _field(name, area_m2=value, patch_area_m2=round(patch_area, 1)),
            )
    # 永久基本农田 is not a part of 耕地 (since 三调 much of it is 园地, 林地, 坑塘 …): each is
    # compared with the illegal area, never with the other.
    illegal = det.illegal_area_m2
    over = illegal * (1 + rules.ratio("determination_area_tolerance", on)) if illegal else None
    for name, code, key in (
        ("farmland_area_m2", "determination.farmland_exceeds_illegal", "farmland_m2"),
        ("basic_farmland_area_m2", "determination.basic_exceeds_illegal", "basic_m2"),
    ):
        value = getattr(det, name)
        if over is not None and value is not None and value > over:
            yield Reason(code, _field(name, **{key: value, "illegal_m2": illegal}))


def _mineral(det: Determination, rules: RuleSet, on: date) -> Iterator[Reason]:
    table = rules.tables(on).determination
    if not det.is_mining:
        for name in ("mineral_verdict", "mineral_handling"):
            if _text(getattr(det, name)):
                yield Reason("determination.not_mining_field", _field(name))
        return
    mineral = rules.normalise("mineral_verdict", det.mineral_verdict, on)
    if not _text(det.mineral_verdict):
        yield Reason("determination.mineral_needed", {})
        return
    if mineral is None:
        yield _unknown("mineral_verdict", det.mineral_verdict, rules.labels("mineral_verdict", on))
        return
    handling = rules.normalise("mineral_handling", det.mineral_handling, on)
    if _text(det.mineral_handling) and handling is None:
        yield _unknown("mineral_handling", det.mineral_handling, rules.labels("mineral_handling", on))
    illegal = rules.parent("mineral_verdict", mineral, on) == table["mineral_illegal_class"]
    if illegal and not _text(det.mineral_handling):
        yield Reason("determination.mineral_handling_needed", {"mineral_verdict": mineral})
    if not illegal and _text(det.mineral_handling):
        yield Reason("determination.impossible_combination", _field("mineral_handling", verdict=mineral))
    if handling in table["handling_needs_explanation"] and not _text(det.opinion):
        yield Reason("determination.handling_needs_explanation", {"handling": handling})


def _housing(det: Determination, verdict: str, rules: RuleSet, on: date) -> Iterator[Reason]:
    table = rules.tables(on).determination
    if not det.farmland_housing:
        if _text(det.farmland_housing_class):
            yield Reason(
                "determination.impossible_combination", _field("farmland_housing_class", verdict=verdict)
            )
        return
    if verdict in table["false_change"]:
        yield Reason("determination.impossible_combination", _field("farmland_housing", verdict=verdict))
    if not _text(det.farmland_housing_class):
        yield Reason("determination.housing_class_needed", {})
    elif rules.normalise("farmland_housing_class", det.farmland_housing_class, on) is None:
        yield _unknown(
            "farmland_housing_class",
            det.farmland_housing_class,
            rules.labels("farmland_housing_class", on),
        )
    if not det.farmland_area_m2:
        yield Reason("determination.housing_needs_farmland", {})
