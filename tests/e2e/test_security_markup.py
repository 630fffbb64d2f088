"""Text that looks like Rich markup (issue 11, item 12): a batch, a township name, a JCBH and an
account called ``[/]`` are printed as they are by ``summary``, ``lists show`` and ``history``,
run after run, instead of crashing the CLI for good."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from factories import gk_square, patch_rows, write_vector
from weipian.cli.app import app

runner = CliRunner()
BATCH, CODE, USER = "[/]第1批[bold red]", "[/]0001", "[b]adm[/b]"


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    monkeypatch.chdir(tmp_path)
    e = {"WEIPIAN_DATABASE_URL": f"sqlite:///{tmp_path / 'm.db'}"}

    def ok(*args: str) -> None:
        result = runner.invoke(app, list(args), env=e)
        assert result.exit_code == 0, result.output

    ok("init")
    mil = write_vector(tmp_path / "m.gpkg", [{"NAME": "[/]某部"}], [gk_square(0, 0, 300)])
    ok("layers", "import", str(mil), "--kind", "military", "--name", "[/]军事")
    rows = patch_rows(2)
    rows[0].update(JCBH=CODE, XZQMC="[/]镇[link=x]")
    pkg = write_vector(tmp_path / "p.gpkg", rows, [gk_square(0), gk_square(1000)])
    ok("import", str(pkg), "--source", "ministry", "--batch", BATCH)
    ok("users", "add", USER, "--role", "bureau_admin", "--password", "long-enough-1")
    ok("field-check", CODE, "--note", "[/][red]现场", "--as", USER)
    return e


@pytest.mark.parametrize("args", [["summary"], ["lists", "show", "military"], ["history", CODE], ["users", "list"],
                                  ["layers", "list"]])  # fmt: skip
def test_markup_in_data_is_printed_literally(env: dict[str, str], args: list[str]) -> None:
    for _ in range(2):  # and again: nothing was left broken
        result = runner.invoke(app, args, env=env)
        assert result.exit_code == 0, result.output
        assert result.exception is None
    text = result.output.replace("\n", "")
    expected = {
        "summary": BATCH[:6],
        "lists": CODE,
        "history": "[/b]（市局管理员）",
        "users": USER,
        "layers": "[/]军事",
    }
    assert expected[args[0]] in text
