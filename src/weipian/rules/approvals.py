"""Which approvals count for original legality, and how much of the patch they cover.

An approval counts when its kind is a legal route on the judging date, it covers part of the
patch, and it was in force at 后时相 (HSX): issued on or before HSX, or for a temporary use
valid on HSX with no permanent building. A later document means building came first: it is a
补办 (``retro_approval``), not original legality.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from weipian.domain.layers import LayerKind
from weipian.rules.model import ApprovalFact, PatchFacts
from weipian.rules.tables import Route, Tables
from weipian.rules.trace import Tracer, pct

__all__ = ["Cover", "Coverage", "assess_approvals"]


@dataclass(frozen=True)
class Cover:
    """Approvals of one kind that count, their route label and summed share (at most 1)."""

    kind: str
    route: str
    ratio: float
    docs: tuple[str, ...]
    latest: date | None = None  # the latest document date among them (None: none dated)

    @property
    def doc_no(self) -> str:
        return "、".join(self.docs)


@dataclass(frozen=True)
class Coverage:
    """The approval picture of one patch on the judging date."""

    counted: Mapping[str, Cover]  # kind → cover, sufficient and insufficient routes
    undated: float  # share covered by approvals whose dates could not be checked
    facility_kind: str = "facility_agri"

    def best(self, *, sufficient: bool = True, routes: Mapping[str, Route]) -> Cover | None:
        """The legal-step cover with the highest share (ties: the order of the routes table)."""
        found = [
            self.counted[k]
            for k in routes  # the table's order breaks ties
            if k in self.counted and k != self.facility_kind and routes[k].sufficient == sufficient
        ]
        return max(found, key=lambda c: c.ratio, default=None)

    def combined(self, routes: Mapping[str, Route]) -> float:
        """Sum of the sufficient routes' shares, at most 1 (routes may overlap each other)."""
        return min(
            1.0,
            sum(c.ratio for k, c in self.counted.items() if k != self.facility_kind and routes[k].sufficient),
        )

    @property
    def facility(self) -> Cover | None:
        return self.counted.get(self.facility_kind)


def assess_approvals(facts: PatchFacts, tables: Tables, on: date, t: Tracer) -> Coverage:
    """Sort the patch's approvals into counting, undated, later (补办) and expired ones.

    >>> from datetime import date
    >>> from weipian.rules import load_rules
    >>> from weipian.rules.model import ApprovalFact, PatchFacts
    >>> a = ApprovalFact("land_supply", "3505832023B001", date(2023, 1, 5), None, None, 0.8)
    >>> f = PatchFacts.simple("T", 500.0, "20", after_date=date(2023, 6, 1), approvals=(a,))
    >>> on = date(2023, 7, 1)
    >>> cov = assess_approvals(f, load_rules().tables(on), on, Tracer())
    >>> cov.counted["land_supply"].route, cov.counted["land_supply"].ratio
    ('土地供应', 0.8)
    """
    routes = tables.legal_routes
    change = tables.change_types.get(facts.change_type or "")
    building = change is not None and change.group == "building"
    shares: dict[str, float] = {}
    docs: dict[str, list[str]] = {}
    latest: dict[str, date] = {}
    undated = 0.0
    for a in facts.approvals:
        route = routes.get(a.kind)
        label = f"{_kind_name(a.kind)} {a.doc_no or '—'}（{pct(a.ratio)}%）"
        if route is None:
            t.step("trace.approval_not_route", label=label, on=on.isoformat())
            continue
        if a.ratio <= 0:
            t.step("trace.approval_no_cover", label=label)
            continue
        if not _in_force(a, route, facts, on, t, label, building=building):
            if _undated(a, route, facts):
                undated += a.ratio
            continue
        shares[a.kind] = shares.get(a.kind, 0.0) + a.ratio
        docs.setdefault(a.kind, []).append(a.doc_no or "")
        if a.doc_date is not None and not route.temporary:
            latest[a.kind] = max(latest.get(a.kind, a.doc_date), a.doc_date)
        t.step("trace.approval_counts", label=label, route=route.route)
    counted = {
        k: Cover(k, routes[k].route, min(1.0, v), tuple(d for d in docs[k] if d), latest.get(k))
        for k, v in shares.items()
    }
    return Coverage(counted, min(1.0, undated))


def _undated(a: ApprovalFact, route: Route, facts: PatchFacts) -> bool:
    if facts.after_date is None:
        return True
    return (a.valid_to is None or a.valid_from is None) if route.temporary else a.doc_date is None


def _in_force(
    a: ApprovalFact, route: Route, facts: PatchFacts, on: date, t: Tracer, label: str, *, building: bool
) -> bool:
    hsx = facts.after_date
    doc = a.doc_no or ""
    if _undated(a, route, facts):
        t.step(
            "trace.approval_dates_missing", label=label, hsx=_day(hsx), doc_date=_day(a.doc_date),
            valid_from=_day(a.valid_from), valid_to=_day(a.valid_to),
        )  # fmt: skip
        t.reason("approval.date_unknown", route=route.route, doc_no=doc)
        return False
    assert hsx is not None
    if route.temporary:
        assert a.valid_from is not None and a.valid_to is not None
        if not a.valid_from <= hsx <= a.valid_to:
            t.step(
                "trace.temporary_invalid", label=label, hsx=_day(hsx), valid_from=_day(a.valid_from),
                valid_to=_day(a.valid_to),
            )  # fmt: skip
            t.reason(
                "temporary.expired", doc_no=doc, valid_to=a.valid_to.isoformat(), after_date=hsx.isoformat()
            )
            t.flag("temporary_expired")
            return False
        if building:
            t.step("trace.temporary_permanent", label=label, change_type=facts.change_type or "—")
            t.reason("temporary.permanent_structure", doc_no=doc)
            t.flag("temporary_permanent")
            return False
        if a.valid_to < on:
            t.step("trace.temporary_expired_since", label=label, valid_to=_day(a.valid_to), on=on.isoformat())
            t.reason("temporary.expired_since", doc_no=doc, valid_to=a.valid_to.isoformat())
            t.flag("temporary_expired")
        return True
    assert a.doc_date is not None
    if a.doc_date > hsx:
        t.step("trace.approval_after_change", label=label, doc_date=_day(a.doc_date), hsx=_day(hsx))
        t.reason(
            "approval.after_change",
            route=route.route,
            doc_no=doc,
            doc_date=a.doc_date.isoformat(),
            after_date=hsx.isoformat(),
        )
        t.flag("retro_approval")
        return False
    return True


def _day(value: date | None) -> str:
    return value.isoformat() if value is not None else "—"


def _kind_name(kind: str) -> str:
    """An approval layer kind's Chinese name (the code itself if it is not a layer kind)."""
    try:
        return LayerKind(kind).label
    except ValueError:
        return kind
