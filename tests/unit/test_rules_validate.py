"""Validation of a person's determination (合法性判定): codes, not sentences."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from weipian.messages import message
from weipian.rules import (
    RULE_MESSAGES,
    ApprovalClaim,
    Determination,
    load_rules,
    validate_determination,
)

RULES = load_rules()
ON = date(2024, 6, 30)
PATCH = 1000.0

LEGAL = Determination("合法", "用地审批", approvals=(ApprovalClaim("用地审批", "闽政地〔2023〕101号", 95.0),))
ILLEGAL = Determination(
    "违法",
    "厂房类",
    opinion="未批先建",
    project_name="某某厂房",
    project_owner="某某公司",
    build_date=date(2024, 3, 1),
    violation_type="违法占地",
    illegal_area_m2=900.0,
    farmland_area_m2=600.0,
    basic_farmland_area_m2=200.0,
    is_new=True,
)
HOUSING = replace(
    ILLEGAL,
    subtype=None,
    farmland_housing=True,
    farmland_housing_class="住宅类（单户）",
    farmland_area_m2=180.0,
    basic_farmland_area_m2=None,
)
MINING = replace(ILLEGAL, is_mining=True, mineral_verdict="无证开采", mineral_handling="立案")


def codes(det: Determination, *, area: float = PATCH, on: date = ON) -> list[str]:
    return [r.code for r in validate_determination(det, patch_area_m2=area, rules=RULES, on=on)]


@pytest.mark.parametrize(
    "det",
    [
        LEGAL,
        ILLEGAL,
        HOUSING,
        MINING,
        Determination("实地为设施", approvals=(ApprovalClaim("设施农用地", "SSNY-2023-01", 100.0),)),
        Determination("其他", "边角细缝", opinion="批供地块边角"),
        Determination("其他", "203范围", opinion="村庄范围内翻建"),
        Determination("伪变化", opinion="影像阴影，实地无变化"),
        Determination("农村道路"),
        Determination("非农违法", "光伏", violation_type="违法占地", illegal_area_m2=1000.0, is_new=False),
        replace(MINING, mineral_verdict="越界开采", mineral_handling="非立案处理", opinion="政府主导整治"),
        replace(LEGAL, is_mining=True, mineral_verdict="持证开采"),
        replace(LEGAL, illegal_area_m2=0.0),
    ],
)
def test_valid_determinations_pass(det: Determination) -> None:
    assert codes(det) == []


@pytest.mark.parametrize(
    ("det", "expected"),
    [
        (Determination("违法建设"), ["determination.unknown_label"]),
        (Determination("合法"), ["determination.legal_needs_approval"]),
        (replace(LEGAL, subtype="历史批文"), ["determination.unknown_label"]),
        (
            replace(LEGAL, approvals=(ApprovalClaim("用地审批", " ", 95.0),)),
            ["determination.approval_incomplete"],
        ),
        (
            replace(LEGAL, approvals=(ApprovalClaim("用地审批", "X", 0.0),)),
            ["determination.ratio_out_of_range"],
        ),
        (
            replace(LEGAL, approvals=(ApprovalClaim("用地审批", "X", 120.0),)),
            ["determination.ratio_out_of_range"],
        ),
        (replace(LEGAL, approvals=(ApprovalClaim("批地", "X", 90.0),)), ["determination.unknown_label"]),
        (
            Determination("设施农用地", approvals=(ApprovalClaim("用地审批", "X", 100.0),)),
            ["determination.facility_needs_registry"],
        ),
        (replace(ILLEGAL, violation_type=None), ["determination.illegal_needs_type"]),
        (replace(ILLEGAL, violation_type="乱建"), ["determination.unknown_label"]),
        (replace(ILLEGAL, illegal_area_m2=None, farmland_area_m2=None), ["determination.illegal_needs_area"]),
        (replace(ILLEGAL, is_new=None), ["determination.new_flag_needed"]),
        (replace(ILLEGAL, illegal_area_m2=1200.0), ["determination.area_exceeds_patch"]),
        (
            replace(ILLEGAL, farmland_area_m2=-1.0, basic_farmland_area_m2=None),
            ["determination.negative_area"],
        ),
        (replace(ILLEGAL, farmland_area_m2=950.0), ["determination.farmland_exceeds_illegal"]),
        (replace(ILLEGAL, basic_farmland_area_m2=950.0), ["determination.basic_exceeds_illegal"]),
        (replace(ILLEGAL, subtype="大棚房"), ["determination.unknown_label"]),
        (replace(LEGAL, violation_type="违法占地"), ["determination.impossible_combination"]),
        (replace(LEGAL, illegal_area_m2=500.0), ["determination.impossible_combination"]),
        (Determination("农村道路", "出入口"), ["determination.impossible_combination"]),
        (Determination("其他", opinion="说明"), ["determination.subtype_needed"]),
        (Determination("其他", "边角细缝"), ["determination.opinion_needed"]),
        (Determination("伪变化"), ["determination.opinion_needed"]),
        (replace(ILLEGAL, is_mining=True), ["determination.mineral_needed"]),
        (replace(MINING, mineral_verdict="偷采"), ["determination.unknown_label"]),
        (replace(MINING, mineral_handling=None), ["determination.mineral_handling_needed"]),
        (replace(MINING, mineral_handling="罚款"), ["determination.unknown_label"]),
        (
            replace(MINING, mineral_handling="不处理", opinion=None),
            ["determination.handling_needs_explanation"],
        ),
        (
            replace(LEGAL, is_mining=True, mineral_verdict="持证开采", mineral_handling="立案"),
            ["determination.impossible_combination"],
        ),
        (replace(LEGAL, mineral_verdict="持证开采"), ["determination.not_mining_field"]),
        (replace(HOUSING, farmland_housing_class=None), ["determination.housing_class_needed"]),
        (replace(HOUSING, farmland_housing_class="住宅类"), ["determination.unknown_label"]),
        (
            replace(HOUSING, farmland_area_m2=None, basic_farmland_area_m2=None),
            ["determination.housing_needs_farmland"],
        ),
        (replace(ILLEGAL, farmland_housing_class="产业类"), ["determination.impossible_combination"]),
        (
            Determination(
                "伪变化",
                opinion="军事用地",
                farmland_housing=True,
                farmland_housing_class="产业类",
                farmland_area_m2=100.0,
            ),
            ["determination.impossible_combination"],
        ),
        (replace(ILLEGAL, build_date=date(2024, 7, 1)), ["determination.build_date_future"]),
    ],
)
def test_invalid_determinations_are_refused_with_a_code(det: Determination, expected: list[str]) -> None:
    assert codes(det) == expected


def test_basic_farmland_may_exceed_farmland() -> None:
    # Since 三调 much 永久基本农田 is 园地, 林地 or 坑塘: 47 m² 耕地 and 100 m² 永农 is valid.
    det = replace(ILLEGAL, illegal_area_m2=900.0, farmland_area_m2=47.0, basic_farmland_area_m2=100.0)
    assert codes(det) == []


def _texts(det: Determination) -> list[str]:
    """The sentences as the edges word them: the core names a field by its code, the catalogue
    by its label (``{field_label}``)."""
    return [
        message(r.code, **dict(r.params))
        for r in validate_determination(det, patch_area_m2=PATCH, rules=RULES, on=ON)
    ]


def test_sentences_name_fields_in_chinese_and_list_the_choices() -> None:
    assert _texts(Determination("")) == [
        "判定结果不能为空，请选择：合法、违法、其他、农村道路、设施农用地、伪变化。"
    ]
    wrong = _texts(replace(ILLEGAL, subtype="农村宅基地"))
    assert wrong == [f"细类“农村宅基地”不属于违法类判定，可选：{'、'.join(RULES.labels('illegal_subtype', ON))}、"
                     f"{'、'.join(RULES.labels('illegal_group', ON))}。"]  # fmt: skip
    texts = _texts(replace(ILLEGAL, violation_type="乱建", illegal_area_m2=-1.0))
    assert texts[0].startswith("违法类型“乱建”不在当日有效的字典中，可选：违法占地、")
    for text in [*texts, *_texts(replace(LEGAL, mineral_verdict="持证开采"))]:
        assert not any(c.isascii() and c.isalpha() for c in text), text
    assert "违法面积不能为负数。" in texts


def test_labels_are_checked_against_the_dictionary_in_force() -> None:
    old_route = replace(LEGAL, subtype="历史批文", approvals=(ApprovalClaim("历史批文", "XM-01", 100.0),))
    assert codes(old_route, on=date(2022, 12, 31)) == []
    assert codes(old_route, on=ON) == ["determination.unknown_label", "determination.unknown_label"]


def test_area_tolerance_is_data() -> None:
    tolerance = RULES.ratio("determination_area_tolerance", ON)
    assert codes(replace(ILLEGAL, illegal_area_m2=PATCH * (1 + tolerance))) == []
    assert codes(replace(ILLEGAL, illegal_area_m2=PATCH * (1 + tolerance) + 0.01)) == [
        "determination.area_exceeds_patch"
    ]


def test_every_reason_has_a_sentence_that_formats() -> None:
    bad = [
        Determination("违法", "x", illegal_area_m2=-3.0, is_mining=True, farmland_housing=True),
        replace(MINING, mineral_handling="不处理", opinion=None, build_date=date(2030, 1, 1)),
        replace(LEGAL, approvals=(ApprovalClaim("批地", "", 0.0),)),
        Determination("设施农用地", approvals=(ApprovalClaim("用地审批", "X", 100.0),)),
        replace(ILLEGAL, farmland_area_m2=2000.0, basic_farmland_area_m2=3000.0),
    ]
    for det in bad:
        for r in validate_determination(det, patch_area_m2=PATCH, rules=RULES, on=ON):
            assert r.code in RULE_MESSAGES
            text = message(r.code, **dict(r.params))
            assert "{" not in text and "_" not in text, text


areas = st.one_of(st.none(), st.floats(min_value=0, max_value=10_000, allow_nan=False))


@given(illegal=areas, farmland=areas, basic=areas, patch=st.floats(min_value=1, max_value=5000))
def test_no_area_above_the_patch_passes(
    illegal: float | None, farmland: float | None, basic: float | None, patch: float
) -> None:
    det = replace(ILLEGAL, illegal_area_m2=illegal, farmland_area_m2=farmland, basic_farmland_area_m2=basic)
    found = codes(det, area=patch)
    limit = patch * (1 + RULES.ratio("determination_area_tolerance", ON))
    if any(a is not None and a > limit for a in (illegal, farmland, basic)):
        assert "determination.area_exceeds_patch" in found
    if not found:
        assert illegal is not None and 0 < illegal <= limit
