"""A command run imports only its own module: the same command line, a shorter start."""

from __future__ import annotations

import subprocess
import sys

import pytest
from typer.testing import CliRunner

from weipian.cli.app import COMMANDS, app, build

runner = CliRunner()


@pytest.mark.parametrize("name", list(COMMANDS))
def test_a_command_alone_is_the_command_of_the_whole_line(name: str) -> None:
    alone = runner.invoke(build(name), [name, "--help"], terminal_width=100)
    whole = runner.invoke(app, [name, "--help"], terminal_width=100)
    assert alone.exit_code == whole.exit_code == 0, alone.output
    assert alone.output == whole.output


def test_analyze_loads_none_of_the_other_commands_libraries() -> None:
    # The entry point as installed (`weipian analyze --help`), in a fresh interpreter.
    code = (
        "import sys\n"
        "from weipian.cli.app import main\n"
        "sys.argv = ['weipian', 'analyze', '--help']\n"
        "try:\n    main()\nexcept SystemExit as e:\n    assert not e.code, e.code\n"
        "heavy = ('pandas', 'geopandas', 'openpyxl', 'docx', 'rio_tiler', 'alembic', 'fastapi')\n"
        "print('loaded:' + ','.join(m for m in heavy if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "内业比对" in done.stdout  # the command's own help was printed
    assert done.stdout.strip().splitlines()[-1] == "loaded:"  # and none of those was imported


def test_an_unknown_command_is_told_as_before() -> None:
    code = "import sys\nfrom weipian.cli.app import main\nsys.argv = ['weipian', 'analyse']\nmain()\n"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 2
    assert "analyse" in done.stderr
