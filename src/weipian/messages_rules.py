"""Chinese sentences for the codes of :mod:`weipian.rules`: errors, reasons, determination checks.

Merged into :data:`weipian.messages.MESSAGES`. ``rules.invalid.<problem>`` sentences fill the
``detail`` of a ``rules.invalid`` error. Tests assert codes, not these sentences.
"""

from __future__ import annotations

__all__ = ["RULE_MESSAGES"]

_ERRORS = {
    "rules.invalid": "规则文件 {path} 有误（位置：{where}）：{detail}",
    "rules.not_in_force": "规则项 {name} 在 {on} 尚未生效（规则字典中没有该日期或更早的取值）。",
    "rules.case_invalid": "判定案例文件 {path} 有误（位置：{where}）：{detail}",
}

_PROBLEMS = {
    "rules.invalid.yaml": "YAML 格式错误（第 {line} 行附近）。",
    "rules.invalid.not_mapping": "此处应为“键: 值”映射。",
    "rules.invalid.not_text": "此处应为非空文本，实际为 {value}。",
    "rules.invalid.not_list": "此处应为列表。",
    "rules.invalid.value_type": "取值 {value} 类型不对，应为 {expected}。",
    "rules.invalid.value_range": "取值 {value} 超出范围（{low} 至 {high}）。",
    "rules.invalid.unknown_key": "未知的键；可用的键：{allowed}。",
    "rules.invalid.missing_key": "缺少必需的键。",
    "rules.invalid.code_not_text": '代码 {value} 必须加引号写成文本（如 "01"），否则前导零会丢失。',
    "rules.invalid.unknown_group": "未知的分组 {value}；可用：{allowed}。",
    "rules.invalid.unknown_kind": "未知的图层或审批类型 {value}；可用：{allowed}。",
    "rules.invalid.unknown_reason": "原因代码 {value} 没有对应的中文说明，请使用已有的原因代码。",
    "rules.invalid.unknown_value": "未知的取值 {value}；可用：{allowed}。",
    "rules.invalid.unknown_flag": "未知的标记 {value}；可用：{allowed}。",
    "rules.invalid.review_code": "审核原因代码 {value} 应形如 pass.xxx 或 return.xxx（小写英文和下划线）。",
    "rules.invalid.duplicate": "{value} 重复定义。",
    "rules.invalid.duplicate_key": "键 {value} 在同一处写了两次。",
    "rules.invalid.no_files": "目录中没有 .yaml 规则文件。",
    "rules.invalid.not_found": "找不到规则文件或目录。",
    "rules.invalid.extends": "extends 只能写 default（在默认规则基础上修改），实际为 {value}。",
    "rules.invalid.date_key": "生效日期 {value} 无法识别，请写成 YYYY-MM-DD。",
    "rules.invalid.no_values": "没有任何按生效日期给出的取值（values）。",
    "rules.invalid.unknown_name": "未知的规则项 {value}（可能拼写错误）。",
    "rules.invalid.unit": "单位 {value} 不适用于该项；可用单位：{allowed}。",
    "rules.invalid.version_missing": "缺少规则版本号 version。",
    "rules.invalid.missing_name": "缺少必需的规则项 {value}。",
    "rules.invalid.alias_shadows": "别名 {value} 与正式取值相同，不能作为别名。",
    "rules.invalid.alias_target": "别名指向的取值 {value} 不在该字典中。",
    "rules.invalid.not_in_force": "引用的字典 {value} 在 {on} 尚未生效。",
    "rules.invalid.unknown_label": "取值 {value} 不在字典 {dictionary} 当日有效的取值中。",
    "rules.invalid.range_order": "下限 {low} 大于上限 {high}。",
}

