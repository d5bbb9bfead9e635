"""`box` and `line` elements: rules and frames in pure black (K), hairline by default."""
from __future__ import annotations

from typing import Any, Mapping

from reportlab.pdfgen.canvas import Canvas

from docgen.layout.model import BoxElement, LineElement, fill_cmyk
from docgen.render.registry import MM, DrawContext, PrepareContext, element_kind


def _stroke_style(c: Canvas, width: float, dash: list[float] | None) -> None:
    c.setStrokeColorCMYK(0, 0, 0, 1)
    c.setLineWidth(width)
    c.setDash(dash or [])


def _static(el: Any, ctx: Mapping[str, Any], prep: PrepareContext) -> None:
    return None


@element_kind(BoxElement)
class Box:
    prepare = staticmethod(_static)

    @staticmethod
    def draw(dc: DrawContext, el: BoxElement, _: None) -> None:
        c = dc.canvas
        if el.fill:
            c.setFillColorCMYK(*fill_cmyk(el.fill))   # checked when the layout loaded
        _stroke_style(c, el.stroke, el.dash)
        x, y, w, h = el.x * MM, dc.y_pt(el.y + el.h), el.w * MM, el.h * MM
        stroke, fill = int(el.stroke > 0), int(el.fill is not None)
        if el.radius:
            c.roundRect(x, y, w, h, el.radius * MM, stroke=stroke, fill=fill)
        else:
            c.rect(x, y, w, h, stroke=stroke, fill=fill)


@element_kind(LineElement)
class Line:
    prepare = staticmethod(_static)

    @staticmethod
    def draw(dc: DrawContext, el: LineElement, _: None) -> None:
        _stroke_style(dc.canvas, el.stroke, el.dash)
        dc.canvas.line(el.x1 * MM, dc.y_pt(el.y1), el.x2 * MM, dc.y_pt(el.y2))
