"""ReportLab's parse of a font file, kept between processes: a counter reissue starts in a fraction
of the time it takes to read the tables of two BIZ UD fonts in Python (≈40 ms each).

What is kept is exactly the state ReportLab's `TTFontFace` holds after parsing (cmap, advance
widths, glyph offsets, names, metrics), pickled in a per-user cache folder under a name made of
the SHA-256 of the font file's bytes, so an edited or replaced font is never served stale. The
font file itself is still read on every start: subsets are cut from its bytes, so the PDF is the
same byte for byte with or without the cache.

The cache only ever saves time. A file that is missing, truncated, corrupt, from another
ReportLab or not owned by this user is ignored and the font parsed as before; a folder that
cannot be written is left alone. Entries are written to a temporary name and renamed, so two
processes starting at once each see either no entry or a whole one.
"""
from __future__ import annotations

import gc
import hashlib
import os
import pickle
import stat
import sys
import tempfile
from pathlib import Path
from typing import Any

import reportlab
from reportlab.pdfbase.ttfonts import TTFontFace

FORMAT = 1                      # bump when what is stored changes
_MAGIC = b"docgen-font-cache\n"
_DIGEST = hashlib.sha256().digest_size
_LARGEST = 1 << 28          # IPAmj明朝's entry is 3 MB: anything near this is not an entry
# not part of the parse: the font's bytes (read anew every time), where this copy of them lies
# (the same font may be elsewhere next time) and a function (not picklable)
_NOT_STORED = ("_ttf_data", "filename", "_pdfScale")


def cache_dir() -> Path | None:
    """docgen's folder for parsed fonts: $XDG_CACHE_HOME/docgen/fonts (default ~/.cache), or
    %LOCALAPPDATA%\\docgen\\fonts on Windows; None when there is no home to put it in."""
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA")
    else:
        base = os.environ.get("XDG_CACHE_HOME")
        if not base or not os.path.isabs(base):      # the XDG spec says to ignore a relative path
            try:
                base = str(Path.home() / ".cache")
            except RuntimeError:
                base = None
    return Path(base) / "docgen" / "fonts" if base else None


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


def parsed_face(path: Path) -> TrueTypeFace:
    """The ReportLab face of the font file at path: from the cache when it holds this file's
    parse, else parsed here (and stored for the next process)."""
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    face = TrueTypeFace.__new__(TrueTypeFace)
    # what ReportLab's readFile would set; with _ttf_data present it does not read the file again
    face._ttf_data = data
    face.filename = str(path)
    entry = _entry(digest)
    state = _read(entry, digest) if entry else None
    if state is None:
        TTFontFace.__init__(face, str(path))
        if entry:
            _write(entry, digest, face_state(face))
    else:
        face.__dict__.update(state)
        face._pdfScale = _scale(face.unitsPerEm)
    return face


def face_state(face: TTFontFace) -> dict[str, Any]:
    """What the cache stores of a parsed face: all of it but `_NOT_STORED`."""
    return {k: v for k, v in vars(face).items() if k not in _NOT_STORED}


def _scale(units_per_em: int) -> Any:
    """ReportLab's `_pdfScale`: font units to 1/1000 em, the same function its parser makes."""
    if units_per_em == 1000:
        return lambda x: x
    mult = 1000 / units_per_em
    return lambda x: x * mult


def _entry(digest: str) -> Path | None:
    folder = cache_dir()
    return folder / f"{digest}.v{FORMAT}.rl{reportlab.Version}.pickle" if folder else None


def _read(entry: Path, digest: str) -> dict[str, Any] | None:
    """The stored state, or None for anything but a whole, checked entry written by this user."""
    try:
        with entry.open("rb") as fh:
            st = os.fstat(fh.fileno())
            # a pickle runs code when loaded: only ever load one this user wrote, that no one
            # else could have changed since; and nothing but a regular file of a sane size
            if hasattr(os, "getuid") and (st.st_uid != os.getuid() or st.st_mode & 0o022):
                return None
            if not stat.S_ISREG(st.st_mode) or st.st_size > _LARGEST:
                return None
            blob = fh.read()
    except OSError:
        return None
    head = len(_MAGIC) + _DIGEST
    payload = blob[head:]
    if blob[:len(_MAGIC)] != _MAGIC or blob[len(_MAGIC):head] != hashlib.sha256(payload).digest():
        return None
    collecting = gc.isenabled()
    gc.disable()            # a hundred thousand new objects and no garbage: nothing to collect
    try:
        stored = pickle.loads(payload)
    except Exception:       # a checksum that matches makes this unlikely; never let it stop a render
        return None
    finally:
        if collecting:
            gc.enable()
    if not isinstance(stored, dict) or stored.get("font") != digest or stored.get("reportlab") != reportlab.Version \
            or stored.get("format") != FORMAT or not isinstance(stored.get("face"), dict):
        return None
    return stored["face"]


def _write(entry: Path, digest: str, state: dict[str, Any]) -> None:
    """Store state under entry, whole or not at all; any failure leaves things as they were."""
    payload = pickle.dumps({"format": FORMAT, "reportlab": reportlab.Version, "font": digest, "face": state},
                           protocol=pickle.HIGHEST_PROTOCOL)
    tmp = None
    try:
        entry.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=entry.parent, prefix=".partial-")
        with os.fdopen(fd, "wb") as fh:
            fh.write(_MAGIC + hashlib.sha256(payload).digest() + payload)
        os.replace(tmp, entry)
        tmp = None
    except OSError:
        pass                # read-only home, full disk, no permission: parse again next time
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
