"""HTTP schemas of the JSON API (field names as in INTERFACE.md where they exist)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel


class PatchOut(BaseModel):
    id: int
    JCBH: str
    source: str
    year: int
    XZQDM: str | None
    XZQMC: str | None
    TBLX: str | None
    JCMJ: float
    ZT: str
    YPJG: str | None
    PDJG: str | None
    WFLX: str | None
    due_on: dt.date


class PatchPageOut(BaseModel):
    total: int
    page: int
    pages: int
    patches: list[PatchOut]


class EventOut(BaseModel):
    at: dt.datetime
    action: str
    actor: str
    role: str
    state_before: str
    state_after: str
    payload: dict[str, Any]


class PatchDetailOut(PatchOut):
    LZB: float
    BZB: float
    QSX: str | None
    HSX: str | None
    batch: str
    facts: dict[str, Any] | None
    suggestion: dict[str, Any] | None
    determination: dict[str, Any] | None
    events: list[EventOut]
