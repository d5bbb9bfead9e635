"""One font file as ReportLab draws it, and exactly which characters and sequences it covers."""
from __future__ import annotations

from pathlib import Path

from reportlab.pdfbase import pdfmetrics

from docgen.fonts.cache import parsed_font
from docgen.fonts.sequences import code_points
from docgen.fonts.tounicode import UnicodeTTFont

# Supplementary Private Use Area-A: code points no name can legitimately need drawn from a font
# that does not map them, so they can stand for variant glyphs inside the drawn string.
_PRIVATE = range(0xF0000, 0xFFFFE)


class Face:
    """A registered ReportLab font plus its coverage, including variation sequences (cmap 14).

    ReportLab maps code points to glyphs and ignores variation selectors, so a variant glyph is
    reached through a private code point injected into the font's own charToGlyph; its ToUnicode
    entry maps it back to the original base + selector (see tounicode.py).
    """

    def __init__(self, path: Path, name: str) -> None:
        self.path = path
        self.name = name
        parsed = parsed_font(path)
        self.font = UnicodeTTFont(name, parsed.face)
        pdfmetrics.registerFont(self.font)
        face = self.font.face
        self.chars = parsed.chars      # every character it maps to a glyph, variation selectors aside
        self.plain = parsed.plain      # those of them that are no combining mark
        self.ascent: float = face.ascent / 1000
        self._uvs: dict[int, dict[int, tuple[int, float] | None]] | None = None
        self._drawn: dict[str, str] = {}
        self._free = (cp for cp in _PRIVATE if cp not in face.charToGlyph)

    def covers(self, seq: str) -> bool:
        """Whether this font draws seq (a character, or base + variation selector) correctly."""
        if len(seq) == 1:
            return seq in self.chars
        return self._variant_glyph(seq) is not None

    def drawn(self, seq: str) -> str:
        """The string to hand to ReportLab for a covered seq (one character either way)."""
        if len(seq) == 1:
            return seq
        try:
            return self._drawn[seq]
        except KeyError:
            pass
        glyph = self._variant_glyph(seq)
        if glyph is None:
            raise ValueError(f"{self.path.name} does not cover {code_points(seq)}")
        cp = next(self._free)
        face = self.font.face
        face.charToGlyph[cp], face.charWidths[cp] = glyph
        self.font.sequences[cp] = seq
        self._drawn[seq] = chr(cp)
        return chr(cp)

    def _variant_glyph(self, seq: str) -> tuple[int, float] | None:
        """(glyph id, width per 1000 em) for base + selector per cmap 14, or None if not listed.

        A default UVS means the base's own glyph is the right one.
        """
        base, selector = ord(seq[0]), ord(seq[1])
        bases = self._variations().get(selector, {})
        if base not in bases:
            return None
        glyph = bases[base]
        if glyph is None:
            face = self.font.face
            gid = face.charToGlyph.get(base)
            return (gid, face.charWidths[base]) if gid else None
        return glyph

    def _variations(self) -> dict[int, dict[int, tuple[int, float] | None]]:
        """selector -> base -> (glyph id, width), None for a default UVS; read on first use.

        Widths come from fontTools' hmtx: ReportLab only records widths for glyphs that have a
        code point, and variant glyphs have none.
        """
        if self._uvs is None:
            from fontTools.ttLib import TTFont as FontToolsFont     # only names with variation selectors need it

            scale = self.font.face._pdfScale
            with FontToolsFont(str(self.path), lazy=True) as ft:
                table = ft["cmap"].getcmap(0, 5)
                uvs = table.uvsDict if table is not None else {}
                hmtx = ft["hmtx"].metrics if uvs else {}
                self._uvs = {
                    selector: {base: None if glyph is None
                               else (ft.getGlyphID(glyph), scale(hmtx[glyph][0]))
                               for base, glyph in pairs}
                    for selector, pairs in uvs.items()}
        return self._uvs
