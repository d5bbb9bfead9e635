"""Issue 17 item 12: friction a new user met on the command line (the designer's is in
tests/test_designer.py). Every person and insurer here is fictional.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from docgen import cli

SCRIPT = Path(sys.executable).with_name("docgen")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = cli.main([str(a) for a in argv])
    except SystemExit as exc:          # argparse's usage errors
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("argv, expected", [
    (["render"], "docgen: render: the following arguments are required: -o/--output; "
                 "see docgen render --help"),
    ([], "docgen: the following arguments are required: command; see docgen --help"),
    (["render", "kokuho-card", "d.csv", "-o", "x.pdf", "--bogus"],
     "docgen: unrecognized arguments: --bogus; see docgen --help"),
    (["fonts", "check"], "docgen: fonts check: the following arguments are required: data; "
                         "see docgen fonts check --help"),
])
def test_item12_a_usage_error_is_one_docgen_line(argv: list[str], expected: str) -> None:
    """README: "Every error is one line on stderr starting with `docgen:`", usage errors included
    (argparse printed its usage block of 5 lines before its own `docgen render: error:` line)."""
    proc = subprocess.run([str(SCRIPT), *argv], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [expected]
