"""Referral deadlines (two calendar months, end-of-month safe), overdue logic, the department list."""

from __future__ import annotations

import datetime as dt

import pytest

from weipian.domain.referrals import (
    ReferralKind,
    ReferralStatus,
    add_months,
    departments,
    feedback_due,
    find_department,
    referral_status,
)

D = dt.date


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (D(2027, 1, 31), 1, D(2027, 2, 28)),  # not a leap year
        (D(2028, 1, 31), 1, D(2028, 2, 29)),  # leap year
        (D(2027, 1, 30), 1, D(2027, 2, 28)),
        (D(2027, 3, 31), 1, D(2027, 4, 30)),
        (D(2027, 1, 15), 1, D(2027, 2, 15)),
        (D(2027, 11, 30), 2, D(2028, 1, 30)),  # across the year end
        (D(2027, 12, 31), 2, D(2028, 2, 29)),
        (D(2026, 12, 31), 2, D(2027, 2, 28)),
        (D(2027, 2, 28), 12, D(2028, 2, 28)),
    ],
)
def test_add_months_clamps_to_the_month_end(start: dt.date, months: int, expected: dt.date) -> None:
    assert add_months(start, months) == expected


def test_feedback_is_due_two_calendar_months_later() -> None:
    assert feedback_due(D(2027, 1, 31)) == D(2027, 3, 31)
    assert feedback_due(D(2026, 12, 31)) == D(2027, 2, 28)
    assert feedback_due(D(2027, 12, 30)) == D(2028, 2, 29)
    assert feedback_due(D(2027, 6, 1)) == D(2027, 8, 1)


def test_overdue_only_after_the_due_day_and_until_feedback() -> None:
    due = D(2027, 3, 31)
    assert referral_status(due, None, D(2027, 3, 1)) is ReferralStatus.open
    assert referral_status(due, None, due) is ReferralStatus.open  # the due day is still on time
    assert referral_status(due, None, D(2027, 4, 1)) is ReferralStatus.overdue
    assert referral_status(due, None, D(2030, 1, 1)) is ReferralStatus.overdue  # stays listed
    assert referral_status(due, due, D(2030, 1, 1)) is ReferralStatus.answered
    assert referral_status(due, D(2027, 4, 2), D(2027, 4, 2)) is ReferralStatus.answered_late


def test_the_department_list_is_data() -> None:
    names = [d.name for d in departments()]
    for required in (
        "生态环境",
        "住房城乡建设",
        "交通运输",
        "水利",
        "农业农村",
        "林业",
        "城市管理",
        "纪委监委",
    ):
        assert required in names
    assert len(set(names)) == len(names)
    assert find_department("农业农村").takes(ReferralKind.transfer)  # 非粮化 is transferred there
    assert not find_department("纪委监委").takes(ReferralKind.referral)
    assert not find_department("生态环境").takes(ReferralKind.transfer)
    assert find_department("林业局").name == "林业"  # aliases resolve to the stored name
    assert find_department("南安市林业局").name == "林业"
    assert any(d.internal for d in departments()) and not find_department("水利").internal
    assert find_department("教育局") is None and find_department("  ") is None
