"""`line` elements: rules from (x1, y1) to (x2, y2), in pure black (K), hairline by default."""
from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import Field

from docgen.elements.base import BBox, Element, ElementKind
from docgen.elements.context import DrawContext
from docgen.units import MM


class LineElement(Element):
    """A rule from (x1, y1) to (x2, y2), solid or dashed."""

    type: Literal["line"]
    x1: float
    y1: float
    x2: float
    y2: float
    stroke: float = Field(default=0.3, gt=0)
    dash: list[float] | None = None

    anchor_keys: ClassVar[tuple[tuple[str, str], ...]] = (("x1", "y1"), ("x2", "y2"))

    @classmethod
    def starter(cls, x: float, y: float) -> dict[str, Any]:
        return {"x1": x, "y1": y, "x2": x + 20.0, "y2": y}

    def bbox(self) -> BBox:
        return (min(self.x1, self.x2), min(self.y1, self.y2), max(self.x1, self.x2), max(self.y1, self.y2))


class LineKind(ElementKind[LineElement, None]):
    model = LineElement

    def draw(self, dc: DrawContext, el: LineElement, content: None) -> None:
        dc.stroke_style(el.stroke, el.dash)
        dc.canvas.line(el.x1 * MM, dc.y_pt(el.y1), el.x2 * MM, dc.y_pt(el.y2))


KIND = LineKind()
