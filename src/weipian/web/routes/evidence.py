"""Field evidence on the patch page: upload photos and documents, download them, photo previews.

Every file is reached through its patch: outside the account's scope it answers 404, exactly
like a patch that does not exist. Files are served from ``<files dir>/evidence``, never from
the static folder.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile

from weipian.config import files_dir
from weipian.domain.workflow import Action
from weipian.errors import InputError, NotFound, PermissionDenied
from weipian.io.exif import preview_jpeg
from weipian.messages import message as say
from weipian.services.access import Scope
from weipian.services.evidence import (
    KINDS,
    add_evidence,
    evidence_path,
    get_evidence,
    replace_evidence,
    set_evidence_note,
    withdraw_evidence,
)
from weipian.services.queries.detail import patch_detail
from weipian.services.queries.scope import get_patch
from weipian.services.users import Account
from weipian.storage.evidence import preview_path, write_file
from weipian.storage.records import Patch
from weipian.storage.store import Store
from weipian.web.auth import check_csrf, flash
from weipian.web.deps import CheckCsrf, CurrentUser, RulesDep, ScopeDep, SettingsDep, StoreDep, Today
from weipian.web.errors import render_error
from weipian.web.forms import from_saved
from weipian.web.patch_page import MAX_FILES, render_patch_page
from weipian.web.settings import WebSettings

router = APIRouter()


def _too_large(request: Request, code: str, **params: Any) -> Response:
    return render_error(request, 413, code, say(code, **params))


def _page_with_errors(
    request: Request, patch_id: int, user: Account, scope: Any, store: Any, rules: Any, today: dt.date,
    errors: list[str], saved: int,
) -> Response:  # fmt: skip
    with store.reading() as session:
        d = patch_detail(session, patch_id, scope=scope, today=today)
    form = from_saved(d.determination.data if d.determination else None)
    return render_patch_page(
        request, d, user, rules, today, form, 422, evidence_errors=errors, evidence_saved=saved
    )


@router.post("/patches/{patch_id}/evidence")
async def upload_evidence(
    request: Request, patch_id: int, user: CurrentUser, scope: ScopeDep, store: StoreDep,
    settings: SettingsDep, rules: RulesDep, today: Today,
) -> Response:  # fmt: skip
    max_bytes = settings.upload_max_mb * 2**20
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > max_bytes * MAX_FILES + 2**20:  # before reading the body
        return _too_large(
            request, "evidence.request_too_large", limit_mb=settings.upload_max_mb, files=MAX_FILES
        )
    form = await request.form()
    try:
        return await _upload(request, form, patch_id, user, scope, store, settings, rules, today)
    finally:
        await form.close()  # the uploads' temporary files


async def _upload(
    request: Request, form: FormData, patch_id: int, user: Account, scope: Scope, store: Store,
    settings: WebSettings, rules: Any, today: dt.date,
) -> Response:  # fmt: skip
    max_bytes = settings.upload_max_mb * 2**20
    token = request.headers.get("X-CSRF-Token") or form.get("csrf_token")
    check_csrf(request, token if isinstance(token, str) else None)

    def _patch() -> Patch:
        with store.reading() as session:
            return get_patch(session, patch_id, scope)

    patch = await run_in_threadpool(_patch)  # 404 outside the scope
    if not user.actor.may(Action.field_check_record, patch.township_code):
        raise PermissionDenied(
            "permission.denied", action=Action.field_check_record.value, code=patch.patch_code
        )
    kind = str(form.get("kind") or "photo")
    uploads = [f for f in form.getlist("files") if isinstance(f, UploadFile) and (f.filename or f.size)]
    problems: list[str] = []
    if kind not in KINDS:
        problems.append(say("evidence.kind", kind=kind))
    elif not uploads:
        problems.append(say("evidence.no_files"))
    elif len(uploads) > MAX_FILES:
        problems.append(say("evidence.too_many", limit=MAX_FILES, count=len(uploads)))
    if problems:
        return await run_in_threadpool(
            _page_with_errors, request, patch_id, user, scope, store, rules, today, problems, 0
        )
    for f in uploads:  # nothing is stored when one file is over the limit
        if f.size is not None and f.size > max_bytes:
            size_mb = f"{f.size / 2**20:.1f}"
            return _too_large(
                request,
                "evidence.too_large",
                name=f.filename or "",
                size_mb=size_mb,
                limit_mb=settings.upload_max_mb,
            )
    note = str(form.get("note") or "").strip() or None
    # A note per file (the page lists each chosen file with its own), else the common one.
    notes = [str(n).strip() for n in form.getlist("file_note")]
    saved = 0
    for i, f in enumerate(uploads):
        own = notes[i] if len(notes) == len(uploads) and notes[i] else None
        data = await f.read(max_bytes + 1)
        try:
            await run_in_threadpool(
                add_evidence, store, files_dir(settings), patch_id, filename=f.filename or "", data=data,
                kind=kind, actor=user.actor, max_bytes=max_bytes, max_distance_m=settings.photo_max_distance_m,
                note=own or note,
            )  # fmt: skip
            saved += 1
        except InputError as exc:
            problems.append(say(exc.code, **exc.params))
    if problems:
        return await run_in_threadpool(
            _page_with_errors, request, patch_id, user, scope, store, rules, today, problems, saved
        )
    flash(request, "evidence.uploaded", count=saved)
    return RedirectResponse(f"/patches/{patch_id}#evidence", status_code=303)


def _file(store: Any, scope: Any, attachment_id: int) -> tuple[Any, str]:
    with store.reading() as session:
        item, stored = get_evidence(session, attachment_id)
        get_patch(session, item.patch_id, scope)  # 404 outside the scope, as for the patch
    return item, stored


@router.get("/evidence/{attachment_id}")
def download_evidence(
    attachment_id: int, user: CurrentUser, scope: ScopeDep, store: StoreDep, settings: SettingsDep
) -> Response:
    item, stored = _file(store, scope, attachment_id)
    path = evidence_path(files_dir(settings), stored)
    if not path.is_file():
        raise NotFound("evidence.file_missing", name=item.original_name)
    return FileResponse(
        path, media_type=item.content_type, filename=item.original_name,
        headers={"Cache-Control": "private, no-store"},
    )  # fmt: skip


@router.get("/evidence/{attachment_id}/preview.jpg")
def preview_evidence(
    attachment_id: int, user: CurrentUser, scope: ScopeDep, store: StoreDep, settings: SettingsDep
) -> Response:
    item, stored = _file(store, scope, attachment_id)
    if not item.content_type.startswith("image/"):
        raise NotFound("evidence.no_preview")
    root = files_dir(settings)
    cached = preview_path(root, stored)
    if not cached.is_file():  # made at upload; only files stored before that need one here
        source = evidence_path(root, stored)
        if not source.is_file():
            raise NotFound("evidence.file_missing", name=item.original_name)
        write_file(cached.parent, cached.name, preview_jpeg(source.read_bytes()))
    return FileResponse(cached, media_type="image/jpeg", headers={"Cache-Control": "private, no-store"})


# --- before submission: delete, replace, note (the service refuses once submitted) -------------
def _back(patch_id: int, anchor: str = "evidence") -> Response:
    return RedirectResponse(f"/patches/{patch_id}#{anchor}", status_code=303)


def _change_refused(
    request: Request, patch_id: int, user: Account, scope: Any, store: Any, rules: Any, today: dt.date,
    exc: InputError,
) -> Response:  # fmt: skip
    return _page_with_errors(
        request, patch_id, user, scope, store, rules, today, [say(exc.code, **exc.params)], 0
    )


@router.post("/evidence/{attachment_id}/delete", dependencies=[CheckCsrf])
def delete_evidence(
    request: Request, attachment_id: int, user: CurrentUser, scope: ScopeDep, store: StoreDep,
    settings: SettingsDep, rules: RulesDep, today: Today,
) -> Response:  # fmt: skip
    item, _ = _file(store, scope, attachment_id)  # 404 outside the scope
    try:
        gone = withdraw_evidence(store, files_dir(settings), attachment_id, actor=user.actor)
    except InputError as exc:
        return _change_refused(request, item.patch_id, user, scope, store, rules, today, exc)
    flash(request, "evidence.withdrawn", name=gone.original_name)
    return _back(item.patch_id)


@router.post("/evidence/{attachment_id}/note", dependencies=[CheckCsrf])
async def note_evidence(
    request: Request, attachment_id: int, user: CurrentUser, scope: ScopeDep, store: StoreDep,
    rules: RulesDep, today: Today,
) -> Response:  # fmt: skip
    note = str((await request.form()).get("note") or "")
    item, _ = await run_in_threadpool(_file, store, scope, attachment_id)
    try:
        saved = await run_in_threadpool(set_evidence_note, store, attachment_id, note=note, actor=user.actor)
    except InputError as exc:
        return await run_in_threadpool(
            _change_refused, request, item.patch_id, user, scope, store, rules, today, exc
        )
    flash(request, "evidence.note_saved", name=saved.original_name)
    return _back(item.patch_id, f"evidence-{saved.id}")


@router.post("/evidence/{attachment_id}/replace")
async def replace_evidence_file(
    request: Request, attachment_id: int, user: CurrentUser, scope: ScopeDep, store: StoreDep,
    settings: SettingsDep, rules: RulesDep, today: Today,
) -> Response:  # fmt: skip
    max_bytes = settings.upload_max_mb * 2**20
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > max_bytes + 2**20:  # one file, before reading the body
        return _too_large(request, "evidence.request_too_large", limit_mb=settings.upload_max_mb, files=1)
    form = await request.form()
    try:
        token = request.headers.get("X-CSRF-Token") or form.get("csrf_token")
        check_csrf(request, token if isinstance(token, str) else None)
        item, _ = await run_in_threadpool(_file, store, scope, attachment_id)
        files = [f for f in form.getlist("files") if isinstance(f, UploadFile) and (f.filename or f.size)]
        problems: list[str] = []
        if not files:
            problems.append(say("evidence.no_files"))
        elif len(files) > 1:
            problems.append(say("evidence.replace_one"))
        elif files[0].size is not None and files[0].size > max_bytes:
            size_mb = f"{files[0].size / 2**20:.1f}"
            name = files[0].filename or ""
            problems.append(
                say("evidence.too_large", name=name, size_mb=size_mb, limit_mb=settings.upload_max_mb)
            )
        if not problems:
            data = await files[0].read(max_bytes + 1)
            note = str(form.get("note") or "").strip() or None
            try:
                new = await run_in_threadpool(
                    replace_evidence, store, files_dir(settings), attachment_id,
                    filename=files[0].filename or "", data=data, actor=user.actor, max_bytes=max_bytes,
                    max_distance_m=settings.photo_max_distance_m, note=note,
                )  # fmt: skip
            except InputError as exc:
                problems.append(say(exc.code, **exc.params))
        if problems:
            return await run_in_threadpool(
                _page_with_errors, request, item.patch_id, user, scope, store, rules, today, problems, 0
            )
        flash(request, "evidence.replaced", old=item.original_name, name=new.original_name)
        return _back(item.patch_id, f"evidence-{new.id}")
    finally:
        await form.close()


def _show_patch(attachment_id: int, user: CurrentUser, scope: ScopeDep, store: StoreDep) -> Response:
    """These addresses opened directly (reload, bookmark) show the patch page at the file."""
    item, _ = _file(store, scope, attachment_id)
    return _back(item.patch_id, f"evidence-{attachment_id}")


for _part in ("delete", "note", "replace"):
    router.add_api_route(
        f"/evidence/{{attachment_id}}/{_part}", _show_patch, methods=["GET"], include_in_schema=False
    )
