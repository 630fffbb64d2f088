"""Delivered attribute values as text and dates, without pandas (the desk comparison reads them)."""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from typing import Any


def clean_text(v: Any) -> str | None:
    """A delivered value as stripped text, a whole float without its ``.0``; None when empty."""
    if v is None:
        return None
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    s = str(v).strip()
    return s or None


def yyyymmdd(v: Any) -> str | None:
    """A delivered date (20220315, '2022-03-15', datetime) as ``YYYYMMDD``, or None.

    >>> yyyymmdd("2022-3-5"), yyyymmdd(20220315.0), yyyymmdd("bad")
    ('20220305', '20220315', None)
    """
    if isinstance(v, str):
        return _yyyymmdd_text(v)  # delivered dates repeat: parse each distinct text once
    return _yyyymmdd(v)


def _yyyymmdd(v: Any) -> str | None:
    if v is None:
        return None
    if isinstance(v, dt.datetime | dt.date):  # pandas' Timestamp is a datetime
        return v.strftime("%Y%m%d")
    s = clean_text(v)
    if s is None:
        return None
    m = re.fullmatch(r"(\d{4})[-/.年]?(\d{1,2})[-/.月]?(\d{1,2})日?(?:[ T].*)?", s)
    if not m:
        return None
    y, mo, d = (int(g) for g in m.groups())
    try:
        return dt.date(y, mo, d).strftime("%Y%m%d")
    except ValueError:
        return None


@lru_cache(maxsize=4096)
def _yyyymmdd_text(v: str) -> str | None:
    return _yyyymmdd(v)
