"""CLI output: JSON on stdout for ``--json``, Chinese text and progress bars on stderr."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.text import Text

from weipian.errors import WeipianError
from weipian.messages import message

# Markup off: text from packages and accounts (a batch called "[/]") is printed as it is, in
# messages and table cells alike; styles are applied only through Text objects (styled()).
err = Console(stderr=True, markup=False, emoji=False)
out = Console(
    width=None if sys.stdout.isatty() else 160, markup=False, emoji=False
)  # piped: do not cut tables at 80


def styled(label: str, style: str, text: str) -> Text:
    """``label`` in ``style`` followed by ``text`` printed literally (never read as markup)."""
    return Text.assemble((label, style), text)


T = TypeVar("T")


def to_jsonable(value: Any) -> Any:
    """Dataclasses, dates and paths as JSON values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    return value


def emit_json(obj: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(to_jsonable(obj), ensure_ascii=False) + "\n")
    sys.stdout.flush()


def fail(exc: WeipianError, as_json: bool) -> NoReturn:
    """Report a user-facing error and exit 1 (INTERFACE.md)."""
    text = message(exc.code, **exc.params)
    if as_json:
        payload: dict[str, Any] = {"code": exc.code, "message": text}
        if "rejected" in exc.params:
            payload["rejected"] = rejections_json(exc.params["rejected"])
        emit_json({"error": payload})
    else:
        err.print(styled("错误：", "bold red", text), highlight=False)
        for item in exc.params.get("rejected", [])[:20]:
            err.print(f"  - {message(item.code, row=item.row, id=item.id or '无编号', **item.params)}")
    raise typer.Exit(1)


def rejections_json(rejected: list[Any]) -> list[dict[str, Any]]:
    return [
        {
            "row": r.row,
            "id": r.id,
            "code": r.code,
            "message": message(r.code, row=r.row, id=r.id or "无编号", **r.params),
        }
        for r in rejected
    ]


def guarded(as_json: bool, fn: Callable[[], T]) -> T:
    """Run ``fn``; turn a WeipianError into the CLI's error output and exit code 1.

    Anything else unexpected is still a Chinese error (JSON with ``--json``) and exit 1, never a
    traceback: every service writes in one transaction, so nothing was half-written. The
    details go to the log on stderr only when ``WEIPIAN_DEBUG`` is set.
    """
    try:
        return fn()
    except WeipianError as exc:
        fail(exc, as_json)
    except (click.exceptions.Exit, click.exceptions.Abort, click.exceptions.ClickException):
        raise
    except Exception as exc:
        if os.environ.get("WEIPIAN_DEBUG"):
            logging.getLogger("weipian.cli").exception("unexpected error")
        fail(WeipianError("internal.error", kind=type(exc).__name__), as_json)


@contextmanager
def progress_bar() -> Iterator[Callable[[str, int, int], None]]:
    """A progress callback that draws rich bars on stderr, one bar per step label."""
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=False,
    ) as bars:
        tasks: dict[str, Any] = {}

        def update(step: str, done: int, total: int) -> None:
            if step not in tasks:
                tasks[step] = bars.add_task(step, total=total)
            bars.update(tasks[step], completed=done, total=total)

        yield update
