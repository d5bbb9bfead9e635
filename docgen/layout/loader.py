"""Loading layouts and profiles: the file found by the reference rule, validated, its includes
expanded, every reference checked, every element on its page.

Every reference (part, profile, image, seal) resolves against the file that names it, or by name
on the search path (docgen.layout.search); the steps live beside this module (reading,
includes, references, bounds).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Iterable

from docgen.elements.base import Element
from docgen.errors import LayoutError
from docgen.fields import SHEET_FIELDS, WINDOW_FIELDS, FieldDictionary, FieldSpec
from docgen.layout.bounds import OffPage, off_page_elements
from docgen.layout.includes import Expander, Origin
from docgen.layout.model import Layout, complete_models
from docgen.layout.profile import Profile
from docgen.layout.reading import Reader, read_file, validate_file
from docgen.layout.references import (
    Names,
    require_known_names,
    require_valid_templates,
    unknown_names,
)
from docgen.layout.scheme import Scheme, load_scheme, scheme_file
from docgen.layout.search import listing, referenced_at, resolve
from docgen.layout.stored import kept
from docgen.template import placeholders
from docgen.usercache import note
from docgen.validate.values import parse_value
from docgen.yamlfile import problems, read_yaml


@dataclass(frozen=True)
class ResolvedPage:
    name: str
    elements: tuple[Element, ...]
    origins: tuple[Origin, ...] = ()      # per element: the file and the place in it where it is written

    @cached_property
    def names(self) -> tuple[str, ...]:
        """Each element's name (`element_names`), worked out once for every user of the page."""
        return tuple(element_names(self.elements))

    @cached_property
    def members(self) -> tuple[int | None, ...]:
        """Each element's household member slot (`include` with `member:`), None for the sheet's own."""
        return tuple(o.member for o in self.origins) if self.origins else (None,) * len(self.elements)


@dataclass(frozen=True)
class ResolvedLayout:
    """A layout with its includes expanded; `source` is kept for messages and previews.

    `files` are the layout and every part it read: inputs no output may be written over (`docgen
    serve` finds what it watches from the YAML itself, so it follows a layout that does not load).
    `off_page` lists elements outside their page, which only a preview loads (to draw them red);
    everything else refuses such a layout. `fields` is the dictionary with the scheme's and the
    layout's own fields (a job adds its profile's).
    """

    model: Layout
    source: Path
    pages: tuple[ResolvedPage, ...]
    scheme: Scheme
    fields: FieldDictionary
    files: tuple[Path, ...] = ()
    off_page: tuple[OffPage, ...] = ()

    @property
    def name(self) -> str:
        return self.model.name

    @cached_property
    def per_sheet(self) -> int:
        """Members a sheet of a household layout holds (its highest `member:` slot); 0 for the others."""
        return max((m for page in self.pages for m in page.members if m is not None), default=0)

    def profile_file(self) -> Path:
        """The layout's default insurer profile, found by the reference rule (see docgen.layout.search)."""
        with referenced_at(f"{self.source}: profile"):
            return resolve("profile", self.model.profile, self.source)


def layout_file(name_or_path: str | Path) -> Path:
    """The file of a layout given on the command line: a Path as it is, a string by the reference rule."""
    if isinstance(name_or_path, Path):
        return name_or_path
    return resolve("layout", name_or_path)


def load_layout(name_or_path: str | Path, *, read: Reader = read_file,
                allow_off_page: bool = False) -> ResolvedLayout:
    """Load a layout by name ("kokuho-card", searched on the search path) or by file path.

    An element outside the page is a load error unless `allow_off_page` (previews draw it red).
    Read from files (not a git revision), it is kept between runs (docgen.layout.stored).
    """
    path = layout_file(name_or_path)
    complete_models()
    if read is not read_file:
        return _load_layout(path, read, allow_off_page)
    # a path given relative to the working directory is loaded as given (messages name it so), and
    # what the load resolves against it (the source, images) holds for that directory alone
    where = "" if path.is_absolute() else f", from {Path.cwd()}"
    return kept("layout", path.resolve(), f"off-page {allow_off_page}{where}",
                lambda: _load_layout(path, read, allow_off_page), ResolvedLayout)


