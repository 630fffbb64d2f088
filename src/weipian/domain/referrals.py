"""Referrals (抄告) and transfers (移交) to other departments: the department list, the feedback
deadline and whether a referral is overdue. Pure.

The departments are data (``data/departments.yaml``); feedback (反馈) is due two calendar months
after the referral date, and an overdue referral stays listed until its feedback arrives.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources

import yaml

from weipian.messages.labels import REFERRAL_KIND_LABELS, REFERRAL_STATUS_LABELS

FEEDBACK_MONTHS = 2  # DOMAIN.md §7; the services read the period from the rules (referral_feedback_months)


class ReferralKind(StrEnum):
    """What is sent; values are stored in ``referrals.kind``."""

    referral = "referral"  # 抄告: notice to the department that regulates the matter
    transfer = "transfer"  # 移交: the matter is handed over (非粮化, discipline, crime)

    @property
    def label(self) -> str:
        return REFERRAL_KIND_LABELS[self]


class ReferralStatus(StrEnum):
    """Where a referral stands on a given day."""

    open = "open"  # 待反馈
    overdue = "overdue"  # 已逾期: past its due date without feedback
    answered = "answered"  # 已反馈 on time
    answered_late = "answered_late"  # 逾期反馈

    @property
    def label(self) -> str:
        return REFERRAL_STATUS_LABELS[self]


@dataclass(frozen=True)
class Department:
    """One receiving department of ``data/departments.yaml``."""

    name: str  # stored value
    full_name: str
    kinds: frozenset[ReferralKind]
    internal: bool = False  # a section of the bureau itself
    aliases: tuple[str, ...] = ()

    def takes(self, kind: ReferralKind) -> bool:
        return kind in self.kinds


@cache
def departments() -> tuple[Department, ...]:
    """The department list, in the file's order."""
    text = resources.files("weipian.domain").joinpath("data/departments.yaml").read_text("utf-8")
    out = []
    for d in yaml.safe_load(text)["departments"]:
        out.append(
            Department(
                name=str(d["name"]),
                full_name=str(d.get("full_name") or d["name"]),
                kinds=frozenset(ReferralKind(k) for k in d["kinds"]),
                internal=bool(d.get("internal", False)),
                aliases=tuple(str(a) for a in d.get("aliases", ())),
            )
        )
    names = [d.name for d in out]
    if len(set(names)) != len(names):
        raise ValueError("departments.yaml: a department name is listed twice")
    return tuple(out)


def find_department(text: str | None) -> Department | None:
    """The department named ``text`` (its name, full name or an alias), or None.

    >>> find_department("林业局").name, find_department(" 农业农村 ").name
    ('林业', '农业农村')
    >>> find_department("教育局") is None, find_department(None) is None
    (True, True)
    """
    key = (text or "").strip()
    if not key:
        return None
    for d in departments():
        if key == d.name or key == d.full_name or key in d.aliases:
            return d
    return None


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by whole calendar months; a day the target month lacks becomes its last day.

    >>> add_months(dt.date(2027, 1, 31), 1), add_months(dt.date(2028, 1, 31), 1)
    (datetime.date(2027, 2, 28), datetime.date(2028, 2, 29))
    >>> add_months(dt.date(2026, 11, 15), 2), add_months(dt.date(2026, 12, 31), 2)
    (datetime.date(2027, 1, 15), datetime.date(2027, 2, 28))
    """
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def feedback_due(referred_on: dt.date, months: int = FEEDBACK_MONTHS) -> dt.date:
    """The day feedback is due: the referral date plus ``months`` calendar months (two by default).

    >>> feedback_due(dt.date(2027, 3, 10)), feedback_due(dt.date(2027, 12, 31))
    (datetime.date(2027, 5, 10), datetime.date(2028, 2, 29))
    """
    return add_months(referred_on, months)


def referral_status(due_on: dt.date, answered_on: dt.date | None, today: dt.date) -> ReferralStatus:
    """Open, overdue (after the due day, no feedback), answered or answered late.

    The due day itself is still on time.

    >>> due = dt.date(2027, 5, 10)
    >>> [referral_status(due, None, dt.date(2027, 5, d)).value for d in (10, 11)]
    ['open', 'overdue']
    >>> referral_status(due, dt.date(2027, 5, 12), dt.date(2027, 6, 1)).value
    'answered_late'
    """
    if answered_on is not None:
        return ReferralStatus.answered if answered_on <= due_on else ReferralStatus.answered_late
    return ReferralStatus.overdue if today > due_on else ReferralStatus.open
