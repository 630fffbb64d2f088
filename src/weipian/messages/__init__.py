"""Stable codes → Simplified Chinese sentences and labels, for the edges: CLI, web, documents.

The core, the services and the event log carry codes and parameters; :func:`message` makes the
sentence. One module per area (``core`` first, then ``rules``, ``web``, ``evidence``, ``stats``,
``ledger``, ``split``, ``cases``); labels of the core's codes in :mod:`weipian.messages.labels`.
This package imports nothing else from weipian (an import contract checks), so ``errors`` and
every layer may use it. Tests assert codes, not these sentences.
"""

from __future__ import annotations

from typing import Any

from weipian.messages.cases import CASE_MESSAGES  # the case register (立案查处)
from weipian.messages.core import MESSAGES  # packages, files, coordinates, workflow, sheets
from weipian.messages.evidence import EVIDENCE_MESSAGES  # imagery, photos, attachments, referrals
from weipian.messages.labels import ACTION_LABELS, STATE_LABELS
from weipian.messages.ledger import AREA_FIELD_LABELS, LEDGER_MESSAGES  # ledger, 销号, reminders
from weipian.messages.rules import RULE_MESSAGES, TRACE_MESSAGES  # the rules' codes
from weipian.messages.split import SPLIT_MESSAGES  # patch splits (图斑拆分)
from weipian.messages.stats import STATS_MESSAGES  # statistics, documents, platform exports
from weipian.messages.trace import trace_text
from weipian.messages.units import M2_PER_MU
from weipian.messages.web import WEB_MESSAGES  # accounts and the web edge

__all__ = [
    "ACTION_LABELS",
    "MESSAGES",
    "STATE_LABELS",
    "TABLES",
    "TRACE_MESSAGES",
    "join_messages",
    "message",
    "trace_text",
]

# Every table of sentences, in lookup order (a code is defined once; a test checks).
TABLES: tuple[dict[str, str], ...] = (
    MESSAGES,
    RULE_MESSAGES,
    WEB_MESSAGES,
    EVIDENCE_MESSAGES,
    STATS_MESSAGES,
    LEDGER_MESSAGES,
    SPLIT_MESSAGES,
    CASE_MESSAGES,
)


def message(code: str, /, **params: Any) -> str:
    """Return the Chinese sentence for ``code``; unknown codes still say something useful."""
    params = _with_labels(params)
    template = next((t[code] for t in TABLES if code in t), None)
    if template is None:
        detail = "，".join(f"{k}={v}" for k, v in params.items())
        return f"错误 {code}" + (f"：{detail}" if detail else "")
    try:
        return template.format(**params)
    except (KeyError, IndexError):
        return template


def join_messages(texts: list[str] | tuple[str, ...]) -> str:
    """Sentences joined as one: "甲。" and "乙。" → "甲；乙。" (never "。；").

    >>> join_messages(["判定结果不能为空。", "违法类型“乱建”不在字典中"])
    '判定结果不能为空；违法类型“乱建”不在字典中。'
    >>> join_messages([])
    ''
    """
    parts = [t.strip().rstrip("。；;") for t in texts if t and t.strip()]
    return "；".join(parts) + "。" if parts else ""


def _with_labels(params: dict[str, Any]) -> dict[str, Any]:
    """Add Chinese labels for workflow states and actions passed as codes."""
    out = dict(params)
    for key, value in params.items():  # areas travel in m²; sentences may quote them in 亩
        if key.endswith("_m2") and isinstance(value, int | float) and key[:-3] + "_mu" not in out:
            out[key[:-3] + "_mu"] = f"{value / M2_PER_MU:.2f}"
    if "state" in out and "state_label" not in out and str(out["state"]) in STATE_LABELS:
        out["state_label"] = STATE_LABELS[str(out["state"])]
    if "action" in out and "action_label" not in out and str(out["action"]) in ACTION_LABELS:
        out["action_label"] = ACTION_LABELS[str(out["action"])]
    if "field" in out and "field_label" not in out:
        out["field_label"] = AREA_FIELD_LABELS.get(str(out["field"]), out["field"])
    return out
