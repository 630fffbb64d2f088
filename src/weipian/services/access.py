"""Who sees which patches: a :class:`Scope` per account.

乡镇核查员 see their township only; 部门联络员 see exactly the patches referred (抄告 or 移交) to
their department, never a military-restricted one, and nothing when their account names no
listed department; military-restricted patches (patches.restricted) are seen by 市局 roles
only. A patch outside the scope answers 404, exactly like a patch that does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass

from weipian.domain.roles import Role
from weipian.services.referrals import department_of
from weipian.services.users import Account


@dataclass(frozen=True)
class Scope:
    """The patches an account may see."""

    township: str | None = None  # only this township's patches
    restricted: bool = False  # military-restricted patches included
    nothing: bool = False  # no patches at all (an account without its township or department)
    department: str | None = None  # only the patches referred to this department (部门联络员)


def scope_of(account: Account) -> Scope:
    if account.role is Role.department:
        # A liaison whose department is not on the list sees nothing rather than everything.
        dept = department_of(account)
        return Scope(department=dept.name) if dept else Scope(nothing=True)
    if account.role is Role.township:
        # A township account without a township sees nothing rather than everything.
        return Scope(township=account.township_code, nothing=account.township_code is None)
    return Scope(restricted=account.is_bureau)
