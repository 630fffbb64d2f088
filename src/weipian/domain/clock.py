"""The bureau's clock: times are stored in UTC and read as Beijing time (UTC+8, no daylight
saving), which decides a photo's day, a referral's day and what pages show.

"Now" has one source, :func:`now`: the real clock, or the moment ``WEIPIAN_NOW`` names (demos,
training, tests), which the edges set with :func:`set_now` from the settings. Every deadline,
月清 figure and event time follows it.
"""

from __future__ import annotations

import datetime as dt

BEIJING = dt.timezone(dt.timedelta(hours=8), "北京时间")

_fixed: dt.datetime | None = None


def set_now(at: dt.datetime | None) -> None:
    """Fix "now" at ``at`` for this process (a naive time is Beijing time); None: the real clock."""
    global _fixed
    _fixed = None if at is None else as_beijing(at)


def fixed_now() -> dt.datetime | None:
    """The moment "now" is fixed at (Beijing time), or None when the real clock runs."""
    return _fixed


def now() -> dt.datetime:
    """The current moment in UTC.

    >>> set_now(dt.datetime(2026, 3, 1, 7, 30))
    >>> now().isoformat()
    '2026-02-28T23:30:00+00:00'
    >>> set_now(None)
    """
    return (_fixed or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)


def today() -> dt.date:
    """Today's date in Beijing: the day deadlines are counted against.

    >>> set_now(dt.datetime(2026, 3, 1, 7, 30))
    >>> today()
    datetime.date(2026, 3, 1)
    >>> set_now(None)
    """
    return now().astimezone(BEIJING).date()


def as_beijing(at: dt.datetime) -> dt.datetime:
    """``at`` in Beijing time; a naive time is taken as Beijing time already."""
    return at.replace(tzinfo=BEIJING) if at.tzinfo is None else at.astimezone(BEIJING)
