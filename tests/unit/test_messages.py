"""The message catalogue: one package below the domain, every code worded once, labels complete."""

from __future__ import annotations

import ast
import tomllib
from collections import Counter
from pathlib import Path

from weipian.domain.units import M2_PER_MU, m2_to_mu
from weipian.domain.workflow import Action, State
from weipian.errors import TransitionRefused
from weipian.messages import ACTION_LABELS, STATE_LABELS, TABLES, message

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "src" / "weipian"


def _layers() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    layers = next(c["layers"] for c in contracts if c["type"] == "layers")
    return [m.strip() for layer in layers for m in layer.split("|")]


def test_every_module_of_weipian_is_in_the_layer_contract() -> None:
    tops = {p.stem for p in PACKAGE.glob("*.py") if p.stem != "__init__"}
    tops |= {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()}
    assert {f"weipian.{t}" for t in tops} == set(_layers())


def test_errors_and_messages_are_the_bottom_layers() -> None:
    assert _layers()[-3:] == ["weipian.domain", "weipian.errors", "weipian.messages"]


def test_the_catalogue_imports_nothing_else_from_weipian() -> None:
    """Also lazily inside functions, which the import contract sees too; this says where."""
    for path in (PACKAGE / "messages").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            for name in names:
                assert not name.startswith("weipian.") or name.startswith("weipian.messages"), (path, name)


def test_every_code_is_worded_once() -> None:
    counts = Counter(code for table in TABLES for code in table)
    assert [c for c, n in counts.items() if n > 1] == []


def test_every_state_and_action_has_one_label() -> None:
    assert set(STATE_LABELS) == {s.value for s in State}
    assert set(ACTION_LABELS) == {a.value for a in Action}
    assert STATE_LABELS[State.returned] == State.returned.label == "上级退回"  # StrEnum keys find them
    assert ACTION_LABELS[Action.review_pass] == ACTION_LABELS["review.pass"] == "审核通过"


def test_a_refused_transition_is_worded_with_both_labels() -> None:
    try:
        raise TransitionRefused("workflow.refused", state=State.reported, action="determination.save")
    except TransitionRefused as exc:
        assert str(exc) == "图斑当前状态为“已上报”，不能执行“保存判定”。"


def test_areas_in_square_metres_are_quoted_in_mu() -> None:
    text = message("interview.unrectified", farmland_m2=2000.0, min_m2=M2_PER_MU * 3)
    assert text == f"未整改耕地 {m2_to_mu(2000.0):.2f} 亩，达到约谈线 3.00 亩"
    assert m2_to_mu(10000) == 15.0


def test_an_unknown_code_still_says_something() -> None:
    assert message("no.such_code", id=7) == "错误 no.such_code：id=7"
