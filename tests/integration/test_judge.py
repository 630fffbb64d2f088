"""``weipian judge``: the rules date follows the batch; facts from the desk comparison reach the rules."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import select

from factories import small_county
from weipian.rules import load_rules
from weipian.services.judge import judge_patches
from weipian.storage.store import Store
from weipian.storage.tables import patches, suggestions


def _judged(store: Store) -> dict[str, tuple[object, ...]]:
    with store.reading() as s:
        rows = s.execute(
            select(patches.c.patch_code, suggestions.c.judged_on, suggestions.c.verdict, suggestions.c.flags)
            .join(suggestions, suggestions.c.patch_id == patches.c.id)
            .order_by(patches.c.patch_code)
        ).all()
    return {r.patch_code: (r.judged_on, r.verdict, sorted(r.flags)) for r in rows}


def test_the_rules_date_follows_the_batch_and_on_overrides(store: Store, tmp_path: Path) -> None:
    small_county(store, tmp_path)  # batch B1 issued 2022-11-01
    summary = judge_patches(store, load_rules())
    first = _judged(store)
    assert summary.rules_dates == {"2022-11-01"}
    assert {d for d, _, _ in first.values()} == {dt.date(2022, 11, 1)}
    judge_patches(store, load_rules())  # tomorrow, or any day: the same answers
    assert _judged(store) == first
    judge_patches(store, load_rules(), on=dt.date(2024, 6, 30))
    assert {d for d, _, _ in _judged(store).values()} == {dt.date(2024, 6, 30)}
