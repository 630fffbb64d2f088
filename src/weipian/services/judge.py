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

from sqlalchemy import delete, select

from weipian.domain.fields import field_date
from weipian.rules import ApprovalFact, Judgement, PatchFacts, PriorFact, RuleSet, judge
from weipian.services.common import Progress, no_progress
from weipian.storage.bulk import bulk_insert
from weipian.storage.layers import feature_attrs
from weipian.storage.patches import filter_batch
from weipian.storage.store import Store
from weipian.storage.tables import analysis_runs, patch_facts, patch_overlaps, patches, suggestions

CHUNK = 2000


@dataclass
class JudgeSummary:
    """What ``weipian judge --json`` prints."""

    judged: int = 0
    not_analysed: int = 0
    rules_version: str = ""
    verdicts: dict[str, int] = field(default_factory=dict)
    flags: dict[str, int] = field(default_factory=dict)


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
    )


def judge_patches(
    store: Store, rules: RuleSet, *, on: dt.date, batch: str | None = None, progress: Progress = no_progress
) -> JudgeSummary:
    """Judge every analysed patch (of one batch, or all) and store the suggestions."""
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
                patch_facts.c.mining_status,
                patch_facts.c.mining_valid,
                patch_facts.c.military_m2,
                patch_facts.c.protected_m2,
                analysis_runs.c.missing_kinds,
            )
            .select_from(patches)
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
        for start in range(0, len(ids), 1000):
            for o in session.execute(
                select(patch_overlaps).where(patch_overlaps.c.patch_id.in_(ids[start : start + 1000]))
            ):
                by_patch[o.patch_id].append(o)
        prior_ids = sorted(
            {o.feature_id for os_ in by_patch.values() for o in os_ if o.kind == "prior_patches"}
        )
        prior_attrs = feature_attrs(session, prior_ids)
    progress("规则预判", 0, len(analysed))
    for start in range(0, len(analysed), CHUNK):
        part = analysed[start : start + CHUNK]
        results = [
            judge(_facts(r, by_patch[r.id], frozenset(r.missing_kinds or []), prior_attrs), rules, on=on)
            for r in part
        ]
        _store(store, [r.id for r in part], results, on)
        for j in results:
            summary.verdicts[j.verdict] = summary.verdicts.get(j.verdict, 0) + 1
            for flag in j.flags:
                summary.flags[flag] = summary.flags.get(flag, 0) + 1
        summary.judged += len(part)
        progress("规则预判", summary.judged, len(analysed))
    return summary


def _store(store: Store, ids: list[int], results: list[Judgement], on: dt.date) -> None:
    now = dt.datetime.now(dt.UTC)
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
                "trace": [list(j.trace) for j in results],
                "rules_version": [j.rules_version for j in results],
                "judged_on": [on] * len(ids),
                "judged_at": [now] * len(ids),
            },
        )
