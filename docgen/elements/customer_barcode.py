"""`customer_barcode` elements: Japan Post's customer barcode (カスタマバーコード) for the
addressee block of a mailing.

The bars come from `docgen.postal`; an address it cannot read reliably gives a sheet without
the barcode and a warning for that record (the mail then goes at the undiscounted rate), never a
barcode that would sort the letter to the wrong address.
"""
from __future__ import annotations

from typing import Any, ClassVar, Literal, Mapping

from pydantic import Field

from docgen import postal
from docgen.elements.base import BBox, Element, ElementKind
from docgen.elements.context import DrawContext, PrepareContext


class CustomerBarcodeElement(Element):
    """Japan Post's customer barcode (カスタマバーコード) for the addressee block of a mailing.

    (x, y) is the top-left corner of the symbol's quiet zone; its size follows from `scale`. An
    address whose 住所表示番号 cannot be read gives no barcode and a warning, never a wrong one.
    """

    type: Literal["customer_barcode"]
    x: float
    y: float
    scale: float = Field(default=1.0, ge=0.8, le=1.15, description="a/10 for an a-point symbol: 0.8 to 1.15 (8 to 11.5 pt)")
    postal_code: str = Field(default="{postal_code}", description="template giving the 7-digit postal code")
    address: str = Field(default="{address}", description="template giving the address the 住所表示番号 is read from")

    anchor_keys: ClassVar[tuple[tuple[str, str], ...]] = (("x", "y"),)
    extent_keys: ClassVar[tuple[str, ...]] = ("scale",)
    content_keys: ClassVar[tuple[str, ...]] = ("postal_code", "address")

    @property
    def quiet_zone_mm(self) -> float:
        """Clear margin on every side: the manual's 2 mm, scaled up with a larger symbol, never down."""
        return postal.QUIET_ZONE_MM * max(self.scale, 1.0)

    def bbox(self) -> BBox:
        """The symbol with its quiet zone: what must stay clear (and inside an envelope window)."""
        w, h = postal.symbol_size_mm(self.scale)
        q = self.quiet_zone_mm
        return (self.x, self.y, self.x + w + 2 * q, self.y + h + 2 * q)


class CustomerBarcodeKind(ElementKind[CustomerBarcodeElement, list[str] | None]):
    model = CustomerBarcodeElement

    def prepare(self, el: CustomerBarcodeElement, values: Mapping[str, Any], ctx: PrepareContext) -> list[str] | None:
        postal_code, address = ctx.fill(el.postal_code, values), ctx.fill(el.address, values)
        # a household's members share an address: its bars are read out of it once
        bars = ctx.memo(el, (postal_code, address), lambda: _bars(postal_code, address))
        if isinstance(bars, str):
            ctx.warn("customer-barcode", f"printed without the customer barcode: {bars}")
            return None
        return bars

    def draw(self, dc: DrawContext, el: CustomerBarcodeElement, bar_seq: list[str] | None) -> None:
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


def _bars(postal_code: str, address: str) -> list[str] | str:
    """The bars, or why the address cannot be read (the reason names the rule, never the address)."""
    try:
        return postal.bars(postal_code, address)
    except postal.AddressNotReadable as exc:
        return str(exc)


KIND = CustomerBarcodeKind()
