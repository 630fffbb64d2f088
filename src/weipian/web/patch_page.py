"""The patch page, rendered in one place for every route that shows it: the plain view, and
again with a determination's or an upload's errors. Its parts come from the queries (detail,
referrals) and the evidence service."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from weipian.analysis.evidence import CHECK_LABELS, compass
from weipian.domain.workflow import TRANSITIONS, Action, State
from weipian.services.evidence import KIND_LABELS, list_evidence
from weipian.services.users import Account
from weipian.web.forms import DeterminationForm, padded_approvals
from weipian.web.queries.detail import PatchDetail, kind_label
from weipian.web.queries.referrals import referral_panel
from weipian.web.settings import WebSettings
from weipian.web.templating import templates

MAX_FILES = 12  # files in one upload
PHOTO_ACCEPT = "image/jpeg,image/png,image/heic,image/heif,.heic,.heif"
DOCUMENT_ACCEPT = "application/pdf,image/jpeg,image/png,.pdf"


def _may(user: Account, action: Action, patch: Any) -> bool:
    return user.actor.may(action, patch.township_code) and (State(patch.state), action) in TRANSITIONS


def _evidence(request: Request, user: Account, patch: Any) -> dict[str, Any]:
    """What the evidence section needs (the caller has checked the patch's scope)."""
    settings: WebSettings = request.app.state.settings
    with request.app.state.store.reading() as session:
        items = list_evidence(session, patch.id)
    return {
        "evidence": items,
        "evidence_photos": [e for e in items if e.is_photo],
        "evidence_documents": [e for e in items if not e.is_photo],
        "can_upload_evidence": user.actor.may(Action.field_check_record, patch.township_code),
        "evidence_max_mb": settings.upload_max_mb,
        "evidence_max_distance_m": settings.photo_max_distance_m,
        "evidence_max_files": MAX_FILES,
        "evidence_kinds": KIND_LABELS,
        "check_labels": CHECK_LABELS,
        "photo_accept": PHOTO_ACCEPT,
        "document_accept": DOCUMENT_ACCEPT,
        "compass": compass,
    }


def render_patch_page(
    request: Request, d: PatchDetail, user: Account, rules: Any, today: dt.date, form: DeterminationForm,
    status: int = 200, **extra: Any,
) -> Response:  # fmt: skip
    """The patch page; ``extra`` adds or overrides context (e.g. ``evidence_errors``)."""
    p = d.patch
    context = {
        "d": d, "p": p, "form": form, "approval_rows": padded_approvals(form), "kind_label": kind_label,
        "can_save": _may(user, Action.determination_save, p),
        "can_submit": _may(user, Action.determination_submit, p) and d.determination is not None,
        "labels": {name: rules.labels(name, today) for name in (
            "determination", "violation_type", "legal_route", "mineral_verdict", "mineral_handling",
            "farmland_housing_class", "new_or_stock", "other_subtype", "illegal_subtype",
        )},
        "review_labels": {r.code: r.label for r in rules.review_reasons(today)},
        "review_reasons": rules.review_reasons(today),
        "can_upper": _may(user, Action.report_accept, p),
        "referrals": referral_panel(request.app.state.store, p, user, today),
        **_evidence(request, user, p),
        **extra,
    }  # fmt: skip
    return templates.TemplateResponse(request, "patches/detail.html", context, status_code=status)
