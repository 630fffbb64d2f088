"""Chinese sentences for the case register (立案查处, ``case.*``) and the 矿产执法台账.

:func:`weipian.messages.message` looks here after the other tables.
"""

from __future__ import annotations

CASE_MESSAGES: dict[str, str] = {
    # access and state
    "case.forbidden": "{role}不能登记或修改图斑 {code} 的立案查处信息：立案、处罚、结案和责任追究由市局审核员或市局管理员办理。",
    "case.not_illegal": "图斑 {code} 的判定结果为“{verdict}”，不是违法（土地或矿产），不能立案。",
    "case.not_reviewed": "图斑 {code} 的违法判定尚未经市局审核通过（当前状态：{state_label}），审核通过后才能立案。",
    "case.kind_unknown": "案件类别“{kind}”无法识别，请填写 土地 或 矿产（land / mineral）。",
    "case.kind_mismatch": "图斑 {code} 的判定不是{kind}违法，不能按{kind}案件立案。",
    "case.exists": "图斑 {code} 已经立案，不能重复立案。请在原案件中更新处罚、结案等信息。",
    "case.number_taken": "立案号“{number}”已被另一案件使用。立案号不能重复，请核对。",
    "case.no_case": "图斑 {code} 还没有立案。请先立案（weipian case open）。",
    "case.no_case_id": "找不到该图斑（编号 {id}）的案件。",
    "case.closed_already": "图斑 {code} 的案件已于 {closed_on} 结案，不能再修改。",
    "case.stale": "图斑 {code} 的案件已被 {by} 修改（现为第 {version} 版），您的修改未保存。请刷新后在最新内容上重新修改。",
    "case.suggestions_pending": "图斑 {code} 的案件还有 {count} 条系统建议的责任追究未处理，不能结案。请逐条确认（填写被追责人员）或说明理由不予追究。",
    # values
    "case.invalid": "图斑 {code} 的立案查处信息有误，未保存：{problems}",
    "case.number_needed": "请填写立案号。",
    "case.number_too_long": "立案号过长（{length} 字），最多 {max} 字。",
    "case.number_bad_char": "立案号只能是一行文字，不能含换行或控制字符。",
    "case.decision_no_bad": "处罚决定书文号只能是一行文字，最多 {max} 字。",
    "case.date_future": "{field} {date} 晚于今天（{today}），请核对。",
    "case.decision_incomplete": "处罚决定书文号和处罚决定日期要同时填写。",
    "case.decision_before_filing": "处罚决定日期 {decision_on} 早于立案日期 {filed_on}。",
    "case.closed_before_filing": "结案日期 {closed_on} 早于立案日期 {filed_on}。",
    "case.closed_before_decision": "结案日期 {closed_on} 早于处罚决定日期 {decision_on}。",
    "case.amount_negative": "{field}不能为负数或非数值（收到 {value}）。",
    "case.confiscated_over_illegal": "没收面积 {area} ㎡ 超过该图斑的违法面积 {illegal} ㎡。",
    "case.not_number": "{field}必须是数字（收到“{value}”）。",
    "case.field_unknown": "无法修改这些字段：{fields}。",
    "case.nothing_given": "没有要修改的内容：请给出处罚决定书文号和日期、罚款、没收金额、没收面积等至少一项。",
    "case.nothing_changed": "填写的内容与现有记录相同，未作修改。",
    "case.filed_needed": "立案日期不能为空。",
    "case.too_long": "{field}过长（{length} 字），最多 {max} 字。",
    "case.bad_char": "{field}只能是一行文字，不能含换行或控制字符。",
    # persons
    "case.person_name_needed": "请填写被追责人员的姓名。",
    "case.outcome_unknown": "责任追究结果“{outcome}”不在字典中。可选：{known}。",
    "case.no_person": "图斑 {code} 的案件中没有第 {id} 号责任追究记录。",
    "case.person_confirmed": "图斑 {code} 的第 {id} 号责任追究已由 {by} 确认，不能再确认或撤销。",
    "case.dismiss_reason_needed": "不予追究必须说明理由。",
    "case.person_or_confirm": "请用 --name 和 --outcome 登记责任人，或用 --confirm/--dismiss 处理系统建议（不能同时使用）。",
    # notices (web)
    "case.opened": "已立案。",
    "case.updated": "案件信息已保存。",
    "case.closed": "已结案。",
    "case.person_added": "已登记责任追究。",
    "case.person_confirmed_ok": "已确认责任追究。",
    "case.suggestion_dismissed": "已不予追究该建议，理由已记入操作记录。",
    "case.export_empty": "没有符合条件的案件，未生成文件。",
}
