"""2-D symbols (QR, DataMatrix) encoded by zxing-cpp and drawn as vector paths.

zxing-cpp encodes in C++ (≈0.1 ms a symbol, some twenty times faster than the pure-Python
qrcode package, which dominated bulk runs). The dark modules become one path in module units,
written as a single PDF literal under a scaling `cm`: a few short integers per run instead of
ReportLab's float formatting for every rectangle.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import zxingcpp
from reportlab.lib.rl_accel import fp_str
from reportlab.pdfgen.canvas import Canvas

_DARK_RUN = re.compile(b"\x00+")


@dataclass(frozen=True)
class Symbol:
    """A symbol's size in modules and its dark modules as PDF `re` operators in module units."""

    cols: int
    rows: int
    path: str


def encode(content: bytes | str, fmt: zxingcpp.BarcodeFormat, **options: object) -> Symbol:
    """Encode content (bytes: byte mode; str: the encoder picks) without a quiet zone."""
    image = zxingcpp.create_barcode(content, fmt, **options).to_image(scale=1, add_quiet_zones=False)
    rows, cols = image.shape[0], image.shape[1]
    raw = bytes(memoryview(image))
    # one light byte between rows, so a single scan finds every run and none spans two rows
    stride = cols + 1
    scan = b"\xff".join([raw[i:i + cols] for i in range(0, len(raw), cols)])
    numbers: list[int] = []
    for run in _DARK_RUN.finditer(scan):
        start, end = run.span()
        row, x = divmod(start, stride)
        numbers += (x, rows - 1 - row, end - start)   # PDF y grows upwards; row 0 is the top
    return Symbol(cols, rows, ("%d %d %d 1 re\n" * (len(numbers) // 3) % tuple(numbers)).rstrip())


def draw_symbol(c: Canvas, symbol: Symbol, x_pt: float, bottom_pt: float, width_pt: float, quiet: int) -> None:
    """Fill the symbol in pure black (K) into a box `width_pt` wide whose lower-left corner is
    (x, bottom); `quiet` modules of the width are left blank on every side."""
    module = width_pt / (symbol.cols + 2 * quiet)
    x0 = x_pt + quiet * module
    y0 = bottom_pt + quiet * module
    c.addLiteral(f"q {fp_str(module, 0, 0, module, x0, y0)} cm 0 0 0 1 k\n{symbol.path}\nf Q")
