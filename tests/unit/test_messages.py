"""The message catalogue: one package below the domain, every code worded once, labels complete."""

from __future__ import annotations

import ast
import tomllib
from collections import Counter
from pathlib import Path

from weipian.domain.units import M2_PER_MU, m2_to_mu
from weipian.domain.workflow import Action, State
from weipian.errors import TransitionRefused
from weipian.messages import ACTION_LABELS, STATE_LABELS, TABLES, message

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "src" / "weipian"


def _layers() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    layers = next(c["layers"] for c in contracts if c["type"] == "layers")
    return [m.strip() for layer in layers for m in layer.split("|")]


def test_every_module_of_weipian_is_in_the_layer_contract() -> None:
    tops = {p.stem for p in PACKAGE.glob("*.py") if p.stem != "__init__"}
    tops |= {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()}
    assert {f"weipian.{t}" for t in tops} == set(_layers())


def test_errors_and_messages_are_the_bottom_layers() -> None:
    assert _layers()[-3:] == ["weipian.domain", "weipian.errors", "weipian.messages"]


def test_the_catalogue_imports_nothing_else_from_weipian() -> None:
    """Also lazily inside functions, which the import contract sees too; this says where."""
    for path in (PACKAGE / "messages").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            for name in names:
                assert not name.startswith("weipian.") or name.startswith("weipian.messages"), (path, name)


def test_every_code_is_worded_once() -> None:
    counts = Counter(code for table in TABLES for code in table)
    assert [c for c, n in counts.items() if n > 1] == []


def test_every_state_and_action_has_one_label() -> None:
    assert set(STATE_LABELS) == {s.value for s in State}
    assert set(ACTION_LABELS) == {a.value for a in Action}
    assert STATE_LABELS[State.returned] == State.returned.label == "上级退回"  # StrEnum keys find them
    assert ACTION_LABELS[Action.review_pass] == ACTION_LABELS["review.pass"] == "审核通过"


def test_a_refused_transition_is_worded_with_both_labels() -> None:
    try:
        raise TransitionRefused("workflow.refused", state=State.reported, action="determination.save")
    except TransitionRefused as exc:
        assert str(exc) == "图斑当前状态为“已上报”，不能执行“保存判定”。"


def test_areas_in_square_metres_are_quoted_in_mu() -> None:
    text = message("interview.unrectified", farmland_m2=2000.0, min_m2=M2_PER_MU * 3)
    assert text == f"未整改耕地 {m2_to_mu(2000.0):.2f} 亩，达到约谈线 3.00 亩"
    assert m2_to_mu(10000) == 15.0


def test_an_unknown_code_still_says_something() -> None:
    assert message("no.such_code", id=7) == "错误 no.such_code：id=7"


def test_every_label_dict_covers_exactly_its_codes() -> None:
    from weipian.analysis.evidence import CHECK_CODES, COMPASS_POINTS
    from weipian.domain.cases import CaseStage
    from weipian.domain.landclass import AGRI, CONSTRUCTION, UNUSED
    from weipian.domain.layers import LayerKind
    from weipian.domain.ledger import CaseKind, Decision, FeedbackStage, Method, Outcome, RecordState
    from weipian.domain.mining import MiningStatus
    from weipian.domain.organisation import UnitKind
    from weipian.domain.referrals import ReferralKind, ReferralStatus
    from weipian.domain.roles import Role
    from weipian.domain.sources import Source
    from weipian.messages import labels
    from weipian.rules import PRIORITY_FLAGS
    from weipian.services.due import KINDS
    from weipian.services.evidence import KINDS as EVIDENCE_KINDS

    codes: dict[str, object] = {
        "ROLE_LABELS": Role, "SOURCE_LABELS": Source, "LAYER_LABELS": LayerKind,
        "RECORD_STATE_LABELS": RecordState, "METHOD_LABELS": Method, "DECISION_LABELS": Decision,
        "FEEDBACK_STAGE_LABELS": FeedbackStage, "CASE_KIND_LABELS": CaseKind, "OUTCOME_LABELS": Outcome,
        "CASE_STAGE_LABELS": CaseStage, "REFERRAL_KIND_LABELS": ReferralKind,
        "REFERRAL_STATUS_LABELS": ReferralStatus, "MINING_STATUS_LABELS": MiningStatus,
        "STATE_LABELS": State, "ACTION_LABELS": Action, "DUE_KIND_LABELS": KINDS,
        "PHOTO_CHECK_LABELS": CHECK_CODES, "COMPASS_LABELS": COMPASS_POINTS, "EVIDENCE_KIND_LABELS": EVIDENCE_KINDS, "LAND_GROUP_LABELS": (AGRI, CONSTRUCTION, UNUSED),
        "UNIT_KIND_LABELS": UnitKind, "PRIORITY_LABELS": PRIORITY_FLAGS,
    }  # fmt: skip
    defined = {n for n in dir(labels) if n.endswith("_LABELS")}
    assert defined == set(codes), defined ^ set(codes)
    for name, members in codes.items():
        table = getattr(labels, name)
        assert set(table) == {str(m) for m in members}, name  # type: ignore[attr-defined]
        assert all(isinstance(v, str) and v for v in table.values()), name


