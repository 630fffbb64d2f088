"""County and unit figures with the evaluation, in one pass. Pure.

>>> import datetime as dt
>>> from weipian.stats.records import PatchRecord
>>> d = dt.date(2022, 11, 16)
>>> rec = lambda i, unit: PatchRecord(i, f"P{i}", "ministry", "B", 2022, d, unit, 100.0, 50.0, 0.0,
...                                   False, "issued", d, d)
>>> s = unit_summary([rec(1, "A"), rec(2, "A"), rec(3, None)], [Unit("A", "甲镇"), Unit("B", "乙镇")],
...                  on=dt.date(2022, 12, 1), policy=RatioPolicy(), thresholds=None)
>>> [(u.code, u.name, u.figures.patches, u.figures.overdue) for u in s.units]
[('A', '甲镇', 2, 2), ('B', '乙镇', 0, 0), (None, '（未归属）', 1, 1)]
>>> s.county.patches
3
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from weipian.messages.labels import NO_UNIT
from weipian.stats.evaluation import Evaluation, InterviewThresholds, evaluate
from weipian.stats.figures import Figures, RatioPolicy, add_up, combine, figures, finish, group_by
from weipian.stats.records import PatchRecord


@dataclass(frozen=True)
class Unit:
    """A township-level unit statistics are kept for."""

    code: str
    name: str


@dataclass(frozen=True)
class UnitFigures:
    code: str | None  # None: patches outside every unit
    name: str
    figures: Figures
    evaluation: Evaluation | None  # None for the unassigned row or without thresholds


@dataclass(frozen=True)
class Summary:
    county: Figures
    units: list[UnitFigures]  # in unit order; the unassigned row last when there is one


def unit_summary(
    records: Iterable[PatchRecord],
    units: Sequence[Unit],
    *,
    on: dt.date,
    policy: RatioPolicy,
    thresholds: InterviewThresholds | None,
) -> Summary:
    """Figures per unit (every unit, also those without patches) and the county as their sum."""
    groups = group_by(records, lambda r: r.unit)
    known = {u.code for u in units}
    per_unit = {u.code: figures(groups.get(u.code, []), on=on, policy=policy) for u in units}
    # Patches of no known unit keep their own row, so the county is still the sum of the rows.
    stray = [r for key, rs in groups.items() if key not in known for r in rs]
    rest = figures(stray, on=on, policy=policy) if stray else None
    return summarise(per_unit, units, rest, policy=policy, thresholds=thresholds)


def summary_of_sums(
    sums: Mapping[str | None, Figures],
    units: Sequence[Unit],
    *,
    policy: RatioPolicy,
    thresholds: InterviewThresholds | None,
) -> Summary:
    """:func:`unit_summary` from raw sums per unit code (summed in SQL) instead of records:
    codes of no known unit are folded into the unassigned row."""
    known = {u.code for u in units}
    per_unit = {u.code: finish(sums.get(u.code) or Figures(), policy) for u in units}
    stray = [f for code, f in sums.items() if code not in known]
    rest = finish(combine(stray), policy) if stray else None
    return summarise(per_unit, units, rest, policy=policy, thresholds=thresholds)


def summarise(
    per_unit: Mapping[str, Figures],
    units: Sequence[Unit],
    rest: Figures | None,
    *,
    policy: RatioPolicy,
    thresholds: InterviewThresholds | None,
) -> Summary:
    """Rank the units' finished figures, add the unassigned row ``rest`` and the county total."""
    ranked = {e.key: e for e in evaluate(per_unit, thresholds)} if thresholds else {}
    rows = [UnitFigures(u.code, u.name, per_unit[u.code], ranked.get(u.code)) for u in units]
    if rest is not None:
        rows.append(UnitFigures(None, NO_UNIT, rest, None))
    return Summary(county=add_up((row.figures for row in rows), policy), units=rows)
