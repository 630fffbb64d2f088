"""The bureau's clock: times are stored in UTC and read as Beijing time (UTC+8, no daylight
saving), which decides a photo's day, a referral's day and what pages show."""

from __future__ import annotations

import datetime as dt

BEIJING = dt.timezone(dt.timedelta(hours=8), "北京时间")
