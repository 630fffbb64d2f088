"""The RuleSet API: dated thresholds, dictionaries and aliases, review reasons, bureau copies."""

from __future__ import annotations

import re
import shutil
from datetime import date
from importlib import resources
from pathlib import Path

import pytest

from weipian.errors import InputError
from weipian.rules import RULE_MESSAGES, PatchFacts, check_case, judge, load_cases, load_rules
from weipian.rules.schema import M2_PER_MU, THRESHOLDS
from weipian.rules.trace import Tracer

RULES = load_rules()
ON = date(2024, 6, 30)
SRC = Path(__file__).resolve().parents[2] / "src" / "weipian" / "rules"


def test_packaged_rules_are_cached_and_versioned() -> None:
    assert load_rules() is RULES
    assert RULES.version == "default-2026.1"
    assert RULES.source == "packaged"
    assert date(2023, 3, 1) in RULES.effective_dates()


ENDED = {"discipline_basic_farmland_min", "discipline_farmland_min", "discipline_other_land_min"}


def test_every_threshold_is_readable_today() -> None:
    for name in THRESHOLDS:
        if name in ENDED:
            continue
        t = RULES.threshold(name, ON)
        assert t.since <= ON and t.written


def test_the_2000_discipline_tiers_end_with_15_ling() -> None:
    for name in ENDED:
        assert RULES.in_force(name, date(2008, 5, 31))
        assert not RULES.in_force(name, date(2008, 6, 1))
        with pytest.raises(InputError) as info:
            RULES.threshold(name, ON)
        assert info.value.code == "rules.not_in_force"


def test_typed_thresholds() -> None:
    assert RULES.area_m2("crime_farmland_min", ON) == pytest.approx(10 * M2_PER_MU)
    assert RULES.area_m2("crime_basic_farmland_min", ON) == pytest.approx(5 * M2_PER_MU)
    assert RULES.area_m2("mineral_field_check_min", ON) == pytest.approx(10 * M2_PER_MU)
    assert RULES.ratio("approval_coverage_min", ON) == 0.7
    assert RULES.ratio("illegal_farmland_ratio_line", ON) == pytest.approx(0.15)
    assert RULES.ratio("illegal_farmland_ratio_warning", ON) == pytest.approx(0.10)
    assert RULES.ratio("access_large_overlap_min", ON) == pytest.approx(0.95)
    assert (RULES.length_m("rural_road_width_min", ON), RULES.length_m("rural_road_width_max", ON)) == (1, 8)
    assert RULES.for_region("north").length_m("rural_road_width_min", ON) == 2
    assert RULES.date_value("farmland_housing_cutoff", ON) == date(2020, 7, 3)
    assert RULES.area_m2("farmland_housing_area_max", ON) == pytest.approx(3 * M2_PER_MU)
    assert RULES.whole("verification_days", ON) == 15
    assert RULES.whole("province_review_months", ON) == 1
    assert RULES.whole("return_correction_months", ON) == 1
    assert RULES.whole("referral_feedback_months", ON) == 2
    assert RULES.threshold("annual_report_due", ON).value == (3, 15)
    with pytest.raises(TypeError):
        RULES.ratio("crime_farmland_min", ON)
    with pytest.raises(TypeError):
        RULES.whole("approval_coverage_min", ON)


def test_a_value_before_its_first_date_is_not_in_force() -> None:
    day_before = date(2020, 7, 2)
    assert not RULES.in_force("farmland_housing_cutoff", day_before)
    assert RULES.in_force("farmland_housing_cutoff", date(2020, 7, 3))
    with pytest.raises(InputError) as info:
        RULES.threshold("farmland_housing_cutoff", day_before)
    assert info.value.code == "rules.not_in_force"
    assert not RULES.in_force("mineral_field_check_min", date(2023, 12, 31))
    with pytest.raises(InputError):
        RULES.tables(date(1999, 12, 31))


@pytest.mark.parametrize(
    ("dictionary", "written", "canonical"),
    [
        ("determination", "实地为设施", "设施农用地"),
        ("determination", "非农违法", "违法"),
        ("determination", " 合法 ", "合法"),
        ("other_subtype", "203范围", "203范围及开天窗"),
        ("other_subtype", "边坡治理地块", "边坡治理"),
        ("other_subtype", "地下管廊(网)", "地下管廊（网）"),
        ("farmland_housing_class", "住宅类(单户)", "住宅类（单户）"),
        ("farmland_housing_class", "多户", "住宅类（多户）"),
        ("mineral_verdict", "合法开采", "持证开采"),
        ("legal_route", "农转用", "用地审批"),
        ("suggestion", "存疑", "存疑"),
    ],
)
def test_normalise_through_aliases(dictionary: str, written: str, canonical: str) -> None:
    assert RULES.normalise(dictionary, written, ON) == canonical


@pytest.mark.parametrize("written", ["违法建设", "", "   ", None, "存疑"])
def test_unknown_labels_normalise_to_none(written: str | None) -> None:
    assert RULES.normalise("determination", written, ON) is None


def test_labels_change_with_their_effective_date() -> None:
    assert "历史批文" in RULES.labels("legal_route", date(2022, 12, 31))
    assert "历史批文" not in RULES.labels("legal_route", date(2023, 3, 1))
    assert "增减挂钩" in RULES.labels("legal_route", date(2023, 3, 1))  # a separate route (issue 10)
    assert RULES.normalise("legal_route", "全域整治", date(2019, 12, 9)) is None
    assert RULES.normalise("legal_route", "全域整治", ON) == "全域整治"
    assert len(RULES.labels("other_subtype", ON)) == 18
    assert RULES.labels("determination", ON) == ["合法", "违法", "其他", "农村道路", "设施农用地", "伪变化"]


