"""`image` elements: the seal (公印) or a logo, fitted into its box keeping the aspect ratio."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

from reportlab.lib.utils import ImageReader

from docgen.layout.model import ImageElement
from docgen.render.registry import (
    MM,
    ContentError,
    DrawContext,
    PrepareContext,
    element_kind,
)


@element_kind(ImageElement)
class Image:
    @staticmethod
    def prepare(el: ImageElement, ctx: Mapping[str, Any], prep: PrepareContext) -> Path | None:
        src = prep.fill(el.src, ctx)
        if not src:
            return None
        path = el.path(src)
        if not path.is_file():
            raise ContentError("image", f"image file not found: {src}")
        return path

    @staticmethod
    def draw(dc: DrawContext, el: ImageElement, path: Path | None) -> None:
        if path is None:
            return
        anchor = {"left": "w", "center": "c", "right": "e"}[el.align]
        # an ImageReader is named in the PDF by its content, a file name by its path: the same
        # input must give the same bytes wherever docgen is installed
        dc.canvas.drawImage(ImageReader(str(path)), el.x * MM, dc.y_pt(el.y + el.h), el.w * MM, el.h * MM,
                            mask="auto", preserveAspectRatio=True, anchor=anchor)
