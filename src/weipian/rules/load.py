"""Read rule files (YAML) into a checked :class:`RuleSet`.

A rule source is the packaged directory ``weipian/rules/data``, a bureau's directory of
``*.yaml`` files, or one file. Each file may hold ``version``, ``extends``, ``title``,
``note`` and the sections ``dictionaries``, ``thresholds`` and ``tables``; within a source
every entry is defined once. ``extends: default`` starts from the packaged rules and adds
the file's dated values on top (same date: the file wins). Any problem raises
``InputError("rules.invalid", path=…, where=…, problem=…, detail=…)`` and nothing is used.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from weipian.errors import InputError
from weipian.messages.rules import RULE_MESSAGES
from weipian.rules.ruleset import Dated, DictionaryEntry, RuleSet, ThresholdEntry, label_key
from weipian.rules.schema import (
    DICTIONARIES,
    ORDERED_PAIRS,
    THRESHOLDS,
    UNITS,
    RuleProblem,
    as_mapping,
    as_text,
    check_keys,
    parse_threshold_value,
)
from weipian.rules.tables import TABLE_PARSERS, Tables

__all__ = ["load_rules"]

TOP_KEYS = {"version", "extends", "title", "note", "dictionaries", "thresholds", "tables"}
PACKAGED = "packaged"


def load_rules(path: Path | None = None) -> RuleSet:
    """Load and check a rule set; ``None`` loads the packaged default.

    >>> rules = load_rules()
    >>> rules.version.startswith("default-")
    True
    >>> try:
    ...     load_rules(Path("/nonexistent/rules.yaml"))
    ... except InputError as e:
    ...     print(e.code, e.params["problem"])
    rules.invalid not_found
    """
    if path is None:
        return _packaged()
    try:
        return _finish(_read_source(path), str(path))
    except RuleProblem as p:
        raise _error(p, str(path)) from None


@cache
def _packaged() -> RuleSet:
    try:
        return _finish(_packaged_partial(), PACKAGED)
    except RuleProblem as p:  # pragma: no cover - the packaged rules are tested
        raise _error(p, PACKAGED) from None


def _error(p: RuleProblem, source: str) -> InputError:
    template = RULE_MESSAGES.get(f"rules.invalid.{p.problem}", p.problem)
    try:
        detail = template.format(**p.params)
    except (KeyError, IndexError, ValueError):
        detail = template
    return InputError("rules.invalid", path=source, where=p.where, problem=p.problem, detail=detail)


# --- reading --------------------------------------------------------------------------------
class _Loader(yaml.SafeLoader):
    """Safe loader that refuses a key written twice in one mapping (e.g. the same date)."""


def _mapping_without_duplicates(loader: _Loader, node: yaml.MappingNode, deep: bool = False) -> Any:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in seen:
            raise RuleProblem("duplicate_key", f"line {key_node.start_mark.line + 1}", value=key)
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_without_duplicates)


def _parse_yaml(text: str, where: str) -> Mapping[Any, Any]:
    try:
        doc = yaml.load(text, Loader=_Loader)  # a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else "?"
        raise RuleProblem("yaml", where, line=line) from None
    except ValueError:  # a value YAML recognised but could not build, e.g. 2024-13-01
        raise RuleProblem("yaml", where, line="?") from None
    except RuleProblem as p:
        raise RuleProblem(p.problem, f"{where} {p.where}", **p.params) from None
    return as_mapping(doc, where)


@dataclass
class _Partial:
    """Entries read from one or more files, before completeness and cross checks."""

    version: str | None = None
    extends: str | None = None
    thresholds: dict[str, ThresholdEntry] = field(default_factory=dict)
    dictionaries: dict[str, DictionaryEntry] = field(default_factory=dict)
    tables: dict[str, Dated[Any]] = field(default_factory=dict)


def _packaged_partial() -> _Partial:
    data = resources.files("weipian.rules").joinpath("data")
    files = sorted((p for p in data.iterdir() if p.name.endswith(".yaml")), key=lambda p: p.name)
    return _merge_files([(p.name, p.read_text("utf-8")) for p in files])


def _read_source(path: Path) -> _Partial:
    if path.is_dir():
        files = sorted(path.glob("*.yaml"))
        if not files:
            raise RuleProblem("no_files", str(path))
    elif path.is_file():
        files = [path]
    else:
        raise RuleProblem("not_found", str(path))
    partial = _merge_files([(p.name, p.read_text("utf-8")) for p in files])
    if partial.extends is None:
        return partial
    if partial.version is None:
        raise RuleProblem("version_missing", "version")
    if partial.extends != "default":
        raise RuleProblem("extends", "extends", value=partial.extends)
    return _overlay(_packaged_partial(), partial)


def _merge_files(files: list[tuple[str, str]]) -> _Partial:
    out = _Partial()
    for name, text in files:
        try:
            _merge_file(out, name, text)
        except RuleProblem as p:
            if len(files) == 1 or p.where.startswith(name):
                raise
            raise RuleProblem(p.problem, f"{name}: {p.where}", **p.params) from None
    return out


def _merge_file(out: _Partial, name: str, text: str) -> None:
    """Add one file's entries to ``out``."""
    doc = _parse_yaml(text, name)
    check_keys(doc, name, set(), TOP_KEYS)
    for key in ("version", "extends"):
        if key in doc:
            if getattr(out, key) is not None:
                raise RuleProblem("duplicate", f"{name}.{key}", value=key)
            setattr(out, key, as_text(doc[key], f"{name}.{key}"))
    for section, parse in _SECTIONS.items():
        for entry, raw in as_mapping(doc.get(section, {}), f"{name}.{section}").items():
            where = f"{section}.{entry}"
            target: dict[str, Any] = getattr(out, section)
            if entry in target:
                raise RuleProblem("duplicate", f"{name}: {where}", value=entry)
            target[str(entry)] = parse(str(entry), raw, where)