_REASONS = {
    # inputs
    "input.bad_area": "图斑面积无效（{area_m2}），无法预判，请核对图斑数据。",
    "input.partial": "未加载图层：{layers}，相关检查已跳过。",
    "input.missing": "缺少图层 {layers}，无法完成预判，请补充后重新预判。",
    "input.unknown_change_type": "图斑类型“{change_type}”不在当日有效的图斑类型字典中，无法预判，请核对下发数据的图斑类型。",
    # annotations
    "eco_redline.overlap": "图斑压占生态保护红线 {area_m2} 平方米。",
    "protected_area.overlap": "图斑压占自然保护地 {area_m2} 平方米。",
    "priority.stable_farmland": "图斑涉及可以长期稳定利用耕地 {area_m2} 平方米，属重点关注，请优先核查。",
    "priority.riverside": "图斑位于江河沿岸（河流及岸线缓冲区）{area_m2} 平方米，属重点关注，请优先核查。",
    "priority.strategic_mineral": "所涉采矿权开采矿种为{mineral}，属战略性矿种（{strategic}），请优先核查。",
    "prior.same_place": "同一位置有往期图斑 {code}（{year} 年，判定：{determination}），可复用举证材料。",
    "military.overlap": "图斑压占军事用地 {area_m2} 平方米：按伪变化填报、备注特殊用地，材料经机要渠道报送，不得上网。",
    # approvals
    "approval.covered": "{route}手续 {doc_no} 覆盖图斑 {ratio_pct}%（不低于 {threshold_pct}%），且批准早于后时相。",
    "approval.covered_temporary": "临时用地 {doc_no} 覆盖图斑 {ratio_pct}%（不低于 {threshold_pct}%），后时相在批准期限内，未见永久性建筑。",
    "approval.combined_routes": "{routes} 合计覆盖 {ratio_pct}%，单一手续均未达到 {threshold_pct}%，请人工核实。",
    "approval.partial": "{route}手续仅覆盖图斑 {ratio_pct}%（低于 {threshold_pct}%）。",
    "approval.preapproval_only": "仅有{route}（{doc_no}，覆盖 {ratio_pct}%），预审不能单独作为合法依据，请人工核实。",
    "approval.date_unknown": "{route}手续 {doc_no} 或后时相缺少日期，无法核对是否先批后建。",
    "approval.after_change": "{route}手续 {doc_no} 批准于 {doc_date}，晚于后时相 {after_date}：属先建后批，补办手续不能作为判定合法的依据。",
    "approval.between_images": "{route}手续 {doc_no} 批准于 {doc_date}，晚于前时相 {before_date}：请核实批准前是否已动工（未批先建）。",
    "temporary.expired": "临时用地 {doc_no} 在后时相 {after_date} 不在有效期内（有效期至 {valid_to}）。",
    "temporary.expired_since": "临时用地 {doc_no} 已于 {valid_to} 到期，请核实是否已恢复原状。",
    "temporary.permanent_structure": "临时用地 {doc_no} 上建有永久性建筑，临时用地禁止永久建筑。",
    # 设施农用地, 农村道路, 其他
    "facility.partial": "设施农用地上图入库 {doc_no} 仅覆盖图斑 {ratio_pct}%（低于 {threshold_pct}%）。",
    "facility.registered": "设施农用地已上图入库（{doc_no}，覆盖 {ratio_pct}%），未使用耕地。",
    "facility.on_farmland": "设施农用地 {doc_no} 使用耕地 {farmland_m2} 平方米：按自然资规〔2019〕4号可使用一般耕地，请核实是否落实耕地进出平衡、属种植设施还是养殖设施。",
    "facility.on_basic_farmland": "设施农用地使用永久基本农田 {basic_farmland_m2} 平方米：种植设施不破坏耕作层的可以使用；养殖设施原则上不得使用，确需使用的须补划，请核实。",
    "facility.not_facility_change": "图斑有设施农用地备案 {doc_no}，但变化类型为{change_name}（{change_type}），不属于设施农业用地，须按建设用地办理手续。",
    "road.width_unknown": "农村道路宽度未知，请实地量测（应在 {min_m}–{max_m} 米之间）。",
    "road.width_ok": "道路宽度 {width_m} 米，在农村道路 {min_m}–{max_m} 米范围内。",
    "road.width_out_of_range": "道路宽度 {width_m} 米，超出农村道路 {min_m}–{max_m} 米范围。",
    "other.access": "出入口：套合 {ratio_pct}%（不低于 {threshold_pct}%），未套合耕地 {unmatched_m2} 平方米。",
    "other.sliver": "边角细缝：{route}手续外仅余 {uncovered_m2} 平方米（不超过 {max_m2} 平方米）。",
    "other.homestead": "建房位于原有农村宅基地上，未占用耕地。",
    "other.village_area": "位于村庄（城镇村属性码 203）范围内，未占用耕地。",
    "other.water_works": "位于河道、水域范围内的水工建筑，直接服务于河道。",
    "change.non_grain": "耕地上改种园地、草地或挖塘养殖，属耕地“非粮化”，请移交农业农村部门。",
    "change.still_farmland": "耕地上仍为耕种，属正常农业生产，不属非粮化。",
    "change.afforestation_on_farmland": "耕地上植树造林 {farmland_m2} 平方米，属耕地“非农化”（禁止违规占用耕地绿化造林），请核实并督促恢复耕种。",
    "change.pond_on_basic_farmland": "永久基本农田上挖塘 {basic_farmland_m2} 平方米：永久基本农田禁止挖塘养鱼，涉嫌破坏永久基本农田。",
    "change.water_construction_on_farmland": "水库、河道等水利工程占用耕地 {farmland_m2} 平方米，属建设行为，须办理用地审批。",
    "change.water_surface": "河流、水库范围内的水面变化，未占用耕地。",
    "change.agricultural": "农业或水面变化，非建设行为。",
    "change.earthwork": "未占用耕地的推填土、动土，请实地核实是否已动工建设。",
    "change.earthwork_on_farmland": "耕地上{change_name}，涉嫌破坏耕地，请实地核实是否已动工建设。",
    # 违法
    "farmland.no_approval": "占用耕地 {farmland_m2} 平方米（{farmland_mu} 亩），未见合法手续。",
    "basic_farmland.no_approval": "占用永久基本农田 {basic_farmland_m2} 平方米（{basic_farmland_mu} 亩），未见合法手续。",
    "construction.no_approval": "{change_name} {area_m2} 平方米，未见合法用地手续。",
    "threshold.crime_basic_farmland": "占用永久基本农田 {area_mu} 亩，面积达到立案追诉标准（{min_mu} 亩），须核实是否改变用途并造成耕地毁坏。",
    "threshold.crime_farmland": "占用永久基本农田以外的耕地 {area_mu} 亩，面积达到立案追诉标准（{min_mu} 亩），须核实是否改变用途并造成耕地毁坏。",
    "threshold.crime_needs_finding": "占用耕地面积达到立案追诉标准，但变化为{change_name}：须实地核实是否改变用途并造成耕地毁坏后再作判断。",
    "threshold.discipline_basic_farmland": "占用基本农田 {area_mu} 亩，达到2000年暂行办法追究个人责任标准（{min_mu} 亩）。",
    "threshold.discipline_farmland": "占用耕地 {area_mu} 亩，达到2000年暂行办法追究个人责任标准（{min_mu} 亩）。",
    "threshold.discipline_other_land": "占用其他土地 {area_mu} 亩，达到2000年暂行办法追究个人责任标准（{min_mu} 亩）。",
    "threshold.mineral_field_check": "疑似违法采矿 {area_mu} 亩，达到省级实地核查标准（{min_mu} 亩）。",
    "farmland_housing.candidate": "疑似新增农村乱占耕地建房：占用耕地 {farmland_m2} 平方米（起算日 {cutoff}），请单列标注。",
    "farmland_housing.check_build_date": "前时相 {before_date} 早于起算日 {cutoff}，请核实建设时间是否在起算日之后。",
    "farmland_housing.before_cutoff": "后时相 {after_date} 早于新增起算日 {cutoff}，不列入新增乱占耕地建房。",
    "farmland_housing.urban": "位于城市、建制镇范围（城镇村属性码 201/202 占 {ratio_pct}%），不列入农村乱占耕地建房。",
    "farmland_housing.street": "所在单位为{kind}，不列入农村乱占耕地建房。",
    "farmland_housing.dev_boundary": "图斑 {ratio_pct}% 位于城镇开发边界内，不列入农村乱占耕地建房。",
    "farmland_housing.approved": "用地批准、供地或有效临时用地覆盖图斑 {ratio_pct}%，不列入农村乱占耕地建房，请核实手续。",
    "farmland_housing.too_large": "建筑占地 {area_mu} 亩，超过农村建房规模（{max_mu} 亩），疑似工矿或经营性建设，不列入农村乱占耕地建房。",
    # minerals
    "mining.licensed": "位于有效采矿许可范围内。",
    "mining.out_of_bounds": "跨越采矿许可范围，界外 {outside_m2} 平方米，疑似越界开采。",
    "mining.unlicensed": "不在任何采矿许可范围内，变化类型为{change_name}，疑似无证开采。",
    "mining.licence_invalid": "图斑{status_label}，但采矿许可在后时相已失效，疑似无证开采。",
    "mining.validity_unknown": "采矿许可有效期未知，无法判断是否持证开采。",
    "mining.check_construction": "{change_name}位于已批准或已供应的建设项目内、不在采矿许可范围内：请核实是否属工程施工；采出矿产品对外销售的按无证开采处理。",
    "mining.not_mining": "不在采矿许可范围内，变化类型为{change_name}，不属采矿，疑似非开采（工程建设等）。",
    "mining.status_unknown": "采矿许可套合状态无法识别（{status}），请检查采矿权图层后重新比对。",
}

