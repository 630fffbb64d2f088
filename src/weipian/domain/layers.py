"""Reference layer kinds (INTERFACE.md ``--kind``)."""

from __future__ import annotations

from enum import StrEnum
from functools import cache
from importlib import resources

import yaml


class LayerKind(StrEnum):
    """The kinds of reference layer weipian knows; values are the ``--kind`` spellings."""

    landuse = "landuse"
    basic_farmland = "basic_farmland"
    eco_redline = "eco_redline"
    dev_boundary = "dev_boundary"
    preapproval = "preapproval"
    conversion_approval = "conversion_approval"
    land_supply = "land_supply"
    temporary_use = "temporary_use"
    facility_agri = "facility_agri"
    consolidation = "consolidation"
    linkage = "linkage"
    stable_farmland = "stable_farmland"
    riverside = "riverside"
    mining_right = "mining_right"
    protected_area = "protected_area"
    military = "military"
    townships = "townships"
    prior_patches = "prior_patches"

    @property
    def label(self) -> str:
        return LAYER_LABELS[self]


# Approvals that can make a change lawful; the best-covering one is exported as PZWH / PZBL.
APPROVAL_LAYERS = (
    LayerKind.conversion_approval,
    LayerKind.land_supply,
    LayerKind.temporary_use,
    LayerKind.facility_agri,
    LayerKind.consolidation,
    LayerKind.linkage,
)
# Every document layer a patch page lists: the approvals and 预审 (a step before approval, not one).
DOCUMENT_LAYERS = (LayerKind.preapproval, *APPROVAL_LAYERS)

LAYER_LABELS: dict[LayerKind, str] = {
    LayerKind.landuse: "国土调查地类图斑",
    LayerKind.basic_farmland: "永久基本农田",
    LayerKind.eco_redline: "生态保护红线",
    LayerKind.dev_boundary: "城镇开发边界",
    LayerKind.preapproval: "建设用地预审",
    LayerKind.conversion_approval: "建设用地审批（农转用/征收）",
    LayerKind.land_supply: "土地供应",
    LayerKind.temporary_use: "临时用地",
    LayerKind.facility_agri: "设施农业用地",
    LayerKind.consolidation: "全域土地综合整治试点",
    LayerKind.linkage: "城乡建设用地增减挂钩（建新区）",
    LayerKind.stable_farmland: "可以长期稳定利用耕地",
    LayerKind.riverside: "江河沿岸（河流及岸线缓冲区）",
    LayerKind.mining_right: "采矿权",
    LayerKind.protected_area: "自然保护地",
    LayerKind.military: "军事用地",
    LayerKind.townships: "乡镇（街道）界线",
    LayerKind.prior_patches: "往年卫片图斑",
}

# Attributes a layer file must carry for its kind (any alias listed is accepted).
REQUIRED_ATTRIBUTES: dict[LayerKind, dict[str, tuple[str, ...]]] = {
    LayerKind.townships: {"XZQDM": ("XZQDM", "行政区代码", "XZDM")},
    LayerKind.prior_patches: {"JCBH": ("JCBH", "TBBH", "监测编号")},
    LayerKind.landuse: {"DLBM": ("DLBM", "地类编码")},
}


@cache
def layer_field_names() -> dict[str, object]:
    """Delivered attribute names per role (``doc_no`` per kind, ``doc_date``, ``valid_from`` …)."""
    text = resources.files("weipian.domain").joinpath("data/layer_fields.yaml").read_text("utf-8")
    return dict(yaml.safe_load(text))


def pick_attribute(attrs: dict[str, object], names: list[str]) -> object | None:
    """The first present, non-empty value among ``names`` (case-insensitive)."""
    upper = {k.upper(): v for k, v in attrs.items()}
    for name in names:
        v = upper.get(name.upper())
        if v not in (None, ""):
            return v
    return None
