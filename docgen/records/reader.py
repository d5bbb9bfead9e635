"""read_records: pick the reader by file extension, the encoding by content, then stream."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

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
) -> Iterator[SourceRecord]:
    """Stream the records of a CSV/TSV or JSON Lines file, one at a time.

    Everything that concerns the file as a whole (the mapping, the encoding, the CSV header) is
    checked here, before this returns, so a wrong file fails before the first record is used;
    the records themselves are read lazily, so a file of any length needs constant memory.
    `mapping` is a mapping file, a dict of the same shape, or a loaded HeaderMapping.
    `encoding` overrides the detection (UTF-8 with or without BOM, else CP932).
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in _DELIMITERS and suffix not in _JSON_LINES:
        known = ", ".join(sorted([*_DELIMITERS, *_JSON_LINES]))
        raise RecordFileError(f"{path}: unsupported file type '{path.suffix}' (known: {known})")
    header_mapping = resolve_mapping(mapping)
    if not path.is_file():
        raise RecordFileError(f"{path}: records file not found")
    codec = choose_encoding(path, encoding)
    if suffix in _JSON_LINES:
        return jsonl_records(path, codec, header_mapping)
    delimiter = _DELIMITERS[suffix]
    fields = column_fields(path, codec, delimiter, header_mapping)
    return csv_records(path, codec, delimiter, fields)
