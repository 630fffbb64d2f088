"""The determination form: parse the posted fields into a ``Determination``, and explain the
rules' objections field by field, in Chinese."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import FormData

from weipian.domain.units import M2_PER_MU
from weipian.messages import message
from weipian.messages import message as say
from weipian.rules import ApprovalClaim, Determination, RuleSet, validate_determination

APPROVAL_ROWS = 3
# Which input a rules objection belongs to, when its parameters do not say.
FIELD_OF_CODE = {
    "determination.illegal_needs_type": "violation_type",
    "determination.illegal_needs_area": "illegal_area_m2",
    "determination.new_flag_needed": "is_new",
    "determination.opinion_needed": "opinion",
    "determination.subtype_needed": "subtype",
    "determination.legal_needs_approval": "approvals",
    "determination.facility_needs_registry": "approvals",
    "determination.approval_incomplete": "approvals",
    "determination.ratio_out_of_range": "approvals",
    "determination.build_date_future": "build_date",
    "determination.farmland_exceeds_illegal": "farmland_area_m2",
    "determination.basic_exceeds_illegal": "basic_farmland_area_m2",
    "determination.mineral_needed": "mineral_verdict",
    "determination.mineral_handling_needed": "mineral_handling",
    "determination.handling_needs_explanation": "opinion",
    "determination.housing_class_needed": "farmland_housing_class",
    "determination.housing_needs_farmland": "farmland_area_m2",
}
TEXT_FIELDS = (
    "verdict", "subtype", "opinion", "project_name", "project_owner", "field_description",
    "violation_type", "mineral_verdict", "mineral_handling", "farmland_housing_class", "is_new",
)  # fmt: skip
AREA_FIELDS = ("illegal_area_m2", "farmland_area_m2", "basic_farmland_area_m2")
AREA_UNITS = {"m2": 1.0, "mu": M2_PER_MU}  # the form's unit switch: ㎡ or 亩; stored in ㎡
# Full-width digits and marks a Chinese input method may produce, read as ASCII.
_NUMBER_CHARS = str.maketrans("０１２３４５６７８９．，－", "0123456789.,-")


@dataclass
class DeterminationForm:
    """What was typed (to show it again) and what is wrong with it, by field."""

    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)
    based_on: int | None = None  # the version the form was opened on (0: none yet)
    conflict: str | None = None  # someone else saved meanwhile: the sentence to show

    def add(self, name: str, text: str) -> None:
        self.errors.setdefault(name, []).append(text)

    @property
    def all_errors(self) -> list[str]:
        return [e for texts in self.errors.values() for e in texts]


def _text(v: Any) -> str | None:
    s = str(v).strip() if v is not None else ""
    return s or None


def _number(raw: str) -> float:
    """A typed number: full-width digits and thousands separators allowed (1,234.5 / １２．５)."""
    value = float(raw.translate(_NUMBER_CHARS).replace(",", "").replace(" ", ""))
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(raw)
    return value


def _version(raw: Any) -> int | None:
    try:
        return int(str(raw)) if raw not in (None, "") else None
    except ValueError:
        return None


def parse(form: FormData) -> tuple[Determination | None, DeterminationForm]:
    """The posted form as a Determination, or None with the input errors."""
    f = DeterminationForm(based_on=_version(form.get("based_on")))
    for name in TEXT_FIELDS:
        f.values[name] = _text(form.get(name))
    f.values["is_mining"] = form.get("is_mining") == "1"
    f.values["build_date"] = _text(form.get("build_date"))
    unit = str(form.get("area_unit") or "m2")
    f.values["area_unit"] = unit if unit in AREA_UNITS else "m2"
    numbers: dict[str, float | None] = {}
    for name in AREA_FIELDS:
        raw = _text(form.get(name))
        f.values[name] = raw
        numbers[name] = None
        if raw is None:
            continue
        try:
            value = _number(raw) * AREA_UNITS[f.values["area_unit"]]
        except ValueError:
            f.add(name, say("form.number"))
            continue
        if value < 0:
            f.add(name, say("form.not_negative"))
        numbers[name] = value
    build_date = None
    if f.values["build_date"]:
        try:
            build_date = dt.date.fromisoformat(f.values["build_date"])
        except ValueError:
            f.add("build_date", say("form.date"))
    routes, docs, ratios = (form.getlist(n) for n in ("approval_route", "approval_doc", "approval_ratio"))
    rows: list[dict[str, str | None]] = []
    claims: list[ApprovalClaim] = []
    for i in range(max(len(routes), len(docs), len(ratios))):
        route, doc, ratio = (_text(x[i]) if i < len(x) else None for x in (routes, docs, ratios))
        rows.append({"route": route, "doc_no": doc, "ratio": ratio})
        if not (route or doc or ratio):
            continue
        try:
            pct = _number(ratio) if ratio is not None else 0.0
        except ValueError:
            f.add("approvals", f"第 {len(claims) + 1} 项批准手续的占比：{say('form.number')}")
            continue
        claims.append(ApprovalClaim(route=route or "", doc_no=doc or "", ratio_pct=pct))
    f.values["approvals"] = rows
    if f.errors:
        return None, f
    housing = f.values["farmland_housing_class"]
    det = Determination(
        verdict=f.values["verdict"] or "",
        subtype=f.values["subtype"],
        opinion=f.values["opinion"],
        project_name=f.values["project_name"],
        project_owner=f.values["project_owner"],
        build_date=build_date,
        field_description=f.values["field_description"],
        approvals=tuple(claims),
        violation_type=f.values["violation_type"],
        illegal_area_m2=numbers["illegal_area_m2"],
        farmland_area_m2=numbers["farmland_area_m2"],
        basic_farmland_area_m2=numbers["basic_farmland_area_m2"],
        is_new=None if f.values["is_new"] is None else f.values["is_new"] == "新增",
        is_mining=f.values["is_mining"],
        mineral_verdict=f.values["mineral_verdict"],
        mineral_handling=f.values["mineral_handling"],
        farmland_housing=housing is not None,
        farmland_housing_class=housing,
    )
    return det, f


def explain(
    f: DeterminationForm, det: Determination, *, patch_area_m2: float, rules: RuleSet, on: dt.date
) -> None:
    """Add the rules' objections to ``f``, each under the input it concerns."""
    for reason in validate_determination(det, patch_area_m2=patch_area_m2, rules=rules, on=on):
        params = dict(reason.params)
        name = str(params.get("field") or FIELD_OF_CODE.get(reason.code) or "verdict")
        if name in ("route", "doc_no"):
            name = "approvals"
        f.add(name, message(reason.code, **params))


