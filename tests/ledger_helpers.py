"""Ledger helpers shared by the ledger, reminder and browser tests: an illegal determination, a
reported patch, and the ledger steps with test defaults."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from factories import HONGLAI, HONGMEI
from weipian.domain.roles import Actor, Role
from weipian.rules import Determination, load_rules
from weipian.services import ledger, workflow
from weipian.storage.store import Store
from weipian.storage.workflow import find_patch

RULES = load_rules()
TODAY = dt.date(2022, 12, 1)
AT = dt.datetime(2022, 12, 1, 2, 0, tzinfo=dt.UTC)
ADMIN = Actor("admin", Role.bureau_admin)
REVIEWER = Actor("shenhe", Role.bureau_reviewer)
HL = Actor("hl01", Role.township, HONGLAI)
HM = Actor("hm01", Role.township, HONGMEI)
LEADER = Actor("lingdao", Role.leader)
MB = 2**20


def illegal(area: float = 500.0, farmland: float = 300.0, **kw: Any) -> Determination:
    base: dict[str, Any] = dict(
        verdict="违法", subtype=None, opinion="未批先建", project_name=None, project_owner="张某",
        build_date=dt.date(2022, 6, 1), field_description="新建砖混结构房屋", approvals=(),
        violation_type="违法占地", illegal_area_m2=area, farmland_area_m2=farmland, basic_farmland_area_m2=0.0,
        is_new=True, is_mining=False, mineral_verdict=None, mineral_handling=None, farmland_housing=False,
        farmland_housing_class=None,
    )  # fmt: skip
    base.update(kw)
    return Determination(**base)


def reported(store: Store, code: str, det: Determination) -> int:
    """Determine, submit, pass and report one patch; returns its id."""
    with store.writing() as s:
        workflow.save_determination(s, find_patch(s, code), det, actor=ADMIN, rules=RULES, on=TODAY)
        workflow.submit(s, find_patch(s, code), actor=ADMIN)
        workflow.review(
            s,
            find_patch(s, code),
            passed=True,
            reasons=["pass.field_photos"],
            actor=REVIEWER,
            rules=RULES,
            on=TODAY,
        )
        workflow.report(s, find_patch(s, code), actor=REVIEWER)
        return int(find_patch(s, code).id)


def _open(store: Store, patch_id: int, actor: Actor = HL, **kw: Any) -> ledger.LedgerRecord:
    args: dict[str, Any] = dict(
        responsible="张三", measures=["拆除复耕", "罚款"], deadline=dt.date(2023, 3, 1)
    )
    args.update(kw)
    with store.writing() as s:
        return ledger.open_record(s, patch_id, actor=actor, rules=RULES, on=TODAY, at=AT, **args)


def _progress(
    store: Store, files: Path, patch_id: int, actor: Actor = HL, photos: list[tuple[str, bytes]] | None = None,
    note: str | None = "已拆除一部分", **areas: float,
) -> ledger.LedgerRecord:  # fmt: skip
    return ledger.record_progress(
        store, files, patch_id, areas=ledger.AreaInput(**areas), note=note, photos=photos or [], actor=actor,
        on=TODAY, at=AT, max_bytes=5 * MB, max_distance_m=100,
    )  # fmt: skip


def _request(
    store: Store, files: Path, patch_id: int, evidence: list[tuple[str, bytes]], actor: Actor = HL
) -> Any:
    return ledger.request_close_out(
        store, files, patch_id, evidence=evidence, note="已全部拆除复耕", actor=actor, at=AT, max_bytes=5 * MB,
        max_distance_m=100,
    )  # fmt: skip


def _decide(store: Store, patch_id: int, approve: bool, reason: str | None, actor: Actor = REVIEWER) -> Any:
    with store.writing() as s:
        return ledger.decide_close_out(
            s, patch_id, approve=approve, reason=reason, note=None, actor=actor, rules=RULES, on=TODAY, at=AT
        )
