"""A rare character in a Gothic line prints in a Gothic face; a value that needs 明朝 prints wholly in 明朝.

Issue 18, item 2: 𠮷 and the other characters BIZ UDゴシック lacks printed in IPAmj明朝 inside
Gothic names, "a thin 明朝 glyph beside bold ゴシック in 氏名, 世帯主氏名 and the window name, which a
holder may take for a misprint". The fonts that draw each character are read back from the PDF
(pdfium's per-character font name), not from docgen's own run list.
"""
from __future__ import annotations

import csv
import ctypes
import importlib.util
import sys
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
from fontTools.fontBuilder import FontBuilder
from fontTools.pens.areaPen import AreaPen
from fontTools.pens.boundsPen import BoundsPen
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.t2CharStringPen import T2CharStringPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTCollection, TTFont

from docgen import render_pdf
from docgen.errors import LayoutError
from docgen.fonts import DEFAULT_CONFIG, FontConfigError, load_fonts
from docgen.layout.loader import load_layout
from docgen.paths import SAMPLES

ROOT = Path(__file__).resolve().parent.parent
FONTS = DEFAULT_CONFIG.parent
YOSHI = "\U00020BB7"            # 𠮷 (non-BMP): BIZ UD lacks it, Noto Sans CJK JP has it
EXT_B = "\U00020024"            # 𠀤 (non-BMP, CJK Extension B)
KA = "\uF900"                   # 豈: a compatibility ideograph BIZ UD lacks
TAKA, SAKI, KAMI = "\u9AD9", "\uFA11", "\uFA19"      # 髙 﨑 神: compatibility ideographs and 髙
KEN_AJ1 = "\u5065\U000E0101"    # 健󠄁: an Adobe-Japan1 sequence BIZ UD lacks and Noto has
KUZU_MJ = "\u845B\U000E0102"    # 葛󠄂: a Moji_Joho sequence only IPAmj明朝 has
HANGUL = "\uAC00"


