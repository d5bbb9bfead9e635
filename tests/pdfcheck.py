"""Checks of a rendered PDF that trust nothing but PDFium (extracted text, glyph boxes, overlaps) and
pypdf (the numbers in its content streams)."""
from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Iterator

import pypdf
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


def assert_glyphs_in_boxes(page: pdfium.PdfPage, elements: list, h_mm: float, where: str, tol: float = 0.15,
                           no_overlap: bool = True) -> None:
    """Every character inside some text box, and (`no_overlap`) no two characters' ink overlapping."""
    boxes = text_boxes(elements)
    chars = char_boxes(page, h_mm)
    for c, (x0, y0, x1, y1) in chars:
        assert any(b[0] - tol <= x0 and x1 <= b[2] + tol and b[1] - tol <= y0 and y1 <= b[3] + tol for b in boxes), \
            f"{where}: character {c} at ({x0:.1f},{y0:.1f})-({x1:.1f},{y1:.1f}) mm outside every box"
    if no_overlap:
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


def content_streams(reader: pypdf.PdfReader) -> Iterator[Any]:
    """Every page's content and every form XObject it draws (docgen draws a layout's static
    elements once per file as a form), each once."""
    seen: set[int] = set()
    for page in reader.pages:
        yield page.get_contents()
        todo = [page.get("/Resources")]
        while todo:
            resources = todo.pop()
            for xobject in (resources.get_object().get("/XObject") or {}).values() if resources else ():
                form = xobject.get_object()
                if id(form) not in seen and form.get("/Subtype") == "/Form":
                    seen.add(id(form))
                    yield form
                    todo.append(form.get("/Resources"))


def non_finite_numbers(path: Path) -> list[str]:
    """The operators drawn with NaN or an infinity (which no PDF number may be: a reader takes
    `-nan` for the number `-` and an operator `nan`), in page order."""
    reader = pypdf.PdfReader(path)
    bad = []
    for stream in content_streams(reader):
        for operands, op in pypdf.generic.ContentStream(stream, reader).operations:
            if op.lstrip(b"+-").lower() in (b"nan", b"inf", b"infinity") or any(
                    isinstance(o, (int, float)) and not math.isfinite(o) for o in operands):
                bad.append(op.decode("latin-1"))
    return bad