FIELD_LABELS: dict[str, str] = {
    "verdict": "判定结果",
    "subtype": "细类",
    "opinion": "核实认定意见",
    "route": "举证类型",
    "doc_no": "批准文号",
    "ratio_pct": "占比",
    "violation_type": "违法类型",
    "illegal_area_m2": "违法用地面积",
    "farmland_area_m2": "违法占用耕地面积",
    "basic_farmland_area_m2": "违法占用永久基本农田面积",
    "is_new": "新增/存量",
    "mineral_verdict": "矿产判定结果",
    "mineral_handling": "矿产处理方式",
    "farmland_housing": "乱占耕地建房标注",
    "farmland_housing_class": "乱占耕地建房类别",
    "build_date": "建设时间",
}
"""Determination fields → the Chinese names people know them by (no field codes in sentences)."""

_CLAIMS = {
    "claim.no_record": "申报的{route}文号“{doc_no}”在审批类图层中找不到与本图斑相交的记录，请核实文号、查看材料。",
    "claim.low_coverage": "申报的{route}文号“{doc_no}”在图层中仅覆盖图斑 {recorded_pct}%（申报 {claimed_pct}%，判定合法须不低于 {threshold_pct}%），请核实。",
    "claim.unverifiable": "“{route}”没有对应的图层，文号“{doc_no}”无法自动核对，请审核时查看材料。",
}

