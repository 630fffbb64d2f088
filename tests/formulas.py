"""Packages whose text looks like spreadsheet formulas, and a check that a workbook holds none."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl

from factories import REGION, gk_square, patch_rows, write_vector
from weipian.domain.layers import LayerKind
from weipian.domain.sources import Source
from weipian.services.intake import IntakeOptions, import_package
from weipian.services.layers import import_layer
from weipian.storage.store import Store

EVIL = [
    '=HYPERLINK("http://evil/","点我")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1,1)",
    "＝1+1",
]  # leading tabs and CRs are stripped at intake


def evil_package(store: Store, tmp: Path) -> None:
    rows = patch_rows(len(EVIL))
    for r, text in zip(rows, EVIL, strict=True):
        r["JCBH"], r["XZQMC"], r["TBLX"] = text, text, text[:16]
    pkg = write_vector(tmp / "p.gpkg", rows, [gk_square(i * 200) for i in range(len(EVIL))])
    import_package(store, pkg, IntakeOptions(source=Source.ministry, batch="=1+2", region=REGION))


def evil_store(store: Store, tmp: Path) -> None:
    mil = write_vector(tmp / "m.gpkg", [{"NAME": "某部"}], [gk_square(9000, 9000, 50)])
    import_layer(store, mil, LayerKind.military, region=REGION)
    evil_package(store, tmp)


def assert_text_only(path: Path) -> set[str]:
    with zipfile.ZipFile(path) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet and "<f " not in sheet  # no formula anywhere
    ws = openpyxl.load_workbook(path).active
    values = {c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)
    return values
