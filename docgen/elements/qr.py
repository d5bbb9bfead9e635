"""`qr` elements: a QR code drawn as vectors (crisp at any print resolution), quiet zone included.

The payload is a template (default 保険者番号,記号,番号,枝番), encoded as UTF-8 bytes so a 記号
with kanji survives the round trip through a clinic's reader. The insurer profile's
`qr_payload` overrides the layout's template.
"""
from __future__ import annotations

from typing import Any, ClassVar, Literal, Mapping

import zxingcpp
from pydantic import Field

from docgen.elements.base import BBox, Element, ElementKind
from docgen.elements.context import DrawContext, PrepareContext
from docgen.errors import ContentError
from docgen.symbols import Symbol, draw_symbol, encode
from docgen.units import MM

QUIET_ZONE = 4  # modules, as ISO/IEC 18004 requires


class QrElement(Element):
    """A QR code of a payload template (保険者番号, 記号, 番号, 枝番), as vectors with its quiet zone."""

    type: Literal["qr"]
    x: float
    y: float
    size: float = Field(gt=0, description="mm, the whole symbol including the quiet zone")
    payload: str = Field(description="template; the insurer profile's qr_payload overrides it")
    error_correction: Literal["M", "Q", "H"] = "M"

    anchor_keys: ClassVar[tuple[tuple[str, str], ...]] = (("x", "y"),)
    extent_keys: ClassVar[tuple[str, ...]] = ("size",)      # a square: its size is its extent
    content_keys: ClassVar[tuple[str, ...]] = ("payload",)

    @classmethod
    def starter(cls, x: float, y: float) -> dict[str, Any]:
        return {**super().starter(x, y), "size": 12.0, "payload": "{insurer.insurer_number}"}

    def bbox(self) -> BBox:
        return (self.x, self.y, self.x + self.size, self.y + self.size)

    def payloads(self, insurer: Any) -> list[str]:
        """The template in use: the insurer profile's `qr_payload` overrides the layout's."""
        return [getattr(insurer, "qr_payload", None) or self.payload]


def qr_symbol(payload: str, level: str) -> Symbol:
    """payload's UTF-8 bytes at error-correction level M, Q or H.

    Byte mode without an ECI designator, as clinics' readers expect: with one, readers report
    the content as binary data instead of text.
    """
    return encode(payload.encode("utf-8"), zxingcpp.BarcodeFormat.QRCode, ec_level=level, eci=False)


class QrKind(ElementKind[QrElement, Symbol]):
    model = QrElement

    def prepare(self, el: QrElement, values: Mapping[str, Any], ctx: PrepareContext) -> Symbol:
        [template] = el.payloads(values.get("insurer"))
        payload = ctx.fill(template, values)
        if not payload:
            raise ContentError("qr-payload", "the QR payload is empty")
        return qr_symbol(payload, el.error_correction)

    def draw(self, dc: DrawContext, el: QrElement, symbol: Symbol) -> None:
        size = el.size * MM
        draw_symbol(dc.canvas, symbol, el.x * MM, dc.y_pt(el.y) - size, size, QUIET_ZONE)


KIND = QrKind()