def _overlay(base: _Partial, top: _Partial) -> _Partial:
    """``top``'s dated values added to ``base`` (same date: ``top`` wins)."""

    def merged(a: Dated[Any], b: Dated[Any]) -> Dated[Any]:
        return Dated(tuple(sorted({**dict(a.items), **dict(b.items)}.items())))

    out = _Partial(f"{base.version}+{top.version}", None, dict(base.thresholds), dict(base.dictionaries))
    out.tables = dict(base.tables)
    for name, t in top.thresholds.items():
        old = out.thresholds.get(name)
        out.thresholds[name] = t if old is None else replace(t, values=merged(old.values, t.values))
    for name, d in top.dictionaries.items():
        prev = out.dictionaries.get(name)
        if prev is not None:
            d = replace(
                d, values=merged(prev.values, d.values), aliases={**prev.aliases, **d.aliases},
                display={**prev.display, **d.display},
            )  # fmt: skip
        out.dictionaries[name] = d
    for name, tv in top.tables.items():
        out.tables[name] = tv if name not in out.tables else merged(out.tables[name], tv)
    return out


# --- entries --------------------------------------------------------------------------------
def _dated(raw: Any, where: str, parse: Callable[[Any, str], Any]) -> Dated[Any]:
    values = as_mapping(raw, where)
    if not values:
        raise RuleProblem("no_values", where)
    items: dict[date, Any] = {}
    for key, value in values.items():
        if isinstance(key, datetime) or not isinstance(key, date | str):
            raise RuleProblem("date_key", f"{where}.{key}", value=repr(key))
        try:
            day = key if isinstance(key, date) else date.fromisoformat(key)
        except ValueError:
            raise RuleProblem("date_key", f"{where}.{key}", value=repr(key)) from None
        if day in items:
            raise RuleProblem("duplicate_key", f"{where}.{key}", value=day.isoformat())
        items[day] = parse(value, f"{where}.{day.isoformat()}")
    return Dated(tuple(sorted(items.items())))


def _threshold(name: str, raw: Any, where: str) -> ThresholdEntry:
    if name not in THRESHOLDS:
        raise RuleProblem("unknown_name", where, value=name)
    family = THRESHOLDS[name]
    m = as_mapping(raw, where)
    check_keys(m, where, set(), {"unit", "values", "title", "note"})
    if "values" not in m:
        return ThresholdEntry(name, family, str(m.get("title", name)), Dated(()))
    check_keys(m, where, {"unit"}, {"values", "title", "note"})
    unit = m["unit"]
    if unit not in UNITS[family]:
        raise RuleProblem("unit", f"{where}.unit", value=unit, allowed=", ".join(UNITS[family]))
    # A null value ends the threshold from its date (e.g. a repealed regulation's tiers).
    values = _dated(
        m["values"],
        f"{where}.values",
        lambda v, w: None if v is None else parse_threshold_value(family, unit, v, w),
    )
    return ThresholdEntry(name, family, str(m.get("title", name)), values)


