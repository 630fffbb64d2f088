"""Judgement cases written by legal staff: facts in, expected suggestion out (YAML).

A case file is a list of cases. Each case has a ``name``, the judging date ``on``, the
``facts`` and what to ``expect``; ``rules`` may name a rule file or directory (relative to
the case file) to judge with instead of the packaged rules, and ``region: north`` applies the
northern regional thresholds. See docs/rules.md.

In ``facts`` omitted areas are 0 (the layer was loaded and nothing was found), except for
layers listed in ``missing_kinds``, whose facts are unknown; write ``null`` for unknown.
Any ``…_m2`` field may be written in 亩 as ``…_mu``.

In ``expect``: ``verdict``, ``subtype``, ``mineral_verdict``, ``remark``, ``is_new`` and
``violation_type`` must be equal; ``flags`` must be exactly the set given; ``reasons`` must
all be present (others may be too); ``not_reasons`` must all be absent.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from weipian.domain.units import M2_PER_MU
from weipian.errors import InputError
from weipian.rules.engine import judge
from weipian.rules.model import FIELD_KINDS, ApprovalFact, Judgement, PatchFacts, PriorFact
from weipian.rules.ruleset import RuleSet

__all__ = ["Case", "check_case", "facts_from_mapping", "load_cases"]

EXPECT_KEYS = {
    "verdict",
    "subtype",
    "mineral_verdict",
    "remark",
    "is_new",
    "violation_type",
    "flags",
    "reasons",
    "not_reasons",
}
CASE_KEYS = {"name", "on", "facts", "expect", "rules", "note", "region"}


class _CaseLoader(yaml.SafeLoader):
    """YAML 1.2 booleans: only true/false, so the key ``on`` stays the text "on"."""


_CaseLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_CaseLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


@dataclass(frozen=True)
class Case:
    """One expert-written case."""

    name: str
    on: date
    facts: PatchFacts
    expect: Mapping[str, Any]
    path: Path
    rules_path: Path | None
    region: str = "south"  # which regional thresholds (the setting WEIPIAN_RURAL_ROAD_REGION)


def _bad(path: Path | str, where: str, detail: str) -> InputError:
    return InputError("rules.case_invalid", path=str(path), where=where, detail=detail)


def _date(raw: Any, where: str) -> date | None:
    if raw is None or isinstance(raw, date):
        return raw
    text = str(raw)
    try:
        return date.fromisoformat(f"{text[:4]}-{text[4:6]}-{text[6:]}" if len(text) == 8 else text)
    except ValueError:
        raise _bad("", where, f"bad date {raw!r}") from None


def facts_from_mapping(raw: Mapping[str, Any], where: str = "facts") -> PatchFacts:
    """Build :class:`PatchFacts` from a case's ``facts`` mapping.

    >>> f = facts_from_mapping({"patch_code": "A", "area_mu": 3, "change_type": "20",
    ...                         "after_date": "20240501", "missing_kinds": ["landuse"]})
    >>> round(f.area_m2), f.after_date, f.farmland_m2, f.basic_farmland_m2
    (2000, datetime.date(2024, 5, 1), None, 0.0)
    """
    names = {f.name for f in fields(PatchFacts)}
    values: dict[str, Any] = {}
    for key, value in raw.items():
        name = key[:-3] + "_m2" if key.endswith("_mu") else key
        if name not in names:
            raise _bad("", f"{where}.{key}", "unknown fact")
        if key.endswith("_mu") and value is not None:
            value = float(value) * M2_PER_MU
        values[name] = value
    missing = frozenset(values.pop("missing_kinds", None) or ())
    for name, kind in FIELD_KINDS.items():
        if kind in missing and name not in values:
            values[name] = {} if name in ("land_classes", "settlement_m2") else None
    for name in ("before_date", "after_date"):
        values[name] = _date(values.get(name), f"{where}.{name}")
    values["approvals"] = tuple(
        ApprovalFact(
            kind=str(a["kind"]),
            doc_no=None if a.get("doc_no") is None else str(a["doc_no"]),
            doc_date=_date(a.get("doc_date"), f"{where}.approvals[{i}].doc_date"),
            valid_from=_date(a.get("valid_from"), f"{where}.approvals[{i}].valid_from"),
            valid_to=_date(a.get("valid_to"), f"{where}.approvals[{i}].valid_to"),
            ratio=float(a.get("ratio", 1.0)),
        )
        for i, a in enumerate(values.get("approvals") or ())
    )
    values["prior"] = tuple(
        PriorFact(str(p["code"]), p.get("year"), p.get("determination")) for p in values.get("prior") or ()
    )
    for name in ("land_classes", "settlement_m2"):
        if name in values:
            values[name] = {str(k): float(v) for k, v in (values[name] or {}).items()}
    for name in (
        "area_m2",
        "farmland_m2",
        "basic_farmland_m2",
        "eco_redline_m2",
        "military_m2",
        "protected_m2",
        "mining_outside_m2",
        "farmland_outside_basic_m2",
        "dev_inside_m2",
        "stable_farmland_m2",
        "riverside_m2",
    ):
        if values.get(name) is not None:
            values[name] = float(values[name])
    code = str(values.pop("patch_code", "CASE"))
    area = float(values.pop("area_m2", 0.0))
    change = values.pop("change_type", None)
    return PatchFacts.simple(
        code, area, None if change is None else str(change), missing_kinds=missing, **values
    )


def load_cases(path: Path) -> list[Case]:
    """Read one case file.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "c.yaml"
    >>> _ = p.write_text("- {name: a, on: 2024-06-01, facts: {area_m2: 10, change_type: '20'}, expect: {verdict: 违法}}")
    >>> [c.name for c in load_cases(p)]
    ['a']
    """
    try:
        doc = yaml.load(path.read_text("utf-8"), Loader=_CaseLoader)  # a SafeLoader subclass
    except yaml.YAMLError:
        raise _bad(path, "-", "YAML") from None
    if not isinstance(doc, list):
        raise _bad(path, "-", "a case file is a list of cases")
    cases = []
    for i, raw in enumerate(doc):
        where = f"[{i}]"
        if not isinstance(raw, Mapping) or not {"name", "on", "facts", "expect"} <= set(raw):
            raise _bad(path, where, "each case needs name, on, facts and expect")
        unknown = (set(raw) - CASE_KEYS) | (set(raw["expect"]) - EXPECT_KEYS)
        if unknown:
            raise _bad(path, where, f"unknown keys {sorted(unknown)}")
        try:
            facts = facts_from_mapping(raw["facts"], f"{where}.facts")
        except (InputError, KeyError, TypeError, ValueError) as exc:
            raise _bad(path, where, str(exc)) from None
        on = _date(raw["on"], f"{where}.on")
        assert on is not None
        rules_path = path.parent / raw["rules"] if raw.get("rules") else None
        region = str(raw.get("region", "south"))
        if region not in ("south", "north"):
            raise _bad(path, where, f"region must be south or north, not {region!r}")
        cases.append(Case(str(raw["name"]), on, facts, raw["expect"], path, rules_path, region))
    return cases


def check_case(case: Case, rules: RuleSet) -> tuple[Judgement, list[str]]:
    """Judge the case and list every way the result differs from ``expect`` (empty: it passes)."""
    j = judge(case.facts, rules.for_region(case.region), on=case.on)
    problems: list[str] = []
    for key in ("verdict", "subtype", "mineral_verdict", "remark", "is_new", "violation_type"):
        if key in case.expect and case.expect[key] != getattr(j, key):
            problems.append(f"{key}: expected {case.expect[key]!r}, got {getattr(j, key)!r}")
    if "flags" in case.expect and set(case.expect["flags"] or ()) != set(j.flags):
        problems.append(f"flags: expected {sorted(case.expect['flags'] or ())}, got {sorted(j.flags)}")
    codes = set(j.reason_codes)
    for code in case.expect.get("reasons") or ():
        if code not in codes:
            problems.append(f"reason {code} missing; got {list(j.reason_codes)}")
    for code in case.expect.get("not_reasons") or ():
        if code in codes:
            problems.append(f"reason {code} present but must not be")
    return j, problems
