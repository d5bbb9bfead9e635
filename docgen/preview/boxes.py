"""The box overlay: where every element sits, what it is called, and whether its content fitted.

A designer moving fields around needs to see the boxes the PDF does not show, and which of
them only fit by shrinking, condensing or wrapping (close to the limit) or did not fit at all.
Each element's box comes from its kind (`Element.bbox`), its fit from the binder's outcome.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Mapping, Sequence

from PIL import Image, ImageDraw, ImageFont

from docgen.bind.binder import ElementOutcome
from docgen.elements.base import BBox
from docgen.paths import FONTS

# mark colours by outcome: drawn as designed, fitted (shrunk, condensed, wrapped), does not fit
# (rejected, or off the page), hidden by `when:`
OK, FITTED, OVERFLOW, HIDDEN = "ok", "fitted", "overflow", "hidden"
COLOURS: dict[str, tuple[int, int, int]] = {
    OK: (0, 102, 204),
    FITTED: (235, 130, 0),
    OVERFLOW: (220, 0, 0),
    HIDDEN: (150, 150, 150),
}
LEGEND = {OK: "fits", FITTED: "shrunk / condensed / wrapped", OVERFLOW: "does not fit", HIDDEN: "not shown (when:)"}
_LABEL_FONT = FONTS / "BIZUDGothic-Regular.ttf"


@dataclass(frozen=True)
class Mark:
    """One element as the overlay shows it; `note` says how it fitted or why it did not."""

    name: str
    box: BBox | None
    status: str
    note: str = ""


def page_marks(outcomes: Sequence[ElementOutcome], off_page: Mapping[int, str]) -> tuple[Mark, ...]:
    """A mark per element of a page from the binder's outcomes (in layout order); `off_page`: the
    page's elements outside it, by index, with what sticks out (a layout error, red whatever the record)."""
    marks = []
    for i, outcome in enumerate(outcomes):
        box = outcome.element.bbox()
        if i in off_page:
            marks.append(Mark(outcome.name, box, OVERFLOW, off_page[i]))
        elif outcome.problem:
            marks.append(Mark(outcome.name, box, OVERFLOW, f"{outcome.problem.rule}: {outcome.problem.detail}"))
        elif outcome.hidden:
            marks.append(Mark(outcome.name, box, HIDDEN))
        else:
            fitting = outcome.fitting
            marks.append(Mark(outcome.name, box, FITTED if fitting else OK, str(fitting)))
    return tuple(marks)


@lru_cache(maxsize=8)
def label_font(px: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(_LABEL_FONT), px)


def draw_marks(page: Image.Image, marks: Sequence[Mark], dpi: int) -> Image.Image:
    """A copy of a page image with each mark's box outlined and named in its status colour.

    An element off the page is outlined where it is: the image grows (grey around the page) to show it.
    """
    scale = dpi / 25.4
    boxes = [[round(v * scale) for v in m.box] for m in marks if m.box]
    width = max(1, round(dpi / 150))
    margin = 4 * width + 2
    left = max([0] + [margin - b[0] for b in boxes if b[0] < 0])
    top = max([0] + [margin - b[1] for b in boxes if b[1] < 0])
    right = max([0] + [b[2] + margin - page.width for b in boxes if b[2] > page.width])
    bottom = max([0] + [b[3] + margin - page.height for b in boxes if b[3] > page.height])
    out = Image.new("RGBA", (page.width + left + right, page.height + top + bottom), (200, 200, 200, 255))
    out.paste(page.convert("RGBA"), (left, top))
    layer = Image.new("RGBA", out.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    font = label_font(max(9, round(1.5 * scale)))
    # hidden ones first, problems last, so the important outlines are on top
    order = (HIDDEN, OK, FITTED, OVERFLOW)
    for mark in sorted((m for m in marks if m.box), key=lambda m: order.index(m.status)):
        x0, y0, x1, y1 = (round(v * scale) + d for v, d in zip(mark.box, (left, top, left, top)))
        colour = COLOURS[mark.status]
        thick = width * (2 if mark.status in (FITTED, OVERFLOW) else 1)
        draw.rectangle((x0, y0, max(x1, x0 + 1), max(y1, y0 + 1)), outline=colour + (230,), width=thick)
        tx0, ty0, tx1, ty1 = draw.textbbox((x0 + thick, y0 + thick), mark.name, font=font)
        draw.rectangle((tx0 - 1, ty0 - 1, tx1 + 1, ty1 + 1), fill=(255, 255, 255, 150))
        draw.text((x0 + thick, y0 + thick), mark.name, font=font, fill=colour + (255,))
    return Image.alpha_composite(out, layer).convert("RGB")


def legend(width: int, dpi: int) -> Image.Image:
    """A strip naming the overlay colours, to put under a sheet of overlaid pages (wider if it must be)."""
    font = label_font(max(11, round(2.2 * dpi / 25.4)))
    step = font.size * 3.5
    needed = round(sum(font.getlength(text) + step for text in LEGEND.values()))
    h = round(font.size * 2.2)
    strip = Image.new("RGB", (max(width, needed), h), (255, 255, 255))
    draw = ImageDraw.Draw(strip)
    x = font.size
    for status, text in LEGEND.items():
        draw.rectangle((x, h // 4, x + font.size, h - h // 4), outline=COLOURS[status], width=3)
        x += round(font.size * 1.5)
        draw.text((x, h // 2), text, font=font, fill=(0, 0, 0), anchor="lm")
        x += round(font.getlength(text)) + 2 * font.size
    return strip


def stack(images: Sequence[Image.Image], background: tuple[int, int, int] = (200, 200, 200)) -> Image.Image:
    """Images one under the other, left-aligned (a sheet and its legend, rows of a diff)."""
    sheet = Image.new("RGB", (max(i.width for i in images), sum(i.height for i in images)), background)
    y = 0
    for img in images:
        sheet.paste(img, (0, y))
        y += img.height
    return sheet
