"""The rule trace (规则执行过程) in Chinese: each step is a code with parameters."""

from __future__ import annotations

from typing import Any

from weipian.messages.rules import TRACE_MESSAGES

# Values a trace step carries as codes or yes/no, in words.
_TRACE_WORDS = {
    "inside": "在采矿权范围内", "straddling": "跨越采矿权边界", "outside": "在采矿权范围外",
    "unknown": "未知", "legal": "合法性核对", "facility": "设施农用地核对", "fallback": "兜底判断",
    "mineral": "矿产核对",
    # the engine's groups of 图斑类型 (rules/tables.CHANGE_GROUPS)
    "building": "建筑", "hardening": "硬化", "earthwork": "动土类", "road": "道路",
    "rural_road": "农村道路", "water_works": "水工建筑", "water_construction": "水利设施",
    "mining": "采矿", "construction_other": "其他建设", "agricultural": "农用地", "water": "水面",
}  # fmt: skip


def _trace_value(value: Any) -> Any:
    if value is True:
        return "是"
    if value is False:
        return "否"
    if value is None:
        return "未知"
    return _TRACE_WORDS.get(value, value) if isinstance(value, str) else value


def trace_text(step: Any) -> str:
    """One step of the rule trace (规则执行过程) in Chinese. Traces stored before the steps had
    codes are plain text and are shown as they are."""
    if isinstance(step, str):
        return step
    code = str(step.get("code", ""))
    template = TRACE_MESSAGES.get(code)
    if template is None:
        return code
    params = {k: _trace_value(v) for k, v in dict(step.get("params") or {}).items()}
    try:
        return template.format(**params)
    except (KeyError, IndexError, ValueError):
        return template
