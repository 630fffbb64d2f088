"""The summary figures of a set of patches (county, one unit, one period). Pure.

Every figure is a sum over :class:`~weipian.stats.records.PatchRecord`, so the county's figures
equal the sum of its units' (rates and the ratio are recomputed from the sums, never averaged).
``docs/statistics.md`` says which figure counts what.

>>> import datetime as dt
>>> from weipian.stats.records import PatchRecord, Rectification
>>> d = dt.date(2022, 11, 16)
>>> base = dict(source="ministry", batch="B", year=2022, issued_on=dt.date(2022, 11, 1), unit="U",
...             desk_farmland_m2=None, desk_basic_farmland_m2=None, restricted=False,
...             due_on=d, effective_due_on=d)
>>> a = PatchRecord(1, "A", area_m2=1000.0, state="reported", verdict="违法", illegal_area_m2=600.0,
...                 farmland_m2=300.0, is_new=True, **base,
...                 rectification=Rectification(demolished_m2=600.0, demolished_farmland_m2=300.0))
>>> b = PatchRecord(2, "B", area_m2=2000.0, state="reported", verdict="合法", farmland_m2=900.0, **base)
>>> f = figures([a, b], on=dt.date(2022, 12, 1))
>>> f.illegal, f.illegal_farmland_m2, f.new_construction_farmland_m2, f.illegal_farmland_ratio_pct
(1, 300.0, 1200.0, 25.0)
>>> f.rectified, f.rectification_rate_count_pct, f.unrectified_area_m2
(1, 100.0, 0.0)
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from weipian.stats.deadlines import month_end
from weipian.stats.records import OPEN_STATES, PatchRecord

# Verdicts whose 耕地 is taken by new construction (the ratio's denominator) [VERIFY]: the
# services pass the rule dictionary's list; this is only the default for doctests.
DENOMINATOR_VERDICTS = frozenset({"合法", "违法", "其他"})


@dataclass(frozen=True)
class RatioPolicy:
    """How the illegal-farmland ratio is computed and judged (values from the rule data)."""

    line: float = 0.15  # illegal_farmland_ratio_line, as a share
    warning: float = 0.10  # illegal_farmland_ratio_warning
    denominator_verdicts: frozenset[str] = DENOMINATOR_VERDICTS
    # "filed_or_desk": a person's filed 耕地 where filed, else the desk GDMJ (the default);
    # "desk": always the desk GDMJ. [VERIFY] with the bureau: the setting WEIPIAN_RATIO_FARMLAND.
    farmland_source: str = "filed_or_desk"


def pct(part: float, whole: float) -> float | None:
    """``part`` as a percentage of ``whole``, two decimals; None when ``whole`` is 0.

    >>> pct(1, 3), pct(0, 0)
    (33.33, None)
    """
    return round(100.0 * part / whole, 2) if whole else None


def _farmland(r: PatchRecord, policy: RatioPolicy) -> float:
    if policy.farmland_source == "desk":
        return r.desk_farmland_m2 or 0.0
    return r.farmland


def _rectification_method(r: PatchRecord) -> str | None:
    """拆除 / 补办 / 拆补组合 for a rectified patch, by which areas its ledger holds."""
    rect = r.rectification
    if rect is None:
        return None
    demolished, regularised = rect.demolished_m2 > 0, rect.regularised_m2 > 0
    if demolished and regularised:
        return "combined"
    return "demolished" if demolished else ("regularised" if regularised else None)


@dataclass
class Figures:
    """Summed figures of a set of patches; the first block is INTERFACE.md's ``weipian stats`` keys."""

    patches: int = 0
    determined: int = 0
    illegal: int = 0
    illegal_area_m2: float = 0.0
    illegal_farmland_m2: float = 0.0  # the ratio's numerator: 耕地 of 新增 违法, not excluded
    new_construction_farmland_m2: float = 0.0  # the denominator
    illegal_farmland_ratio_pct: float | None = None
    rectified: int = 0
    rectified_area_m2: float = 0.0
    rectification_rate_count_pct: float | None = None
    rectification_rate_area_pct: float | None = None  # by 耕地 area (DOMAIN.md §8)
    overdue: int = 0
    housing: int = 0
    housing_area_m2: float = 0.0
    # --- more of DOMAIN.md §8 ---------------------------------------------------------------
    area_m2: float = 0.0
    legal: int = 0
    issued_in_year: int = 0
    warning_level: str | None = None  # red | amber | None
    excluded: int = 0  # patches left out of the ratio (排除情形)
    excluded_farmland_m2: float = 0.0
    illegal_new: int = 0
    illegal_stock: int = 0
    illegal_farmland_all_m2: float = 0.0  # 耕地 of every 违法 patch, new and stock
    unrectified: int = 0
    unrectified_area_m2: float = 0.0
    rectified_farmland_m2: float = 0.0
    unrectified_farmland_m2: float = 0.0
    demolished: int = 0  # rectified by 拆除 only
    demolished_area_m2: float = 0.0
    demolished_farmland_m2: float = 0.0
    regularised: int = 0  # rectified by 补办 only
    regularised_area_m2: float = 0.0
    regularised_farmland_m2: float = 0.0
    combined: int = 0  # rectified by 拆补组合
    in_ledger: int = 0  # 违法 patches with a ledger record
    closed_out: int = 0  # 销号
    close_out_rate_pct: float | None = None
    cases_filed: int = 0  # 立案
    cases_closed: int = 0  # 结案
    filing_rate_pct: float | None = None
    closing_rate_pct: float | None = None
    discipline: int = 0
    organisational: int = 0
    judicial: int = 0
    mineral: int = 0  # 涉矿 patches with a mineral verdict
    mineral_illegal: int = 0
    mineral_case_filing: int = 0  # mineral handling 立案
    housing_candidates: int = 0  # flagged by the rules, not confirmed
    due: int = 0  # patches whose 15-day deadline has passed or that were filed
    on_time: int = 0  # first filed on or before the 15-day deadline
    on_time_rate_pct: float | None = None
    closure_issued: int = 0  # issued in some month (月清 base)
    closure_done: int = 0  # filed by that month's end and not returned afterwards
    closure_rate_pct: float | None = None
    by_violation_type: dict[str, list[float]] = field(default_factory=dict)  # WFLX → [count, area]

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def figures(records: Iterable[PatchRecord], *, on: dt.date, policy: RatioPolicy | None = None) -> Figures:
    """Sum ``records`` into :class:`Figures`; rates and the ratio from the sums; areas in m²."""
    policy = policy or RatioPolicy()
    f = Figures()
    for r in records:
        _add(f, r, on, policy)
    return finish(f, policy)


