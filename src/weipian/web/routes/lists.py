"""The special lists: 乱占耕地建房, 涉军 (市局 only), 逾期, 退回."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from weipian.errors import NotFound, PermissionDenied
from weipian.services.queries.lists import BUREAU_ONLY, TITLES, scoped_list
from weipian.web.deps import CurrentUser, RulesDep, ScopeDep, StoreDep, Today
from weipian.web.templating import templates

router = APIRouter(prefix="/lists")


@router.get("")
def lists_index(user: CurrentUser) -> Response:
    return RedirectResponse("/lists/housing", status_code=303)


@router.get("/{name}")
def list_page(
    request: Request, name: str, user: CurrentUser, scope: ScopeDep, store: StoreDep, rules: RulesDep,
    today: Today,
) -> Response:  # fmt: skip
    if name not in TITLES:
        raise NotFound("list.unknown", name=name)
    if name in BUREAU_ONLY and not user.is_bureau:
        raise PermissionDenied("list.forbidden")
    with store.reading() as session:
        rows = scoped_list(session, name, scope, today)
    titles = {k: v for k, v in TITLES.items() if k not in BUREAU_ONLY or user.is_bureau}
    context = {
        "name": name, "title": TITLES[name], "titles": titles, "rows": rows, "today": today,
        "review_labels": {r.code: r.label for r in rules.review_reasons(today)},
    }  # fmt: skip
    return templates.TemplateResponse(request, "lists.html", context)
