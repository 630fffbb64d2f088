"""单位与账号 (``/units``): the responsibility units, the townships each covers and the accounts
scoped to them. Read-only, 市局 roles only; the bureau edits them with ``weipian units`` and
``weipian users``."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from weipian.errors import PermissionDenied
from weipian.services.units import all_units
from weipian.services.users import list_accounts
from weipian.storage.townships import township_names
from weipian.web.deps import CurrentUser, StoreDep
from weipian.web.templating import templates

router = APIRouter()


@router.get("/units")
def unit_list(request: Request, user: CurrentUser, store: StoreDep) -> Response:
    if not user.is_bureau:  # who works where is the bureau's business
        raise PermissionDenied("units.forbidden")
    with store.reading() as session:
        units, accounts, names = all_units(session), list_accounts(session), township_names(session)
    by_unit: dict[str, list[str]] = {}
    for a in accounts:
        if a.unit_code:
            by_unit.setdefault(a.unit_code, []).append(a.display_name)
    context = {"units": units, "accounts": accounts, "names": names, "by_unit": by_unit}
    return templates.TemplateResponse(request, "units.html", context)
