"""What a rule set must contain (threshold names and units, dictionary names), and parsing primitives.

The names are fixed because the engine reads them; their values, units and dates are data.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from weipian.domain.units import M2_PER_MU

__all__ = [
    "DICTIONARIES",
    "THRESHOLDS",
    "UNITS",
    "RuleProblem",
    "as_mapping",
    "as_share",
    "as_text",
    "as_texts",
    "check_keys",
    "one_of",
    "parse_threshold_value",
]


UNITS: Mapping[str, Mapping[str, float]] = {
    "area": {"m2": 1.0, "mu": M2_PER_MU, "ha": 10000.0},
    "ratio": {"ratio": 1.0, "percent": 0.01},
    "length": {"m": 1.0},
    "date": {"date": 1.0},
    "year": {"year": 1.0},
    "days": {"days": 1.0},
    "months": {"months": 1.0},
    "month_day": {"month_day": 1.0},
}
"""Threshold families → the units a file may write them in, with the factor to the canonical unit."""

THRESHOLDS: Mapping[str, str] = {
    # 合法 and 设施农用地
    "approval_coverage_min": "ratio",
    "facility_coverage_min": "ratio",
    "overlap_noise_max": "area",
    # 其他: 边角细缝 and 出入口
    "sliver_max": "area",
    "access_large_patch_min": "area",
    "access_large_overlap_min": "ratio",
    "access_small_overlap_min": "ratio",
    "access_unmatched_farmland_max": "area",
    # 农村道路
    "rural_road_width_min": "length",
    "rural_road_width_min_north": "length",
    "rural_road_width_max": "length",
    # crime, discipline, minerals
    "crime_basic_farmland_min": "area",
    "crime_farmland_min": "area",
    "discipline_basic_farmland_min": "area",
    "discipline_farmland_min": "area",
    "discipline_other_land_min": "area",
    "mineral_field_check_min": "area",
    # statistics (read by weipian.stats)
    "illegal_farmland_ratio_line": "ratio",
    "illegal_farmland_ratio_warning": "ratio",
    "interview_area_min": "area",
    "interview_unrectified_farmland_min": "area",
    "interview_on_time_rate_min": "ratio",
    # determination checks
    "determination_area_tolerance": "ratio",
    # 乱占耕地建房
    "farmland_housing_cutoff": "date",
    "farmland_housing_area_max": "area",
    # deadlines
    "verification_days": "days",
    "county_correction_days": "days",
    "province_review_months": "months",
    "return_correction_months": "months",
    "referral_feedback_months": "months",
    "annual_report_due": "month_day",
}
"""Every threshold the engine, validation, workflow and statistics read, with its family."""

ORDERED_PAIRS: tuple[tuple[str, str], ...] = (
    ("rural_road_width_min", "rural_road_width_max"),
    ("rural_road_width_min_north", "rural_road_width_max"),
    ("illegal_farmland_ratio_warning", "illegal_farmland_ratio_line"),
)
"""Pairs whose first value must not exceed the second on any date."""

DICTIONARIES: Mapping[str, str | None] = {
    "suggestion": None,  # YPJG
    "determination": None,  # PDJG
    "legal_route": None,
    "other_subtype": None,
    "illegal_group": None,
    "illegal_subtype": "illegal_group",
    "violation_type": None,  # WFLX
    "new_or_stock": None,
    "mineral_class": None,
    "mineral_verdict": "mineral_class",
    "mineral_handling": None,
    "farmland_housing_group": None,
    "farmland_housing_class": "farmland_housing_group",
    "farmland_housing_opinion": None,
    "remark": None,
    "ratio_exclusion": None,  # 排除情形 (read by the statistics)
    "ratio_denominator_verdict": None,
    "rectification_measure": None,  # 整改措施 of the ledger
}
"""Every dictionary, with the dictionary its labels' groups come from (None: a flat list)."""


# --- primitives -----------------------------------------------------------------------------
class RuleProblem(Exception):
    """A rule file is wrong: ``problem`` code, ``where`` in the data, and parameters."""

    def __init__(self, problem: str, where: str, **params: Any) -> None:
        self.problem, self.where, self.params = problem, where, params
        super().__init__(problem, where, params)


# --- primitives -----------------------------------------------------------------------------
def as_mapping(raw: Any, where: str) -> Mapping[Any, Any]:
    if not isinstance(raw, Mapping):
        raise RuleProblem("not_mapping", where)
    return raw


def as_text(raw: Any, where: str) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise RuleProblem("not_text", where, value=repr(raw))
    return raw.strip()


def as_texts(raw: Any, where: str) -> tuple[str, ...]:
    if not isinstance(raw, list):
        raise RuleProblem("not_list", where)
    return tuple(as_text(v, f"{where}[{i}]") for i, v in enumerate(raw))


def as_share(raw: Any, where: str) -> float:
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise RuleProblem("value_type", where, value=repr(raw), expected="ratio")
    if not 0 <= raw <= 1:
        raise RuleProblem("value_range", where, value=raw, low=0, high=1)
    return float(raw)


def check_keys(
    raw: Mapping[Any, Any], where: str, required: set[str], optional: frozenset[str] | set[str] = frozenset()
) -> None:
    for key in raw:
        if key not in required | optional:
            raise RuleProblem("unknown_key", f"{where}.{key}", allowed=", ".join(sorted(required | optional)))
    for key in sorted(required):
        if key not in raw:
            raise RuleProblem("missing_key", f"{where}.{key}")


def one_of(value: str, allowed: frozenset[str] | set[str], problem: str, where: str) -> str:
    if value not in allowed:
        raise RuleProblem(problem, where, value=value, allowed=", ".join(sorted(allowed)))
    return value


def _number(raw: Any, where: str) -> float:
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise RuleProblem("value_type", where, value=repr(raw), expected="number")
    return float(raw)


def parse_threshold_value(family: str, unit: str, raw: Any, where: str) -> tuple[Any, str]:
    """A written value → (canonical value, how it was written).

    >>> parse_threshold_value("area", "mu", 5, "x")
    (3333.333333333333, '5 mu')
    >>> parse_threshold_value("ratio", "percent", 15, "x")
    (0.15, '15%')
    """
    if family in ("area", "ratio", "length"):
        n = _number(raw, where)
        value = n * UNITS[family][unit]
        if value < 0 or (family == "ratio" and value > 1):
            raise RuleProblem("value_range", where, value=raw, low=0, high=1 if family == "ratio" else "∞")
        written = f"{n:g}%" if unit == "percent" else f"{n:g}" if unit == "ratio" else f"{n:g} {unit}"
        return value, written
    if family == "date":
        if not isinstance(raw, date):
            try:
                raw = date.fromisoformat(str(raw))
            except ValueError:
                raise RuleProblem("value_type", where, value=repr(raw), expected="YYYY-MM-DD") from None
        return raw, raw.isoformat()
    if family == "month_day":
        try:
            md = date.fromisoformat(f"2000-{raw}")  # a leap year accepts 02-29
        except (TypeError, ValueError):
            raise RuleProblem("value_type", where, value=repr(raw), expected="MM-DD") from None
        return (md.month, md.day), str(raw)
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise RuleProblem("value_type", where, value=repr(raw), expected="whole number")
    low, high = (1900, 2100) if family == "year" else (1, 3660)
    if not low <= raw <= high:
        raise RuleProblem("value_range", where, value=raw, low=low, high=high)
    return raw, str(raw) if family == "year" else f"{raw} {family}"
