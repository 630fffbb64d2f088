"""The verification workflow (ZT) as a transition table. Pure.

A patch's state is the projection of its event log: each event names an action, and
``advance(state, action)`` says where it leads or refuses it. Action codes are stable and never
renamed; each member's comment says what it records.
"""

from __future__ import annotations

from enum import StrEnum

from weipian.errors import TransitionRefused
from weipian.messages.labels import ACTION_LABELS as ACTION_LABELS  # re-exported for the edges
from weipian.messages.labels import STATE_LABELS as STATE_LABELS


class State(StrEnum):
    """ZT values (GLOSSARY.md)."""

    issued = "issued"  # 已下发
    verifying = "verifying"  # 核查中（内业比对、实地核查、举证）
    submitted = "submitted"  # 乡镇已提交判定
    county_passed = "county_passed"  # 市局审核通过
    county_returned = "county_returned"  # 市局退回
    reported = "reported"  # 已上报（冻结）
    accepted = "accepted"  # 上级已接收
    returned = "returned"  # 上级退回（1 个月内整改）
    rectifying = "rectifying"  # 整改中
    closed = "closed"  # 已销号

    @property
    def label(self) -> str:
        return STATE_LABELS[self]


class Action(StrEnum):
    """Event action codes (dotted, stable)."""

    field_check_record = "field_check.record"  # a field-check note (实地核查) with who and when
    evidence_withdraw = "evidence.withdraw"  # a photo/document removed before submission (payload: file)
    evidence_note = "evidence.note"  # a photo's or document's note written before submission
    determination_save = "determination.save"  # a determination draft saved (payload: the record)
    determination_submit = "determination.submit"  # the township files its determination
    review_pass = "review.pass"  # county review passes (payload: reason codes)
    review_return = "review.return"  # county review returns (payload: reason codes, due date)
    report_submit = "report.submit"  # 上报 to the province/ministry: the record freezes
    report_accept = "report.accept"  # the upper level accepts
    report_return = "report.return"  # the upper level returns (payload: reasons, 1-month due date)
    record_correct = "record.correct"  # explicit correction after 上报 (payload: old and new values)
    rectification_start = "rectification.start"  # an illegal patch enters the rectification ledger
    rectification_update = "rectification.update"  # responsible person, measures or deadline changed
    rectification_progress = "rectification.progress"  # a progress entry (areas to date, photos)
    close_out_request = "close_out.request"  # the township asks for 销号 (payload: evidence ids)
    close_out_return = "close_out.return"  # the 市局 returns a 销号 request (payload: reason code)
    close_out_approve = "close_out.approve"  # 销号 after rectification is checked
    close_out_reopen = "close_out.reopen"  # explicit reopening of a closed item (payload: reason)
    case_open = "case.open"  # 立案: a case filed for an illegal patch (立案查处)
    case_update = "case.update"  # the case's 处罚决定书, fines, confiscations or note changed
    case_person = "case.person"  # a person held responsible added, confirmed or a suggestion dismissed
    case_close = "case.close"  # 结案
    ratio_exclusion_set = "ratio_exclusion.set"  # 排除情形 set (payload: category, note); state kept
    ratio_exclusion_clear = "ratio_exclusion.clear"  # 排除情形 removed (payload: reason); state kept
    split_create = "split.create"  # 图斑拆分: the patch is cut into parts (payload: part codes, areas)
    split_undo = "split.undo"  # the split is withdrawn before any part was worked on; state kept
    split_derive = "split.derive"  # a split patch follows its parts (payload: the part that moved)
    patch_register = "patch.register"  # a self-found case (自主发现) registered by hand; state kept


_OPEN = (State.issued, State.verifying, State.county_returned, State.returned)
_FROZEN = (State.reported, State.accepted, State.rectifying, State.closed)

_CASE_ACTIONS = (Action.case_open, Action.case_update, Action.case_person, Action.case_close)

TRANSITIONS: dict[tuple[State, Action], State] = {
    **{(s, Action.field_check_record): State.verifying for s in _OPEN},
    **{(s, Action.evidence_withdraw): State.verifying for s in _OPEN},
    **{(s, Action.evidence_note): State.verifying for s in _OPEN},
    **{(s, Action.determination_save): State.verifying for s in _OPEN},
    **{(s, Action.determination_submit): State.submitted for s in _OPEN},
    (State.submitted, Action.review_pass): State.county_passed,
    (State.submitted, Action.review_return): State.county_returned,
    (State.county_passed, Action.review_return): State.county_returned,
    (State.county_passed, Action.report_submit): State.reported,
    (State.reported, Action.report_accept): State.accepted,
    (State.reported, Action.report_return): State.returned,
    **{(s, Action.record_correct): s for s in _FROZEN},
    (State.reported, Action.rectification_start): State.rectifying,
    (State.accepted, Action.rectification_start): State.rectifying,
    (State.rectifying, Action.rectification_update): State.rectifying,
    (State.rectifying, Action.rectification_progress): State.rectifying,
    (State.rectifying, Action.close_out_request): State.rectifying,
    (State.rectifying, Action.close_out_return): State.rectifying,
    (State.rectifying, Action.close_out_approve): State.closed,
    (State.closed, Action.close_out_reopen): State.rectifying,
    # A case runs beside the workflow, whatever the patch's state (the service checks 违法).
    **{(s, a): s for s in State for a in _CASE_ACTIONS},
    # A split keeps the parent's state; afterwards it follows its parts (``split.derive``, appended
    # by storage.workflow, never asked of this table).
    **{(s, Action.split_create): s for s in _OPEN},
    **{(s, Action.split_undo): s for s in _OPEN},
}

# States in which the township still owes a determination (deadline running).
OPEN_STATES = frozenset(_OPEN)
# 待核查: issued or being verified (the dashboard's card and the list filter ``state=to_verify``;
# returned patches have their own card).
TO_VERIFY = "to_verify"
TO_VERIFY_STATES = frozenset({State.issued, State.verifying})
TO_VERIFY_LABEL = "待核查（已下发、核查中）"
# States after 上报: the determination changes only through ``record.correct``.
FROZEN_STATES = frozenset(_FROZEN)


def advance(state: State | str, action: Action | str) -> State:
    """The state ``action`` leads to from ``state``; refuses an action the table does not allow.

    >>> advance("submitted", "review.pass")
    <State.county_passed: 'county_passed'>
    >>> try:
    ...     advance("reported", "determination.save")
    ... except TransitionRefused as exc:
    ...     print(exc.code, exc.params)
    workflow.refused {'state': 'reported', 'action': 'determination.save'}
    """
    key = (State(state), Action(action))
    if key not in TRANSITIONS:
        raise TransitionRefused(
            "workflow.refused", state=str(State(state).value), action=str(Action(action).value)
        )
    return TRANSITIONS[key]


def allowed_actions(state: State | str) -> list[Action]:
    """Actions the table allows from ``state``, in declaration order."""
    s = State(state)
    return [a for (st, a) in TRANSITIONS if st is s]