_DETERMINATION = {
    "determination.verdict_needed": "判定结果不能为空，请选择：{options}。",
    "determination.unknown_label": "{field_label}“{value}”不在当日有效的字典中，可选：{options}。",
    "determination.subtype_not_for_verdict": "细类“{value}”不属于{verdict}类判定，可选：{options}。",
    "determination.legal_needs_approval": "判定为{verdict}时须填写至少一项批准文号及其占比。",
    "determination.approval_incomplete": "第 {index} 项批准手续缺少{field_label}。",
    "determination.ratio_out_of_range": "第 {index} 项批准手续的占比 {ratio_pct}% 应大于 0 且不超过 100。",
    "determination.facility_needs_registry": "判定为设施农用地时须填写{route}上图入库号及占比。",
    "determination.illegal_needs_type": "判定为违法时须填写违法类型。",
    "determination.illegal_needs_area": "判定为违法时须填写违法用地面积。",
    "determination.new_flag_needed": "判定为违法时须注明新增或存量。",
    "determination.area_exceeds_patch": "{field_label} {area_m2} 平方米超过图斑面积 {patch_area_m2} 平方米。",
    "determination.negative_area": "{field_label}不能为负数。",
    "determination.farmland_exceeds_illegal": "违法占用耕地面积 {farmland_m2} 平方米超过违法用地面积 {illegal_m2} 平方米。",
    "determination.basic_exceeds_illegal": "违法占用永久基本农田面积 {basic_m2} 平方米超过违法用地面积 {illegal_m2} 平方米。",
    "determination.impossible_combination": "判定为{verdict}时不能填写{field_label}。",
    "determination.not_mining_field": "未标注为涉矿图斑时不能填写{field_label}；涉矿的请先勾选“涉矿”。",
    "determination.subtype_needed": "判定为{verdict}时须选择细类。",
    "determination.opinion_needed": "判定为{verdict}时须填写核实认定意见（说明理由）。",
    "determination.mineral_needed": "涉矿图斑须填写矿产判定结果。",
    "determination.mineral_handling_needed": "矿产判定为{mineral_verdict}时须填写处理方式。",
    "determination.handling_needs_explanation": "处理方式为{handling}时须填写情况说明。",
    "determination.housing_class_needed": "标注为乱占耕地建房时须选择类别。",
    "determination.housing_needs_farmland": "标注为乱占耕地建房时须填写违法占用耕地面积。",
    "determination.build_date_future": "建设时间 {build_date} 晚于判定日期 {on}。",
}

RULE_MESSAGES: dict[str, str] = {**_ERRORS, **_PROBLEMS, **_REASONS, **_CLAIMS, **_DETERMINATION}
"""Every code of the rules package → its Chinese sentence."""
