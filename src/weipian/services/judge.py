"""``weipian judge``: the rule-based suggestion (预判, YPJG) for every analysed patch.

Facts come from the desk comparison (patch_facts, patch_overlaps) and the patch itself; the pure
engine in ``weipian.rules`` turns them into a suggestion with reasons and a trace. It never
decides: a person's determination is a separate record.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, select, update

from weipian.domain import clock
from weipian.domain.fields import field_date
from weipian.rules import ApprovalFact, Judgement, PatchFacts, PriorFact, RuleSet, judge
from weipian.services.common import Progress, no_progress
from weipian.storage.bulk import bulk_insert
from weipian.storage.facts import overlaps_of, suggestion_of
from weipian.storage.layers import feature_attrs
from weipian.storage.patches import filter_batch
from weipian.storage.store import Store
from weipian.storage.tables import (
    analysis_runs,
    batches,
    patch_facts,
    patches,
    suggestions,
    townships,
)

CHUNK = 2000


@dataclass
class JudgeSummary:
    """What ``weipian judge --json`` prints."""

    judged: int = 0
    not_analysed: int = 0
    rules_version: str = ""
    verdicts: dict[str, int] = field(default_factory=dict)
    flags: dict[str, int] = field(default_factory=dict)
    rules_dates: set[str] = field(default_factory=set)  # the days whose rules were used


def _int(v: Any) -> int | None:
    try:
        return int(v)
    except (TypeError, ValueError):
        return None


def _facts(
    row: Any, overlaps: list[Any], missing: frozenset[str], prior_attrs: dict[int, dict[str, Any]]
) -> PatchFacts:
    approvals = tuple(
        ApprovalFact(
            kind=o.kind, doc_no=o.doc_no, doc_date=field_date(o.doc_date), valid_from=field_date(o.valid_from),
            valid_to=field_date(o.valid_to), ratio=o.ratio,
        )
        for o in overlaps
        if o.kind not in ("mining_right", "prior_patches", "protected_area", "military")
    )  # fmt: skip
    prior = tuple(
        PriorFact(
            code=o.doc_no or "",
            year=_int(prior_attrs.get(o.feature_id, {}).get("NF")),
            determination=prior_attrs.get(o.feature_id, {}).get("PDJG"),
        )
        for o in overlaps
        if o.kind == "prior_patches"
    )
    return PatchFacts(
        patch_code=row.patch_code,
        area_m2=row.fact_area,
        change_type=row.change_type,
        before_date=field_date(row.before_date),
        after_date=field_date(row.after_date),
        farmland_m2=row.farmland_m2,
        basic_farmland_m2=row.basic_farmland_m2,
        eco_redline_m2=row.eco_redline_m2,
        agri_m2=row.agri_m2,
        construction_m2=row.construction_m2,
        unused_m2=row.unused_m2,
        land_classes=row.land_classes or {},
        approvals=approvals,
        mining_status=row.mining_status,
        mining_valid=row.mining_valid,
        military_m2=row.military_m2,
        protected_m2=row.protected_m2,
        prior=prior,
        missing_kinds=missing,
        settlement_m2=row.settlement_m2 or {},
        mining_outside_m2=row.mining_outside_m2,
        farmland_outside_basic_m2=row.farmland_outside_basic_m2,
        dev_inside_m2=row.dev_inside_m2,
        township_kind=row.township_kind,
        stable_farmland_m2=row.stable_farmland_m2,
        riverside_m2=row.riverside_m2,
        mining_mineral=row.mining_mineral,
    )


def rules_date(issued_on: dt.date) -> dt.date:
    """The day whose rules judge a batch: the day it was issued (下发), so re-judging gives the
    same answers tomorrow as today, and a 2022 batch is judged by the 2022 rules.

    >>> rules_date(dt.date(2024, 5, 20))
    datetime.date(2024, 5, 20)
    """
    return issued_on


def judge_patches(
    store: Store,
    rules: RuleSet,
    *,
    on: dt.date | None = None,
    batch: str | None = None,
    progress: Progress = no_progress,
) -> JudgeSummary:
    """Judge every analysed patch (of one batch, or all) and store the suggestions.

    ``on`` None: each patch with the rules in force on its batch's issue date (:func:`rules_date`);
    a date overrides that for every patch.
    """
    summary = JudgeSummary(rules_version=rules.version)
    with store.reading() as session:
        query = (
            select(
                patches.c.id,
                patches.c.patch_code,
                patches.c.change_type,
                patches.c.before_date,
                patches.c.after_date,
                patch_facts.c.area_m2.label("fact_area"),
                patch_facts.c.farmland_m2,
                patch_facts.c.basic_farmland_m2,
                patch_facts.c.eco_redline_m2,
                patch_facts.c.agri_m2,
                patch_facts.c.construction_m2,
                patch_facts.c.unused_m2,
                patch_facts.c.land_classes,
                patch_facts.c.settlement_m2,
                patch_facts.c.farmland_outside_basic_m2,
                patch_facts.c.mining_outside_m2,
                patch_facts.c.dev_inside_m2,
                patch_facts.c.stable_farmland_m2,
                patch_facts.c.riverside_m2,
                patch_facts.c.mining_mineral,
                patch_facts.c.mining_status,
                patch_facts.c.mining_valid,
                patch_facts.c.military_m2,
                patch_facts.c.protected_m2,
                analysis_runs.c.missing_kinds,
                townships.c.kind.label("township_kind"),
                batches.c.issued_on,
            )
            .select_from(patches)
            .join(batches, batches.c.id == patches.c.batch_id)
            .outerjoin(townships, townships.c.code == patches.c.township_code)
            .outerjoin(patch_facts, patch_facts.c.patch_id == patches.c.id)
            .outerjoin(analysis_runs, analysis_runs.c.id == patch_facts.c.run_id)
            .order_by(patches.c.id)
        )
        query = filter_batch(session, query, batch)
        rows = session.execute(query).all()
        analysed = [r for r in rows if r.fact_area is not None]
        summary.not_analysed = len(rows) - len(analysed)
        by_patch: dict[int, list[Any]] = defaultdict(list)
        ids = [r.id for r in analysed]
        for o in overlaps_of(session, ids):
            by_patch[o.patch_id].append(o)
        prior_ids = sorted(
            {o.feature_id for os_ in by_patch.values() for o in os_ if o.kind == "prior_patches"}
        )
        prior_attrs = feature_attrs(session, prior_ids)
    progress("规则预判", 0, len(analysed))
    for start in range(0, len(analysed), CHUNK):
        part = analysed[start : start + CHUNK]
        days = [on or rules_date(r.issued_on) for r in part]
        results = [
            judge(_facts(r, by_patch[r.id], frozenset(r.missing_kinds or []), prior_attrs), rules, on=day)
            for r, day in zip(part, days, strict=True)
        ]
        _store(store, [r.id for r in part], results, days)
        summary.rules_dates.update(d.isoformat() for d in days)
        for j in results:
            summary.verdicts[j.verdict] = summary.verdicts.get(j.verdict, 0) + 1
            for flag in j.flags:
                summary.flags[flag] = summary.flags.get(flag, 0) + 1
        summary.judged += len(part)
        progress("规则预判", summary.judged, len(analysed))
    return summary


def _store(store: Store, ids: list[int], results: list[Judgement], days: list[dt.date]) -> None:
    now = clock.now()
    with store.writing() as session:
        session.execute(delete(suggestions).where(suggestions.c.patch_id.in_(ids)))
        bulk_insert(
            session,
            suggestions,
            {
                "patch_id": ids,
                "verdict": [j.verdict for j in results],
                "subtype": [j.subtype for j in results],
                "mineral_verdict": [j.mineral_verdict for j in results],
                "flags": [sorted(j.flags) for j in results],
                "reasons": [[{"code": r.code, "params": dict(r.params)} for r in j.reasons] for j in results],
                "remark": [j.remark for j in results],
                "is_new": [j.is_new for j in results],
                "trace": [[{"code": s.code, "params": dict(s.params)} for s in j.trace] for j in results],
                "rules_version": [j.rules_version for j in results],
                "judged_on": days,
                "judged_at": [now] * len(ids),
            },
        )
        # 重点关注 on the patch, in the same transaction, so the lists sort by it in SQL.
        for value in (True, False):
            marked = [pid for pid, j in zip(ids, results, strict=True) if j.priority is value]
            if marked:
                session.execute(update(patches).where(patches.c.id.in_(marked)).values(priority=value))


def stored_suggestion(session: Any, patch_id: int) -> dict[str, Any] | None:
    """The patch's stored suggestion (预判): verdict, reasons and trace as codes with parameters,
    flags, the rule set's version and date; None before ``weipian judge`` ran for it."""
    row = suggestion_of(session, patch_id)
    if row is None:
        return None
    return {
        "verdict": row.verdict, "subtype": row.subtype, "mineral_verdict": row.mineral_verdict,
        "remark": row.remark, "is_new": row.is_new, "flags": list(row.flags or []),
        "reasons": list(row.reasons or []), "trace": list(row.trace or []),
        "rules_version": row.rules_version, "judged_on": row.judged_on,
    }  # fmt: skip
