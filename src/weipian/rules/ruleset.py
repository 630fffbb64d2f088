"""A loaded rule set: dictionaries, thresholds and engine tables, each value under its effective date.

A value takes effect on its date and stays in force until the next dated value of the same
entry. Asking for an entry on a date before its first value raises ``rules.not_in_force``.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Generic, TypeVar, cast

from weipian.errors import InputError
from weipian.rules.tables import ReviewReason, Tables

__all__ = ["Dated", "DictionaryEntry", "RuleSet", "Threshold", "ThresholdEntry", "label_key"]

T = TypeVar("T")


def label_key(text: str) -> str:
    """The form labels are compared in: NFKC (full-width brackets → ASCII), no blanks.

    >>> label_key(" 住宅类（单户） ") == label_key("住宅类(单户)")
    True
    """
    return "".join(unicodedata.normalize("NFKC", text).split())


@dataclass(frozen=True)
class Dated(Generic[T]):
    """Values of one entry keyed by the date each takes effect, sorted by date.

    >>> d = Dated(((date(2020, 1, 1), 0.7), (date(2023, 3, 1), 0.9)))
    >>> d.at(date(2022, 12, 31)), d.at(date(2023, 3, 1)), d.at(date(2019, 1, 1))
    (0.7, 0.9, None)
    """

    items: tuple[tuple[date, T], ...]

    def since(self, on: date) -> date | None:
        """The effective date of the value in force on ``on``, or None before the first."""
        found = None
        for start, _ in self.items:
            if start <= on:
                found = start
        return found

    def at(self, on: date) -> T | None:
        """The value in force on ``on``, or None before the first effective date."""
        value = None
        for start, v in self.items:
            if start <= on:
                value = v
        return value

    @property
    def dates(self) -> tuple[date, ...]:
        return tuple(d for d, _ in self.items)


@dataclass(frozen=True)
class Threshold:
    """One threshold value in force: canonical ``value`` (m², 0–1, m, date, int …), as ``written``."""

    name: str
    value: Any
    written: str
    since: date

    def __str__(self) -> str:
        return f"{self.name}={self.written} (since {self.since.isoformat()})"


@dataclass(frozen=True)
class ThresholdEntry:
    name: str
    family: str
    title: str
    values: Dated[tuple[Any, str] | None]  # (canonical value, as written); None: ended that day


@dataclass(frozen=True)
class DictionaryEntry:
    name: str
    title: str
    parent: str | None  # the dictionary the labels' groups belong to
    values: Dated[tuple[tuple[str, str | None], ...]]  # (label, parent label)
    aliases: Mapping[str, str]  # alias → canonical label
    display: Mapping[str, str] = field(default_factory=dict)  # label → what the forms show (codes)


@dataclass(frozen=True)
class RuleSet:
    """The rule dictionary in force over time. Build it with :func:`weipian.rules.load_rules`.

    >>> from weipian.rules import load_rules
    >>> rules = load_rules()
    >>> rules.threshold("crime_farmland_min", date(2024, 1, 1)).written
    '10 mu'
    >>> rules.normalise("determination", "实地为设施", date(2024, 1, 1))
    '设施农用地'
    >>> rules.normalise("determination", "随便写的", date(2024, 1, 1)) is None
    True
    """

    version: str
    source: str
    thresholds: Mapping[str, ThresholdEntry]
    dictionaries: Mapping[str, DictionaryEntry]
    tables_by_name: Mapping[str, Dated[Any]]
    region: str = "south"  # south | north: which regional thresholds apply (e.g. 农村道路 width)

    def for_region(self, region: str) -> RuleSet:
        """The same rules with ``region``'s regional thresholds (``<name>_north`` in the north).

        >>> from weipian.rules import load_rules
        >>> north = load_rules().for_region("north")
        >>> north.length_m("rural_road_width_min", date(2024, 1, 1))
        2.0
        """
        if region not in ("south", "north"):
            raise ValueError(f"unknown region {region!r}")
        return replace(self, region=region)

    def _regional(self, name: str) -> str:
        return f"{name}_north" if self.region == "north" and f"{name}_north" in self.thresholds else name

    # --- thresholds -----------------------------------------------------------------------
    def title(self, name: str) -> str:
        """A threshold's Chinese title from the rule data (its name if it has none)."""
        entry = self.thresholds.get(self._regional(name))
        return entry.title if entry is not None else name

    def threshold(self, name: str, on: date) -> Threshold:
        """The threshold ``name`` in force on ``on``; ``rules.not_in_force`` before its first date."""
        entry = self.thresholds[self._regional(name)]
        since = entry.values.since(on)
        current = entry.values.at(on)
        if since is None or current is None:
            raise InputError("rules.not_in_force", name=name, on=on.isoformat())
        value, written = current
        return Threshold(name, value, written, since)

    def in_force(self, name: str, on: date) -> bool:
        """Whether threshold, dictionary or table ``name`` has a value in force on ``on``.

        A threshold whose value on ``on`` is ``null`` (ended, e.g. repealed) is not in force.
        """
        if name in self.thresholds:
            return self.thresholds[self._regional(name)].values.at(on) is not None
        if name in self.dictionaries:
            return self.dictionaries[name].values.since(on) is not None
        return self.tables_by_name[name].since(on) is not None

    def area_m2(self, name: str, on: date) -> float:
        """An area threshold in m² (written in m², 亩 or 公顷)."""
        return self._typed(name, on, "area", float)

    def ratio(self, name: str, on: date) -> float:
        """A ratio threshold as a share 0–1 (written as a ratio or in %)."""
        return self._typed(name, on, "ratio", float)

    def length_m(self, name: str, on: date) -> float:
        """A length threshold in metres."""
        return self._typed(name, on, "length", float)

    def date_value(self, name: str, on: date) -> date:
        """A date threshold (a cut-off such as the 乱占 新增 date)."""
        return self._typed(name, on, "date", date)

    def whole(self, name: str, on: date) -> int:
        """A whole-number threshold: a year, days or months."""
        entry = self.thresholds[name]
        if entry.family not in ("year", "days", "months"):
            raise TypeError(f"{name} is a {entry.family} threshold")
        return int(self.threshold(name, on).value)

    def _typed(self, name: str, on: date, family: str, kind: type[T]) -> T:
        entry = self.thresholds[name]
        if entry.family != family:
            raise TypeError(f"{name} is a {entry.family} threshold, not {family}")
        return cast(T, self.threshold(name, on).value)

    # --- dictionaries ---------------------------------------------------------------------
    def _pairs(self, dictionary: str, on: date) -> tuple[tuple[str, str | None], ...]:
        values = self.dictionaries[dictionary].values
        if values.since(on) is None:
            raise InputError("rules.not_in_force", name=dictionary, on=on.isoformat())
        return cast(tuple[tuple[str, str | None], ...], values.at(on))

    def labels(self, dictionary: str, on: date) -> list[str]:
        """The canonical labels of ``dictionary`` in force on ``on``, in dictionary order.

        >>> from weipian.rules import load_rules
        >>> load_rules().labels("violation_type", date(2024, 1, 1))
        ['违法占地', '违法批地', '违法转让', '其他']
        """
        return [label for label, _ in self._pairs(dictionary, on)]

    def display(self, dictionary: str) -> Mapping[str, str]:
        """Labels that are codes (JY, SM) → the words a form shows for them; stored values stay
        the labels."""
        return self.dictionaries[dictionary].display

    def parent(self, dictionary: str, label: str, on: date) -> str | None:
        """The group a label belongs to (e.g. 光伏 → 工矿商服), or None."""
        return dict(self._pairs(dictionary, on)).get(label)

    def normalise(self, dictionary: str, label: str | None, on: date) -> str | None:
        """The canonical label for ``label`` (itself or via an alias), or None when unknown.

        Unknown labels are not errors: callers treat them as 存疑.
        """
        if label is None:
            return None
        key = label_key(label)
        if not key:
            return None
        labels = self.labels(dictionary, on)
        for canonical in labels:
            if label_key(canonical) == key:
                return canonical
        for alias, target in self.dictionaries[dictionary].aliases.items():
            if label_key(alias) == key and target in labels:
                return target
        return None

    # --- tables ---------------------------------------------------------------------------
    def tables(self, on: date) -> Tables:
        """The engine tables in force on ``on`` (labels, TBLX groups, routes, 其他 rules …)."""
        values: dict[str, Any] = {}
        for name, dated in self.tables_by_name.items():
            if dated.since(on) is None:
                raise InputError("rules.not_in_force", name=name, on=on.isoformat())
            values[name] = dated.at(on)
        return Tables(**values)

    def review_reasons(self, on: date) -> tuple[ReviewReason, ...]:
        """Reviewer pass/return reasons in force: stable codes with their Chinese labels.

        >>> from weipian.rules import load_rules
        >>> r = load_rules().review_reasons(date(2024, 6, 1))
        >>> r[0].code, r[0].outcome
        ('pass.approval_complete', 'pass')
        """
        return self.tables(on).review_reasons

    def close_out_reasons(self, on: date) -> tuple[ReviewReason, ...]:
        """The 市局's pass/return reasons for a 销号 request, in force on ``on``.

        >>> from weipian.rules import load_rules
        >>> [r.outcome for r in load_rules().close_out_reasons(date(2024, 6, 1))][:2]
        ['pass', 'pass']
        """
        return self.tables(on).close_out_reasons

    def effective_dates(self) -> tuple[date, ...]:
        """Every date on which some value of this rule set takes effect, sorted."""
        found: set[date] = set()
        for t in self.thresholds.values():
            found.update(t.values.dates)
        for d in self.dictionaries.values():
            found.update(d.values.dates)
        for dated in self.tables_by_name.values():
            found.update(dated.dates)
        return tuple(sorted(found))
