"""The ``weipian`` command line: one module per command group; this file wires them."""

from __future__ import annotations

import typer

from weipian import __version__
from weipian.cli import (
    cases,
    document,
    export,
    imagery,
    layers,
    ledger,
    manual,
    referrals,
    split,
    units,
    users,
)
from weipian.cli.analyze import analyze_command
from weipian.cli.context import apply_clock
from weipian.cli.demo import demo_command
from weipian.cli.due import due_command
from weipian.cli.eventlog import verify_log_command
from weipian.cli.intake import import_command
from weipian.cli.lists import lists_app, sheets_app
from weipian.cli.serve import serve_command
from weipian.cli.stats import exclusions_app, stats_command
from weipian.cli.store import init_command, summary_command
from weipian.cli.workflow import (
    determine_command,
    field_check_command,
    history_command,
    judge_command,
    report_command,
    review_command,
    submit_command,
    upper_command,
)

app = typer.Typer(
    name="weipian",
    help="卫片执法：图斑接收、内业比对、合法性判定、整改台账与统计报表。",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command("init")(init_command)
app.command("demo")(demo_command)
app.command("import")(import_command)
app.command("analyze")(analyze_command)
app.command("judge")(judge_command)
app.command("field-check")(field_check_command)
app.command("determine")(determine_command)
app.command("submit")(submit_command)
app.command("review")(review_command)
app.command("report")(report_command)
app.command("upper")(upper_command)
app.command("history")(history_command)
app.command("summary")(summary_command)
app.command("due")(due_command)
app.command("serve")(serve_command)
app.command("stats")(stats_command)
app.command("verify-log")(verify_log_command)
app.add_typer(manual.app, name="intake")
app.add_typer(layers.app, name="layers")
app.add_typer(export.app, name="export")
app.add_typer(document.app, name="document")
app.add_typer(lists_app, name="lists")
app.add_typer(sheets_app, name="determinations")
app.add_typer(users.app, name="users")
app.add_typer(units.app, name="units")
app.add_typer(imagery.app, name="imagery")
app.add_typer(referrals.app, name="referrals")
app.add_typer(exclusions_app, name="exclusions")
app.add_typer(ledger.app, name="rectify")
app.add_typer(ledger.sheet_app, name="ledger")
app.add_typer(split.app, name="split")
app.add_typer(cases.app, name="case")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"weipian {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="显示版本"),
) -> None:
    """卫片执法：图斑接收、内业比对、合法性判定、整改台账与统计报表。"""
    apply_clock()


def main() -> None:
    app()
