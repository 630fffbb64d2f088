"""Engine tables: the rule data that is neither a label list nor a single threshold.

Each table is parsed from its YAML form into a frozen dataclass here, and says which
dictionary labels it uses (``refs``) so the loader can check them on every effective date.
A problem is raised as :class:`weipian.rules.schema.RuleProblem` with a stable ``problem`` code and the place
(``where``) in the file.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from weipian.domain.layers import LayerKind
from weipian.messages.rules import RULE_MESSAGES
from weipian.rules.model import APPROVAL_KINDS
from weipian.rules.schema import RuleProblem, as_mapping, as_share, as_text, as_texts, check_keys, one_of

__all__ = [
    "CHANGE_GROUPS",
    "FLAGS",
    "ChangeType",
    "Condition",
    "OtherRule",
    "ReviewReason",
    "Route",
    "Tables",
]

CHANGE_GROUPS = frozenset(
    {
        "building",
        "hardening",
        "earthwork",
        "road",
        "rural_road",
        "water_works",
        "water_construction",
        "mining",
        "construction_other",
        "agricultural",
        "water",
    }
)
"""Engine groups of TBLX codes; the TBLX → group table is data."""

FLAGS = frozenset(
    {
        "farmland_housing_candidate",
        "check_build_date",
        "restricted",
        "retro_approval",
        "crime_threshold",
        "discipline_threshold",
        "mineral_field_check",
        "facility_on_farmland",
        "temporary_expired",
        "temporary_permanent",
        "preapproval_only",
        "non_grain",
        "non_agri",
        "stable_farmland",
        "riverside",
        "strategic_mineral",
        "eco_redline",
        "protected_area",
    }
)
"""Every flag a suggestion may carry."""


Ref = tuple[str, str, str]  # dictionary, label, where


# --- tables ---------------------------------------------------------------------------------
LABEL_ROLES: Mapping[str, tuple[str, frozenset[str]]] = {
    "verdict": (
        "suggestion",
        frozenset({"legal", "illegal", "other", "rural_road", "facility", "false_change", "doubtful"}),
    ),
    "mineral": (
        "mineral_verdict",
        frozenset({"licensed", "unlicensed", "out_of_bounds", "non_mining", "false_change", "doubtful"}),
    ),
    "remark": ("remark", frozenset({"military"})),
    "violation_type": ("violation_type", frozenset({"default"})),
    "other_subtype": ("other_subtype", frozenset({"access", "sliver"})),
}


def parse_labels(raw: Any, where: str) -> Mapping[str, Mapping[str, str]]:
    m = as_mapping(raw, where)
    check_keys(m, where, set(LABEL_ROLES))
    out: dict[str, Mapping[str, str]] = {}
    for group, (_, roles) in LABEL_ROLES.items():
        g = as_mapping(m[group], f"{where}.{group}")
        check_keys(g, f"{where}.{group}", set(roles))
        out[group] = {role: as_text(g[role], f"{where}.{group}.{role}") for role in roles}
    return out


def label_refs(labels: Mapping[str, Mapping[str, str]], where: str) -> Iterator[Ref]:
    for group, (dictionary, _) in LABEL_ROLES.items():
        for role, label in labels[group].items():
            d = "suggestion" if (group, role) == ("mineral", "doubtful") else dictionary
            yield d, label, f"{where}.{group}.{role}"


@dataclass(frozen=True)
class ChangeType:
    """A TBLX code: its name, engine group, and the 非农违法 sub-type it suggests (if any)."""

    code: str
    name: str
    group: str
    illegal_subtype: str | None


def parse_change_types(raw: Any, where: str) -> Mapping[str, ChangeType]:
    out: dict[str, ChangeType] = {}
    for code, spec in as_mapping(raw, where).items():
        w = f"{where}.{code}"
        if not isinstance(code, str):
            raise RuleProblem("code_not_text", w, value=repr(code))
        s = as_mapping(spec, w)
        check_keys(s, w, {"name", "group"}, {"illegal_subtype"})
        group = one_of(as_text(s["group"], f"{w}.group"), CHANGE_GROUPS, "unknown_group", f"{w}.group")
        sub = s.get("illegal_subtype")
        out[code] = ChangeType(
            code, as_text(s["name"], f"{w}.name"), group, None if sub is None else as_text(sub, w)
        )
    return out


@dataclass(frozen=True)
class Route:
    """How an approval kind counts for 合法: its route label, and whether it suffices alone."""

    kind: str
    route: str
    sufficient: bool = True
    temporary: bool = False


def parse_routes(raw: Any, where: str) -> Mapping[str, Route]:
    out: dict[str, Route] = {}
    for kind, spec in as_mapping(raw, where).items():
        w = f"{where}.{kind}"
        one_of(str(kind), APPROVAL_KINDS, "unknown_kind", w)
        s = as_mapping(spec, w)
        check_keys(s, w, {"route"}, {"sufficient", "temporary"})
        flags = {k: s.get(k, d) for k, d in (("sufficient", True), ("temporary", False))}
        for k, v in flags.items():
            if not isinstance(v, bool):
                raise RuleProblem("value_type", f"{w}.{k}", value=repr(v), expected="true/false")
        out[str(kind)] = Route(str(kind), as_text(s["route"], f"{w}.route"), **flags)
    return out


@dataclass(frozen=True)
class Condition:
    """All given parts must hold. Shares are of the patch area."""

    change_groups: frozenset[str] | None = None
    change_types: frozenset[str] | None = None
    land_class_codes: frozenset[str] = frozenset()
    land_class_prefixes: tuple[str, ...] = ()
    land_class_min: float | None = None
    settlement_codes: frozenset[str] = frozenset()
    settlement_min: float | None = None
    on_farmland: bool | None = None
    on_basic_farmland: bool | None = None

    @property
    def needs_landuse(self) -> bool:
        return (
            self.land_class_min is not None or self.settlement_min is not None or self.on_farmland is not None
        )


def parse_condition(raw: Any, where: str) -> Condition:
    m = as_mapping(raw, where)
    keys = {"change_groups", "change_types", "land_class_share", "settlement_share"}
    check_keys(m, where, set(), keys | {"on_farmland", "on_basic_farmland"})
    parts: dict[str, Any] = {}
    if "change_groups" in m:
        groups = as_texts(m["change_groups"], f"{where}.change_groups")
        for g in groups:
            one_of(g, CHANGE_GROUPS, "unknown_group", f"{where}.change_groups")
        parts["change_groups"] = frozenset(groups)
    if "change_types" in m:
        parts["change_types"] = frozenset(as_texts(m["change_types"], f"{where}.change_types"))
    for key, prefix in (("land_class_share", "land_class"), ("settlement_share", "settlement")):
        if key in m:
            w = f"{where}.{key}"
            s = as_mapping(m[key], w)
            check_keys(s, w, {"min"}, {"codes", "prefixes"} if prefix == "land_class" else {"codes"})
            parts[f"{prefix}_codes"] = frozenset(as_texts(s.get("codes", []), f"{w}.codes"))
            if prefix == "land_class":
                parts["land_class_prefixes"] = as_texts(s.get("prefixes", []), f"{w}.prefixes")
            parts[f"{prefix}_min"] = as_share(s["min"], f"{w}.min")
    for key in ("on_farmland", "on_basic_farmland"):
        if key in m:
            if not isinstance(m[key], bool):
                raise RuleProblem("value_type", f"{where}.{key}", value=repr(m[key]), expected="true/false")
            parts[key] = m[key]
    return Condition(**parts)


OTHER_RULE_VERDICTS = frozenset({"other", "illegal"})


@dataclass(frozen=True)
class OtherRule:
    """A data-defined rule: when ``when`` holds, suggest ``verdict``/``subtype`` citing ``reason``.

    ``verdict`` is ``other`` (a 其他 sub-type, required) or ``illegal`` (a prohibited use such as
    挖塘 on 永久基本农田; the sub-type, if any, is a 非农违法 sub-type).
    """

    subtype: str | None
    reason: str
    flags: frozenset[str]
    when: Condition
    verdict: str = "other"


def parse_other_rules(raw: Any, where: str) -> tuple[OtherRule, ...]:
    if not isinstance(raw, list):
        raise RuleProblem("not_list", where)
    out = []
    for i, spec in enumerate(raw):
        w = f"{where}[{i}]"
        s = as_mapping(spec, w)
        check_keys(s, w, {"reason", "when"}, {"flags", "subtype", "verdict"})
        verdict = one_of(
            as_text(s.get("verdict", "other"), f"{w}.verdict"),
            OTHER_RULE_VERDICTS,
            "unknown_value",
            f"{w}.verdict",
        )
        if verdict == "other" and "subtype" not in s:
            raise RuleProblem("missing_key", f"{w}.subtype")
        reason = as_text(s["reason"], f"{w}.reason")
        if reason not in RULE_MESSAGES:
            raise RuleProblem("unknown_reason", f"{w}.reason", value=reason)
        flags = as_texts(s.get("flags", []), f"{w}.flags")
        for f in flags:
            one_of(f, FLAGS, "unknown_flag", f"{w}.flags")
        subtype = as_text(s["subtype"], f"{w}.subtype") if "subtype" in s else None
        out.append(
            OtherRule(subtype, reason, frozenset(flags), parse_condition(s["when"], f"{w}.when"), verdict)
        )
    return tuple(out)


INPUT_STAGES = frozenset({"facility", "fallback", "mineral", "farmland_housing"})


def parse_inputs(raw: Any, where: str) -> Mapping[str, frozenset[str]]:
    m = as_mapping(raw, where)
    check_keys(m, where, set(INPUT_STAGES))
    kinds = frozenset(k.value for k in LayerKind)
    out = {}
    for stage in INPUT_STAGES:
        values = as_texts(m[stage], f"{where}.{stage}")
        for v in values:
            one_of(v, kinds, "unknown_kind", f"{where}.{stage}")
        out[stage] = frozenset(values)
    return out


def _texts_table(fields: Mapping[str, str]) -> Callable[[Any, str], Mapping[str, Any]]:
    """Parser for a flat table whose fields are text ('text') or lists of text ('list')."""

    def parse(raw: Any, where: str) -> Mapping[str, Any]:
        m = as_mapping(raw, where)
        check_keys(m, where, set(fields))
        out: dict[str, Any] = {}
        for key, kind in fields.items():
            w = f"{where}.{key}"
            if kind == "text":
                out[key] = as_text(m[key], w)
            elif kind == "share":
                out[key] = as_share(m[key], w)
            else:
                out[key] = frozenset(as_texts(m[key], w))
                if kind == "groups":
                    for g in out[key]:
                        one_of(g, CHANGE_GROUPS, "unknown_group", w)
        return out

    return parse


REVIEW_CODE = re.compile(r"(pass|return)\.[a-z][a-z0-9_]*")


@dataclass(frozen=True)
class ReviewReason:
    """A reviewer's pass/return reason: stable ``code``, ``outcome`` pass|return, Chinese ``label``."""

    code: str
    outcome: str
    label: str


