"""Turn a delivered attribute table into patch fields (INTERFACE.md names), row by row.

Aliased column names are mapped through ``domain/data/field_aliases.yaml``; 亩 columns become
m²; dates become ``YYYYMMDD``. Rows that cannot be patches are rejected with a code, and the
rest of the package goes on.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from weipian.domain.fields import Alias, aliases_of, match_columns
from weipian.domain.units import mu_to_m2
from weipian.errors import InputError
from weipian.io.readers import column_values
from weipian.io.values import clean_text, yyyymmdd

TEXT_FIELDS = ("XZQDM", "XZQMC", "TBLX", "QQJCBH", "QQTBLX", "TYWZJCTBWQBH", "SFSK")


@dataclass
class Rejection:
    """One row that was not imported, and why (a message code)."""

    row: int  # 1-based row number in the delivered file
    id: str | None
    code: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PatchFields:
    """Mapped fields for every delivered row; ``None`` where the file has no value."""

    jcbh: NDArray[np.object_]
    text: dict[str, NDArray[np.object_]]
    before_date: NDArray[np.object_]
    after_date: NDArray[np.object_]
    issued_on: NDArray[np.object_]
    year: NDArray[np.object_]
    delivered_area_m2: NDArray[np.object_]
    extra: list[dict[str, Any]]  # every unmapped column, JSON-ready
    id_field: str = "JCBH"  # the delivered column the identifier came from (JCBH, TBBH, 监测编号 …)


def _values(attrs: pd.DataFrame, alias: Alias | None) -> NDArray[np.object_]:
    return column_values(attrs, alias.name if alias else None)


@lru_cache(maxsize=65536)
def _text_cached(v: Any) -> str | None:
    return clean_text(v)


def _texts(values: NDArray[np.object_]) -> NDArray[np.object_]:
    """``clean_text`` of a column; delivered codes and names repeat, so each distinct value once."""
    return np.array([_text_cached(v) for v in values.tolist()], dtype=object)


@lru_cache(maxsize=65536)
def _date(v: Any) -> dt.date | None:
    s = yyyymmdd(v)
    return dt.date(int(s[:4]), int(s[4:6]), int(s[6:])) if s else None


def _number(v: Any) -> float | None:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def json_ready(v: Any) -> Any:
    if v is None:
        return None
    if isinstance(v, dt.datetime | dt.date | pd.Timestamp):
        return v.isoformat()
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if isinstance(v, bytes):
        return v.hex()
    return v


def map_fields(attrs: pd.DataFrame, path: str) -> PatchFields:
    """Map a delivered attribute table onto patch fields; refuses a file without JCBH."""
    found = match_columns([str(c) for c in attrs.columns])
    if "JCBH" not in found:
        raise InputError(
            "package.missing_field", path=path, field="JCBH", aliases="、".join(aliases_of("JCBH"))
        )
    jcbh = np.array([clean_text(v) for v in _values(attrs, found["JCBH"]).tolist()], dtype=object)
    text = {f: _texts(_values(attrs, found.get(f))) for f in TEXT_FIELDS}
    area_alias = found.get("JCMJ")
    raw_area = [_number(v) for v in _values(attrs, area_alias)]
    if area_alias is not None and area_alias.unit == "mu":
        raw_area = [mu_to_m2(v) if v is not None else None for v in raw_area]
    years = []
    for v in _values(attrs, found.get("NF")):
        n = _number(v)
        years.append(int(n) if n is not None and 1990 < n < 2200 else None)
    mapped = {a.name for a in found.values()}
    extra_cols = [c for c in attrs.columns if c not in mapped]
    extra_values = [(str(c), column_values(attrs, str(c)).tolist()) for c in extra_cols]
    extra = [{c: json_ready(vals[i]) for c, vals in extra_values} for i in range(len(attrs))]
    return PatchFields(
        jcbh=jcbh,
        text=text,
        before_date=np.array([yyyymmdd(v) for v in _values(attrs, found.get("QSX"))], dtype=object),
        after_date=np.array([yyyymmdd(v) for v in _values(attrs, found.get("HSX"))], dtype=object),
        issued_on=np.array([_date(v) for v in _values(attrs, found.get("XFSJ"))], dtype=object),
        year=np.array(years, dtype=object),
        delivered_area_m2=np.array(raw_area, dtype=object),
        extra=extra,
        id_field=found["JCBH"].name,
    )
