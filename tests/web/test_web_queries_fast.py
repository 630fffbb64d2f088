"""The fast forms of the list, dashboard and patch-page queries (docs/performance.md) give what the
plain forms give: every row joined, counted and grouped in full, 月清 from the lists service."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select
from web_helpers import HONGLAI

from weipian.domain.roles import Actor, Role
from weipian.rules import Determination, load_rules
from weipian.services import workflow
from weipian.services.access import Scope
from weipian.services.deadlines import due_between, effective_due, return_deadlines
from weipian.services.lists import closure
from weipian.services.queries.dashboard import dashboard
from weipian.services.queries.detail import patch_detail
from weipian.services.queries.patches import PatchFilter, _filtered, list_patches, list_query, ordered
from weipian.storage.store import Store
from weipian.storage.tables import patches, suggestions
from weipian.storage.workflow import find_patch, latest_determinations, patch_events

RULES = load_rules()
ON = dt.date(2022, 11, 20)
TODAY = dt.date(2023, 1, 15)  # past the batch's deadline: open patches are overdue
SCOPES = {
    "bureau": Scope(restricted=True),
    "leader": Scope(),
    "township": Scope(townships=frozenset({HONGLAI}), unit=HONGLAI),
}


@pytest.fixture
def busy(county: Store) -> Store:
    """P0000 returned by the county (a correction deadline), P0001 saved, P0002 submitted."""
    town = Actor("t", Role.township, HONGLAI)
    bureau = Actor("b", Role.bureau_admin)
    with county.writing() as s:
        for code, actor in (("P0000", town), ("P0001", bureau), ("P0002", bureau)):
            det = Determination("伪变化", opinion="影像阴影，实地无变化")
            workflow.save_determination(s, find_patch(s, code), det, actor=actor, rules=RULES, on=ON)
        workflow.save_determination(
            s, find_patch(s, "P0002"), Determination("农村道路"), actor=bureau, rules=RULES, on=ON
        )
        for code, actor in (("P0000", town), ("P0002", bureau)):
            workflow.submit(s, find_patch(s, code), actor=actor)
        reason = next(r.code for r in RULES.review_reasons(ON) if r.outcome == "return")
        workflow.review(
            s, find_patch(s, "P0000"), passed=False, reasons=[reason], actor=bureau, rules=RULES, on=ON
        )
    return county


FILTERS = [
    PatchFilter(),
    PatchFilter(state="county_returned"),
    PatchFilter(state="submitted"),
    PatchFilter(overdue=True),
    PatchFilter(q="p000"),
    PatchFilter(township=HONGLAI),
    PatchFilter(suggestion="违法"),
    PatchFilter(page=2),
]


@pytest.mark.parametrize("who", list(SCOPES))
def test_list_pages_match_the_joined_list(busy: Store, who: str) -> None:
    scope = SCOPES[who]
    with busy.reading() as s:
        for f in FILTERS:
            full = list(s.execute(ordered(_filtered(list_query(), f, scope, TODAY))))
            page = list_patches(s, f, scope=scope, today=TODAY)
            assert page.total == len(full), f
            start = (page.page - 1) * 50
            assert [r.id for r in page.rows] == [r.id for r in full[start : start + 50]], f
            grouped = latest_determinations()
            verdicts = dict(s.execute(select(grouped.c.patch_id, grouped.c.verdict)).all())
            assert [r.determination for r in page.rows] == [verdicts.get(r.id) for r in page.rows]


@pytest.mark.parametrize("who", list(SCOPES))
def test_dashboard_matches_full_counts(busy: Store, who: str) -> None:
    scope = SCOPES[who]
    with busy.reading() as s:
        d = dashboard(s, scope, TODAY)
        ids = [r.id for r in s.execute(_filtered(list_query(), PatchFilter(), scope, TODAY))]
        assert d.total == len(ids)
        sugg = dict(s.execute(select(suggestions.c.patch_id, suggestions.c.verdict)).all())
        det = latest_determinations()
        dets = dict(s.execute(select(det.c.patch_id, det.c.verdict)).all())
        for got, values in ((d.by_suggestion, sugg), (d.by_determination, dets)):
            expected: dict[Any, int] = {}
            for i in ids:
                expected[values.get(i)] = expected.get(values.get(i), 0) + 1
            assert dict(got) == expected
            assert [n for _, n in got] == sorted((n for _, n in got), reverse=True)
        overdue = list_patches(s, PatchFilter(overdue=True), scope=scope, today=TODAY).total
        assert d.overdue == overdue
        # 月清 as the lists service counts it (submissions today are late for a 2022 batch)
        expected_closure = [
            m
            for m in closure(s, include_restricted=scope.restricted)
            if scope.townships is None or m.township == "洪濑镇"
        ]
        assert sorted(d.closure, key=lambda m: (m.township, m.month)) == sorted(
            expected_closure, key=lambda m: (m.township, m.month)
        )
        # 月清 counts only what the viewer may see (a leader's figures leave restricted patches out)
        assert sum(m.issued for m in d.closure) == d.total


def test_patch_page_due_is_the_returns(busy: Store) -> None:
    with busy.reading() as s:
        for code in ("P0000", "P0001"):
            p = find_patch(s, code)
            d = patch_detail(s, p.id, scope=SCOPES["bureau"], today=TODAY)
            assert d.due == effective_due(p, return_deadlines(s))
        days = load_rules().whole("county_correction_days", ON)  # the 补正期限 from the rules
        assert patch_detail(
            s, find_patch(s, "P0000").id, scope=SCOPES["bureau"], today=TODAY
        ).due == ON + dt.timedelta(days=days)


def test_deadlines_in_sql_match_the_lists_service(busy: Store) -> None:
    """The return deadlines and the due-date filter, computed in SQL, against the event log read
    patch by patch in Python."""
    with busy.reading() as s:
        expected = {}
        for pid in s.scalars(select(patches.c.id)):
            back = [e for e in patch_events(s, pid) if e.action in ("review.return", "report.return")]
            if back and back[-1].payload.get("due_on"):
                expected[pid] = dt.date.fromisoformat(back[-1].payload["due_on"])
        assert return_deadlines(s) == expected and expected
        assert return_deadlines(s, [find_patch(s, "P0001").id]) == {}
        rows = s.execute(select(patches.c.id, patches.c.state, patches.c.due_on)).all()
        for start, end in (
            (None, TODAY),
            (ON, ON + dt.timedelta(days=30)),
            (ON + dt.timedelta(days=31), None),
        ):
            got = set(s.scalars(select(patches.c.id).where(due_between(start, end))))
            want = set()
            for r in rows:
                if r.state not in ("issued", "verifying", "county_returned", "returned"):
                    continue
                due = expected.get(r.id, r.due_on)  # a returned patch's deadline runs, draft or not
                if (start is None or due >= start) and (end is None or due <= end):
                    want.add(r.id)
            assert got == want, (start, end)
