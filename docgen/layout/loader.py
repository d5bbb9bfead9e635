"""Loading layouts and profiles from YAML, with errors that name the file, the element and the key.

Includes are resolved here, once: a part's elements are shifted by the include's (x, y) and
inherit its `when`, so later stages only ever see flat pages.
"""
from __future__ import annotations

import string
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

from pydantic import BaseModel, ValidationError

from docgen.bind.template import DATE_FORMATTERS, Template
from docgen.errors import LayoutError, TemplateError
from docgen.fields import BY_NAME, Kind
from docgen.layout.model import (
    AllOf,
    AnyOf,
    Condition,
    FieldTest,
    IncludeElement,
    Layout,
    NotOf,
    Part,
)
from docgen.layout.profile import Profile
from docgen.paths import LAYOUTS, PROFILES
from docgen.yamlfile import read_yaml

# Values computed by the binder in addition to the record's own fields.
DERIVED_FIELDS = {"age"}
_OFFSET_KEYS = (("x", "y"), ("x1", "y1"), ("x2", "y2"))


@dataclass(frozen=True)
class ResolvedPage:
    name: str
    elements: tuple[BaseModel, ...]


@dataclass(frozen=True)
class ResolvedLayout:
    """A layout with its includes expanded; `source` is kept for messages and previews, `parts`
    (every part file it includes) so that no output of a run may overwrite one."""

    model: Layout
    source: Path
    pages: tuple[ResolvedPage, ...]
    parts: frozenset[Path] = frozenset()

    @property
    def name(self) -> str:
        return self.model.name


def _read_yaml(path: Path) -> Any:
    return read_yaml(path, LayoutError)


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
        else:
            parts.append(str(key))
            node = None
    return " > ".join(parts) or "(top level)"


def _validate(model: type[BaseModel], data: Any, path: Path) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        lines = [f"{path}: {len(exc.errors())} problem(s)"]
        for err in exc.errors():
            lines.append(f"  {_describe_loc(data, tuple(err['loc']))}: {err['msg']}")
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


def _expand(elements: Iterable[BaseModel], layouts_dir: Path, where: str, seen: tuple[Path, ...],
            parts: set[Path]) -> list[BaseModel]:
    """The elements with every include replaced by its part's; each part file read goes into `parts`."""
    out: list[BaseModel] = []
    for i, el in enumerate(elements):
        if not isinstance(el, IncludeElement):
            out.append(el)
            continue
        part_path = (layouts_dir / el.part).resolve()
        label = f"{where} > elements[{i}]" + (f" ({el.id})" if el.id else "")
        if part_path in seen:
            raise LayoutError(f"{label}: include cycle through {el.part}")
        if not part_path.is_file():
            raise LayoutError(f"{label} > part: no part file '{el.part}' under {layouts_dir}")
        part = _validate(Part, _read_yaml(part_path), part_path)
        parts.add(part_path)
        inner = _expand(part.elements, layouts_dir, str(part_path), seen + (part_path,), parts)
        out.extend(_shift(p, el.x, el.y, el.when) for p in inner)
    return out


def layout_path(name_or_path: str | Path, layouts_dir: Path = LAYOUTS) -> Path:
    p = Path(name_or_path)
    if p.suffix in (".yaml", ".yml"):
        return p
    return layouts_dir / f"{name_or_path}.yaml"


def layouts_root(path: Path) -> Path:
    """The folder a layout file's includes are relative to: its own, or above a parts/ folder."""
    return path.parent if path.parent.name != "parts" else path.parent.parent


def load_layout(name_or_path: str | Path, layouts_dir: Path | None = None) -> ResolvedLayout:
    """Load a built-in layout by name ("kokuho-card") or any layout file by path."""
    path = layout_path(name_or_path, layouts_dir or LAYOUTS)
    if not path.is_file():
        known = ", ".join(available_layouts())
        raise LayoutError(f"no layout '{name_or_path}' (built-in layouts: {known})")
    base = layouts_dir or layouts_root(path)
    model: Layout = _validate(Layout, _read_yaml(path), path)
    for f in model.requires:
        if f not in BY_NAME:
            raise LayoutError(f"{path}: requires: unknown field '{f}'")
    pages = []
    parts: set[Path] = set()
    for pi, page in enumerate(model.pages):
        where = f"{path}: pages[{pi}] ({page.name})"
        flat = _expand(page.elements, base, where, (path.resolve(),), parts)
        for el in flat:
            _check_names(element_fields(el), f"{where} > element {el.id or type(el).__name__}")
            _check_templates(element_templates(el), f"{where} > element {el.id or type(el).__name__}")
        pages.append(ResolvedPage(page.name, tuple(flat)))
    return ResolvedLayout(model=model, source=path, pages=tuple(pages), parts=frozenset(parts))


def available_layouts(layouts_dir: Path = LAYOUTS) -> list[str]:
    return sorted(p.stem for p in layouts_dir.glob("*.yaml"))


@lru_cache(maxsize=32)
def _load_profile_cached(path: Path, mtime_ns: int) -> Profile:
    """Keyed on the modification time too, so `docgen serve` sees a saved profile."""
    profile: Profile = _validate(Profile, _read_yaml(path), path)
    if profile.qr_payload:
        _check_names(template_fields(profile.qr_payload), f"{path}: qr_payload")
        _check_templates([profile.qr_payload], f"{path}: qr_payload")
    if profile.seal is not None:
        seal = (path.parent / profile.seal).resolve()
        if not seal.is_file():
            raise LayoutError(f"{path}: seal: image file '{profile.seal}' not found")
        profile = profile.model_copy(update={"seal": seal})
    return profile


def profile_path(name_or_path: str | Path, profiles_dir: Path = PROFILES) -> Path:
    """The file of an insurer profile given by name ("kasou-city-kokuho") or path."""
    p = Path(name_or_path)
    return p if p.suffix in (".yaml", ".yml") else profiles_dir / f"{name_or_path}.yaml"


def load_profile(name_or_path: str | Path, profiles_dir: Path = PROFILES) -> Profile:
    """Load an insurer profile by name ("kasou-city-kokuho") or path."""
    path = profile_path(name_or_path, profiles_dir)
    if not path.is_file():
        raise LayoutError(f"no insurer profile '{name_or_path}'")
    return _load_profile_cached(path.resolve(), path.stat().st_mtime_ns)
