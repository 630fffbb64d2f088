"""The actor behind a CLI command: ``--by``, ``--role``, ``--township``."""

from __future__ import annotations

import getpass
from typing import Annotated

import typer

from weipian.domain.roles import Actor, Role

ByOpt = Annotated[str | None, typer.Option("--by", help="操作人姓名（默认当前系统用户）")]
RoleOpt = Annotated[Role, typer.Option("--role", help="操作人角色")]
TownOpt = Annotated[str | None, typer.Option("--township", help="乡镇核查员所属乡镇代码（9 位）")]


def actor(by: str | None, role: Role, township: str | None) -> Actor:
    return Actor(by or getpass.getuser(), role, township)
