"""A ReportLab TTFont whose ToUnicode CMaps let PDF readers extract exactly the text on file.

ReportLab (5.1, `ttfonts.makeToUnicodeCMap`) writes each destination as "%04X" of the code
point, so U+20BB7 becomes the odd-length <20BB7>, which is not UTF-16BE: extractors drop or
garble the character. It also only knows single code points, while docgen draws a variation
sequence (base + selector) as one private-use code point standing for the variant glyph.

Rather than patching ReportLab globally, this subclass lets ReportLab build its subsets as usual
and then replaces only the content of its own ToUnicode streams: every other TTFont is left as it
was, and subsetting, font naming and `invariant=1` output are untouched.
"""
from __future__ import annotations

from fnmatch import fnmatch
from weakref import WeakKeyDictionary

from reportlab import rl_config
from reportlab.pdfbase import pdfdoc
from reportlab.pdfbase.ttfonts import TTEncoding, TTFont, TTFontFace

# The PDF/CMap specification limits a beginbfchar block to 100 mappings.
_BFCHAR_BLOCK = 100


def to_unicode_cmap(font_name: str, texts: list[str]) -> str:
    """A ToUnicode CMap mapping single-byte code i to texts[i], written as UTF-16BE.

    Same layout as ReportLab's makeToUnicodeCMap, but destinations use surrogate pairs outside
    the BMP and may hold several code points (a base character and its variation selector).
    """
    lines = [
        "/CIDInit /ProcSet findresource begin",
        "12 dict begin",
        "begincmap",
        "/CIDSystemInfo",
        f"<< /Registry ({font_name})",
        f"/Ordering ({font_name})",
        "/Supplement 0",
        ">> def",
        f"/CMapName /{font_name} def",
        "/CMapType 2 def",
        "1 begincodespacerange",
        f"<00> <{len(texts) - 1:02X}>",
        "endcodespacerange",
    ]
    for start in range(0, len(texts), _BFCHAR_BLOCK):
        block = texts[start:start + _BFCHAR_BLOCK]
        lines.append(f"{len(block)} beginbfchar")
        lines.extend(f"<{start + i:02X}> <{t.encode('utf-16-be').hex().upper()}>"
                     for i, t in enumerate(block))
        lines.append("endbfchar")
    lines += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    return "\n".join(lines)


class UnicodeTTFont(TTFont):
    """TTFont with valid UTF-16BE ToUnicode and private code points that extract as sequences."""

    def __init__(self, name: str, face: TTFontFace) -> None:
        """What `TTFont(name, filename)` sets up, around a face already parsed (docgen.fonts.cache)."""
        self.fontName = name
        self.face = face
        self.encoding = TTEncoding()
        self.state = WeakKeyDictionary()
        self._asciiReadable = rl_config.ttfAsciiReadable
        self.shapable = not any(fnmatch(name, glob) for glob in rl_config.unShapedFontGlob)
        # private code point -> the text it stands for (base + variation selector)
        self.sequences: dict[int, str] = {}

    def addObjects(self, doc: pdfdoc.PDFDocument) -> None:
        """Let ReportLab write the subsets, then rewrite each subset's ToUnicode stream."""
        state = self._assignState(doc)
        subsets = state.subsets
        names = [self.getSubsetInternalName(n, doc)[1:] for n in range(len(subsets))]
        super().addObjects(doc)
        fonts = doc.idToObject["BasicFonts"].dict
        for name, subset in zip(names, subsets):
            pdf_font = fonts[name]
            stream = doc.idToObject[pdf_font.ToUnicode.name]
            stream.content = to_unicode_cmap(
                pdf_font.BaseFont, [self.sequences.get(cp) or chr(cp) for cp in subset])
