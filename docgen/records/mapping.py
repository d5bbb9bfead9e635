"""Header mapping: which column of a file (often a Japanese header) feeds which field.

A mapping file is YAML:

    columns: {"氏名（漢字）": name, "カナ氏名": name_kana}
    ignore: ["作成日", "担当者"]

Headers are compared exactly, after removing surrounding whitespace and a byte-order mark; no
full-width/half-width folding, so what matches is what the file says. A header that is a field
name or a field's Japanese label maps without being listed, so a mapping only needs the file's own
names; the fields are those of the run (the dictionary with the fields its scheme, layout and
profile declare). Any other header must be mapped or ignored: a column is never dropped silently.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from docgen.digest import sha256_bytes
from docgen.fields import BUILTIN, FieldDictionary
from docgen.records.source import RecordFileError
from docgen.yamlfile import problems, read_yaml, validation_lines


class _MappingFile(BaseModel):
    """The schema of a mapping file; unknown top-level keys are typos, so they are refused."""

    model_config = ConfigDict(extra="forbid", strict=True, defer_build=True)

    columns: dict[str, str] = {}
    ignore: list[str] = []

    @field_validator("columns")
    @classmethod
    def _known_fields(cls, columns: dict[str, str], info: ValidationInfo) -> dict[str, str]:
        fields: FieldDictionary = info.context
        for header, name in columns.items():
            if name not in fields:
                raise ValueError(f"column '{header}' maps to '{name}', which is not a field name (see the field dictionary)")
        return columns

    @field_validator("columns", "ignore")
    @classmethod
    def _headers_trimmed(cls, headers: dict[str, str] | list[str]) -> dict[str, str] | list[str]:
        for header in headers:
            if header != clean_header(header):
                raise ValueError(f"header '{header}' has surrounding whitespace; headers are matched after trimming it")
        return headers


@dataclass(frozen=True)
class HeaderMapping:
    """A validated mapping; `source` names where it came from, for messages; `fields` are the
    fields its headers may name."""

    columns: dict[str, str]
    ignore: frozenset[str]
    source: str
    fields: FieldDictionary = BUILTIN

    def knows(self, header: str) -> bool:
        """Whether a header is mapped, ignored, or a field name or label."""
        header = clean_header(header)
        return header in self.columns or header in self.ignore or self.fields.for_header(header) is not None

    def field_for(self, header: str, where: str) -> str | None:
        """The field a header feeds, or None for an ignored header; unknown headers raise.

        `where` says which file and column (or line and key) is asked about, for the message.
        """
        header = clean_header(header)
        if header in self.columns:
            return self.columns[header]
        if header in self.ignore:
            return None
        known = self.fields.for_header(header)
        if known is not None:
            return known.name
        raise RecordFileError(
            f"{where} ({header_id(header)}): unknown column; map it in the mapping file ({self.source}) "
            "or list it under ignore"
        )


def clean_header(header: str) -> str:
    """Surrounding whitespace and a byte-order mark are export artefacts, not part of a name."""
    return header.strip().strip("\ufeff").strip()


def header_id(header: str) -> str:
    """A header as messages name it, never its text: a data row taken for the header row puts a
    name or an address there. The first 8 hex digits of its UTF-8 bytes' SHA-256 tell two apart
    (`printf %s HEADER | sha256sum`), the length helps to find it."""
    digest = sha256_bytes(header.encode("utf-8", "surrogatepass"))[:8]
    return f"header #{digest}, {len(header)} character(s)"


def load_mapping(path: Path | str, fields: FieldDictionary = BUILTIN) -> HeaderMapping:
    """Read and validate a mapping file; errors name the file and the offending key."""
    path = Path(path)
    data = read_yaml(path, RecordFileError, "mapping file")
    return mapping_from(data, str(path), fields)


def mapping_from(data: Any, source: str, fields: FieldDictionary = BUILTIN) -> HeaderMapping:
    """Validate mapping data (parsed YAML or a dict given in code) the same way."""
    if not isinstance(data, dict):
        raise RecordFileError(f"{source}: a mapping must be a YAML mapping with 'columns' and/or 'ignore'")
    try:
        model = _MappingFile.model_validate(data, context=fields)
    except ValidationError as exc:
        raise RecordFileError(problems(source, validation_lines(exc, data))) from None
    both = sorted(set(model.columns) & set(model.ignore))
    if both:
        raise RecordFileError(f"{source}: ignore: '{both[0]}' is also listed under columns; keep one")
    return HeaderMapping(columns=dict(model.columns), ignore=frozenset(model.ignore), source=source, fields=fields)


def resolve_mapping(mapping: HeaderMapping | Path | str | dict | None,
                    fields: FieldDictionary | None = None) -> HeaderMapping:
    """Accept what read_records accepts: nothing, a loaded mapping, a file path or a dict; with
    `fields`, the run's fields (a loaded mapping is checked again against them)."""
    if fields is None:
        fields = mapping.fields if isinstance(mapping, HeaderMapping) else BUILTIN
    if mapping is None:
        return HeaderMapping(columns={}, ignore=frozenset(), source="none given", fields=fields)
    if isinstance(mapping, HeaderMapping):
        return mapping_from({"columns": mapping.columns, "ignore": sorted(mapping.ignore)}, mapping.source, fields)
    if isinstance(mapping, (str, os.PathLike)):
        return load_mapping(Path(mapping), fields)
    return mapping_from(mapping, "mapping given in code", fields)
