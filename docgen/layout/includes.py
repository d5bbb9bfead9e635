"""Includes: a part's elements placed where the include says, as if written in the page.

A part is resolved against the file that names it (or by name on the search path); its
elements are shifted by the include's (x, y) and inherit its `when`, so later stages only ever
see flat pages.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable

from pydantic import BaseModel

from docgen.errors import LayoutError
from docgen.layout.model import AllOf, Condition, IncludeElement, Part
from docgen.layout.reading import Reader, read_file, read_yaml, validate_file
from docgen.layout.search import resolve

_OFFSET_KEYS = (("x", "y"), ("x1", "y1"), ("x2", "y2"))


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


class Expander:
    """Flattens includes, resolving each part against the file that names it; remembers the files read."""

    def __init__(self, read: Reader) -> None:
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


def load_part(path: Path, read: Reader = read_file) -> Part:
    """One part file, checked like a layout (its own includes are expanded where it is included)."""
    return validate_file(Part, read_yaml(path, read), path)
