"""Loading layouts and profiles: the file found by the reference rule, validated, its includes
expanded, every reference checked, every element on its page.

Every reference (part, profile, image, seal) resolves against the file that names it, or by name
on the search path (docgen.layout.search); the steps live beside this module (reading,
includes, references, bounds).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable

from docgen.elements.base import Element
from docgen.errors import LayoutError
from docgen.fields import BY_NAME
from docgen.layout.bounds import OffPage, off_page_elements
from docgen.layout.includes import Expander, Origin
from docgen.layout.model import Layout, complete_models
from docgen.layout.profile import Profile
from docgen.layout.reading import Reader, read_file, read_yaml, validate_file
from docgen.layout.references import require_known_names, require_valid_templates
from docgen.layout.search import listing, resolve
from docgen.template import placeholders


@dataclass(frozen=True)
class ResolvedPage:
    name: str
    elements: tuple[Element, ...]
    origins: tuple[Origin, ...] = ()      # per element: the file and the place in it where it is written


@dataclass(frozen=True)
class ResolvedLayout:
    """A layout with its includes expanded; `source` is kept for messages and previews.

    `files` are the layout and every part it read (what `docgen serve` watches). `off_page`
    lists elements outside their page, which only a preview loads (to draw them red);
    everything else refuses such a layout.
    """

    model: Layout
    source: Path
    pages: tuple[ResolvedPage, ...]
    files: tuple[Path, ...] = ()
    off_page: tuple[OffPage, ...] = ()

    @property
    def name(self) -> str:
        return self.model.name

    def profile_file(self) -> Path:
        """The layout's default insurer profile, found by the reference rule (see docgen.layout.search)."""
        try:
            return resolve("profile", self.model.profile, self.source)
        except LayoutError as exc:
            raise LayoutError(f"{self.source}: profile: {exc}") from None


def layout_file(name_or_path: str | Path) -> Path:
    """The file of a layout given on the command line: a Path as it is, a string by the reference rule."""
    if isinstance(name_or_path, Path):
        return name_or_path
    return resolve("layout", name_or_path)


def load_layout(name_or_path: str | Path, *, read: Reader = read_file,
                allow_off_page: bool = False) -> ResolvedLayout:
    """Load a layout by name ("kokuho-card", searched on the search path) or by file path.

    An element outside the page is a load error unless `allow_off_page` (previews draw it red).
    """
    path = layout_file(name_or_path)
    complete_models()
    model: Layout = validate_file(Layout, read_yaml(path, read), path)
    for f in model.requires:
        if f not in BY_NAME:
            raise LayoutError(f"{path}: requires: unknown field '{f}'")
    expander = Expander(read)
    pages, off_page = [], []
    for pi, page in enumerate(model.pages):
        where = f"{path}: pages[{pi}] ({page.name})"
        placed = expander.expand(page.elements, path, where, (path.resolve(),), ("pages", pi, "elements"))
        flat = [el for el, _ in placed]
        for el in flat:
            require_known_names(el.names(), f"{where} > element {el.id or type(el).__name__}")
            require_valid_templates(el.templates(), f"{where} > element {el.id or type(el).__name__}")
        names = element_names(flat)
        off_page.extend(OffPage(pi, i, f"pages[{pi}] ({page.name}) > {names[i]}", problem)
                        for i, problem in off_page_elements(flat, model.size_mm))
        pages.append(ResolvedPage(page.name, tuple(flat), tuple(origin for _, origin in placed)))
    if off_page and not allow_off_page:
        raise LayoutError("\n".join([f"{path}: {len(off_page)} problem(s)"] + [f"  {p}" for p in off_page]))
    return ResolvedLayout(model=model, source=path, pages=tuple(pages), files=(path, *expander.files),
                          off_page=tuple(off_page))


def available_layouts() -> list[str]:
    """The layout names on the search path (user folders first, then the built-in ones)."""
    return [found.name for found in listing("layout")]


def element_names(elements: Iterable[Element]) -> list[str]:
    """Stable names for a page's elements: the id, else type#n among that type's anonymous ones.

    A repeated id (a part included twice) gets #2, #3 so every name on a page is unique.
    """
    names: list[str] = []
    counts: dict[str, int] = {}
    for el in elements:
        base = el.id or f"{el.type}#"
        counts[base] = counts.get(base, 0) + 1
        n = counts[base]
        if base.endswith("#"):
            names.append(f"{base}{n}")
        else:
            names.append(base if n == 1 else f"{base}#{n}")
    return names


@lru_cache(maxsize=32)
def _load_profile_cached(path: Path, mtime_ns: int) -> Profile:
    """Keyed on the modification time too, so `docgen serve` sees a saved profile."""
    profile: Profile = validate_file(Profile, read_yaml(path), path)
    if profile.qr_payload:
        require_known_names(placeholders(profile.qr_payload), f"{path}: qr_payload")
        require_valid_templates([profile.qr_payload], f"{path}: qr_payload")
    return profile


def profile_file(ref: str | Path, naming_file: Path | None = None) -> Path:
    """The file of an insurer profile: a Path as it is, a string by the reference rule."""
    return ref if isinstance(ref, Path) else resolve("profile", ref, naming_file)


def load_profile(ref: str | Path, naming_file: Path | None = None) -> Profile:
    """Load an insurer profile by name ("kasou-city-kokuho"), docgen:NAME or path; `naming_file`
    is the layout that names it (None: the command line, relative to the working directory)."""
    path = profile_file(ref, naming_file)
    if not path.is_file():
        raise LayoutError(f"profile file not found: {path}")
    return _load_profile_cached(path.resolve(), path.stat().st_mtime_ns)
