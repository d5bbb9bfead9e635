"""Loading layouts and profiles from YAML, with errors that name the file, the element and the key.

Includes are resolved here, once: a part's elements are shifted by the include's (x, y) and
inherit its `when`, so later stages only ever see flat pages. Every reference (part, profile,
image, seal) resolves against the file that names it, or by name on the search path
(docgen.layout.search). Everything is checked here: keys, fonts, colours, image files, templates,
and that each element lies on its page.
"""
from __future__ import annotations

import string
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Sequence

from pydantic import BaseModel, ValidationError

from docgen.bind.template import DATE_FORMATTERS, Template
from docgen.errors import LayoutError, TemplateError
from docgen.fields import BY_NAME, Kind
from docgen.fonts import load_fonts
from docgen.layout.model import (
    AllOf,
    AnyOf,
    Condition,
    FieldTest,
    IncludeElement,
    Layout,
    LoadContext,
    NotOf,
    Part,
)
from docgen.layout.profile import Profile
from docgen.layout.search import listing, resolve
from docgen.yamlfile import parse_yaml

# Values computed by the binder in addition to the record's own fields.
DERIVED_FIELDS = {"age"}
_OFFSET_KEYS = (("x", "y"), ("x1", "y1"), ("x2", "y2"))


@dataclass(frozen=True)
class ResolvedPage:
    name: str
    elements: tuple[BaseModel, ...]


@dataclass(frozen=True)
class OffPage:
    """An element outside its page: a layout error that only previews load past, to draw it red."""

    page: int          # index of the page
    index: int         # index of the element on the flattened page
    where: str         # "pages[0] (front) > name"
    problem: str       # "partly off the page: right edge at 90 beyond the page width 86 mm"

    def __str__(self) -> str:
        return f"{self.where}: {self.problem}"


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


