"""Responsibility units (责任单位): the townships, the development zones, the bureau's sections,
水头分局 and the 资源管理所, each covering a set of townships. Pure; the county's units are data
(``data/townships.csv`` plus ``data/units.yaml``).

Patches stay assigned to townships (largest share); a unit answers for its townships' patches.
A township unit covers itself; a section covers none and is never a township-level scope.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources

import yaml

from weipian.domain.townships import townships
from weipian.messages.labels import UNIT_KIND_LABELS


class UnitKind(StrEnum):
    """What a unit is; values are stored in ``units.kind``."""

    township = "township"  # 乡镇（街道）
    development_zone = "development_zone"  # 开发区 (雪峰 has an XZQDM, 南安经济开发区 none)
    section = "section"  # 市局科室: covers no township
    branch = "branch"  # 分局 (水头分局)
    resource_office = "resource_office"  # 资源管理所

    @property
    def label(self) -> str:
        return UNIT_KIND_LABELS[self]

    @property
    def township_level(self) -> bool:
        """Whether a township account (乡镇核查员) may be scoped to a unit of this kind."""
        return self is not UnitKind.section


# townships.csv's kinds (乡/镇/街道/开发区) as unit kinds.
_TOWNSHIP_KINDS = {"开发区": UnitKind.development_zone}

# A unit code: letters, digits, '-' or '_', up to 32 (rectifications.responsible_unit's width).
_CODE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


@dataclass(frozen=True)
class OrgUnit:
    """One responsibility unit and the townships (9-digit codes) it covers."""

    code: str
    name: str
    kind: UnitKind
    townships: frozenset[str]
    active: bool = True


def valid_code(code: str) -> bool:
    """Whether ``code`` may name a unit.

    >>> valid_code("STFJ"), valid_code("350583119"), valid_code("水头"), valid_code("a b")
    (True, True, False, False)
    """
    return bool(_CODE.match(code))


@cache
def county_units() -> tuple[OrgUnit, ...]:
    """The county's units as shipped: every township (covering itself), then ``units.yaml``.

    >>> units = {u.code: u for u in county_units()}
    >>> units["350583113"].name, sorted(units["350583113"].townships)
    ('洪濑镇', ['350583113'])
    >>> units["350583400"].kind.value, units["ZFJCDD"].townships
    ('development_zone', frozenset())
    """
    own = [
        OrgUnit(t.code, t.name, _TOWNSHIP_KINDS.get(t.kind, UnitKind.township), frozenset({t.code}))
        for t in townships()
    ]
    text = resources.files("weipian.domain").joinpath("data/units.yaml").read_text("utf-8")
    extra = [
        OrgUnit(
            str(u["code"]),
            str(u["name"]),
            UnitKind(u["kind"]),
            frozenset(str(t) for t in u.get("townships") or ()),
        )
        for u in yaml.safe_load(text)["units"]
    ]
    return (*own, *extra)
