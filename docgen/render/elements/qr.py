"""`qr` elements: a QR code drawn as vectors (crisp at any print resolution), quiet zone included.

The payload is a template (default 保険者番号,記号,番号,枝番), encoded as UTF-8 bytes so a 記号
with kanji survives the round trip through a clinic's reader.
"""
from __future__ import annotations

from typing import Any, Mapping

import qrcode
from qrcode.constants import ERROR_CORRECT_H, ERROR_CORRECT_M, ERROR_CORRECT_Q

from docgen.layout.model import QrElement
from docgen.render.registry import MM, ContentError, DrawContext, PrepareContext, element_kind

QUIET_ZONE = 4  # modules, as ISO/IEC 18004 requires
_LEVELS = {"M": ERROR_CORRECT_M, "Q": ERROR_CORRECT_Q, "H": ERROR_CORRECT_H}


def qr_matrix(payload: str, level: str) -> list[list[bool]]:
    qr = qrcode.QRCode(error_correction=_LEVELS[level], border=0)
    qr.add_data(payload.encode("utf-8"))
    qr.make(fit=True)
    return qr.get_matrix()


@element_kind(QrElement)
class Qr:
    @staticmethod
    def prepare(el: QrElement, ctx: Mapping[str, Any], prep: PrepareContext) -> list[list[bool]]:
        profile = ctx.get("insurer")
        template = getattr(profile, "qr_payload", None) or el.payload
        payload = prep.fill(template, ctx)
        if not payload:
            raise ContentError("qr-payload", "the QR payload is empty")
        return qr_matrix(payload, el.error_correction)

    @staticmethod
    def draw(dc: DrawContext, el: QrElement, matrix: list[list[bool]]) -> None:
        c = dc.canvas
        n = len(matrix)
        module = el.size * MM / (n + 2 * QUIET_ZONE)
        x0 = el.x * MM + QUIET_ZONE * module
        top = dc.y_pt(el.y) - QUIET_ZONE * module
        path = c.beginPath()
        for r, row in enumerate(matrix):
            col = 0
            while col < n:
                if not row[col]:
                    col += 1
                    continue
                start = col
                while col < n and row[col]:
                    col += 1
                path.rect(x0 + start * module, top - (r + 1) * module, (col - start) * module, module)
        c.setFillColorCMYK(0, 0, 0, 1)
        c.drawPath(path, stroke=0, fill=1)
