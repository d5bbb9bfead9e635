"""A per-user store of what docgen would otherwise work out again on every start (ReportLab's
parse of a font, a loaded and checked layout), so a counter reissue starts in a fraction of the
time. It lives in $XDG_CACHE_HOME/docgen (default ~/.cache/docgen; %LOCALAPPDATA%\\docgen on
Windows), one folder per kind of entry; deleting it is always safe.

The store only ever saves time. An entry that is missing, truncated, corrupt, far too large or
not owned by this user reads as None, and the caller works it out as before; a folder that
cannot be written is left alone. Entries are written to a temporary name and renamed, so
processes starting at once (the workers of a bulk run) each see none or a whole one.

`kept` keeps what a load gives with what it was made from: the SHA-256 of every file it read
and the checks it noted (a reference that must still mean the same file), docgen's own modules
and the caller's versions. Any of them changed is a miss, and a load that fails is never kept.
"""
from __future__ import annotations

import gc
import hashlib
import os
import pickle
import stat
import sys
import tempfile
import time
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache
from importlib.util import find_spec
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, TypeVar

from docgen.digest import sha256_file
from docgen.paths import PACKAGE

_MAGIC = b"docgen-cache\n"
_DIGEST = hashlib.sha256().digest_size
LARGEST = 1 << 28          # IPAmj明朝's font entry is 3 MB: anything near this is not an entry
FORMAT = 1                 # of what `kept` stores: bump when it changes
SETTLED = 2_000_000_000    # ns since a file last changed after which its times are trusted
T = TypeVar("T")


def settled(st: os.stat_result) -> bool:
    """Whether a file's times tell its content: any write sets its change time, which no one can
    set back, but two writes within one tick of the clock would leave the same times."""
    return time.time_ns() - max(st.st_mtime_ns, st.st_ctime_ns) > SETTLED


def cache_dir(kind: str) -> Path | None:
    """docgen's folder for one kind of entry ("fonts", "loaded"): $XDG_CACHE_HOME/docgen/KIND
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
    try:
        payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:       # something that cannot be kept (a plug-in's model holding a function)
        return
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
    """Tell every trace running that item went into what it makes: a Path (a file read), or a
    check (anything with `holds()`, such as a reference that must still mean the same file)."""
    for found in _traces.get():
        found.append(item)


@dataclass(frozen=True)
class Inputs:
    """What a loaded object was made from: files with the SHA-256 of their bytes ("" for a file
    that was not there), and checks that held."""

    files: tuple[tuple[Path, str], ...]
    checks: tuple[Any, ...]

    @classmethod
    def of(cls, items: Iterable[Any]) -> "Inputs":
        """From what a load noted, each once."""
        found = list(items)
        files = dict.fromkeys(i for i in found if isinstance(i, Path))
        return cls(tuple((path, file_digest(path)) for path in files),
                   tuple(dict.fromkeys(i for i in found if not isinstance(i, Path))))

    def settled(self) -> bool:
        """Whether no file changed just before or while it was read: a digest taken after a load
        must be of the bytes the load read (a layout saved meanwhile would be kept stale)."""
        try:
            return all(settled(path.stat()) for path, digest in self.files if digest)
        except OSError:
            return False

    def hold(self) -> bool:
        """Whether every file has the same bytes and every check still holds."""
        return all(file_digest(path) == digest for path, digest in self.files) and all(c.holds() for c in self.checks)


def file_digest(path: Path) -> str:
    """The SHA-256 of a file's bytes, "" when it cannot be read."""
    try:
        return sha256_file(path)
    except OSError:
        return ""


@cache
def sources(package: Path = PACKAGE) -> list[tuple[str, int, int]]:
    """A package's modules (name, size, modification time) as this process found them on first
    use, docgen's by default: an edited checkout is another docgen, an edited plug-in another
    plug-in."""
    found = []
    folders = [package]
    while folders:
        with os.scandir(folders.pop()) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False) and entry.name not in ("data", "__pycache__"):
                    folders.append(Path(entry.path))
                elif entry.name.endswith(".py"):
                    st = entry.stat()
                    found.append((entry.path, st.st_size, st.st_mtime_ns))
    return sorted(found)


def package_stamp(name: str) -> tuple[str, int, int]:
    """An installed package (pydantic, yaml) as its first module's size and time: another version
    of it is another stamp, and nothing is imported to tell."""
    try:
        spec = find_spec(name)
        st = os.stat(spec.origin) if spec and spec.origin else None
    except (ImportError, ValueError, OSError):
        st = None
    return (name, st.st_size, st.st_mtime_ns) if st else (name, 0, 0)


def kept(kind: str, name: str, load: Callable[[], T], cls: type[T], inputs: Iterable[Any] = (),
         environment: Any = ()) -> T:
    """load(), or the object a load of the same `name` gave before (in folder `kind`) when nothing
    it was made from changed: the files and checks noted while it loaded, `inputs` besides, this
    docgen and the caller's `environment` (versions of what shaped the object)."""
    folder = cache_dir(kind)
    entry = folder / f"{hashlib.sha256(name.encode()).hexdigest()[:32]}.pickle" if folder else None
    inputs = tuple(inputs)
    made_by = (FORMAT, name, tuple(map(str, inputs)), sys.version, sources(), environment) if entry else None
    if entry:
        stored = read(entry)
        if _current(stored, made_by, cls):
            for path, _ in stored["inputs"].files:      # for a load that includes this one
                note(path)
            for check in stored["inputs"].checks:
                note(check)
            return stored["value"]
    with traced() as found:
        value = load()
    if entry:
        made_from = Inputs.of([*inputs, *found])
        if made_from.settled():
            write(entry, {"made_by": made_by, "inputs": made_from, "value": value})
    return value


def _current(stored: Any, made_by: Any, cls: type) -> bool:
    """Whether a read entry is a whole one of this docgen, of the right type, made from what is
    there now; a check that fails in any way is a miss, never an error."""
    try:
        return isinstance(stored, dict) and stored.get("made_by") == made_by \
            and isinstance(stored.get("value"), cls) and isinstance(stored.get("inputs"), Inputs) \
            and stored["inputs"].hold()
    except Exception:
        return False
