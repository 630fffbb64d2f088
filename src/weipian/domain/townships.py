"""The township-level units of the county, shipped as data (``data/townships.csv``)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import cache
from importlib import resources

COUNTY_CODE = "350583"
COUNTY_NAME = "南安市"


@dataclass(frozen=True)
class Township:
    """One 乡镇（街道）/开发区 with its 9-digit code."""

    code: str
    name: str
    kind: str


@cache
def townships() -> tuple[Township, ...]:
    """All township-level units, in code order.

    >>> len(townships()), townships()[0].name
    (27, '溪美街道')
    """
    text = resources.files("weipian.domain").joinpath("data/townships.csv").read_text("utf-8")
    return tuple(Township(**row) for row in csv.DictReader(io.StringIO(text)))


def township_by_code(code: str) -> Township | None:
    """The township with this 9-digit code, or None."""
    return {t.code: t for t in townships()}.get(code)
