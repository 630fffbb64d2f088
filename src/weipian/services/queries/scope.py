"""Narrow a query to the patches a :class:`~weipian.services.access.Scope` may see."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import Select, false, select
from sqlalchemy.orm import Session

from weipian.errors import NotFound
from weipian.services.access import Scope
from weipian.storage.records import Patch
from weipian.storage.tables import patches, referrals

S = TypeVar("S", bound=Select[Any])


def visible(query: S, scope: Scope) -> S:
    """``query`` (over ``patches``) limited to ``scope``.

    A department's scope never has ``restricted``, so a restricted patch stays hidden even when
    referred to it.
    """
    if scope.nothing:
        return query.where(false())
    if scope.townships is not None:  # a township account: its unit's townships
        query = query.where(patches.c.township_code.in_(sorted(scope.townships)))
    if scope.department is not None:  # 部门联络员: what was referred to its department
        referred = select(referrals.c.patch_id).where(referrals.c.department == scope.department)
        query = query.where(patches.c.id.in_(referred))
    if not scope.restricted:
        query = query.where(patches.c.restricted.is_(False))
    return query


def get_patch(session: Session, patch_id: int, scope: Scope) -> Patch:
    """The patch (as the workflow services take it), or 404 when absent or out of scope."""
    row = session.execute(visible(select(patches).where(patches.c.id == patch_id), scope)).first()
    if row is None:
        raise NotFound("patch.no_such_id", id=patch_id)
    return Patch.of(row)
