"""Who may do what: roles and the workflow actions each may take. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from weipian.domain.workflow import Action
from weipian.messages.labels import ROLE_LABELS as ROLE_LABELS


class Role(StrEnum):
    """Account roles (issue 5); values are stored."""

    bureau_admin = "bureau_admin"  # 市局管理员
    bureau_reviewer = "bureau_reviewer"  # 市局审核员
    township = "township"  # 乡镇核查员: only its own township
    department = "department"  # 部门联络员: only what is referred to it
    leader = "leader"  # 领导: read-only

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]

    @property
    def is_bureau(self) -> bool:
        """市局 roles see every patch, military-restricted ones included."""
        return self in (Role.bureau_admin, Role.bureau_reviewer)


_TOWNSHIP_ACTIONS = {
    Action.field_check_record, Action.evidence_withdraw, Action.evidence_note, Action.determination_save,
    Action.determination_submit,
}  # fmt: skip
# The ledger (INTERFACE.md "Ledger roles"): a township opens its unit's records, enters progress
# and asks for 销号; only the 市局 approves, returns or reopens.
_LEDGER_TOWNSHIP_ACTIONS = {
    Action.rectification_start, Action.rectification_update, Action.rectification_progress,
    Action.close_out_request,
}  # fmt: skip
# 图斑拆分: the township whose patch it is, or the 市局.
_SPLIT_ACTIONS = {Action.split_create, Action.split_undo}
# The case register (立案查处) is the 市局's: townships read their own cases, never file them.
_CASE_ACTIONS = {Action.case_open, Action.case_update, Action.case_person, Action.case_close}
_REVIEW_ACTIONS = {
    Action.review_pass, Action.review_return, Action.report_submit, Action.report_accept, Action.report_return,
    Action.record_correct, Action.rectification_start, Action.close_out_approve, Action.close_out_reopen,
    Action.close_out_return, *_CASE_ACTIONS,
}  # fmt: skip

MAY: dict[Role, frozenset[Action]] = {
    Role.bureau_admin: frozenset(Action),
    Role.bureau_reviewer: frozenset(
        _REVIEW_ACTIONS
        | _TOWNSHIP_ACTIONS
        | _LEDGER_TOWNSHIP_ACTIONS
        | _SPLIT_ACTIONS
        | {Action.patch_register}
    ),
    Role.township: frozenset(_TOWNSHIP_ACTIONS | _LEDGER_TOWNSHIP_ACTIONS | _SPLIT_ACTIONS),
    Role.department: frozenset(),
    Role.leader: frozenset(),
}


@dataclass(frozen=True)
class Actor:
    """The person behind an action: name, role and, for township staff, the township code or the
    responsibility unit (``unit``, with the townships it ``covers``)."""

    name: str
    role: Role
    township: str | None = None
    via: str | None = None  # how it acted when not through the web, e.g. "cli:OS user"
    unit: str | None = None  # the account's responsibility unit (units.code)
    covers: frozenset[str] = frozenset()  # the unit's townships

    @property
    def townships(self) -> frozenset[str] | None:
        """The townships a township account answers for (None: not limited to townships).

        >>> sorted(Actor("李", Role.township, unit="STFJ", covers=frozenset({"350583119"})).townships or ())
        ['350583119']
        >>> Actor("王", Role.bureau_admin).townships is None
        True
        """
        if self.role is not Role.township:
            return None
        return self.covers | {self.township} if self.township else self.covers

    def reaches(self, patch_township: str | None) -> bool:
        """Whether a patch of ``patch_township`` lies in this actor's townships (if it has any)."""
        towns = self.townships
        return towns is None or (patch_township is not None and patch_township in towns)

    def may(self, action: Action, patch_township: str | None) -> bool:
        """Whether this actor may take ``action`` on a patch of ``patch_township``.

        >>> Actor("王", Role.township, "350583113").may(Action.determination_submit, "350583113")
        True
        >>> Actor("王", Role.township, "350583113").may(Action.determination_submit, "350583114")
        False
        >>> Actor("李", Role.leader).may(Action.review_pass, None)
        False
        >>> Actor("赵", Role.township, unit="ZFJCDD").may(Action.determination_submit, "350583113")
        False
        """
        if action not in MAY[self.role]:
            return False
        return self.reaches(patch_township)
