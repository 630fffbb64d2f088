"""What one judgement works with, and what it collects.

:class:`Tracer` keeps the steps (codes with parameters, worded in Chinese at the edge like the
reasons: 规则执行过程), reasons and flags of one patch;
:class:`Ctx` bundles the facts, the rules and tables in force and the tracer for the steps.

Reason codes must have a sentence in the messages table and flags must be known, so a typo
in the engine or in the data fails loudly instead of reaching a user.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from weipian.domain.layers import LayerKind
from weipian.domain.units import M2_PER_MU
from weipian.messages.rules import RULE_MESSAGES, TRACE_MESSAGES
from weipian.rules.model import FIELD_KINDS, PatchFacts, Reason
from weipian.rules.ruleset import RuleSet
from weipian.rules.tables import FLAGS, Tables

__all__ = ["Ctx", "Outcome", "Tracer", "layer_text", "mu", "pct", "sqm"]


def sqm(value: float) -> float:
    """An area in m² rounded for reasons and traces.

    >>> sqm(1234.5678)
    1234.6
    """
    return round(value, 1)


def mu(value_m2: float) -> float:
    """m² → 亩, rounded to 0.01 for reasons and traces.

    >>> mu(6666.67)
    10.0
    """
    return round(value_m2 / M2_PER_MU, 2)


def pct(share: float) -> float:
    """A share 0–1 → percent rounded to 0.1.

    >>> pct(0.70004)
    70.0
    """
    return round(share * 100, 1)


class Tracer:
    """Accumulates trace lines, reasons (no duplicates) and flags while one patch is judged.

    >>> t = Tracer()
    >>> t.step("trace.fallback_preapproval")
    >>> t.reason("approval.partial", route="用地审批", ratio_pct=40.0, threshold_pct=70.0)
    >>> t.flag("retro_approval")
    >>> [s.code for s in t.steps], [r.code for r in t.reasons], sorted(t.flags)
    (['trace.fallback_preapproval'], ['approval.partial'], ['retro_approval'])
    """

    def __init__(self) -> None:
        self.steps: list[Reason] = []
        self.reasons: list[Reason] = []
        self.flags: set[str] = set()

    def step(self, code: str, /, **params: Any) -> None:
        """Record one step of the judgement; the code must have a sentence in the trace table."""
        if code not in TRACE_MESSAGES:
            raise KeyError(f"trace code without a message: {code}")
        self.steps.append(Reason(code, params))

    def reason(self, code: str, /, **params: Any) -> None:
        """Record a reason; the code must have a sentence in the messages table."""
        if code not in RULE_MESSAGES:
            raise KeyError(f"reason code without a message: {code}")
        reason = Reason(code, params)
        if reason not in self.reasons:
            self.reasons.append(reason)

    def flag(self, name: str) -> None:
        """Raise a flag; the name must be one of :data:`weipian.rules.tables.FLAGS`."""
        if name not in FLAGS:
            raise KeyError(f"unknown flag: {name}")
        self.flags.add(name)

    def has(self, code: str) -> bool:
        """Whether a reason with ``code`` was recorded."""
        return any(r.code == code for r in self.reasons)


def layer_text(kinds: list[str]) -> str:
    """Layer kinds as their Chinese names, for reason parameters.

    >>> layer_text(["landuse", "mining_right"])
    '国土调查地类图斑、采矿权'
    """
    return "、".join(LayerKind(k).label for k in kinds)


@dataclass(frozen=True)
class Outcome:
    """The land part of a suggestion."""

    verdict: str
    subtype: str | None = None
    remark: str | None = None
    violation_type: str | None = None
    military: bool = False


@dataclass(frozen=True)
class Ctx:
    """One judgement's inputs: facts, the rules and tables in force, the tracer."""

    facts: PatchFacts
    rules: RuleSet
    tables: Tables
    on: date
    t: Tracer
    group: str | None
    noise: float

    def missing(self, kinds: frozenset[str]) -> list[str]:
        """Those of ``kinds`` not loaded (listed as missing, or their facts unknown)."""
        f = self.facts
        unknown = {
            kind for name, kind in FIELD_KINDS.items() if name != "mining_valid" and getattr(f, name) is None
        }
        return sorted(k for k in kinds if k in f.missing_kinds or k in unknown)

    def missing_reason(self, kinds: frozenset[str], step: str) -> list[str]:
        """Record ``input.missing`` for the kinds ``step`` needs and lacks; return them."""
        missing = self.missing(kinds)
        if missing:
            self.t.step("trace.missing", step=step, layers=layer_text(missing))
            self.t.reason("input.missing", kinds=missing, layers=layer_text(missing), step=step)
        return missing

    @property
    def change_name(self) -> str:
        """The TBLX's Chinese name (硬化, 动土 …) for sentences; the code itself if unknown."""
        change = self.tables.change_types.get(self.facts.change_type or "")
        return change.name if change else str(self.facts.change_type or "-")

    def touches(self, area: float | None) -> bool:
        """An overlap larger than boundary noise."""
        return area is not None and area > self.noise

    def verdict(self, role: str) -> str:
        return self.tables.label("verdict", role)
