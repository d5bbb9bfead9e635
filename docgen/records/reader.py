"""read_records: pick the reader by file extension, the encoding by content, then stream."""
from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

from docgen.fields import FieldDictionary
from docgen.records.csvfile import column_fields, csv_records
from docgen.records.encoding import choose_encoding
from docgen.records.jsonl import jsonl_records
from docgen.records.mapping import HeaderMapping, resolve_mapping
from docgen.records.source import RecordFileError, SourceRecord

_DELIMITERS = {".csv": ",", ".txt": ",", ".tsv": "\t"}
_JSON_LINES = {".jsonl", ".ndjson"}


def read_records(
    path: Path | str,
    mapping: HeaderMapping | Path | str | dict | None = None,
    encoding: str | None = None,
    fields: FieldDictionary | None = None,
) -> Iterator[SourceRecord]:
    """Stream the records of a CSV/TSV or JSON Lines file, one at a time.

    Everything that concerns the file as a whole (the mapping, the encoding, the CSV header) is
    checked here, before this returns, so a wrong file fails before the first record is used;
    the records themselves are read lazily, so a file of any length needs constant memory.
    `mapping` is a mapping file, a dict of the same shape, or a loaded HeaderMapping.
    `encoding` overrides the detection (UTF-8 with or without BOM, else CP932). `fields` are the
    fields a header may name (default: the built-in dictionary; a job's add those its scheme,
    layout and profile declare).
    A file without a single record is an error here, once for every command: a header-only
    export is a failed export, not a run with nothing to do.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in _DELIMITERS and suffix not in _JSON_LINES:
        known = ", ".join(sorted([*_DELIMITERS, *_JSON_LINES]))
        raise RecordFileError(f"{path}: unsupported file type '{path.suffix}' (known: {known})")
    header_mapping = resolve_mapping(mapping, fields)
    _check_is_file(path)
    codec = choose_encoding(path, encoding)
    if suffix in _JSON_LINES:
        records = jsonl_records(path, codec, header_mapping)
    else:
        delimiter = _DELIMITERS[suffix]
        fields = column_fields(path, codec, delimiter, header_mapping)
        records = csv_records(path, codec, delimiter, fields)
    first = next(records, None)
    if first is None:
        rows = "no data rows after the header row" if suffix not in _JSON_LINES else "no JSON lines"
        raise RecordFileError(f"{path}: no records ({rows})")
    return itertools.chain([first], records)


def _check_is_file(path: Path) -> None:
    """Say what the path is when it is not a records file (the CLI would only say "not found")."""
    if path.is_dir():
        raise RecordFileError(f"{path}: is a directory, not a records file")
    if not path.exists():
        raise RecordFileError(f"{path}: records file not found")
    if not path.is_file():
        raise RecordFileError(f"{path}: not a regular file")
