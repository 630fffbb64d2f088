"""三调 land classes: which DLBM codes are 耕地, and the three major classes (三大类).

The table is data (``data/land_classes.yaml``): every code of the 三调 工作分类, suffixed
codes included (1104A, 1107A, 1104K, 0403K …), with its name and class.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

AGRI, CONSTRUCTION, UNUSED = "agri_land", "construction_land", "unused_land"
GROUPS = (AGRI, CONSTRUCTION, UNUSED)

_SUFFIX = re.compile(r"^([0-9]{2}[0-9H][0-9])[A-Z]+$")  # 0305K → 0305, 1104X → 1104


@dataclass(frozen=True)
class LandClasses:
    """The DLBM table from ``data/land_classes.yaml``."""

    farmland: frozenset[str]
    classes: dict[str, str]  # DLBM → agri_land | construction_land | unused_land
    names: dict[str, str]  # DLBM → 地类名称

    def _known(self, dlbm: str | None) -> str | None:
        if not dlbm:
            return None
        code = dlbm.strip().upper()
        if code in self.classes:
            return code
        m = _SUFFIX.match(code)
        return m.group(1) if m and m.group(1) in self.classes else None

    def group(self, dlbm: str | None) -> str | None:
        """三大类 of a DLBM code (``agri_land``, ``construction_land``, ``unused_land``) or None.

        >>> lc = land_classes()
        >>> lc.group("0101"), lc.group("0702"), lc.group("0404"), lc.group("1104A"), lc.group("99")
        ('agri_land', 'construction_land', 'unused_land', 'agri_land', None)
        """
        code = self._known(dlbm)
        return None if code is None else self.classes[code]

    def name(self, dlbm: str | None) -> str | None:
        """地类名称 of a code, e.g. 1107A → 干渠."""
        code = dlbm.strip().upper() if dlbm else None
        if code in self.names:
            return self.names[code]
        known = self._known(dlbm)
        return None if known is None else self.names[known]

    def is_farmland(self, dlbm: str | None) -> bool:
        """耕地 (0101–0103). A K-suffixed 可调整地类 is not 耕地."""
        return bool(dlbm) and dlbm.strip() in self.farmland  # type: ignore[union-attr]


@cache
def land_classes() -> LandClasses:
    data = yaml.safe_load(
        resources.files("weipian.domain").joinpath("data/land_classes.yaml").read_text("utf-8")
    )
    classes: dict[str, str] = {}
    names: dict[str, str] = {}
    for code, spec in data["codes"].items():
        if spec["class"] not in GROUPS:
            raise ValueError(f"land_classes.yaml: {code}: unknown class {spec['class']}")
        classes[str(code)] = str(spec["class"])
        names[str(code)] = str(spec["name"])
    return LandClasses(frozenset(str(c) for c in data["farmland"]), classes, names)
