"""What a kind's `prepare` and `draw` get besides the element: the fonts and templates of the
layout, the canvas and where the page is on it."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, TypeVar

from reportlab.pdfgen.canvas import Canvas

from docgen.fonts import FontSet
from docgen.template import Template

MM = 72.0 / 25.4      # points per millimetre: layouts measure in mm, PDF in points
# what a template may name that is the same for every record: the insurer profile and the scheme
PROFILE_ROOTS = frozenset({"insurer", "scheme"})

T = TypeVar("T")


@dataclass
class PrepareContext:
    """Per-layout state shared by every record: fonts and parsed templates."""

    fonts: FontSet
    _templates: dict[str, Template] = field(default_factory=dict)
    # id(element) -> (element, text, content): content of text that names no record field
    _kept: dict[int, tuple[Any, str, Any]] = field(default_factory=dict)
    # (rule, detail) of things a record prints without, e.g. a barcode for an unreadable
    # address; the binder collects them per element
    warnings: list[tuple[str, str]] = field(default_factory=list)

    def warn(self, rule: str, detail: str) -> None:
        """Note that the record prints, but without something (the detail names no value)."""
        self.warnings.append((rule, detail))

    def template(self, source: str) -> Template:
        """A template parsed once per layout, not once per record."""
        t = self._templates.get(source)
        if t is None:
            t = self._templates[source] = Template(source)
        return t

    def fill(self, source: str, values: Mapping[str, Any]) -> str:
        """A template filled from one record's values (and the profile, as `insurer`)."""
        return self.template(source).render(values)

    def once(self, el: object, text: str, make: Callable[[str], T]) -> T:
        """make(text) for an element whose text is the same for every record (a label that a
        `when:` shows or hides per record): worked out on first use, again only if the text
        changes. What make raises is raised every time."""
        kept = self._kept.get(id(el))
        if kept is None or kept[0] is not el or kept[1] != text:
            kept = self._kept[id(el)] = (el, text, make(text))   # holding el keeps its id its own
        return kept[2]


@dataclass
class DrawContext:
    """What drawing needs besides the element: the canvas, the page height and the fonts."""

    canvas: Canvas
    page_height_mm: float
    fonts: FontSet

    def y_pt(self, y_mm: float) -> float:
        """PDF y of a distance from the page top (layouts measure from the top-left corner)."""
        return (self.page_height_mm - y_mm) * MM

    def stroke_style(self, width: float, dash: list[float] | None = None) -> None:
        """Strokes in pure black (K), `width` points wide, dashed or solid: every rule and frame."""
        self.canvas.setStrokeColorCMYK(0, 0, 0, 1)
        self.canvas.setLineWidth(width)
        self.canvas.setDash(dash or [])
