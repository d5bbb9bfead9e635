"""Cards imposed on sheets: A4 with 2 × 5 slots, crop marks, backs mirrored for duplex.

Fronts go on one sheet and backs on the next. Printed long-edge duplex, the sheet turns over
its vertical axis, so the back of the card in column c must sit in column (cols - 1 - c) of the
same row; each back itself is drawn upright, not mirrored. The grid is centred, so a slot and
its mirror are symmetric about the sheet's centre line.

Each card page is drawn straight into its slot under a translation (no intermediate PDF): the
card's static part is still one form per file, placed in every slot.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from reportlab.pdfgen.canvas import Canvas

from docgen.bind.binder import BoundDocument
from docgen.layout.model import ControlMark
from docgen.render.page import PageDrawer
from docgen.units import MM

CROP_OFFSET_MM = 2.0    # gap between the card grid and a crop mark
CROP_LENGTH_MM = 5.0
CROP_STROKE_PT = 0.25


@dataclass(frozen=True)
class SheetSpec:
    """Card slots on a sheet, cards abutting (one cut between neighbours), the grid centred:
    fits pre-cut 10-up card stock and guillotine cutting alike."""

    card: tuple[float, float]
    size: tuple[float, float] = (210.0, 297.0)
    cols: int = 2
    rows: int = 5

    def __post_init__(self) -> None:
        if self.left < CROP_OFFSET_MM + CROP_LENGTH_MM or self.top < CROP_OFFSET_MM + CROP_LENGTH_MM:
            raise ValueError(f"{self.cols} × {self.rows} cards of {self.card[0]:g} × {self.card[1]:g} mm "
                             f"leave no margin for crop marks on a {self.size[0]:g} × {self.size[1]:g} mm sheet")

    @property
    def slots(self) -> int:
        return self.cols * self.rows

    @property
    def left(self) -> float:
        return (self.size[0] - self.cols * self.card[0]) / 2

    @property
    def top(self) -> float:
        return (self.size[1] - self.rows * self.card[1]) / 2

    @property
    def mark(self) -> ControlMark:
        """The control mark in the bottom margin, clear of the crop marks."""
        size = min(7.0, self.top - 2.0)
        return ControlMark(x=self.left + 9, y=self.size[1] - self.top + 1.0, size=size)

    def mirror(self, slot: int) -> int:
        """The slot behind `slot` once the sheet is turned over its long edge: same row, the
        column counted from the other side."""
        row, col = divmod(slot - 1, self.cols)
        return row * self.cols + (self.cols - 1 - col) + 1

    def slot_box(self, slot: int) -> tuple[float, float, float, float]:
        """(x, y, w, h) in mm from the sheet's top-left corner of slot 1..slots, row-major."""
        row, col = divmod(slot - 1, self.cols)
        w, h = self.card
        return self.left + col * w, self.top + row * h, w, h


def draw_crop_marks(c: Canvas, spec: SheetSpec) -> None:
    """Marks in the margins in line with every cut, so they survive the cutting."""
    w, h = spec.size
    xs = [spec.left + i * spec.card[0] for i in range(spec.cols + 1)]
    ys = [spec.top + i * spec.card[1] for i in range(spec.rows + 1)]
    near, far = CROP_OFFSET_MM, CROP_OFFSET_MM + CROP_LENGTH_MM
    c.setStrokeColorCMYK(0, 0, 0, 1)
    c.setLineWidth(CROP_STROKE_PT)
    lines = []
    for x in xs:
        lines += [(x, spec.top - near, x, spec.top - far), (x, h - spec.top + near, x, h - spec.top + far)]
    for y in ys:
        lines += [(spec.left - near, y, spec.left - far, y), (w - spec.left + near, y, w - spec.left + far, y)]
    c.lines([(x1 * MM, (h - y1) * MM, x2 * MM, (h - y2) * MM) for x1, y1, x2, y2 in lines])


@dataclass(frozen=True)
class Placement:
    sheet: int      # sheet number in the file (a sheet = one page per layout page)
    slot: int


class SheetWriter:
    """Collects cards into slots and draws a sheet per layout page when the slots are full.

    `mark(sheet, page_index)` is called on every sheet page before it ends (the control mark).
    """

    def __init__(self, drawer: PageDrawer, spec: SheetSpec, pages: int, start_slot: int = 1,
                 mark: Callable[[int, int], None] | None = None) -> None:
        if not 1 <= start_slot <= spec.slots:
            raise ValueError(f"start slot must be 1 to {spec.slots}")
        self.drawer = drawer
        self.spec = spec
        self.pages = pages
        self.sheets = 0
        self._mark = mark
        self._slot = start_slot
        self._pending: list[tuple[int, BoundDocument]] = []

    def add(self, doc: BoundDocument) -> Placement:
        placement = Placement(self.sheets + 1, self._slot)
        self._pending.append((self._slot, doc))
        self._slot += 1
        if self._slot > self.spec.slots:
            self.flush()
        return placement

    def flush(self) -> None:
        """Draw the pending cards (front sheet, back sheet, …) and start a new sheet."""
        if not self._pending:
            return
        self.sheets += 1
        c = self.drawer.canvas
        sheet_h = self.spec.size[1]
        for index in range(self.pages):
            draw_crop_marks(c, self.spec)
            for slot, doc in self._pending:
                x, y, _, h = self.spec.slot_box(self.spec.mirror(slot) if index % 2 else slot)
                c.saveState()
                c.translate(x * MM, (sheet_h - y - h) * MM)
                self.drawer.draw_page(doc, index)
                c.restoreState()
            if self._mark:
                self._mark(self.sheets, index)
            c.showPage()
        self._pending.clear()
        self._slot = 1
