"""Where layouts, parts, insurer profiles and schemes are found, and what a reference to one means.

The search path is the folders of `--layouts DIR` (repeatable), then the folder of a layout given
as a file on the command line (docgen.cli), then those of the environment variable DOCGEN_PATH
(separated by os.pathsep), then docgen's built-in data. A folder on it holds

    NAME.yaml             layouts
    parts/NAME.yaml       parts that layouts include
    profiles/NAME.yaml    insurer profiles (each names its seal image, relative to itself)
    schemes/NAME.yaml     schemes (国保, 健康保険, ... as data: docgen.layout.scheme)

The built-in data is laid out the same way, except that its profiles and schemes sit beside the
layouts folder (the repository's top-level layouts/, profiles/ and schemes/).

A reference (a layout on the command line, `part:` of an include, `profile:` of a layout,
`--profile`, `scheme:` of a layout or profile) is one of

    NAME          the first folder on the search path that has it: a user's file shadows a built-in one
    docgen:NAME   the built-in one, whatever the search path holds
    a path        relative to the file that names it (on the command line: the working directory)

A NAME has no slash and no .yaml/.yml suffix; anything else is a path.
"""
from __future__ import annotations

import os
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Literal, Sequence

from docgen.errors import LayoutError
from docgen.paths import LAYOUTS, PARTS, PROFILES, SCHEMES, written_in
from docgen.usercache import note
from docgen.yamlfile import did_you_mean

ENV_VAR = "DOCGEN_PATH"
BUILTIN_PREFIX = "docgen:"
Kind = Literal["layout", "part", "profile", "scheme"]


@dataclass(frozen=True)
class Place:
    """One folder of the search path and where it keeps each kind of file."""

    label: str                       # the folder as given, or "built-in"
    layouts: Path
    parts: Path
    profiles: Path
    schemes: Path
    builtin: bool = False

    def folder(self, kind: Kind) -> Path:
        return {"layout": self.layouts, "part": self.parts, "profile": self.profiles, "scheme": self.schemes}[kind]

    def file(self, kind: Kind, name: str) -> Path:
        return self.folder(kind) / f"{name}.yaml"

    def names(self, kind: Kind) -> list[str]:
        folder = self.folder(kind)
        return sorted(p.stem for p in folder.glob("*.yaml")) if folder.is_dir() else []

    def describe(self, kind: Kind) -> str:
        return f"{self.folder(kind)}" + (" (built-in)" if self.builtin else "")


BUILTIN = Place("built-in", LAYOUTS, PARTS, PROFILES, SCHEMES, builtin=True)


def user_place(folder: Path) -> Place:
    return Place(str(folder), folder, folder / "parts", folder / "profiles", folder / "schemes")


def user_folders() -> list[Path]:
    """The folders of DOCGEN_PATH (where --layouts puts its folders first), as absolute paths."""
    folders = []
    for entry in os.environ.get(ENV_VAR, "").split(os.pathsep):
        if not entry:
            continue
        folder = Path(entry).absolute()
        if not folder.is_dir():
            raise LayoutError(f"{ENV_VAR}: '{entry}' is not a folder")
        folders.append(folder)
    return folders


def search_path() -> list[Place]:
    """The user's folders in order, then the built-in data."""
    return [user_place(f) for f in user_folders()] + [BUILTIN]


@contextmanager
def prepended(folders: Sequence[Path]) -> Iterator[None]:
    """Put folders before DOCGEN_PATH's while the block runs. Through the environment, so the
    worker processes of a bulk run search the same folders."""
    if not folders:
        yield
        return
    saved = os.environ.get(ENV_VAR)
    os.environ[ENV_VAR] = os.pathsep.join([str(Path(f).absolute()) for f in folders] + ([saved] if saved else []))
    try:
        yield
    finally:
        if saved is None:
            del os.environ[ENV_VAR]
        else:
            os.environ[ENV_VAR] = saved


