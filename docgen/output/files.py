"""How every command writes a file: never over an input of its run, and complete or not at all.

`Inputs` are the files a run reads (records, mapping, layout and its parts, scheme, profile,
seal, images, fonts). Before anything is written, each output path is checked against them by file
identity (the same file by any path, symlink or hard link), so `-o in.csv` can never destroy
the data it was asked to print. Only a regular file is ever replaced: a device (/dev/null), a
FIFO or a socket is refused, since renaming over it would put a file where the system's device
was; a symbolic link is followed and the file it names replaced, the link kept. Files are
written under a hidden partial name beside the target, readable by their owner only (it may be
a whole mailing of personal data), flushed to disk and renamed into place with the mode of the
file they replace (a new one: what the umask gives); on any failure (a full disk) the partial
file is removed and the error names the file and what to do.
"""
from __future__ import annotations

import errno
import os
import stat
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, Iterator

from docgen.errors import OutputError
from docgen.pipeline import Job

_FULL = (errno.ENOSPC, errno.EDQUOT)


_NOT_REGULAR = ((stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                (stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISSOCK, "a socket"))


def partial_path(path: Path) -> Path:
    """Where `path` is written until it is complete."""
    return path.with_name(f".{path.name}.partial")


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return st.st_dev, st.st_ino


def content_files(job: Job) -> list[tuple[str, Path]]:
    """The files a job uses as they are, not through a model (the seal, 外字 table, images, fonts), each once
    with what it is: inputs of every run, and hashed by content into a batch's fingerprint."""
    files = [("seal image", Path(job.profile.seal))] if job.profile.seal is not None else []
    if job.profile.gaiji_table is not None:
        files.append(("外字 table", job.profile.gaiji_table.source))
    files += [(el.type, p) for page in job.layout.pages for el in page.elements for p in el.files()]
    files += [("font", p) for p in job.fonts.config.files.values()]
    once: dict[Path, str] = {}
    for what, path in files:
        once.setdefault(path, what)
    return [(what, path) for path, what in once.items()]


@dataclass(frozen=True)
class Inputs:
    """The files a run reads, each with what it is (for the message)."""

    files: tuple[tuple[str, Path], ...]

    @classmethod
    def of(cls, job: Job, **named: Path | str | None) -> "Inputs":
        """The job's files (layout, parts, profile, seal, images, fonts) and the `named` ones,
        e.g. records_file=..., mapping_file=... (the name says what it is in messages)."""
        files: list[tuple[str, Path]] = [(what.replace("_", " "), Path(p)) for what, p in named.items() if p]
        layout = job.layout
        files.append(("layout file", layout.source))
        files.extend(("layout part", p) for p in layout.files[1:])
        files.append(("scheme file", layout.scheme.source))
        if job.profile.source is not None:          # None: a profile built in code, read from no file
            files.append(("insurer profile", job.profile.source))
        files.append(("font configuration", job.fonts.config.path))
        files.extend(content_files(job))
        return cls(tuple(files))

    @cached_property
    def _by_identity(self) -> dict[tuple[int, int], tuple[str, Path]]:
        """Each input by its file identity (the first named, where two are one file), each file
        looked at once however many outputs are checked."""
        known: dict[tuple[int, int], tuple[str, Path]] = {}
        for what, p in self.files:
            ident = _identity(p)
            if ident is not None:
                known.setdefault(ident, (what, p))
        return known

    def which(self, path: Path) -> tuple[str, Path] | None:
        """The input that `path` is (by file identity), if any."""
        ident = _identity(path)
        return None if ident is None else self._by_identity.get(ident)

    def refuse(self, path: Path, output: Path | None = None, remedy: str = "give another output name") -> None:
        """OutputError if writing `path` (part of writing `output`) would destroy an input."""
        hit = self.which(path)
        if hit:
            what, p = hit
            shown = output or path
            via = "" if shown == path else f" (through its temporary file {path.name})"
            named = "" if p == path else f" {p}"
            raise OutputError(f"output {shown}{via} is the {what}{named} this run reads; "
                              f"docgen never writes over an input: {remedy}")


def target_file(out: Path) -> Path:
    """The file writing `out` replaces: `out`, or the file its symbolic link names (the link is
    kept). OutputError when that exists and is not a regular file: renaming a finished file over
    /dev/null would replace the system's device, and over a FIFO its reader would get nothing."""
    target = Path(os.path.realpath(out)) if out.is_symlink() else out
    try:
        mode = os.stat(target).st_mode
    except (FileNotFoundError, NotADirectoryError):     # new, or a folder on the way that is none: check_target
        return target
    except OSError as exc:              # a loop of links, no permission
        raise OutputError(f"output {out}: {reason(exc)}; give another output name") from None
    if stat.S_ISDIR(mode):
        raise OutputError(f"output {out}: is a directory; give a file name")
    for test, what in _NOT_REGULAR:
        if test(mode):
            via = "" if target == out else f" (a symbolic link to {target})"
            raise OutputError(f"output {out}{via}: is {what}, not a regular file; docgen writes only regular "
                              "files and never replaces anything else: give a file name")
    return target


def check_target(out: Path, inputs: Inputs) -> None:
    """An output file that can be written: a regular file or none (a link: the file it names),
    in an existing folder, not an input (nor is its temporary file)."""
    target = target_file(out)
    parent = target.parent
    if parent.exists() and not parent.is_dir():
        raise OutputError(f"output {out}: {parent} is a file, not a directory")
    if not parent.exists():
        raise OutputError(f"output {out}: directory {parent} does not exist")
    for path in (target, partial_path(target)):
        inputs.refuse(path, out)


def reason(exc: OSError) -> str:
    """Why a write failed, in words (a full disk said plainly)."""
    if exc.errno in _FULL:
        return "no space left on the device (disk full or quota reached)"
    return (exc.strerror or type(exc).__name__).lower()


def write_failed(path: Path, exc: OSError) -> OutputError:
    """One line for a failed write (the partial file is removed by then)."""
    return OutputError(f"{path}: could not be written ({reason(exc)}); no partial file is left behind "
                       f"and {path.name} is as it was")


@contextmanager
def writing(path: Path) -> Iterator[None]:
    """An OSError of the enclosed write becomes an OutputError naming `path` (errors of reading
    the inputs meanwhile keep their own message)."""
    try:
        yield
    except OSError as exc:
        raise write_failed(path, exc) from exc


def _private_partial(tmp: Path) -> int:
    """Create `tmp` empty and readable by its owner only; the permissions a new file gets here
    (0666 less the umask), which the finished file takes when it replaces none."""
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o666)
    try:
        mode = stat.S_IMODE(os.fstat(fd).st_mode)
    finally:
        os.close(fd)
    os.chmod(tmp, 0o600)        # by path: Windows has no fchmod (and keeps only the read-only bit)
    return mode


