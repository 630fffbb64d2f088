"""Stable codes → Simplified Chinese sentences for the CLI, the web and reports.

Each sentence says what is wrong and, where it helps, what to do. Tests assert codes, not
these sentences.
"""

from __future__ import annotations

from typing import Any

from weipian.messages_cases import CASE_MESSAGES  # the case register (立案查处)
from weipian.messages_evidence import EVIDENCE_MESSAGES  # imagery, photos, attachments, referrals
from weipian.messages_ledger import AREA_FIELD_LABELS, LEDGER_MESSAGES  # ledger, 销号, reminders
from weipian.messages_rules import RULE_MESSAGES, TRACE_MESSAGES  # the rules' codes, kept beside them
from weipian.messages_split import SPLIT_MESSAGES  # patch splits (图斑拆分)
from weipian.messages_stats import STATS_MESSAGES  # statistics, documents, platform exports
from weipian.messages_web import WEB_MESSAGES  # accounts and the web edge

MESSAGES: dict[str, str] = {
    # packages and files
    "package.not_found": "找不到文件：{path}。请检查路径是否正确。",
    "package.unsupported": "不支持的文件类型：{path}。请提供 .zip（内含 shapefile）、.shp、.gpkg 或 .geojson 文件。",
    "package.corrupt_zip": "压缩包已损坏或不是有效的 zip 文件：{path}。请重新下载或重新打包后再导入。",
    "package.zip_bad_name": "压缩包 {path} 中的文件名“{name}”含有绝对路径或“..”，可能指向压缩包以外的文件，已拒收，未写入任何数据。请重新打包（只放数据文件本身）后再导入。",
    "package.zip_bomb": "压缩包 {path} 中的“{name}”解压后异常巨大（压缩比或总大小超出上限），疑似恶意构造，已拒收，未写入任何数据。",
    "package.zip_too_many": "压缩包 {path} 中有 {count} 个文件，超过 {limit} 个的上限，已拒收。请每个压缩包只放一个图层的文件。",
    "log.broken_hash": "操作记录已被改动：第 {id} 号记录（图斑内部编号 {patch_id}，{action}，{at}）的内容与其哈希不符（已核对 {checked} 条，从这条起的记录不可信）。请立即报告系统管理员并从备份核对。",
    "log.broken_link": "操作记录链已断：第 {id} 号记录（图斑内部编号 {patch_id}，{action}，{at}）之前的记录被删除、插入或改动。请立即报告系统管理员并从备份核对。",
    "internal.error": "处理时发生意外错误（{kind}），操作已整体撤销，未写入任何数据。请检查输入文件；如反复出现，请设置 WEIPIAN_DEBUG=1 重试并把输出交给系统管理员。",
    "package.no_dataset": "压缩包 {path} 中没有找到 .shp、.gpkg 或 .geojson 数据文件。",
    "package.many_datasets": "压缩包 {path} 中有多个数据文件（{names}），无法确定导入哪一个。请每个压缩包只放一个图层。",
    "package.unreadable": "无法读取文件 {path}：文件内容与扩展名不符或已损坏（{detail}）。",
    "package.no_geometry": "文件 {path} 没有几何图形（空间）字段，无法作为图斑或图层导入。",
    "package.empty": "文件 {path} 中没有任何要素。",
    "package.all_rejected": "文件 {path} 中的 {count} 条记录全部不能导入（见逐条原因），未写入任何数据。",
    "package.missing_field": "文件 {path} 缺少必需字段 {field}（也未找到其别名 {aliases}）。请检查字段名。",
    "crs.unknown": "无法识别文件 {path} 的坐标系（{detail}）。请提供正确的 .prj 文件。",
    "crs.ambiguous": "文件 {path} 没有 .prj 坐标系文件，且无法从坐标值唯一推断坐标系（候选：{candidates}）。请补充 .prj 文件后再导入。",
    "crs.transform_failed": "文件 {path} 的坐标无法从 {crs} 转换为 CGCS2000 经纬度，请检查 .prj 坐标系文件是否与数据一致。",
    "crs.inferred": "文件 {path} 没有 .prj 坐标系文件，已根据坐标值推断为 EPSG:{epsg}，请核对。",
    "batch.exists": "批次“{batch}”（{source}）已导入过，不能重复导入。如需重新导入，请换一个批次名称。",
    "export.format": "不支持的导出格式：{format}。可用：{formats}。",
    "batch.not_found": "没有名为“{batch}”的批次。",
    # A self-found case (自主发现) registered by hand: weipian intake manual and /intake/manual.
    "manual.forbidden": "只有市局账号（管理员、审核员）可以登记自主发现图斑。",
    "manual.no_geometry": "没有提供图形。请在地图上画出图斑范围，或粘贴坐标串（“经度 纬度, 经度 纬度, …”）或 GeoJSON。",
    "manual.geometry_twice": "请只用一种方式提供图形：--geojson 文件或 --coords 坐标串，二选一。",
    "manual.input_too_long": "粘贴的图形内容过长（{chars} 个字符，上限 {limit}）。一个图斑的边界不需要这么多内容，请检查是否粘贴了整个图层。",
    "manual.too_many_vertices": "图形有 {count} 个拐点，超过 {limit} 个的上限。请简化边界后再登记。",
    "manual.too_few_points": "图形只有 {count} 个不同的点，至少需要 3 个点才能围成一个面。",
    "manual.coords_invalid": "坐标“{part}”无法识别。每个点写成“经度 纬度”（空格分隔），点与点之间用逗号、分号或换行分隔。",
    "manual.geojson_invalid": "GeoJSON 内容无法识别（{detail}）。请粘贴一个面（Polygon / MultiPolygon）的 GeoJSON。",
    "manual.geojson_features": "GeoJSON 中有 {count} 个要素，一次只能登记一个图斑。请只保留要登记的那一个。",
    "manual.geometry_not_polygon": "图形不是面（{geom_type}）。自主发现图斑须是一个闭合的面。",
    "manual.geometry_invalid": "图形无效（{reason}），未登记。请重新绘制或检查拐点顺序，使边界不交叉。",
    "manual.geometry_empty": "图斑 {jcbh} 的图形为空，未登记。",
    "manual.coordinates_invalid": "图斑 {jcbh} 的坐标超出经纬度范围或不是有效数值，未登记。请检查坐标和坐标系。",
    "manual.outside_county": "图斑 {jcbh} 的图形不在本县范围内，未登记。请检查坐标是否为 CGCS2000 经纬度（投影坐标请注明坐标系，如 EPSG:4527）。",
    "manual.crs_ambiguous": "无法从坐标值判断坐标系（可能：{candidates}），未登记。请注明坐标系（如 EPSG:4490 经纬度、EPSG:4527 高斯投影）。",
    "manual.crs_unrecognised": "坐标值既不是本县的经纬度，也不像本县的高斯投影坐标，未登记。请检查坐标，或注明坐标系（如 EPSG:4527）。",
    "manual.crs_unknown": "无法识别坐标系“{crs}”，未登记。请写成 EPSG 代码，如 EPSG:4490 或 EPSG:4527。",
    "manual.too_large": "图斑面积 {area_m2} 平方米，超过单个自主发现图斑 {limit_m2} 平方米的上限，未登记。请检查边界是否画错。",
    "manual.exists": "自主发现图斑 {jcbh} 已登记过，监测编号不能重复。请换一个编号。",
    "manual.jcbh_invalid": "监测编号“{jcbh}”不合要求：须为 1–64 个字母、数字、汉字、“-”或“_”，不能含空格和其他符号。",
    "manual.change_type_unknown": "图斑类型“{code}”不在字典中，可选：{known}。",
    "manual.note_invalid": "情况说明不能超过 {limit} 个字，也不能含控制字符。",
    "manual.batch_invalid": "批次名称不能超过 128 个字，也不能含控制字符。",
    "manual.source_self_only": "手工登记的图斑来源只能是自主发现（self），不能是“{source}”。部、省下发的图斑请用 weipian import 导入数据包。",
    "manual.date_invalid": "发现日期“{value}”无法识别，请写成 YYYY-MM-DD。",
    "manual.registered": "自主发现图斑 {jcbh} 已登记（{area_m2} 平方米，{township}），核查截止 {due_on}。",
    "layer.unknown_kind": "未知的图层类型：{kind}。可用类型：{kinds}。",
    "layer.coordinates_invalid": "图层文件 {path} 中有 {count} 个要素的坐标超出经纬度范围或不是有效数值（首个在第 {first_row} 行），整个图层未导入。请检查数据和 .prj 坐标系文件。",
    "layer.outside_county": "图层文件 {path} 中有 {count} 个要素完全在本县范围（WEIPIAN_COUNTY_BBOX）之外（首个在第 {first_row} 行），可能是坐标系有误，整个图层未导入。确需导入请加 --allow-outside。",
    "layer.military_releases": "新版本军事用地图层将使 {count} 个原涉军图斑解除限制（不再涉军、可被导出和查看），未导入。请核对图层是否完整；确认无误请加 --confirm 重新导入。",
    "layer.missing_field": "图层文件 {path} 缺少 {kind} 类型所需的字段 {field}。",
    "source.unknown": "未知的图斑来源：{source}。可用：ministry（部卫片）、province（省卫片）、self（自主发现）。",
    "date.invalid": "日期格式不正确：{value}。请使用 YYYY-MM-DD。",
    "database.url": "数据库地址无法识别：{url}。请使用 sqlite:///文件.db 或 postgresql+psycopg://用户@主机/库。",
    "database.not_initialised": "数据库尚未初始化或版本过旧。请先运行：weipian init",
    "database.postgis_missing": "PostgreSQL 数据库未安装 PostGIS 扩展。请在该库中执行：CREATE EXTENSION postgis;",
    # workflow
    "workflow.refused": "图斑当前状态为“{state_label}”，不能执行“{action_label}”。",
    "workflow.not_frozen": "图斑 {code} 尚未上报，直接修改判定即可，无需更正。",
    "permission.denied": "您没有权限对图斑 {code} 执行“{action_label}”。",
    "patch.not_found": "找不到监测编号为 {code} 的图斑。",
    "patch.ambiguous": "监测编号 {code} 对应多个图斑（{candidates}），请用 --source 和 --year 指明。",
    "patch.frozen": "图斑 {code} 已上报，判定结果已冻结；如需更正请使用更正（record.correct）并说明原因。",
    "determination.missing": "图斑 {code} 还没有保存判定结果，不能提交。",
    "determination.invalid": "图斑 {code} 的判定结果不符合规则：{problems}",
    "determination.stale": "图斑 {code} 的判定已被{by}于 {at} 修改（现为第 {version} 版），请刷新后再提交。",
    "determination.mineral_required": "图斑 {code} 涉矿（{why}），提交前须作矿产判定：勾选“涉矿”，填写矿产判定结果；违法的填写处理方式，非立案处理或不处理的须写明情况说明。",
    "review.reason_unknown": "未知的审核原因代码：{reason}。可用代码：{known}。",
    "review.reason_needed": "退回必须至少选择一个退回原因。",
    "review.note_too_long": "审核意见过长，请控制在 {limit} 字以内。",
    "correction.reason_needed": "更正必须说明原因（--correct 原因）。",
    "sheet.unreadable": "无法读取表格 {path}：{detail}",
    "sheet.missing_column": "表格 {path} 缺少列“{column}”。请使用 weipian determinations template 导出的模板。",
    "sheet.rejected": "表格 {path} 中有 {count} 行不能导入（逐行原因见下），全部未写入。请修改后重新导入。",
    "row.unknown_patch": "第 {row} 行：找不到图斑 {id}。",
    "row.other_township": "第 {row} 行：图斑 {id} 不属于您的单位（{township}），请删去该行或交由其所属乡镇填报。",
    "row.invalid": "第 {row} 行（{id}）：{problems}",
    "row.not_editable": "第 {row} 行：图斑 {id} 当前状态为“{state_label}”，不能修改判定。",
    # rows (rejected one by one, the rest of the package goes on)
    "row.coordinates_invalid": "第 {row} 行（{id}）的坐标超出经纬度范围或不是有效数值，请检查数据和 .prj 坐标系文件。",
    "row.outside_county": "第 {row} 行（{id}）的图形不在本县范围内（WEIPIAN_COUNTY_BBOX），可能是坐标系（.prj）有误。确属本县的请核对；确需导入请加 --allow-outside。",
    "row.geometry_empty": "第 {row} 行（{id}）的几何图形为空。",
    "row.geometry_not_polygon": "第 {row} 行（{id}）的几何图形不是面（{geom_type}）。",
    "row.missing_id": "第 {row} 行缺少监测编号（JCBH）。",
    "row.duplicate_id": "第 {row} 行的监测编号 {id} 在本文件中重复出现（首次出现在第 {first_row} 行）。",
    "row.exists": "第 {row} 行的图斑 {id} 已存在于库中（同一来源、年度、行政区代码）。",
    "row.bad_value": "第 {row} 行（{id}）字段 {field} 的值“{value}”无法识别。",
}


