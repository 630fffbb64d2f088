"""Write per-patch result tables: GeoPackage, shapefile (GBK DBF + .cpg) and Excel.

Files are written under a temporary name beside the target and moved into place at the end, so
a failure never leaves a half-written file where the user expects a whole one.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pyogrio
from numpy.typing import NDArray

from weipian.io.xlsx import fit_widths, protect_cells

# (field, Chinese header) in output order; the fields are INTERFACE.md's names.
RESULT_FIELDS: tuple[tuple[str, str], ...] = (
    ("JCBH", "监测编号"),
    ("XZQDM", "行政区代码（下发）"),
    ("XZQMC", "行政区名称（下发）"),
    ("XZDM", "所在乡镇代码（叠加计算）"),
    ("XZMC", "所在乡镇（街道）"),
    ("LY", "来源"),
    ("PC", "批次"),
    ("TBLX", "图斑类型"),
    ("QSX", "前时相"),
    ("HSX", "后时相"),
    ("LZB", "中心点经度"),
    ("BZB", "中心点纬度"),
    ("JCMJ", "监测面积（㎡）"),
    ("GDMJ", "耕地面积（㎡）"),
    ("YJJBNTMJ", "永久基本农田面积（㎡）"),
    ("STHXMJ", "生态保护红线面积（㎡）"),
    ("WDGDMJ", "可以长期稳定利用耕地面积（㎡）"),
    ("NYDMJ", "农用地面积（㎡）"),
    ("JSYDMJ", "建设用地面积（㎡）"),
    ("WLYDMJ", "未利用地面积（㎡）"),
    ("PZWH", "批准文号"),
    ("PZBL", "批文覆盖比例（%）"),
    ("SFSK", "是否涉矿"),
    ("KQWZ", "与矿权位置"),
    ("TYWZJCTBWQBH", "同一位置往期图斑编号"),
    ("YPJG", "预判结果"),
    ("PDJG", "判定结果"),
    ("WFLX", "违法类型"),
    ("WFMJ", "违法用地面积（㎡）"),
    ("WFZYGDMJ", "违法占用耕地面积（㎡）"),
    ("WFZYJBNTMJ", "违法占用永久基本农田面积（㎡）"),
    ("ZT", "状态"),
    ("MJFF", "面积计算方法"),
    ("SFGQ", "比对结果是否过期"),
)
FORMATS = ("gpkg", "shp", "xlsx")
# DBF field names hold 10 characters; the platforms' own shapefiles cut the long one the same way.
SHAPEFILE_NAMES = {"TYWZJCTBWQBH": "TYWZJCTBWQ"}


def _atomic_target(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=".weipian-", dir=path.parent))


def write_results(
    path: Path, fmt: str, columns: Mapping[str, Sequence[Any]], geoms: NDArray[np.object_], title: str
) -> Path:
    """Write the result table ``columns`` (RESULT_FIELDS order) with EPSG:4490 ``geoms``."""
    tmp = _atomic_target(path)
    try:
        staged = tmp / path.name
        if fmt == "xlsx":
            _write_xlsx(staged, columns, title)
        else:
            gdf = gpd.GeoDataFrame(dict(columns), geometry=list(geoms), crs="EPSG:4490")
            if fmt == "shp":
                gdf = gdf.rename(columns=SHAPEFILE_NAMES)
                # DBF text in GBK with a .cpg saying so: what ArcGIS, QGIS and the platforms read.
                pyogrio.write_dataframe(gdf, staged, driver="ESRI Shapefile", encoding="GBK")
            else:
                pyogrio.write_dataframe(gdf, staged, driver="GPKG", layer="results")
        for part in tmp.iterdir():
            os.replace(part, path.parent / part.name if fmt == "shp" else path)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return path


def _write_xlsx(path: Path, columns: Mapping[str, Sequence[Any]], title: str) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = "图斑比对结果"
    names = list(columns)
    headers = dict(RESULT_FIELDS)
    ncol = len(names)
    ws.cell(1, 1, title).font = Font(size=14, bold=True)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=ncol)
    ws.row_dimensions[1].height = 28
    ws.cell(1, 1).alignment = Alignment(horizontal="center", vertical="center")
    thin = Side(style="thin", color="999999")
    fill = PatternFill("solid", fgColor="DDEBF7")
    for j, name in enumerate(names, start=1):
        for row, text in ((2, headers.get(name, name)), (3, name)):
            c = ws.cell(row, j, text)
            c.font = Font(bold=True)
            c.fill = fill
            c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            c.border = Border(top=thin, bottom=thin, left=thin, right=thin)
    ws.row_dimensions[2].height = 32
    n = len(next(iter(columns.values()))) if columns else 0
    sample = ([columns[name][i] for name in names] for i in range(n))
    # Chinese headers wrap onto two lines, so they need only half their width.
    labels = [
        str(headers.get(name, name))[: max(len(str(headers.get(name, name))) // 2, 4)] for name in names
    ]
    for j, width in enumerate(fit_widths(labels, sample), start=1):
        ws.column_dimensions[get_column_letter(j)].width = max(width, 8)
    for i in range(n):
        ws.append([_cell(columns[name][i]) for name in names])
    protect_cells(ws, min_row=4)  # delivered text (JCBH, names, batch) is never a formula
    for j, name in enumerate(names, start=1):
        if name.endswith("MJ") or name in ("PZBL",):
            for row in ws.iter_rows(min_row=4, min_col=j, max_col=j):
                row[0].number_format = "0.00"
    ws.freeze_panes = "B4"
    ws.auto_filter.ref = f"A3:{get_column_letter(ncol)}{n + 3}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "2:3"
    wb.save(path)


def _cell(v: Any) -> Any:
    if isinstance(v, float) and not np.isfinite(v):
        return None
    return v
