"""ReportLab's parse of a font file, kept between processes: a counter reissue starts in a fraction
of the time it takes to read the tables of two BIZ UD fonts in Python (≈40 ms each).

What is kept is exactly the state ReportLab's `TTFontFace` holds after parsing (cmap, advance
widths, glyph offsets, names, metrics) and the font's coverage, in the per-user store
(docgen.usercache, folder `fonts`) under a name made of the SHA-256 of the font file's bytes, so
an edited or replaced font is never served stale. The font file itself is still opened on every
start (mapped into memory, not read): subsets are cut from its bytes, so the PDF is the same byte
for byte with or without the cache. An entry that is not whole, not this font's or from another ReportLab is ignored and the
font parsed as before.
"""
from __future__ import annotations

import hashlib
import mmap
import os
import pickle
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import reportlab
from reportlab.pdfbase.ttfonts import TTFontFace

from docgen import usercache
from docgen.digest import sha256_bytes
from docgen.fonts.sequences import is_mark, is_selector

FORMAT = 3                      # bump when what is stored changes
# not part of the parse: the font's bytes (mapped anew every time), where this copy of them lies
# (the same font may be elsewhere next time) and a function (not picklable)
_NOT_STORED = ("_ttf_data", "filename", "_pdfScale", "_glyph_to_char")


@dataclass(frozen=True)
class ParsedFont:
    """A font's face and what it covers: `chars`, every character it maps to a glyph (variation
    selectors aside), and `plain`, those of them that are no combining mark. Both are made from
    the whole character map (≈20,000 entries), so they are kept with the parse."""

    face: TrueTypeFace
    chars: frozenset[str]
    plain: frozenset[str]


class _Slices:
    """A table of a font's bytes that hands out slices of itself without being copied whole."""

    def __init__(self, data: bytes, start: int, length: int) -> None:
        self._data, self._start, self._length = data, start, length

    def __getitem__(self, key: slice) -> bytes:
        start, stop, step = key.indices(self._length)
        if step != 1:
            raise ValueError("only contiguous slices of a font table")
        return self._data[self._start + start:self._start + max(start, stop)]


class TrueTypeFace(TTFontFace):
    """ReportLab's face, whose subsets take each glyph straight from the font's bytes.

    ReportLab copies the whole glyph table for every subset it cuts (once per font and file):
    43 MB of IPAmj明朝 at a time in every worker whose bundle has a rare name.
    """

    def get_table(self, tag: str) -> Any:
        if tag == "glyf":
            return _Slices(self._ttf_data, *self.get_table_pos(tag))
        return super().get_table(tag)

    def __getattr__(self, name: str) -> Any:
        """`glyphToChar` of a face from the cache, unpickled when first asked for: only ReportLab's
        parse reads it, and its 11,000 lists would take 60 % of the time a warm font takes."""
        if name == "glyphToChar" and "_glyph_to_char" in self.__dict__:
            self.glyphToChar = pickle.loads(self.__dict__.pop("_glyph_to_char"))
            return self.glyphToChar
        raise AttributeError(name)


def parsed_font(path: Path) -> ParsedFont:
    """The font file at path, parsed by ReportLab, with its coverage: from the cache when it holds
    this file's parse, else parsed here (and stored for the next process)."""
    data, st = _mapped(path)
    digest = _digest(path, st, data)
    face = TrueTypeFace.__new__(TrueTypeFace)
    # what ReportLab's readFile would set; with _ttf_data present it does not read the file again
    face._ttf_data = data
    face.filename = str(path)
    entry = _entry(digest)
    stored = _stored(usercache.read(entry), digest) if entry else None
    if stored is None:
        TTFontFace.__init__(face, str(path))
        chars = "".join(chr(cp) for cp, gid in face.charToGlyph.items() if gid and not is_selector(cp))
        marks = "".join(ch for ch in chars if is_mark(ch))
        if entry:
            state = face_state(face)
            glyph_to_char = pickle.dumps(state.pop("glyphToChar"), protocol=pickle.HIGHEST_PROTOCOL)
            usercache.write(entry, {"format": FORMAT, "reportlab": reportlab.Version, "font": digest,
                                    "face": state, "glyphToChar": glyph_to_char, "chars": chars, "marks": marks})
    else:
        face.__dict__.update(stored["face"])
        face._glyph_to_char = stored["glyphToChar"]
        face._pdfScale = _scale(face.unitsPerEm)
        chars, marks = stored["chars"], stored["marks"]
    covered = frozenset(chars)
    return ParsedFont(face, covered, covered - frozenset(marks))


