"""`box` elements: frames and shading, outlined in pure black (K)."""
from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from docgen.elements.base import Boxed, ElementKind
from docgen.elements.context import DrawContext
from docgen.units import MM
from docgen.yamlfile import did_you_mean

FILL_FORMS = 'black, white, gray:G (G = share of white, 0 to 1) or cmyk:C,M,Y,K (each 0 to 1)'


def fill_cmyk(spec: str) -> tuple[float, float, float, float]:
    """A fill colour as layouts write it (see FILL_FORMS), as CMYK: one parser for load and draw."""
    kind, _, arg = spec.partition(":")
    forms = {"black": 0, "white": 0, "gray": 1, "cmyk": 4}
    if kind not in forms:
        raise ValueError(f"unknown colour '{spec}': use {FILL_FORMS}" + did_you_mean(kind, list(forms)))
    parts = arg.split(",") if arg else []
    if len(parts) != forms[kind]:
        raise ValueError(f"'{spec}': {kind} takes {forms[kind] or 'no'} value(s) after ':'; use {FILL_FORMS}")
    try:
        values = [float(p) for p in parts]
    except ValueError:
        raise ValueError(f"'{spec}': not a number after '{kind}:'; use {FILL_FORMS}") from None
    if not all(0.0 <= v <= 1.0 for v in values):
        raise ValueError(f"'{spec}': values must be between 0 and 1")
    if kind == "black":
        return (0.0, 0.0, 0.0, 1.0)
    if kind == "white":
        return (0.0, 0.0, 0.0, 0.0)
    if kind == "gray":
        return (0.0, 0.0, 0.0, 1.0 - values[0])
    c, m, y, k = values
    return (c, m, y, k)


class BoxElement(Boxed):
    """A frame or a shaded area: outlined in pure black (K), filled, corners rounded or square."""

    type: Literal["box"]
    stroke: float = Field(default=0.3, ge=0, description="line width in points (0: no outline)")
    fill: str | None = Field(default=None, description=f"fill colour: {FILL_FORMS}; e.g. gray:0.9, cmyk:0,0,0,0.1")
    radius: float = Field(default=0, ge=0, description="corner radius in mm")
    dash: list[float] | None = Field(default=None, description="dash pattern in points")

    @field_validator("fill")
    @classmethod
    def _colour(cls, spec: str | None) -> str | None:
        if spec is not None:
            fill_cmyk(spec)
        return spec


class BoxKind(ElementKind[BoxElement, None]):
    model = BoxElement

    def draw(self, dc: DrawContext, el: BoxElement, content: None) -> None:
        c = dc.canvas
        if el.fill:
            c.setFillColorCMYK(*fill_cmyk(el.fill))   # checked when the layout loaded
        dc.stroke_style(el.stroke, el.dash)
        x, y, w, h = el.x * MM, dc.y_pt(el.y + el.h), el.w * MM, el.h * MM
        stroke, fill = int(el.stroke > 0), int(el.fill is not None)
        if el.radius:
            c.roundRect(x, y, w, h, el.radius * MM, stroke=stroke, fill=fill)
        else:
            c.rect(x, y, w, h, stroke=stroke, fill=fill)


KIND = BoxKind()
