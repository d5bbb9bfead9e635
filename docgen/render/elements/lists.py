"""`list` elements: numbered notes (注意事項) with hanging indents, shrunk together to fit."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from docgen.bind.conditions import lookup
from docgen.fonts import FontChain
from docgen.layout.model import ListElement
from docgen.render.elements.text import draw_lines
from docgen.render.registry import (
    MM,
    ContentError,
    DrawContext,
    PrepareContext,
    element_kind,
)
from docgen.render.textfit import FittedText, break_lines, fits_width

_STEP = 0.25


@dataclass(frozen=True)
class FittedList:
    items: tuple[tuple[str, tuple[str, ...]], ...]   # (marker, wrapped lines)
    size: float
    scale: float
    leading: float


def _layout(items: list[str], el: ListElement, prep: PrepareContext, size: float, scale: float) -> FittedList:
    chain = prep.fonts.chain(el.font)
    width = (el.w - el.indent) * MM / scale
    wrapped = tuple(
        (el.numbering.format(n=i + 1), tuple(break_lines(item, chain, size, width)))
        for i, item in enumerate(items)
    )
    return FittedList(wrapped, size, scale, size * el.fit.leading)


def _height(fl: FittedList, chain: FontChain, width: float) -> float:
    """Height of the list, or infinity when a line is wider than the column (one long word)."""
    if not all(fits_width(lines, chain, fl.size, width) for _, lines in fl.items):
        return float("inf")
    n = sum(len(lines) for _, lines in fl.items)
    return fl.leading * (n - 1) + fl.size if n else 0.0


@element_kind(ListElement)
class NumberedList:
    @staticmethod
    def prepare(el: ListElement, ctx: Mapping[str, Any], prep: PrepareContext) -> FittedList:
        items = list(lookup(ctx, el.items) or []) if isinstance(el.items, str) else [prep.fill(i, ctx) for i in el.items]
        chain = prep.fonts.chain(el.font)
        for item in items:
            if chain.missing(item):
                raise ContentError("glyph-coverage", "a list item has a character no configured font has")
        h = el.h * MM
        min_size = min(el.fit.min_size or el.size, el.size)
        size = el.size
        while size >= min_size - 1e-9:
            fl = _layout(items, el, prep, size, 1.0)
            if _height(fl, chain, (el.w - el.indent) * MM) <= h:
                return fl
            size -= _STEP
        scale = 1.0
        while scale >= el.fit.min_scale - 1e-9:
            fl = _layout(items, el, prep, min_size, scale)
            if _height(fl, chain, (el.w - el.indent) * MM / scale) <= h:
                return fl
            scale -= 0.025
        raise ContentError("fits-box", f"{len(items)} items do not fit at {min_size:g} pt")

    @staticmethod
    def draw(dc: DrawContext, el: ListElement, fl: FittedList) -> None:
        chain = dc.fonts.chain(el.font)
        y = el.y
        step_mm = fl.leading / MM
        for marker, lines in fl.items:
            block_h = step_mm * (len(lines) - 1) + fl.size / MM
            one = FittedText((marker,), fl.size, fl.scale, fl.leading)
            draw_lines(dc, chain, one, el.model_copy(update={"valign": "top", "align": "left"}),
                       el.x, y, el.indent, fl.size / MM)
            body = FittedText(lines, fl.size, fl.scale, fl.leading)
            draw_lines(dc, chain, body, el.model_copy(update={"valign": "top", "align": "left"}),
                       el.x + el.indent, y, el.w - el.indent, block_h)
            y += step_mm * len(lines)
