"""Web accounts: add, list, authenticate, change password, deactivate.

Passwords are hashed with argon2id (``pwdlib.PasswordHash.recommended()``); a hash made with
older parameters is replaced at the next successful login. Sign-in is throttled: an account is
locked for LOCK_MINUTES after MAX_FAILURES wrong passwords in a row, an address after
ADDRESS_MAX_FAILURES failures within ADDRESS_WINDOW (checked before any hashing), and at most
HASHING_SLOTS argon2 checks run at once, so parallel guessers cannot exhaust memory. Every
account has a session version: logout, a password change and disabling raise it, which ends
every session signed with the old one.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Any

from pwdlib import PasswordHash
from sqlalchemy import update
from sqlalchemy.orm import Session

from weipian.domain import clock
from weipian.domain.organisation import UnitKind
from weipian.domain.referrals import departments, find_department
from weipian.domain.roles import Actor, Role
from weipian.errors import Conflict, InputError, NotFound, PermissionDenied
from weipian.services.units import covered_townships
from weipian.storage.records import User
from weipian.storage.store import Store
from weipian.storage.tables import users
from weipian.storage.townships import township_names
from weipian.storage.units import unit_by_code
from weipian.storage.users import all_users, insert_user, update_user, user_by_id, user_by_name

MIN_PASSWORD_LENGTH = 10
DEMO_PASSWORD = "weipian-demo"  # scripts/run's accounts; refused unless WEIPIAN_DEMO is set
MAX_FAILURES, LOCK_MINUTES = 5, 15
ADDRESS_MAX_FAILURES, ADDRESS_WINDOW = 20, 15 * 60.0  # failures per address, seconds
HASHING_SLOTS, HASHING_WAIT = 2, 10.0  # concurrent argon2 checks (64 MiB each), seconds to wait
_HASHER = PasswordHash.recommended()
_HASHING = threading.BoundedSemaphore(HASHING_SLOTS)
_ADDRESS_LOCK = threading.Lock()
_ADDRESS_FAILURES: dict[str, deque[float]] = {}
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
    session_version: int = 0
    unit_code: str | None = None  # the responsibility unit (township accounts; a bureau section)
    covers: frozenset[str] = frozenset()  # the townships a township account answers for
    unit_name: str | None = None

    @property
    def actor(self) -> Actor:
        """The workflow actor this account acts as (events record the username)."""
        return Actor(self.username, self.role, unit=self.unit_code, covers=self.covers)

    @property
    def is_bureau(self) -> bool:
        """市局 roles see every patch, military-restricted ones included."""
        return self.role.is_bureau


def _account(session: Session, row: User) -> Account:
    """The account of ``row``; a township account's unit resolved to its townships now, so every
    check this request or command makes sees one answer."""
    role = Role(row.role)
    unit = row.unit_code or (row.township_code if role is Role.township else None)
    unit_name, covers = covered_townships(session, unit, row.township_code)
    if role is not Role.township:  # a section (市局, 领导) limits nothing
        covers = frozenset()
    return Account(
        id=row.id, username=row.username, display_name=row.display_name, role=role,
        township_code=row.township_code, department=row.department, active=bool(row.active),
        created_at=row.created_at, session_version=int(row.session_version or 0), unit_code=unit,
        unit_name=unit_name, covers=covers,
    )  # fmt: skip


def _scoped_unit(
    session: Session, name: str, role: Role, township: str | None, unit: str | None
) -> tuple[str | None, str | None]:
    """(township_code, unit_code) to store: a township account names its township (its own
    unit) or a unit of township level; a 市局 or 领导 account may name its section."""
    unit = (unit or "").strip() or None
    township = (township or "").strip() or None
    found = None
    if unit is not None:
        found = unit_by_code(session, unit)
        if found is None:
            raise InputError("user.unit_unknown", unit=unit)
        if not found.active:
            raise InputError("user.unit_inactive", unit=unit, name=found.name)
    if role is not Role.township:
        if township:
            raise InputError("user.township_only", role=role.value)
        if found is not None and (found.kind is not UnitKind.section or role is Role.department):
            raise InputError("user.unit_only", role=role.value, unit=found.code, name=found.name)
        return None, unit
    if township is None and found is None:
        raise InputError("user.township_needed", username=name)
    if township is not None and township not in township_names(session):
        raise InputError("user.township_unknown", township=township)
    if found is None:
        return township, township
    if not found.kind.township_level:
        raise InputError("user.unit_section", unit=found.code, name=found.name)
    if township is not None and township not in found.townships:
        raise InputError("user.unit_township_mismatch", unit=found.code, name=found.name, township=township)
    own = found.code if found.kind is not UnitKind.section and found.townships == {found.code} else None
    return township or own, found.code


def check_password_policy(password: str, username: str, *, demo: bool = False) -> None:
    """At least MIN_PASSWORD_LENGTH characters, not the account name, not the demo password
    (except in the demo, ``WEIPIAN_DEMO``)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InputError("user.password_short", min=MIN_PASSWORD_LENGTH)
    if username.strip().lower() in password.lower():
        raise InputError("user.password_is_name")
    if password == DEMO_PASSWORD and not demo:
        raise InputError("user.password_demo")


