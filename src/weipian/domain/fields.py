"""Patch field names (INTERFACE.md) and the alias table that maps delivered names onto them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml


@dataclass(frozen=True)
class Alias:
    """One delivered column name for a field, and the unit its values come in."""

    field: str
    name: str
    unit: str = "m2"


@cache
def field_aliases() -> tuple[Alias, ...]:
    """All aliases from ``data/field_aliases.yaml``, in file order."""
    text = resources.files("weipian.domain").joinpath("data/field_aliases.yaml").read_text("utf-8")
    out: list[Alias] = []
    for field, names in yaml.safe_load(text).items():
        for entry in names:
            if isinstance(entry, dict):
                out.append(Alias(field, str(entry["name"]), str(entry.get("unit", "m2"))))
            else:
                out.append(Alias(field, str(entry)))
    return tuple(out)


def _norm(name: str) -> str:
    return name.strip().upper()


def match_columns(columns: list[str]) -> dict[str, Alias]:
    """Map each INTERFACE.md field to the delivered column that carries it.

    The first alias listed for a field wins when a file has several.

    >>> m = match_columns(["tbbh", "监测面积（亩）", "XZQDM"])
    >>> m["JCBH"].name, m["JCMJ"].unit
    ('tbbh', 'mu')
    """
    by_norm = {_norm(c): c for c in columns}
    found: dict[str, Alias] = {}
    for alias in field_aliases():
        if alias.field in found:
            continue
        col = by_norm.get(_norm(alias.name))
        if col is not None:
            found[alias.field] = Alias(alias.field, col, alias.unit)
    return found


def aliases_of(field: str) -> list[str]:
    """Every accepted spelling of ``field``."""
    return [a.name for a in field_aliases() if a.field == field]


def field_date(value: str | dt.date | None) -> dt.date | None:
    """A delivered date value (QSX, HSX, PZRQ …: ``YYYYMMDD``, dashes tolerated) as a date;
    None when absent or malformed.

    >>> field_date("20220901"), field_date("2022-09-01"), field_date(""), field_date("2022")
    (datetime.date(2022, 9, 1), datetime.date(2022, 9, 1), None, None)
    """
    if value is None or isinstance(value, dt.date):
        return value
    text = value.strip().replace("-", "")
    if len(text) != 8 or not text.isdigit():
        return None
    try:
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        return None
