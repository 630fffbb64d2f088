"""登记自主发现图斑: a 市局 account draws an outline on the map or pastes coordinates / GeoJSON.

The form posts plainly (no JavaScript needed to paste); the drawing on the map only fills the
coordinates box. ``services.manual.register_manual`` does every check; a refusal re-renders the
form with what was entered and the Chinese reason, nothing written.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from weipian.domain.workflow import Action
from weipian.errors import InputError, PermissionDenied, WeipianError
from weipian.messages import message as say
from weipian.services.imagery import imagery_for
from weipian.services.manual import ManualCase, manual_options, register_manual
from weipian.services.users import Account
from weipian.web.auth import flash
from weipian.web.deps import CheckCsrf, CurrentUser, RulesDep, SettingsDep, StoreDep, Today
from weipian.web.errors import status_of
from weipian.web.routes.imagery import image_json
from weipian.web.templating import templates

router = APIRouter(prefix="/intake")

# Coordinate systems staff meet in Nan'an: CGCS2000 degrees and its 3° Gauss–Krüger zone 39.
CRS_CHOICES = {
    "": "自动识别（经纬度按 CGCS2000）",
    "EPSG:4490": "CGCS2000 经纬度（EPSG:4490）",
    "EPSG:4527": "CGCS2000 3 度带第 39 带，带号坐标（EPSG:4527）",
    "EPSG:4548": "CGCS2000 3 度带中央经线 117°E，无带号（EPSG:4548）",
    "EPSG:4549": "CGCS2000 3 度带中央经线 120°E，无带号（EPSG:4549）",
}
FIELDS = ("jcbh", "geometry", "crs", "batch", "change_type", "found_on", "note")


def _registrar(user: Account) -> None:
    if not user.actor.may(Action.patch_register, None):
        raise PermissionDenied("manual.forbidden")


def _imagery(store: Any, settings: Any) -> dict[str, Any] | None:
    """The image the drawing map shows (as the patch map does): the newest 后时相 image meeting the
    county, else the newest 前时相 one; None without imagery (the map then shows 地类图斑)."""
    with store.reading() as session:
        chosen = imagery_for(session, settings.county_bbox, before_date=None, after_date=None)
    return image_json(chosen["after"] or chosen["before"])


def _page(
    request: Request, store: Any, rules: Any, settings: Any, today: dt.date, kept: dict[str, str],
    error: str | None, error_code: str | None = None, status: int = 200,
) -> Response:  # fmt: skip
    types = rules.tables(today).change_types
    context = {
        "kept": kept, "error": error, "error_code": error_code, "crs_choices": CRS_CHOICES,
        "change_types": [(c, t.name) for c, t in types.items()], "today": today,
        "bbox": ",".join(f"{v:.6f}" for v in settings.county_bbox),
        "default_batch": f"{today.year}年自主发现", "imagery": _imagery(store, settings),
    }  # fmt: skip
    return templates.TemplateResponse(request, "intake/manual.html", context, status_code=status)


@router.get("/manual")
def manual_form(
    request: Request, user: CurrentUser, store: StoreDep, rules: RulesDep, settings: SettingsDep, today: Today
) -> Response:
    _registrar(user)
    return _page(request, store, rules, settings, today, {}, None)


@router.post("/manual", dependencies=[CheckCsrf])
def manual_register(
    request: Request, user: CurrentUser, store: StoreDep, rules: RulesDep, settings: SettingsDep, today: Today,
    jcbh: Annotated[str, Form(max_length=200)] = "",
    geometry: Annotated[str, Form(max_length=2_000_000)] = "",
    crs: Annotated[str, Form(max_length=40)] = "",
    batch: Annotated[str, Form(max_length=200)] = "",
    change_type: Annotated[str, Form(max_length=40)] = "",
    found_on: Annotated[str, Form(max_length=40)] = "",
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:  # fmt: skip
    _registrar(user)
    kept = dict(zip(FIELDS, (jcbh, geometry, crs, batch, change_type, found_on, note), strict=True))
    try:
        if crs and crs not in CRS_CHOICES:
            raise InputError("manual.crs_unknown", crs=crs[:40])
        case = ManualCase(
            jcbh=jcbh, geometry=geometry, crs=crs or None, batch=batch or None,
            change_type=change_type or None, found_on=_date(found_on), note=note or None,
        )  # fmt: skip
        types = {c: t.name for c, t in rules.tables(today).change_types.items()}
        done = register_manual(
            store, case, manual_options(settings, today), actor=user.actor, change_types=types
        )
    except WeipianError as exc:
        return _page(
            request,
            store,
            rules,
            settings,
            today,
            kept,
            say(exc.code, **exc.params),
            exc.code,
            status_of(exc),
        )
    flash(
        request, "manual.registered", jcbh=done.jcbh, area_m2=f"{done.area_m2:.2f}",
        township=done.township_name or "未能归属乡镇", due_on=done.due_on.isoformat(),
    )  # fmt: skip
    return RedirectResponse(f"/patches/{done.patch_id}", status_code=303)


def _date(value: str) -> dt.date | None:
    if not value.strip():
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError as exc:
        raise InputError("manual.date_invalid", value=value[:20]) from exc
