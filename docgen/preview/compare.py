"""Comparing two renderings pixel by pixel: golden tests and, later, `docgen diff`."""
from __future__ import annotations

from dataclasses import dataclass

from PIL import Image, ImageChops

# Differences at or below this level (0–255) are PDFium anti-aliasing noise, not a change.
NOISE_LEVEL = 48


@dataclass(frozen=True)
class Comparison:
    changed_pixels: int
    bbox: tuple[int, int, int, int] | None     # area of the changes, in pixels
    size_matches: bool

    @property
    def same(self) -> bool:
        return self.size_matches and self.changed_pixels == 0


def compare(expected: Image.Image, actual: Image.Image) -> Comparison:
    if expected.size != actual.size:
        return Comparison(-1, None, False)
    diff = ImageChops.difference(expected.convert("RGB"), actual.convert("RGB")).convert("L")
    mask = diff.point(lambda v: 255 if v > NOISE_LEVEL else 0)
    changed = mask.histogram()[255]
    return Comparison(changed, mask.getbbox(), True)


def diff_image(expected: Image.Image, actual: Image.Image) -> Image.Image:
    """The expected page faded, with pixels that changed painted red."""
    if expected.size != actual.size:
        actual = actual.resize(expected.size)
    diff = ImageChops.difference(expected.convert("RGB"), actual.convert("RGB")).convert("L")
    mask = diff.point(lambda v: 255 if v > NOISE_LEVEL else 0)
    faded = Image.blend(expected.convert("RGB"), Image.new("RGB", expected.size, "white"), 0.7)
    faded.paste(Image.new("RGB", expected.size, (230, 0, 0)), mask=mask)
    return faded
