"""`qr` elements: a QR code drawn as vectors (crisp at any print resolution), quiet zone included.

The payload is a template (default 保険者番号,記号,番号,枝番), encoded as UTF-8 bytes so a 記号
with kanji survives the round trip through a clinic's reader.
"""
from __future__ import annotations

from typing import Any, Mapping

import zxingcpp

from docgen.layout.model import QrElement
from docgen.render.registry import (
    MM,
    ContentError,
    DrawContext,
    PrepareContext,
    element_kind,
)
from docgen.render.symbols import Symbol, draw_symbol, encode

QUIET_ZONE = 4  # modules, as ISO/IEC 18004 requires


def payload_template(el: QrElement, profile: object) -> str:
    """The template in use: the insurer profile's `qr_payload` overrides the layout's."""
    return getattr(profile, "qr_payload", None) or el.payload


def qr_symbol(payload: str, level: str) -> Symbol:
    """payload's UTF-8 bytes at error-correction level M, Q or H.

    Byte mode without an ECI designator, as clinics' readers expect: with one, readers report
    the content as binary data instead of text.
    """
    return encode(payload.encode("utf-8"), zxingcpp.BarcodeFormat.QRCode, ec_level=level, eci=False)


@element_kind(QrElement)
class Qr:
    @staticmethod
    def prepare(el: QrElement, ctx: Mapping[str, Any], prep: PrepareContext) -> Symbol:
        payload = prep.fill(payload_template(el, ctx.get("insurer")), ctx)
        if not payload:
            raise ContentError("qr-payload", "the QR payload is empty")
        return qr_symbol(payload, el.error_correction)

    @staticmethod
    def draw(dc: DrawContext, el: QrElement, symbol: Symbol) -> None:
        size = el.size * MM
        draw_symbol(dc.canvas, symbol, el.x * MM, dc.y_pt(el.y) - size, size, QUIET_ZONE)
