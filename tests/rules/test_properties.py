"""Properties of the engine on generated facts: it always answers, with dictionary labels only."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from weipian.messages import message
from weipian.rules import FLAGS, RULE_MESSAGES, ApprovalFact, PatchFacts, judge, load_rules
from weipian.rules.model import APPROVAL_KINDS

RULES = load_rules()
ON = date(2024, 6, 30)
TABLES = RULES.tables(ON)
KINDS = ["landuse", "basic_farmland", "military", "mining_right", "conversion_approval", "land_supply"]

days = st.dates(min_value=date(2015, 1, 1), max_value=date(2024, 6, 30))
area = st.floats(min_value=0, max_value=20_000, allow_nan=False)
maybe_area = st.one_of(st.none(), area)


@st.composite
def approvals(draw: st.DrawFn) -> ApprovalFact:
    start = draw(st.one_of(st.none(), days))
    return ApprovalFact(
        kind=draw(st.sampled_from(sorted(APPROVAL_KINDS))),
        doc_no=draw(st.one_of(st.none(), st.text(alphabet="闽政地〔〕号0123456789-", max_size=8))),
        doc_date=start,
        valid_from=start,
        valid_to=None if start is None else start + timedelta(days=draw(st.integers(0, 2000))),
        ratio=draw(st.floats(min_value=0, max_value=1)),
    )


@st.composite
def facts(draw: st.DrawFn) -> PatchFacts:
    before = draw(st.one_of(st.none(), days))
    return PatchFacts.simple(
        "P",
        draw(st.floats(min_value=-10, max_value=20_000, allow_nan=False)),
        draw(st.one_of(st.none(), st.just("XX"), st.sampled_from(sorted(TABLES.change_types)))),
        before_date=before,
        after_date=draw(st.one_of(st.none(), days)),
        farmland_m2=draw(maybe_area),
        basic_farmland_m2=draw(maybe_area),
        eco_redline_m2=draw(maybe_area),
        military_m2=draw(st.one_of(st.none(), st.just(0.0), area)),
        land_classes=draw(st.dictionaries(st.sampled_from(["0101", "0602", "0702", "1006", "1101"]), area)),
        settlement_m2=draw(st.dictionaries(st.sampled_from(["201", "202", "203"]), area)),
        approvals=tuple(draw(st.lists(approvals(), max_size=3))),
        mining_status=draw(st.sampled_from([None, "inside", "straddling", "outside"])),
        mining_valid=draw(st.sampled_from([None, True, False])),
        width_m=draw(st.one_of(st.none(), st.floats(min_value=0, max_value=30))),
        missing_kinds=frozenset(draw(st.lists(st.sampled_from(KINDS), max_size=2))),
    )


@settings(max_examples=150, deadline=None)
@given(facts())
def test_the_engine_always_answers_with_dictionary_labels(f: PatchFacts) -> None:
    j = judge(f, RULES, on=ON)
    assert j.verdict in RULES.labels("suggestion", ON)
    assert j.mineral_verdict is None or j.mineral_verdict in [*RULES.labels("mineral_verdict", ON), "存疑"]
    assert j.flags <= FLAGS
    for r in j.reasons:
        assert r.code in RULE_MESSAGES
        text = message(r.code, **dict(r.params))
        assert "{" not in text and not text.startswith("错误 "), (r, text)
    if j.verdict == TABLES.label("verdict", "illegal"):
        assert not (TABLES.inputs["fallback"] & f.missing_kinds)
        assert j.violation_type == "违法占地"
    if f.military_m2 is not None and f.military_m2 > 1 and f.area_m2 > 0:
        assert (j.verdict, j.remark, "restricted" in j.flags) == ("伪变化", "特殊用地", True)
    if "farmland_housing_candidate" in j.flags:
        assert j.verdict == "违法" and f.change_type == "20"


@settings(max_examples=100, deadline=None)
@given(facts())
def test_a_full_approval_before_the_change_makes_it_legal(f: PatchFacts) -> None:
    f = replace(f, area_m2=abs(f.area_m2) + 1, after_date=f.after_date or ON, military_m2=0.0)
    doc = ApprovalFact("conversion_approval", "闽政地〔2015〕1号", date(2015, 1, 1), None, None, 1.0)
    j = judge(replace(f, approvals=(*f.approvals, doc)), RULES, on=ON)
    assert (j.verdict, j.subtype) == ("合法", "用地审批")
    assert "crime_threshold" not in j.flags and "farmland_housing_candidate" not in j.flags
