"""Statistics computed twice: summed in SQL and from the per-patch records (pure functions).

Both paths must give the same figures, ranks and 约谈 reasons; tests that compute statistics call
:func:`both_paths` so every scenario they build (ledger, cases, splits, exclusions) checks it.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from weipian.rules import RuleSet
from weipian.services.stats import StatsResult, compute_stats
from weipian.stats.figures import Figures
from weipian.storage.store import Store


def assert_same_figures(sql: Figures, pure: Figures, where: str) -> None:
    """Counts exactly; areas to the cent (the sums run in another order), rates exactly."""
    for field in dataclasses.fields(Figures):
        a, b = getattr(sql, field.name), getattr(pure, field.name)
        if isinstance(b, float) and field.name.endswith("_m2"):
            assert a == pytest.approx(b, abs=0.0100001), f"{where}.{field.name}"
        elif field.name == "by_violation_type":
            assert a.keys() == b.keys(), f"{where}.{field.name}"
            for k in b:
                assert a[k][0] == b[k][0] and a[k][1] == pytest.approx(b[k][1], abs=0.0100001), f"{where} {k}"
        else:
            assert (a, type(a)) == (b, type(b)), f"{where}.{field.name}"


def assert_same(sql: StatsResult, pure: StatsResult) -> None:
    assert_same_figures(sql.summary.county, pure.summary.county, "county")
    assert [u.code for u in sql.summary.units] == [u.code for u in pure.summary.units]
    for a, b in zip(sql.summary.units, pure.summary.units, strict=True):
        assert_same_figures(a.figures, b.figures, str(a.code))
        assert a.evaluation == b.evaluation, a.code


def both_paths(store: Store, rules: RuleSet, **kw: Any) -> StatsResult:
    """``compute_stats`` from the records, after checking the SQL sums give the same figures."""
    with store.reading() as s:
        pure = compute_stats(s, rules, **kw)
        sql = compute_stats(s, rules, with_records=False, **kw)
    assert_same(sql, pure)
    assert sql.records == [] and sql.period == pure.period
    return pure
