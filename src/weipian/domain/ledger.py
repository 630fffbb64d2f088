"""The rectification ledger (查处整改台账): record states, areas and their checks. Pure.

One record per problem patch. Progress areas are **totals to date**, not increments; every save
is checked (DOMAIN.md §7):

- rectified = demolished + regularised (拆除 + 补办), remaining = illegal − rectified ≥ 0;
- no area above the patch's illegal area, no 耕地 area above the area it is part of, and the
  耕地 rectified not above the illegal 耕地 when that is known.

A record is closed out (销号) only with nothing left unrectified, after the 市局 approves.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from weipian.messages.labels import CASE_KIND_LABELS as CASE_KIND_LABELS
from weipian.messages.labels import DECISION_LABELS as DECISION_LABELS
from weipian.messages.labels import FEEDBACK_STAGE_LABELS
from weipian.messages.labels import METHOD_LABELS as METHOD_LABELS
from weipian.messages.labels import OUTCOME_LABELS as OUTCOME_LABELS
from weipian.messages.labels import RECORD_STATE_LABELS as RECORD_STATE_LABELS

AREA_TOLERANCE_M2 = 0.01  # float noise; areas are entered in m² with at most two decimals
REMINDER_DAYS = 7  # `weipian due`: what falls due within this many days


class RecordState(StrEnum):
    """Where a ledger record stands; values are stored in ``rectifications.state``."""

    rectifying = "rectifying"  # 整改中
    requested = "requested"  # 已申请销号, waiting for the 市局
    closed = "closed"  # 已销号

    @property
    def label(self) -> str:
        return RECORD_STATE_LABELS[self]


class Method(StrEnum):
    """整改方式, derived from the areas; stored in ``rectifications.method`` for grouping."""

    demolish_restore = "demolish_restore"  # 拆除复耕
    retro_approval = "retro_approval"  # 补办手续
    combined = "combined"  # 拆补组合
    none = "none"  # 未整改

    @property
    def label(self) -> str:
        return METHOD_LABELS[self]


class Decision(StrEnum):
    """The 市局's answer to a 销号 request; stored in ``close_out_requests.decision``."""

    approved = "approved"  # 同意销号
    returned = "returned"  # 退回


class FeedbackStage(StrEnum):
    """One entry of a referral's feedback series; stored in ``referral_feedback.stage``.

    A referral stays open (and its two-month clock keeps chasing) until a ``done`` entry.
    """

    received = "received"  # 接收: the department confirms it has the letter
    accepted = "accepted"  # 受理
    in_progress = "in_progress"  # 办理中
    done = "done"  # 办结 (with the result)

    @property
    def label(self) -> str:
        return FEEDBACK_STAGE_LABELS[self]


def stage_from_text(text: str) -> FeedbackStage | None:
    """A stage from its Chinese label or code.

    >>> stage_from_text("办结"), stage_from_text("in_progress"), stage_from_text("结束")
    (<FeedbackStage.done: 'done'>, <FeedbackStage.in_progress: 'in_progress'>, None)
    """
    key = text.strip()
    for stage, label in FEEDBACK_STAGE_LABELS.items():
        if key in (label, stage):
            return FeedbackStage(stage)
    return None


class CaseKind(StrEnum):
    """立案查处: land or mineral case; stored in ``cases.kind``."""

    land = "land"  # 土地
    mineral = "mineral"  # 矿产


class Outcome(StrEnum):
    """What happened to a person held responsible (既查事又查人); ``case_persons.outcome``."""

    discipline = "discipline"  # 党纪政务处分
    organisational = "organisational"  # 组织处理
    judicial = "judicial"  # 移送司法

    @property
    def label(self) -> str:
        return OUTCOME_LABELS[self]


# The suggestion flags (rules/violation.py) that suggest an outcome; a person confirms it.
FLAG_OUTCOMES = {"discipline_threshold": Outcome.discipline, "crime_threshold": Outcome.judicial}


