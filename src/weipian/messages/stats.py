"""Chinese sentences for statistics, exclusions, documents and platform exports (``stats.*``,
``exclusion.*``, ``document.*``, ``delivery.*``, ``interview.*``).
:func:`weipian.messages.message` looks here too."""

from __future__ import annotations

STATS_MESSAGES: dict[str, str] = {
    # the period a statistic covers (stats.periods.Period.label; messages.period_text joins them)
    "period.month": "{year}年{month}月",
    "period.year": "{year}年度",
    "period.quarter": "{year}年度第{quarter}季度",
    "period.source": "{source_label}",
    "period.batch": "{batch}",
    "period.all": "全部",
    "period.key_quarter": "{year}年第{quarter}季度",
    "period.key_month": "{year}年{month}月",
    "period.key_unknown_quarter": "{year}年（下发季度不详）",
    "period.key_unknown_month": "{year}年（下发月份不详）",
    # the remarks of the 非农违法图斑清单 (stats.tables.illegal_items), joined with "；"
    "stats.remark.new": "新增",
    "stats.remark.stock": "存量",
    "stats.remark.excluded": "排除：{category}",
    "stats.remark.closed": "已销号",
    # 乱占耕地建房 (stats.tables.housing_table): classes and opinions the core leaves as None/flags
    "stats.housing.unclassified": "未分类",
    "stats.housing.candidate": "规则提示（未认定）",
    "stats.housing.flagged": "规则提示",
    "stats.housing.undetermined": "未认定",
    "stats.month_invalid": "月份“{value}”无效。请使用 YYYY-MM，例如 2022-11。",
    "stats.year_invalid": "年度“{value}”无效。请使用四位年份，例如 2022。",
    "stats.month_year_mismatch": "月份 {month} 不在所选年度 {year} 内。请只给 --month，或让两者一致。",
    "stats.unit_unknown": "没有代码为“{unit}”的乡镇（街道）或单位。请使用 9 位行政区代码（例如 350583113）或单位代码（可用 weipian units list 查看）。",
    "stats.unit_section": "{name}（{unit}）是市局科室，不管辖乡镇，不参与统计排名。请选择乡镇（街道）、开发区、分局或资源管理所。",
    "stats.forbidden": "您的账号没有查看统计的权限。",
    "stats.documents_forbidden": "只有市局账号和领导账号可以下载全市报告和台账。",
    "stats.quarter_invalid": "季度“{value}”无效。请使用 1–4。",
    "stats.quarter_needs_year": "按季度统计须同时给出年度，例如 --year 2022 --quarter 4。",
    "stats.batch_unknown": "没有名为“{batch}”的批次。已有批次：{known}（可用 weipian summary 查看）。",
    "stats.source_unknown": "来源“{value}”无效。可用：{known}。",
    # 警示约谈 reasons (weipian.stats.evaluation)
    "interview.ratio": "违法占用耕地比例 {ratio_pct}% 达到问责线 {line_pct}%，且违法占用耕地 {farmland_mu} 亩不少于 {area_min_mu} 亩",
    "interview.unrectified": "未整改耕地 {farmland_mu} 亩，达到约谈线 {min_mu} 亩",
    "interview.on_time": "15日按期核查率 {rate_pct}% 低于 {min_pct}%",
    # 排除情形
    "exclusion.category_unknown": "排除情形“{category}”不在规则字典中。可用：{known}。",
    "exclusion.forbidden": "只有市局管理员或审核员可以设置或取消比例排除情形。",
    "exclusion.not_set": "图斑 {code} 没有设置排除情形，无需取消。",
    "exclusion.reason_needed": "取消排除情形必须说明原因（--reason）。",
    # documents
    "document.format": "不支持的文件类型“{suffix}”。月报请用 .docx 或 .xlsx，年报请用 .docx，台账请用 .xlsx。",
    "document.forbidden": "涉军事用地离线报送包只能由市局管理员或审核员生成，您的账号（{role}）无权生成。",
    "document.unknown_kind": "未知的台账类型“{kind}”。可用：{kinds}。",
    "document.pdf_failed": "已生成 {path}，但转换 PDF 失败：{detail}",
    # platform delivery exports
    "delivery.source": "未知的平台“{platform}”。请使用 ministry（部平台）或 province（省平台）。",
    "delivery.incomplete": "有 {count} 个图斑的必填字段未填写（逐个列出如下），未写入文件。请补全后再导出，或加 --force 仍然导出。",
    "delivery.nothing": "没有可报送的{platform_label}图斑{batch_note}（涉军事用地图斑不在线报送）。",
}
