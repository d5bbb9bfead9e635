"""Every element on its page: one partly or wholly off the page is a load error naming it
(previews load it anyway, to draw it red)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Sequence

from docgen.elements.base import Element


@dataclass(frozen=True)
class OffPage:
    """An element outside its page: a layout error that only previews load past, to draw it red."""

    page: int          # index of the page
    index: int         # index of the element on the flattened page
    where: str         # "pages[0] (front) > name"
    problem: str       # "partly off the page: right edge at 90 beyond the page width 86 mm"

    def __str__(self) -> str:
        return f"{self.where}: {self.problem}"


def off_page_elements(elements: Sequence[Element], size: tuple[float, float]) -> Iterator[tuple[int, str]]:
    """Elements that reach outside the page, each with what sticks out, in mm."""
    w, h = size
    eps = 1e-6
    for i, el in enumerate(elements):
        box = el.bbox()
        if box is None:
            continue
        x0, y0, x1, y1 = box
        out = [f"left edge at x {x0:g}" if x0 < -eps else "", f"top edge at y {y0:g}" if y0 < -eps else "",
               f"right edge at {x1:g} beyond the page width {w:g}" if x1 > w + eps else "",
               f"bottom edge at {y1:g} beyond the page height {h:g}" if y1 > h + eps else ""]
        if any(out):
            wholly = x1 < -eps or y1 < -eps or x0 > w + eps or y0 > h + eps
            yield i, f"{'wholly' if wholly else 'partly'} off the page: {', '.join(o for o in out if o)} mm"
