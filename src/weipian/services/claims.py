"""Claimed approvals (a township's 合法 filing) checked against the approval layers, for review.

The flags show as a badge in the review queue and as reasons on the patch page; they never refuse
a filing (see :mod:`weipian.rules.claims`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from weipian.messages import message
from weipian.rules import ApprovalClaim, ApprovalRecord, Reason, RuleSet, check_claims
from weipian.storage.tables import patch_overlaps
from weipian.storage.workflow import latest_determinations

# Overlap kinds that are approval records (the rest are zones, licences, earlier patches).
RECORD_KINDS = (
    "conversion_approval", "land_supply", "temporary_use", "facility_agri", "consolidation", "linkage",
    "preapproval",
)  # fmt: skip


def _claims(data: dict[str, Any]) -> list[ApprovalClaim]:
    out = []
    for a in data.get("approvals") or []:
        try:
            out.append(ApprovalClaim(str(a["route"]), str(a["doc_no"]), float(a["ratio_pct"])))
        except (KeyError, TypeError, ValueError):
            continue
    return out


def claim_problems(
    session: Session, patch_ids: list[int], *, rules: RuleSet, on: dt.date
) -> dict[int, tuple[Reason, ...]]:
    """Per patch (only those with something to flag): why its claimed approvals need a look."""
    if not patch_ids:
        return {}
    det = latest_determinations()
    data: dict[int, dict[str, Any]] = {}
    records: dict[int, list[ApprovalRecord]] = defaultdict(list)
    for start in range(0, len(patch_ids), 1000):
        part = patch_ids[start : start + 1000]
        for pid, d in session.execute(select(det.c.patch_id, det.c.data).where(det.c.patch_id.in_(part))):
            if d and d.get("approvals"):
                data[pid] = d
        for o in session.execute(
            select(
                patch_overlaps.c.patch_id,
                patch_overlaps.c.kind,
                patch_overlaps.c.doc_no,
                patch_overlaps.c.ratio,
            )
            .where(patch_overlaps.c.patch_id.in_([p for p in part if p in data]))
            .where(patch_overlaps.c.kind.in_(RECORD_KINDS))
        ):
            records[o.patch_id].append(ApprovalRecord(o.kind, o.doc_no, o.ratio))
    out = {}
    for pid, d in data.items():
        found = check_claims(_claims(d), records[pid], rules, on)
        if found:
            out[pid] = found
    return out


def claim_texts(session: Session, patch_id: int, *, rules: RuleSet, on: dt.date) -> list[str]:
    """The patch page's sentences for its claimed approvals (empty when they check out)."""
    return [
        message(r.code, **dict(r.params))
        for r in claim_problems(session, [patch_id], rules=rules, on=on).get(patch_id, ())
    ]