@contextmanager
def atomic_file(path: Path) -> Iterator[Path]:
    """Yields the partial path to write (created empty, mode 0600; inside `writing(path)`); when
    the block ends, the partial file is flushed to disk, given the mode of the file it replaces
    (a new file: the umask's) and renamed over it; a block that removes the partial file leaves
    `path` as it was. On any error the partial file is removed. `path` must be a regular file or
    none; a symbolic link's file is written, the link kept (`target_file`)."""
    target = target_file(path)
    tmp = partial_path(target)
    tmp.unlink(missing_ok=True)          # a killed run's, never to be taken for this one's
    try:
        with writing(path):
            new_mode = _private_partial(tmp)
        yield tmp
        if tmp.exists():
            with writing(path):
                fd = os.open(tmp, os.O_RDONLY)
                try:
                    os.fsync(fd)
                finally:
                    os.close(fd)
                try:
                    mode = stat.S_IMODE(os.stat(target).st_mode)
                except FileNotFoundError:
                    mode = new_mode
                os.chmod(tmp, mode)
                os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def save_png(image: Any, path: Path) -> None:
    """A PIL image written as a PNG whole or not at all (previews, diffs, the samples' pictures)."""
    with atomic_file(path) as tmp, writing(path):
        image.save(tmp, format="PNG")


def atomic_write(path: Path, data: bytes) -> None:
    """`data` as the whole of `path`: a reader sees the old file or the new one, never a part."""
    with atomic_file(path) as tmp, writing(path):
        tmp.write_bytes(data)
