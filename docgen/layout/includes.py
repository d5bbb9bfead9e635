"""Includes: a part's elements placed where the include says, as if written in the page.

A part is resolved against the file that names it (or by name on the search path); its
elements are shifted by the include's (x, y), each as its kind declares (`Element.shifted`),
and inherit its `when`, so later stages only ever see flat pages. Each element keeps its
`Origin` (the file and the place in it where it is written), so the designer of `docgen serve`
can write an edit back to that file.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from docgen.conditions import both
from docgen.elements.base import Element
from docgen.errors import LayoutError
from docgen.layout.model import IncludeElement, Part, complete_models
from docgen.layout.reading import Reader, read_file, validate_file
from docgen.layout.search import referenced_at, resolve
from docgen.yamlfile import read_yaml


@dataclass(frozen=True)
class Origin:
    """Where a flattened element is written: its file, its place there as YAML keys and indices
    (("pages", 0, "elements", 5), or ("elements", 3) in a part), the shift of the includes it came
    through (file coordinates + (dx, dy) = page coordinates), and those includes, outermost first."""

    file: Path
    path: tuple[str | int, ...]
    dx: float = 0.0
    dy: float = 0.0
    via: tuple["Origin", ...] = ()
    member: int | None = None           # the household member slot of the include it came through

    def through(self, include: "Origin", dx: float, dy: float, member: int | None = None) -> "Origin":
        return Origin(self.file, self.path, self.dx + dx, self.dy + dy, (include, *self.via),
                      member if member is not None else self.member)


class Expander:
    """Flattens includes, resolving each part against the file that names it; remembers the files read."""

    def __init__(self, read: Reader) -> None:
        self.read = read
        self.files: list[Path] = []

    def expand(self, elements: Iterable[Element], naming_file: Path, where: str,
               seen: tuple[Path, ...], at: tuple[str | int, ...] = ("elements",)) -> list[tuple[Element, Origin]]:
        """The flat elements, each with its origin; `at` is where `elements` sit in `naming_file`."""
        out: list[tuple[Element, Origin]] = []
        for i, el in enumerate(elements):
            origin = Origin(naming_file, (*at, i))
            if not isinstance(el, IncludeElement):
                out.append((el, origin))
                continue
            label = f"{where} > elements[{i}]" + (f" ({el.id})" if el.id else "")
            with referenced_at(f"{label} > part"):
                part_path = resolve("part", el.part, naming_file)
            if part_path.resolve() in seen:
                raise LayoutError(f"{label}: include cycle through {part_path}")
            self.files.append(part_path)
            part = load_part(part_path, self.read)
            inner = self.expand(part.elements, part_path, str(part_path), seen + (part_path.resolve(),))
            # each element shifted as its kind says, and printed only when the include's `when` holds too
            out.extend((p.shifted(el.x, el.y).model_copy(update={"when": both(el.when, p.when)}),
                        o.through(origin, el.x, el.y, el.member)) for p, o in inner)
        return out


def load_part(path: Path, read: Reader = read_file) -> Part:
    """One part file, checked like a layout (its own includes are expanded where it is included)."""
    complete_models()
    return validate_file(Part, read_yaml(path, LayoutError, read=read), path)
