"""Checks of a rendered PDF that trust nothing but PDFium: extracted text, glyph boxes, overlaps."""
from __future__ import annotations

import pypdfium2 as pdfium

from docgen.elements.cutline import CutLineElement, label_box
from docgen.elements.field import FieldElement
from docgen.elements.numbered_list import ListElement
from docgen.elements.text import TextElement

MM = 72 / 25.4
Box = tuple[float, float, float, float]


def squash(text: str) -> str:
    """Drop layout whitespace only (line breaks, spaces); every other code point must survive."""
    return "".join(ch for ch in text if ch not in " \u3000\r\n\t")


def page_text(page: pdfium.PdfPage) -> str:
    return page.get_textpage().get_text_range()


def text_boxes(elements: list) -> list[Box]:
    """(x0, y0, x1, y1) in mm of every box text may be drawn in: text elements and cut-line labels."""
    boxes = [(e.x, e.y, e.x + e.w, e.y + e.h) for e in elements if isinstance(e, (TextElement, FieldElement, ListElement))]
    for e in elements:
        if isinstance(e, CutLineElement):
            x, y, w, h = label_box(e)
            boxes.append((x, y, x + w, y + h))
    return boxes


def char_boxes(page: pdfium.PdfPage, h_mm: float) -> list[tuple[int, Box]]:
    """Each drawn character's ink box in mm from the top-left; PDFium reports a character outside
    the BMP as two UTF-16 units with one box, kept once."""
    tp = page.get_textpage()
    out: list[tuple[int, Box]] = []
    for c in range(tp.count_chars()):
        if tp.get_text_range(c, 1).isspace():
            continue
        left, bottom, right, top = tp.get_charbox(c)
        box = (left / MM, h_mm - top / MM, right / MM, h_mm - bottom / MM)
        if not out or out[-1][1] != box:
            out.append((c, box))
    return out


def assert_glyphs_in_boxes(page: pdfium.PdfPage, elements: list, h_mm: float, where: str, tol: float = 0.15) -> None:
    """Every character inside some text box, and no two characters' ink overlapping."""
    boxes = text_boxes(elements)
    chars = char_boxes(page, h_mm)
    for c, (x0, y0, x1, y1) in chars:
        assert any(b[0] - tol <= x0 and x1 <= b[2] + tol and b[1] - tol <= y0 and y1 <= b[3] + tol for b in boxes), \
            f"{where}: character {c} at ({x0:.1f},{y0:.1f})-({x1:.1f},{y1:.1f}) mm outside every box"
    assert_no_overlap(chars, where)


def assert_no_overlap(chars: list[tuple[int, Box]], where: str, tol: float = 0.05) -> None:
    """No two glyphs' ink boxes intersect by more than `tol` mm both ways (sweep over x)."""
    ordered = sorted(chars, key=lambda cb: cb[1][0])
    for i, (c, (x0, y0, x1, y1)) in enumerate(ordered):
        for d, (u0, v0, u1, v1) in ordered[i + 1:]:
            if u0 >= x1 - tol:
                break
            if min(x1, u1) - max(x0, u0) > tol and min(y1, v1) - max(y0, v0) > tol:
                raise AssertionError(f"{where}: characters {c} and {d} overlap")
