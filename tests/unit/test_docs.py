"""Docs that cannot drift: every setting is documented, every message code has a sentence."""

from __future__ import annotations

import re
from pathlib import Path

from weipian.config import Settings
from weipian.messages import TABLES

ROOT = Path(__file__).resolve().parents[2]


def test_every_setting_is_in_docs_settings_md() -> None:
    text = (ROOT / "docs" / "settings.md").read_text("utf-8")
    for name in Settings.model_fields:
        assert f"WEIPIAN_{name.upper()}" in text, name


def test_every_raised_code_has_a_message() -> None:
    codes: set[str] = set()
    for path in (ROOT / "src" / "weipian").rglob("*.py"):
        src = path.read_text("utf-8")
        codes.update(re.findall(r'(?:Error|Conflict|NotFound|Refused|Denied)\(\s*"([a-z_]+\.[a-z_]+)"', src))
        codes.update(re.findall(r'Rejection\([^)]*"(row\.[a-z_]+)"', src))
    assert codes, "no codes found: the pattern is stale"
    assert sorted(c for c in codes if not any(c in table for table in TABLES)) == []


def test_sheet_and_export_codes_are_documented_with_their_headers() -> None:
    from weipian.io.exports import RESULT_FIELDS
    from weipian.io.sheets import COLUMNS

    text = (Path(__file__).parents[2] / "docs" / "rules.md").read_text("utf-8")
    for code, header in (*COLUMNS, *RESULT_FIELDS):
        assert f"| `{code}` | {header} |" in text, code
