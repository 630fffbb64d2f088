"""Township evaluation: a ranking of units and the 警示约谈 list with reasons. Pure.

Four criteria, each ranked worst-first with ties sharing a place: the illegal-farmland ratio
(higher is worse), unrectified 耕地 (more is worse), new 乱占耕地建房 cases (more is worse) and the
15-day on-time rate (lower is worse; nothing due counts as 100 %). A unit's score is the sum of
its four places; rank 1 is the lowest score, the unit most in need of attention. Ties break on
the ratio, then unrectified 耕地, then the unit code. [DESIGN]: equal weights, documented in
docs/statistics.md.

A unit is put on the 警示约谈 list for each reason that holds (thresholds from the rule data):
``interview.ratio`` — ratio at or above the 15号令 line *and* illegal 耕地 at or above
``interview_area_min``; ``interview.unrectified`` — unrectified 耕地 at or above
``interview_unrectified_farmland_min``; ``interview.on_time`` — on-time rate below
``interview_on_time_rate_min`` (only when something was due).

>>> from weipian.stats.figures import Figures
>>> a = Figures(illegal_farmland_ratio_pct=20.0, illegal_farmland_m2=70000.0, unrectified_farmland_m2=70000.0)
>>> b = Figures(illegal_farmland_ratio_pct=5.0, illegal_farmland_m2=1000.0, due=10, on_time=10,
...             on_time_rate_pct=100.0)
>>> t = InterviewThresholds(ratio_line=0.15, area_min_m2=66666.67, unrectified_farmland_min_m2=1e9,
...                         on_time_rate_min=0.8)
>>> [(e.key, e.rank, e.interview, [r.code for r in e.reasons]) for e in evaluate({"A": a, "B": b}, t)]
[('A', 1, True, ['interview.ratio']), ('B', 2, False, [])]
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from weipian.stats.figures import Figures


@dataclass(frozen=True)
class InterviewThresholds:
    """The 警示约谈 thresholds in force (from the rule data), in m² and shares 0–1."""

    ratio_line: float
    area_min_m2: float
    unrectified_farmland_min_m2: float
    on_time_rate_min: float


@dataclass(frozen=True)
class InterviewReason:
    """Why a unit is on the 警示约谈 list: a stable code and the figures behind it."""

    code: str
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Evaluation:
    """One unit's place: rank (1 = worst), the four places, the score and any 约谈 reasons."""

    key: str
    rank: int
    score: int
    places: Mapping[str, int]
    reasons: tuple[InterviewReason, ...]

    @property
    def interview(self) -> bool:
        return bool(self.reasons)


CRITERIA = ("ratio", "unrectified_farmland", "new_housing", "on_time")


def _criteria(f: Figures) -> dict[str, float]:
    """Each criterion as a number where larger is worse."""
    on_time = f.on_time_rate_pct if f.on_time_rate_pct is not None else 100.0
    return {
        "ratio": f.illegal_farmland_ratio_pct or 0.0,
        "unrectified_farmland": f.unrectified_farmland_m2,
        "new_housing": float(f.housing),
        "on_time": -on_time,
    }


def _places(values: Mapping[str, float]) -> dict[str, int]:
    """Competition ranking, worst (largest) first: 1, 2, 2, 4 …"""
    ordered = sorted(values.values(), reverse=True)
    return {k: 1 + sum(1 for v in ordered if v > x) for k, x in values.items()}


def reasons_for(f: Figures, t: InterviewThresholds) -> tuple[InterviewReason, ...]:
    """The 警示约谈 reasons that hold for one unit's figures."""
    out: list[InterviewReason] = []
    ratio = f.illegal_farmland_ratio_pct
    if ratio is not None and ratio >= 100 * t.ratio_line and f.illegal_farmland_m2 >= t.area_min_m2:
        out.append(
            InterviewReason(
                "interview.ratio",
                {
                    "ratio_pct": ratio,
                    "line_pct": round(100 * t.ratio_line, 2),
                    "farmland_m2": f.illegal_farmland_m2,
                    "area_min_m2": round(t.area_min_m2, 2),
                },
            )
        )
    if f.unrectified_farmland_m2 >= t.unrectified_farmland_min_m2 and f.unrectified_farmland_m2 > 0:
        out.append(
            InterviewReason(
                "interview.unrectified",
                {"farmland_m2": f.unrectified_farmland_m2, "min_m2": round(t.unrectified_farmland_min_m2, 2)},
            )
        )
    if f.due and f.on_time_rate_pct is not None and f.on_time_rate_pct < 100 * t.on_time_rate_min:
        out.append(
            InterviewReason(
                "interview.on_time",
                {"rate_pct": f.on_time_rate_pct, "min_pct": round(100 * t.on_time_rate_min, 2)},
            )
        )
    return tuple(out)


def evaluate(units: Mapping[str, Figures], thresholds: InterviewThresholds) -> list[Evaluation]:
    """Rank ``units`` (key → figures) and find their 约谈 reasons; returned in rank order."""
    values = {k: _criteria(f) for k, f in units.items()}
    places = {c: _places({k: v[c] for k, v in values.items()}) for c in CRITERIA}
    score = {k: sum(places[c][k] for c in CRITERIA) for k in units}
    order = sorted(
        units,
        key=lambda k: (score[k], -values[k]["ratio"], -values[k]["unrectified_farmland"], k),
    )
    return [
        Evaluation(
            key=k,
            rank=i,
            score=score[k],
            places={c: places[c][k] for c in CRITERIA},
            reasons=reasons_for(units[k], thresholds),
        )
        for i, k in enumerate(order, start=1)
    ]
