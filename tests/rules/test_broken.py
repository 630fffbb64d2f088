"""Every broken rule file in tests/rules/broken/ is refused with the problem it must raise.

Each entry pairs a file (or a directory of files) with the stable ``problem`` code and the
place (``where``) the error names. The Chinese ``detail`` is checked only for being there.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from weipian.errors import InputError
from weipian.rules import load_rules

BROKEN = Path(__file__).parent / "broken"

EXPECTED: dict[str, tuple[str, str]] = {
    # reading
    "yaml_syntax.yaml": ("yaml", "yaml_syntax.yaml"),
    "impossible_date.yaml": ("yaml", "impossible_date.yaml"),
    "not_mapping.yaml": ("not_mapping", "not_mapping.yaml"),
    "unknown_top_key.yaml": ("unknown_key", "unknown_top_key.yaml.threshold"),
    "version_missing.yaml": ("version_missing", "version"),
    "extends_other.yaml": ("extends", "extends"),
    "incomplete_copy.yaml": ("missing_name", "thresholds.approval_coverage_min"),
    "dir_duplicate": ("duplicate", "b.yaml: thresholds.sliver_max"),
    # thresholds
    "unknown_threshold.yaml": ("unknown_name", "thresholds.crime_farmland_minimum"),
    "bad_date_key.yaml": ("date_key", "thresholds.crime_farmland_min.values.2025/01/01"),
    "duplicate_date.yaml": ("duplicate_key", "duplicate_date.yaml line 8"),
    "wrong_unit.yaml": ("unit", "thresholds.crime_farmland_min.unit"),
    "negative_area.yaml": ("value_range", "thresholds.sliver_max.values.2025-01-01"),
    "ratio_above_one.yaml": ("value_range", "thresholds.approval_coverage_min.values.2025-01-01"),
    "text_threshold.yaml": ("value_type", "thresholds.crime_farmland_min.values.2025-01-01"),
    "bad_month_day.yaml": ("value_type", "thresholds.annual_report_due.values.2025-01-01"),
    "road_min_above_max.yaml": ("range_order", "thresholds.rural_road_width_min @ 2026-01-01"),
    # dictionaries
    "display_to_nowhere.yaml": ("alias_target", "dictionaries.other_subtype.display.XX"),
    "alias_to_nowhere.yaml": ("alias_target", "dictionaries.legal_route.aliases.批地"),
    "alias_shadows_label.yaml": ("alias_shadows", "dictionaries.determination.aliases.合法"),
    "unknown_parent_group.yaml": ("unknown_label", "dictionaries.illegal_subtype.厂房类 @ 2026-01-01"),
    "duplicate_label.yaml": ("duplicate", "dictionaries.violation_type.values.2026-01-01"),
    "engine_label_dropped.yaml": ("unknown_label", "tables.labels.verdict.doubtful @ 2026-01-01"),
    # engine tables
    "tblx_unquoted.yaml": ("code_not_text", "tables.change_types.values.2026-01-01.20"),
    "unknown_change_group.yaml": ("unknown_group", "tables.change_types.values.2026-01-01.20.group"),
    "other_rule_unknown_reason.yaml": ("unknown_reason", "tables.other_rules.values.2026-01-01[0].reason"),
    "other_rule_unknown_condition.yaml": (
        "unknown_key",
        "tables.other_rules.values.2026-01-01[0].when.width_min",
    ),
    "other_rule_unknown_flag.yaml": ("unknown_flag", "tables.other_rules.values.2026-01-01[0].flags"),
    "other_rule_subtype_unknown.yaml": ("unknown_label", "tables.other_rules[0].subtype @ 2026-01-01"),
    "route_unknown_kind.yaml": ("unknown_kind", "tables.legal_routes.values.2026-01-01.approval"),
    "route_label_retired.yaml": ("unknown_label", "tables.legal_routes.consolidation.route @ 2026-01-01"),
    "inputs_unknown_kind.yaml": ("unknown_kind", "tables.inputs.values.2026-01-01.fallback"),
    "review_bad_code.yaml": ("review_code", "tables.review_reasons.values.2026-01-01[0].code"),
    "review_duplicate_code.yaml": ("duplicate", "tables.review_reasons.values.2026-01-01[1].code"),
    "subtype_dictionary_unknown.yaml": ("unknown_name", "tables.subtype_dictionaries.违法 @ 2026-01-01"),
    "determination_label_unknown.yaml": (
        "unknown_label",
        "tables.determination.needs_violation @ 2026-01-01",
    ),
    "photos_required_no_default.yaml": ("missing_name", "tables.photos_required.values.2026-01-01.default"),
    "photos_required_unknown_verdict.yaml": ("unknown_label", "tables.photos_required.非法 @ 2026-01-01"),
}


def test_every_broken_file_has_an_expectation() -> None:
    on_disk = {p.name for p in BROKEN.iterdir() if p.suffix == ".yaml" or p.is_dir()}
    assert on_disk == set(EXPECTED)


@pytest.mark.parametrize(("name", "expected"), sorted(EXPECTED.items()))
def test_broken_rules_are_refused(name: str, expected: tuple[str, str]) -> None:
    problem, where = expected
    with pytest.raises(InputError) as info:
        load_rules(BROKEN / name)
    err = info.value
    assert err.code == "rules.invalid"
    assert (err.params["problem"], err.params["where"]) == (problem, where)
    assert err.params["path"] == str(BROKEN / name)
    # The detail travels as a code; the sentence is made at the edge, complete.
    assert err.params["detail"]["code"] == f"rules.invalid.{problem}"
    text = str(err)
    assert text.startswith(f"规则文件 {BROKEN / name} 有误") and "{" not in text and "错误 rules" not in text


def test_missing_path_and_empty_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        load_rules(tmp_path / "nowhere.yaml")
    assert info.value.params["problem"] == "not_found"
    with pytest.raises(InputError) as info:
        load_rules(tmp_path)
    assert info.value.params["problem"] == "no_files"
