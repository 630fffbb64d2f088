"""Chinese sentences for patch splits (``split.*``, 图斑拆分).

:func:`weipian.messages.message` looks here after the other tables.
"""

from __future__ import annotations

SPLIT_MESSAGES: dict[str, str] = {
    # the file
    "split.no_file": "请选择子图斑的 GeoJSON 文件后再拆分。",
    "split.file_too_large": "拆分文件过大（{size_mb} MB），最多 {max_mb} MB。请只放拆分后的几个子图斑。",
    "split.file_unreadable": "无法读取拆分文件：不是有效的 UTF-8 GeoJSON（{detail}）。请从 GIS 软件导出为 GeoJSON 后再上传。",
    "split.not_feature_collection": "拆分文件不是 GeoJSON 要素集合（FeatureCollection）。请把每个子图斑作为一个面要素导出到同一个 GeoJSON 文件。",
    "split.crs": "拆分文件的坐标系为“{crs}”，不是经纬度。请在 GIS 软件中导出为 CGCS2000 或 WGS84 经纬度（EPSG:4490 / 4326）的 GeoJSON。",
    "split.part_not_polygon": "第 {part} 个子图斑不是面（{geom_type}）。拆分文件中只能有面要素。",
    "split.part_unreadable": "第 {part} 个子图斑的坐标无法读取，请检查文件是否完整。",
    "split.too_many_vertices": "拆分文件的坐标点过多（超过 {max} 个）。请简化后再上传。",
    # the geometry
    "split.too_few": "拆分至少需要 {min} 个子图斑，文件中只有 {count} 个。",
    "split.too_many": "一个图斑最多拆分为 {max} 个子图斑，文件中有 {count} 个。",
    "split.part_empty": "第 {part} 个子图斑为空或面积几乎为零，请删除它或重新绘制。",
    "split.coordinates": "第 {part} 个子图斑的坐标超出经纬度范围或不是有效数值，可能使用了投影坐标。请导出为经纬度（EPSG:4490 / 4326）的 GeoJSON。",
    "split.part_invalid": "第 {part} 个子图斑的图形无效（{reason}），例如边界自相交。请在 GIS 软件中修复后再上传。",
    "split.outside": "第 {part} 个子图斑有 {area_m2} ㎡ 超出原图斑范围。子图斑必须落在原图斑之内，请沿原图斑边界重新切分。",
    "split.overlap": "第 {first} 个与第 {second} 个子图斑重叠 {area_m2} ㎡。子图斑之间不能重叠，请沿同一条分割线切分。",
    "split.gap": "子图斑没有完全覆盖原图斑：还有 {area_m2} ㎡ 未被任何子图斑覆盖（容差 {tolerance_m2} ㎡）。子图斑合起来必须等于原图斑。",
    # the workflow
    "split.exists": "图斑 {code} 已经拆分过。如需重新拆分，请先撤销原拆分（weipian split undo）。",
    "split.nested": "{code} 是拆分出的子图斑，不能再拆分。如需不同的切分，请撤销原拆分后重新拆分。",
    "split.code_taken": "拆分编号 {taken} 已被其他图斑使用，不能拆分图斑 {code}。请联系系统管理员核对。",
    "split.none": "图斑 {code} 没有拆分。",
    "split.parts_worked": "图斑 {code} 的子图斑 {part} 已有核查、判定或其他记录，拆分不能再撤销。",
    "split.done": "图斑 {code} 已拆分为 {count} 个子图斑，请分别核查、判定。",
    "split.undone": "已撤销图斑 {code} 的拆分，删除子图斑 {parts}。",
    "row.split_parent": "第 {row} 行：图斑 {id} 已拆分，请分别填写其子图斑（{id}-1、{id}-2 …）的判定。",
    "split.parent_has_parts": "图斑 {code} 已拆分，不能对原图斑执行“{action_label}”。请分别对各子图斑（{code}-1、{code}-2 …）操作。",
}
