"""Stable codes → Simplified Chinese sentences and labels, for the edges: CLI, web, documents.

The core, the services and the event log carry codes and parameters; :func:`message` makes the
sentence. One module per area (``core`` first, then ``rules``, ``web``, ``evidence``, ``stats``,
``ledger``, ``split``, ``cases``, ``documents``); labels of the core's codes in :mod:`weipian.messages.labels`.
This package imports nothing else from weipian (an import contract checks), so ``errors`` and
every layer may use it. Tests assert codes, not these sentences.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from weipian.messages.cases import CASE_MESSAGES  # the case register (立案查处)
from weipian.messages.core import MESSAGES  # packages, files, coordinates, workflow, sheets
from weipian.messages.documents import DOCUMENT_MESSAGES  # titles and remarks of the files written
from weipian.messages.evidence import EVIDENCE_MESSAGES  # imagery, photos, attachments, referrals
from weipian.messages.labels import (
    ACTION_LABELS,
    COMPASS_LABELS,
    MINING_STATUS_LABELS,
    SOURCE_LABELS,
    STATE_LABELS,
)
from weipian.messages.ledger import (
    AREA_FIELD_LABELS,
    ATTACHMENT_NOTES,
    LEDGER_MESSAGES,
)  # ledger, 销号, reminders
from weipian.messages.rules import FIELD_LABELS, RULE_MESSAGES, TRACE_MESSAGES  # the rules' codes
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
    "check_text",
    "is_sentence",
    "join_messages",
    "message",
    "note_text",
    "period_text",
    "sentences",
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
    DOCUMENT_MESSAGES,
)


def message(code: str, /, **params: Any) -> str:
    """Return the Chinese sentence for ``code``; unknown codes still say something useful.

    A parameter may itself be a sentence given as a code: ``{"code": …, "params": {…}}`` (how
    the core passes the detail of an error, or why a rule applies, without wording it), or a
    list of them, worded and joined as one sentence (the problems of a refused form).

    >>> message("rules.invalid", path="r.yaml", where="labels", detail={"code": "rules.invalid.not_list"})
    '规则文件 r.yaml 有误（位置：labels）：此处应为列表。'
    """
    params = _with_labels({k: _sentence(v) for k, v in params.items()})
    template = next((t[code] for t in TABLES if code in t), None)
    if template is None:
        detail = "，".join(f"{k}={v}" for k, v in params.items())
        return f"错误 {code}" + (f"：{detail}" if detail else "")
    try:
        return template.format(**params)
    except (KeyError, IndexError):
        return template


def is_sentence(value: Any) -> bool:
    """A parameter that is a sentence given as a code (``{"code": …, "params": {…}}``)."""
    return isinstance(value, dict) and isinstance(value.get("code"), str) and set(value) <= {"code", "params"}


def sentences(items: Any) -> list[dict[str, Any]]:
    """Problems (anything with ``code`` and ``params``) as sentence parameters for :func:`message`."""
    return [{"code": p.code, "params": dict(p.params)} for p in items]


def _sentence(value: Any) -> Any:
    if is_sentence(value):
        return message(value["code"], **dict(value.get("params") or {}))
    if isinstance(value, list | tuple) and value and all(is_sentence(v) for v in value):
        return join_messages([_sentence(v) for v in value])
    return value


def check_text(check: Mapping[str, Any]) -> str:
    """A photo's automatic check as stored in ``attachments.checks``, in words: from its reason
    code and parameters, or the text stored by a version that kept words (``detail``)."""
    params = dict(check.get("params") or {})
    if params.get("reason"):
        return message(f"evidence.check.{params['reason']}", **params)
    return str(check.get("detail") or "")


def note_text(note: str | None) -> str:
    """An attachment's note in words: a note stored as a code (a ledger upload's), or the text a
    person typed (and notes stored as words before), as it is.

    >>> note_text("ledger.progress_photo"), note_text("东侧全景"), note_text(None)
    ('整改进展照片', '东侧全景', '')
    """
    return ATTACHMENT_NOTES.get(note or "", note or "")


def period_text(parts: Sequence[Mapping[str, Any]]) -> str:
    """A statistic's period in words, from its codes (``stats.periods.Period.label``).

    >>> period_text([{"code": "period.month", "params": {"year": 2022, "month": 11}},
    ...              {"code": "period.source", "params": {"source": "ministry"}}]), period_text([])
    ('2022年11月部卫片', '全部')
    """
    return "".join(message(p["code"], **dict(p.get("params") or {})) for p in parts) or message("period.all")


def period_key_text(key: str) -> str:
    """A period key of the statistics (``stats.tables.period_key``) in words.

    >>> [period_key_text(k) for k in ("2022Q4", "2022-11", "2022Q?", "2022-??", "2022")]
    ['2022年第4季度', '2022年11月', '2022年（下发季度不详）', '2022年（下发月份不详）', '2022']
    """
    year, quarter, month = key[:4], key.partition("Q")[2], key.partition("-")[2]
    if quarter:
        return (
            message("period.key_quarter", year=year, quarter=quarter)
            if quarter != "?"
            else message("period.key_unknown_quarter", year=year)
        )
    if month:
        return (
            message("period.key_month", year=year, month=int(month))
            if month != "??"
            else message("period.key_unknown_month", year=year)
        )
    return key


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
    if "mining_status" in out and "mining_status_label" not in out:
        status = str(out["mining_status"])
        out["mining_status_label"] = MINING_STATUS_LABELS.get(status, status)
    if "status_label" in out and "mining_status_label" not in out:  # reasons stored before the code
        out["mining_status_label"] = out["status_label"]
    if "platform" in out and "platform_label" not in out:  # 部卫片 / 省卫片
        out["platform_label"] = SOURCE_LABELS.get(str(out["platform"]), out["platform"])
    if "source" in out and "source_label" not in out:
        out["source_label"] = SOURCE_LABELS.get(str(out["source"]), out["source"])
    if "compass_point" in out and "compass" not in out:
        out["compass"] = COMPASS_LABELS.get(str(out["compass_point"]), out["compass_point"])
    if "field" in out and "field_label" not in out:
        field = str(out["field"])
        out["field_label"] = AREA_FIELD_LABELS.get(field) or FIELD_LABELS.get(field) or out["field"]
    return out
