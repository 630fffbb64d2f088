"""Titles, subtitles and remarks of the files weipian writes (``document.*``): exports, the fill-in
sheets, the platform delivery, the case registers and the statistics documents.

The services that assemble a file pass a code and parameters; the words are here. Column headers
that are delivered field names or DOMAIN.md facts are data and stay with their columns.
:func:`weipian.messages.message` looks here too.
"""

from __future__ import annotations

DOCUMENT_MESSAGES: dict[str, str] = {
    "document.all_batches": "全部批次",
    "document.batch_note": "（批次：{batch}）",
    # exports and sheets
    "document.title.results": "卫片图斑内业比对结果（{batch}）",
    "document.title.sheet": "卫片图斑合法性判定填报表（{batch}）",
    "document.title.sheet_township": "卫片图斑合法性判定填报表（{batch}，{township}）",
    "document.title.delivery": "{platform_label}图斑核查成果报送表（{batch}）",
    # case registers (立案查处)
    "document.title.case_register": "立案查处台账（{on:%Y年%m月%d日}导出，共 {count} 件）",
    "document.title.mineral_register": "矿产执法台账（{on:%Y年%m月%d日}导出，共 {count} 宗）",
    "document.case_none": "未立案",
    "document.licence_none": "无",
    # statistics documents (services/documents.py)
    "document.title.monthly": "{county}{period}卫片执法月清月结情况报告",
    "document.title.annual": "{county}{year}年度卫片执法工作成果报告",
    "document.title.ledger": "{county}{period}卫片执法{ledger}",
    "document.ledger.illegal": "非农违法图斑清单",
    "document.ledger.rectification": "整改统计表",
    "document.ledger.housing": "乱占耕地建房清单",
    "document.title.military": "【涉密·仅限离线报送】{county}涉军事用地卫片图斑清单",
    "document.secret": "涉密　仅限离线报送（机要渠道），不得网络传输",
    "document.subtitle.on": "统计日期：{on:%Y-%m-%d}",
    "document.subtitle.on_mu": "统计日期：{on:%Y-%m-%d}　面积单位：亩",
    "document.subtitle.combined": "　拆补组合的图斑同时计入拆除与补办宗数",
    "document.subtitle.military": "{secret}　生成：{actor}　{on:%Y-%m-%d}",
    "document.chart.unit_ratio": "各乡镇（街道）违法占用耕地比例分布",
    "document.chart.patches": "卫片图斑分布（不含涉军事用地图斑）",
}