def parse_review_reasons(raw: Any, where: str) -> tuple[ReviewReason, ...]:
    if not isinstance(raw, list):
        raise RuleProblem("not_list", where)
    out: list[ReviewReason] = []
    for i, spec in enumerate(raw):
        w = f"{where}[{i}]"
        s = as_mapping(spec, w)
        check_keys(s, w, {"code", "label"})
        code = as_text(s["code"], f"{w}.code")
        if not REVIEW_CODE.fullmatch(code):
            raise RuleProblem("review_code", f"{w}.code", value=code)
        outcome = code.partition(".")[0]
        if any(r.code == code for r in out):
            raise RuleProblem("duplicate", f"{w}.code", value=code)
        out.append(ReviewReason(code, outcome, as_text(s["label"], f"{w}.label")))
    return tuple(out)


DETERMINATION_FIELDS = {
    "needs_approval": "list",
    "facility": "text",
    "facility_route": "text",
    "needs_violation": "list",
    "needs_opinion": "list",
    "needs_subtype": "list",
    "false_change": "list",
    "mineral_illegal_class": "text",
    "handling_needs_explanation": "list",
}


def parse_evidence_required(raw: Any, where: str) -> Mapping[str, int]:
    """Field photos a determination needs, per 判定结果 label, with a ``default`` for the rest."""
    m = as_mapping(raw, where)
    if "default" not in m:
        raise RuleProblem("missing_name", f"{where}.default", value="default")
    out: dict[str, int] = {}
    for key, count in m.items():
        w = f"{where}.{key}"
        if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= 50:
            raise RuleProblem("value_type", w, value=repr(count), expected="count 0–50")
        out[as_text(key, w)] = count
    return out


