"""docgen.fonts: coverage, fallback runs, widths, and PDFs whose text extracts exactly as drawn."""
from __future__ import annotations

from pathlib import Path

import pypdf
import pypdfium2 as pdfium
import pytest
from fontTools.ttLib import TTFont as FontToolsFont
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen import canvas

from docgen.fonts import (
    DEFAULT_CONFIG,
    FontChain,
    FontConfigError,
    MissingGlyphError,
    UnknownFamilyError,
    load_fonts,
)

FONTS = DEFAULT_CONFIG.parent
KUZU_AJ1 = "\u845B\U000E0100"     # 葛󠄀 Adobe-Japan1 IVS: BIZ UD has a glyph for it
KUZU_MJ = "\u845B\U000E0102"      # 葛󠄂 Moji_Joho IVS: only IPAmj明朝 has it
TSUJI_AJ1 = "\u8FBB\U000E0100"    # 辻󠄀
YOSHI = "\U00020BB7"              # 𠮷, outside the BMP; BIZ UD lacks it
TAKA, SAKI, KAMI = "\u9AD9", "\uFA11", "\uFA19"   # 髙, 﨑, 神 (compatibility ideographs)
NO_FONT = "\U0010FFFD"
UNASSIGNED_IVS = "\u4E00\U000E01EF"
MIXED = f"Abc 123 かなカナ {TAKA}橋 {SAKI} {KAMI} {YOSHI}田 {KUZU_AJ1}城 {KUZU_MJ}"


@pytest.fixture(scope="module")
def fonts():
    return load_fonts()


@pytest.fixture(scope="module")
def gothic(fonts) -> FontChain:
    return fonts.chain("gothic")


def _fonttools_covers(path: Path, seq: str) -> bool:
    """Independent oracle: the font's best cmap for characters, its cmap 14 for sequences."""
    with FontToolsFont(str(path), lazy=True) as ft:
        if len(seq) == 1:
            return ord(seq) in ft.getBestCmap()
        uvs = ft["cmap"].getcmap(0, 5).uvsDict
        base, selector = map(ord, seq)
        return any(b == base for b, _ in uvs.get(selector, ()))


SAMPLES = ["A", " ", "か", TAKA, SAKI, KAMI, YOSHI, KUZU_AJ1, KUZU_MJ, TSUJI_AJ1,
           "\u8FBB\U000E0102", NO_FONT, UNASSIGNED_IVS]


@pytest.mark.parametrize("family", ["gothic", "gothic-fallback", "mj-mincho"])
def test_coverage_agrees_with_fonttools(fonts, family):
    face = fonts._face(family)
    decided = {seq: face.covers(seq) for seq in SAMPLES}
    assert decided == {seq: _fonttools_covers(face.path, seq) for seq in SAMPLES}


def test_coverage_of_the_bundled_fonts(fonts):
    gothic = fonts._face("gothic")
    mj = fonts._face("mj-mincho")
    assert all(gothic.covers(s) for s in (TAKA, SAKI, KAMI, KUZU_AJ1, TSUJI_AJ1))
    assert not gothic.covers(YOSHI) and not gothic.covers(KUZU_MJ)
    assert mj.covers(YOSHI) and mj.covers(KUZU_MJ)
    assert not gothic.covers("\U000E0100"), "a selector alone is never covered"


def test_runs_fall_back_for_a_character_outside_the_bmp(gothic, fonts):
    fallback = fonts.chain("gothic-fallback").name
    assert gothic.runs(f"{YOSHI}田") == [(fallback, YOSHI), (gothic.name, "田")]


def test_runs_fall_back_for_a_variation_sequence_the_primary_lacks(gothic, fonts):
    mj = fonts.chain("mj-mincho").name
    (name, drawn), = gothic.runs(KUZU_MJ)
    assert name == mj
    assert len(drawn) == 1 and 0xF0000 <= ord(drawn) <= 0xFFFFD, "one private code point per glyph"
    (name, drawn_aj1), = gothic.runs(KUZU_AJ1)
    assert name == gothic.name and drawn_aj1 != "\u845B", "the variant glyph, not the base's"


def test_compatibility_ideographs_are_drawn_as_they_are(gothic):
    text = f"{TAKA}{SAKI}{KAMI}"
    assert gothic.runs(text) == [(gothic.name, text)]


