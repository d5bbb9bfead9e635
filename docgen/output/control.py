"""Control marks: a small DataMatrix plus its code in print, on every page a bulk run makes.

An inserting machine or a clerk reads the mark to check that sheets arrive in sequence and
complete (batch, bundle, sequence, page of pages), and the manifest maps each code to its
record. The code holds no personal data.
"""
from __future__ import annotations

from dataclasses import dataclass

import zxingcpp
from reportlab.pdfgen.canvas import Canvas

from docgen.elements.textwriter import text_writer
from docgen.fonts import FontSet
from docgen.layout.model import ControlMark, Layout
from docgen.symbols import draw_symbol, encode
from docgen.units import MM

TEXT_PT = 5.5      # the printed code: at least 5 pt, readable by a clerk
QUIET = 1          # modules; ISO/IEC 16022 asks for one
GAP_MM = 1.5       # between the symbol and its printed code

# A4: the bottom-left margin, below the notice's content and far from the envelope window.
A4_MARK = ControlMark(x=12, y=278, size=7)


@dataclass(frozen=True)
class ControlCode:
    batch: str
    bundle: int
    sequence: int   # document (or sheet) number within the bundle; 0 for the separator
    page: int
    pages: int

    def __str__(self) -> str:
        return f"{self.batch}-{self.bundle:05d}-{self.sequence:05d}-{self.page}/{self.pages}"


def layout_mark(layout: Layout) -> ControlMark | None:
    """The layout's own position, else the A4 default; card-size pages have no room for one."""
    if layout.control_mark is not None:
        return layout.control_mark
    return A4_MARK if layout.size_mm == (210.0, 297.0) else None


def draw_control_mark(c: Canvas, fonts: FontSet, mark: ControlMark, page_h_mm: float, code: ControlCode) -> None:
    """Draw the symbol with its top-left corner at the mark's (x, y) and the code beside it."""
    text = str(code)
    size = mark.size * MM
    bottom = (page_h_mm - mark.y) * MM - size
    draw_symbol(c, encode(text, zxingcpp.BarcodeFormat.DataMatrix), mark.x * MM, bottom, size, QUIET)
    text_writer(c).line((mark.x + mark.size + GAP_MM) * MM, bottom + size / 2 - TEXT_PT * 0.35, TEXT_PT,
                        fonts.chain("gothic").runs(text))
