"""Which patches a statistic covers: year, quarter, month, batch, source, unit. Pure.

A patch belongs to the monitoring year it was delivered under (NF) and to the month and
quarter of its issue date (下发时间); a patch without an issue date has no month.

>>> import datetime as dt
>>> quarter_of(dt.date(2022, 11, 1)), month_key(dt.date(2022, 2, 3))
('2022Q4', '2022-02')
>>> parse_month("2022-13") is None, parse_month("2022-02")
(True, datetime.date(2022, 2, 1))
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from weipian.stats.records import PatchRecord


def quarter_of(day: dt.date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def month_key(day: dt.date) -> str:
    return f"{day.year}-{day.month:02d}"


def parse_month(text: str) -> dt.date | None:
    """The first day of month ``YYYY-MM``, or None when it is not a real month."""
    m = re.fullmatch(r"(\d{4})-(\d{1,2})", text.strip())
    if not m or not 1 <= int(m.group(2)) <= 12 or int(m.group(1)) < 1900:
        return None
    return dt.date(int(m.group(1)), int(m.group(2)), 1)


@dataclass(frozen=True)
class Period:
    """A filter over patches; None narrows nothing."""

    year: int | None = None
    quarter: int | None = None  # 1–4, within ``year``
    month: str | None = None  # YYYY-MM of the issue date
    batch: str | None = None
    source: str | None = None
    unit: str | None = None  # 9-digit township code

    def keeps(self, r: PatchRecord) -> bool:
        if self.year is not None and r.year != self.year:
            return False
        if self.quarter is not None and (
            r.issued_on is None or (r.issued_on.month - 1) // 3 + 1 != self.quarter
        ):
            return False
        if self.month is not None and (r.issued_on is None or month_key(r.issued_on) != self.month):
            return False
        if self.batch is not None and r.batch != self.batch:
            return False
        if self.source is not None and r.source != self.source:
            return False
        return self.unit is None or r.unit == self.unit

    def select(self, records: Iterable[PatchRecord]) -> Iterator[PatchRecord]:
        return (r for r in records if self.keeps(r))

    def label(self) -> tuple[dict[str, Any], ...]:
        """The period as codes for titles and file names (``messages.period_text`` words them):
        the month, or the year and quarter, then the source and the batch; none: every patch.

        >>> [p["code"] for p in Period(year=2022, quarter=4, source="ministry").label()]
        ['period.quarter', 'period.source']
        """
        parts: list[dict[str, Any]] = []
        if self.month:
            y, m = self.month.split("-")
            parts.append({"code": "period.month", "params": {"year": int(y), "month": int(m)}})
        elif self.year is not None:
            code = "period.quarter" if self.quarter else "period.year"
            parts.append({"code": code, "params": {"year": self.year, "quarter": self.quarter}})
        if self.source:
            parts.append({"code": "period.source", "params": {"source": self.source}})
        if self.batch:
            parts.append({"code": "period.batch", "params": {"batch": self.batch}})
        return tuple(parts)
