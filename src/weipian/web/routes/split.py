"""图斑拆分 on the patch page: upload a GeoJSON of the parts, withdraw a split.

Both act on a patch inside the account's scope (404 outside it, as the page); the service checks
the role, the township, the state and the geometry, and writes in one transaction.
"""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from weipian.domain import clock
from weipian.errors import InputError
from weipian.io.split_parts import MAX_BYTES
from weipian.services import split
from weipian.services.queries.scope import get_patch
from weipian.web.auth import check_csrf, flash
from weipian.web.deps import CheckCsrf, CurrentUser, ScopeDep, StoreDep

router = APIRouter()


def _now() -> dt.datetime:
    return clock.now()


def _too_large() -> InputError:
    return InputError("split.file_too_large", size_mb=f"> {MAX_BYTES // 2**20}", max_mb=MAX_BYTES // 2**20)


@router.post("/patches/{patch_id}/split")
async def split_upload(
    request: Request, patch_id: int, user: CurrentUser, scope: ScopeDep, store: StoreDep
) -> Response:
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > MAX_BYTES + 2**20:  # before reading the body
        raise _too_large()
    form = await request.form()
    try:
        token = form.get("csrf_token")
        check_csrf(request, token if isinstance(token, str) else None)
        upload = form.get("parts")
        if not isinstance(upload, UploadFile) or not (upload.filename or upload.size):
            raise InputError("split.no_file")
        data = await upload.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:
            raise _too_large()

        def work() -> split.SplitInfo:
            with store.writing() as session:
                get_patch(session, patch_id, scope)
                return split.split_patch(session, patch_id, data, actor=user.actor, at=_now())

        info = await run_in_threadpool(work)
    finally:
        await form.close()
    flash(request, "split.done", code=info.parent_code, count=len(info.parts))
    return RedirectResponse(f"/patches/{patch_id}#split", status_code=303)


@router.post("/patches/{patch_id}/split/undo", dependencies=[CheckCsrf])
def split_undo(
    request: Request, patch_id: int, user: CurrentUser, scope: ScopeDep, store: StoreDep
) -> Response:
    with store.writing() as session:
        get_patch(session, patch_id, scope)
        info = split.split_of(session, patch_id, user.actor)
        parent, removed = split.undo_split(session, patch_id, actor=user.actor, at=_now())
    parent_id = info.parent_id if info is not None else patch_id
    flash(request, "split.undone", code=parent, parts="、".join(removed))
    return RedirectResponse(f"/patches/{parent_id}", status_code=303)
