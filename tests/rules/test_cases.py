"""Runs every expert-written case in tests/rules/cases/*.yaml (see docs/rules.md)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from weipian.messages import trace_text
from weipian.rules import Case, RuleSet, check_case, load_cases, load_rules

CASES_DIR = Path(__file__).parent / "cases"
CASES = [case for path in sorted(CASES_DIR.glob("*.yaml")) for case in load_cases(path)]


@cache
def _rules(path: Path | None) -> RuleSet:
    return load_rules(path)


def test_there_are_enough_cases() -> None:
    assert len(CASES) >= 40
    names = [(c.path.name, c.name) for c in CASES]
    assert len(names) == len(set(names)), "case names repeat within a file"


@pytest.mark.parametrize("case", CASES, ids=[f"{c.path.stem}: {c.name}" for c in CASES])
def test_case(case: Case) -> None:
    judgement, problems = check_case(case, _rules(case.rules_path))
    steps = [trace_text({"code": s.code, "params": dict(s.params)}) for s in judgement.trace]
    assert not problems, "\n".join([*problems, "trace:", *steps])


def test_every_suggested_label_is_in_the_dictionary() -> None:
    for case in CASES:
        rules = _rules(case.rules_path)
        judgement, _ = check_case(case, rules)
        assert judgement.verdict in rules.labels("suggestion", case.on)
        assert judgement.rules_version == rules.version
        assert judgement.trace


def test_every_trace_step_reads_as_chinese() -> None:
    """Each case's rule trace: every step a known code whose sentence takes all its parameters,
    and no English words or raw booleans left (the trace is shown on the patch page)."""
    import re

    from weipian.messages.rules import TRACE_MESSAGES

    seen: set[str] = set()
    for case in CASES:
        judgement, _ = check_case(case, _rules(case.rules_path))
        for step in judgement.trace:
            seen.add(step.code)
            text = trace_text({"code": step.code, "params": dict(step.params)})
            assert text != TRACE_MESSAGES[step.code] or "{" not in text, (step, text)  # formatted
            assert "{" not in text and not re.search(
                r"\b(True|False|None|inside|outside|straddling|TBLX|QSX|HSX|building|earthwork|road|water|mining)\b",
                text,
            ), text
    assert {"trace.start", "trace.land"} <= seen and len(seen) >= 15, sorted(seen)


def test_reason_sentences_read_as_chinese() -> None:
    """No codes a county reviewer cannot read (inside, CK …) and no redundant "（其他）" tails."""
    from weipian.messages import message

    for case in CASES:
        judgement, _ = check_case(case, _rules(case.rules_path))
        for r in judgement.reasons:
            text = message(r.code, **dict(r.params))
            assert "{" not in text and "（其他）" not in text, (case.name, text)
            for word in ("inside", "straddling", "outside", "（CK）", "（DT）", "（TP）", "（TD）", "None"):
                assert word not in text, (case.name, text)


def test_every_engine_group_has_chinese_words_for_the_trace() -> None:
    from weipian.messages.trace import _TRACE_WORDS
    from weipian.rules.tables import CHANGE_GROUPS

    assert set(_TRACE_WORDS) >= CHANGE_GROUPS, sorted(CHANGE_GROUPS - set(_TRACE_WORDS))