def _load_layout(path: Path, read: Reader, allow_off_page: bool) -> ResolvedLayout:
    model: Layout = validate_file(Layout, read_yaml(path, LayoutError, read=read), path)
    with referenced_at(f"{path}: scheme"):
        scheme = load_scheme(model.scheme, path)
    fields = _extended(scheme.fields, model.fields, "layout", path)
    expander = Expander(read)
    pages = [(pi, page, expander.expand(page.elements, path, f"{path}: pages[{pi}] ({page.name})", (path.resolve(),),
                                        ("pages", pi, "elements")))
             for pi, page in enumerate(model.pages)]
    used = [*model.requires, *model.limits, *(n for _, _, placed in pages for el, _ in placed for n in el.names())]
    known = _names_known(model, path, Names(fields, scheme), used)
    require_known_names(model.requires, f"{path}: requires", known)
    _check_limits(model, known.fields, path)
    resolved, off_page = [], []
    for pi, page, placed in pages:
        where = f"{path}: pages[{pi}] ({page.name})"
        flat = [el for el, _ in placed]
        for el in flat:
            require_known_names(el.names(), f"{where} > element {el.id or type(el).__name__}", known)
            require_valid_templates(el.templates(), f"{where} > element {el.id or type(el).__name__}", known.fields)
        done = ResolvedPage(page.name, tuple(flat), tuple(origin for _, origin in placed))
        off_page.extend(OffPage(pi, i, f"pages[{pi}] ({page.name}) > {done.names[i]}", problem)
                        for i, problem in off_page_elements(flat, model.size_mm))
        resolved.append(done)
    if off_page and not allow_off_page:
        raise LayoutError(problems(path, [str(p) for p in off_page]))
    _check_household(model, resolved, path)
    for page in resolved:
        for el in page.elements:
            for file in el.files():
                note(file)          # the images it draws: checked on load
    return ResolvedLayout(model=model, source=path, pages=tuple(resolved), scheme=scheme, fields=fields,
                          files=(path, *expander.files), off_page=tuple(off_page))


def _check_household(model: Layout, pages: list[ResolvedPage], path: Path) -> None:
    """`member:` slots belong to a household layout, which has them, numbered 1 to N."""
    slots = sorted({m for page in pages for m in page.members if m is not None})
    if slots and model.household is None:
        raise LayoutError(problems(path, ["an include names a member: slot, which only a household layout "
                                          "(household:) has"]))
    if model.household is not None and slots != list(range(1, len(slots) + 1)):
        raise LayoutError(problems(path, [f"household: the includes' member: slots must be 1 to N without a gap "
                                          f"(found {slots or 'none'})"]))
    if model.household is None:
        return
    agree = model.household.agree
    for name in agree:
        if name not in model.requires:
            raise LayoutError(problems(path, [f"household: agree: '{name}' must be among requires: (every member "
                                              "needs it to be compared)"]))
    # what the sheet itself prints is the household's: the members must share it (docgen.bind.household)
    shared = {*agree, "record_id", *SHEET_FIELDS, *(["name"] if "householder_name" in agree else [])}
    if {"postal_code", "address"} <= set(agree):     # the window: the 送付先, agreed with them (Job.agree)
        shared |= WINDOW_FIELDS
    for pi, page in enumerate(pages):
        for el, member, label in zip(page.elements, page.members, page.names):
            unshared = [n for n in el.names() if member is None and n not in shared and "." not in n]
            if unshared:
                raise LayoutError(problems(path, [f"pages[{pi}] ({page.name}) > {label}: prints {', '.join(unshared)} for the "
                                                  "whole household: add it to household: agree: (or the element to "
                                                  "a member: include)"]))


def _extended(fields: FieldDictionary, specs: dict[str, FieldSpec], origin: str, path: Path) -> FieldDictionary:
    try:
        return fields.extended(specs, origin)
    except ValueError as exc:
        raise LayoutError(problems(path, [str(exc)])) from None