def test_groups() -> None:
    assert RULES.parent("illegal_subtype", "光伏", ON) == "工矿商服"
    assert RULES.parent("illegal_subtype", "高速高铁", ON) == "道路交通"
    assert RULES.parent("mineral_verdict", "越界开采", ON) == "违法"
    assert RULES.parent("mineral_verdict", "持证开采", ON) == "合法"
    assert RULES.parent("farmland_housing_class", "住宅类（多户）", ON) == "住宅类"
    assert RULES.parent("violation_type", "违法占地", ON) is None


def test_review_reasons_are_coded_and_labelled() -> None:
    reasons = RULES.review_reasons(ON)
    codes = [r.code for r in reasons]
    assert len(codes) == len(set(codes))
    assert {r.outcome for r in reasons} == {"pass", "return"}
    assert all(re.fullmatch(r"(pass|return)\.[a-z][a-z0-9_]*", c) for c in codes)
    by_code = {r.code: r.label for r in reasons}
    assert by_code["return.facility_on_farmland"] == "设施农不得占耕"
    assert by_code["return.evidence_elsewhere"] == "举证材料非属于本图斑"


def test_a_bureau_copy_of_the_directory_loads_and_judges_alike(tmp_path: Path) -> None:
    data = resources.files("weipian.rules").joinpath("data")
    for item in data.iterdir():
        if item.name.endswith(".yaml"):
            (tmp_path / item.name).write_text(item.read_text("utf-8"), "utf-8")
    copy = load_rules(tmp_path)
    assert copy.version == RULES.version and copy.source == str(tmp_path)
    facts = PatchFacts.simple("X", 700.0, "20", farmland_m2=700.0, after_date=date(2024, 5, 1))
    a, b = judge(facts, RULES, on=ON), judge(facts, copy, on=ON)
    assert (a.verdict, a.reasons, a.flags, a.trace) == (b.verdict, b.reasons, b.flags, b.trace)


def test_a_bureau_changes_one_value_by_date(tmp_path: Path) -> None:
    shutil.copytree(SRC / "data", tmp_path / "rules", ignore=shutil.ignore_patterns("__pycache__"))
    path = tmp_path / "rules" / "thresholds.yaml"
    text = path.read_text("utf-8").replace(
        "    unit: mu\n    values: {2000-06-22: 10}",
        "    unit: mu\n    values: {2000-06-22: 10, 2025-01-01: 8}",
    )
    path.write_text(text, "utf-8")
    rules = load_rules(tmp_path / "rules")
    assert rules.threshold("crime_farmland_min", date(2024, 12, 31)).written == "10 mu"
    assert rules.threshold("crime_farmland_min", date(2025, 1, 1)).written == "8 mu"


def test_extends_keeps_the_default_and_adds_dated_values(tmp_path: Path) -> None:
    path = tmp_path / "local.yaml"
    path.write_text(
        "extends: default\nversion: local-1\n"
        "dictionaries:\n  remark:\n    values: {2026-01-01: [特殊用地, 涉密]}\n"
        "thresholds:\n  verification_days: {unit: days, values: {2026-01-01: 10}}\n",
        "utf-8",
    )
    rules = load_rules(path)
    assert rules.version == "default-2026.1+local-1"
    assert rules.labels("remark", date(2025, 12, 31)) == ["特殊用地"]
    assert rules.labels("remark", date(2026, 1, 1)) == ["特殊用地", "涉密"]
    assert rules.whole("verification_days", date(2026, 1, 1)) == 10
    assert rules.whole("verification_days", ON) == 15
    assert RULES.labels("remark", date(2026, 1, 1)) == ["特殊用地"]  # the packaged set is untouched


def test_tracer_refuses_codes_without_a_sentence_and_unknown_flags() -> None:
    t = Tracer()
    with pytest.raises(KeyError):
        t.reason("approval.coverd")
    with pytest.raises(KeyError):
        t.flag("restriced")


def test_every_reason_code_in_the_engine_has_a_sentence() -> None:
    used: set[str] = set()
    for path in SRC.glob("*.py"):
        text = path.read_text("utf-8")
        used.update(re.findall(r'reason\(\s*"([a-z_]+\.[a-z_]+)"', text))
        used.update(re.findall(r'Reason\(\s*"([a-z_]+\.[a-z_]+)"', text))
    for rule in RULES.tables(ON).other_rules:
        used.add(rule.reason)
    assert len(used) > 40
    assert sorted(used - set(RULE_MESSAGES)) == []


def _yaml_blocks() -> list[str]:
    text = (Path(__file__).resolve().parents[2] / "docs" / "rules.md").read_text("utf-8")
    return re.findall(r"```yaml\n(.*?)```", text, flags=re.S)


def test_the_examples_in_docs_rules_md_work(tmp_path: Path) -> None:
    blocks = _yaml_blocks()
    override = next(b for b in blocks if b.startswith("# nanan-2025.yaml"))
    (tmp_path / "nanan.yaml").write_text(override, "utf-8")
    rules = load_rules(tmp_path / "nanan.yaml")
    assert rules.ratio("approval_coverage_min", date(2025, 1, 1)) == pytest.approx(0.9)
    case = next(b for b in blocks if b.startswith("- name:"))
    (tmp_path / "case.yaml").write_text(case, "utf-8")
    (loaded,) = load_cases(tmp_path / "case.yaml")
    _, problems = check_case(loaded, RULES)
    assert problems == []
