"""`python -m docgen.cli`: the same as the `docgen` command (tests start it this way)."""
import sys

from docgen.cli import main

sys.exit(main())