def _dictionary(name: str, raw: Any, where: str) -> DictionaryEntry:
    if name not in DICTIONARIES:
        raise RuleProblem("unknown_name", where, value=name)
    parent = DICTIONARIES[name]
    m = as_mapping(raw, where)
    check_keys(m, where, set(), {"values", "title", "note", "aliases", "display"})

    def labels(value: Any, w: str) -> tuple[tuple[str, str | None], ...]:
        if parent is None:
            if not isinstance(value, list):
                raise RuleProblem("not_list", w)
            pairs: list[tuple[str, str | None]] = [(as_text(v, w), None) for v in value]
        else:
            pairs = [(as_text(k, w), as_text(v, f"{w}.{k}")) for k, v in as_mapping(value, w).items()]
        keys = [label_key(label) for label, _ in pairs]
        for i, k in enumerate(keys):
            if k in keys[:i]:
                raise RuleProblem("duplicate", w, value=pairs[i][0])
        return tuple(pairs)

    aliases = {
        as_text(k, f"{where}.aliases"): as_text(v, f"{where}.aliases.{k}")
        for k, v in as_mapping(m.get("aliases", {}), f"{where}.aliases").items()
    }
    values = _dated(m["values"], f"{where}.values", labels) if "values" in m else Dated(())
    display = {
        as_text(k, f"{where}.display"): as_text(v, f"{where}.display.{k}")
        for k, v in as_mapping(m.get("display", {}), f"{where}.display").items()
    }
    return DictionaryEntry(name, str(m.get("title", name)), parent, values, aliases, display)


def _table(name: str, raw: Any, where: str) -> Dated[Any]:
    if name not in TABLE_PARSERS:
        raise RuleProblem("unknown_name", where, value=name)
    m = as_mapping(raw, where)
    check_keys(m, where, set(), {"values", "title", "note"})
    return _dated(m["values"], f"{where}.values", TABLE_PARSERS[name]) if "values" in m else Dated(())


_SECTIONS: Mapping[str, Callable[[str, Any, str], Any]] = {
    "thresholds": _threshold,
    "dictionaries": _dictionary,
    "tables": _table,
}


# --- the whole set --------------------------------------------------------------------------
def _finish(p: _Partial, source: str) -> RuleSet:
    if p.version is None:
        raise RuleProblem("version_missing", "version")
    for section, names in (
        ("thresholds", THRESHOLDS),
        ("dictionaries", DICTIONARIES),
        ("tables", TABLE_PARSERS),
    ):
        have = getattr(p, section)
        for name in names:
            if name not in have:
                raise RuleProblem("missing_name", f"{section}.{name}", value=name)
            dated = have[name] if section == "tables" else have[name].values
            if not dated.items:
                raise RuleProblem("no_values", f"{section}.{name}.values")
    rules = RuleSet(p.version, source, p.thresholds, p.dictionaries, p.tables)
    _check_aliases(rules)
    for day in rules.effective_dates():
        _check_on(rules, day)
    return rules


def _check_aliases(rules: RuleSet) -> None:
    for name, d in rules.dictionaries.items():
        every = {label_key(label) for _, pairs in d.values.items for label, _ in pairs}
        for alias, target in d.aliases.items():
            where = f"dictionaries.{name}.aliases.{alias}"
            if label_key(alias) in every:
                raise RuleProblem("alias_shadows", where, value=alias)
            if label_key(target) not in every:
                raise RuleProblem("alias_target", where, value=target)
        for label in d.display:  # words for a label no version has would never show
            if label_key(label) not in every:
                raise RuleProblem("alias_target", f"dictionaries.{name}.display.{label}", value=label)


def _check_on(rules: RuleSet, day: date) -> None:
    """Cross-entry checks for the values in force on ``day``."""

    def labels(dictionary: str, where: str) -> set[str]:
        if dictionary not in rules.dictionaries:
            raise RuleProblem("unknown_name", where, value=dictionary)
        if not rules.in_force(dictionary, day):
            raise RuleProblem("not_in_force", where, value=dictionary, on=day.isoformat())
        return set(rules.labels(dictionary, day))

    for name, d in rules.dictionaries.items():
        if d.parent is None or not rules.in_force(name, day):
            continue
        parents = labels(d.parent, f"dictionaries.{name}")
        for label in rules.labels(name, day):
            group = rules.parent(name, label, day)
            if group not in parents:
                raise RuleProblem(
                    "unknown_label", f"dictionaries.{name}.{label} @ {day}", value=group, dictionary=d.parent
                )
    in_force = [t for t in rules.tables_by_name if rules.in_force(t, day)]
    if in_force and len(in_force) < len(rules.tables_by_name):  # the engine needs every table at once
        gap = next(t for t in rules.tables_by_name if t not in in_force)
        raise RuleProblem("not_in_force", f"tables.{gap}", value=gap, on=day.isoformat())
    if in_force:
        tables: Tables = rules.tables(day)
        for dictionary, label, where in tables.refs():
            if label not in labels(dictionary, f"tables.{where} @ {day}"):
                raise RuleProblem(
                    "unknown_label", f"tables.{where} @ {day}", value=label, dictionary=dictionary
                )
        for dictionary, where in tables.dictionary_refs():
            labels(dictionary, f"tables.{where} @ {day}")
    for low, high in ORDERED_PAIRS:
        if rules.in_force(low, day) and rules.in_force(high, day):
            a, b = rules.threshold(low, day), rules.threshold(high, day)
            if a.value > b.value:
                raise RuleProblem("range_order", f"thresholds.{low} @ {day}", low=str(a), high=str(b))
