"""CSV and TSV records: the header row names the columns, each later row is one record.

Parsing is the stdlib csv module in strict mode: a stray quote would otherwise swallow the rest
of the file into one cell without a word. Quoted cells may hold newlines; rows are numbered by
record, not by physical line.
"""
from __future__ import annotations

import csv
from collections.abc import Iterator
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


def csv_records(path: Path, codec: str, delimiter: str, fields: list[str | None]) -> Iterator[SourceRecord]:
    """Yield the data rows; a row with the wrong number of cells carries a problem."""
    with path.open(encoding=codec, newline="") as fh:
        rows = _checked(csv.reader(fh, delimiter=delimiter, strict=True), path)
        next(rows, None)  # the header, already checked by column_fields
        for row, cells in enumerate(rows, start=1):
            if not cells:
                continue  # a blank line: no record, but it keeps its row number
            where = f"row {row}"
            problems: tuple[str, ...] = ()
            if len(cells) != len(fields):
                missing = "; the missing cells are read as empty" if len(cells) < len(fields) else ""
                problems = (f"{where}: {len(cells)} cells, header has {len(fields)}{missing}",)
            values = {name: (cells[i] or None) if i < len(cells) else None for i, name in enumerate(fields) if name is not None}
            yield SourceRecord(row=row, where=where, fields=values, problems=problems)


def _checked(reader: _reader, path: Path) -> Iterator[list[str]]:
    """Turn the csv module's errors (which never quote content) into RecordFileError with a line."""
    try:
        yield from reader
    except csv.Error as exc:
        raise RecordFileError(f"{path}: line {reader.line_num}: malformed CSV: {exc}") from None
