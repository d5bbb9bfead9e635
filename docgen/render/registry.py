"""The element registry: each element type is one module with a `prepare` and a `draw` function.

`prepare` runs before anything is drawn (it fills templates and fits text, so a record that
cannot be printed is rejected up front); `draw` only puts prepared content on the canvas. A new
element type is a model class in `docgen.layout.model` plus one module registering its pair with
`@element_kind(ModelClass)`; nothing else in the pipeline changes.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from pydantic import BaseModel
from reportlab.pdfgen.canvas import Canvas

from docgen.fonts import FontSet
from docgen.template import Template

MM = 72.0 / 25.4


@dataclass
class PrepareContext:
    """Per-layout state shared by every record: fonts and parsed templates."""

    fonts: FontSet
    _templates: dict[str, Template] = field(default_factory=dict)
    # (rule, detail) of things a record prints without, e.g. a barcode for an unreadable
    # address; the binder collects them per record
    warnings: list[tuple[str, str]] = field(default_factory=list)

    def warn(self, rule: str, detail: str) -> None:
        self.warnings.append((rule, detail))

    def template(self, source: str) -> Template:
        t = self._templates.get(source)
        if t is None:
            t = self._templates[source] = Template(source)
        return t

    def fill(self, source: str, values: Mapping[str, Any]) -> str:
        return self.template(source).render(values)


@dataclass
class DrawContext:
    """What a drawing function needs besides its element: the canvas and the page height."""

    canvas: Canvas
    page_height_mm: float
    fonts: FontSet

    def y_pt(self, y_mm: float) -> float:
        """PDF y of a distance from the page top (layouts measure from the top-left corner)."""
        return (self.page_height_mm - y_mm) * MM


class ContentError(ValueError):
    """An element's content for one record cannot be printed; `rule` names the broken rule.

    The message must not contain the content itself (it is personal data).
    """

    def __init__(self, rule: str, detail: str) -> None:
        super().__init__(detail)
        self.rule = rule


Prepare = Callable[[BaseModel, Mapping[str, Any], PrepareContext], Any]
Draw = Callable[[DrawContext, BaseModel, Any], None]


@dataclass(frozen=True)
class ElementKind:
    prepare: Prepare
    draw: Draw


_KINDS: dict[type, ElementKind] = {}


def element_kind(model: type[BaseModel]) -> Callable[[type], type]:
    """Class decorator: a class with static `prepare` and `draw` becomes the kind for `model`."""

    def register(cls: type) -> type:
        _KINDS[model] = ElementKind(prepare=cls.prepare, draw=cls.draw)
        return cls

    return register


def kind_of(element: BaseModel) -> ElementKind:
    try:
        return _KINDS[type(element)]
    except KeyError:
        raise TypeError(f"no element kind registered for {type(element).__name__}") from None
