"""Make the Gothic fallback fonts: Noto Sans CJK JP cut down to what BIZ UDゴシック lacks, as TrueType.

BIZ UDゴシック has about 11,700 characters; a name can hold any of the 𠮷 kind it lacks, and
those printed in IPAmj明朝 put one thin 明朝 glyph among bold Gothic ones. Noto Sans CJK JP
(SIL OFL 1.1) has a Gothic glyph for about 21,700 of them and 4,600 more variation sequences,
but Debian ships it with CFF outlines, which ReportLab cannot embed. This keeps only what the
BIZ UD font of the same weight lacks (Hangul aside: no Japanese register writes a name in it),
turns the cubic outlines into quadratic ones (cu2qu, within 1 unit of the 1000-unit em) and
renames the result, as the OFL asks of a modified font.

    apt-get install fonts-noto-cjk          # or only download the .deb and unpack it
    .venv/bin/python tools/make_gothic_fallback.py          # writes fonts/NotoSansCJKjp-*-fallback.ttf

The output is the same byte for byte for the same input (timestamps are the source's).
"""
from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTCollection, TTFont, newTable

ROOT = Path(__file__).resolve().parent.parent
NOTO = Path("/usr/share/fonts/opentype/noto")
FACE = "Noto Sans CJK JP"
WEIGHTS = ("Regular", "Bold")
MAX_ERR = 1.0           # font units: how far a quadratic outline may stray from the cubic one
# Hangul Jamo, Compatibility Jamo, Jamo Extended-A, Syllables and Jamo Extended-B
HANGUL = ((0x1100, 0x11FF), (0x3130, 0x318F), (0xA960, 0xA97F), (0xAC00, 0xD7FF))
# tables a left-to-right line of text drawn by ReportLab never reads
UNUSED = ["vhea", "vmtx", "VORG", "BASE", "GDEF", "GSUB", "GPOS", "DSIG"]


@dataclass(frozen=True)
class Made:
    characters: int
    sequences: int
    glyphs: int


def _sequences(font: TTFont) -> set[tuple[int, int]]:
    table = font["cmap"].getcmap(0, 5)
    return {(base, selector) for selector, pairs in (table.uvsDict if table else {}).items()
            for base, _ in pairs}


def _face(source: Path, name: str) -> TTFont:
    """The face of family name, from a collection (.ttc) or a single font file."""
    if source.suffix.lower() != ".ttc":
        return TTFont(source)
    for font in TTCollection(source).fonts:
        if font["name"].getDebugName(1) == name:
            return font
    raise SystemExit(f"{source}: no face named {name!r}")


def make_fallback(source: Path, primary: Path, out: Path, face: str = FACE) -> Made:
    """Write the part of source's face that primary lacks to out, with TrueType outlines."""
    font = _face(source, face)
    with TTFont(primary, lazy=True) as prim:
        have = set(prim.getBestCmap())
        have_sequences = _sequences(prim)
    wanted = {cp for cp in font.getBestCmap()
              if cp not in have and not any(a <= cp <= b for a, b in HANGUL)}
    sequences = _sequences(font) - have_sequences
    # cmap 14 keeps a sequence only with its base and selector, so a base BIZ UD has comes too
    # (the chain asks the primary first for a character alone)
    options = subset.Options()
    options.layout_features = []
    options.hinting = False
    options.desubroutinize = True
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.drop_tables += UNUSED
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=wanted | {cp for seq in sequences for cp in seq})
    subsetter.subset(font)
    if "CFF " in font:
        _to_truetype(font)
    _rename(font, source)
    font.recalcTimestamp = False
    out.parent.mkdir(parents=True, exist_ok=True)
    font.save(out)
    kept = _sequences(font)
    return Made(characters=len(set(font.getBestCmap()) - have), sequences=len(kept - have_sequences),
                glyphs=len(font.getGlyphOrder()))


def _to_truetype(font: TTFont) -> None:
    """Replace the CFF table by glyf/loca with the same outlines in quadratic curves.

    PostScript outlines run counter-clockwise, TrueType ones clockwise: the pen reverses them.
    A left side bearing other than the glyph's left edge would shift it where fontTools and
    hinting read it, so each is set to the new outline's.
    """
    glyphs = font.getGlyphSet()
    order = font.getGlyphOrder()
    hmtx = font["hmtx"]
    glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = {}
    for name in order:
        pen = TTGlyphPen(None)
        glyphs[name].draw(Cu2QuPen(pen, max_err=MAX_ERR, reverse_direction=True))
        glyph = glyf.glyphs[name] = pen.glyph()
        glyph.recalcBounds(glyf)
        hmtx[name] = (hmtx[name][0], getattr(glyph, "xMin", 0))
    del font["CFF "]
    font["loca"] = newTable("loca")
    font["glyf"] = glyf
    maxp = font["maxp"] = newTable("maxp")
    maxp.tableVersion = 0x00010000
    maxp.numGlyphs = len(order)
    for key in ("maxZones", "maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs",
                "maxStackElements", "maxSizeOfInstructions", "maxComponentElements"):
        setattr(maxp, key, 0)
    maxp.maxZones = 1
    font["head"].glyphDataFormat = 0
    font["post"].formatType = 3.0         # no glyph names: PDFs and ReportLab use glyph ids
    font.sfntVersion = "\x00\x01\x00\x00"


def _rename(font: TTFont, source: Path) -> None:
    """Family "<family> docgen fallback": a modified font must not pass for the original (OFL 1.1)."""
    names = font["name"]
    family = names.getDebugName(1)
    style = names.getDebugName(2) or "Regular"
    full = f"{family} docgen fallback"
    new = {1: full, 4: full if style == "Regular" else f"{full} {style}",
           6: (names.getDebugName(6) or f"{family}-{style}").replace(" ", "") + "-docgenFallback",
           3: f"{names.getDebugName(3) or family};docgen fallback",
           5: f"{names.getDebugName(5) or 'Version 1'}; subset of {source.name} (docgen tools/make_gothic_fallback.py)"}
    names.names = [record for record in names.names if record.nameID not in (*new, 16, 17)]
    for name_id, text in new.items():
        names.setName(text, name_id, 3, 1, 0x409)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--noto", type=Path, default=NOTO,
                        help=f"folder with NotoSansCJK-{{Regular,Bold}}.ttc (default {NOTO})")
    parser.add_argument("--fonts", type=Path, default=ROOT / "fonts",
                        help="folder with BIZUDGothic-{Regular,Bold}.ttf (default: docgen's fonts/)")
    parser.add_argument("--out", type=Path, default=ROOT / "fonts", help="where the results go (default: fonts/)")
    args = parser.parse_args(argv)
    for weight in WEIGHTS:
        out = args.out / f"NotoSansCJKjp-{weight}-fallback.ttf"
        made = make_fallback(args.noto / f"NotoSansCJK-{weight}.ttc", args.fonts / f"BIZUDGothic-{weight}.ttf", out)
        print(f"{out}: {made.characters} characters and {made.sequences} variation sequences "
              f"BIZUDGothic-{weight} lacks, {made.glyphs} glyphs, {out.stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
