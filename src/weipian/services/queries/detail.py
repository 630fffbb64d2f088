"""Everything the patch page shows: the patch, its desk comparison, suggestion, determination
and event history."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from weipian.domain.landclass import land_classes
from weipian.domain.layers import DOCUMENT_LAYERS, LayerKind
from weipian.messages import message
from weipian.messages.labels import LAND_GROUP_LABELS
from weipian.services.access import Scope
from weipian.services.deadlines import effective_due, return_deadline
from weipian.services.queries.scope import get_patch, visible
from weipian.storage.facts import desk_facts, ranked_overlaps, suggestion_of
from weipian.storage.records import DeskFacts, DeterminationVersion, Event, Overlap, Patch, Suggestion
from weipian.storage.tables import (
    batches,
    patch_links,
    patches,
    townships,
)  # fmt: skip
from weipian.storage.users import display_names
from weipian.storage.workflow import current_determination, patch_events

APPROVAL_KINDS = DOCUMENT_LAYERS


@dataclass(frozen=True)
class PatchDetail:
    patch: Patch
    batch_name: str
    township_name: str | None
    due: dt.date
    days_left: int
    facts: DeskFacts | None
    land_classes: list[tuple[str, str | None, float]]  # DLBM, 三大类 label, m²
    approvals: list[Overlap]
    other_overlaps: list[Overlap]
    suggestion: Suggestion | None
    reasons: list[str]
    determination: DeterminationVersion | None
    events: list[Event]
    actor_names: dict[str, str]  # username → display name, for the history
    same_place_codes: str | None = None  # TYWZJCTBWQBH without patches outside the scope


def kind_label(kind: str) -> str:
    """A layer kind's Chinese name (kinds this version does not know stay as they are)."""
    try:
        return LayerKind(kind).label
    except ValueError:
        return kind


def patch_detail(session: Session, patch_id: int, *, scope: Scope, today: dt.date) -> PatchDetail:
    """The patch page's data; 404 outside ``scope``."""
    patch = get_patch(session, patch_id, scope)
    batch_name = session.scalar(select(batches.c.name).where(batches.c.id == patch.batch_id)) or ""
    town = session.scalar(select(townships.c.name).where(townships.c.code == patch.township_code))
    facts = desk_facts(session, patch.id)
    overlaps = ranked_overlaps(session, patch.id)
    approval_kinds = {k.value for k in APPROVAL_KINDS}
    lc = land_classes()
    classes = sorted(
        (
            (code, LAND_GROUP_LABELS.get(lc.group(code) or ""), float(m2))
            for code, m2 in (facts.land_classes or {}).items()
        )
        if facts is not None
        else [],
        key=lambda t: -t[2],
    )
    suggestion = suggestion_of(session, patch.id)
    reasons = [message(r["code"], **r.get("params", {})) for r in (suggestion.reasons if suggestion else [])]
    due = effective_due(patch, return_deadline(session, patch.id))
    history = patch_events(session, patch.id)
    return PatchDetail(
        patch=patch,
        batch_name=batch_name,
        township_name=town,
        due=due,
        days_left=(due - today).days,
        facts=facts,
        land_classes=classes,
        approvals=[o for o in overlaps if o.kind in approval_kinds],
        other_overlaps=[o for o in overlaps if o.kind not in approval_kinds],
        suggestion=suggestion,
        reasons=reasons,
        determination=current_determination(session, patch.id),
        events=history,
        actor_names=display_names(session, {e.actor for e in history}),
        same_place_codes=_same_place_in_scope(session, patch, scope),
    )


def _same_place_in_scope(session: Session, patch: Patch, scope: Scope) -> str | None:
    """TYWZJCTBWQBH less the codes of linked patches the viewer may not see (a military
    patch's JCBH must not show on a later patch at the same place)."""
    codes = [c for c in (patch.same_place_codes or "").split(",") if c]
    linked = select(patch_links.c.target_patch_id).where(
        patch_links.c.patch_id == patch.id, patch_links.c.target_patch_id.is_not(None)
    )
    every = set(session.scalars(select(patches.c.patch_code).where(patches.c.id.in_(linked))))
    seen = set(session.scalars(visible(select(patches.c.patch_code), scope).where(patches.c.id.in_(linked))))
    return ",".join(c for c in codes if c not in every - seen) or None
