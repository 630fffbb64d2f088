"""Reading a patch's desk comparison (内业比对) and rule-based suggestion (预判)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from weipian.storage.records import DeskFacts, Overlap, Suggestion
from weipian.storage.tables import patch_facts, patch_overlaps, suggestions


def desk_facts(session: Session, patch_id: int) -> DeskFacts | None:
    """The figures of the patch's latest desk comparison; None before ``weipian analyze``."""
    row = session.execute(select(patch_facts).where(patch_facts.c.patch_id == patch_id)).first()
    return None if row is None else DeskFacts.of(row)


def overlaps_of(session: Session, patch_ids: Sequence[int]) -> list[Overlap]:
    """What the patches overlap, as the analysis stored them (bounded IN lists)."""
    found: list[Overlap] = []
    for start in range(0, len(patch_ids), 1000):
        query = select(patch_overlaps).where(patch_overlaps.c.patch_id.in_(patch_ids[start : start + 1000]))
        found.extend(Overlap.of(r) for r in session.execute(query))
    return found


def ranked_overlaps(session: Session, patch_id: int) -> list[Overlap]:
    """What one patch overlaps, by kind and largest share first (the patch page's order)."""
    query = (
        select(patch_overlaps)
        .where(patch_overlaps.c.patch_id == patch_id)
        .order_by(patch_overlaps.c.kind, patch_overlaps.c.ratio.desc())
    )
    return [Overlap.of(r) for r in session.execute(query)]


def suggestion_of(session: Session, patch_id: int) -> Suggestion | None:
    """The patch's stored suggestion; None before ``weipian judge`` ran for it."""
    row = session.execute(select(suggestions).where(suggestions.c.patch_id == patch_id)).first()
    return None if row is None else Suggestion.of(row)
