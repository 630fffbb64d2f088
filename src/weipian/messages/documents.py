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
}