def test_missing_lists_each_uncovered_sequence_once_in_order(gothic, fonts):
    text = f"\U000E0100a{NO_FONT}{UNASSIGNED_IVS}b{NO_FONT}"
    expected = ["\U000E0100", NO_FONT, UNASSIGNED_IVS]
    assert gothic.missing(text) == expected
    assert fonts.missing(text) == expected
    assert gothic.missing(MIXED) == []


def test_runs_refuses_uncovered_text_naming_code_points_only(gothic):
    with pytest.raises(MissingGlyphError) as caught:
        gothic.runs(f"山田{NO_FONT}{UNASSIGNED_IVS}")
    message = str(caught.value)
    assert "U+10FFFD" in message and "U+4E00 U+E01EF" in message
    assert "山" not in message and "田" not in message
    assert caught.value.missing == [NO_FONT, UNASSIGNED_IVS]


@pytest.mark.parametrize("text", ["Abc かな", MIXED, ""])
def test_width_is_the_sum_over_runs(gothic, text):
    expected = sum(pdfmetrics.stringWidth(s, name, 9.5) for name, s in gothic.runs(text))
    assert gothic.width(text, 9.5) == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize("seq", [YOSHI, KUZU_AJ1, KUZU_MJ, "\u845B"])
def test_full_width_glyphs_are_one_em_wide(gothic, seq):
    """Variant glyphs have no code point of their own: their width comes from the font's hmtx."""
    assert gothic.width(seq, 10) == pytest.approx(10.0)


def test_fallback_font_is_loaded_only_when_needed(fonts):
    loaded: list[str] = []

    def load(family: str):
        loaded.append(family)
        return fonts._face(family)

    chain = FontChain(["gothic", "mj-mincho"], load)
    chain.width("山田 太郎", 10)
    chain.missing("山田 太郎")
    assert loaded == ["gothic"]
    chain.runs(YOSHI)
    assert loaded == ["gothic", "mj-mincho"]


def test_unknown_family_names_it_and_the_known_ones(fonts):
    with pytest.raises(KeyError) as caught:
        fonts.chain("comic")
    assert isinstance(caught.value, UnknownFamilyError)
    assert "'comic'" in str(caught.value) and "gothic" in str(caught.value)


def test_load_fonts_is_cached_and_defaults_to_the_bundled_yaml(fonts):
    assert load_fonts() is fonts is load_fonts(DEFAULT_CONFIG)
    assert fonts.chain("gothic") is fonts.chain("gothic")
    assert fonts.families == ("gothic", "gothic-bold", "mincho", "mj-mincho", "gothic-fallback", "gothic-bold-fallback")


def test_config_paths_relative_to_the_yaml_or_absolute(tmp_path):
    (tmp_path / "f").mkdir()
    (tmp_path / "f" / "g.ttf").write_bytes((FONTS / "BIZUDGothic-Regular.ttf").read_bytes())
    config = tmp_path / "fonts.yaml"
    config.write_text(f"files: {{g: f/g.ttf, mj: {FONTS / 'ipamjm.ttf'}}}\nfallback: [mj]\n")
    fonts = load_fonts(config)
    assert fonts.config.files["g"] == (tmp_path / "f" / "g.ttf").resolve()
    assert fonts.config.default == "g"
    assert fonts.chain("g").missing(f"{YOSHI}{KUZU_MJ}") == []


@pytest.mark.parametrize("yaml_text, key", [
    ("files: {g: nope.ttf}\n", "files.g"),
    ("files: {g: %s}\nfallback: [mj]\n" % (FONTS / "ipamjm.ttf"), "fallback[0]"),
    ("files: {g: %s}\nfalback: [g]\n" % (FONTS / "ipamjm.ttf"), "falback"),
    ("files: {g: %s}\ndefault: mj\n" % (FONTS / "ipamjm.ttf"), "default"),
    ("fallback: []\n", "files"),
])
def test_config_errors_name_the_file_and_the_key(tmp_path, yaml_text, key):
    config = tmp_path / "fonts.yaml"
    config.write_text(yaml_text)
    with pytest.raises(FontConfigError) as caught:
        load_fonts(config)
    assert str(config.resolve()) in str(caught.value) and f": {key}:" in str(caught.value)