TABLE_PARSERS: Mapping[str, Callable[[Any, str], Any]] = {
    "labels": parse_labels,
    "change_types": parse_change_types,
    "legal_routes": parse_routes,
    "other_rules": parse_other_rules,
    "inputs": parse_inputs,
    "rural_road": _texts_table({"change_groups": "groups"}),
    "farmland_housing": _texts_table(
        {
            "change_groups": "groups",
            "urban_settlement_codes": "list",
            "urban_share_max": "share",
            "excluded_township_kinds": "list",
            "dev_boundary_share_max": "share",
            "approval_kinds": "list",
            "approval_share_max": "share",
        }
    ),
    "mining": _texts_table({"change_types": "list", "land_classes": "list", "illegal_class": "text"}),
    "facility": _texts_table({"change_types": "list"}),
    "crime": _texts_table({"needs_finding_groups": "groups"}),
    "temporary_use": _texts_table({"lasting_change_groups": "groups"}),
    "priority": _texts_table({"strategic_minerals": "list"}),
    "determination": _texts_table(DETERMINATION_FIELDS),
    "subtype_dictionaries": lambda raw, where: {
        as_text(k, where): as_texts(v, f"{where}.{k}") for k, v in as_mapping(raw, where).items()
    },
    "review_reasons": parse_review_reasons,
    "close_out_reasons": parse_review_reasons,
    "photos_required": parse_evidence_required,
}
"""Every engine table the loader requires, with its parser."""