def _mapped(path: Path) -> tuple[bytes | mmap.mmap, os.stat_result]:
    """The font file's bytes, mapped rather than read: only the pages a run touches (the tables
    and the glyphs it subsets) are in memory, shared by every process that maps the file, instead
    of a private copy of all of them (IPAmj明朝 is 46 MB, in the driver and each worker of a batch)."""
    with path.open("rb") as fh:
        st = os.fstat(fh.fileno())          # before reading: a later change shows in the next stat
        if st.st_size == 0:
            return b"", st
        return mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ), st


def font_digest(path: Path) -> str:
    """The SHA-256 of a font file's bytes, read only when no digest is recorded for this very file
    (a batch's fingerprint takes every configured font, IPAmj明朝's 46 MB included)."""
    data, st = _mapped(path)
    return _digest(path, st, data)


def _stamp(st: os.stat_result) -> tuple[int, ...]:
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def _known_digest(path: Path, st: os.stat_result) -> str | None:
    """The digest recorded for this very file: the same inode, size and modification and change
    times, recorded once they were settled (docgen.usercache.settled)."""
    entry = _path_entry(path)
    known = usercache.read(entry) if entry else None
    if isinstance(known, dict) and known.get("format") == FORMAT and known.get("path") == str(path) \
            and known.get("stat") == _stamp(st) and isinstance(known.get("digest"), str):
        return known["digest"]
    return None


def _digest(path: Path, st: os.stat_result, data: bytes | mmap.mmap) -> str:
    """The SHA-256 of a font file's bytes (5 ms for a BIZ UD font), or the one recorded for this
    very file; a file changed just now is hashed every time."""
    return _known_digest(path, st) or _recorded(path, st, sha256_bytes(data))


def _recorded(path: Path, st: os.stat_result, digest: str) -> str:
    """Record a file's digest for the next process, once its times have settled."""
    entry = _path_entry(path)
    if entry and usercache.settled(st):
        usercache.write(entry, {"format": FORMAT, "path": str(path), "stat": _stamp(st), "digest": digest})
    return digest


def face_state(face: TTFontFace) -> dict[str, Any]:
    """What the cache stores of a parsed face: all of it but `_NOT_STORED`."""
    face.glyphToChar        # a face from the cache unpickles it now
    return {k: v for k, v in vars(face).items() if k not in _NOT_STORED}


def _scale(units_per_em: int) -> Any:
    """ReportLab's `_pdfScale`: font units to 1/1000 em, the same function its parser makes."""
    if units_per_em == 1000:
        return lambda x: x
    mult = 1000 / units_per_em
    return lambda x: x * mult


def _entry(digest: str) -> Path | None:
    folder = usercache.cache_dir("fonts")
    return folder / f"{digest}.v{FORMAT}.rl{reportlab.Version}.pickle" if folder else None


def _path_entry(path: Path) -> Path | None:
    folder = usercache.cache_dir("fonts")
    return folder / f"file-{hashlib.sha256(str(path).encode()).hexdigest()[:32]}.pickle" if folder else None


def _stored(stored: Any, digest: str) -> dict[str, Any] | None:
    """A read entry if it is this font's, of this format and ReportLab, else None."""
    if not isinstance(stored, dict) or stored.get("font") != digest or stored.get("reportlab") != reportlab.Version \
            or stored.get("format") != FORMAT or not isinstance(stored.get("face"), dict) \
            or not isinstance(stored.get("chars"), str) or not isinstance(stored.get("marks"), str) \
            or not isinstance(stored.get("glyphToChar"), bytes):
        return None
    return stored
