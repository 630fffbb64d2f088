"""Settings from ``WEIPIAN_*`` environment variables and an optional ``.env``.

Built at the edges (CLI, web) and passed inward as plain values; the core never reads it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url

from weipian.domain import clock


class Settings(BaseSettings):
    """Every setting of weipian; docs/settings.md lists them all (a test checks)."""

    model_config = SettingsConfigDict(env_prefix="WEIPIAN_", env_file=".env", extra="ignore")

    database_url: str = Field(
        default="sqlite:///weipian.db",
        description="数据库地址：sqlite:///路径.db（默认）或 postgresql+psycopg://用户@主机/库（需 PostGIS）",
    )
    verification_days: int = Field(
        default=15, ge=1, description="核查填报期限（天），从下发日期起算，可按批次覆盖"
    )
    same_place_min_overlap: float = Field(
        default=0.5,
        gt=0,
        le=1,
        description="同一位置判定阈值：重叠面积占较小图斑面积的比例",
    )
    area_method: Literal["ellipsoidal", "gauss_kruger"] = Field(
        default="ellipsoidal", description="面积计算方法：ellipsoidal（CGCS2000 椭球面积）或 gauss_kruger"
    )
    gauss_kruger_epsg: int = Field(default=4527, description="高斯投影面积所用坐标系（4527 带带号，或 4548）")
    county_bbox: tuple[float, float, float, float] = Field(
        default=(117.8, 24.4, 118.9, 25.5),
        description="本县经纬度范围（西,南,东,北），用于无 .prj 文件时推断坐标系",
    )
    files_dir: Path | None = Field(
        default=None,
        description="影像与举证附件的存放目录（不在网站目录内）；默认：数据库文件旁的“库名.files”，PostgreSQL 时为 ./weipian-files",
    )
    upload_max_mb: int = Field(default=25, ge=1, le=500, description="单个照片或附件的大小上限（MB）")
    ratio_farmland: Literal["filed_or_desk", "desk"] = Field(
        default="filed_or_desk",
        description="违法占用耕地比例所用耕地面积：filed_or_desk（有填报用填报值，否则用内业比对 GDMJ）或 desk（一律用内业比对）[待核实]",
    )
    request_max_mb: int = Field(
        default=100,
        ge=1,
        le=2000,
        description="一次网页请求（含一次上传的全部文件）的大小上限（MB），接收过程中即检查",
    )
    demo: bool = Field(
        default=False, description="演示环境（scripts/run 设置）：允许演示账号使用演示密码；正式环境不要设置"
    )
    photo_max_distance_m: float = Field(
        default=100.0, ge=0, description="照片拍摄位置距图斑边界的最大允许距离（米），超出则核验不通过"
    )
    rural_road_region: Literal["south", "north"] = Field(
        default="south",
        description="农村道路宽度下限按哪一地区取值：south（南方，1.0 米，默认，福建）或 north（北方，2.0 米）",
    )
    now: dt.datetime | None = Field(
        default=None,
        description="演示/培训时钟：把“当前时间”固定为此时刻（ISO 格式，北京时间，如 2026-12-03T09:00），"
        "所有期限、月清和操作时间都按它计算，网页顶部显示提示；不设则用真实时间",
    )

    @field_validator("now")
    @classmethod
    def _beijing(cls, v: dt.datetime | None) -> dt.datetime | None:
        return None if v is None else clock.as_beijing(v)

    def apply_clock(self) -> None:
        """Make :func:`weipian.domain.clock.now` follow ``WEIPIAN_NOW`` (or the real clock)."""
        clock.set_now(self.now)


MIN_SECRET_BYTES = 32  # a shorter session secret can be guessed and sessions forged


def check_secret_key(key: str, origin: str) -> str:
    """``key`` if it has at least MIN_SECRET_BYTES bytes, else ``InputError`` (refuse to start)."""
    from weipian.errors import InputError

    if len(key.encode("utf-8")) < MIN_SECRET_BYTES:
        raise InputError("secret.too_short", origin=origin, min=MIN_SECRET_BYTES)
    return key


def files_dir(settings: Settings) -> Path:
    """Where imagery and evidence files live: the setting, else beside the SQLite database.

    >>> files_dir(Settings(database_url="sqlite:///data/nanan.db", files_dir=None)).as_posix()
    'data/nanan.db.files'
    """
    if settings.files_dir is not None:
        return settings.files_dir
    return beside_database(settings, ".files") or Path("weipian-files")


def beside_database(settings: Settings, suffix: str) -> Path | None:
    """``<database file><suffix>`` for a SQLite file store; None for PostgreSQL or in-memory."""
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        db = Path(url.database)
        return db.with_name(db.name + suffix)
    return None
