"""Issue 10 item 22 on the pages: a patch the judge marks 重点关注 (here: 江河沿岸) comes first in
the patch list and the special lists, with its 「重点·…」 badge in the row."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import openpyxl
from fastapi.testclient import TestClient
from web_helpers import login

from factories import REGION, gk_square, write_vector
from weipian.domain.layers import LayerKind
from weipian.rules import load_rules
from weipian.services.analyze import analyze
from weipian.services.judge import judge_patches
from weipian.services.layers import import_layer
from weipian.storage.store import Store


def test_priority_patch_first_with_its_badge(
    client: TestClient, county: Store, ids: dict[str, int], tmp_path: Path
) -> None:
    river = write_vector(tmp_path / "river.gpkg", [{"MC": "东溪缓冲区"}], [gk_square(690, -10, 120)])
    import_layer(county, river, LayerKind.riverside, region=REGION)  # over P0001 only
    analyze(county, workers=1)
    judge_patches(county, load_rules(), on=dt.date(2022, 11, 20))
    login(client, "admin")
    for url in ("/patches", "/lists/overdue"):
        page = client.get(url).text
        first, second = page.index(f"/patches/{ids['P0001']}"), page.index(f"/patches/{ids['P0000']}")
        assert first < second, url  # P0000 precedes it by township and JCBH
        assert page.count("重点·江河沿岸") == 1, url
        row = page[first : page.index("</tr>", first)]
        assert "重点·江河沿岸" in row, url
    # the list's download holds the same order and says why in its 重点关注 column
    ws = openpyxl.load_workbook(io.BytesIO(client.get("/lists/overdue/export.xlsx").content)).active
    header = [c.value for c in ws[3]]
    column = header.index("重点关注")
    rows = [r for r in ws.iter_rows(min_row=5, values_only=True) if isinstance(r[0], int)]
    assert [r[1] for r in rows][:2] == ["P0001", "P0000"]
    assert (rows[0][column], rows[1][column]) == ("江河沿岸", None)  # an empty cell