def test_an_enum_member_finds_its_label_through_the_domain() -> None:
    from weipian.domain.cases import CaseStage
    from weipian.domain.ledger import FeedbackStage, Outcome, stage_from_text
    from weipian.domain.referrals import ReferralStatus
    from weipian.domain.roles import ROLE_LABELS, Role

    assert CaseStage.decided.label == "已处罚" and ReferralStatus.answered_late.label == "逾期反馈"
    assert ROLE_LABELS[Role.leader] == "领导" and Outcome.judicial.label == "移送司法"
    assert stage_from_text("办结") is FeedbackStage.done and stage_from_text("done") is FeedbackStage.done


def test_a_mining_status_is_worded_from_its_code_and_old_reasons_still_read() -> None:
    new = message("mining.licence_invalid", mining_status="straddling")
    assert new == "图斑与采矿权的位置为“跨越采矿权界线”，但采矿许可在后时相已失效，疑似无证开采。"
    old = message("mining.licence_invalid", status="inside", status_label="位于许可范围内")  # stored before
    assert "“位于许可范围内”" in old and "{" not in old


def test_an_event_summary_shows_its_code_worded_or_the_text_stored_before_codes() -> None:
    from weipian.web.templating import env

    sentence = env.globals["sentence"]
    coded = {"code": "event.photo_upload_failed", "params": {"name": "东侧.jpg", "failed": 2}}
    assert sentence(coded) == "上传现场照片 东侧.jpg（自动核验2 项未通过）"
    assert sentence("上传附件 批文.pdf") == "上传附件 批文.pdf"  # stored as prose by an older version
    assert sentence({"code": "event.document_upload", "params": {"name": "批文.pdf"}}) == "上传附件 批文.pdf"


def test_why_a_mineral_part_is_needed_is_worded_from_its_code() -> None:
    delivered = message("determination.mineral_required", code="P1", why={"code": "mineral_why.delivered"})
    assert "图斑 P1 涉矿（下发数据“是否涉矿”为是）" in delivered
    suggested = {"code": "mineral_why.suggested", "params": {"mineral": "无证开采"}}
    assert "（规则预判矿产为“无证开采”）" in message(
        "determination.mineral_required", code="P1", why=suggested
    )


def test_a_photo_check_is_worded_from_its_reason_or_the_words_stored_before() -> None:
    from weipian.messages import check_text

    coded = {"code": "direction", "passed": True, "params": {"reason": "direction_present", "azimuth": "130", "compass_point": "se"}}  # fmt: skip
    assert check_text(coded) == "拍摄方向 130°（朝东南）。"
    stored = {"code": "direction", "passed": True, "detail": "拍摄方向 0°（朝北）。", "params": {}}
    assert check_text(stored) == "拍摄方向 0°（朝北）。"
    # Checks stored with the Chinese compass word as a parameter still read the same.
    old = {"code": "direction", "passed": True, "detail": "x", "params": {"reason": "direction_present", "azimuth": "0", "compass": "北"}}  # fmt: skip
    assert check_text(old) == "拍摄方向 0°（朝北）。"


def test_problems_passed_as_codes_are_worded_and_joined() -> None:
    problems = [{"code": "ledger.area_negative", "params": {"field": "demolished", "value": -1}},
                {"code": "case.number_needed"}]  # fmt: skip
    text = message("ledger.areas_invalid", code="P1", problems=problems)
    assert text.endswith("：拆除面积不能为负数（-1）；请填写立案号。"), text


def test_a_period_is_codes_in_the_core_and_words_at_the_edge() -> None:
    from weipian.messages import period_text
    from weipian.stats.periods import Period

    cases = {
        Period(): "全部",
        Period(month="2022-03", source="province"): "2022年3月省卫片",
        Period(year=2022): "2022年度",
        Period(year=2022, quarter=4, batch="2022年第1批"): "2022年度第4季度2022年第1批",
        Period(source="self", unit="350583113"): "自主发现",
    }
    for period, words in cases.items():
        assert all(set(p) == {"code", "params"} for p in period.label())
        assert period_text(period.label()) == words
