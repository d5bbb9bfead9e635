"""Reading records: CSV/TSV (UTF-8 with or without BOM, or CP932) and JSON Lines.

A file's own column headers are mapped to field names (docgen.fields) through a mapping file or
automatically by field name and Japanese label. Values are handed on exactly as written: no
Unicode normalisation, which would silently turn some name kanji into others.
"""
from docgen.records.mapping import HeaderMapping, load_mapping
from docgen.records.reader import read_records
from docgen.records.select import select_records
from docgen.records.source import RecordFileError, SourceRecord

__all__ = ["HeaderMapping", "RecordFileError", "SourceRecord", "load_mapping", "read_records", "select_records"]
