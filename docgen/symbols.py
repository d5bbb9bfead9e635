"""2-D symbols (QR, DataMatrix) encoded by zxing-cpp and drawn as vector paths.

zxing-cpp encodes in C++ (≈0.1 ms a symbol, some twenty times faster than the pure-Python
qrcode package, which dominated bulk runs). The dark modules become one path in module units,
written as a single PDF literal under a scaling `cm`: a few short integers per run instead of
ReportLab's float formatting for every rectangle.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import zxingcpp
from reportlab.lib.rl_accel import fp_str
from reportlab.pdfgen.canvas import Canvas

_DARK_RUN = re.compile(b"\x00+")
_span = re.Match.span


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
    # a light byte before every row, so a single scan finds every run and none spans two rows
    scan = b"\xff" + b"\xff".join([raw[i:i + cols] for i in range(0, len(raw), cols)])
    at, wide = _run_text(rows, cols)
    path = "".join([at[start] + wide[end - start] for start, end in map(_span, _DARK_RUN.finditer(scan))])
    return Symbol(cols, rows, path.rstrip())


@cache
def _run_text(rows: int, cols: int) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The text of a run by where it starts in the scan ("x y ", PDF y grows upwards and row 0 is
    the top) and by its width ("w 1 re\n"): the path is these joined, nothing formatted per run."""
    stride = cols + 1
    at = tuple(f"{p % stride - 1} {rows - 1 - p // stride} " for p in range(rows * stride))
    return at, tuple(f"{w} 1 re\n" for w in range(cols + 1))


def draw_symbol(c: Canvas, symbol: Symbol, x_pt: float, bottom_pt: float, width_pt: float, quiet: int) -> None:
    """Fill the symbol in pure black (K) into a box `width_pt` wide whose lower-left corner is
    (x, bottom); `quiet` modules of the width are left blank on every side."""
    module = width_pt / (symbol.cols + 2 * quiet)
    x0 = x_pt + quiet * module
    y0 = bottom_pt + quiet * module
    c.addLiteral(f"q {fp_str(module, 0, 0, module, x0, y0)} cm 0 0 0 1 k\n{symbol.path}\nf Q")
