"""Statistics use-cases: check the filter, load the records, sum them with the rule data's
thresholds. Read-only; the CLI, the web page and the documents all come through here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy.orm import Session

from weipian.domain.sources import Source
from weipian.domain.townships import COUNTY_NAME
from weipian.errors import InputError, NotFound
from weipian.rules import RuleSet
from weipian.services.units import all_units
from weipian.stats.evaluation import InterviewThresholds
from weipian.stats.figures import RatioPolicy, add_up
from weipian.stats.periods import Period, parse_month
from weipian.stats.records import Case, PatchRecord, Rectification, ReferralRecord
from weipian.stats.summary import Summary, Unit, summary_of_sums, unit_summary
from weipian.storage.stats_records import (
    batch_names,
    ledger_cases,
    ledger_rectifications,
    patch_records,
    referral_records,
    unit_names,
)
from weipian.storage.stats_sums import unit_sums

FARMLAND_SOURCES = ("filed_or_desk", "desk")


def check_period(
    names: dict[str, str],
    *,
    year: int | None = None,
    month: str | None = None,
    unit: str | None = None,
    quarter: int | None = None,
    batch: str | None = None,
    source: str | None = None,
    batches: set[str] | None = None,
) -> Period:
    """The filter as a :class:`Period`; a bad month, year, quarter or source, or an unknown unit or
    batch (``batches``: the names there are), is refused in Chinese."""
    if year is not None and not 1900 <= year <= 2999:
        raise InputError("stats.year_invalid", value=year)
    if quarter is not None and not 1 <= quarter <= 4:
        raise InputError("stats.quarter_invalid", value=quarter)
    month_key = None
    if month is not None:
        first = parse_month(month)
        if first is None:
            raise InputError("stats.month_invalid", value=month)
        if year is not None and first.year != year:
            raise InputError("stats.month_year_mismatch", month=month, year=year)
        month_key = f"{first.year}-{first.month:02d}"
    if unit is not None:
        unit = unit.strip()
        if unit not in names:
            raise NotFound("stats.unit_unknown", unit=unit)
    if quarter is not None and year is None:
        raise InputError("stats.quarter_needs_year")
    if source is not None and source not in {s.value for s in Source}:
        raise InputError("stats.source_unknown", value=source, known="、".join(s.value for s in Source))
    if batch is not None and batches is not None and batch not in batches:
        raise NotFound("stats.batch_unknown", batch=batch, known="、".join(sorted(batches)) or "（无）")
    return Period(year=year, quarter=quarter, month=month_key, batch=batch, source=source, unit=unit)


def rules_day(period: Period, on: dt.date) -> dt.date:
    """The day whose rule values apply: the period's last day, or ``on`` if that comes first."""
    if period.month:
        y, m = (int(x) for x in period.month.split("-"))
        end = dt.date(y + (m == 12), m % 12 + 1, 1) - dt.timedelta(days=1)
    elif period.year is not None:
        end = dt.date(period.year, 12, 31)
    else:
        return on
    return min(end, on)


def ratio_policy(rules: RuleSet, day: dt.date, farmland_source: str = "filed_or_desk") -> RatioPolicy:
    return RatioPolicy(
        line=rules.ratio("illegal_farmland_ratio_line", day),
        warning=rules.ratio("illegal_farmland_ratio_warning", day),
        denominator_verdicts=frozenset(rules.labels("ratio_denominator_verdict", day)),
        farmland_source=farmland_source,
    )


def interview_thresholds(rules: RuleSet, day: dt.date) -> InterviewThresholds:
    return InterviewThresholds(
        ratio_line=rules.ratio("illegal_farmland_ratio_line", day),
        area_min_m2=rules.area_m2("interview_area_min", day),
        unrectified_farmland_min_m2=rules.area_m2("interview_unrectified_farmland_min", day),
        on_time_rate_min=rules.ratio("interview_on_time_rate_min", day),
    )


def ledger_facts(session: Session) -> tuple[dict[int, Rectification], dict[int, Case]]:
    """What the rectification ledger and the case register hold, by patch id (issue 13)."""
    return ledger_rectifications(session), ledger_cases(session)


def mineral_illegal_of(rules: RuleSet, day: dt.date) -> Callable[[str], bool]:
    """Whether a mineral verdict label (or an alias of one) is of the 违法 class, by the rule data."""

    def mineral_illegal(label: str) -> bool:
        canonical = rules.normalise("mineral_verdict", label, day)
        return canonical is not None and rules.parent("mineral_verdict", canonical, day) == "违法"

    return mineral_illegal