def _names_known(model: Layout, path: Path, known: Names, used: list[str]) -> Names:
    """The names a layout may use: its scheme's and its own, and when it uses others, those its
    default profile declares (a job checks them again against the profile it is opened with)."""
    if not unknown_names(used, known):
        return known
    try:
        profile = load_profile(model.profile, path)
        fields = known.fields.extended(profile.fields, f"profile {profile.id}")
    except ValueError:          # LayoutError too: the names are reported unknown; the profile's own
        return known            # error shows when a job opens it
    # a profile of another scheme explains a name this layout's scheme lacks: say that, not "unknown"
    require_same_scheme(profile, model.name, known.scheme)
    return Names(fields, known.scheme)


def _check_limits(model: Layout, fields: FieldDictionary, path: Path) -> None:
    for name, limit in model.limits.items():
        field = fields.get(name)
        if field is None or not field.is_text:
            raise LayoutError(problems(path, [f"limits: '{name}' is not a text field"]))
        if not 0 < limit <= (field.max_len or 0):
            raise LayoutError(problems(path, [f"limits: {name}: {limit} must be 1 to {field.max_len} "
                                               "(the field's own limit)"]))


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


def _load_profile(path: Path) -> Profile:
    profile: Profile = validate_file(Profile, read_yaml(path, LayoutError), path)
    scheme = profile_scheme(profile)
    if parse_value(scheme.insurer_number, profile.insurer_number)[1]:
        raise LayoutError(problems(path, [f"insurer_number: not a valid {scheme.title} 保険者番号 "
                                          f"({scheme.insurer_number.format_doc()}; scheme {scheme.name})"]))
    fields = _extended(scheme.fields, profile.fields, f"profile {profile.id}", path)
    if profile.qr_payload:
        known = Names(fields, scheme)
        require_known_names(placeholders(profile.qr_payload), f"{path}: qr_payload", known)
        require_valid_templates([profile.qr_payload], f"{path}: qr_payload", fields)
    if profile.seal:
        note(profile.seal)      # checked on load
    return profile


def profile_scheme(profile: Profile) -> Scheme:
    """The scheme a profile names, relative to the profile's file."""
    with referenced_at(f"{profile.source or 'insurer profile ' + profile.id}: scheme"):
        return load_scheme(profile.scheme, profile.source)


def require_same_scheme(profile: Profile, layout: str, scheme: Scheme) -> None:
    """A profile serves layouts of its own scheme only (its 保険者番号 rule, fields and words are
    that scheme's)."""
    if profile_scheme_file(profile) != scheme.source:     # the file first: the layout has its scheme loaded
        theirs = profile_scheme(profile)
        raise LayoutError(f"insurer profile '{profile.id}' is for {theirs.name} ({theirs.source}), layout '{layout}' "
                          f"for {scheme.name} ({scheme.source})")


def profile_scheme_file(profile: Profile) -> Path | None:
    """The file of the scheme a profile names, as a loaded scheme's `source` is; None if there is none."""
    try:
        return scheme_file(profile.scheme, profile.source).resolve()
    except LayoutError:
        return None


def profile_file(ref: str | Path, naming_file: Path | None = None) -> Path:
    """The file of an insurer profile: a Path as it is, a string by the reference rule."""
    return ref if isinstance(ref, Path) else resolve("profile", ref, naming_file)


def load_profile(ref: str | Path, naming_file: Path | None = None) -> Profile:
    """Load an insurer profile by name ("kasou-city-kokuho"), docgen:NAME or path; `naming_file`
    is the layout that names it (None: the command line, relative to the working directory)."""
    path = profile_file(ref, naming_file)
    if not path.is_file():
        raise LayoutError(f"profile file not found: {path}")
    # kept between runs and checked against every file it was made from on each load, so `docgen
    # serve` sees a saved profile, scheme or seal; a layout that names it depends on them too
    path = path.resolve()
    return kept("profile", path, "", lambda: _load_profile(path), Profile)
