"""Lines of text written straight into a canvas's content stream, in ReportLab's own encoding.

ReportLab's text objects re-derive everything for every string: the font by name, the width
(to move a cursor nobody reads), each character's subset and code through `splitString`, the
escaping of the code bytes, the operators one small string at a time. A card is some twenty
short lines, so that bookkeeping was a third of a card's time. Here each character is put through
ReportLab's own `splitString` once per document (the first time it is drawn, so subsets, their
order, ToUnicode and widths are ReportLab's as before) and its escaped code is kept in a
`str.translate` table; a line is then a translate or two per run and one string appended to the
page.

The operators are fewer than a text object's: `x y Td` for its `1 0 0 1 x y Tm` (the same at the
start of BT), no TL (nothing moves to a next line), and the fill colour and the font set again
only when something else was drawn since this writer last set them: both belong to the graphics
state and outlive ET. Tz and Tc are scoped with q/Q, which also restores the font set inside.
"""
from __future__ import annotations

import re
from typing import Callable, Sequence

from reportlab.lib.rl_accel import fp_str
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

BLACK = (0, 0, 0, 1)           # pure black (K), the only colour text is printed in
_BLACK_FILL = "%s k" % fp_str(BLACK)
_STRETCH = re.compile(r"(.)\1*", re.S)      # a run of one character: of one subset
_span = re.Match.span
_MAX_STARTS = 4096


class _Subsets(dict[int, str]):
    """Code point -> chr(its subset), learning a code point the first time `str.translate` asks."""

    def __init__(self, learn: Callable[[int], str]) -> None:
        super().__init__()
        self._learn = learn

    def __missing__(self, cp: int) -> str:
        return self._learn(cp)


class _Encoding:
    """One TrueType font's code bytes in one document, learnt from ReportLab a character at a time."""

    def __init__(self, font: TTFont, canvas: Canvas) -> None:
        self._font = font
        self._doc = canvas._doc
        self._escape = canvas._escape
        self._codes: dict[int, str] = {}           # code point -> its escaped code byte in its subset
        self._subsets = _Subsets(self._learn)      # code point -> chr(its subset), to find the stretches
        self.names: list[str] = []                 # subset -> PDF font resource name, e.g. /F2+0

    def encode(self, text: str) -> list[tuple[str, str]]:
        """(font resource name, escaped bytes) for each stretch of text in one subset."""
        subsets = text.translate(self._subsets)    # learns new characters in the order they come
        first = subsets[:1]
        if not subsets.lstrip(first):              # all in one subset (or no text)
            return [(self.names[ord(first)], text.translate(self._codes))] if text else []
        return [(self.names[ord(subsets[start])], text[start:end].translate(self._codes))
                for start, end in map(_span, _STRETCH.finditer(subsets))]

    def _learn(self, cp: int) -> str:
        [(subset, code)] = self._font.splitString(chr(cp), self._doc)
        while len(self.names) <= subset:
            self.names.append(self._font.getSubsetInternalName(len(self.names), self._doc))
        self._codes[cp] = self._escape(code)
        mark = self._subsets[cp] = chr(subset)
        return mark


def text_writer(canvas: Canvas) -> TextWriter:
    """The canvas's text writer, one per canvas so that every part drawing on it shares it."""
    writer: TextWriter | None = canvas.__dict__.get("_docgen_text")
    if writer is None:
        writer = canvas.__dict__["_docgen_text"] = TextWriter(canvas)
    return writer


class TextWriter:
    """Writes text lines in pure black (K) onto one canvas (one PDF document)."""

    def __init__(self, canvas: Canvas) -> None:
        self._canvas = canvas
        self._encodings: dict[str, _Encoding] = {}
        # the content list and its length after this writer's last line: while both are
        # unchanged, nothing else has drawn since and the state below holds
        self._code: list[str] | None = None
        self._length = 0
        self._font = ""          # "/F2+0 7 Tf" as last set outside q/Q, "" when unknown
        # the numbers' text, formatted once: a layout's lines start at a few places and sizes
        self._starts: dict[tuple[float, float], str] = {}
        self._sizes: dict[float, str] = {}

    def line(self, x: float, y: float, size: float, runs: Sequence[tuple[str, str]],
             scale: float = 1.0, char_space: float = 0.0) -> None:
        """One line of (font name, text) runs with its baseline starting at (x, y) points, condensed
        to `scale` and spaced by `char_space`."""
        code = self._canvas._code
        parts = []
        if code is not self._code or len(code) != self._length:
            self._canvas._fillColorObj = BLACK
            parts.append(_BLACK_FILL)
            self._font = ""
        scoped = scale != 1.0 or char_space
        if scoped:
            parts.append("q")
        start = self._starts.get((x, y))
        if start is None:
            if len(self._starts) >= _MAX_STARTS:       # centred text starts anywhere
                self._starts.clear()
            start = self._starts[x, y] = f"BT {fp_str(x, y)} Td"
        parts.append(start)
        if scale != 1.0:
            parts.append(f"{fp_str(scale * 100)} Tz")
        if char_space:
            parts.append(f"{fp_str(char_space)} Tc")
        tf = self._sizes.get(size)
        if tf is None:
            tf = self._sizes[size] = f" {fp_str(size)} Tf"
        font = self._font
        for font_name, text in runs:
            for name, escaped in self._encoding(font_name).encode(text):
                if name + tf != font:
                    font = name + tf
                    parts.append(font)
                parts.append(f"({escaped}) Tj")
        parts.append("ET")
        if scoped:
            parts.append("Q")
        else:
            self._font = font
        code.append(" ".join(parts))
        self._code, self._length = code, len(code)

    def _encoding(self, font_name: str) -> _Encoding:
        enc = self._encodings.get(font_name)
        if enc is None:
            enc = self._encodings[font_name] = _Encoding(pdfmetrics.getFont(font_name), self._canvas)
        return enc
