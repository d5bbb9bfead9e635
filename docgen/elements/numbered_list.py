"""`list` elements: numbered notes (注意事項) with hanging indents, shrunk together to fit."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Literal, Mapping

from pydantic import Field

from docgen.elements.base import Boxed, ElementKind, Fitting
from docgen.elements.context import DrawContext, PrepareContext
from docgen.elements.text_style import TextStyle, draw_lines
from docgen.elements.textfit import FittedText, break_lines, fits_width
from docgen.errors import ContentError
from docgen.fonts import FontChain
from docgen.template import getter
from docgen.units import MM

_STEP = 0.25


class ListElement(Boxed, TextStyle):
    """A numbered list (注意事項) taken from the insurer profile or written in the layout."""

    type: Literal["list"]
    items: str | list[str] = Field(description='a profile key such as "insurer.notes", or the items themselves')
    numbering: str = Field(default="{n}.", description='marker template, e.g. "{n}." or "（{n}）"')
    indent: float = Field(default=3.0, ge=0, description="mm from the marker to the item text")

    content_keys: ClassVar[tuple[str, ...]] = ("items",)

    @classmethod
    def starter(cls, x: float, y: float) -> dict[str, Any]:
        return {**super().starter(x, y), "h": 15.0, "items": "insurer.notes"}

    def templates(self) -> list[str]:
        """The items written in the layout; items named by a profile key are printed as they are."""
        return list(self.items) if isinstance(self.items, list) else []

    def names(self) -> list[str]:
        """Those of every element, and the profile key its items are named by."""
        return super().names() + ([self.items] if isinstance(self.items, str) else [])


@dataclass(frozen=True)
class FittedList:
    items: tuple[tuple[str, tuple[str, ...]], ...]   # (marker, wrapped lines)
    size: float
    scale: float
    leading: float


def _layout(items: list[str], el: ListElement, ctx: PrepareContext, size: float, scale: float) -> FittedList:
    chain = ctx.fonts.chain(el.font)
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


class NumberedListKind(ElementKind[ListElement, FittedList]):
    model = ListElement

    def prepare(self, el: ListElement, values: Mapping[str, Any], ctx: PrepareContext) -> FittedList:
        items = list(getter(el.items)(values) or []) if isinstance(el.items, str) \
            else [ctx.fill(i, values) for i in el.items]
        chain = ctx.fonts.chain(el.font)
        for item in items:
            if chain.missing(item):
                raise ContentError("glyph-coverage", "a list item has a character no configured font has")
        h = el.h * MM
        min_size = min(el.fit.min_size or el.size, el.size)
        size = el.size
        while size >= min_size - 1e-9:
            fl = _layout(items, el, ctx, size, 1.0)
            if _height(fl, chain, (el.w - el.indent) * MM) <= h:
                return fl
            size -= _STEP
        scale = 1.0
        while scale >= el.fit.min_scale - 1e-9:
            fl = _layout(items, el, ctx, min_size, scale)
            if _height(fl, chain, (el.w - el.indent) * MM / scale) <= h:
                return fl
            scale -= 0.025
        raise ContentError("fits-box", f"{len(items)} items do not fit at {min_size:g} pt")

    def draw(self, dc: DrawContext, el: ListElement, fl: FittedList) -> None:
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

    def fitting(self, el: ListElement, fl: FittedList) -> Fitting:
        return Fitting(size=(el.size, fl.size) if fl.size < el.size else None,
                       scale=fl.scale if fl.scale < 1.0 else None)


KIND = NumberedListKind()