def _add(f: Figures, r: PatchRecord, on: dt.date, policy: RatioPolicy) -> None:
    # A split patch counts once as issued (the parent) and by its parts' areas for everything
    # determined (DOMAIN.md §2.3): the parts are not issued patches, the parent is not verified.
    if r.split != "child":
        f.patches += 1
        f.area_m2 += r.area_m2
    if r.split == "parent":
        return
    if r.state in OPEN_STATES and r.effective_due_on < on:
        f.overdue += 1
    if r.submitted_on is not None or r.due_on < on:
        f.due += 1
        if r.submitted_on is not None and r.submitted_on <= r.due_on:
            f.on_time += 1
    if r.issued_on is not None:
        f.closure_issued += 1
        if (
            r.submitted_on is not None
            and r.submitted_on <= month_end(r.issued_on)
            and not r.returned_after_submit
        ):
            f.closure_done += 1
    if r.housing_candidate and not (r.filed and r.housing):
        f.housing_candidates += 1
    if not r.filed:
        return
    f.determined += 1
    if r.verdict == "合法":
        f.legal += 1
    if r.mineral_verdict:
        f.mineral += 1
        f.mineral_illegal += int(r.mineral_illegal)
        f.mineral_case_filing += int(r.mineral_illegal and r.mineral_handling == "立案")
    if r.housing:
        f.housing += 1
        f.housing_area_m2 += r.area_m2
    farmland = _farmland(r, policy)
    new_construction = r.verdict in policy.denominator_verdicts and r.is_new is not False
    if new_construction and r.exclusion:
        f.excluded += 1
        f.excluded_farmland_m2 += farmland
    elif new_construction:
        f.new_construction_farmland_m2 += farmland
    if r.verdict != "违法":
        return
    _add_illegal(f, r, farmland, new_construction)


