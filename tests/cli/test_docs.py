"""Every CLI command has help text and is documented in the README."""

import pytest
from click.testing import CliRunner

from licvisit.cli import COMMANDS, main
from tests.paths import REPO_ROOT

README = (REPO_ROOT / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_command_has_help_and_is_in_readme(name):
    result = CliRunner().invoke(main, [name, "--help"])
    assert result.exit_code == 0, result.output
    command = main.get_command(None, name)
    assert command.help and command.help.strip(), f"{name} has no help text"
    assert f"licvisit {name}" in README, f"README does not mention `licvisit {name}`"


def test_readme_quick_start_is_two_commands():
    quick = README.split("## Quick start", 1)[1].split("##", 1)[0]
    block = quick.split("```sh", 1)[1].split("```", 1)[0]
    commands = [ln.split("#")[0].strip() for ln in block.strip().splitlines() if ln.strip()]
    assert commands == ["make demo", "make test"]
