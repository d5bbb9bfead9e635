"""Rasterising PDFs with pypdfium2: previews for people and pixels for the golden tests."""
from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image

GAP_PX = 24


def rasterise(pdf: Path | bytes, dpi: int = 300) -> list[Image.Image]:
    """Every page as an RGB image; no anti-aliasing settings beyond PDFium's defaults."""
    doc = pdfium.PdfDocument(pdf)
    try:
        return [page.render(scale=dpi / 72.0).to_pil().convert("RGB") for page in doc]
    finally:
        doc.close()


def side_by_side(images: list[Image.Image], gap: int = GAP_PX) -> Image.Image:
    """Pages next to each other on a grey ground, as a clerk compares front and back."""
    w = sum(i.width for i in images) + gap * (len(images) + 1)
    h = max(i.height for i in images) + 2 * gap
    sheet = Image.new("RGB", (w, h), (200, 200, 200))
    x = gap
    for img in images:
        sheet.paste(img, (x, gap))
        x += img.width + gap
    return sheet
