"""Finding what `preview --boxes` drew: the pixels in a mark colour (blue: fits, orange: fitted)."""
from __future__ import annotations

from PIL import Image, ImageChops


def _band(band: Image.Image, low: int, high: int) -> Image.Image:
    return band.point(lambda v: 255 if low < v < high else 0)


def mark_bbox(img: Image.Image, region: tuple[int, int, int, int] | None = None) -> tuple[int, int, int, int] | None:
    """The bounding box, in the image's pixels, of the blue and orange pixels inside `region`
    (left, top, right, bottom; default the whole image), or None when there are none."""
    left, top = region[:2] if region else (0, 0)
    r, g, b = img.convert("RGB").crop(region or (0, 0, img.width, img.height)).split()
    blue = ImageChops.multiply(ImageChops.multiply(_band(r, -1, 80), _band(g, 60, 150)), _band(b, 160, 256))
    orange = ImageChops.multiply(ImageChops.multiply(_band(r, 200, 256), _band(g, 90, 170)), _band(b, -1, 60))
    box = ImageChops.lighter(blue, orange).getbbox()
    return (box[0] + left, box[1] + top, box[2] + left, box[3] + top) if box else None
