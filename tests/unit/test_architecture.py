"""The core stays UI-free, and the README documents every field and command."""

import subprocess
import sys

from click import Group

from katalog.cli import main
from katalog.content.models import CHART_FIELDS, DECLARATION_FIELDS, FRONT_MATTER_FIELDS, PARAM_FIELDS
from tests.conftest import ROOT


def test_core_is_ui_free():
    code = ("import sys, katalog.cli, katalog.build, katalog.export, katalog.charts, katalog.voting.ballots; "
            "assert 'streamlit' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_readme_documents_every_front_matter_field():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for field in [*FRONT_MATTER_FIELDS, *CHART_FIELDS, *PARAM_FIELDS, *DECLARATION_FIELDS]:
        assert f"`{field}`" in readme, f"README does not document the field {field}"


def _commands(group: Group, prefix: str = "katalog"):
    for name, command in group.commands.items():
        if isinstance(command, Group):
            yield from _commands(command, f"{prefix} {name}")
        else:
            yield f"{prefix} {name}"


def test_readme_documents_every_cli_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for command in _commands(main):
        assert command in readme, f"README does not document `{command}`"


def _options(group: Group):
    yield from (opt for param in group.params for opt in getattr(param, "opts", []) if opt.startswith("--"))
    for command in group.commands.values():
        if isinstance(command, Group):
            yield from _options(command)
        else:
            yield from (opt for param in command.params for opt in getattr(param, "opts", [])
                        if opt.startswith("--") and opt != "--help")


def test_readme_documents_every_cli_option():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for option in _options(main):
        assert option in readme, f"README does not document the option {option}"
