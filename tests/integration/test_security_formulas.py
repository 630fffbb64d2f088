"""Spreadsheet formula injection (issue 11, item 7): text from a package that starts like a
formula is written as text by every Excel writer — ``export results``, the fill-in sheet and
the web list export (tests/web/test_web_hardening.py) — and reads back unchanged. SQLite and
PostGIS."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from formulas import EVIL, assert_text_only, evil_store
from weipian.rules import load_rules
from weipian.services.export import export_results
from weipian.services.sheets import export_template
from weipian.storage.store import Store


def test_export_results_writes_formula_like_text_as_text(store: Store, tmp_path: Path) -> None:
    evil_store(store, tmp_path)
    export_results(store, tmp_path / "r.xlsx", fmt="xlsx")
    values = assert_text_only(tmp_path / "r.xlsx")
    assert set(EVIL) <= values and "=1+2" in values


def test_the_fill_in_sheet_writes_formula_like_text_as_text(store: Store, tmp_path: Path) -> None:
    evil_store(store, tmp_path)
    assert export_template(store, tmp_path / "t.xlsx", rules=load_rules(), on=dt.date(2022, 11, 20)) == len(
        EVIL
    )
    assert set(EVIL) <= assert_text_only(tmp_path / "t.xlsx")