@dataclass(frozen=True)
class Areas:
    """Rectified areas to date, m²: 拆除 (and its 耕地), 补办 (and its 耕地)."""

    demolished: float = 0.0
    demolished_farmland: float = 0.0
    regularised: float = 0.0
    regularised_farmland: float = 0.0

    @property
    def rectified(self) -> float:
        return self.demolished + self.regularised

    @property
    def rectified_farmland(self) -> float:
        return self.demolished_farmland + self.regularised_farmland

    def remaining(self, illegal_m2: float) -> float:
        """剩余未整改面积; never below zero once checked."""
        return max(illegal_m2 - self.rectified, 0.0)

    @property
    def method(self) -> Method:
        """整改方式 from which kinds of area are non-zero.

        >>> Areas(demolished=10).method.label, Areas(10, 0, 5, 0).method.label, Areas().method.label
        ('拆除复耕', '拆补组合', '未整改')
        """
        d, r = self.demolished > AREA_TOLERANCE_M2, self.regularised > AREA_TOLERANCE_M2
        if d and r:
            return Method.combined
        if d:
            return Method.demolish_restore
        if r:
            return Method.retro_approval
        return Method.none


@dataclass(frozen=True)
class AreaProblem:
    """One failed check: a stable code and its parameters (m² as text with two decimals)."""

    code: str
    params: dict[str, str]


def _m2(x: float) -> str:
    return f"{x:.2f}"


def check_areas(areas: Areas, illegal_m2: float, illegal_farmland_m2: float | None) -> list[AreaProblem]:
    """Every way ``areas`` break the ledger's checks against the record's illegal areas.

    >>> [p.code for p in check_areas(Areas(demolished=80, regularised=30), 100, None)]
    ['ledger.area_over_illegal']
    >>> [p.code for p in check_areas(Areas(demolished=50, demolished_farmland=60), 100, 40)]
    ['ledger.farmland_over_part', 'ledger.farmland_over_illegal']
    >>> check_areas(Areas(demolished=60, demolished_farmland=40, regularised=40), 100, 40)
    []
    """
    tol = AREA_TOLERANCE_M2
    problems: list[AreaProblem] = []
    for name, value in (
        ("demolished", areas.demolished), ("demolished_farmland", areas.demolished_farmland),
        ("regularised", areas.regularised), ("regularised_farmland", areas.regularised_farmland),
    ):  # fmt: skip
        if value < 0 or value != value:  # negative or NaN
            problems.append(AreaProblem("ledger.area_negative", {"field": name, "value": _m2(value)}))
    if problems:
        return problems
    if areas.rectified > illegal_m2 + tol:
        problems.append(
            AreaProblem(
                "ledger.area_over_illegal",
                {"rectified": _m2(areas.rectified), "illegal": _m2(illegal_m2)},
            )
        )
    for part, farmland, name in (
        (areas.demolished, areas.demolished_farmland, "demolished"),
        (areas.regularised, areas.regularised_farmland, "regularised"),
    ):
        if farmland > part + tol:
            problems.append(
                AreaProblem(
                    "ledger.farmland_over_part", {"field": name, "farmland": _m2(farmland), "area": _m2(part)}
                )
            )
    if illegal_farmland_m2 is not None and areas.rectified_farmland > illegal_farmland_m2 + tol:
        problems.append(
            AreaProblem(
                "ledger.farmland_over_illegal",
                {"farmland": _m2(areas.rectified_farmland), "illegal": _m2(illegal_farmland_m2)},
            )
        )
    return problems


def fully_rectified(areas: Areas, illegal_m2: float) -> bool:
    """Whether nothing is left unrectified (the condition for a 销号 request).

    >>> fully_rectified(Areas(demolished=99.995), 100), fully_rectified(Areas(demolished=99), 100)
    (True, False)
    """
    return illegal_m2 - areas.rectified <= AREA_TOLERANCE_M2
