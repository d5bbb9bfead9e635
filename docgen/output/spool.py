"""A spool of checked records, so bundles can be cut in mailing order from a streamed input.

The file is anonymous (unlinked on creation): killed at any point, the run leaves no copy of
the personal data behind. Only (offset, length) per record stays in memory. Only the driver
holds it open: pool workers are handed its descriptor to let go of (docgen.output.executors).
"""
from __future__ import annotations

import pickle
import tempfile
from pathlib import Path
from typing import Any

from docgen.errors import OutputError
from docgen.output.files import reason

Entry = tuple[int, dict[str, Any]]      # (input row, checked values)
SPOOL_PREFIX = ".docgen-spool-"         # the name it has, on systems without anonymous files, until unlinked


class Spool:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._fh = tempfile.TemporaryFile(dir=directory, prefix=SPOOL_PREFIX)
        self._end = 0
        self._at_end = True         # records are added in one run: seek (which flushes) only after a read

    def add(self, row: int, values: dict[str, Any]) -> tuple[int, int]:
        data = pickle.dumps((row, values), protocol=pickle.HIGHEST_PROTOCOL)
        if not self._at_end:
            self._fh.seek(self._end)
            self._at_end = True
        try:
            self._fh.write(data)
        except OSError as exc:
            raise OutputError(f"{self.directory}: no room for the temporary copy of the checked records "
                              f"({reason(exc)}); nothing is left behind: free space and run again") from exc
        where = (self._end, len(data))
        self._end += len(data)
        return where

    def read(self, where: tuple[int, int]) -> Entry:
        self._at_end = False
        self._fh.seek(where[0])
        return pickle.loads(self._fh.read(where[1]))

    def fileno(self) -> int:
        return self._fh.fileno()

    def close(self) -> None:
        self._fh.close()

    def __enter__(self) -> "Spool":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
