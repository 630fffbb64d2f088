"""The web list export and ``weipian export results`` share one column mapping: the same fields,
headers and values for the same patches (they once differed in XZQMC and JCMJ)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import openpyxl
from fastapi.testclient import TestClient
from web_helpers import login

from weipian.io.exports import RESULT_FIELDS
from weipian.services.export import export_results
from weipian.storage.store import Store


def _sheet(data: bytes) -> tuple[list[Any], list[Any], dict[str, dict[str, Any]]]:
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    headers, codes = [c.value for c in ws[2]], [c.value for c in ws[3]]
    rows = [dict(zip(codes, (c.value for c in row), strict=True)) for row in ws.iter_rows(min_row=4)]
    return headers, codes, {r["JCBH"]: r for r in rows}


def test_cli_and_web_xlsx_have_the_same_columns(client: TestClient, county: Store, tmp_path: Path) -> None:
    cli = export_results(county, tmp_path / "结果.xlsx", fmt="xlsx")
    cli_headers, cli_codes, cli_rows = _sheet(cli.path.read_bytes())
    login(client, "admin")
    r = client.get("/patches/export.xlsx")
    assert r.status_code == 200
    web_headers, web_codes, web_rows = _sheet(r.content)
    assert web_codes == cli_codes == [code for code, _ in RESULT_FIELDS]
    assert web_headers == cli_headers
    assert {"XZQMC", "JCMJ"} <= set(web_codes)
    assert web_rows == cli_rows and sorted(web_rows) == ["P0000", "P0001"]  # P0002: military
    # A township sees its own patch only, in the same layout.
    client.cookies.clear()
    login(client, "honglai")
    headers, codes, rows = _sheet(client.get("/patches/export.xlsx").content)
    assert (headers, codes) == (cli_headers, cli_codes)
    assert list(rows) == ["P0000"] and rows["P0000"] == cli_rows["P0000"]
