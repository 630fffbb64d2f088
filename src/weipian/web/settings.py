"""Web settings: the shared :class:`weipian.config.Settings` plus the session secret.

The secret signs session cookies. ``WEIPIAN_SECRET_KEY`` sets it; without it a random key is
made once per install and kept in a file (mode 600) beside the SQLite database, or in the
working directory for PostgreSQL, so sessions survive restarts and every worker agrees.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from pydantic import Field

from weipian.config import Settings, beside_database, check_secret_key


class WebSettings(Settings):
    """Settings of ``weipian serve``; read from ``WEIPIAN_*`` like the rest."""

    secret_key: str | None = Field(
        default=None,
        description="会话签名密钥（至少 32 字节，否则拒绝启动）；不设置时首次启动自动生成并保存在数据库文件旁的 .key 文件中",
    )
    secret_key_file: Path | None = Field(
        default=None, description="自动生成的会话密钥文件路径（默认：数据库文件名加 .key）"
    )
    session_hours: int = Field(default=10, ge=1, le=168, description="登录有效时长（小时），到时必须重新登录")
    session_idle_minutes: int = Field(default=30, ge=1, le=1440, description="无操作多久（分钟）后登录失效")
    session_secure: bool = Field(
        default=False,
        description="会话 Cookie 只经 HTTPS 发送（Secure）；经 HTTPS 反向代理提供服务时应设为 true",
    )
    export_max_rows: int = Field(
        default=20000, ge=1, description="网页导出清单的最大行数；更多请用命令行 weipian export"
    )


def key_file(settings: WebSettings) -> Path:
    """Where the generated secret lives for these settings."""
    if settings.secret_key_file is not None:
        return settings.secret_key_file
    return beside_database(settings, ".key") or Path("weipian-secret.key")


def secret_key(settings: WebSettings) -> str:
    """The configured secret, else the install's key file (created on first use)."""
    if settings.secret_key is not None:
        return check_secret_key(settings.secret_key, "WEIPIAN_SECRET_KEY")
    path = key_file(settings)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return check_secret_key(path.read_text("ascii").strip(), str(path))
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(secrets.token_urlsafe(48) + "\n")
    return path.read_text("ascii").strip()
