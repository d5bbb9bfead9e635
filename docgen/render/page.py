"""Drawing bound documents onto a ReportLab canvas, each element by its kind.

Each layout page's static part (labels, rules, the seal, the whole organ-donation block) is drawn
once per file as a PDF form XObject and placed on every page; per record only its fields are
drawn. That keeps bulk files small and fast to write and to RIP.
"""
from __future__ import annotations

from reportlab.pdfgen.canvas import Canvas

from docgen.bind.binder import Binder, BoundDocument, BoundPage
from docgen.elements.context import DrawContext
from docgen.elements.registry import kind_of


class PageDrawer:
    """Draws a binder's documents onto one canvas, defining the static forms on first use."""

    def __init__(self, canvas: Canvas, binder: Binder) -> None:
        self.canvas = canvas
        self.binder = binder
        self.dc = DrawContext(canvas, binder.layout.model.size_mm[1], binder.prep.fonts)
        self._forms: dict[int, str] = {}

    def _draw_items(self, page: BoundPage) -> None:
        for el, content in page.items:
            kind_of(el).draw(self.dc, el, content)

    def _form(self, index: int) -> str | None:
        static = self.binder.static[index]
        if not static.items:
            return None
        name = self._forms.get(index)
        if name is None:
            name = self._forms[index] = f"static-{index}-{static.name}"
            self.canvas.beginForm(name)
            self._draw_items(static)
            self.canvas.endForm()
        return name

    def draw_page(self, doc: BoundDocument, index: int) -> None:
        """Draw one page of a record without ending the PDF page (imposition and control marks
        add to it); the page's origin is the current origin of the canvas."""
        form = self._form(doc.pages[index].layout_page)
        if form:
            self.canvas.doForm(form)
        self._draw_items(doc.pages[index])

    def draw(self, doc: BoundDocument) -> int:
        """Draw every page of one record; returns the number of pages drawn."""
        for index in range(len(doc.pages)):
            self.draw_page(doc, index)
            self.canvas.showPage()
        return len(doc.pages)
