"""The case register (立案查处): one case per illegal patch, its checks and its persons. Pure.

A case is filed (立案) for a patch determined 违法 (land or mineral). Its fields are checked on
every save, so a stored case always satisfies:

- the case number (立案号) is given — free text, one line, at most 64 characters; unique across
  the register (the store checks that);
- 立案日期 ≤ 处罚决定日期 ≤ 结案日期, none of them after today; a 处罚决定书 has both its
  number and its date;
- fines and confiscations (元) are ≥ 0 and finite; the confiscated area (没收面积) is ≥ 0 and not
  above the patch's illegal area.

Persons held responsible (既查事又查人) carry an outcome (党纪政务处分, 组织处理, 移送司法) from
the rule dictionary ``case_outcome``. The judge's discipline and crime flags *suggest* an outcome;
a suggestion counts (in statistics, on the ledger) only once a person confirms it.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from weipian.domain.ledger import (
    AREA_TOLERANCE_M2,
    CASE_KIND_LABELS,
    FLAG_OUTCOMES,
    OUTCOME_LABELS,
    CaseKind,
    Outcome,
)
from weipian.messages.labels import CASE_STAGE_LABELS

CASE_NO_MAX = 64
DECISION_NO_MAX = 128
TEXT_MAX = 2000
NAME_MAX = 64
POSITION_MAX = 128

__all__ = [
    "CASE_KIND_LABELS",
    "CaseFields",
    "CaseKind",
    "CaseProblem",
    "CaseStage",
    "Outcome",
    "Suggestion",
    "check_case",
    "outcome_from_label",
    "suggestions_from_flags",
]


class CaseStage(StrEnum):
    """Where a case stands, derived from its dates (not stored)."""

    filed = "filed"  # 已立案
    decided = "decided"  # 已作出处罚决定
    closed = "closed"  # 已结案

    @property
    def label(self) -> str:
        return CASE_STAGE_LABELS[self]


@dataclass(frozen=True)
class CaseFields:
    """What a person enters for a case; ``None`` = not (yet) known."""

    case_no: str
    filed_on: dt.date
    decision_no: str | None = None
    decision_on: dt.date | None = None
    fine_yuan: float | None = None
    confiscated_yuan: float | None = None
    confiscated_area_m2: float | None = None
    confiscation: str | None = None
    closed_on: dt.date | None = None
    note: str | None = None

    @property
    def stage(self) -> CaseStage:
        """
        >>> CaseFields("南自然资立〔2022〕1号", dt.date(2022, 5, 1)).stage.label
        '已立案'
        """
        if self.closed_on is not None:
            return CaseStage.closed
        if self.decision_on is not None:
            return CaseStage.decided
        return CaseStage.filed


@dataclass(frozen=True)
class CaseProblem:
    """One failed check: a stable code and its parameters (as text)."""

    code: str
    params: dict[str, str] = field(default_factory=dict)


def _bad_text(text: str) -> bool:
    """Line breaks and other control characters (a case number is one line)."""
    return any(ord(ch) < 32 or ord(ch) == 127 for ch in text)


def _money(name: str, value: float | None) -> list[CaseProblem]:
    if value is None:
        return []
    if not math.isfinite(value) or value < 0:
        return [CaseProblem("case.amount_negative", {"field": name, "value": str(value)})]
    return []


def check_case(c: CaseFields, *, illegal_area_m2: float, today: dt.date) -> list[CaseProblem]:
    """Every way ``c`` breaks the register's checks.

    >>> ok = CaseFields("南自然资立〔2022〕1号", dt.date(2022, 5, 1), "南自然资罚〔2022〕3号", dt.date(2022, 6, 1),
    ...                 fine_yuan=5200, confiscated_area_m2=100, closed_on=dt.date(2022, 7, 1))
    >>> check_case(ok, illegal_area_m2=500, today=dt.date(2022, 12, 1))
    []
    >>> bad = CaseFields(" ", dt.date(2022, 5, 1), "罚〔2022〕3号", dt.date(2022, 4, 1), fine_yuan=-1,
    ...                  confiscated_area_m2=600, closed_on=dt.date(2023, 1, 1))
    >>> [p.code for p in check_case(bad, illegal_area_m2=500, today=dt.date(2022, 12, 1))]
    ['case.number_needed', 'case.date_future', 'case.decision_before_filing', 'case.amount_negative', 'case.confiscated_over_illegal']
    """
    problems: list[CaseProblem] = []
    number = c.case_no.strip()
    if not number:
        problems.append(CaseProblem("case.number_needed"))
    elif len(number) > CASE_NO_MAX:
        problems.append(
            CaseProblem("case.number_too_long", {"length": str(len(number)), "max": str(CASE_NO_MAX)})
        )
    elif _bad_text(number):
        problems.append(CaseProblem("case.number_bad_char"))
    if c.decision_no is not None and (len(c.decision_no) > DECISION_NO_MAX or _bad_text(c.decision_no)):
        problems.append(CaseProblem("case.decision_no_bad", {"max": str(DECISION_NO_MAX)}))
    for name, day in (("立案日期", c.filed_on), ("处罚决定日期", c.decision_on), ("结案日期", c.closed_on)):
        if day is not None and day > today:
            problems.append(CaseProblem("case.date_future", {"field": name, "date": day.isoformat(),
                                                             "today": today.isoformat()}))  # fmt: skip
    if (c.decision_no is None) != (c.decision_on is None):
        problems.append(CaseProblem("case.decision_incomplete"))
    if c.decision_on is not None and c.decision_on < c.filed_on:
        problems.append(CaseProblem("case.decision_before_filing", {"decision_on": c.decision_on.isoformat(),
                                                                    "filed_on": c.filed_on.isoformat()}))  # fmt: skip
    if c.closed_on is not None:
        if c.closed_on < c.filed_on:
            problems.append(CaseProblem("case.closed_before_filing", {"closed_on": c.closed_on.isoformat(),
                                                                      "filed_on": c.filed_on.isoformat()}))  # fmt: skip
        elif c.decision_on is not None and c.closed_on < c.decision_on:
            problems.append(CaseProblem("case.closed_before_decision", {
                "closed_on": c.closed_on.isoformat(), "decision_on": c.decision_on.isoformat()}))  # fmt: skip
    problems += _money("罚款", c.fine_yuan) + _money("没收金额", c.confiscated_yuan)
    problems += _money("没收面积", c.confiscated_area_m2)
    area = c.confiscated_area_m2
    if area is not None and math.isfinite(area) and area > illegal_area_m2 + AREA_TOLERANCE_M2:
        problems.append(CaseProblem("case.confiscated_over_illegal", {"area": f"{area:.2f}",
                                                                      "illegal": f"{illegal_area_m2:.2f}"}))  # fmt: skip
    return problems


def outcome_from_label(label: str) -> Outcome | None:
    """The outcome a dictionary label (or a code) stands for.

    >>> outcome_from_label("移送司法"), outcome_from_label("discipline"), outcome_from_label("警告")
    (<Outcome.judicial: 'judicial'>, <Outcome.discipline: 'discipline'>, None)
    """
    key = label.strip()
    for outcome, text in OUTCOME_LABELS.items():
        if key in (text, outcome):
            return Outcome(outcome)
    return None


@dataclass(frozen=True)
class Suggestion:
    """An outcome the judge's flags suggest for a case; a person confirms it or not."""

    flag: str  # discipline_threshold | crime_threshold
    outcome: Outcome


def suggestions_from_flags(flags: Iterable[str]) -> list[Suggestion]:
    """The outcomes a patch's flags suggest, in a stable order.

    >>> [(s.flag, s.outcome.label) for s in suggestions_from_flags(["farmland_housing", "crime_threshold"])]
    [('crime_threshold', '移送司法')]
    """
    have = set(flags)
    return [Suggestion(flag, outcome) for flag, outcome in FLAG_OUTCOMES.items() if flag in have]


def kind_from_text(text: str) -> CaseKind | None:
    """
    >>> kind_from_text("矿产"), kind_from_text("land"), kind_from_text("林地")
    (<CaseKind.mineral: 'mineral'>, <CaseKind.land: 'land'>, None)
    """
    key = text.strip()
    for kind, label in CASE_KIND_LABELS.items():
        if key in (label, kind):
            return CaseKind(kind)
    return None
