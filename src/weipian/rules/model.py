"""Values the rules read and write: a patch's facts in, a suggestion (预判) out.

Everything here is a frozen dataclass of plain values. Areas are m², ratios are shares of the
patch between 0 and 1, dates are :class:`datetime.date`. ``None`` always means *unknown*
(the layer was not loaded, the field was empty), never zero.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from weipian.domain.layers import DOCUMENT_LAYERS

__all__ = [
    "APPROVAL_KINDS",
    "FIELD_KINDS",
    "ApprovalFact",
    "Judgement",
    "PatchFacts",
    "PriorFact",
    "Reason",
]

APPROVAL_KINDS = frozenset({*(k.value for k in DOCUMENT_LAYERS), "property_registration"})
"""Approval kinds an :class:`ApprovalFact` may carry; all but ``property_registration`` are layer kinds."""

FIELD_KINDS: Mapping[str, str] = {
    "farmland_m2": "landuse",
    "agri_m2": "landuse",
    "construction_m2": "landuse",
    "unused_m2": "landuse",
    "land_classes": "landuse",
    "settlement_m2": "landuse",
    "basic_farmland_m2": "basic_farmland",
    "eco_redline_m2": "eco_redline",
    "military_m2": "military",
    "protected_m2": "protected_area",
    "mining_status": "mining_right",
    "mining_valid": "mining_right",
}
"""Which reference layer kind each :class:`PatchFacts` field comes from."""


@dataclass(frozen=True)
class ApprovalFact:
    """One approval-like record found on the patch by the desk comparison.

    ``ratio`` is the share (0–1) of the patch the record covers. ``doc_date`` is the approval
    or supply date; ``valid_from``/``valid_to`` bound a temporary use or a licence.
    """

    kind: str
    doc_no: str | None
    doc_date: date | None
    valid_from: date | None
    valid_to: date | None
    ratio: float


@dataclass(frozen=True)
class PriorFact:
    """An earlier patch at the same place (往年卫片图斑) and the determination it got."""

    code: str
    year: int | None
    determination: str | None


@dataclass(frozen=True)
class PatchFacts:
    """What the rules know about one patch: overlay results, TBLX, image dates, approvals.

    The first block mirrors the patch fields of INTERFACE.md; ``missing_kinds`` lists the
    layer kinds that were not loaded, so rules depending on them answer 存疑. The optional
    block at the end holds inputs the desk comparison does not compute yet (a person or a
    later analysis may fill them).

    >>> f = PatchFacts.simple("T1", 800.0, "20", farmland_m2=500.0)
    >>> f.farmland_m2, f.basic_farmland_m2, f.approvals
    (500.0, 0.0, ())
    """

    patch_code: str
    area_m2: float
    change_type: str | None
    before_date: date | None
    after_date: date | None
    farmland_m2: float | None
    basic_farmland_m2: float | None
    eco_redline_m2: float | None
    agri_m2: float | None
    construction_m2: float | None
    unused_m2: float | None
    land_classes: Mapping[str, float]
    approvals: tuple[ApprovalFact, ...]
    mining_status: str | None
    mining_valid: bool | None
    military_m2: float | None
    protected_m2: float | None
    prior: tuple[PriorFact, ...]
    missing_kinds: frozenset[str]
    # optional inputs, not yet produced by the desk comparison
    settlement_m2: Mapping[str, float] = field(default_factory=dict)  # CZCSXM → m² (203 = 村庄)
    width_m: float | None = None  # mean width, for 农村道路
    access_overlap_ratio: float | None = None  # 出入口: 套合 with the project / main building
    access_unmatched_farmland_m2: float | None = None  # 出入口: 耕地 outside the 套合
    mining_outside_m2: float | None = None  # area outside the licence when straddling
    farmland_outside_basic_m2: float | None = None  # 耕地 not in 永久基本农田 (永农 may exceed 耕地)
    dev_inside_m2: float | None = None  # inside the 城镇开发边界
    township_kind: str | None = None  # 乡, 镇 or 街道 (the patch's township unit)
    stable_farmland_m2: float | None = None  # 可以长期稳定利用耕地 (a priority of the work plan)
    riverside_m2: float | None = None  # 江河沿岸 (a priority area)
    mining_mineral: str | None = None  # the licence's 开采矿种 (战略性矿种 → priority)

    @classmethod
    def simple(
        cls,
        patch_code: str,
        area_m2: float,
        change_type: str | None,
        **known: Any,
    ) -> PatchFacts:
        """Facts with every area 0, no approvals and every layer loaded, overridden by ``known``.

        A convenience for tests, examples and case files; services build the full record.

        >>> PatchFacts.simple("T2", 100.0, "YH", mining_status="outside").mining_status
        'outside'
        """
        values: dict[str, Any] = {
            "before_date": None,
            "after_date": None,
            "farmland_m2": 0.0,
            "basic_farmland_m2": 0.0,
            "eco_redline_m2": 0.0,
            "agri_m2": 0.0,
            "construction_m2": 0.0,
            "unused_m2": 0.0,
            "land_classes": {},
            "approvals": (),
            "mining_status": None,
            "mining_valid": None,
            "military_m2": 0.0,
            "protected_m2": 0.0,
            "prior": (),
            "missing_kinds": frozenset(),
        }
        values.update(known)
        return cls(patch_code=patch_code, area_m2=area_m2, change_type=change_type, **values)


@dataclass(frozen=True)
class Reason:
    """Why the rules suggested what they did: a stable dotted code and its parameters.

    The Chinese sentence comes from the messages table at the edge.

    >>> Reason("approval.covered", {"route": "用地审批"}).code
    'approval.covered'
    """

    code: str
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Judgement:
    """A suggestion (预判, ``YPJG``) for one patch. Advisory only: a person decides.

    ``verdict`` and ``mineral_verdict`` are dictionary labels; ``reasons`` and ``flags`` are
    stable codes; ``trace`` says, for developers, which rule fired with which inputs and
    thresholds; ``rules_version`` names the rule set used.
    """

    verdict: str
    subtype: str | None
    reasons: tuple[Reason, ...]
    mineral_verdict: str | None
    flags: frozenset[str]
    remark: str | None
    is_new: bool | None
    trace: tuple[Reason, ...]  # the steps, as codes with parameters (messages.rules.TRACE_MESSAGES)
    rules_version: str
    violation_type: str | None = None  # suggested WFLX for 违法

    @property
    def reason_codes(self) -> tuple[str, ...]:
        """The codes of :attr:`reasons`, in order."""
        return tuple(r.code for r in self.reasons)