def _load_tool():
    spec = importlib.util.spec_from_file_location("make_gothic_fallback", ROOT / "tools" / "make_gothic_fallback.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


tool = _load_tool()


# --- the chains ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def fonts():
    return load_fonts()


def test_each_family_has_its_own_chain(fonts):
    assert fonts.chain("gothic").families == ("gothic", "gothic-fallback", "mj-mincho")
    assert fonts.chain("gothic-bold").families == ("gothic-bold", "gothic-bold-fallback", "mj-mincho")
    assert fonts.chain("mincho").families == ("mincho", "mj-mincho")
    assert fonts.chain("mj-mincho").families == ("mj-mincho",)


@pytest.mark.parametrize("family, fallback", [("gothic", "gothic-fallback"), ("gothic-bold", "gothic-bold-fallback")])
@pytest.mark.parametrize("seq", [YOSHI, EXT_B, KA, KEN_AJ1])
def test_a_character_biz_ud_lacks_is_drawn_by_the_gothic_fallback(fonts, family, fallback, seq):
    chain = fonts.chain(family)
    assert not fonts._face(family).covers(seq)
    (name, _), = chain.runs(seq)
    assert name == fonts.chain(fallback).name


def test_only_what_no_gothic_has_falls_to_mincho(fonts):
    chain = fonts.chain("gothic-bold")
    assert not fonts._face("gothic-bold-fallback").covers(KUZU_MJ)
    assert chain.runs(KUZU_MJ)[0][0] == fonts.chain("mj-mincho").name
    assert chain.drawn_by(f"{TAKA}{SAKI}{KAMI}") == dict.fromkeys([TAKA, SAKI, KAMI], "gothic-bold")
    assert chain.drawn_by(f"吉{YOSHI}{KUZU_MJ}\U0010FFFD") == {
        "吉": "gothic-bold", YOSHI: "gothic-bold-fallback", KUZU_MJ: "mj-mincho", "\U0010FFFD": None}


def test_a_list_is_every_familys_chain_and_star_the_unnamed(tmp_path):
    config = tmp_path / "fonts.yaml"
    config.write_text(f"files: {{g: {FONTS / 'BIZUDGothic-Regular.ttf'}, gf: {FONTS / 'NotoSansCJKjp-Regular-fallback.ttf'},"
                      f" m: {FONTS / 'BIZUDMincho-Regular.ttf'}, mj: {FONTS / 'ipamjm.ttf'}}}\n"
                      "fallback: {g: [gf, mj], '*': [mj]}\n")
    fonts = load_fonts(config)
    assert [fonts.chain(f).families for f in ("g", "m", "mj")] == [("g", "gf", "mj"), ("m", "mj"), ("mj",)]
    other = tmp_path / "other.yaml"
    other.write_text(config.read_text().replace("fallback: {g: [gf, mj], '*': [mj]}", "fallback: {g: [gf]}"))
    fonts = load_fonts(other)
    assert fonts.chain("m").families == ("m",), "a family no entry names and no '*' has no fallback"


@pytest.mark.parametrize("fallback, key", [
    ("{gothik: [mj]}", "fallback.gothik"),
    ("{g: mj}", "fallback.g"),
    ("{'*': [nope]}", "fallback.*[0]"),
    ("{g: [mj, mj]}", "fallback.g"),
    ("7", "fallback"),
])
def test_a_wrong_chain_names_the_file_and_the_key(tmp_path, fallback, key):
    config = tmp_path / "fonts.yaml"
    config.write_text(f"files: {{g: {FONTS / 'BIZUDGothic-Regular.ttf'}, mj: {FONTS / 'ipamjm.ttf'}}}\nfallback: {fallback}\n")
    with pytest.raises(FontConfigError) as caught:
        load_fonts(config)
    assert str(config.resolve()) in str(caught.value) and f": {key}:" in str(caught.value)


# --- on a card: the font pdfium says draws each character ----------------------------------------

def _fonts_of(page: pdfium.PdfPage, text: str) -> list[str]:
    """The embedded font's name (subset prefix removed) for each character of text on the page.

    pdfium counts UTF-16 units (a character outside the BMP is two) and extracts U+3000 as a space.
    """
    textpage = page.get_textpage()
    chars: list[tuple[str, int]] = []
    for i in range(textpage.count_chars()):
        unit = pdfium_c.FPDFText_GetUnicode(textpage, i)
        if 0xDC00 <= unit <= 0xDFFF and chars:
            high, first = chars.pop()
            chars.append(((chr(0x10000 + ((ord(high) - 0xD800) << 10) + unit - 0xDC00)), first))
        else:
            chars.append((chr(unit), i))
    drawn = "".join(ch for ch, _ in chars).replace("\u3000", " ")
    start = drawn.index(text.replace("\u3000", " "))
    out = []
    for _, i in chars[start:start + len(text)]:
        buf = ctypes.create_string_buffer(256)
        flags = ctypes.c_int()
        n = pdfium_c.FPDFText_GetFontInfo(textpage, i, buf, 256, ctypes.byref(flags))
        out.append(buf.raw[:n - 1].decode().split("+")[-1])
    return out


def _card(tmp_path: Path, **names: str) -> pdfium.PdfPage:
    """The front of a kokuho card of a fictional person with the given name fields."""
    with open(SAMPLES / "kokuho.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    row = {**rows[0], **names}
    data = tmp_path / "names.csv"
    with open(data, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(row))
        writer.writeheader()
        writer.writerow(row)
    report = render_pdf("kokuho-card", data, tmp_path / "card.pdf")
    assert report.rendered == 1 and not report.rejected
    return pdfium.PdfDocument(tmp_path / "card.pdf")[0]


def test_yoshi_in_a_bold_gothic_name_is_drawn_in_a_bold_gothic_face(tmp_path):
    name = f"{YOSHI}田　{TAKA}{SAKI}{KAMI}"
    page = _card(tmp_path, name=name, householder_name=f"{YOSHI}田　一")
    fonts = _fonts_of(page, name)
    assert fonts[0] == "NotoSansCJKjp-Bold-docgenFallback"
    assert set(fonts[1:]) == {"BIZUDGothic-Bold"}
    householder = _fonts_of(page, f"{YOSHI}田　一")
    assert householder == ["NotoSansCJKjp-Regular-docgenFallback"] + ["BIZUDGothic-Regular"] * 3


def test_a_name_that_needs_mincho_is_printed_wholly_in_mincho(tmp_path):
    """氏名 and 世帯主氏名 have `whole_value_font: mincho`: 葛󠄂 only IPAmj明朝 has, so the whole name
    is 明朝, where the issue saw one 明朝 glyph among Gothic ones; the 住所 line has no such option."""
    name, householder = f"{KUZU_MJ}西　{YOSHI}美", f"{KUZU_MJ}西　一"
    page = _card(tmp_path, name=name, householder_name=householder, address=f"例題県架空市{KUZU_MJ}町1番")
    for printed in (name, householder):
        fonts = _fonts_of(page, printed)
        assert fonts[0] == "IPAmjMincho"
        assert set(fonts[1:]) <= {"BIZUDMincho-Regular", "IPAmjMincho"}
        assert "BIZUDMincho-Regular" in fonts
    address = _fonts_of(page, f"例題県架空市{KUZU_MJ}町1番")
    assert set(address) == {"BIZUDGothic-Regular", "IPAmjMincho"}


# --- whole_value_font, the layout option -------------------------------------------------------------

def test_every_built_in_name_field_is_set_wholly_in_mincho_when_it_needs_it():
    for name in ("kokuho-card", "kenpo-card", "kyosai-card", "kouki-card", "kokuho-notice", "kenpo-notice",
                 "kouki-notice", "kokuho-notice-household", "kenpo-elderly-card"):
        fields = [el for page in load_layout(name).pages for el in page.elements
                  if el.type == "field" and "name}" in el.value and "kana" not in el.value]
        assert fields, name
        assert {el.whole_value_font for el in fields} == {"mincho"}, name


def test_an_unknown_whole_value_font_is_refused_with_a_suggestion(tmp_path):
    layout = tmp_path / "card.yaml"
    layout.write_text("name: card\nscheme: kokuho\ndocument: card\npage_size: card\npages:\n  - name: front\n    elements:\n"
                      "      - {type: field, id: name, x: 1, y: 1, w: 40, h: 5, value: '{name}', whole_value_font: minco}\n",
                      encoding="utf-8")
    with pytest.raises(LayoutError) as caught:
        load_layout(layout)
    assert "whole_value_font" in str(caught.value) and "did you mean 'mincho'" in str(caught.value)


# --- the tool that makes the fallback fonts ------------------------------------------------------

def _outline(pen) -> None:
    """A shape with a cubic curve, drawn counter-clockwise as PostScript outlines run."""
    pen.moveTo((100, 0))
    pen.lineTo((900, 0))
    pen.curveTo((900, 400), (600, 800), (500, 800))
    pen.curveTo((400, 800), (100, 400), (100, 0))
    pen.closePath()


def _build(path: Path, family: str, cff: bool, chars: dict[int, str], uvs=()) -> TTFont:
    names = [".notdef", *dict.fromkeys(chars.values()), *(g for _, _, g in uvs if g)]
    names = list(dict.fromkeys(names))
    fb = FontBuilder(1000, isTTF=not cff)
    fb.setupGlyphOrder(names)
    fb.setupCharacterMap(chars, uvs=list(uvs))
    if cff:
        strings = {}
        for name in names:
            pen = T2CharStringPen(1000, None)
            _outline(pen)
            strings[name] = pen.getCharString()
        fb.setupCFF(family.replace(" ", "") + "-Regular", {"FullName": family}, strings, {})
    else:
        glyphs = {}
        for name in names:
            pen = TTGlyphPen(None)
            _outline(Cu2QuPen(pen, max_err=1.0, reverse_direction=True))
            glyphs[name] = pen.glyph()
        fb.setupGlyf(glyphs)
    fb.setupHorizontalMetrics({name: (1000, 0) for name in names})
    fb.setupHorizontalHeader(ascent=880, descent=-120)
    fb.setupNameTable({"familyName": family, "styleName": "Regular"})
    fb.setupOS2(sTypoAscender=880, sTypoDescender=-120, usWinAscent=880, usWinDescent=120)
    fb.setupPost()
    if path.suffix != ".ttc":
        fb.save(path)
    return fb.font


@pytest.fixture
def made(tmp_path):
    """A Noto-like CFF collection (a KR face first) and a BIZ-like TrueType primary, per weight."""
    noto, biz, out = tmp_path / "noto", tmp_path / "biz", tmp_path / "out"
    noto.mkdir(), biz.mkdir()
    source_chars = {0x41: "A", 0x5C71: "yama", 0x8FBB: "tsuji", ord(YOSHI): "yoshi", ord(HANGUL): "ga"}
    uvs = [(0x8FBB, 0xE0100, None), (0x8FBB, 0xE0101, "tsuji.var"), (ord(YOSHI), 0xE0100, None)]
    for weight in tool.WEIGHTS:
        collection = TTCollection()
        collection.fonts = [_build(noto / "x.ttc", "Noto Sans CJK KR", True, {0x41: "A"}),
                            _build(noto / "x.ttc", "Noto Sans CJK JP", True, source_chars, uvs)]
        collection.save(noto / f"NotoSansCJK-{weight}.ttc")
        _build(biz / f"BIZUDGothic-{weight}.ttf", "BIZ UDGothic", False,
               {0x41: "A", 0x5C71: "yama", 0x8FBB: "tsuji"}, [(0x8FBB, 0xE0100, None)])
    assert tool.main(["--noto", str(noto), "--fonts", str(biz), "--out", str(out)]) == 0
    return noto, biz, out


def test_the_tool_keeps_what_the_primary_lacks_but_hangul(made):
    _, _, out = made
    font = TTFont(out / "NotoSansCJKjp-Regular-fallback.ttf")
    # 辻 comes with its sequence 辻󠄁, which the primary lacks; 𠮷 with its default sequence
    assert set(font.getBestCmap()) == {0x8FBB, ord(YOSHI)}
    assert tool._sequences(font) == {(0x8FBB, 0xE0100), (0x8FBB, 0xE0101), (ord(YOSHI), 0xE0100)}
    assert font["name"].getDebugName(1) == "Noto Sans CJK JP docgen fallback"
    assert font["name"].getDebugName(6).endswith("-docgenFallback")


def test_the_tool_turns_cubic_outlines_into_clockwise_quadratic_ones(made):
    noto, _, out = made
    source = TTFont(noto / "NotoSansCJK-Regular.ttc", fontNumber=1)
    made_font = TTFont(out / "NotoSansCJKjp-Regular-fallback.ttf")
    assert "CFF " in source and "CFF " not in made_font and "glyf" in made_font
    glyph = made_font.getBestCmap()[ord(YOSHI)]
    pens = {}
    for key, font, name in (("cubic", source, "yoshi"), ("quadratic", made_font, glyph)):
        area, bounds = AreaPen(font.getGlyphSet()), BoundsPen(font.getGlyphSet())
        font.getGlyphSet()[name].draw(area)
        font.getGlyphSet()[name].draw(bounds)
        pens[key] = (area.value, bounds.bounds)
    (cubic_area, cubic_box), (quad_area, quad_box) = pens["cubic"], pens["quadratic"]
    assert cubic_area > 0 > quad_area, "TrueType outlines run the other way round"
    assert abs(quad_area + cubic_area) < 0.005 * cubic_area
    assert all(abs(a - b) <= tool.MAX_ERR + 0.5 for a, b in zip(cubic_box, quad_box)), (cubic_box, quad_box)


def test_the_tool_makes_the_same_bytes_again(made, tmp_path):
    noto, biz, out = made
    tool.main(["--noto", str(noto), "--fonts", str(biz), "--out", str(tmp_path / "again")])
    for weight in tool.WEIGHTS:
        name = f"NotoSansCJKjp-{weight}-fallback.ttf"
        assert (tmp_path / "again" / name).read_bytes() == (out / name).read_bytes()


@pytest.mark.parametrize("weight", ["Regular", "Bold"])
def test_the_bundled_fallback_holds_what_biz_ud_lacks(weight):
    """What tools/make_gothic_fallback.py made of Debian's fonts-noto-cjk (fonts/README.md)."""
    made = TTFont(FONTS / f"NotoSansCJKjp-{weight}-fallback.ttf", lazy=True)
    biz = TTFont(FONTS / f"BIZUDGothic-{weight}.ttf", lazy=True)
    assert "glyf" in made and "CFF " not in made
    cmap, biz_cmap = set(made.getBestCmap()), set(biz.getBestCmap())
    assert {ord(YOSHI), ord(EXT_B), ord(KA)} <= cmap
    assert not any(0xAC00 <= cp <= 0xD7FF for cp in cmap), "no Hangul"
    # a character BIZ UD also has is there as the base of a sequence BIZ UD lacks (fontTools'
    # subsetter keeps a stray one or two more, ≅ U+2245 in 2.004): not thousands of them
    bases = {base for base, _ in tool._sequences(made) - tool._sequences(biz)}
    assert len(cmap & biz_cmap - bases) < 5
    assert len(cmap - biz_cmap) > 20_000
