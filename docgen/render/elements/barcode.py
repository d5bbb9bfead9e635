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


def quiet_zone_mm(el: CustomerBarcodeElement) -> float:
    """Clear margin on every side: the manual's 2 mm, scaled up with a larger symbol, never down."""
    return postal.QUIET_ZONE_MM * max(el.scale, 1.0)


def barcode_box(el: CustomerBarcodeElement) -> tuple[float, float, float, float]:
    """(x, y, w, h) in mm of the symbol with its quiet zone: what must stay clear and in the window."""
    w, h = postal.symbol_size_mm(el.scale)
    q = quiet_zone_mm(el)
    return el.x, el.y, w + 2 * q, h + 2 * q


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
        q = quiet_zone_mm(el)
        c = dc.canvas
        c.saveState()
        # postal.draw measures from the top of the canvas page; keep it on the layout page, which
        # imposition may have placed elsewhere on the sheet
        c.translate(0, dc.y_pt(0) - c._pagesize[1])
        postal.draw(c, el.x + q, el.y + q, bar_seq, el.scale)
        c.restoreState()
