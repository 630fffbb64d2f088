"""``weipian imagery``: filled by its owner (issue 5)."""

from __future__ import annotations

import typer

app = typer.Typer(help="imagery", no_args_is_help=True)
