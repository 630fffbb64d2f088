"""Web accounts: add, list, authenticate, change password, deactivate.

Passwords are hashed with argon2id (``pwdlib.PasswordHash.recommended()``); a hash made with
older parameters is replaced at the next successful login.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from pwdlib import PasswordHash
from sqlalchemy import Row
from sqlalchemy.orm import Session

from weipian.domain.referrals import departments, find_department
from weipian.domain.roles import Actor, Role
from weipian.errors import Conflict, InputError, NotFound
from weipian.storage.store import Store
from weipian.storage.townships import township_names
from weipian.storage.users import all_users, insert_user, update_user, user_by_id, user_by_name

MIN_PASSWORD_LENGTH = 8
_HASHER = PasswordHash.recommended()
# Verified against when the user does not exist, so both answers take the same time.
_DUMMY_HASH = _HASHER.hash("weipian-no-such-user")


@dataclass(frozen=True)
class Account:
    """A web account as the edges see it (never the password hash)."""

    id: int
    username: str
    display_name: str
    role: Role
    township_code: str | None
    department: str | None
    active: bool
    created_at: dt.datetime

    @property
    def actor(self) -> Actor:
        """The workflow actor this account acts as (events record the username)."""
        return Actor(self.username, self.role, self.township_code)

    @property
    def is_bureau(self) -> bool:
        """市局 roles see every patch, military-restricted ones included."""
        return self.role.is_bureau


def _account(row: Row[Any]) -> Account:
    return Account(
        id=row.id, username=row.username, display_name=row.display_name, role=Role(row.role),
        township_code=row.township_code, department=row.department, active=bool(row.active),
        created_at=row.created_at,
    )  # fmt: skip


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InputError("user.password_short", min=MIN_PASSWORD_LENGTH)


def add_user(
    session: Session,
    *,
    username: str,
    role: Role,
    password: str,
    township: str | None = None,
    display_name: str | None = None,
    department: str | None = None,
) -> Account:
    """Create an active account; township staff must name a township the store knows."""
    name = username.strip()
    if not name or len(name) > 64 or any(c.isspace() for c in name):
        raise InputError("user.name_invalid", username=username)
    if role is Role.township:
        if not township:
            raise InputError("user.township_needed", username=name)
        if township not in township_names(session):
            raise InputError("user.township_unknown", township=township)
    elif township:
        raise InputError("user.township_only", role=role.value)
    if role is Role.department:  # 部门联络员: one department of domain/data/departments.yaml
        found = find_department(department)
        if found is None:
            known = "、".join(d.name for d in departments())
            code = "user.department_unknown" if (department or "").strip() else "user.department_needed"
            raise InputError(code, username=name, department=(department or "").strip(), known=known)
        department = found.name
    elif (department or "").strip():
        raise InputError("user.department_only", role=role.value)
    _check_password(password)
    if user_by_name(session, name) is not None:
        raise Conflict("user.exists", username=name)
    user_id = insert_user(
        session,
        username=name,
        display_name=(display_name or "").strip() or name,
        password_hash=_HASHER.hash(password),
        role=role.value,
        township_code=township if role is Role.township else None,
        department=(department or "").strip() or None,
        at=dt.datetime.now(dt.UTC),
    )
    row = user_by_id(session, user_id)
    assert row is not None
    return _account(row)


def authenticate(store: Store, username: str, password: str) -> Account | None:
    """The active account with this name and password, or None (same time either way).

    Takes the store, not a session: the slow hash check runs outside any transaction, and only
    an outdated hash is rewritten, in a short write of its own.
    """
    with store.reading() as session:
        row = user_by_name(session, username.strip())
    if row is None:
        _HASHER.verify(password, _DUMMY_HASH)
        return None
    valid, new_hash = _HASHER.verify_and_update(password, row.password_hash)
    if not valid or not row.active:
        return None
    if new_hash is not None:
        with store.writing() as session:
            update_user(session, row.id, password_hash=new_hash)
    return _account(row)


def get_account(session: Session, user_id: int) -> Account | None:
    """The active account with this id, or None."""
    row = user_by_id(session, user_id)
    return _account(row) if row is not None and row.active else None


def account_by_name(session: Session, username: str) -> Account:
    """The active account called ``username`` (the CLI's ``--as``), or NotFound."""
    row = user_by_name(session, username.strip())
    if row is None or not row.active:
        raise NotFound("user.not_found", username=username)
    return _account(row)


def list_accounts(session: Session) -> list[Account]:
    return [_account(r) for r in all_users(session)]


def set_password(session: Session, username: str, password: str) -> None:
    """Replace an account's password."""
    row = user_by_name(session, username.strip())
    if row is None:
        raise NotFound("user.not_found", username=username)
    _check_password(password)
    update_user(session, row.id, password_hash=_HASHER.hash(password))


def set_active(session: Session, username: str, active: bool) -> None:
    """Deactivate (or reactivate) an account; its sessions end at their next request."""
    row = user_by_name(session, username.strip())
    if row is None:
        raise NotFound("user.not_found", username=username)
    update_user(session, row.id, active=active)
