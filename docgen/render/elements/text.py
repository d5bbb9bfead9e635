"""`text` and `field` elements: one template, fitted into its box, drawn in pure black (K)."""
from __future__ import annotations

from typing import Any, Mapping

from docgen.fonts import FontChain
from docgen.fonts.sequences import code_points
from docgen.layout.model import FieldElement, TextElement, TextStyle
from docgen.render.registry import (
    MM,
    ContentError,
    DrawContext,
    PrepareContext,
    element_kind,
)
from docgen.render.textfit import DoesNotFit, FittedText, fit_text


def prepare_text(text: str, style: TextStyle, w_mm: float, h_mm: float, prep: PrepareContext) -> FittedText:
    """Fit text into a box, refusing characters that no font in the chain can draw."""
    chain = prep.fonts.chain(style.font)
    missing = chain.missing(text)
    if missing:
        cps = ", ".join(code_points(seq) for seq in missing)
        raise ContentError("glyph-coverage", f"no configured font has {cps}")
    try:
        return fit_text(text, chain, style, w_mm * MM, h_mm * MM)
    except DoesNotFit as exc:
        raise ContentError("fits-box", str(exc)) from None


def draw_lines(dc: DrawContext, chain: FontChain, fitted: FittedText, style: TextStyle,
               x_mm: float, y_mm: float, w_mm: float, h_mm: float) -> None:
    """Draw fitted lines inside the box with the style's alignment."""
    c = dc.canvas
    size, scale = fitted.size, fitted.scale
    n = len(fitted.lines)
    block = fitted.leading * (n - 1) + size
    top, h_pt, w_pt = dc.y_pt(y_mm), h_mm * MM, w_mm * MM
    if style.valign == "top":
        block_top = top
    elif style.valign == "bottom":
        block_top = top - h_pt + block
    else:
        block_top = top - (h_pt - block) / 2
    c.setFillColorCMYK(0, 0, 0, 1)
    for i, line in enumerate(fitted.lines):
        if not line:
            continue
        runs = chain.runs(line)
        width = chain.width(line, size) * scale
        x = x_mm * MM
        char_space = 0.0
        glyphs = sum(len(s) for _, s in runs)
        if style.align == "center":
            x += (w_pt - width) / 2
        elif style.align == "right":
            x += w_pt - width
        elif style.align == "distribute" and glyphs > 1:
            char_space = (w_pt - width) / (glyphs - 1) / scale
        t = c.beginText(x, block_top - chain.ascent * size - i * fitted.leading)
        # Tz and Tc belong to the graphics state and outlive BT/ET: scope them with q/Q
        scoped = scale != 1.0 or char_space != 0.0
        if scale != 1.0:
            t.setHorizScale(scale * 100)
        if char_space:
            t.setCharSpace(char_space)
        for font_name, s in runs:
            t.setFont(font_name, size)
            t.textOut(s)
        if scoped:
            c.saveState()
        c.drawText(t)
        if scoped:
            c.restoreState()


class _Boxed:
    @staticmethod
    def draw(dc: DrawContext, el: Any, fitted: FittedText) -> None:
        draw_lines(dc, dc.fonts.chain(el.font), fitted, el, el.x, el.y, el.w, el.h)


@element_kind(TextElement)
class Text(_Boxed):
    @staticmethod
    def prepare(el: TextElement, ctx: Mapping[str, Any], prep: PrepareContext) -> FittedText:
        return prepare_text(prep.fill(el.text, ctx), el, el.w, el.h, prep)


@element_kind(FieldElement)
class Field(_Boxed):
    @staticmethod
    def prepare(el: FieldElement, ctx: Mapping[str, Any], prep: PrepareContext) -> FittedText:
        return prepare_text(prep.fill(el.value, ctx), el, el.w, el.h, prep)