@pytest.mark.parametrize("content, problem", [
    ("files: {ゴシック: ipag.ttf}\n".encode("cp932"), "font configuration is not UTF-8"),
    (b"files: [g: x\n", "line 2, column 1: not valid YAML"),
])
def test_an_unreadable_config_is_one_error_naming_the_file(tmp_path, content, problem):
    config = tmp_path / "fonts.yaml"
    config.write_bytes(content)
    with pytest.raises(FontConfigError) as caught:
        load_fonts(config)
    assert str(caught.value).startswith(str(config.resolve())) and problem in str(caught.value)
    assert "\n" not in str(caught.value)


# --- PDFs ---------------------------------------------------------------------------------------

X, Y, SIZE = 20.0, 40.0, 20.0
PAGE = (600.0, 80.0)


def _draw(path: Path, chain: FontChain, text: str) -> None:
    c = canvas.Canvas(str(path), pagesize=PAGE, invariant=1)
    t = c.beginText(X, Y)
    for name, s in chain.runs(text):
        t.setFont(name, SIZE)
        t.textOut(s)
    c.drawText(t)
    c.save()


@pytest.fixture(scope="module")
def mixed_pdf(tmp_path_factory, gothic) -> Path:
    path = tmp_path_factory.mktemp("pdf") / "mixed.pdf"
    _draw(path, gothic, MIXED)
    return path


def test_pdf_embeds_every_truetype_font_as_a_subset(mixed_pdf):
    fonts = [f.get_object() for f in pypdf.PdfReader(mixed_pdf).pages[0]["/Resources"]["/Font"].values()]
    truetype = [f for f in fonts if f["/Subtype"] == "/TrueType"]
    assert {f["/BaseFont"].split("+")[1] for f in truetype} == {
        "BIZUDGothic-Regular", "NotoSansCJKjp-Regular-docgenFallback", "IPAmjMincho"}
    for f in truetype:
        prefix, _ = f["/BaseFont"].lstrip("/").split("+")
        assert len(prefix) == 6 and prefix.isalpha() and prefix.isupper()
        assert "/FontFile2" in f["/FontDescriptor"]
    # ReportLab's canvas always names Helvetica as its initial font; nothing is drawn with it.
    assert [f["/BaseFont"] for f in fonts if f["/Subtype"] != "/TrueType"] == ["/Helvetica"]


def test_pdf_tounicode_uses_surrogate_pairs(mixed_pdf):
    cmaps = [f.get_object()["/ToUnicode"].get_object().get_data().decode()
             for f in pypdf.PdfReader(mixed_pdf).pages[0]["/Resources"]["/Font"].values()
             if "/ToUnicode" in f.get_object()]
    assert any("<D842DFB7>" in cmap for cmap in cmaps)
    assert not any("<20BB7>" in cmap for cmap in cmaps)


def test_pdf_text_extracts_exactly_with_pypdf(mixed_pdf):
    assert pypdf.PdfReader(mixed_pdf).pages[0].extract_text() == MIXED


def test_pdf_text_extracts_exactly_with_pdfium(mixed_pdf):
    page = pdfium.PdfDocument(mixed_pdf)[0]
    assert page.get_textpage().get_text_range() == MIXED


def test_pdf_fallback_glyph_is_not_blank(mixed_pdf, gothic):
    scale = 4
    image = pdfium.PdfDocument(mixed_pdf)[0].render(scale=scale, grayscale=True).to_pil()
    start = X + gothic.width(MIXED[:MIXED.index(YOSHI)], SIZE)
    end = start + gothic.width(YOSHI, SIZE)
    box = (int(start * scale), int((PAGE[1] - Y - SIZE) * scale),
           int(end * scale), int((PAGE[1] - Y) * scale))
    dark = sum(1 for value in image.crop(box).get_flattened_data() if value < 128)
    assert dark > 200, f"only {dark} dark pixels where {YOSHI!a} should be"


def test_pdf_output_is_reproducible(tmp_path, gothic, mixed_pdf):
    again = tmp_path / "again.pdf"
    _draw(again, gothic, MIXED)
    assert again.read_bytes() == mixed_pdf.read_bytes()
