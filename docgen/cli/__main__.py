"""`python -m docgen.cli`: the same as the `docgen` command (tests start it this way)."""
from docgen.cli import run

run()