def read_file(path: Path) -> bytes:
    """How the loader reads a file by default; `docgen diff` passes one that reads a git revision."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise LayoutError(f"{path}: file not found") from None


def _read_yaml(path: Path, read: Callable[[Path], bytes] = read_file) -> Any:
    return parse_yaml(read(path), path, LayoutError)


def _context(path: Path) -> LoadContext:
    fonts = load_fonts()
    return LoadContext(path, fonts.families, fonts.config.path)


def _describe_loc(data: Any, loc: tuple[Any, ...]) -> str:
    """Turn a pydantic error location into 'pages[0] (front) > elements[3] (name) > key'."""
    parts: list[str] = []
    node = data
    after_index = False
    for key in loc:
        if isinstance(key, int) and isinstance(node, list) and 0 <= key < len(node):
            node = node[key]
            label = node.get("id") or node.get("name") if isinstance(node, dict) else None
            parts[-1:] = [f"{parts[-1] if parts else ''}[{key}]" + (f" ({label})" if label else "")]
            after_index = True
            continue
        # the discriminator tag pydantic inserts for tagged unions, right after the list index;
        # checked first, since a text element also has a key named "text"
        tag = after_index and isinstance(node, dict) and node.get("type") == key
        after_index = False
        if tag:
            continue
        if isinstance(node, dict) and key in node:
            node = node[key]
            parts.append(str(key))
        elif isinstance(key, str) and (key[:1].isupper() or "[" in key):
            continue        # the member of a union pydantic tried ('FieldTest', 'literal[...]'): not a key
        else:
            parts.append(str(key))
            node = None
    return " > ".join(parts) or "(top level)"


_MESSAGES = {"extra_forbidden": "unknown key (`docgen schema` lists the keys)", "missing": "required key missing"}


def _message(err: Any) -> str:
    """pydantic's message in a layout designer's words, and the load-time checks' own messages
    without the "Value error, " pydantic puts before them."""
    error = err.get("ctx", {}).get("error") if err["type"] == "value_error" else None
    return str(error) if error is not None else _MESSAGES.get(err["type"], err["msg"])


def _validate(model: type[BaseModel], data: Any, path: Path) -> Any:
    """Validate with the load-time checks (fonts, colours, images relative to `path`) switched on."""
    try:
        return model.model_validate(data, context=_context(path))
    except ValidationError as exc:
        lines = [f"{path}: {len(exc.errors())} problem(s)"]
        for err in exc.errors():
            lines.append(f"  {_describe_loc(data, tuple(err['loc']))}: {_message(err)}")
        raise LayoutError("\n".join(lines)) from None


def template_fields(template: str) -> list[str]:
    """The field names a "{a:fmt} {insurer.name}" template refers to."""
    names = []
    for _, name, _, _ in string.Formatter().parse(template):
        if name:
            names.append(name)
    return names


def condition_fields(cond: Condition | None) -> list[str]:
    if cond is None:
        return []
    if isinstance(cond, FieldTest):
        return [cond.field]
    if isinstance(cond, (AllOf, AnyOf)):
        return [f for c in (cond.all if isinstance(cond, AllOf) else cond.any) for f in condition_fields(c)]
    return condition_fields(cond.not_)


def element_templates(el: BaseModel) -> list[str]:
    """Every template string an element carries (for checking names and finding static ones)."""
    out = []
    for key in ("text", "value", "payload", "src"):
        v = getattr(el, key, None)
        if isinstance(v, str):
            out.append(v)
    items = getattr(el, "items", None)
    if isinstance(items, list):
        out.extend(items)
    return out


def element_fields(el: BaseModel) -> list[str]:
    """Record (or profile) names an element depends on; empty means it is the same on every page."""
    names = [n for t in element_templates(el) for n in template_fields(t)]
    items = getattr(el, "items", None)
    if isinstance(items, str):
        names.append(items)
    return names + condition_fields(getattr(el, "when", None))


def _check_names(names: Iterable[str], where: str) -> None:
    """Every name a template or condition uses must be a record field or an insurer profile key."""
    profile_keys = set(Profile.model_fields)
    for name in names:
        head, _, rest = name.partition(".")
        if head == "insurer":
            if rest not in profile_keys:
                raise LayoutError(f"{where}: unknown insurer profile key '{rest}' (known: {', '.join(sorted(profile_keys))})")
        elif name not in BY_NAME and name not in DERIVED_FIELDS:
            raise LayoutError(f"{where}: unknown field '{name}' (see the field dictionary in README.md)")


def _check_templates(templates: Iterable[str], where: str) -> None:
    """Every template must parse with known formatters, so a typo fails on load, not mid-run."""
    for t in templates:
        try:
            template = Template(t)
        except TemplateError as exc:
            raise LayoutError(f"{where}: {exc}") from None
        for name, steps in template.uses:
            field = BY_NAME.get(name)
            if any(s in DATE_FORMATTERS for s in steps) and (field is None or field.kind is not Kind.DATE):
                raise LayoutError(f"{where}: template {t!r}: '{name}' is not a date field, so it cannot take a wareki format")


def _and(a: Condition | None, b: Condition | None) -> Condition | None:
    if a is None or b is None:
        return a or b
    return AllOf(all=[a, b])


def _shift(el: BaseModel, dx: float, dy: float, when: Condition | None) -> BaseModel:
    update: dict[str, Any] = {"when": _and(when, getattr(el, "when", None))}
    for kx, ky in _OFFSET_KEYS:
        if kx in type(el).model_fields:
            update[kx] = getattr(el, kx) + dx
            update[ky] = getattr(el, ky) + dy
    return el.model_copy(update=update)


class _Expander:
    """Flattens includes, resolving each part against the file that names it; remembers the files read."""

    def __init__(self, read: Callable[[Path], bytes]) -> None:
        self.read = read
        self.files: list[Path] = []

    def expand(self, elements: Iterable[BaseModel], naming_file: Path, where: str,
               seen: tuple[Path, ...]) -> list[BaseModel]:
        out: list[BaseModel] = []
        for i, el in enumerate(elements):
            if not isinstance(el, IncludeElement):
                out.append(el)
                continue
            label = f"{where} > elements[{i}]" + (f" ({el.id})" if el.id else "")
            try:
                part_path = resolve("part", el.part, naming_file)
            except LayoutError as exc:
                raise LayoutError(f"{label} > part: {exc}") from None
            if part_path.resolve() in seen:
                raise LayoutError(f"{label}: include cycle through {part_path}")
            self.files.append(part_path)
            part = load_part(part_path, self.read)
            inner = self.expand(part.elements, part_path, str(part_path), seen + (part_path.resolve(),))
            out.extend(_shift(p, el.x, el.y, el.when) for p in inner)
        return out


def _off_page(elements: Sequence[BaseModel], size: tuple[float, float]) -> Iterator[tuple[int, str]]:
    """Elements that reach outside the page, each with what sticks out, in mm."""
    w, h = size
    eps = 1e-6
    for i, el in enumerate(elements):
        box = el.bbox()
        if box is None:
            continue
        x0, y0, x1, y1 = box
        out = [f"left edge at x {x0:g}" if x0 < -eps else "", f"top edge at y {y0:g}" if y0 < -eps else "",
               f"right edge at {x1:g} beyond the page width {w:g}" if x1 > w + eps else "",
               f"bottom edge at {y1:g} beyond the page height {h:g}" if y1 > h + eps else ""]
        if any(out):
            wholly = x1 < -eps or y1 < -eps or x0 > w + eps or y0 > h + eps
            yield i, f"{'wholly' if wholly else 'partly'} off the page: {', '.join(o for o in out if o)} mm"


def load_part(path: Path, read: Callable[[Path], bytes] = read_file) -> Part:
    """One part file, checked like a layout (its own includes are expanded where it is included)."""
    return _validate(Part, _read_yaml(path, read), path)


def layout_file(name_or_path: str | Path) -> Path:
    """The file of a layout given on the command line: a Path as it is, a string by the reference rule."""
    if isinstance(name_or_path, Path):
        return name_or_path
    return resolve("layout", name_or_path)


def load_layout(name_or_path: str | Path, *, read: Callable[[Path], bytes] = read_file,
                allow_off_page: bool = False) -> ResolvedLayout:
    """Load a layout by name ("kokuho-card", searched on the search path) or by file path.

    An element outside the page is a load error unless `allow_off_page` (previews draw it red).
    """
    path = layout_file(name_or_path)
    model: Layout = _validate(Layout, _read_yaml(path, read), path)
    for f in model.requires:
        if f not in BY_NAME:
            raise LayoutError(f"{path}: requires: unknown field '{f}'")
    expander = _Expander(read)
    pages, off_page = [], []
    for pi, page in enumerate(model.pages):
        where = f"{path}: pages[{pi}] ({page.name})"
        flat = expander.expand(page.elements, path, where, (path.resolve(),))
        for el in flat:
            _check_names(element_fields(el), f"{where} > element {el.id or type(el).__name__}")
            _check_templates(element_templates(el), f"{where} > element {el.id or type(el).__name__}")
        names = element_names(flat)
        off_page.extend(OffPage(pi, i, f"pages[{pi}] ({page.name}) > {names[i]}", problem)
                        for i, problem in _off_page(flat, model.size_mm))
        pages.append(ResolvedPage(page.name, tuple(flat)))
    if off_page and not allow_off_page:
        raise LayoutError("\n".join([f"{path}: {len(off_page)} problem(s)"] + [f"  {p}" for p in off_page]))
    return ResolvedLayout(model=model, source=path, pages=tuple(pages), files=(path, *expander.files),
                          off_page=tuple(off_page))


def available_layouts() -> list[str]:
    """The layout names on the search path (user folders first, then the built-in ones)."""
    return [found.name for found in listing("layout")]


def element_names(elements: Iterable[BaseModel]) -> list[str]:
    """Stable names for a page's elements: the id, else type#n among that type's anonymous ones.

    A repeated id (a part included twice) gets #2, #3 so every name on a page is unique.
    """
    names: list[str] = []
    counts: dict[str, int] = {}
    for el in elements:
        base = getattr(el, "id", None) or f"{getattr(el, 'type', type(el).__name__)}#"
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
    profile: Profile = _validate(Profile, _read_yaml(path), path)
    if profile.qr_payload:
        _check_names(template_fields(profile.qr_payload), f"{path}: qr_payload")
        _check_templates([profile.qr_payload], f"{path}: qr_payload")
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
