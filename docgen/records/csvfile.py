"""CSV and TSV records: the header row names the columns, each later row is one record.

Parsing is the stdlib csv module in strict mode: a stray quote would otherwise swallow the rest
of the file into one cell without a word. Quoted cells may hold newlines; rows are numbered by
record, not by physical line.

A row whose cell count differs from the header's is never used: its cells may be shifted, so a
part of an address could pass for a 管理番号 or a name. It is handed on as a record without
values and with a problem. Consecutive rows whose cell counts add up to one record split by
unquoted line breaks (n lines holding header cells + n − 1) are one such record, reported as
"row N: lines a–b hold one record split by ...", so the rows after it keep their numbers. That
includes a full row followed by one-cell lines: its last cell was cut at a line break, and
printing the first part would print a truncated address.
"""
from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from docgen.records.mapping import HeaderMapping
from docgen.records.source import RecordFileError, SourceRecord

if TYPE_CHECKING:
    from _csv import _reader


def column_fields(path: Path, codec: str, delimiter: str, mapping: HeaderMapping) -> list[str | None]:
    """Read and check the header now, so a bad column fails before any record is used.

    Returns, per column, the field it feeds or None when it is ignored.
    """
    with path.open(encoding=codec, newline="") as fh:
        header = next(_checked(csv.reader(fh, delimiter=delimiter, strict=True), path), None)
    if not header:
        raise RecordFileError(f"{path}: the first line must be the header row, and it is empty")
    unknown = sum(1 for cell in header if not mapping.knows(cell))
    if unknown * 2 > len(header):
        # most cells unknown: this is a data row, so its cells (names, addresses) are not quoted
        raise RecordFileError(f"{path}: the first line does not look like a header row ({unknown} of "
                              f"{len(header)} columns are not field names, labels or mapped columns)")
    fields: list[str | None] = []
    seen: dict[str, int] = {}
    for number, cell in enumerate(header, start=1):
        name = mapping.field_for(cell, f"{path}: column {number}")
        if name is not None and name in seen:
            raise RecordFileError(f"{path}: columns {seen[name]} and {number} both map to field '{name}'; map or ignore one of them")
        if name is not None:
            seen[name] = number
        fields.append(name)
    return fields


@dataclass
class _Row:
    """A parsed row and the physical lines it came from (the header is line 1)."""

    cells: list[str]
    first_line: int
    last_line: int


def csv_records(path: Path, codec: str, delimiter: str, fields: list[str | None]) -> Iterator[SourceRecord]:
    """Yield the data rows; a row with the wrong number of cells carries a problem and no values."""
    width = len(fields)
    with path.open(encoding=codec, newline="") as fh:
        rows = _rows(csv.reader(fh, delimiter=delimiter, strict=True), path)
        next(rows, None)  # the header, already checked by column_fields
        row = 0
        pending: _Row | None = None  # a row read ahead while looking for the rest of a split record
        while True:
            current = pending or next(rows, None)
            pending = None
            if current is None:
                return
            row += 1
            if not current.cells:
                continue  # a blank line: no record, but it keeps its row number
            # Gather the rows after it that could be the rest of one record split by line breaks:
            # a break splits one cell in two, so n lines of one record hold width + n − 1 cells.
            parts, cells = [current], len(current.cells)
            while width > 1 and cells <= width:
                following = next(rows, None)
                if following is None or not following.cells or cells + len(following.cells) - 1 > width:
                    pending = following
                    break
                parts.append(following)
                cells += len(following.cells) - 1
            if len(parts) == 1 and cells == width:
                values = {name: cell or None for name, cell in zip(fields, current.cells) if name is not None}
                yield SourceRecord(row=row, where=f"row {row}", fields=values)
            elif cells == width:
                yield _misshapen(row, f"lines {parts[0].first_line}–{parts[-1].last_line} hold one record split by "
                                      f"{len(parts) - 1} unquoted line break(s); quote cells that contain line breaks")
            else:
                # not one record: each row is rejected on its own
                for i, part in enumerate(parts):
                    yield _misshapen(row + i, f"{len(part.cells)} cells, header has {width}")
                row += len(parts) - 1


def _misshapen(row: int, detail: str) -> SourceRecord:
    """A record whose cells are not used: shifted cells could put an address into the 管理番号."""
    return SourceRecord(row=row, where=f"row {row}", fields={}, problems=(f"row {row}: {detail}",))


def _rows(reader: _reader, path: Path) -> Iterator[_Row]:
    """Each row with its physical lines, the csv module's errors as RecordFileError with a line."""
    last = 0
    for cells in _checked(reader, path):
        yield _Row(cells, last + 1, reader.line_num)
        last = reader.line_num


def _checked(reader: _reader, path: Path) -> Iterator[list[str]]:
    """Turn the csv module's errors (which never quote content) into RecordFileError with a line."""
    try:
        yield from reader
    except csv.Error as exc:
        raise RecordFileError(f"{path}: line {reader.line_num}: malformed CSV: {exc}") from None
