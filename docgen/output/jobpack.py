"""The job a batch sends to Dask workers, so that a worker needs docgen installed and nothing else.

A worker on another host or in a container has none of the insurer's layout folder, profile,
scheme or seal, and a path that happens to exist there with other content would print the wrong
seal or rules. So the driver packs the resolved job (the layout with its parts and scheme, the
profile, the field dictionary) with the bytes of every image it uses, content-addressed by
SHA-256, and the executor sends the pack once per worker. A worker checks the pack's digest,
writes the images into a private folder of its own and opens the job from the pack,
without reading a file of the driver's. The built-in fonts ship with docgen; a worker whose docgen
version or font digests differ from the driver's would print other bytes, so it refuses the task
and names itself.
"""
from __future__ import annotations

import atexit
import dataclasses
import hashlib
import pickle
import shutil
import tempfile
import threading
from dataclasses import dataclass, field
from datetime import date
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from docgen.bind.binder import Binder
from docgen.elements.image import ImageElement
from docgen.errors import BatchError
from docgen.fields import FieldDictionary
from docgen.fonts import FontSet, load_fonts
from docgen.fonts.cache import font_digest
from docgen.layout.loader import ResolvedLayout
from docgen.layout.profile import Profile
from docgen.output.files import content_files
from docgen.pipeline import Job

AGAIN = "install the same docgen on every worker as on the driver"


def docgen_version() -> str:
    try:
        return version("docgen")
    except PackageNotFoundError:        # run from a source tree that was never installed
        return "unknown"


def font_digests(fonts: FontSet | None = None) -> tuple[tuple[str, str], ...]:
    """(family, SHA-256) of the fonts a job prints with (default: the ones docgen ships)."""
    return tuple((family, font_digest(path)) for family, path in (fonts or load_fonts()).config.files.items())


@dataclass(frozen=True)
class _Contents:
    layout: ResolvedLayout
    profile: Profile
    fields: FieldDictionary
    renewal: date
    files: dict[str, bytes]             # SHA-256 -> bytes of the seal and images
    paths: dict[str, str]               # the driver's path of each -> its SHA-256


@dataclass(frozen=True)
class JobPack:
    """The pickled job with its images, named by the SHA-256 of its bytes (checked on arrival), and
    the docgen and fonts it was made with (compared before it is unpickled)."""

    digest: str
    docgen: str
    fonts: tuple[tuple[str, str], ...]
    payload: bytes = field(repr=False)

    @classmethod
    def of(cls, job: Job) -> "JobPack":
        _only_images(job)
        files: dict[str, bytes] = {}
        paths: dict[str, str] = {}
        for what, path in content_files(job):
            if what != "font":          # fonts ship with docgen: compared by digest instead
                data = path.read_bytes()
                paths[str(path)] = hashlib.sha256(data).hexdigest()
                files[paths[str(path)]] = data
        contents = _Contents(job.layout, job.profile, job.fields, job.renewal_start, files, paths)
        payload = pickle.dumps(contents, protocol=pickle.HIGHEST_PROTOCOL)
        return cls(hashlib.sha256(payload).hexdigest(), docgen_version(), font_digests(job.fonts), payload)

    def job(self, worker: str) -> Job:
        """This thread's job from the pack, opened once (a job's binder keeps per-record state);
        `worker` names this worker in a refusal."""
        jobs: dict[str, Job] = _local.__dict__.setdefault("jobs", {})
        if self.digest not in jobs:
            layout, profile, contents = _unpacked(self, worker)
            fonts = load_fonts()
            jobs[self.digest] = Job(layout, profile, fonts, Binder(layout, profile, fonts), contents.fields,
                                    contents.renewal)
        return jobs[self.digest]


_local = threading.local()
_lock = threading.Lock()
_unpacked_jobs: dict[str, tuple[ResolvedLayout, Profile, _Contents]] = {}


def _unpacked(pack: JobPack, worker: str) -> tuple[ResolvedLayout, Profile, _Contents]:
    """The pack checked and its images written out, once per process."""
    with _lock:
        if pack.digest not in _unpacked_jobs:
            if hashlib.sha256(pack.payload).hexdigest() != pack.digest:
                raise BatchError(f"worker {worker} refuses the task: the job it received does not match its "
                                 "SHA-256 (damaged on the way); run the batch again")
            _same_docgen(pack, worker)
            try:
                contents: _Contents = pickle.loads(pack.payload)
            except Exception as exc:    # a class it names is missing here (an element plug-in)
                raise BatchError(f"worker {worker} refuses the task: it cannot open the job ({type(exc).__name__}: "
                                 f"{exc}); install the same element plug-ins on every worker as on the driver") from None
            _unpacked_jobs[pack.digest] = _relocated(contents, _written(contents))
        return _unpacked_jobs[pack.digest]


def _only_images(job: Job) -> None:
    """Images are the files the pack carries: an element of another kind that reads a file (from an
    element plug-in) would read whatever a worker has at the driver's path, so it stays local."""
    for page in job.layout.pages:
        for el in page.elements:
            if el.files() and not isinstance(el, ImageElement):
                raise BatchError(f"{job.layout.source}: element {el.id or '(no id)'} ({el.type}) reads a file that "
                                 "--executor dask cannot send to its workers; run this layout with --executor local")


def _same_docgen(pack: JobPack, worker: str) -> None:
    here = docgen_version()
    if pack.docgen != here:
        raise BatchError(f"worker {worker} refuses the task: it has docgen {here}, the driver docgen "
                         f"{pack.docgen}; {AGAIN}")
    mine = dict(font_digests())
    for family, digest in pack.fonts:
        if mine.get(family) != digest:
            theirs = mine.get(family)
            raise BatchError(f"worker {worker} refuses the task: its font {family!r} "
                             + (f"(SHA-256 {theirs[:12]}…) differs from the driver's ({digest[:12]}…)" if theirs
                                else "is missing")
                             + f"; {AGAIN}")


def _written(contents: _Contents) -> dict[str, Path]:
    """Each image in this process's private folder (removed when it ends), named by its SHA-256 (the
    pack's digest covers the bytes), by its driver path."""
    folder = Path(tempfile.mkdtemp(prefix="docgen-job-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    for digest, data in contents.files.items():
        (folder / digest).write_bytes(data)
    return {path: folder / digest for path, digest in contents.paths.items()}


def _relocated(contents: _Contents, files: dict[str, Path]) -> tuple[ResolvedLayout, Profile, _Contents]:
    """The layout and profile pointing at the worker's copies of the seal and images."""
    profile = contents.profile
    if profile.seal is not None:
        profile = profile.model_copy(update={"seal": files[str(profile.seal)]})

    def moved(el: object) -> object:
        if isinstance(el, ImageElement) and el.files():
            return el.model_copy(update={"src": str(files[str(el.files()[0])])})
        return el

    pages = tuple(dataclasses.replace(page, elements=tuple(moved(el) for el in page.elements))
                  for page in contents.layout.pages)
    return dataclasses.replace(contents.layout, pages=pages), profile, contents
