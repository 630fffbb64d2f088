"""Settings from ``WEIPIAN_*`` environment variables and an optional ``.env``.

Built at the edges (CLI, web) and passed inward as plain values; the core never reads it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url

from weipian.domain.clock import BEIJING


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
    photo_max_distance_m: float = Field(
        default=100.0, ge=0, description="照片拍摄位置距图斑边界的最大允许距离（米），超出则核验不通过"
    )
    now: dt.datetime | None = Field(
        default=None,
        description="固定“当前时间”（ISO 日期时间，北京时间），用于演示、培训和测试；不设则取系统时间",
    )


def now(settings: Settings) -> dt.datetime:
    """The current time (aware): ``WEIPIAN_NOW`` when set (read as Beijing time), else the clock.

    >>> now(Settings(now="2027-03-01T09:30:00")).isoformat()
    '2027-03-01T09:30:00+08:00'
    """
    if settings.now is None:
        return dt.datetime.now(dt.UTC)
    fixed = settings.now
    return fixed if fixed.tzinfo is not None else fixed.replace(tzinfo=BEIJING)


def today(settings: Settings) -> dt.date:
    """Today's date in Beijing time (days and months are counted there)."""
    return now(settings).astimezone(BEIJING).date()


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
