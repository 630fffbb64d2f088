"""三调 工作分类 → 三大类: every code of the table maps to one class, and the classes sum to the patch."""

from __future__ import annotations

from importlib import resources

import numpy as np
import pytest
import shapely
import yaml

from weipian.analysis.desk import land_use
from weipian.analysis.overlay import overlay
from weipian.domain.landclass import AGRI, CONSTRUCTION, GROUPS, UNUSED, land_classes

TABLE = yaml.safe_load(
    resources.files("weipian.domain").joinpath("data/land_classes.yaml").read_text("utf-8")
)
# Codes of the published 工作分类 that must be present, suffixed ones included.
PUBLISHED = [
    "0101",
    "0102",
    "0103",
    "0201",
    "0201K",
    "0202",
    "0202K",
    "0203",
    "0203K",
    "0204",
    "0204K",
    "0301",
    "0301K",
    "0302",
    "0302K",
    "0303",
    "0304",
    "0305",
    "0306",
    "0307",
    "0307K",
    "0401",
    "0402",
    "0403",
    "0403K",
    "0404",
    "05H1",
    "0508",
    "0601",
    "0602",
    "0603",
    "0701",
    "0702",
    "08H1",
    "08H2",
    "08H2A",
    "0809",
    "0810",
    "0810A",
    "09",
    "1001",
    "1002",
    "1003",
    "1004",
    "1005",
    "1006",
    "1007",
    "1008",
    "1009",
    "1101",
    "1102",
    "1103",
    "1104",
    "1104A",
    "1104K",
    "1105",
    "1106",
    "1107",
    "1107A",
    "1108",
    "1109",
    "1110",
    "1201",
    "1202",
    "1203",
    "1204",
    "1205",
    "1206",
    "1207",
]


def test_every_published_code_maps_to_exactly_one_class() -> None:
    lc = land_classes()
    assert set(PUBLISHED) <= set(TABLE["codes"]), set(PUBLISHED) - set(TABLE["codes"])
    for code in TABLE["codes"]:
        assert lc.group(code) in GROUPS, code
        assert lc.name(code), code


@pytest.mark.parametrize(
    ("code", "group"),
    [
        ("1104A", AGRI),  # 养殖坑塘
        ("1107A", AGRI),  # 干渠
        ("1104K", AGRI),
        ("0403K", AGRI),
        ("0201K", AGRI),
        ("0810A", CONSTRUCTION),
        ("08H2A", CONSTRUCTION),
        ("0404", UNUSED),
        ("1101", UNUSED),
        ("0305K", AGRI),  # not listed: falls back to its base code
    ],
)
def test_suffixed_codes_take_a_class(code: str, group: str) -> None:
    assert land_classes().group(code) == group


def test_k_codes_are_not_farmland_and_1103_is_marked_for_verification() -> None:
    lc = land_classes()
    assert [c for c in TABLE["codes"] if lc.is_farmland(c)] == ["0101", "0102", "0103"]
    text = resources.files("weipian.domain").joinpath("data/land_classes.yaml").read_text("utf-8")
    line = next(i for i, s in enumerate(text.splitlines()) if s.strip().startswith('"1103"'))
    assert "[VERIFY] 1103" in "\n".join(text.splitlines()[line - 3 : line])


def test_three_classes_sum_to_the_patch_on_suffixed_codes() -> None:
    # A 100 m × 100 m patch over five strips: 耕地, 养殖坑塘, 干渠, 可调整坑塘, 可调整人工牧草地.
    x0, y0, d = 118.40, 24.95, 0.001
    codes = ["0101", "1104A", "1107A", "1104K", "0403K"]
    strips = np.array([shapely.box(x0 + i * d / 5, y0, x0 + (i + 1) * d / 5, y0 + d) for i in range(5)])
    patch = np.array([shapely.box(x0, y0, x0 + d, y0 + d)])
    lc = land_classes()
    use = land_use(overlay(patch, strips), np.array(codes, dtype=object), lc.group, lc.is_farmland)
    total = use.agri[0] + use.construction[0] + use.unused[0]
    assert total == pytest.approx(overlay(patch, np.zeros(0, dtype=object)).patch_area[0], rel=1e-6)
    assert use.farmland[0] == pytest.approx(total / 5, rel=1e-6)
