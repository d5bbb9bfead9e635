"""`customer_barcode` elements: Japan Post's customer barcode above the addressee's postal code.

The bars come from `docgen.postal`; an address it cannot read reliably gives a sheet without
the barcode and a warning for that record (the mail then goes at the undiscounted rate), never a
barcode that would sort the letter to the wrong address.
"""
from __future__ import annotations

from typing import Any, Mapping

from docgen import postal
from docgen.layout.model import CustomerBarcodeElement
from docgen.render.registry import DrawContext, PrepareContext, element_kind


def barcode_box(el: CustomerBarcodeElement) -> tuple[float, float, float, float]:
    """(x, y, w, h) in mm of the symbol with its quiet zone: what must stay clear and in the window."""
    x0, y0, x1, y1 = el.bbox()
    return x0, y0, x1 - x0, y1 - y0


@element_kind(CustomerBarcodeElement)
class CustomerBarcode:
    @staticmethod
    def prepare(el: CustomerBarcodeElement, ctx: Mapping[str, Any], prep: PrepareContext) -> list[str] | None:
        try:
            return postal.bars(prep.fill(el.postal_code, ctx), prep.fill(el.address, ctx))
        except postal.AddressNotReadable as exc:
            # the exception names the rule only, never the address
            prep.warn("customer-barcode", f"printed without the customer barcode: {exc}")
            return None

    @staticmethod
    def draw(dc: DrawContext, el: CustomerBarcodeElement, bar_seq: list[str] | None) -> None:
        if bar_seq is None:
            return
        q = el.quiet_zone_mm
        c = dc.canvas
        c.saveState()
        # postal.draw measures from the top of the canvas page; keep it on the layout page, which
        # imposition may have placed elsewhere on the sheet
        c.translate(0, dc.y_pt(0) - c._pagesize[1])
        postal.draw(c, el.x + q, el.y + q, bar_seq, el.scale)
        c.restoreState()
