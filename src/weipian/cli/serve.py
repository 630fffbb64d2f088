"""``weipian serve``: the web application under uvicorn.

The CLI never imports ``weipian.web``: uvicorn gets the factory by its import string.
"""

from __future__ import annotations

from typing import Annotated

import typer
from pydantic_settings import BaseSettings, SettingsConfigDict

from weipian.cli.context import open_store, settings
from weipian.cli.output import err, guarded
from weipian.config import check_secret_key

APP_FACTORY = "weipian.web.app:create_app"


class _Secret(BaseSettings):
    """Only the session secret, read as the web settings read it, to refuse a short one here."""

    model_config = SettingsConfigDict(env_prefix="WEIPIAN_", env_file=".env", extra="ignore")
    secret_key: str | None = None


def serve_command(
    host: Annotated[str, typer.Option("--host", help="监听地址（局域网访问用 0.0.0.0）")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="端口")] = 8000,
    workers: Annotated[int, typer.Option("--workers", min=1, help="进程数")] = 1,
) -> None:
    """启动网页系统（需先 weipian init 并用 weipian users add 建立账号）。"""
    import uvicorn

    store = guarded(False, lambda: open_store(settings()))
    store.dispose()
    given = _Secret().secret_key
    if given is not None:  # a generated key file is checked by the app itself
        guarded(False, lambda: check_secret_key(given, "WEIPIAN_SECRET_KEY"))
    err.print(f"网页系统启动：http://{host}:{port}/（按 Ctrl+C 停止）", highlight=False)
    uvicorn.run(APP_FACTORY, factory=True, host=host, port=port, workers=workers, log_level="info")
