"""What a kind's `prepare` and `draw` get besides the element: the fonts and templates of the
layout, the canvas and where the page is on it."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Hashable, Mapping, TypeVar

from reportlab.pdfgen.canvas import Canvas

from docgen.elements.textwriter import TextWriter, text_writer
from docgen.fonts import FontSet
from docgen.template import Template
from docgen.units import MM

# contents remembered per element by PrepareContext.memo: enough for the dates, 性別, 続柄 and 記号
# that repeat through a file and a household's address, few enough that names cost little memory
MEMO_SIZE = 64

T = TypeVar("T")
_NONE: Any = object()     # memo's "not remembered": None is a content like any other


@dataclass
class PrepareContext:
    """Per-layout state shared by every record: fonts and parsed templates."""

    fonts: FontSet
    _templates: dict[str, Template] = field(default_factory=dict)
    # id(element) -> (element, {key: content}), see memo
    _memo: dict[int, tuple[Any, dict[Hashable, Any]]] = field(default_factory=dict)
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

    def memo(self, el: object, key: Hashable, make: Callable[[], T]) -> T:
        """make() for an element, remembered by `key` (what the content is made from: the text
        to fit) among the last up to MEMO_SIZE keys it made: a label is the same on every
        record, a date or 性別 on many, an address on a household's. What make raises is raised
        again each time (not remembered)."""
        kept = self._memo.get(id(el))
        if kept is None or kept[0] is not el:
            kept = self._memo[id(el)] = (el, {})     # holding el keeps its id its own
        made = kept[1]
        content = made.get(key, _NONE)
        if content is _NONE:
            if len(made) >= MEMO_SIZE:
                made.clear()     # what repeats comes back at once; cheaper than dropping the oldest
            content = made[key] = make()
        return content


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
