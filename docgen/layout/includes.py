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


# what a layout may ask the expander for: docgen's own go 3 parts deep, expand at most 6 includes
# and place 103 elements on a page (ten includes in each of 7 nested parts would be ten million)
MAX_INCLUDE_DEPTH = 5      # parts within parts
MAX_INCLUDES = 100         # includes expanded, a part's own counted each time the part is placed
MAX_ELEMENTS = 2_000       # elements placed, over all pages


class Expander:
    """Flattens includes, resolving each part against the file that names it; remembers the files
    read. Each part file is read once per layout, however often it is placed; how many includes
    and how deep are capped, so a few small files cannot ask for millions of elements."""

    def __init__(self, read: Reader) -> None:
        self.read = read
        self.files: list[Path] = []
        self.parts: dict[Path, Part] = {}
        self.includes = 0
        self.placed = 0

    def expand(self, elements: Iterable[Element], naming_file: Path, where: str,
               seen: tuple[Path, ...], at: tuple[str | int, ...] = ("elements",)) -> list[tuple[Element, Origin]]:
        """The flat elements, each with its origin; `at` is where `elements` sit in `naming_file`."""
        out: list[tuple[Element, Origin]] = []
        for i, el in enumerate(elements):
            origin = Origin(naming_file, (*at, i))
            if not isinstance(el, IncludeElement):
                self.placed += 1
                if self.placed > MAX_ELEMENTS:
                    raise LayoutError(f"{where} > elements[{i}]: more than {MAX_ELEMENTS:,} elements with the "
                                      "includes expanded: include fewer parts")
                out.append((el, origin))
                continue
            label = f"{where} > elements[{i}]" + (f" ({el.id})" if el.id else "")
            with referenced_at(f"{label} > part"):
                part_path = resolve("part", el.part, naming_file)
            if part_path.resolve() in seen:
                raise LayoutError(f"{label}: include cycle through {part_path}")
            if len(seen) > MAX_INCLUDE_DEPTH:
                raise LayoutError(f"{label}: parts included more than {MAX_INCLUDE_DEPTH} deep "
                                  f"(through {' > '.join(p.name for p in seen)}): flatten some")
            self.includes += 1
            if self.includes > MAX_INCLUDES:
                raise LayoutError(f"{label}: more than {MAX_INCLUDES} includes to expand (a part's own includes "
                                  "count each time it is placed): include fewer parts, or fewer within parts")
            part = self._part(part_path)
            inner = self.expand(part.elements, part_path, str(part_path), seen + (part_path.resolve(),))
            # each element shifted as its kind says, and printed only when the include's `when` holds too
            out.extend((p.shifted(el.x, el.y).model_copy(update={"when": both(el.when, p.when)}),
                        o.through(origin, el.x, el.y, el.member)) for p, o in inner)
        return out

    def _part(self, path: Path) -> Part:
        key = path.resolve()
        if key not in self.parts:
            self.files.append(path)
            self.parts[key] = load_part(path, self.read)
        return self.parts[key]


def load_part(path: Path, read: Reader = read_file) -> Part:
    """One part file, checked like a layout (its own includes are expanded where it is included)."""
    complete_models()
    return validate_file(Part, read_yaml(path, LayoutError, read=read), path)
