"""`cutline` elements: the dashed line a person cuts along, with a scissors mark and a label.

The お知らせ's slip is cut out with scissors at home, so the line must be recognisable as a cut
line without reading (dashes and the scissors) and name itself for those who do (切り取り線).
The scissors are drawn as vectors: none of the bundled fonts has U+2702.
"""
from __future__ import annotations

from typing import Any, ClassVar, Literal, Mapping

from pydantic import Field
from reportlab.pdfgen.canvas import Canvas

from docgen.elements.base import BBox, Boxed, ElementKind, Fitting
from docgen.elements.context import DrawContext, PrepareContext
from docgen.elements.text_style import TextStyle, draw_lines, prepare_text, text_fitting
from docgen.elements.textfit import FittedText
from docgen.units import MM

SCISSORS_FROM_CORNER_MM = 3.0   # left end of the mark, from the top-left corner along the top edge
SCISSORS_LENGTH_MM = 4.2
_GAP_MM = 0.6                   # dash-free space on each side of the mark
_LABEL_GAP_MM = 1.2             # from the mark to the label, and from the label's foot to the line
_RING_RADIUS_MM = 0.6
_RING_OFFSET_MM = 0.8           # ring centres above and below the line


class CutLineElement(Boxed, TextStyle):
    """A dashed cut line around (x, y, w, h) with a scissors mark and a label above its top edge.

    The box is exactly what is cut out (the お知らせ's card-size slip); the label and the mark sit
    on the line or outside it, so nothing of the sheet's wording stays on the slip.
    """

    type: Literal["cutline"]
    text: str = Field(default="切り取り線", description="label printed above the top edge, after the scissors")
    stroke: float = Field(default=0.5, gt=0, description="line width in points")
    dash: list[float] = Field(default_factory=lambda: [3.0, 2.0], description="dash pattern in points")

    content_keys: ClassVar[tuple[str, ...]] = ("text",)

    def bbox(self) -> BBox:
        """What the element prints: the cut-out box and the label above its top edge (which must be
        on the page too, and is what a designer sees and moves)."""
        _, label_top, _, _ = label_box(self)
        return (self.x, min(self.y, label_top), self.x + self.w, self.y + self.h)


def label_box(el: CutLineElement) -> tuple[float, float, float, float]:
    """(x, y, w, h) in mm of the label: above the top edge, after the scissors, outside the slip."""
    h = el.size * el.fit.leading / MM
    x = el.x + SCISSORS_FROM_CORNER_MM + SCISSORS_LENGTH_MM + _LABEL_GAP_MM
    return x, el.y - _LABEL_GAP_MM / 2 - h, el.x + el.w - x, h


def _scissors(c: Canvas, dc: DrawContext, x_mm: float, line_y_mm: float) -> None:
    """Open scissors lying on the line, blades pointing right (the direction of the cut)."""
    def pt(dx: float, dy: float) -> tuple[float, float]:
        return (x_mm + dx) * MM, dc.y_pt(line_y_mm + dy)

    ring_x = _RING_RADIUS_MM + 0.15
    tip_x, tip_dy = SCISSORS_LENGTH_MM, 0.45
    for side in (-1, 1):   # -1: the upper handle and its blade, which crosses to below the line
        cx, cy = pt(ring_x, side * _RING_OFFSET_MM)
        c.circle(cx, cy, _RING_RADIUS_MM * MM, stroke=1, fill=0)
        blade = c.beginPath()
        blade.moveTo(*pt(ring_x + 0.45, side * (_RING_OFFSET_MM + 0.35)))
        blade.lineTo(*pt(ring_x + 0.7, side * (_RING_OFFSET_MM - 0.3)))
        blade.lineTo(*pt(tip_x, -side * tip_dy))
        blade.close()
        c.drawPath(blade, stroke=0, fill=1)


class CutLineKind(ElementKind[CutLineElement, FittedText]):
    model = CutLineElement

    def prepare(self, el: CutLineElement, values: Mapping[str, Any], ctx: PrepareContext) -> FittedText:
        _, _, w, h = label_box(el)
        return prepare_text(ctx.fill(el.text, values), el, w, h, ctx)

    def draw(self, dc: DrawContext, el: CutLineElement, label: FittedText) -> None:
        c = dc.canvas
        left, right = el.x * MM, (el.x + el.w) * MM
        top, bottom = dc.y_pt(el.y), dc.y_pt(el.y + el.h)
        mark = el.x + SCISSORS_FROM_CORNER_MM
        c.saveState()
        c.setStrokeColorCMYK(0, 0, 0, 1)   # pure K, like every other rule
        c.setFillColorCMYK(0, 0, 0, 1)
        c.setLineWidth(el.stroke)
        c.setDash(el.dash)
        edges = c.beginPath()
        # the top edge is interrupted where the scissors lie on it
        edges.moveTo((mark - _GAP_MM) * MM, top)
        edges.lineTo(left, top)
        edges.lineTo(left, bottom)
        edges.lineTo(right, bottom)
        edges.lineTo(right, top)
        edges.lineTo((mark + SCISSORS_LENGTH_MM + _GAP_MM) * MM, top)
        c.drawPath(edges, stroke=1, fill=0)
        c.setDash([])
        c.setLineWidth(0.4)
        _scissors(c, dc, mark, el.y)
        c.restoreState()
        draw_lines(dc, dc.fonts.chain(el.font), label, el, *label_box(el))

    def fitting(self, el: CutLineElement, label: FittedText) -> Fitting:
        return text_fitting(el, label, el.text)


KIND = CutLineKind()
