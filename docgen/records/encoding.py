"""Choosing the text encoding of a records file: UTF-8 (with or without BOM) or CP932.

The whole file is checked before the first record is read, in fixed-size chunks (so memory
stays flat), because a guess from the first kilobytes could pass a CP932 file whose first
non-ASCII name sits on row 40 000 and then fail half-way through a print run. The check costs
one extra sequential read per candidate encoding.
"""
from __future__ import annotations

import codecs
import re
from pathlib import Path
from typing import NamedTuple

from docgen.records.source import RecordFileError

_CHUNK = 1 << 18
RULE = "records files must be UTF-8 (with or without BOM) or CP932 (Windows Shift_JIS)"

# Not text in any file we accept. Python's cp932 codec also decodes the single bytes 0x80, 0xA0
# and 0xFD-0xFF (to U+0080 and U+F8F0-U+F8F3) for Windows round-tripping, but no Shift_JIS text
# contains them; refusing them is what stops arbitrary binary from "decoding" as CP932.
# A NUL byte is not refused here: one in a cell rejects that record (validation's control-character
# rule) and the rest of the file goes through. Many NULs near the start are refused below: that
# is UTF-16 without a byte-order mark, or not text at all.
_NOT_CP932 = re.compile("[\x80\uf8f0-\uf8f3]")
_HEAD = 4096


class _Bad(NamedTuple):
    offset: int
    line: int


def choose_encoding(path: Path, requested: str | None) -> str:
    """The codec to open `path` with; raises RecordFileError when the bytes do not fit it."""
    with path.open("rb") as fh:
        head = fh.read(_HEAD)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise RecordFileError(f"{path}: starts with a UTF-16 byte-order mark; {RULE}")
    has_bom = head.startswith(codecs.BOM_UTF8)
    _refuse_wide_text(path, head)
    if requested is not None:
        try:
            codec = codecs.lookup(requested).name
        except LookupError:
            raise RecordFileError(f"unknown encoding '{requested}' requested for {path}") from None
        if codec == "utf-8" and has_bom:
            codec = "utf-8-sig"
        bad = _first_bad(path, "utf-8" if codec == "utf-8-sig" else codec, None)
        if bad:
            raise RecordFileError(f"{path}: not valid {requested} at byte offset {bad.offset} (line {bad.line})")
        return codec
    bad_utf8 = _first_bad(path, "utf-8", None)
    if bad_utf8 is None:
        return "utf-8-sig" if has_bom else "utf-8"
    if has_bom:
        raise RecordFileError(f"{path}: has a UTF-8 byte-order mark but is not valid UTF-8 at byte offset {bad_utf8.offset} (line {bad_utf8.line})")
    bad_cp932 = _first_bad(path, "cp932", _NOT_CP932)
    if bad_cp932 is None:
        return "cp932"
    raise RecordFileError(
        f"{path}: neither UTF-8 (fails at byte offset {bad_utf8.offset}, line {bad_utf8.line}) "
        f"nor CP932 (fails at byte offset {bad_cp932.offset}, line {bad_cp932.line}); {RULE}"
    )


def _refuse_wide_text(path: Path, head: bytes) -> None:
    """Refuse a file whose start (`head`) is a quarter or more NUL bytes: UTF-16 without BOM, or binary."""
    if head and head.count(0) * 4 >= len(head):
        raise RecordFileError(f"{path}: {head.count(0)} NUL bytes in the first {len(head)}: UTF-16 without "
                              f"byte-order mark, or not a text file; {RULE}")


def _first_bad(path: Path, codec: str, not_text: re.Pattern[str] | None) -> _Bad | None:
    """Where `path` first fails to decode with `codec` or decodes to a `not_text` character."""
    decoder = codecs.getincrementaldecoder(codec)()
    fed = 0  # bytes handed to the decoder so far
    with path.open("rb") as fh:
        while True:
            chunk = fh.read(_CHUNK)
            start = fed - len(decoder.getstate()[0])  # file offset of this call's first byte
            try:
                text = decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as exc:
                return _bad_at(path, start + exc.start)
            found = not_text.search(text) if not_text else None
            if found:
                # Both codecs decode and re-encode with the same byte length per character.
                return _bad_at(path, start + len(text[: found.start()].encode(codec)))
            if not chunk:
                return None
            fed += len(chunk)


def _bad_at(path: Path, offset: int) -> _Bad:
    """Add the 1-based line number of a byte offset; 0x0A is never inside a UTF-8/CP932 character."""
    newlines = 0
    with path.open("rb") as fh:
        remaining = offset
        while remaining > 0:
            chunk = fh.read(min(_CHUNK, remaining))
            newlines += chunk.count(b"\n")
            remaining -= len(chunk)
    return _Bad(offset, newlines + 1)
