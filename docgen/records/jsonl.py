"""JSON Lines records: one JSON object per line, keys mapped like CSV headers.

Keys are checked as they appear (there is no header row), so an unknown key stops the read at
its line. Values must be scalars: strings as given, integers as their digits, booleans as "1"
and "0", null as absent; validation then takes a boolean only for a yes/no field and an integer
only for a yes/no, digits or choice field (the record's `json_types` say which values were
which): `"name": true` or `"sex": true` is a rejected field, not "1" or 男. Floats are refused
because their text is not the file's text (0.10 reads back as "0.1"); a number with a fraction
belongs in a string.
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from docgen.records.mapping import HeaderMapping
from docgen.records.source import RecordFileError, SourceRecord

_JSON_SPACE = " \t\r\n"


class _Pairs(tuple):
    """A JSON object kept as its (key, value) pairs, so duplicate keys are seen, not overwritten."""


def jsonl_records(path: Path, codec: str, mapping: HeaderMapping) -> Iterator[SourceRecord]:
    """Yield one record per non-blank line; blank lines are skipped but still counted."""
    fields_of: dict[str, str | None] = {}  # key -> field, resolved once per distinct key
    with path.open(encoding=codec, newline="") as fh:
        for line_no, line in enumerate(fh, start=1):
            if not line.strip(_JSON_SPACE):
                continue
            where = f"line {line_no}"
            obj = _parse(line, f"{path}: {where}")
            if not isinstance(obj, _Pairs):
                raise RecordFileError(f"{path}: {where}: expected a JSON object, found {_kind(obj)}")
            values: dict[str, str | None] = {}
            json_types: dict[str, str] = {}
            keys: dict[str, int] = {}  # field -> the number of the key that set it (a key may hold data: never shown)
            for number, (key, value) in enumerate(obj, start=1):
                if key not in fields_of:
                    fields_of[key] = mapping.field_for(key, f"{path}: {where}: key {number}")
                name = fields_of[key]
                if name is None:
                    continue
                if name in keys:
                    raise RecordFileError(f"{path}: {where}: keys {keys[name]} and {number} both give field '{name}'")
                keys[name] = number
                values[name] = _text(value, f"{path}: {where}: field {name} (key {number})")
                if isinstance(value, (bool, int)):
                    json_types[name] = "boolean" if isinstance(value, bool) else "number"
            yield SourceRecord(row=line_no, where=where, fields=values, json_types=json_types)


def _parse(line: str, where: str) -> object:
    """One line's JSON; whatever the parser chokes on is a RecordFileError naming the line.

    Control characters inside strings are let through (strict=False) so that a NUL or a tab in a
    value rejects that record by validation's rule instead of refusing the whole file.
    """
    try:
        return json.loads(line, object_pairs_hook=_Pairs, strict=False)
    except json.JSONDecodeError as exc:
        raise RecordFileError(f"{where}: not valid JSON at column {exc.colno}: {exc.msg}") from None
    except RecursionError:
        raise RecordFileError(f"{where}: JSON nested too deeply; values must be strings, integers, "
                              "booleans or null") from None
    except ValueError:
        # Python refuses integers of more than 4300 digits (int_max_str_digits) as a ValueError
        raise RecordFileError(f"{where}: a number too long to read; write it as a string") from None


def _text(value: object, where: str) -> str | None:
    """The value as record text; anything whose text would be invented is refused."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return value or None
    if isinstance(value, float):
        raise RecordFileError(f"{where}: a number with a fraction or exponent; write it as a string")
    raise RecordFileError(f"{where}: {_kind(value)} is not allowed; values must be strings, integers, booleans or null")


def _kind(value: object) -> str:
    """Name a JSON value's type without showing the value."""
    if isinstance(value, _Pairs):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a string"
    if value is None:
        return "null"
    return "a boolean" if isinstance(value, bool) else "a number"
