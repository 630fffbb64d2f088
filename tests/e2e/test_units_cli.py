"""``weipian units`` and unit accounts on the command line: list, add, update; ``users add
--unit``; a unit account acting outside its townships; ``due`` and ``stats --unit``."""

from __future__ import annotations

from pathlib import Path

from cli_helpers import PASSWORD, county_env, run_json
from factories import HONGLAI, HONGMEI

DET = ["--verdict", "违法", "--violation-type", "违法占地", "--illegal-area", "500", "--farmland-area", "500",
       "--basic-farmland-area", "0", "--new", "--opinion", "未批先建"]  # fmt: skip


def test_units_and_unit_accounts(tmp_path: Path) -> None:
    env, store = county_env(tmp_path, "2022-11-12T10:00:00", (("admin", "bureau_admin", None),))
    try:
        listed = {u["code"]: u for u in run_json(["units", "list"], env)["units"]}
        assert listed["STFJ"]["kind_label"] == "分局" and listed["NAKFQ"]["townships"] == []
        assert listed[HONGLAI]["townships"] == [HONGLAI] and listed["ZFJCDD"]["kind"] == "section"

        added = run_json(["units", "add", "ZYS01", "--name", "洪濑资源管理所", "--kind", "resource_office",
                          "--townships", HONGLAI], env)["unit"]  # fmt: skip
        assert (added["code"], added["townships"], added["active"]) == ("ZYS01", [HONGLAI], True)
        bad = run_json(["units", "add", "ZYS02", "--name", "x", "--kind", "resource_office",
                        "--townships", "350583999"], env, code=1)["error"]  # fmt: skip
        assert bad["code"] == "unit.township_unknown" and "350583999" in bad["message"]

        user = run_json(["users", "add", "zys", "--role", "township", "--unit", "ZYS01",
                         "--password", PASSWORD], env)["user"]  # fmt: skip
        assert (user["unit"], user["unit_name"], user["townships"]) == ("ZYS01", "洪濑资源管理所", [HONGLAI])
        old = run_json(["users", "add", "hm01", "--role", "township", "--township", HONGMEI,
                        "--password", PASSWORD], env)["user"]  # fmt: skip
        assert (old["township"], old["unit"], old["townships"]) == (HONGMEI, HONGMEI, [HONGMEI])
        for unit, code in (("NOSUCH", "user.unit_unknown"), ("ZFJCDD", "user.unit_section")):
            err = run_json(["users", "add", "x1", "--role", "township", "--unit", unit, "--password", PASSWORD],
                           env, code=1)["error"]  # fmt: skip
            assert err["code"] == code

        # Another unit's patch: refused as if it did not exist; its own goes through.
        other = run_json(["determine", "P0001", *DET, "--as", "zys"], env, code=1)["error"]
        assert other["code"] in {"patch.not_found", "permission.denied"}
        assert run_json(["determine", "P0000", *DET, "--as", "zys"], env)["JCBH"] == "P0000"
        # 洪梅镇's own account cannot reach 洪濑镇's patch either.
        run_json(["determine", "P0000", *DET, "--as", "hm01"], env, code=1)

        due = run_json(["due", "--unit", "ZYS01"], env)["units"]
        assert [u["unit"] for u in due] == ["ZYS01"]
        assert {i["JCBH"] for i in due[0]["due_soon"]} == {"P0000"}
        assert run_json(["due", "--unit", "NOSUCH"], env, code=1)["error"]["code"] == "due.unit_unknown"

        run_json(["units", "update", "ZYS01", "--townships", f"{HONGLAI},{HONGMEI}"], env)
        stats = run_json(["stats", "--unit", "ZYS01"], env)
        assert {u["XZQDM"] for u in stats["units"]} == {HONGLAI, HONGMEI}
        assert stats["county"]["patches"] == 2
        section = run_json(["stats", "--unit", "GDBHK"], env, code=1)["error"]
        assert section["code"] == "stats.unit_section"

        off = run_json(["units", "update", "ZYS01", "--inactive"], env)["unit"]
        assert off["active"] is False
        run_json(["determine", "P0000", *DET, "--as", "zys"], env, code=1)  # an inactive unit: nothing
        users = {u["username"]: u for u in run_json(["users", "list"], env)["users"]}
        assert users["zys"]["townships"] == []
    finally:
        store.engine.dispose()
