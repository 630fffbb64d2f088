"""The offline determination sheet: export a template, import it back with full validation.

An import is all or nothing: every row is checked (known patch, the importer's township, a state
that still takes a determination, a determination the rules accept) and if any row fails nothing
is written and every failing row is reported.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from weipian.domain.roles import Actor
from weipian.domain.sources import SOURCE_LABELS, Source
from weipian.domain.workflow import OPEN_STATES, State
from weipian.errors import InputError
from weipian.io.patch_rows import Rejection
from weipian.io.sheets import FILL, read_sheet, write_sheet
from weipian.io.values import yyyymmdd
from weipian.messages import join_messages, message, sentences
from weipian.rules import ApprovalClaim, Determination, RuleSet, validate_determination
from weipian.services import workflow
from weipian.services.export import fields_of
from weipian.storage.patches import filter_batch, patch_by_id, withheld_from_export
from weipian.storage.splits import is_parent, not_split_parent
from weipian.storage.store import Store
from weipian.storage.tables import patch_facts, patches, suggestions, townships
from weipian.storage.workflow import patches_with_code

_SOURCE_BY_LABEL = {v: k for k, v in SOURCE_LABELS.items()} | {s.value: s.value for s in Source}


def export_template(
    store: Store,
    path: Path,
    *,
    rules: RuleSet,
    on: dt.date,
    batch: str | None = None,
    township: str | None = None,
) -> int:
    """Write the fill-in sheet for the open patches (of a batch, of a township); returns the row count."""
    with store.reading() as session:
        query = (
            select(
                patches,
                townships.c.name.label("town"),
                suggestions.c.verdict.label("ypjg"),
                suggestions.c.reasons,
                suggestions.c.mineral_verdict,
            )
            .outerjoin(townships, townships.c.code == patches.c.township_code)
            .outerjoin(suggestions, suggestions.c.patch_id == patches.c.id)
            .outerjoin(patch_facts, patch_facts.c.patch_id == patches.c.id)
            .where(patches.c.state.in_([s.value for s in OPEN_STATES]), not_split_parent())
            # Military patches go up only through the classified channel, never in a file.
            .where(~withheld_from_export())
            .order_by(patches.c.township_code, patches.c.patch_code)
        )
        query = filter_batch(session, query, batch)
        if township:
            query = query.where(patches.c.township_code == township)
        rows = session.execute(query).all()
    data = [
        {
            **fields_of(r, ("JCBH", "LY", "NF", "XZQDM", "YPJG", "ZT")),  # as in every export
            # Where the sheet differs it must: township staff fill it in, so XZQMC names the township
            # they know (else the delivered name), and JCMJ is the area the import checks the filed
            # areas against (the patch's own, not the desk comparison's).
            "XZQMC": r.town or r.admin_name, "JCMJ": round(r.area_m2, 2),
            "YPLY": join_messages([message(x["code"], **x.get("params", {})) for x in (r.reasons or [])]) or None,
            # 一图两用: a mineral patch (SFSK 是 delivered, or a mineral suggestion) is marked, so the
            # township fills the mineral part too; the mark alone does not make the row filled.
            "SFSK": "是" if (r.is_mining or "").strip() == "是" or r.mineral_verdict else None,
        }
        for r in rows
    ]  # fmt: skip
    which = {"code": "document.all_batches"}
    code = "document.title.sheet_township" if township else "document.title.sheet"
    title = message(code, batch=batch or which, township=township)
    write_sheet(path, data, title, rules.labels("determination", on))
    return len(data)


def _text(v: Any) -> str | None:
    if v is None:
        return None
    s = str(v).strip()
    return s or None


class _BadValue(ValueError):
    """A fill-in cell the importer cannot read: the rejection's code and parameters."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code, self.params = code, params


def _number(r: dict[str, Any], column: str) -> float | None:
    v = r.get(column)
    if v in (None, ""):
        return None
    try:
        return float(v)
    except (TypeError, ValueError):
        raise _BadValue("row.sheet_number", column=dict(FILL)[column], value=v) from None


def _approvals(v: Any) -> tuple[ApprovalClaim, ...]:
    text = _text(v)
    if not text:
        return ()
    out = []
    for part in text.replace(";", "；").split("；"):
        if part.strip():
            try:
                route, doc, ratio = part.strip().replace("：", ":").rsplit(":", 2)
                claim = ApprovalClaim(
                    route=route.strip(), doc_no=doc.strip(), ratio_pct=float(ratio.rstrip("%"))
                )
            except ValueError:
                raise _BadValue("row.sheet_approvals", value=part.strip()) from None
            out.append(claim)
    return tuple(out)


