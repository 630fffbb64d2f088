"""The ``weipian`` command line: one module per command group; this file wires them."""

from __future__ import annotations

import importlib
import sys
from functools import cache

import typer

from weipian import __version__
from weipian.cli.context import apply_clock

# Command → (module of weipian.cli, attribute): a function is a command, a Typer a group. In the
# order of ``weipian --help``. A run imports only its command's module, so ``weipian analyze``
# does not load the spreadsheet, document, imagery and migration libraries others need.
COMMANDS: dict[str, tuple[str, str]] = {
    "init": ("store", "init_command"),
    "demo": ("demo", "demo_command"),
    "import": ("intake", "import_command"),
    "analyze": ("analyze", "analyze_command"),
    "judge": ("workflow", "judge_command"),
    "field-check": ("workflow", "field_check_command"),
    "determine": ("workflow", "determine_command"),
    "submit": ("workflow", "submit_command"),
    "review": ("workflow", "review_command"),
    "report": ("workflow", "report_command"),
    "upper": ("workflow", "upper_command"),
    "history": ("workflow", "history_command"),
    "summary": ("store", "summary_command"),
    "due": ("due", "due_command"),
    "serve": ("serve", "serve_command"),
    "stats": ("stats", "stats_command"),
    "verify-log": ("eventlog", "verify_log_command"),
    "intake": ("manual", "app"),
    "layers": ("layers", "app"),
    "export": ("export", "app"),
    "document": ("document", "app"),
    "lists": ("lists", "lists_app"),
    "determinations": ("lists", "sheets_app"),
    "users": ("users", "app"),
    "units": ("units", "app"),
    "imagery": ("imagery", "app"),
    "referrals": ("referrals", "app"),
    "exclusions": ("stats", "exclusions_app"),
    "rectify": ("ledger", "app"),
    "ledger": ("ledger", "sheet_app"),
    "split": ("split", "app"),
    "case": ("cases", "app"),
}


def _version(value: bool) -> None:
    if value:
        typer.echo(f"weipian {__version__}")
        raise typer.Exit()


def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="显示版本"),
) -> None:
    """卫片执法：图斑接收、内业比对、合法性判定、整改台账与统计报表。"""
    apply_clock()


def build(only: str | None = None) -> typer.Typer:
    """The command line with every command, or with ``only`` that one (and the same root)."""
    app = typer.Typer(
        name="weipian",
        help="卫片执法：图斑接收、内业比对、合法性判定、整改台账与统计报表。",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
    )
    app.callback()(_root)
    for name, (module, attribute) in COMMANDS.items():
        if only is None or name == only:
            found = getattr(importlib.import_module(f"weipian.cli.{module}"), attribute)
            if isinstance(found, typer.Typer):
                app.add_typer(found, name=name)
            else:
                app.command(name)(found)
    return app


@cache
def __getattr__(name: str) -> typer.Typer:
    """``app``: the whole command line (tests, docs/cli.md)."""
    if name == "app":
        return build()
    raise AttributeError(name)


def main() -> None:
    words = [a for a in sys.argv[1:] if not a.startswith("-")]
    build(words[0] if words and words[0] in COMMANDS else None)()
