"""Chinese labels of the core's codes, keyed by the codes' string values.

The core's enums are ``StrEnum``, so ``STATE_LABELS[State.draft]`` and ``STATE_LABELS["draft"]``
find the same label; this package imports nothing from weipian (a test checks every member of
each enum has a label).
"""

from __future__ import annotations

# Workflow states (ZT, ``domain.workflow.State``).
NO_UNIT = "（未归属）"  # a patch outside every township, or a unit not known

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

# Account roles (``domain.roles.Role``).
ROLE_LABELS: dict[str, str] = {
    "bureau_admin": "市局管理员",
    "bureau_reviewer": "市局审核员",
    "township": "乡镇核查员",
    "department": "部门联络员",
    "leader": "领导",
}

# Where patches come from (``domain.sources.Source``).
SOURCE_LABELS: dict[str, str] = {
    "ministry": "部卫片",
    "province": "省卫片",
    "self": "自主发现",
}

# Reference layer kinds (``domain.layers.LayerKind``).
LAYER_LABELS: dict[str, str] = {
    "landuse": "国土调查地类图斑",
    "basic_farmland": "永久基本农田",
    "eco_redline": "生态保护红线",
    "dev_boundary": "城镇开发边界",
    "preapproval": "建设用地预审",
    "conversion_approval": "建设用地审批（农转用/征收）",
    "land_supply": "土地供应",
    "temporary_use": "临时用地",
    "facility_agri": "设施农业用地",
    "consolidation": "全域土地综合整治试点",
    "linkage": "城乡建设用地增减挂钩（建新区）",
    "stable_farmland": "可以长期稳定利用耕地",
    "riverside": "江河沿岸（河流及岸线缓冲区）",
    "mining_right": "采矿权",
    "protected_area": "自然保护地",
    "military": "军事用地",
    "townships": "乡镇（街道）界线",
    "prior_patches": "往年卫片图斑",
}

# Ledger records (``domain.ledger.RecordState``).
RECORD_STATE_LABELS: dict[str, str] = {
    "rectifying": "整改中",
    "requested": "待审核销号",
    "closed": "已销号",
}

# 整改方式 (``domain.ledger.Method``).
METHOD_LABELS: dict[str, str] = {
    "demolish_restore": "拆除复耕",
    "retro_approval": "补办手续",
    "combined": "拆补组合",
    "none": "未整改",
}

# The 市局's answer to a 销号 request (``domain.ledger.Decision``).
DECISION_LABELS: dict[str, str] = {
    "approved": "同意销号",
    "returned": "退回",
}

# A referral's feedback entries (``domain.ledger.FeedbackStage``); also read back from sheets.
FEEDBACK_STAGE_LABELS: dict[str, str] = {
    "received": "接收",
    "accepted": "受理",
    "in_progress": "办理中",
    "done": "办结",
}

# 立案查处: land or mineral case (``domain.ledger.CaseKind``); also read back from sheets.
CASE_KIND_LABELS: dict[str, str] = {
    "land": "土地",
    "mineral": "矿产",
}

# What happened to a person held responsible (``domain.ledger.Outcome``).
OUTCOME_LABELS: dict[str, str] = {
    "discipline": "党纪政务处分",
    "organisational": "组织处理",
    "judicial": "移送司法",
}

# Where a case stands (``domain.cases.CaseStage``).
CASE_STAGE_LABELS: dict[str, str] = {
    "filed": "已立案",
    "decided": "已处罚",
    "closed": "已结案",
}

# 抄告 or 移交 (``domain.referrals.ReferralKind``).
REFERRAL_KIND_LABELS: dict[str, str] = {
    "referral": "抄告",
    "transfer": "移交",
}

# Where a referral stands (``domain.referrals.ReferralStatus``).
REFERRAL_STATUS_LABELS: dict[str, str] = {
    "open": "待反馈",
    "overdue": "已逾期",
    "answered": "已反馈",
    "answered_late": "逾期反馈",
}

# What falls due (``services.due.KINDS``).
DUE_KIND_LABELS: dict[str, str] = {
    "rectification": "整改时限",
    "referral": "抄告/移交反馈",
    "verification": "核查填报",
    "close_out": "销号待审核",
}

# Kinds of field evidence (``attachments.kind``).
EVIDENCE_KIND_LABELS: dict[str, str] = {
    "photo": "现场照片",
    "document": "审批文件等附件",
}

# A photo's automatic checks (``analysis.evidence.CHECK_CODES``).
PHOTO_CHECK_LABELS: dict[str, str] = {
    "position": "拍摄位置",
    "time": "拍摄时间",
    "direction": "拍摄方向",
    "not_reused": "未重复使用",
}

# 三大类 of a land class (``domain.landclass`` groups).
LAND_GROUP_LABELS: dict[str, str] = {
    "agri_land": "农用地",
    "construction_land": "建设用地",
    "unused_land": "未利用地",
}

# Where a patch lies against the mining licences (``domain.mining.MiningStatus``): the patch page,
# the result export's KQWZ, the rule trace and the mining reasons.
MINING_STATUS_LABELS: dict[str, str] = {
    "inside": "采矿权范围内",
    "straddling": "跨越采矿权界线",
    "outside": "采矿权范围外",
}

# The eight compass points (``analysis.evidence.COMPASS_POINTS``): a photo's direction.
COMPASS_LABELS: dict[str, str] = {
    "n": "北",
    "ne": "东北",
    "e": "东",
    "se": "东南",
    "s": "南",
    "sw": "西南",
    "w": "西",
    "nw": "西北",
}

# The work plan's priorities (重点关注, ``rules.PRIORITY_FLAGS``): suggestion flag → badge text.
PRIORITY_LABELS: dict[str, str] = {
    "stable_farmland": "稳定耕地",
    "riverside": "江河沿岸",
    "strategic_mineral": "战略性矿种",
}

# Responsibility units (``domain.organisation.UnitKind``).
UNIT_KIND_LABELS: dict[str, str] = {
    "township": "乡镇（街道）",
    "development_zone": "开发区",
    "section": "科室",
    "branch": "分局",
    "resource_office": "资源管理所",
}