@dataclass(frozen=True)
class Tables:
    """The engine tables in force on one date (see ``data/engine.yaml``)."""

    labels: Mapping[str, Mapping[str, str]]
    change_types: Mapping[str, ChangeType]
    legal_routes: Mapping[str, Route]
    other_rules: tuple[OtherRule, ...]
    inputs: Mapping[str, frozenset[str]]
    rural_road: Mapping[str, Any]
    farmland_housing: Mapping[str, Any]
    mining: Mapping[str, Any]
    facility: Mapping[str, Any]
    crime: Mapping[str, Any]
    temporary_use: Mapping[str, Any]  # change groups a 临时用地 never makes 合法
    priority: Mapping[str, Any]
    determination: Mapping[str, Any]
    subtype_dictionaries: Mapping[str, tuple[str, ...]]
    review_reasons: tuple[ReviewReason, ...]
    close_out_reasons: tuple[ReviewReason, ...]  # the 市局's answers to a 销号 request
    photos_required: Mapping[str, int]  # field photos before submitting, per 判定结果 (``default``)

    def photos_needed(self, verdict: str | None) -> int:
        """Field photos a determination with ``verdict`` needs before it is submitted."""
        return self.photos_required.get(verdict or "", self.photos_required["default"])

    def label(self, group: str, role: str) -> str:
        """The dictionary label the engine writes for ``role`` (e.g. ``verdict``/``legal`` → 合法)."""
        return self.labels[group][role]

    def refs(self) -> Iterator[Ref]:
        """Every dictionary label these tables use, with where it is used."""
        yield from label_refs(self.labels, "labels")
        for code, ct in self.change_types.items():
            if ct.illegal_subtype is not None:
                yield "illegal_subtype", ct.illegal_subtype, f"change_types.{code}.illegal_subtype"
        for kind, r in self.legal_routes.items():
            yield "legal_route", r.route, f"legal_routes.{kind}.route"
        for i, rule in enumerate(self.other_rules):
            if rule.subtype is not None:
                dictionary = "other_subtype" if rule.verdict == "other" else "illegal_subtype"
                yield dictionary, rule.subtype, f"other_rules[{i}].subtype"
        yield "mineral_class", self.mining["illegal_class"], "mining.illegal_class"
        det = self.determination
        for key in ("needs_approval", "needs_violation", "needs_opinion", "needs_subtype", "false_change"):
            for label in sorted(det[key]):
                yield "determination", label, f"determination.{key}"
        yield "determination", det["facility"], "determination.facility"
        yield "legal_route", det["facility_route"], "determination.facility_route"
        yield "mineral_class", det["mineral_illegal_class"], "determination.mineral_illegal_class"
        for label in sorted(det["handling_needs_explanation"]):
            yield "mineral_handling", label, "determination.handling_needs_explanation"
        for verdict in self.subtype_dictionaries:
            yield "determination", verdict, f"subtype_dictionaries.{verdict}"
        for verdict in self.photos_required:
            if verdict != "default":
                yield "determination", verdict, f"photos_required.{verdict}"

    def dictionary_refs(self) -> Iterator[tuple[str, str]]:
        """Dictionary names the tables point at (checked to exist)."""
        for verdict, names in self.subtype_dictionaries.items():
            for name in names:
                yield name, f"subtype_dictionaries.{verdict}"
