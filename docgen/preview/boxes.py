"""The box overlay: where every element sits, what it is called, and whether its content fitted.

A designer moving fields around needs to see the boxes the PDF does not show, and which of
them only fit by shrinking, condensing or wrapping (close to the limit) or did not fit at all.
Each element's box comes from its kind (`Element.bbox`), its fit from the binder's outcome.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Iterator, Mapping, Sequence

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


Rect = tuple[int, int, int, int]


def _free(rect: Rect, taken: Iterable[Rect], size: tuple[int, int]) -> bool:
    x0, y0, x1, y1 = rect
    return (x0 >= 0 and y0 >= 0 and x1 <= size[0] and y1 <= size[1]
            and not any(x0 < t[2] and t[0] < x1 and y0 < t[3] and t[1] < y1 for t in taken))


def _places(box: Rect, label: tuple[int, int], inset: int, size: tuple[int, int], stage: int) -> Iterator[Rect]:
    """Places for a name: at stage 0 inside its box (along the top, then along the bottom), at 1
    just outside it (above, then below), at 2 further and further straight below or above."""
    x0, y0, x1, y1 = box
    w, h = label
    if stage == 2:
        xs: Sequence[int] = (x0 + inset,)
        ys: Sequence[int] = [y for step in range(1, size[1] // (h + 1) + 1)
                             for y in (y1 + step * (h + 1), y0 - h - step * (h + 1))]
    else:
        xs = (*range(x0 + inset, x1 - inset - w, max(1, w // 2)), x1 - inset - w)
        ys = (y0 - h - 1, y1 + 1) if stage else (y0 + inset, y1 - inset - h)
    for y in ys:
        for x in xs:
            yield x, y, x + w, y + h


def place_labels(boxes: Sequence[Rect], labels: Sequence[tuple[int, int]], insets: Sequence[int],
                 size: tuple[int, int]) -> list[Rect]:
    """Where each element's name goes, first come first served, where no name is yet: inside its
    box, else just outside it, else straight below or above. Names are long and elements abut or
    overlap, and one name over another can be read as neither. Every box gets a place inside it
    before any name goes outside its own; with no room anywhere, a name goes inside at the top."""
    places: dict[int, Rect] = {}
    for stage in range(3):
        for i, box in enumerate(boxes):
            if i not in places:
                free = (r for r in _places(box, labels[i], insets[i], size, stage) if _free(r, places.values(), size))
                place = next(free, None)
                if place:
                    places[i] = place
    return [places.get(i) or next(_places(box, labels[i], insets[i], size, 0)) for i, box in enumerate(boxes)]


def draw_marks(page: Image.Image, marks: Sequence[Mark], dpi: int) -> Image.Image:
    """A copy of a page image with each mark's box outlined and named in its status colour, no
    name over another (`place_labels`).

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
    # problems first, hidden ones last: the important names get the places nearest their boxes,
    # and their outlines are drawn on top
    order = (OVERFLOW, FITTED, OK, HIDDEN)
    shown = sorted((m for m in marks if m.box), key=lambda m: order.index(m.status))
    rects = [tuple(round(v * scale) + d for v, d in zip(m.box, (left, top, left, top))) for m in shown]
    thick = [width * (2 if m.status in (FITTED, OVERFLOW) else 1) for m in shown]
    ink = [font.getbbox(m.name) for m in shown]
    names = place_labels(rects, [(r - l + 2, b - t + 2) for l, t, r, b in ink], thick, out.size)
    for i in reversed(range(len(shown))):
        x0, y0, x1, y1 = rects[i]
        colour = COLOURS[shown[i].status]
        draw.rectangle((x0, y0, max(x1, x0 + 1), max(y1, y0 + 1)), outline=colour + (230,), width=thick[i])
        draw.rectangle(names[i], fill=(255, 255, 255, 150))
        draw.text((names[i][0] + 1 - ink[i][0], names[i][1] + 1 - ink[i][1]), shown[i].name, font=font,
                  fill=colour + (255,))
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
