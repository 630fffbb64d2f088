"""三调 land classes: which DLBM codes are 耕地, and the three major classes (三大类)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

AGRI, CONSTRUCTION, UNUSED = "agri_land", "construction_land", "unused_land"


@dataclass(frozen=True)
class LandClasses:
    """The DLBM tables from ``data/land_classes.yaml``."""

    farmland: frozenset[str]
    exact: dict[str, str]
    prefix: dict[str, str]

    def group(self, dlbm: str | None) -> str | None:
        """三大类 of a DLBM code (``agri_land``, ``construction_land``, ``unused_land``) or None.

        >>> lc = land_classes()
        >>> lc.group("0101"), lc.group("0702"), lc.group("0404"), lc.group("1006"), lc.group("99")
        ('agri_land', 'construction_land', 'unused_land', 'agri_land', None)
        """
        if not dlbm:
            return None
        code = dlbm.strip()
        return self.exact.get(code) or self.prefix.get(code[:2])

    def is_farmland(self, dlbm: str | None) -> bool:
        return bool(dlbm) and dlbm.strip() in self.farmland  # type: ignore[union-attr]


@cache
def land_classes() -> LandClasses:
    data = yaml.safe_load(
        resources.files("weipian.domain").joinpath("data/land_classes.yaml").read_text("utf-8")
    )
    exact: dict[str, str] = {}
    prefix: dict[str, str] = {}
    for group, spec in data["groups"].items():
        for code in spec.get("exact", []):
            exact[str(code)] = group
        for p in spec.get("prefix", []):
            prefix[str(p)] = group
    for code in data.get("extra_agri_exact", []):
        exact[str(code)] = AGRI
    return LandClasses(frozenset(str(c) for c in data["farmland"]), exact, prefix)
