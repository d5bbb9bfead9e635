"""What a kind's `prepare` and `draw` get besides the element: the fonts and templates of the
layout, the canvas and where the page is on it."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from reportlab.pdfgen.canvas import Canvas

from docgen.elements.textwriter import TextWriter, text_writer
from docgen.fonts import FontSet
from docgen.template import Template
from docgen.units import MM



@dataclass
class PrepareContext:
    """Per-layout state shared by every record: fonts and parsed templates."""

    fonts: FontSet
    _templates: dict[str, Template] = field(default_factory=dict)
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


@dataclass
class DrawContext:
    """What drawing needs besides the element: the canvas, the page height and the fonts, and
    the canvas's text writer (text lines straight into the page, see textwriter.py)."""

    canvas: Canvas
    page_height_mm: float
    fonts: FontSet
    text: TextWriter = field(init=False)

    def __post_init__(self) -> None:
        self.text = text_writer(self.canvas)

    def y_pt(self, y_mm: float) -> float:
        """PDF y of a distance from the page top (layouts measure from the top-left corner)."""
        return (self.page_height_mm - y_mm) * MM

    def stroke_style(self, width: float, dash: list[float] | None = None) -> None:
        """Strokes in pure black (K), `width` points wide, dashed or solid: every rule and frame."""
        self.canvas.setStrokeColorCMYK(0, 0, 0, 1)
        self.canvas.setLineWidth(width)
        self.canvas.setDash(dash or [])
