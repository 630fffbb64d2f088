"""Deadlines and monthly closure (月清月结). Pure: dates in, figures out."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache


def days_left(due: dt.date, on: dt.date) -> int:
    """Days until ``due`` (negative when overdue).

    >>> days_left(dt.date(2022, 11, 16), dt.date(2022, 11, 10)), days_left(dt.date(2022, 11, 16), dt.date(2022, 11, 20))
    (6, -4)
    """
    return (due - on).days


@cache  # statistics ask it for every patch; a county has few distinct issue dates
def month_end(day: dt.date) -> dt.date:
    """Last day of ``day``'s month.

    >>> month_end(dt.date(2022, 2, 3))
    datetime.date(2022, 2, 28)
    """
    first_next = (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    return first_next - dt.timedelta(days=1)


@dataclass(frozen=True)
class MonthlyClosure:
    """月清 for one township and month: patches issued that month, and how many were determined
    (submitted) by the end of it."""

    township: str
    month: str  # YYYY-MM
    issued: int
    determined: int

    @property
    def rate(self) -> float:
        return self.determined / self.issued if self.issued else 1.0


def monthly_closure(
    issued: Iterable[tuple[str, dt.date, int]], submitted: Iterable[tuple[str, dt.date, dt.date, int]]
) -> list[MonthlyClosure]:
    """月清 completion per township and month of issue, from counts of patches issued (township,
    issued on, n) and of those first submitted (township, issued on, submitted on, n).

    A patch issued in month *m* counts as closed when its determination was submitted by the end
    of month *m* (issue 4's rule; the DOMAIN.md variant allowing *m*+1 is a setting to add).

    >>> issued = [("洪濑镇", dt.date(2022, 11, 1), 2), ("洪濑镇", dt.date(2022, 11, 9), 1)]
    >>> submitted = [("洪濑镇", dt.date(2022, 11, 1), dt.date(2022, 11, 20), 1),
    ...              ("洪濑镇", dt.date(2022, 11, 1), dt.date(2022, 12, 2), 1)]
    >>> m = monthly_closure(issued, submitted)[0]
    >>> m.month, m.issued, m.determined, round(m.rate, 3)
    ('2022-11', 3, 1, 0.333)
    """
    counts: dict[tuple[str, str], int] = defaultdict(int)
    done: dict[tuple[str, str], int] = defaultdict(int)
    for township, issued_on, n in issued:
        counts[(township, issued_on.strftime("%Y-%m"))] += n
    for township, issued_on, submitted_on, n in submitted:
        if submitted_on <= month_end(issued_on):
            done[(township, issued_on.strftime("%Y-%m"))] += n
    return [MonthlyClosure(t, m, n, done[(t, m)]) for (t, m), n in sorted(counts.items())]