def is_name(ref: str) -> bool:
    """True for a NAME looked up on the search path; False for a path."""
    return bool(ref) and "/" not in ref and "\\" not in ref and ref not in (".", "..") \
        and not ref.endswith((".yaml", ".yml"))


def find(kind: Kind, name: str) -> Path:
    """The first file for NAME on the search path; the error lists every folder searched."""
    places = search_path()
    for place in places:
        path = place.file(kind, name)
        if path.is_file():
            return path
    known = sorted({n for place in places for n in place.names(kind)})
    searched = ", ".join(place.describe(kind) for place in places)
    raise LayoutError(f"no {kind} '{name}' (searched {searched}; {kind}s there: {', '.join(known) or 'none'})"
                      + did_you_mean(name, known))


def builtin(kind: Kind, name: str) -> Path:
    path = BUILTIN.file(kind, name)
    if not path.is_file():
        known = BUILTIN.names(kind)
        raise LayoutError(f"no built-in {kind} '{name}' (built-in {kind}s: {', '.join(known)})" + did_you_mean(name, known))
    return path


@dataclass(frozen=True)
class Reference:
    """A reference as resolved once: a layout kept between runs depends on it meaning the same file
    (docgen.usercache.kept)."""

    kind: Kind
    ref: str
    naming_file: Path | None
    path: Path | None            # the file it meant; None: it meant none (an error)

    def holds(self) -> bool:
        """Whether the reference still means the same file."""
        try:
            return resolve(self.kind, self.ref, self.naming_file) == self.path
        except LayoutError:
            return self.path is None


def resolve(kind: Kind, ref: str, naming_file: Path | None = None) -> Path:
    """The file a reference means; `naming_file` is the YAML file that holds it (None: the command line).
    Each resolution is noted for the load that asked for it (docgen.usercache.traced)."""
    path = None
    try:
        path = _resolved(kind, ref, naming_file)
        note(path)                  # the file a load goes on to read
        return path
    finally:
        note(Reference(kind, ref, naming_file, path))


def _resolved(kind: Kind, ref: str, naming_file: Path | None) -> Path:
    if ref.startswith(BUILTIN_PREFIX):
        return builtin(kind, ref[len(BUILTIN_PREFIX):])
    if is_name(ref):
        return find(kind, ref)
    # inside a YAML file: against that file, "../" and all; on the command line, as given
    path = Path(ref) if naming_file is None else written_in(ref, naming_file)
    if not path.is_file():
        hint = f" (no folder {path.parent})" if not path.parent.is_dir() else ""
        if BUILTIN.file(kind, path.stem).is_file():
            hint += f"; the built-in one is {BUILTIN_PREFIX}{path.stem}"
        raise LayoutError(f"{kind} file not found: {path}{hint}")
    return path


@contextmanager
def referenced_at(where: str) -> Iterator[None]:
    """A LayoutError of finding or loading what a reference names, prefixed with where the
    reference is written (the file and the key: "layout.yaml: scheme")."""
    try:
        yield
    except LayoutError as exc:
        raise LayoutError(f"{where}: {exc}") from None


@dataclass(frozen=True)
class Found:
    """A name as `docgen layouts` lists it: the file used, and the files it shadows."""

    name: str
    path: Path
    place: Place
    shadows: tuple[Path, ...]


def listing(kind: Kind) -> list[Found]:
    """Every name on the search path with the file that wins: the user's folders' first, in
    search order, each sorted by name, then the built-in ones."""
    seen: dict[str, Found] = {}
    places = search_path()
    for place in places:
        for name in place.names(kind):
            path = place.file(kind, name)
            if name in seen:
                first = seen[name]
                seen[name] = Found(name, first.path, first.place, first.shadows + (path,))
            else:
                seen[name] = Found(name, path, place, ())
    return sorted(seen.values(), key=lambda f: (places.index(f.place), f.name))