def message(code: str, /, **params: Any) -> str:
    """Return the Chinese sentence for ``code``; unknown codes still say something useful."""
    params = _with_labels(params)
    template = (
        MESSAGES.get(code)
        or RULE_MESSAGES.get(code)
        or WEB_MESSAGES.get(code)
        or EVIDENCE_MESSAGES.get(code)
        or STATS_MESSAGES.get(code)
        or LEDGER_MESSAGES.get(code)
        or SPLIT_MESSAGES.get(code)
        or CASE_MESSAGES.get(code)
    )
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
    from weipian.domain.units import M2_PER_MU
    from weipian.domain.workflow import ACTION_LABELS, STATE_LABELS, Action, State

    out = dict(params)
    for key, value in params.items():  # areas travel in m²; sentences may quote them in 亩
        if key.endswith("_m2") and isinstance(value, int | float) and key[:-3] + "_mu" not in out:
            out[key[:-3] + "_mu"] = f"{value / M2_PER_MU:.2f}"
    if "state" in out and "state_label" not in out and out["state"] in State.__members__:
        out["state_label"] = STATE_LABELS[State(out["state"])]
    if "action" in out and "action_label" not in out and out["action"] in {a.value for a in Action}:
        out["action_label"] = ACTION_LABELS[Action(out["action"])]
    if "field" in out and "field_label" not in out:
        out["field_label"] = AREA_FIELD_LABELS.get(str(out["field"]), out["field"])
    return out


