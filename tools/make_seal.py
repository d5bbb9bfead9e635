"""Generate the fictional insurers' official seals (公印) used by the sample profiles.

Each seal is a 600×600 px PNG with a transparent background: a vermilion double square border
and the seal text in columns read top to bottom, right to left, each character stretched to
fill its cell and thickened a little, as engraved seals are. All insurers are fictional.

    .venv/bin/python tools/make_seal.py            # writes profiles/seals/*.png
    .venv/bin/python tools/make_seal.py --out DIR  # elsewhere
"""
from __future__ import annotations

import argparse
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont

ROOT = Path(__file__).resolve().parent.parent
FONT = ROOT / "fonts" / "BIZUDMincho-Regular.ttf"
OUT = ROOT / "profiles" / "seals"

SIZE = 600
COLOR = (230, 60, 40)

# file stem -> (seal text, columns); characters fill each column top to bottom, the
# columns run right to left.
SEALS: dict[str, tuple[str, int]] = {
    "kasou-city": ("架空市長之印", 3),                    # 3 columns × 2
    "reidai-kouki": ("例題県後期高齢者医療広域連合長印", 4),  # 4 columns × 4
    "mihon-kenpo": ("見本健康保険協会印", 3),              # 3 columns × 3
    "reidai-kyosai": ("例題県市町村職員共済組合理事長印", 4),  # 4 columns × 4
}


def _glyph(ch: str, font: ImageFont.FreeTypeFont, w: int, h: int, bold: int) -> Image.Image:
    """One character as an 'L' mask, cropped to its ink and stretched to w×h."""
    big = font.size * 2
    im = Image.new("L", (big, big), 0)
    ImageDraw.Draw(im).text((big // 4, big // 4), ch, font=font, fill=255)
    box = im.getbbox()
    if box is None:
        raise ValueError(f"font has no glyph for {ch!r}")
    im = im.crop(box)
    if bold:
        im = im.filter(ImageFilter.MaxFilter(bold))
    return im.resize((w, h), Image.LANCZOS)


def make_seal(text: str, cols: int, size: int = SIZE) -> Image.Image:
    rows = -(-len(text) // cols)
    scale = 4                                   # draw large, shrink once: smooth edges
    S = size * scale
    mask = Image.new("L", (S, S), 0)
    d = ImageDraw.Draw(mask)

    outer_w = round(S * 0.045)                  # thick outer frame
    gap = round(S * 0.018)
    inner_w = round(S * 0.012)                  # thin inner frame
    margin = round(S * 0.01)
    d.rectangle([margin, margin, S - 1 - margin, S - 1 - margin], outline=255, width=outer_w)
    i0 = margin + outer_w + gap
    d.rectangle([i0, i0, S - 1 - i0, S - 1 - i0], outline=255, width=inner_w)

    pad = round(S * 0.03)                       # between inner frame and text
    x0 = i0 + inner_w + pad
    area = S - 2 * x0
    cell_w, cell_h = area / cols, area / rows
    gutter = round(min(cell_w, cell_h) * 0.06)  # keep neighbouring characters apart
    font = ImageFont.truetype(str(FONT), round(min(cell_w, cell_h) * 1.3))
    bold = max(3, round(S * 0.008)) | 1         # odd MaxFilter size

    for i, ch in enumerate(text):
        col, row = divmod(i, rows)
        left = x0 + (cols - 1 - col) * cell_w   # first column on the right
        top = x0 + row * cell_h
        w, h = round(cell_w - 2 * gutter), round(cell_h - 2 * gutter)
        g = _glyph(ch, font, w, h, bold)
        mask.paste(255, (round(left + gutter), round(top + gutter)), g)

    mask = mask.resize((size, size), Image.LANCZOS)
    img = Image.new("RGBA", (size, size), COLOR + (0,))
    img.putalpha(ImageChops.multiply(mask, Image.new("L", mask.size, 255)))
    return img


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for stem, (text, cols) in SEALS.items():
        path = args.out / f"{stem}.png"
        make_seal(text, cols).save(path, optimize=True)
        print(path)


if __name__ == "__main__":
    main()
