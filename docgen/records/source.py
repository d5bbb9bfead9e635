"""What the reader hands on: one record with its position, and the one error type it raises.

Messages built here and in the readers name files, rows, lines, byte offsets, column headers and
field names, never a cell's content: records carry personal data, headers do not.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from docgen.errors import RecordFileError

__all__ = ["RecordFileError", "SourceRecord"]


@dataclass(frozen=True)
class SourceRecord:
    """One record exactly as the file holds it, keyed by field name.

    `row` is the data row number for CSV (1 = the first row after the header; blank lines count,
    so it matches a spreadsheet's row number minus one) and the physical line number for JSON
    Lines. `where` is the matching phrase for messages ("row 12", "line 12").

    A value is the file's characters untouched (no Unicode normalisation, no trimming) or None
    when the cell is empty, null or missing; a field absent from `fields` is also absent.
    `problems` lists what is wrong with the row's shape (too many or too few cells): the record
    is still yielded so the caller rejects it by its row number rather than losing it.
    `json_types` names the JSON type of each value that was a boolean or a number, not a string:
    validation rejects one where the field expects text (`"name": true` is no name).
    """

    row: int
    where: str
    fields: dict[str, str | None]
    problems: tuple[str, ...] = field(default=())
    json_types: dict[str, str] = field(default_factory=dict)   # field -> "boolean" | "number": not a JSON string