def _add_illegal(f: Figures, r: PatchRecord, farmland: float, new_construction: bool) -> None:
    area = r.illegal_m2
    f.illegal += 1
    f.illegal_area_m2 += area
    f.illegal_farmland_all_m2 += farmland
    slot = f.by_violation_type.setdefault(r.violation_type or "未填", [0, 0.0])
    slot[0] += 1
    slot[1] += area
    if r.is_new:
        f.illegal_new += 1
        if not r.exclusion:
            f.illegal_farmland_m2 += farmland
    elif r.is_new is False:
        f.illegal_stock += 1
    rect = r.rectification
    if rect is not None:
        f.in_ledger += 1
        f.closed_out += int(rect.closed_out)
        # Areas to date, capped at the patch's own figures: the ledger enforces it too.
        done = min(rect.rectified_m2, area)
        done_farmland = min(rect.rectified_farmland_m2, farmland)
        f.demolished_area_m2 += min(rect.demolished_m2, area)
        f.regularised_area_m2 += done - min(rect.demolished_m2, area)
        f.demolished_farmland_m2 += min(rect.demolished_farmland_m2, farmland)
        f.regularised_farmland_m2 += done_farmland - min(rect.demolished_farmland_m2, farmland)
        f.rectified_area_m2 += done
        f.rectified_farmland_m2 += done_farmland
        # 已整改 ⇔ 剩余未整改面积 = 0 (DOMAIN.md §7); 销号 alone also counts.
        if rect.closed_out or area - done <= 1e-6:
            f.rectified += 1
            method = _rectification_method(r)
            if method == "combined":
                f.combined += 1
            elif method == "demolished":
                f.demolished += 1
            elif method == "regularised":
                f.regularised += 1
    case = r.case
    if case is not None:
        f.cases_filed += int(case.filed_on is not None)
        f.cases_closed += int(case.closed_on is not None)
        f.discipline += case.discipline
        f.organisational += case.organisational
        f.judicial += case.judicial


def finish(f: Figures, policy: RatioPolicy) -> Figures:
    """Derived figures: unrectified, rates, the ratio and its warning band; areas to 0.01 m².

    Sums are rounded first and the derived areas computed from the rounded sums, so the check
    columns (总 = 已整改 + 未整改, 已整改 = 拆除 + 补办) hold exactly in what is printed.
    """
    for name in (x.name for x in dataclasses.fields(f)):
        value = getattr(f, name)
        if name.endswith("_m2") and isinstance(value, float):
            setattr(f, name, round(value, 2))
    f.regularised_area_m2 = round(f.rectified_area_m2 - f.demolished_area_m2, 2)
    f.regularised_farmland_m2 = round(f.rectified_farmland_m2 - f.demolished_farmland_m2, 2)
    f.unrectified = f.illegal - f.rectified
    f.unrectified_area_m2 = round(f.illegal_area_m2 - f.rectified_area_m2, 2)
    f.unrectified_farmland_m2 = round(f.illegal_farmland_all_m2 - f.rectified_farmland_m2, 2)
    f.illegal_farmland_ratio_pct = pct(f.illegal_farmland_m2, f.new_construction_farmland_m2)
    f.rectification_rate_count_pct = pct(f.rectified, f.illegal)
    f.rectification_rate_area_pct = pct(f.rectified_farmland_m2, f.illegal_farmland_all_m2)
    f.close_out_rate_pct = pct(f.closed_out, f.illegal)
    f.filing_rate_pct = pct(f.cases_filed, f.illegal)
    f.closing_rate_pct = pct(f.cases_closed, f.cases_filed)
    f.on_time_rate_pct = pct(f.on_time, f.due)
    f.closure_rate_pct = pct(f.closure_done, f.closure_issued)
    f.warning_level = warning_level(f, policy)
    f.by_violation_type = {k: [int(v[0]), round(v[1], 2)] for k, v in sorted(f.by_violation_type.items())}
    return f


def warning_level(f: Figures, policy: RatioPolicy) -> str | None:
    """red at or above the 15号令 line, amber at or above the warning band, else None."""
    if not f.new_construction_farmland_m2:
        return None
    share = f.illegal_farmland_m2 / f.new_construction_farmland_m2
    if share >= policy.line:
        return "red"
    return "amber" if share >= policy.warning else None


def combine(parts: Iterable[Figures]) -> Figures:
    """The raw sum of ``parts`` (counts, areas, WFLX slots), not finished: what :func:`finish`
    derives (rates, the ratio, unrectified, 补办) is recomputed from the sums afterwards."""
    total = Figures()
    skip = {"warning_level", "by_violation_type"}
    names = [
        f.name for f in dataclasses.fields(Figures) if f.name not in skip and not f.name.endswith("_pct")
    ]
    for part in parts:
        for name in names:
            setattr(total, name, getattr(total, name) + getattr(part, name))
        for k, (n, a) in part.by_violation_type.items():
            slot = total.by_violation_type.setdefault(k, [0, 0.0])
            slot[0] += n
            slot[1] += a
    return total


def add_up(parts: Iterable[Figures], policy: RatioPolicy) -> Figures:
    """The sum of already-finished figures (a county from its units), finished again."""
    return finish(combine(parts), policy)


def group_by(records: Iterable[PatchRecord], key: Any) -> Mapping[Any, list[PatchRecord]]:
    """Records grouped by ``key(record)``, in first-seen order."""
    out: dict[Any, list[PatchRecord]] = {}
    for r in records:
        out.setdefault(key(r), []).append(r)
    return out
