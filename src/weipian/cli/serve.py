"""``weipian serve``: the web application under uvicorn.

The CLI never imports ``weipian.web``: uvicorn gets the factory by its import string.
"""

from __future__ import annotations

from typing import Annotated

import typer

from weipian.cli.context import open_store, settings
from weipian.cli.output import err, guarded

APP_FACTORY = "weipian.web.app:create_app"


def serve_command(
    host: Annotated[str, typer.Option("--host", help="监听地址（局域网访问用 0.0.0.0）")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="端口")] = 8000,
    workers: Annotated[int, typer.Option("--workers", min=1, help="进程数")] = 1,
) -> None:
    """启动网页系统（需先 weipian init 并用 weipian users add 建立账号）。"""
    import uvicorn

    store = guarded(False, lambda: open_store(settings()))
    store.dispose()
    err.print(f"网页系统启动：http://{host}:{port}/（按 Ctrl+C 停止）", highlight=False)
    uvicorn.run(APP_FACTORY, factory=True, host=host, port=port, workers=workers, log_level="info")
