"""Which records of an input a command works on: all of them, or the one with a 管理番号 (--id)."""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from docgen.fields import FieldDictionary
from docgen.records.reader import read_records
from docgen.records.source import SourceRecord


def select_records(data: Path | str | Iterable[SourceRecord], mapping: Path | None, encoding: str | None,
                   record_id: str | None, fields: FieldDictionary | None = None) -> Iterator[SourceRecord]:
    """Records from a file (read lazily) or an iterable, optionally only the one with `record_id`;
    `fields` are the run's (see read_records)."""
    records = read_records(Path(data), mapping=mapping, encoding=encoding, fields=fields) \
        if isinstance(data, (str, Path)) else data
    for r in records:
        if record_id is None or r.fields.get("record_id") == record_id:
            yield r
