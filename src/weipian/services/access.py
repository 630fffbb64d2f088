"""Who sees which patches: a :class:`Scope` per account.

乡镇核查员 see the townships of their unit only (their own township, or those 水头分局 or a
资源管理所 answers for, domain/organisation.py); 部门联络员 see exactly the patches referred (抄告 or 移交) to
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

    townships: frozenset[str] | None = None  # only these townships' patches (a township account's unit)
    restricted: bool = False  # military-restricted patches included
    nothing: bool = False  # no patches at all (an account without its township or department)
    department: str | None = None  # only the patches referred to this department (部门联络员)
    unit: str | None = None  # the responsibility unit behind ``townships`` (its reminders, its figures)
    unit_name: str | None = None

    def reaches(self, township: str | None) -> bool:
        """Whether a patch of ``township`` may lie in this scope as far as townships go."""
        return self.townships is None or (township is not None and township in self.townships)


def scope_of(account: Account) -> Scope:
    if account.role is Role.department:
        # A liaison whose department is not on the list sees nothing rather than everything.
        dept = department_of(account)
        return Scope(department=dept.name) if dept else Scope(nothing=True)
    if account.role is Role.township:
        # A township account whose unit covers no township (or is inactive) sees nothing rather
        # than everything.
        return Scope(
            townships=account.covers,
            unit=account.unit_code,
            unit_name=account.unit_name,
            nothing=not account.covers,
        )
    return Scope(restricted=account.is_bureau)
