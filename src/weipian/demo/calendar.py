"""The demo's dates follow the day it is made, so a fresh demo shows a working county: the
ministry batch was issued 20 days ago (its 15-day deadline passed 5 days ago), the provincial
batch 11 days ago (due in 4 days). The monitoring year is the latest whose after-imagery
(31 October) comes before the ministry batch; every other date (前/后时相, licences, approvals,
earlier years' patches) keeps its place relative to that year. The same day gives the same dates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

BASE_YEAR = 2022  # the year the demo's dates are written for, shifted by whole years
REFERENCE_DAY = date(2022, 11, 21)  # the day whose demo is the original one (ministry issued 2022-11-01)
MINISTRY_AGE, PROVINCE_AGE = timedelta(days=20), timedelta(days=11)


@dataclass(frozen=True)
class DemoCalendar:
    year: int  # monitoring year: 后时相 and the imagery fall in it; batch names and NF use it
    ministry_issued: date
    province_issued: date

    @property
    def years(self) -> int:
        """Whole years between the written dates and this calendar."""
        return self.year - BASE_YEAR

    def day(self, text: str) -> date:
        """A written date (``YYYY-MM-DD`` of BASE_YEAR's story, never 29 February) in this calendar."""
        d = date.fromisoformat(text)
        return d.replace(year=d.year + self.years)

    def day64(self, text: str) -> np.datetime64:
        return np.datetime64(self.day(text).isoformat())

    @property
    def ministry_batch(self) -> str:
        return f"{self.year}年第1批"

    @property
    def province_batch(self) -> str:
        return f"{self.year}年省第1批"

    @property
    def ministry_file(self) -> str:
        return f"ministry_{self.year}_01.zip"

    @property
    def province_file(self) -> str:
        return f"province_{self.year}_01.gpkg"


def calendar_for(today: date) -> DemoCalendar:
    """The demo's calendar on ``today`` (Beijing date).

    >>> calendar_for(REFERENCE_DAY)
    DemoCalendar(year=2022, ministry_issued=datetime.date(2022, 11, 1), province_issued=datetime.date(2022, 11, 10))
    >>> calendar_for(date(2027, 3, 2)).year
    2026
    """
    ministry = today - MINISTRY_AGE
    year = ministry.year if ministry >= date(ministry.year, 11, 1) else ministry.year - 1
    return DemoCalendar(year, ministry, today - PROVINCE_AGE)
