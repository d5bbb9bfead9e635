"""How every command writes a file: never over an input of its run, and complete or not at all.

`Inputs` are the files a run reads (records, mapping, layout and its parts, scheme, profile,
seal, images, fonts). Before anything is written, each output path is checked against them by file
identity (the same file by any path, symlink or hard link), so `-o in.csv` can never destroy
the data it was asked to print. Files are written under a hidden partial name beside the
target, flushed to disk and renamed into place; on any failure (a full disk) the partial file
is removed and the error names the file and what to do.
"""
from __future__ import annotations

import errno
import os
import shutil
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, Iterator

from docgen.errors import OutputError
from docgen.pipeline import Job

_FULL = (errno.ENOSPC, errno.EDQUOT)


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


def check_target(out: Path, inputs: Inputs) -> None:
    """An output file that can be written: not a folder, in an existing folder, not an input
    (nor is its temporary file)."""
    if out.is_dir():
        raise OutputError(f"output {out}: is a directory; give a file name")
    parent = out.parent
    if parent.exists() and not parent.is_dir():
        raise OutputError(f"output {out}: {parent} is a file, not a directory")
    if not parent.exists():
        raise OutputError(f"output {out}: directory {parent} does not exist")
    for path in (out, partial_path(out)):
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


@contextmanager
def atomic_file(path: Path) -> Iterator[Path]:
    """Yields the partial path to write (inside `writing(path)`); when the block ends, a
    partial file that was written is flushed to disk and renamed to `path`; a block that wrote
    nothing leaves `path` as it was. On any error the partial file is removed."""
    tmp = partial_path(path)
    tmp.unlink(missing_ok=True)          # a killed run's, never to be taken for this one's
    try:
        yield tmp
        if tmp.exists():
            with writing(path):
                fd = os.open(tmp, os.O_RDONLY)
                try:
                    os.fsync(fd)
                finally:
                    os.close(fd)
                os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def save_png(image: Any, path: Path) -> None:
    """A PIL image written as a PNG whole or not at all (previews, diffs, the samples' pictures)."""
    with atomic_file(path) as tmp, writing(path):
        image.save(tmp, format="PNG")


def atomic_write(path: Path, data: bytes) -> None:
    """`data` as the whole of `path`: a reader sees the old file or the new one, never a part; a
    file written over keeps its permissions (a layout the designer saves)."""
    with atomic_file(path) as tmp, writing(path):
        tmp.write_bytes(data)
        if path.exists():
            shutil.copymode(path, tmp)


def is_docgen_pdf(path: Path) -> bool:
    """Whether `path` is a PDF docgen wrote (its Creator says so), by reading its trailer only."""
    from pypdf import PdfReader         # only a rejected reissue needs it: keep it out of every start
    from pypdf.errors import PyPdfError

    try:
        with path.open("rb") as fh:
            if fh.read(5) != b"%PDF-":
                return False
            fh.seek(0)
            return (PdfReader(fh).metadata or {}).get("/Creator") == "docgen"
    except (OSError, PyPdfError, ValueError, KeyError):
        return False


def remove_earlier_output(out: Path, inputs: Inputs) -> None:
    """Remove an earlier docgen PDF at `out`, so it is not taken for this run's (a rejected
    reissue); anything else there (an input, another program's file) is left alone."""
    if inputs.which(out) is None and is_docgen_pdf(out):
        out.unlink()