def add_user(
    session: Session,
    *,
    username: str,
    role: Role,
    password: str,
    township: str | None = None,
    display_name: str | None = None,
    department: str | None = None,
    demo: bool = False,
    unit: str | None = None,
) -> Account:
    """Create an active account; township staff name a township the store knows or a unit of
    township level (``unit``: 水头分局, a 资源管理所 …), whose townships they then answer for."""
    name = username.strip()
    if not name or len(name) > 64 or any(c.isspace() for c in name):
        raise InputError("user.name_invalid", username=username)
    township, unit = _scoped_unit(session, name, role, township, unit)
    if role is Role.department:  # 部门联络员: one department of domain/data/departments.yaml
        found = find_department(department)
        if found is None:
            known = "、".join(d.name for d in departments())
            code = "user.department_unknown" if (department or "").strip() else "user.department_needed"
            raise InputError(code, username=name, department=(department or "").strip(), known=known)
        department = found.name
    elif (department or "").strip():
        raise InputError("user.department_only", role=role.value)
    check_password_policy(password, name, demo=demo)
    if user_by_name(session, name) is not None:
        raise Conflict("user.exists", username=name)
    user_id = insert_user(
        session,
        username=name,
        display_name=(display_name or "").strip() or name,
        password_hash=_HASHER.hash(password),
        role=role.value,
        township_code=township,
        unit_code=unit,
        department=(department or "").strip() or None,
        at=clock.now(),
    )
    row = user_by_id(session, user_id)
    assert row is not None
    return _account(session, row)


def _now() -> dt.datetime:
    return clock.now()


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    return value.replace(tzinfo=dt.UTC) if value is not None and value.tzinfo is None else value


def _address_blocked(address: str | None, now: float) -> bool:
    if not address:
        return False
    with _ADDRESS_LOCK:
        failures = _ADDRESS_FAILURES.get(address)
        while failures and failures[0] < now - ADDRESS_WINDOW:
            failures.popleft()
        return bool(failures) and len(failures) >= ADDRESS_MAX_FAILURES  # type: ignore[arg-type]


def _address_failed(address: str | None, now: float) -> None:
    if not address:
        return
    with _ADDRESS_LOCK:
        if len(_ADDRESS_FAILURES) > 10_000:  # bounded: forget the quietest addresses
            for key in [k for k, v in _ADDRESS_FAILURES.items() if not v or v[-1] < now - ADDRESS_WINDOW]:
                del _ADDRESS_FAILURES[key]
        _ADDRESS_FAILURES.setdefault(address, deque(maxlen=ADDRESS_MAX_FAILURES)).append(now)


def _verify(password: str, password_hash: str) -> tuple[bool, str | None]:
    """argon2 check in one of HASHING_SLOTS; busy past HASHING_WAIT: refused, not queued forever."""
    if not _HASHING.acquire(timeout=HASHING_WAIT):
        raise Conflict("auth.busy")
    try:
        return _HASHER.verify_and_update(password, password_hash)
    finally:
        _HASHING.release()


def authenticate(store: Store, username: str, password: str, *, address: str | None = None) -> Account | None:
    """The active account with this name and password, or None (same time either way).

    ``PermissionDenied("auth.locked")`` while the account or the address is locked out (no
    hashing is done then). Takes the store, not a session: the slow hash check runs outside
    any transaction; the failure count is written in a short write of its own.
    """
    clock = time.monotonic()
    if _address_blocked(address, clock):
        raise PermissionDenied("auth.locked", minutes=int(ADDRESS_WINDOW // 60))
    with store.reading() as session:
        row = user_by_name(session, username.strip())
        account = _account(session, row) if row is not None else None
    now = _now()
    locked_until = _aware(row.locked_until) if row is not None else None
    if locked_until is not None and locked_until > now:
        minutes = max(1, int((locked_until - now).total_seconds() // 60) + 1)
        raise PermissionDenied("auth.locked", minutes=minutes)
    if row is None:
        _verify(password, _DUMMY_HASH)
        _address_failed(address, clock)
        return None
    valid, new_hash = _verify(password, row.password_hash)
    if not valid or not row.active:
        _address_failed(address, clock)
        failures = int(row.failed_logins or 0) + 1
        lock = now + dt.timedelta(minutes=LOCK_MINUTES) if failures >= MAX_FAILURES else None
        with store.writing() as session:
            update_user(session, row.id, failed_logins=0 if lock else failures, locked_until=lock)
        return None
    changes: dict[str, Any] = {}
    if new_hash is not None:
        changes["password_hash"] = new_hash
    if row.failed_logins or row.locked_until is not None:
        changes.update(failed_logins=0, locked_until=None)
    if changes:
        with store.writing() as session:
            update_user(session, row.id, **changes)
    assert account is not None
    return account


def end_sessions(session: Session, user_id: int) -> None:
    """End every session of the account (logout, password change, disabling)."""
    session.execute(
        update(users).where(users.c.id == user_id).values(session_version=users.c.session_version + 1)
    )


def get_account(session: Session, user_id: int) -> Account | None:
    """The active account with this id, or None."""
    row = user_by_id(session, user_id)
    return _account(session, row) if row is not None and row.active else None


def account_by_name(session: Session, username: str) -> Account:
    """The active account called ``username`` (the CLI's ``--as``), or NotFound."""
    row = user_by_name(session, username.strip())
    if row is None or not row.active:
        raise NotFound("user.not_found", username=username)
    return _account(session, row)


def list_accounts(session: Session) -> list[Account]:
    return [_account(session, r) for r in all_users(session)]


def set_password(session: Session, username: str, password: str, *, demo: bool = False) -> None:
    """Replace an account's password; its sessions end and any lockout is lifted."""
    row = user_by_name(session, username.strip())
    if row is None:
        raise NotFound("user.not_found", username=username)
    check_password_policy(password, row.username, demo=demo)
    update_user(session, row.id, password_hash=_HASHER.hash(password), failed_logins=0, locked_until=None)
    end_sessions(session, row.id)


def set_active(session: Session, username: str, active: bool) -> None:
    """Deactivate (or reactivate) an account; its sessions end at their next request."""
    row = user_by_name(session, username.strip())
    if row is None:
        raise NotFound("user.not_found", username=username)
    update_user(session, row.id, active=active)
    end_sessions(session, row.id)
