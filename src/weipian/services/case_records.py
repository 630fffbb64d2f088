"""Reading the case register (立案查处): cases with their persons, as the account may see them.

The records are storage's (``weipian.storage.cases``); re-exported here for the edges.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy.orm import Session

from weipian.domain.cases import CaseKind
from weipian.domain.roles import Actor
from weipian.errors import NotFound
from weipian.storage import cases as q
from weipian.storage.cases import CasePerson, CaseRecord
from weipian.storage.patches import patch_by_id
from weipian.storage.records import Patch
from weipian.storage.tables import cases, patches

__all__ = ["CasePerson", "CaseRecord", "find_case", "get_case", "list_cases", "visible_patch"]


def get_case(session: Session, patch_id: int) -> CaseRecord:
    row = q.case_for_patch(session, patch_id)
    if row is None:
        raise NotFound("case.no_case_id", id=patch_id)
    return row


def visible_patch(session: Session, patch_id: int, actor: Actor) -> Patch:
    """The patch, or NotFound when ``actor`` may not see it (restricted; another township)."""
    patch = patch_by_id(session, patch_id)
    if patch is None or (patch.restricted and not actor.role.is_bureau):
        raise NotFound("patch.no_such_id", id=patch_id)
    if not actor.reaches(patch.township_code):  # another unit's patch
        raise NotFound("patch.no_such_id", id=patch_id)
    return patch


def find_case(session: Session, patch_id: int, actor: Actor) -> CaseRecord | None:
    """The patch's case as ``actor`` may see it (township staff: own township only)."""
    patch = visible_patch(session, patch_id, actor)
    return q.case_for_patch(session, patch.id)


def list_cases(
    session: Session,
    *,
    townships: Collection[str] | None = None,
    kind: CaseKind | None = None,
    include_restricted: bool = True,
    open_only: bool = False,
    limit: int | None = 500,
) -> list[CaseRecord]:
    """Cases, newest filing first, with their persons (one query for all of them)."""
    query = q.case_query()
    if townships is not None:  # a unit's townships
        query = query.where(patches.c.township_code.in_(sorted(townships)))
    if kind is not None:
        query = query.where(cases.c.kind == kind.value)
    if not include_restricted:
        query = query.where(patches.c.restricted.is_not(True))
    if open_only:
        query = query.where(cases.c.closed_on.is_(None))
    query = query.order_by(cases.c.filed_on.desc(), cases.c.id.desc())
    if limit is not None:
        query = query.limit(limit)
    return q.cases_of(session, query)