def _plain(v: Any) -> Any:
    """A stored area as typed: 500.0 → 500, 12.345 → 12.345 (no float noise)."""
    if isinstance(v, float):
        return f"{v:.4f}".rstrip("0").rstrip(".")
    return v


def from_saved(data: dict[str, Any] | None, version: int = 0) -> DeterminationForm:
    """The form filled with a saved determination (the current version, ``version``), or empty."""
    f = DeterminationForm(based_on=version)
    data = data or {}
    for name in TEXT_FIELDS:
        f.values[name] = data.get(name)
    for name in AREA_FIELDS:
        f.values[name] = _plain(data.get(name))
    f.values["area_unit"] = "m2"
    f.values["build_date"] = data.get("build_date")
    f.values["is_mining"] = bool(data.get("is_mining"))
    is_new = data.get("is_new")
    f.values["is_new"] = None if is_new is None else ("新增" if is_new else "存量")
    f.values["approvals"] = [
        {"route": a.get("route"), "doc_no": a.get("doc_no"), "ratio": _plain(a.get("ratio_pct"))}
        for a in data.get("approvals", [])
    ]
    return f


def padded_approvals(f: DeterminationForm) -> list[dict[str, Any]]:
    """The approval rows to draw: the filled ones, then blanks up to APPROVAL_ROWS."""
    rows = [r for r in f.values.get("approvals", []) if any(r.values())]
    return rows + [{"route": None, "doc_no": None, "ratio": None}] * max(0, APPROVAL_ROWS - len(rows))


def prefill(
    suggestion: Any, facts: Any, patch_area_m2: float, *, verdicts: list[str], area_verdicts: frozenset[str]
) -> dict[str, Any]:
    """What 「采用预判结果」 fills in: the suggestion's verdict, sub-type and new/stock, and for a
    违法 suggestion the areas from the desk comparison (in ㎡). Empty without a suggestion, or
    when the suggestion is not a verdict a person may file (存疑: a person must decide)."""
    if suggestion is None or suggestion.verdict not in verdicts:
        return {}
    out: dict[str, Any] = {"verdict": suggestion.verdict, "subtype": suggestion.subtype or ""}
    if suggestion.is_new is not None:
        out["is_new"] = "新增" if suggestion.is_new else "存量"
    if facts is not None and facts.is_mining == "是":
        out["is_mining"] = True
        if suggestion.mineral_verdict:
            out["mineral_verdict"] = suggestion.mineral_verdict
    if suggestion.verdict in area_verdicts:  # the verdicts whose form asks for 违法面积
        area = facts.area_m2 if facts is not None and facts.area_m2 is not None else patch_area_m2
        out["illegal_area_m2"] = _plain(round(float(area), 2))
        if facts is not None:
            out["farmland_area_m2"] = _plain(round(float(facts.farmland_m2 or 0.0), 2))
            out["basic_farmland_area_m2"] = _plain(round(float(facts.basic_farmland_m2 or 0.0), 2))
    return out
