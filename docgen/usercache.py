"""A per-user store of what docgen would otherwise work out again on every start (ReportLab's
parse of a font, a loaded and checked layout), so a counter reissue starts in a fraction of the
time. It lives in $XDG_CACHE_HOME/docgen (default ~/.cache/docgen; %LOCALAPPDATA%\\docgen on
Windows), one folder per kind of entry; deleting it is always safe.

The store only ever saves time. Each caller names an entry by what it is made from (content
hashes, versions), and checks what it reads back. An entry that is missing, truncated, corrupt,
far too large or not owned by this user reads as None, and the caller works it out as before; a
folder that cannot be written is left alone. Entries are written to a temporary name and
renamed, so processes starting at once (the workers of a bulk run) each see none or a whole one.
"""
from __future__ import annotations

import gc
import hashlib
import os
import pickle
import stat
import sys
import tempfile
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any, Iterator

_MAGIC = b"docgen-cache\n"
_DIGEST = hashlib.sha256().digest_size
LARGEST = 1 << 28          # IPAmj明朝's font entry is 3 MB: anything near this is not an entry


def cache_dir(kind: str) -> Path | None:
    """docgen's folder for one kind of entry ("fonts", "layouts"): $XDG_CACHE_HOME/docgen/KIND
    (default ~/.cache), or %LOCALAPPDATA%\\docgen\\KIND on Windows; None when there is no home."""
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA")
    else:
        base = os.environ.get("XDG_CACHE_HOME")
        if not base or not os.path.isabs(base):      # the XDG spec says to ignore a relative path
            try:
                base = str(Path.home() / ".cache")
            except RuntimeError:
                base = None
    return Path(base) / "docgen" / kind if base else None


def read(entry: Path) -> Any:
    """The object stored under entry, or None for anything but a whole, checked entry this user wrote."""
    try:
        with entry.open("rb") as fh:
            st = os.fstat(fh.fileno())
            # a pickle runs code when loaded: only ever load one this user wrote, that no one
            # else could have changed since; and nothing but a regular file of a sane size
            if hasattr(os, "getuid") and (st.st_uid != os.getuid() or st.st_mode & 0o022):
                return None
            if not stat.S_ISREG(st.st_mode) or st.st_size > LARGEST:
                return None
            blob = fh.read()
    except OSError:
        return None
    head = len(_MAGIC) + _DIGEST
    payload = blob[head:]
    if blob[:len(_MAGIC)] != _MAGIC or blob[len(_MAGIC):head] != hashlib.sha256(payload).digest():
        return None
    collecting = gc.isenabled()
    gc.disable()            # many new objects and no garbage: nothing for the collector to find
    try:
        return pickle.loads(payload)
    except Exception:       # a checksum that matches makes this unlikely; never let it stop a run
        return None
    finally:
        if collecting:
            gc.enable()


def write(entry: Path, value: Any) -> None:
    """Store value under entry, whole or not at all; any failure leaves things as they were."""
    payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    tmp = None
    try:
        entry.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=entry.parent, prefix=".partial-")
        with os.fdopen(fd, "wb") as fh:
            fh.write(framed(payload))
        os.replace(tmp, entry)
        tmp = None
    except OSError:
        pass                # read-only home, full disk, no permission: work it out again next time
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass


def framed(payload: bytes) -> bytes:
    """An entry's bytes: a pickled payload behind the marker and the payload's checksum."""
    return _MAGIC + hashlib.sha256(payload).digest() + payload


_traces: ContextVar[tuple[list[Any], ...]] = ContextVar("docgen_usercache_traces", default=())


@contextmanager
def traced() -> Iterator[list[Any]]:
    """Collect what is `note`d while the block runs (in this thread or task): the inputs of
    something about to be stored, however deep the code that reads them. Traces nest."""
    found: list[Any] = []
    token = _traces.set((*_traces.get(), found))
    try:
        yield found
    finally:
        _traces.reset(token)


def note(item: Any) -> None:
    """Tell every trace running that item (a file read, a reference resolved) went into what it makes."""
    for found in _traces.get():
        found.append(item)