def _build_date(v: Any) -> dt.date | None:
    build = yyyymmdd(v)
    if build is None:
        return None
    try:
        return dt.date(int(build[:4]), int(build[4:6]), int(build[6:]))
    except ValueError:
        raise _BadValue("row.sheet_date", value=v) from None


def _determination(r: dict[str, Any]) -> Determination:
    """The row's determination as filed; :class:`_BadValue` for a cell that cannot be read."""
    new = _text(r.get("XZ"))
    housing = _text(r.get("LZLB"))
    return Determination(
        verdict=_text(r.get("PDJG")) or "",
        subtype=_text(r.get("XHLX")),
        opinion=_text(r.get("RDYJ")),
        project_name=_text(r.get("XMMC")),
        project_owner=_text(r.get("XMZT")),
        build_date=_build_date(r.get("JSSJ")),
        field_description=_text(r.get("SDMS")),
        approvals=_approvals(r.get("PW")),
        violation_type=_text(r.get("WFLX")),
        illegal_area_m2=_number(r, "WFMJ"),
        farmland_area_m2=_number(r, "WFZYGDMJ"),
        basic_farmland_area_m2=_number(r, "WFZYJBNTMJ"),
        is_new=None if new is None else new == "新增",
        is_mining=_text(r.get("SFSK")) == "是",
        mineral_verdict=_text(r.get("KCPD")),
        mineral_handling=_text(r.get("KCCL")),
        farmland_housing=housing is not None,
        farmland_housing_class=housing,
    )


@dataclass(frozen=True)
class SheetImport:
    """What an import did: determinations saved, and rows left blank (not yet filled in)."""

    saved: int
    blank: int


def _filled(record: dict[str, Any]) -> bool:
    """Whether a person wrote anything in the row's fill-in columns (the rest, and the SFSK mark
    the template prints for mineral patches, is pre-printed)."""
    return any(_text(record.get(code)) is not None for code, _ in FILL if code != "SFSK")


def import_sheet(
    store: Store, path: Path, *, actor: Actor, rules: RuleSet, on: dt.date, submit: bool = False
) -> SheetImport:
    """Check every filled row, then save (and optionally submit) each; all filled rows or none.

    The sheet is filled batch by batch: rows whose fill-in columns are all empty are skipped and
    counted, not refused.
    """
    every = read_sheet(path)
    rows = [(n, r) for n, r in every if _filled(r)]
    rejected: list[Rejection] = []
    with store.writing() as session:
        plan = []
        seen: dict[int, int] = {}
        for n, r in rows:
            code = _text(r.get("JCBH"))
            found = patches_with_code(
                session, code or "", source=_SOURCE_BY_LABEL.get(_text(r.get("LY")) or ""),
                year=int(float(r["NF"])) if _text(r.get("NF")) else None, admin_code=_text(r.get("XZQDM")),
            )  # fmt: skip
            if len(found) != 1:
                rejected.append(Rejection(n, code, "row.unknown_patch"))
                continue
            patch = found[0]
            if patch.id in seen:
                rejected.append(Rejection(n, code, "row.duplicate_id", {"first_row": seen[patch.id]}))
                continue
            seen[patch.id] = n
            if not actor.reaches(patch.township_code):
                rejected.append(
                    Rejection(n, code, "row.other_township", {"township": actor.unit or actor.township})
                )
                continue
            if State(patch.state) not in OPEN_STATES:
                rejected.append(Rejection(n, code, "row.not_editable", {"state": patch.state}))
                continue
            if is_parent(session, patch.id):  # 图斑拆分: its parts are determined, not the patch
                rejected.append(Rejection(n, code, "row.split_parent"))
                continue
            try:
                det = _determination(r)
            except _BadValue as bad:
                rejected.append(Rejection(n, code, bad.code, bad.params))
                continue
            problems = validate_determination(det, patch_area_m2=patch.area_m2, rules=rules, on=on)
            missing = (
                workflow.mineral_missing(session, patch, workflow.determination_data(det)) if submit else None
            )
            if missing is not None:  # the reasons travel as codes; the edge words them
                why = {"code": "determination.mineral_required", "params": missing}
                rejected.append(Rejection(n, code, "row.invalid", {"problems": why}))
                continue
            if problems:
                rejected.append(Rejection(n, code, "row.invalid", {"problems": sentences(problems)}))
                continue
            plan.append((patch, det))
        if rejected:
            raise InputError("sheet.rejected", path=str(path), count=len(rejected), rejected=rejected)
        for patch, det in plan:
            workflow.save_determination(session, patch, det, actor=actor, rules=rules, on=on)
            if submit:
                fresh = patch_by_id(session, patch.id)  # its state moved
                assert fresh is not None
                workflow.submit(session, fresh, actor=actor)
    return SheetImport(saved=len(plan), blank=len(every) - len(rows))
