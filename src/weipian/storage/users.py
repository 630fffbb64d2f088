"""Queries on the users table (web accounts)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from weipian.storage.records import User
from weipian.storage.tables import users


def insert_user(
    session: Session,
    *,
    username: str,
    display_name: str,
    password_hash: str,
    role: str,
    township_code: str | None,
    department: str | None,
    at: dt.datetime,
    unit_code: str | None = None,
) -> int:
    """Add one active account; returns its id."""
    new_id = session.execute(
        insert(users)
        .values(
            username=username, display_name=display_name, password_hash=password_hash, role=role,
            township_code=township_code, unit_code=unit_code, department=department, active=True,
            created_at=at,
        )
        .returning(users.c.id)
    ).scalar_one()  # fmt: skip
    return int(new_id)


def user_by_name(session: Session, username: str) -> User | None:
    row = session.execute(select(users).where(users.c.username == username)).first()
    return None if row is None else User.of(row)


def user_by_id(session: Session, user_id: int) -> User | None:
    row = session.execute(select(users).where(users.c.id == user_id)).first()
    return None if row is None else User.of(row)


def all_users(session: Session) -> list[User]:
    return [User.of(r) for r in session.execute(select(users).order_by(users.c.role, users.c.username))]


def update_user(session: Session, user_id: int, **values: Any) -> None:
    session.execute(update(users).where(users.c.id == user_id).values(**values))


def display_names(session: Session, usernames: set[str]) -> dict[str, str]:
    """Username → display name for the accounts among ``usernames`` (others are left out)."""
    if not usernames:
        return {}
    rows = session.execute(
        select(users.c.username, users.c.display_name).where(users.c.username.in_(sorted(usernames)))
    )
    return {r.username: r.display_name for r in rows}