def load_records(
    session: Session, rules: RuleSet, *, day: dt.date, year: int | None = None
) -> list[PatchRecord]:
    """Every patch as a statistics record, with the ledger's facts."""
    rects, cases = ledger_facts(session)
    return patch_records(
        session, mineral_illegal=mineral_illegal_of(rules, day), rectifications=rects, case_register=cases,
        year=year,
    )  # fmt: skip


@dataclass(frozen=True)
class StatsResult:
    """The figures for a filter: county, units (with rank and 约谈 reasons) and what fed them."""

    period: Period
    on: dt.date
    rules_day: dt.date
    summary: Summary
    records: list[PatchRecord]  # the patches the figures count (empty when summed in SQL)
    referrals: list[ReferralRecord]  # their referrals (empty when summed in SQL)
    unit_names: dict[str, str]
    policy: RatioPolicy
    county_name: str = COUNTY_NAME


def compute_stats(
    session: Session,
    rules: RuleSet,
    *,
    on: dt.date,
    year: int | None = None,
    month: str | None = None,
    unit: str | None = None,
    quarter: int | None = None,
    batch: str | None = None,
    source: str | None = None,
    farmland_source: str = "filed_or_desk",
    with_records: bool = True,
) -> StatsResult:
    """Figures for the county and every unit over the chosen period (one unit with ``unit``: a
    township, or a unit such as 水头分局 with the townships it covers; sections are never ranked).

    ``with_records=False`` sums the figures in SQL and leaves ``records`` and ``referrals``
    empty: enough for ``weipian stats`` and the statistics page, and far quicker for a county;
    the documents, which list patches, read the records.
    """
    names = unit_names(session)
    others = {u.code: u for u in all_units(session) if u.code not in names}
    period = check_period(
        names | {c: u.name for c, u in others.items()}, year=year, month=month, unit=unit, quarter=quarter,
        batch=batch, source=source,
        batches=batch_names(session) if batch is not None else None,
    )  # fmt: skip
    day = rules_day(period, on)
    policy = ratio_policy(rules, day, farmland_source)
    everyone = replace(period, unit=None)
    units = [Unit(code, name) for code, name in sorted(names.items())]
    thresholds = interview_thresholds(rules, day)
    # Ranks compare every unit, so a one-unit request is ranked among all, then keeps its row;
    # its "county" is then that unit's figures, so county = Σ units still holds.
    all_records: list[PatchRecord] = []
    if with_records:
        all_records = list(everyone.select(load_records(session, rules, day=day, year=period.year)))
        summary = unit_summary(all_records, units, on=on, policy=policy, thresholds=thresholds)
    else:
        sums = unit_sums(
            session, period=everyone, on=on, policy=policy, mineral_illegal=mineral_illegal_of(rules, day)
        )
        summary = summary_of_sums(sums, units, policy=policy, thresholds=thresholds)
    records = all_records
    if period.unit is not None:
        found = others.get(period.unit)
        if found is not None and not found.kind.township_level:
            raise InputError("stats.unit_section", unit=found.code, name=found.name)
        towns = found.townships if found is not None else frozenset({period.unit})
        kept = [u for u in summary.units if u.code in towns]
        summary = Summary(county=add_up((u.figures for u in kept), policy), units=kept)
        records = [r for r in all_records if r.unit in towns]
    if not with_records:
        return StatsResult(period, on, day, summary, [], [], names, policy)
    ids = {p.patch_id for p in records}
    refs = [r for r in referral_records(session) if r.patch_id in ids]
    return StatsResult(period, on, day, summary, records, refs, names, policy)


STATS_KEYS = (
    "patches", "determined", "illegal", "illegal_area_m2", "illegal_farmland_m2",
    "new_construction_farmland_m2", "illegal_farmland_ratio_pct", "rectified", "rectified_area_m2",
    "rectification_rate_count_pct", "rectification_rate_area_pct", "overdue", "housing", "housing_area_m2",
)  # fmt: skip
"""INTERFACE.md's keys, in county and every unit of ``weipian stats --json``."""


def figures_json(f: Any) -> dict[str, Any]:
    """INTERFACE.md's keys first, then every other figure."""
    data = f.as_dict()
    return {**{k: data[k] for k in STATS_KEYS}, **{k: v for k, v in data.items() if k not in STATS_KEYS}}
