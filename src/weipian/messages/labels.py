"""Chinese labels of the core's codes, keyed by the codes' string values.

The core's enums are ``StrEnum``, so ``STATE_LABELS[State.draft]`` and ``STATE_LABELS["draft"]``
find the same label; this package imports nothing from weipian (a test checks every member of
each enum has a label).
"""

from __future__ import annotations

# Workflow states (ZT, ``domain.workflow.State``).
STATE_LABELS: dict[str, str] = {
    "issued": "已下发",
    "verifying": "核查中",
    "submitted": "已提交",
    "county_passed": "审核通过",
    "county_returned": "审核退回",
    "reported": "已上报",
    "accepted": "上级已接收",
    "returned": "上级退回",
    "rectifying": "整改中",
    "closed": "已销号",
}

# Event actions (``domain.workflow.Action``).
ACTION_LABELS: dict[str, str] = {
    "field_check.record": "记录实地核查",
    "evidence.withdraw": "删除举证材料",
    "evidence.note": "填写举证说明",
    "determination.save": "保存判定",
    "determination.submit": "提交判定",
    "review.pass": "审核通过",
    "review.return": "审核退回",
    "report.submit": "上报",
    "report.accept": "上级接收",
    "report.return": "上级退回",
    "record.correct": "更正",
    "rectification.start": "转入整改",
    "rectification.update": "修改整改计划",
    "rectification.progress": "整改进展",
    "close_out.request": "申请销号",
    "close_out.return": "退回销号申请",
    "case.open": "立案",
    "case.update": "更新案件",
    "case.person": "责任追究",
    "case.close": "结案",
    "close_out.approve": "销号",
    "close_out.reopen": "重新打开",
    "ratio_exclusion.set": "设置比例排除情形",
    "ratio_exclusion.clear": "取消比例排除情形",
    "split.create": "图斑拆分",
    "split.undo": "撤销拆分",
    "split.derive": "随子图斑更新状态",
    "patch.register": "登记自主发现图斑",
}
