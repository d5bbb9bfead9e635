"""The README stays true: its field dictionary is the one the code uses, its commands exist."""
from __future__ import annotations

import re
from pathlib import Path

from docgen.cli import build_parser
from docgen.cli.fields import field_table

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")


def test_field_dictionary_matches_the_code() -> None:
    assert field_table() in README, "README's field table is stale: paste the output of `docgen fields`"


def test_every_documented_subcommand_exists() -> None:
    documented = set(re.findall(r"^docgen ([a-z]+)", README, flags=re.M))
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    assert documented and documented <= set(sub.choices)


def test_setup_commands_exist() -> None:
    root = Path(__file__).parent.parent
    for script in re.findall(r"^bash (scripts/\S+\.sh)", README, flags=re.M):
        assert (root / script).is_file(), script
    assert "scripts/test.sh" in (root / ".ci" / "run").read_text()
