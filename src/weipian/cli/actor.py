"""The actor behind a CLI workflow command: ``--as ACCOUNT``.

The account must exist and be enabled; its role and township decide what it may do, exactly as
when it signs in to the web (the workflow services refuse anything else). Events also record
the operating-system user who ran the command (``payload.via``), since anyone at the console
could name any account. The former ``--by NAME --role ROLE`` let anyone act under any name and
is gone (issue 11).
"""

from __future__ import annotations

import getpass
from dataclasses import replace
from typing import Annotated

import typer
from sqlalchemy.orm import Session

from weipian.domain.roles import Actor
from weipian.errors import InputError
from weipian.services.users import account_by_name

AsOpt = Annotated[
    str, typer.Option("--as", help="以哪个网页账号的身份操作（登录名；须为已启用账号，角色和乡镇取自账号）")
]
ByOpt = Annotated[str | None, typer.Option("--by", help="操作人姓名（默认当前系统用户）")]  # imagery only


def os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name (e.g. a container without passwd entry)
        return "unknown"


def actor_as(session: Session, username: str) -> Actor:
    """The enabled account ``username`` as a workflow actor; ``NotFound`` otherwise."""
    if not username.strip():
        raise InputError("cli.as_required")
    account = account_by_name(session, username)
    return replace(account.actor, via=f"cli:{os_user()}")
