"""CSV and TSV records: the header row names the columns, each later row is one record.

Parsing is the stdlib csv module in strict mode: a stray quote would otherwise swallow the rest
of the file into one cell without a word. Quoted cells may hold newlines; rows are numbered by
record, not by physical line.

A row whose cell count differs from the header's is never used: its cells may be shifted, so a
part of an address could pass for a 管理番号 or a name. Nor is a full row next to a short one: an
unquoted line break in a record's first or last cell leaves a full row beside a one-cell line,
and which record the line belongs to cannot be told (`_regions`). Every record of such a damaged
region is handed on without values and with a problem. When the region's cell counts are
those of whole records split by line breaks, it counts as that many records ("row N: lines
a–b hold 2 records split by 1 unquoted line break(s)"), so the rows after it keep their numbers.
"""
from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

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
    """Yield the data rows; every row of a damaged region carries a problem and no values."""
    width = len(fields)
    with path.open(encoding=codec, newline="") as fh:
        rows = _rows(csv.reader(fh, delimiter=delimiter, strict=True), path)
        next(rows, None)  # the header, already checked by column_fields
        row = 0
        for item in _regions(rows, width):
            if isinstance(item, list):
                damaged = list(_damaged(item, width, row))
                yield from damaged
                row += len(damaged)
                continue
            row += 1
            if item.cells:      # a blank line: no record, but it keeps its row number
                values = {name: cell or None for name, cell in zip(fields, item.cells) if name is not None}
                yield SourceRecord(row=row, where=f"row {row}", fields=values)


class _Line(NamedTuple):
    """A row of a damaged region: only its shape is kept (none of its cells is used)."""

    cells: int
    first_line: int
    last_line: int


def _line(r: _Row) -> _Line:
    return _Line(len(r.cells), r.first_line, r.last_line)


def _regions(rows: Iterator[_Row], width: int) -> Iterator[_Row | list[_Line]]:
    """Each full row and blank line as it is, and each damaged region as the list of its lines.

    A region is a run of rows whose cell count is not the header's, with the full rows on either
    side when the run's row next to them is short: a line break splits one cell in two, so a full
    row followed by a short one may be a record whose last cell was cut (its first part prints a
    truncated address), and a short row followed by a full one may be the start of a record whose
    first cell was cut (the full row is its rest, shifted by one). Blank lines between them
    belong to the region. A full row is held back until the next row shows which it is."""
    held: list[_Row] = []          # a full row and the blank lines after it
    region: list[_Line] = []
    last = 0                       # the cell count of the region's last line that has cells

    for r in rows:
        n = len(r.cells)
        if region:
            if n != width or last < width:
                region.append(_line(r))   # a blank line inside, the run goes on, or its full neighbour
                last = n or last
                continue
            yield region
            region = []
        if n == width:
            yield from held
            held = [r]
        elif n == 0 and held:
            held.append(r)
        elif n == 0:
            yield r
        else:
            if n > width:
                yield from held
                held = []
            region, held, last = [_line(x) for x in held] + [_line(r)], [], n
    if region:
        yield region
    yield from held


def _damaged(region: list[_Line], width: int, row: int) -> Iterator[SourceRecord]:
    """The records of a damaged region after data row `row`, each with a problem and no values.

    When the cell counts are those of whole records split by line breaks alone (k lines of n
    records hold n × width + k − n cells, no line more than width), the region is that many
    records; otherwise each line is one."""
    lines = [r for r in region if r.cells]
    span = f"lines {lines[0].first_line}–{lines[-1].last_line}"
    extra = sum(r.cells for r in lines) - len(lines)
    records, rest = divmod(extra, width - 1) if width > 1 else (0, 1)
    if not rest and 1 <= records < len(lines) and all(r.cells <= width for r in lines):
        breaks = len(lines) - records
        held = "one record" if records == 1 else f"{records} records"
        for n in range(row + 1, row + records + 1):
            yield _misshapen(n, f"{span} hold {held} split by {breaks} unquoted line break(s); no cell of "
                                "them is used, as any may have shifted; quote cells that contain line breaks")
        return
    for n, r in enumerate(lines, start=row + 1):
        if r.cells != width:
            yield _misshapen(n, f"{r.cells} cells, header has {width}")
        else:
            yield _misshapen(n, f"next to a row with fewer cells than the header ({span}): its cells may "
                                "have shifted by an unquoted line break")


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
