"""What a report holds, as plain values the document writers lay out (no database, no figures
computed here: the statistics service fills it)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from weipian.domain.units import M2_PER_MU
from weipian.messages import message
from weipian.stats.figures import Figures
from weipian.stats.summary import UnitFigures
from weipian.stats.tables import CaseRow, HousingRow, IllegalItem, LeadRow, ReferralRow


def mu(m2: float | None) -> float:
    """m² → 亩, two decimals (display only)."""
    return round((m2 or 0.0) / M2_PER_MU, 2)


def housing_words(h: HousingRow) -> tuple[str, str]:
    """A 乱占耕地建房 row's class and opinion in words: the rule-flagged patches not confirmed,
    the confirmed without a class, and the not determined are codes in the core."""
    if h.candidate:
        cls = message("stats.housing.candidate")
    else:
        cls = h.housing_class or message("stats.housing.unclassified")
    return cls, h.opinion or message("stats.housing.undetermined")


def pct_text(v: float | None) -> str:
    return "—" if v is None else f"{v:.2f}%"


@dataclass(frozen=True)
class Charts:
    """PNG images for the annual report."""

    ratio: bytes
    rectification: bytes
    housing: bytes
    unit_map: bytes
    patch_map: bytes


@dataclass(frozen=True)
class ReportContent:
    """Everything one report shows."""

    kind: str  # monthly | annual
    title: str
    county: str
    period_label: str
    on: dt.date
    county_figures: Figures
    units: list[UnitFigures]
    line_pct: float
    warning_pct: float
    lead: list[LeadRow] = field(default_factory=list)
    housing: list[HousingRow] = field(default_factory=list)
    cases: list[CaseRow] = field(default_factory=list)
    referrals: list[ReferralRow] = field(default_factory=list)
    by_period: list[tuple[str, Figures]] = field(default_factory=list)
    illegal_items: list[IllegalItem] = field(default_factory=list)
    charts: Charts | None = None
    due: dt.date | None = None  # annual report due date (rule data annual_report_due)

    @property
    def empty(self) -> bool:
        return self.county_figures.patches == 0
