"""Chinese everywhere a user looks (issue 12 item 5): names instead of codes, one date format,
the area method and the rule set in words, Chinese export names, error pages inside the layout."""

from __future__ import annotations

from urllib.parse import unquote

from fastapi.testclient import TestClient
from web_helpers import login


def test_patch_page_shows_names_not_codes(client: TestClient, ids: dict[str, int]) -> None:
    login(client, "honglai")
    page = client.get(f"/patches/{ids['P0000']}").text
    assert "<dd>建/构筑物</dd>" in page  # TBLX 20
    assert "椭球面积（CGCS2000）" in page and "ellipsoidal:CGCS2000" not in page
    assert "默认规则字典 2026.1 版" in page
    assert "2022-03-01" in page or "—" in page  # 前时相 as YYYY-MM-DD when delivered
    assert ">20220" not in page  # never the delivered YYYYMMDD


def test_export_has_a_chinese_file_name(client: TestClient) -> None:
    login(client, "honglai")
    r = client.get("/patches/export.xlsx")
    assert r.status_code == 200
    disposition = r.headers["content-disposition"]
    assert "filename*=UTF-8''" in disposition
    name = unquote(disposition.split("filename*=UTF-8''")[1])
    assert name.startswith("卫片图斑清单") and name.endswith(".xlsx")
    disposition.encode("latin-1")  # the header itself stays ASCII-safe


def test_404_and_405_pages_keep_the_navigation(client: TestClient, ids: dict[str, int]) -> None:
    login(client, "honglai")
    for r, status in (
        (client.get("/no-such-page"), 404),
        (client.get(f"/patches/{ids['P0001']}"), 404),  # another township's patch
        (client.post("/patches/export.xlsx"), 405),
    ):
        assert r.status_code == status
        assert 'class="mainnav"' in r.text and "图斑列表" in r.text and "honglai-姓名" in r.text
        assert "Method Not Allowed" not in r.text and "Not Found" not in r.text
    client.cookies.clear()
    r = client.get("/no-such-page")
    assert r.status_code in (303, 404) and 'class="mainnav"' not in r.text  # signed out: no navigation


def test_rule_trace_is_chinese_on_the_patch_page(client: TestClient, ids: dict[str, int]) -> None:
    """规则执行过程: each step a Chinese sentence from its code and parameters, no English."""
    import re

    login(client, "admin")
    page = client.get(f"/patches/{ids['P0000']}").text
    trace = page.split('id="rule-trace"')[1].split("</details>")[0]
    steps = re.findall(r"<li>(.*?)</li>", trace, flags=re.S)
    assert len(steps) >= 3, trace
    assert (
        steps[0].startswith("按 2022-11-20 有效的规则")
        and "引擎分组 建筑" in steps[0]
        and "预判图斑 P0000" in steps[0]
        and "图斑类型" in steps[0]
    )
    assert any(s.startswith("土地预判结果：") for s in steps), steps
    for s in steps:
        assert not re.search(r"[A-Za-z]{3,}", s.replace("P0000", "")), s  # no English words left


def test_other_subtypes_that_are_codes_show_words(client: TestClient, ids: dict[str, int]) -> None:
    """细类 under 其他: JY and SM are stored as delivered, but the list says what they are."""
    import re

    login(client, "honglai")
    page = client.get(f"/patches/{ids['P0000']}").text
    other = page.split('data-verdict="其他">')[1].split("</optgroup>")[0]
    options = dict(re.findall(r'<option value="([^"]+)"[^>]*>([^<]+)</option>', other))
    assert options["JY"] == "JY（军用）" and options["SM"] == "SM（涉密）" and options["出入口"] == "出入口"
    assert all(re.search(r"[\u4e00-\u9fff]", text) for text in options.values()), options
