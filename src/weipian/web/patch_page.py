"""The patch page, rendered in one place for every route that shows it: the plain view, and
again with a determination's or an upload's errors. Its parts come from the queries (detail,
referrals) and the evidence service."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from weipian.analysis.evidence import compass_point
from weipian.domain.units import M2_PER_MU
from weipian.domain.workflow import OPEN_STATES, TRANSITIONS, Action, State
from weipian.messages import check_text, message
from weipian.messages.labels import COMPASS_LABELS, EVIDENCE_KIND_LABELS, PHOTO_CHECK_LABELS
from weipian.messages.rules import FIELD_LABELS
from weipian.services.access import Scope, scope_of
from weipian.services.claims import claim_texts
from weipian.services.evidence import Evidence, evidence_gaps, list_evidence
from weipian.services.queries.detail import PatchDetail, kind_label
from weipian.services.queries.referrals import referral_panel
from weipian.services.queries.scope import visible
from weipian.services.split import split_of
from weipian.services.users import Account
from weipian.services.workflow import correction_due
from weipian.storage.tables import patches
from weipian.web.forms import DeterminationForm, padded_approvals, prefill
from weipian.web.routes.cases import case_panel
from weipian.web.settings import WebSettings
from weipian.web.templating import templates

MAX_FILES = 12  # files in one upload
PHOTO_ACCEPT = "image/jpeg,image/png,image/heic,image/heif,.heic,.heif"
DOCUMENT_ACCEPT = "application/pdf,image/jpeg,image/png,.pdf"


def _may(user: Account, action: Action, patch: Any) -> bool:
    return user.actor.may(action, patch.township_code) and (State(patch.state), action) in TRANSITIONS


def _split(request: Request, user: Account, patch: Any) -> dict[str, Any]:
    """The split this patch belongs to (as parent or part) and what the account may do with it."""
    with request.app.state.store.reading() as session:
        info = split_of(session, patch.id, user.actor)
    parent = info is not None and info.parent_id == patch.id
    return {
        "split": info,
        "split_parent": parent,
        "split_part_ids": [x.patch_id for x in info.parts] if info else [],
        "can_split": info is None and _may(user, Action.split_create, patch),
        "can_undo_split": info is not None and info.undoable and _may(user, Action.split_undo, patch),
    }


# What the page offers on a split patch (被拆分): nothing, its parts carry the workflow.
SPLIT_PARENT_OFF = ("can_save", "can_submit", "can_review", "can_upper", "can_upload_evidence")


def _evidence(request: Request, user: Account, patch: Any) -> dict[str, Any]:
    """What the evidence section needs (the caller has checked the patch's scope)."""
    settings: WebSettings = request.app.state.settings
    is_open = State(patch.state) in OPEN_STATES
    with request.app.state.store.reading() as session:
        items = [within_scope(session, e, scope_of(user)) for e in list_evidence(session, patch.id)]
    return {
        "evidence": items,
        "evidence_photos": [e for e in items if e.is_photo],
        "evidence_documents": [e for e in items if not e.is_photo],
        # Upload, delete, replace, note: the patch's township or the 市局, and only until the
        # determination is submitted (补充举证 after that needs a return).
        "can_upload_evidence": user.actor.may(Action.field_check_record, patch.township_code) and is_open,
        "can_change_evidence": user.actor.may(Action.evidence_withdraw, patch.township_code) and is_open,
        "evidence_frozen": user.actor.may(Action.field_check_record, patch.township_code) and not is_open,
        "evidence_max_mb": settings.upload_max_mb,
        "evidence_max_distance_m": settings.photo_max_distance_m,
        "evidence_max_files": MAX_FILES,
        "evidence_kinds": EVIDENCE_KIND_LABELS,
        "check_labels": PHOTO_CHECK_LABELS,
        "photo_accept": PHOTO_ACCEPT,
        "document_accept": DOCUMENT_ACCEPT,
        "compass": lambda azimuth: COMPASS_LABELS[compass_point(azimuth)],
        "check_text": check_text,
    }


RETURN_ACTIONS = {Action.review_return.value: "市局", Action.report_return.value: "上级"}


@dataclass(frozen=True)
class ReturnNotice:
    """Why a returned patch came back: who returned it, when, the reasons, the 补正 deadline."""

    by: str
    level: str  # 市局 or 上级
    at: dt.datetime
    reasons: list[str]
    note: str | None
    due: dt.date | None
    days_left: int | None


def return_notice(d: PatchDetail, reason_labels: dict[str, str], today: dt.date) -> ReturnNotice | None:
    """The latest return of a patch that is in a returned state now; None otherwise."""
    if d.patch.state not in (State.county_returned.value, State.returned.value):
        return None
    last = next((e for e in reversed(d.events) if e.action in RETURN_ACTIONS), None)
    if last is None:
        return None
    payload = last.payload or {}
    due = dt.date.fromisoformat(payload["due_on"]) if payload.get("due_on") else None
    return ReturnNotice(
        by=d.actor_names.get(last.actor, last.actor), level=RETURN_ACTIONS[last.action], at=last.at,
        reasons=[reason_labels.get(r, r) for r in payload.get("reasons", [])], note=payload.get("note"),
        due=due, days_left=(due - today).days if due else None,
    )  # fmt: skip


def _claim_texts(request: Request, patch: Any, rules: Any, today: dt.date) -> list[str]:
    """Why the filed approval numbers need the reviewer's look (no layer record, low coverage)."""
    with request.app.state.store.reading() as session:
        return claim_texts(session, patch.id, rules=rules, on=today)


def within_scope(session: Session, item: Evidence, scope: Scope) -> Evidence:
    """The photo's reuse check naming only patches the viewer may see (the others are "other
    patches", unnamed): the check must not reveal a restricted or another township's JCBH."""
    narrowed = not scope.restricted or scope.townships is not None or scope.department is not None
    checks = []
    for c in item.checks:
        codes = [x for x in str((c.get("params") or {}).get("patches") or "").split("、") if x]
        if c.get("code") == "not_reused" and codes and narrowed:
            seen = set(
                session.scalars(
                    visible(select(patches.c.patch_code), scope).where(patches.c.patch_code.in_(codes))
                )
            )
            shown = [x for x in codes if x in seen]
            if len(shown) < len(codes):
                reason = "reused_unseen" if shown else "reused_elsewhere"
                c = {k: v for k, v in c.items() if k != "detail"}  # words stored by older versions name them
                c["params"] = {"reason": reason, "patches": "、".join(shown)}
        checks.append(c)
    return replace(item, checks=checks)


def photo_gaps(
    items: list[Evidence], rules: Any, today: dt.date, verdict: str | None
) -> list[dict[str, Any]]:
    """Missing and failed photos for a determination with ``verdict``: the count needed is rule
    data (``photos_required``, per 判定结果), the same for the warning and the submit check."""
    return evidence_gaps(items, rules.tables(today).photos_needed(verdict))


def _photo_warnings(items: list[Evidence], rules: Any, today: dt.date, verdict: str | None) -> dict[str, Any]:
    """The pre-submit warning: its lines, and what the page's script needs to redo the count
    line when the verdict changes (the counts per verdict, the sentence with placeholders)."""
    gaps = photo_gaps(items, rules, today, verdict)
    return {
        "photo_gap_list": gaps,
        "photo_warnings": [message(g["code"], **g["params"]) for g in gaps],
        "photos_required": dict(rules.tables(today).photos_required),
        "missing_photo_text": message("evidence.gap.missing", count="{count}", required="{required}"),
    }


def render_patch_page(
    request: Request, d: PatchDetail, user: Account, rules: Any, today: dt.date, form: DeterminationForm,
    status: int = 200, **extra: Any,
) -> Response:  # fmt: skip
    """The patch page; ``extra`` adds or overrides context (e.g. ``evidence_errors``)."""
    p = d.patch
    table = rules.tables(today)
    needs = table.determination
    # 细类 choices per 判定结果, from the rule data in force today (a verdict absent has none).
    subtype_options = {
        verdict: [label for name in names for label in rules.labels(name, today)]
        for verdict, names in table.subtype_dictionaries.items()
    }
    review_labels = {r.code: r.label for r in rules.review_reasons(today)}
    reasons = rules.review_reasons(today)
    context = {
        "d": d, "p": p,
        "can_review": _may(user, Action.review_pass, p) or _may(user, Action.review_return, p),
        "pass_reasons": [r for r in reasons if r.outcome == "pass"],
        "return_reasons": [r for r in reasons if r.outcome == "return"],
        "review_form": {"outcome": "pass", "reasons": set(), "note": "", "error": None},
        "review_correction_days": (correction_due(rules, today) - today).days,
        "returned": return_notice(d, review_labels, today), "form": form, "approval_rows": padded_approvals(form), "kind_label": kind_label,
        "can_save": _may(user, Action.determination_save, p),
        "can_submit": _may(user, Action.determination_submit, p) and d.determination is not None,
        "labels": {name: rules.labels(name, today) for name in (
            "determination", "violation_type", "legal_route", "mineral_verdict", "mineral_handling",
            "farmland_housing_class", "new_or_stock", "other_subtype", "illegal_subtype",
        )},
        "review_labels": review_labels,
        "subtype_options": subtype_options,
        # Labels that are bare codes (其他: JY, SM) with the words the rule data gives them.
        "subtype_display": {
            label: text for names in table.subtype_dictionaries.values() for name in names
            for label, text in rules.display(name).items()
        },
        "sections": {
            "violation": sorted(needs["needs_violation"]),
            "approvals": sorted(needs["needs_approval"]),
            "subtype": sorted(subtype_options),
            "opinion_required": sorted(needs["needs_opinion"]),
            "subtype_required": sorted(needs["needs_subtype"]),
        },
        "field_labels": FIELD_LABELS,
        "m2_per_mu": M2_PER_MU,
        "prefill": prefill(
            d.suggestion, d.facts, p.area_m2, verdicts=rules.labels("determination", today),
            area_verdicts=needs["needs_violation"],
        ),
        "review_reasons": rules.review_reasons(today),
        "can_upper": _may(user, Action.report_accept, p),
        "referrals": referral_panel(request.app.state.store, p, user=user, today=today),
        "case": case_panel(request.app.state.store, p, user, rules, today),
        "claim_texts": _claim_texts(request, p, rules, today),
        **(ev := _evidence(request, user, p)),
        **_photo_warnings(ev["evidence"], rules, today, form.values.get("verdict") or None),
        **(sp := _split(request, user, p)),
        **extra,
    }  # fmt: skip
    if sp["split_parent"]:
        context.update(dict.fromkeys(SPLIT_PARENT_OFF, False))
    return templates.TemplateResponse(request, "patches/detail.html", context, status_code=status)
