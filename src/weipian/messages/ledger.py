"""Chinese sentences for the rectification ledger (``ledger.*``), 销号 and reminders.

:func:`weipian.messages.message` looks here after the other tables.
"""

from __future__ import annotations

LEDGER_MESSAGES: dict[str, str] = {
    # opening and plan
    "ledger.exists": "图斑 {code} 已有整改台账记录，不能重复建立。请在原记录中填写整改进展。",
    "ledger.no_record": "图斑 {code} 还没有整改台账记录。请先建立台账（weipian rectify open）。",
    "ledger.no_record_id": "找不到该图斑（编号 {id}）的整改台账记录。",
    "ledger.not_illegal": "图斑 {code} 的判定结果为“{verdict}”，不是违法（土地或矿产），无需建立整改台账。",
    "ledger.responsible_needed": "请填写整改责任人。",
    "ledger.measures_needed": "请至少选择一项整改措施（可选：{known}）。",
    "ledger.measure_unknown": "“{measure}”不在整改措施字典中。可选：{known}。",
    "ledger.split_parent": "图斑 {code} 已拆分，整改台账按子图斑分别建立：请在子图斑 {parts} 上建立整改台账。",
    "ledger.unit_needed": "图斑 {code} 未落到任何乡镇，请用 --unit 指明责任单位代码。",
    "ledger.unit_unknown": "责任单位代码 {unit} 不在单位名录中。",
    "ledger.unit_foreign": "不能把整改责任落到其他单位（{unit}）。乡镇账号只能把责任落到本单位或本单位所辖乡镇。",
    "ledger.deadline_early": "整改时限 {deadline} 早于今天（{today}），请填写今后的日期。",
    "ledger.nothing_given": "没有要修改的内容：请给出责任人、整改措施、整改时限或重大典型问题标记。",
    "ledger.too_long": "{field}过长（{length} 字），最多 {max} 字。",
    # progress
    "ledger.progress_empty": "整改进展不能为空：请填写面积、进展情况或上传照片。",
    "ledger.areas_invalid": "图斑 {code} 的整改面积不一致，未保存：{problems}",
    "ledger.area_negative": "{field_label}不能为负数（{value}）。",
    "ledger.area_over_illegal": "已整改面积（拆除 + 补办 = {rectified} ㎡）超过违法面积 {illegal} ㎡。面积是截至目前的累计数，不是本次增量。",
    "ledger.farmland_over_part": "{field_label}中的耕地面积 {farmland} ㎡ 超过该项面积 {area} ㎡。",
    "ledger.farmland_over_illegal": "已整改耕地面积 {farmland} ㎡ 超过违法占用耕地面积 {illegal} ㎡。",
    "ledger.too_many_files": "一次最多上传 {max} 个文件（本次 {count} 个）。",
    # 销号
    "ledger.evidence_needed": "申请销号必须附上违法状态已消除的佐证材料（整改后照片、补办手续或处罚文书等）。",
    "ledger.unrectified": "图斑 {code} 还有 {remaining} ㎡ 未整改，不能申请销号。请整改到位并填写整改进展后再申请。",
    "ledger.request_pending": "图斑 {code} 的销号申请正在等待市局审核，审核前不能修改进展或再次申请。",
    "ledger.no_request": "图斑 {code} 没有等待审核的销号申请。",
    "ledger.decided_already": "图斑 {code} 的销号申请已由他人审核。请刷新后查看。",
    "ledger.decide_forbidden": "只有市局审核员或市局管理员可以审核图斑 {code} 的销号申请。",
    "ledger.reason_needed": "退回销号申请必须选择退回原因（可选：{known}）。",
    "ledger.reason_unknown": "未知的销号审核原因代码：{reason}。可用代码：{known}。",
    "ledger.export_forbidden": "整改台账由乡镇（街道）和市局填报，您的账号不能导出整改台账。",
    "ledger.reopen_forbidden": "只有市局可以重新打开已销号的图斑 {code}。",
    "ledger.reopen_reason_needed": "重新打开已销号的记录必须说明原因。",
    # notices (web)
    "ledger.opened": "已建立整改台账，图斑转入整改中。",
    "ledger.progress_saved": "整改进展已保存。",
    "ledger.requested": "已申请销号，等待市局审核。",
    "ledger.approved": "已同意销号。",
    "ledger.returned": "已退回销号申请。",
    "ledger.reopened": "已重新打开，图斑回到整改中。",
    "ledger.area_not_number": "面积必须是数字（收到“{value}”），单位为平方米。",
    "upper.accepted": "已登记上级审核通过。",
    "upper.returned": "已登记上级退回，1 个月内整改。",
    "ledger.sheet_open_needs": "该图斑还没有整改台账：要在表格中建立，须同时填写整改责任人、整改措施和整改时限。",
    # reminders
    "due.unit_unknown": "单位代码 {unit} 不在单位名录中。",
}

AREA_FIELD_LABELS = {
    "demolished": "拆除面积",
    "demolished_farmland": "拆除耕地面积",
    "regularised": "补办面积",
    "regularised_farmland": "补办耕地面积",
}

ATTACHMENT_NOTES = {
    "ledger.progress_photo": "整改进展照片",
    "ledger.closure_evidence": "销号佐证材料",
}
"""The note a ledger upload is stored with (a code in ``attachments.note``) → its words; a note a
person typed, or one stored as words before, is shown as it is (``messages.note_text``)."""
