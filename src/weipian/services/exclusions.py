"""Ratio exclusions (排除情形): a 市局 account marks a patch as, e.g., 省以上重点工程, which takes it
out of both sides of the illegal-farmland ratio. Kept as events in the append-only log (who,
when, category, reason); the latest set/clear event of a patch decides."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from weipian.domain import clock
from weipian.domain.roles import Actor
from weipian.domain.workflow import Action
from weipian.errors import InputError, PermissionDenied
from weipian.rules import RuleSet
from weipian.storage.records import Patch
from weipian.storage.stats_records import exclusions
from weipian.storage.workflow import append_event


def _event(session: Session, patch: Patch, action: Action, actor: Actor, payload: dict[str, Any]) -> None:
    if not actor.role.is_bureau:
        raise PermissionDenied("exclusion.forbidden")
    append_event(
        session, patch_id=patch.id, action=action.value, actor=actor.name, role=actor.role.value,
        state_before=patch.state, state_after=patch.state, payload=payload, at=clock.now(),
    )  # fmt: skip


def set_exclusion(
    session: Session, patch: Patch, *, category: str, note: str, actor: Actor, rules: RuleSet, on: dt.date
) -> str:
    """Mark ``patch`` with an exclusion category from the rule dictionary; returns the canonical label."""
    canonical = rules.normalise("ratio_exclusion", category, on)
    if canonical is None:
        raise InputError(
            "exclusion.category_unknown",
            category=category,
            known="、".join(rules.labels("ratio_exclusion", on)),
        )
    _event(session, patch, Action.ratio_exclusion_set, actor, {"category": canonical, "note": note.strip()})
    return canonical


def clear_exclusion(session: Session, patch: Patch, *, reason: str, actor: Actor) -> None:
    """Take the exclusion off ``patch`` again, with a reason."""
    if not reason.strip():
        raise InputError("exclusion.reason_needed")
    if patch.id not in exclusions(session):
        raise InputError("exclusion.not_set", code=patch.patch_code)
    _event(session, patch, Action.ratio_exclusion_clear, actor, {"reason": reason.strip()})
