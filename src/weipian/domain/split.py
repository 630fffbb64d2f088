"""Patch split (图斑拆分): part codes, the tiling tolerance and the parent's derived state. Pure.

A split cuts one issued patch (被拆分, the parent) into parts (拆分, children), each a patch of its
own with its own determination, review and rectification ledger. The parent takes no workflow
step of its own after the split: its state (ZT) is derived from its parts' states — it is where
its least advanced part is, so the parent is 已提交 when all parts are submitted, 已上报 when all
are reported, 已销号 when all are closed (DOMAIN.md §2.3; docs/split.md).
"""

from __future__ import annotations

from collections.abc import Sequence

from weipian.domain.workflow import State

SPLIT_STATUS_DONE = "审核结束"  # 拆分状态 of a split in force [VERIFY: the platform's other values]
MIN_PARTS = 2
MAX_PARTS = 50
# Parts must tile the parent: gaps, overlaps and area outside it each at most this, m² — the
# larger of an absolute 0.01 m² and 1e-6 of the parent's ellipsoidal area.
TOLERANCE_M2 = 0.01
TOLERANCE_RELATIVE = 1e-6

# How far a state has come, for the parent's derived state; the states back with the township
# (returned by the county or the upper level) rank with 核查中: the part is being worked on again.
_PROGRESS = {
    State.issued: 0,
    State.verifying: 1,
    State.county_returned: 1,
    State.returned: 1,
    State.submitted: 2,
    State.county_passed: 3,
    State.reported: 4,
    State.accepted: 5,
    State.rectifying: 6,
    State.closed: 7,
}
_BACK = (State.county_returned, State.returned)
# The parent's state may be any state a patch is split in (OPEN_STATES); a part starts in
# 已下发 (issued) when the parent was never touched, else in 核查中.
SPLITTABLE = frozenset({State.issued, State.verifying, State.county_returned, State.returned})


def tolerance_m2(parent_area_m2: float) -> float:
    """The tiling tolerance for a parent of this area.

    >>> tolerance_m2(500.0), tolerance_m2(1e8)
    (0.01, 100.0)
    """
    return max(TOLERANCE_M2, TOLERANCE_RELATIVE * parent_area_m2)


def part_code(parent_code: str, part_no: int) -> str:
    """The JCBH of part ``part_no`` (1-based): the parent's JCBH, a hyphen, the number.

    >>> part_code("350583202201001", 2)
    '350583202201001-2'
    """
    return f"{parent_code}-{part_no}"


def initial_part_state(parent_state: State | str) -> State:
    """The state a part starts in.

    >>> initial_part_state("issued"), initial_part_state("county_returned")
    (<State.issued: 'issued'>, <State.verifying: 'verifying'>)
    """
    return State.issued if State(parent_state) is State.issued else State.verifying


def derived_parent_state(part_states: Sequence[State | str]) -> State:
    """The parent's state: that of its least advanced part (a returned one before a 核查中 one).

    >>> derived_parent_state(["submitted", "verifying", "reported"])
    <State.verifying: 'verifying'>
    >>> derived_parent_state(["submitted", "verifying", "county_returned"])
    <State.county_returned: 'county_returned'>
    >>> derived_parent_state(["closed", "closed"])
    <State.closed: 'closed'>
    """
    states = [State(s) for s in part_states]
    if not states:
        raise ValueError("a split has parts")
    return min(states, key=lambda s: (_PROGRESS[s], s not in _BACK))
