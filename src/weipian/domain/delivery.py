"""The platform delivery files (部/省卫片执法平台): field set, and which fields a filing needs. Pure.

Field names are the platforms' short codes (≤ 10 characters, so they survive a DBF). The
delivered XZQDM/XZQMC stay as received; the township weipian derived from the boundaries has its
own fields (XZDM, XZMC). Which fields a patch must have filled follows its verdict; the lists
below are our reading of the filing forms [VERIFY] against the platforms' current templates.

>>> [f for f, _ in DELIVERY_FIELDS][:5]
['JCBH', 'XZQDM', 'XZQMC', 'XZDM', 'XZMC']
>>> missing_fields({"PDJG": "违法", "WFLX": "违法占地", "WFMJ": 500.0, "WFGDMJ": 0.0, "XZCL": None,
...                 "SFLZGD": "否", "RDYJ": "未批先建", "JZCL": "evidence/a.jpg", "SFSK": "否"})
['XZCL']
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

# (field, Chinese header) in output order.
DELIVERY_FIELDS: tuple[tuple[str, str], ...] = (
    ("JCBH", "监测编号"),
    ("XZQDM", "行政区代码（下发）"),
    ("XZQMC", "行政区名称（下发）"),
    ("XZDM", "所在乡镇代码（叠加计算）"),
    ("XZMC", "所在乡镇名称"),
    ("PC", "批次"),
    ("NF", "年度"),
    ("TBLX", "图斑类型"),
    ("QSX", "前时相"),
    ("HSX", "后时相"),
    ("LZB", "中心点经度"),
    ("BZB", "中心点纬度"),
    ("JCMJ", "监测面积（㎡）"),
    ("GDMJ", "耕地面积（㎡）"),
    ("YJJBNTMJ", "永久基本农田面积（㎡）"),
    ("STHXMJ", "生态保护红线面积（㎡）"),
    ("NYDMJ", "农用地面积（㎡）"),
    ("JSYDMJ", "建设用地面积（㎡）"),
    ("WLYDMJ", "未利用地面积（㎡）"),
    ("PZWH", "批准文号（比对）"),
    ("PZBL", "批文覆盖比例（%）"),
    ("SFSK", "是否涉矿"),
    ("YPJG", "预判结果"),
    ("YPLY", "预判理由"),
    ("PDJG", "合法性判定结果"),
    ("PDXL", "判定细类"),
    ("WFLX", "违法类型"),
    ("WFMJ", "违法面积（㎡）"),
    ("WFGDMJ", "违法占用耕地面积（㎡）"),
    ("WFJBNTMJ", "违法占用永久基本农田面积（㎡）"),
    ("XZCL", "新增/存量"),
    ("SFLZGD", "是否新增农村乱占耕地建房"),
    ("LZLB", "乱占耕地建房类别"),
    ("KCPDJG", "矿产判定结果"),
    ("KCCLFS", "矿产违法处理方式"),
    ("HFSX", "合法手续（类型:文号:占比%）"),
    ("RDYJ", "认定意见"),
    ("XMMC", "项目名称"),
    ("XMZT", "项目主体"),
    ("JZCL", "举证材料路径"),
    ("ZT", "状态"),
    # 图斑拆分 (DOMAIN.md §2.3): 图斑状态 blank | 拆分 (a part) | 被拆分 (the split patch), the part's
    # 拆分状态 and the identifier of the patch it was cut from. Names and values [VERIFY] against
    # the platforms' templates.
    ("TBZT", "图斑状态"),
    ("CFZT", "拆分状态"),
    ("YJCBH", "原图斑监测编号"),
)
AREA_FIELDS = frozenset(f for f, _ in DELIVERY_FIELDS if f.endswith("MJ")) | {"PZBL", "LZB", "BZB"}

# Fields every filing needs, and more by verdict [VERIFY].
ALWAYS = ("PDJG", "RDYJ", "JZCL")
BY_VERDICT: Mapping[str, tuple[str, ...]] = {
    "违法": ("WFLX", "WFMJ", "WFGDMJ", "XZCL", "SFLZGD"),
    "合法": ("HFSX",),
    "其他": ("PDXL",),
    "设施农用地": ("HFSX",),
}
FIELD_LABELS = {**dict(DELIVERY_FIELDS), "TBBH": "图斑编号"}
IDENTIFIER_FIELDS = ("JCBH", "TBBH")  # the platforms' names for the patch identifier
SPLIT_PARENT, SPLIT_PART = "被拆分", "拆分"  # 图斑状态 (TBZT) of a split patch and of its parts


def identifier_fields(delivered: Iterable[str | None]) -> list[str]:
    """The identifier column(s) of a delivery file, named as the batches delivered them.

    A batch that named it TBBH gets TBBH back, JCBH gets JCBH; one that used a Chinese header
    (监测编号 …) or was imported before the name was kept gets JCBH, INTERFACE.md's output name.
    Batches that differ get both columns, each holding every patch's code.

    >>> identifier_fields(["TBBH", "tbbh"]), identifier_fields(["监测编号", None]), identifier_fields([])
    (['TBBH'], ['JCBH'], ['JCBH'])
    >>> identifier_fields(["TBBH", "JCBH"])
    ['JCBH', 'TBBH']
    """
    names = {n.upper() if n and n.upper() in IDENTIFIER_FIELDS else "JCBH" for n in delivered} or {"JCBH"}
    return [f for f in IDENTIFIER_FIELDS if f in names]


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def missing_fields(row: Mapping[str, Any]) -> list[str]:
    """The required fields ``row`` leaves blank, in field order; a split patch (被拆分) needs none:
    its parts carry the filing.

    >>> missing_fields({"TBZT": "被拆分", "PDJG": None})
    []
    """
    if row.get("TBZT") == SPLIT_PARENT:
        return []
    verdict = row.get("PDJG")
    if _blank(verdict):
        return ["PDJG"]
    needed = set(ALWAYS) | set(BY_VERDICT.get(str(verdict), ()))
    if verdict == "违法" and row.get("SFLZGD") == "是":
        needed.add("LZLB")
    if row.get("SFSK") == "是":
        needed.add("KCPDJG")
        if row.get("KCPDJG_CLASS") == "违法":
            needed.add("KCCLFS")
    if verdict == "伪变化":
        needed.discard("JZCL")  # nothing changed on the ground: the remark is the evidence
    return [f for f, _ in DELIVERY_FIELDS if f in needed and _blank(row.get(f))]
