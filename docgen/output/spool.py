"""A spool of checked records, so bundles can be cut in mailing order from a streamed input.

The file is anonymous (unlinked on creation): killed at any point, the run leaves no copy of
the personal data behind. Only (offset, length) per record stays in memory.
"""
from __future__ import annotations

import pickle
import tempfile
from pathlib import Path
from typing import Any

Entry = tuple[int, dict[str, Any]]      # (input row, checked values)


class Spool:
    def __init__(self, directory: Path) -> None:
        self._fh = tempfile.TemporaryFile(dir=directory, prefix=".docgen-spool-")
        self._end = 0

    def add(self, row: int, values: dict[str, Any]) -> tuple[int, int]:
        data = pickle.dumps((row, values), protocol=pickle.HIGHEST_PROTOCOL)
        self._fh.seek(self._end)
        self._fh.write(data)
        where = (self._end, len(data))
        self._end += len(data)
        return where

    def read(self, where: tuple[int, int]) -> Entry:
        self._fh.seek(where[0])
        return pickle.loads(self._fh.read(where[1]))

    def close(self) -> None:
        self._fh.close()

    def __enter__(self) -> "Spool":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
