"""Reference layer kinds (INTERFACE.md ``--kind``)."""

from __future__ import annotations

from enum import StrEnum
from functools import cache
from importlib import resources

import yaml

from weipian.messages.labels import LAYER_LABELS as LAYER_LABELS


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


class UpperKeys(dict[str, object]):
    """Attributes with their names upper-cased once, for a caller that picks from them often."""

    @classmethod
    def of(cls, attrs: dict[str, object]) -> UpperKeys:
        return cls((k.upper(), v) for k, v in attrs.items())


def pick_attribute(attrs: dict[str, object], names: list[str]) -> object | None:
    """The first present, non-empty value among ``names`` (case-insensitive)."""
    upper = attrs if isinstance(attrs, UpperKeys) else {k.upper(): v for k, v in attrs.items()}
    for name in names:
        v = upper.get(name.upper())
        if v not in (None, ""):
            return v
    return None
