"""Text in a box, shared by the kinds that print text (text, field, list, cutline): the style keys
a layout writes, fitting a string into a box before anything is drawn, and drawing fitted lines
in pure black (K)."""
from __future__ import annotations

from abc import abstractmethod
from dataclasses import replace
from typing import Any, Literal, Mapping

from pydantic import Field, ValidationInfo, field_validator

from docgen.elements.base import ElementKind, Fitting
from docgen.elements.context import DrawContext, PrepareContext
from docgen.elements.textfit import DoesNotFit, FittedText, fit_text
from docgen.errors import ContentError
from docgen.fonts import FontChain
from docgen.fonts.sequences import code_points
from docgen.units import MM
from docgen.yamlfile import Strict, did_you_mean, load_context


class Fit(Strict):
    """How text that is too long for its box is made to fit, in this order.

    1. shrink the size down to `min_size`; 2. condense horizontally (長体) down to `min_scale`;
    3. wrap onto up to `max_lines` lines with Japanese line-breaking rules (禁則), at the largest
    size (down to `wrap_min_size`) at which the lines fit the box, then condensed at that size.
    Text that still does not fit is a validation error for the record: never clipped.
    """

    min_size: float | None = Field(default=None, gt=0, description="points; default: the element's size (no shrinking)")
    wrap_min_size: float | None = Field(default=None, ge=4.0, description=(
        "points, the smallest size of wrapped text; default: min_size. Lower, it lets a long value take "
        "a second line where one line would need a smaller size"))
    min_scale: float = Field(default=1.0, gt=0.3, le=1.0, description="narrowest horizontal scale, e.g. 0.6 for 長体60%")
    max_lines: int = Field(default=1, ge=1, le=12)
    leading: float = Field(default=1.15, ge=1.0, le=3.0, description="line height as a multiple of the size")


class TextStyle(Strict):
    font: str = Field(default="gothic", description="font family from fonts/fonts.yaml")
    size: float = Field(default=7.0, ge=4.0, le=72.0, description="points")
    align: Literal["left", "center", "right", "distribute"] = "left"
    valign: Literal["top", "middle", "bottom"] = "middle"
    fit: Fit = Fit.model_construct()     # its defaults, without building its validator on import

    @field_validator("font")
    @classmethod
    def _known_family(cls, family: str, info: ValidationInfo) -> str:
        return known_family(family, info)


def known_family(family: str, info: ValidationInfo) -> str:
    """family, if the fonts.yaml the layout is loaded with has it (checked when there is one)."""
    ctx = load_context(info)
    if ctx and ctx.families and family not in ctx.families:
        raise ValueError(f"unknown font family '{family}' ({ctx.fonts_file} has {', '.join(ctx.families)})"
                         + did_you_mean(family, ctx.families))
    return family


def prepare_text(text: str, style: TextStyle, w_mm: float, h_mm: float, ctx: PrepareContext,
                 whole: str | None = None) -> FittedText:
    """Fit text into a box, refusing characters that no font in the chain can draw.

    With `whole` (a family), a text of which some character would be drawn by one of that
    family's fonts is set wholly in that family, if its chain covers the text: a name printed
    all in 明朝 reads as intended where one 明朝 glyph among Gothic ones looks like a misprint.
    """
    chain = ctx.fonts.chain(style.font)
    missing = chain.missing(text)
    if missing:
        cps = ", ".join(code_points(seq) for seq in missing)
        raise ContentError("glyph-coverage", f"no configured font has {cps}")
    if whole and whole != style.font:
        other = ctx.fonts.chain(whole)
        if not set(chain.drawn_by(text).values()).isdisjoint(other.families) and not other.missing(text):
            chain = other
    try:
        fitted = fit_text(text, chain, style, w_mm * MM, h_mm * MM)
    except DoesNotFit as exc:
        raise ContentError("fits-box", str(exc)) from None
    return fitted if chain.family == style.font else replace(fitted, font=chain.family)


def text_fitting(style: TextStyle, fitted: FittedText, source: str) -> Fitting:
    """How fitted text differs from its style's setting: smaller, condensed, or on more lines than
    the template `source` itself has."""
    return Fitting(size=(style.size, fitted.size) if fitted.size < style.size else None,
                   scale=fitted.scale if fitted.scale < 1.0 else None,
                   lines=len(fitted.lines) if len(fitted.lines) > source.count("\n") + 1 else None)


def draw_lines(dc: DrawContext, chain: FontChain, fitted: FittedText, style: TextStyle,
               x_mm: float, y_mm: float, w_mm: float, h_mm: float) -> None:
    """Draw fitted lines inside the box with the style's alignment, in pure black (K)."""
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
    writer = dc.text
    align = style.align
    for i, line in enumerate(fitted.lines):
        if not line:
            continue
        runs = chain.runs(line)
        x = x_mm * MM
        char_space = 0.0
        if align != "left":
            width = chain.width(line, size) * scale
            if align == "center":
                x += (w_pt - width) / 2
            elif align == "right":
                x += w_pt - width
            else:
                glyphs = sum(len(s) for _, s in runs)
                if glyphs > 1:
                    char_space = (w_pt - width) / (glyphs - 1) / scale
        writer.line(x, block_top - chain.ascent * size - i * fitted.leading, size, runs, scale, char_space)


class TextBoxKind(ElementKind[Any, FittedText]):
    """A kind that prints one template fitted into its box (x, y, w, h) with its text style."""

    @abstractmethod
    def source(self, el: Any) -> str:
        """The element's template."""

    def whole_font(self, el: Any) -> str | None:
        """The family a value is set in wholly when it needs one of that family's fonts (see
        prepare_text); none unless the kind has the option."""
        return None

    def prepare(self, el: Any, values: Mapping[str, Any], ctx: PrepareContext) -> FittedText:
        text = ctx.fill(self.source(el), values)
        return ctx.memo(el, text, lambda: prepare_text(text, el, el.w, el.h, ctx, self.whole_font(el)))

    def draw(self, dc: DrawContext, el: Any, content: FittedText) -> None:
        draw_lines(dc, dc.fonts.chain(content.font or el.font), content, el, el.x, el.y, el.w, el.h)

    def fitting(self, el: Any, content: FittedText) -> Fitting:
        return text_fitting(el, content, self.source(el))