# Values a trace step carries as codes or yes/no, in words.
_TRACE_WORDS = {
    "inside": "在采矿权范围内", "straddling": "跨越采矿权边界", "outside": "在采矿权范围外",
    "unknown": "未知", "legal": "合法性核对", "facility": "设施农用地核对", "fallback": "兜底判断",
    "mineral": "矿产核对",
    # the engine's groups of 图斑类型 (rules/tables.CHANGE_GROUPS)
    "building": "建筑", "hardening": "硬化", "earthwork": "动土类", "road": "道路",
    "rural_road": "农村道路", "water_works": "水工建筑", "water_construction": "水利设施",
    "mining": "采矿", "construction_other": "其他建设", "agricultural": "农用地", "water": "水面",
}  # fmt: skip


def _trace_value(value: Any) -> Any:
    if value is True:
        return "是"
    if value is False:
        return "否"
    if value is None:
        return "未知"
    return _TRACE_WORDS.get(value, value) if isinstance(value, str) else value


def trace_text(step: Any) -> str:
    """One step of the rule trace (规则执行过程) in Chinese. Traces stored before the steps had
    codes are plain text and are shown as they are."""
    if isinstance(step, str):
        return step
    code = str(step.get("code", ""))
    template = TRACE_MESSAGES.get(code)
    if template is None:
        return code
    params = {k: _trace_value(v) for k, v in dict(step.get("params") or {}).items()}
    try:
        return template.format(**params)
    except (KeyError, IndexError, ValueError):
        return template
