"""Write the platform delivery file: GeoPackage, shapefile (GBK DBF + .cpg) or Excel, CGCS2000.

Written under a temporary name beside the target and moved into place at the end: a failure
never leaves half a file where the user expects a whole one.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from weipian.domain.delivery import AREA_FIELDS, FIELD_LABELS

DELIVERY_FORMATS = ("gpkg", "shp", "xlsx")


def write_delivery(
    path: Path,
    fmt: str,
    columns: Mapping[str, Sequence[Any]],
    geoms: NDArray[np.object_],
    *,
    title: str,
    layer: str,
) -> Path:
    """Write ``columns`` (DELIVERY_FIELDS order, plus any extra) with EPSG:4490 ``geoms``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".weipian-", dir=path.parent))
    try:
        staged = tmp / path.name
        if fmt == "xlsx":
            _write_xlsx(staged, columns, title)
        else:
            import geopandas as gpd
            import pyogrio

            gdf = gpd.GeoDataFrame(dict(columns), geometry=list(geoms), crs="EPSG:4490")
            if fmt == "shp":
                # GBK text with a .cpg saying so: what ArcGIS, QGIS and the platforms read.
                pyogrio.write_dataframe(gdf, staged, driver="ESRI Shapefile", encoding="GBK")
            else:
                pyogrio.write_dataframe(gdf, staged, driver="GPKG", layer=layer)
        for part in tmp.iterdir():
            os.replace(part, path.parent / part.name if fmt == "shp" else path)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return path


def _write_xlsx(path: Path, columns: Mapping[str, Sequence[Any]], title: str) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    from weipian.io.reports.cells import put
    from weipian.io.xlsx import fit_widths

    wb = Workbook()
    ws = wb.active
    ws.title = "报送图斑"
    names = list(columns)
    headers = FIELD_LABELS
    put(ws, 1, 1, title).font = Font(size=14, bold=True)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(names))
    ws.row_dimensions[1].height = 28
    ws.cell(1, 1).alignment = Alignment(horizontal="center", vertical="center")
    thin = Side(style="thin", color="999999")
    fill = PatternFill("solid", fgColor="DDEBF7")
    for j, name in enumerate(names, start=1):
        for row, text in ((2, headers.get(name, name)), (3, name)):
            c = put(ws, row, j, text)
            c.font, c.fill = Font(bold=True), fill
            c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            c.border = Border(top=thin, bottom=thin, left=thin, right=thin)
    ws.row_dimensions[2].height = 32
    n = len(next(iter(columns.values()))) if columns else 0
    for i in range(n):
        for j, name in enumerate(names, start=1):
            c = put(ws, 4 + i, j, columns[name][i])
            if name in AREA_FIELDS:
                c.number_format = "0.0000000" if name in ("LZB", "BZB") else "0.00"
    widths = fit_widths(
        [headers.get(x, x)[:6] for x in names], ([columns[x][i] for x in names] for i in range(n))
    )
    for j, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = max(width, 8)
    ws.freeze_panes = "B4"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "2:3"
    wb.save(path)
