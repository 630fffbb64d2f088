"""``weipian users``: web accounts (add, list, passwd, disable, enable)."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer
from rich.table import Table

from weipian.cli.context import command_store, settings
from weipian.cli.output import emit_json, err, guarded, out
from weipian.domain.roles import Role
from weipian.services.users import Account, add_user, list_accounts, set_active, set_password

JsonOpt = Annotated[bool, typer.Option("--json", help="以一个 JSON 对象输出结果")]
NameArg = Annotated[str, typer.Argument(help="登录名")]
PasswordOpt = Annotated[
    str | None,
    typer.Option("--password", help="密码（至少 8 位）；不给出则在终端中输入（不回显），或从标准输入读一行"),
]


app = typer.Typer(help="网页系统账号：新增、查看、改密码、停用。", no_args_is_help=True)


def _ask_password(password: str | None) -> str:
    """``--password``, else a hidden prompt on a terminal, else one line of standard input."""
    if password is not None:
        return password
    if not sys.stdin.isatty():  # scripts: echo "$PW" | weipian users add …
        return sys.stdin.readline().rstrip("\r\n")
    # Prompts go to stderr so that --json leaves one object on stdout.
    return str(typer.prompt("密码", hide_input=True, confirmation_prompt="再次输入密码", err=True))


def account_json(a: Account) -> dict[str, Any]:
    return {
        "id": a.id,
        "username": a.username,
        "display_name": a.display_name,
        "role": a.role.value,
        "township": a.township_code,
        "unit": a.unit_code,
        "unit_name": a.unit_name,
        "townships": sorted(a.covers),
        "department": a.department,
        "active": a.active,
        "created_at": a.created_at,
    }


@app.command("add")
def add_cmd(
    username: NameArg,
    role: Annotated[
        Role,
        typer.Option(
            "--role",
            help="角色：bureau_admin 市局管理员、bureau_reviewer 市局审核员、township 乡镇核查员、"
            "department 部门联络员、leader 领导",
        ),
    ],
    township: Annotated[
        str | None, typer.Option("--township", help="乡镇核查员所属乡镇代码（9 位；即该乡镇本身这个单位）")
    ] = None,
    unit: Annotated[
        str | None,
        typer.Option(
            "--unit",
            help="所属单位代码（weipian units list）：乡镇核查员可属分局、资源管理所、开发区等，"
            "看到并办理该单位所辖乡镇的图斑；市局或领导账号可注明所在科室",
        ),
    ] = None,
    display_name: Annotated[str | None, typer.Option("--display-name", help="显示姓名")] = None,
    department: Annotated[str | None, typer.Option("--department", help="部门联络员所属部门")] = None,
    password: PasswordOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """新增一个网页系统账号。"""

    def run() -> Account:
        secret = _ask_password(password)
        with command_store() as store, store.writing() as session:
            return add_user(
                session, username=username, role=role, password=secret, township=township,
                display_name=display_name, department=department, demo=settings().demo, unit=unit,
            )  # fmt: skip

    account = guarded(as_json, run)
    if as_json:
        emit_json({"user": account_json(account)})
    else:
        where = f"，{account.unit_name or account.unit_code}" if account.unit_code else ""
        err.print(f"已新增账号 {account.username}（{account.role.label}{where}）。", highlight=False)


@app.command("list")
def list_cmd(as_json: JsonOpt = False) -> None:
    """列出所有账号（不显示密码）。"""

    def run() -> list[Account]:
        with command_store() as store, store.reading() as session:
            return list_accounts(session)

    accounts = guarded(as_json, run)
    if as_json:
        emit_json({"users": [account_json(a) for a in accounts]})
        return
    t = Table(title=f"账号（{len(accounts)} 个）")
    for col in ("登录名", "姓名", "角色", "单位", "部门", "状态"):
        t.add_column(col)
    for a in accounts:
        unit = f"{a.unit_name or ''}（{a.unit_code}）" if a.unit_code else ""
        t.add_row(a.username, a.display_name, a.role.label, unit, a.department or "",
                  "启用" if a.active else "停用")  # fmt: skip
    out.print(t)


@app.command("passwd")
def passwd_cmd(username: NameArg, password: PasswordOpt = None, as_json: JsonOpt = False) -> None:
    """修改账号密码。"""

    def run() -> None:
        secret = _ask_password(password)
        with command_store() as store, store.writing() as session:
            set_password(session, username, secret, demo=settings().demo)

    guarded(as_json, run)
    if as_json:
        emit_json({"username": username, "password_changed": True})
    else:
        err.print(f"账号 {username} 的密码已修改。", highlight=False)


def _toggle(username: str, active: bool, as_json: bool) -> None:
    def run() -> None:
        with command_store() as store, store.writing() as session:
            set_active(session, username, active)

    guarded(as_json, run)
    if as_json:
        emit_json({"username": username, "active": active})
    else:
        err.print(f"账号 {username} 已{'启用' if active else '停用'}。", highlight=False)


@app.command("disable")
def disable_cmd(username: NameArg, as_json: JsonOpt = False) -> None:
    """停用账号（立即失去登录状态）。"""
    _toggle(username, False, as_json)


@app.command("enable")
def enable_cmd(username: NameArg, as_json: JsonOpt = False) -> None:
    """重新启用账号。"""
    _toggle(username, True, as_json)
