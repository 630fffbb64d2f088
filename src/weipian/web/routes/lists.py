"""The special lists: 乱占耕地建房, 涉军 (市局 only), 逾期, 退回; each but 涉军 downloadable as a
workbook named after the list and the account's scope (涉军 goes offline only: CLI packet)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from weipian.errors import NotFound, PermissionDenied
from weipian.services.queries.lists import BUREAU_ONLY, TITLES, scoped_list
from weipian.web.deps import CurrentUser, RulesDep, ScopeDep, StoreDep, Today
from weipian.web.export import attachment, scope_label, special_list_workbook
from weipian.web.templating import templates

router = APIRouter(prefix="/lists")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get("")
def lists_index(user: CurrentUser) -> Response:
    return RedirectResponse("/lists/housing", status_code=303)


def _check(name: str, is_bureau: bool) -> None:
    if name not in TITLES:
        raise NotFound("list.unknown", name=name)
    if name in BUREAU_ONLY and not is_bureau:
        raise PermissionDenied("list.forbidden")


@router.get("/{name}")
def list_page(
    request: Request, name: str, user: CurrentUser, scope: ScopeDep, store: StoreDep, rules: RulesDep,
    today: Today,
) -> Response:  # fmt: skip
    _check(name, user.is_bureau)
    with store.reading() as session:
        rows = scoped_list(session, name, scope=scope, today=today)
    titles = {k: v for k, v in TITLES.items() if k not in BUREAU_ONLY or user.is_bureau}
    context = {
        "name": name, "title": TITLES[name], "titles": titles, "rows": rows, "today": today,
        "review_labels": {r.code: r.label for r in rules.review_reasons(today)},
        "offline_only": name in BUREAU_ONLY, "restricted": sum(1 for r in rows if r.restricted),
    }  # fmt: skip
    return templates.TemplateResponse(request, "lists.html", context)


@router.get("/{name}/export.xlsx")
def list_export(
    name: str, user: CurrentUser, scope: ScopeDep, store: StoreDep, rules: RulesDep, today: Today
) -> Response:
    """The list as the page shows it; the file name names the list, the scope and the day."""
    _check(name, user.is_bureau)
    if name in BUREAU_ONLY:
        raise PermissionDenied("list.offline_only")  # restricted patches never leave as a download
    with store.reading() as session:
        rows = [r.row for r in scoped_list(session, name, scope=scope, today=today) if not r.restricted]
    label = scope_label(scope)
    reasons = {r.code: r.label for r in rules.review_reasons(today)}
    with tempfile.TemporaryDirectory() as tmp:
        path = special_list_workbook(
            Path(tmp) / "list.xlsx", name, TITLES[name], rows, scope_label=label, today=today, reasons=reasons
        )
        body = path.read_bytes()
    filename = f"{TITLES[name]}_{label}_{today:%Y%m%d}.xlsx"
    return Response(body, media_type=XLSX, headers={"Content-Disposition": attachment(filename)})
