"""docgen.elements.textfit with the bundled fonts: shrink, 長体, wrapping with 禁則, refusals.

BIZ UD Gothic draws every kana, kanji and full-width punctuation mark 1 em wide (asserted in
`test_full_width_is_one_em`), so the expected sizes below follow from arithmetic on the box
width: at size s a string of n full-width characters is n × s points wide.
"""
from __future__ import annotations

import pytest

from docgen.elements.text_style import Fit, TextStyle
from docgen.elements.textfit import DoesNotFit, FittedText, break_lines, fit_text
from docgen.fonts import load_fonts

STEP = 0.25            # the size grid of fit_text (points)
SCALE_STEP = 0.025     # the 長体 grid
EPS = 1e-6

# Characters that must not start a line, and must not end one (JIS X 4051 style 禁則).
NO_START = "、。，．・：；？！ー」』）］｝〕〉》】ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ々ゝゞヽヾ"
NO_END = "「『（［｛〔〈《【"
IVS = "\U000E0100"                 # VS17: 葛󠄀 is in BIZ UD Gothic's variation table
KUZU = "\u845B" + IVS
TSUJI = "\u8FBB" + IVS


@pytest.fixture(scope="module")
def chain():
    return load_fonts().chain("gothic")


def style(size: float = 9.0, **fit) -> TextStyle:
    return TextStyle(size=size, fit=Fit(**fit))


def fits(chain, fitted: FittedText, w_pt: float) -> bool:
    return all(chain.width(line, fitted.size) * fitted.scale <= w_pt + EPS for line in fitted.lines)


def naive_lines(text: str, chain, size: float, w_pt: float) -> list[str]:
    """Greedy breaking by code point, without 禁則: what the real breaker must improve on."""
    lines, cur = [], ""
    for ch in text:
        if cur and chain.width(cur + ch, size) > w_pt:
            lines.append(cur)
            cur = ch
        else:
            cur += ch
    return lines + [cur]


def is_selector(ch: str) -> bool:
    cp = ord(ch)
    return 0xFE00 <= cp <= 0xFE0F or 0xE0100 <= cp <= 0xE01EF


def test_full_width_is_one_em(chain):
    # the premise of the arithmetic in this file
    for ch in ("あ", "ア", "漢", "、", "。", "」", "「", "ー", "\u3000", KUZU):
        assert chain.width(ch, 10.0) == pytest.approx(10.0)
    assert chain.width("A", 10.0) == pytest.approx(5.0)


# ------------------------------------------------------------------ shrink and condense
@pytest.mark.parametrize("size", [7.0, 9.0, 6.6])
def test_short_text_keeps_the_style_size(chain, size):
    fitted = fit_text("見本　太郎", chain, style(size, min_size=5), 200.0, 30.0)
    assert fitted.lines == ("見本　太郎",)
    assert fitted.size == size          # also off the 0.25 grid: nothing to shrink, nothing changes
    assert fitted.scale == 1.0
    assert fitted.leading == pytest.approx(size * 1.15)


def test_long_text_shrinks_to_the_largest_step_that_fits(chain):
    text = "あ" * 20
    w = 107.0                        # 20 em fit at 5.35 pt, so 5.25 on the 0.25 grid
    fitted = fit_text(text, chain, style(9, min_size=5), w, 30.0)
    assert fitted.lines == (text,)
    assert fitted.scale == 1.0
    assert fitted.size == 5.25
    assert chain.width(text, fitted.size) <= w
    assert chain.width(text, fitted.size + STEP) > w      # one step larger would overflow


@pytest.mark.parametrize("w", [60.0, 73.3, 88.8, 101.0])
def test_shrink_is_exact_for_any_width(chain, w):
    text = "例題県架空市見本町二丁目"    # 12 em
    fitted = fit_text(text, chain, style(9, min_size=4), w, 30.0)
    assert fitted.scale == 1.0 and len(fitted.lines) == 1
    assert fitted.size < 9
    assert fitted.size / STEP == pytest.approx(round(fitted.size / STEP))
    assert chain.width(text, fitted.size) <= w + EPS
    assert chain.width(text, fitted.size + STEP) > w


def test_the_box_height_caps_the_size(chain):
    fitted = fit_text("あ", chain, style(9, min_size=4), 200.0, 6.0)
    assert fitted.size <= 6.0
    assert fitted.size == 6.0


def test_min_size_off_the_grid_is_a_floor(chain):
    # 10 em in 51.5 pt: 5.15 pt would fit; rounding down to the grid must not go below min_size
    fitted = fit_text("あ" * 10, chain, style(10, min_size=5.1, min_scale=0.5), 51.5, 20.0)
    assert fitted.size >= 5.1
    assert fits(chain, fitted, 51.5)


def test_min_scale_off_the_grid_is_a_floor(chain):
    # 20 em at 6 pt in 73.5 pt: 長体 61.25 % would fit; the 2.5 % grid must not go below 61 %
    fitted = fit_text("あ" * 20, chain, style(9, min_size=6, min_scale=0.61), 73.5, 30.0)
    assert fitted.size == 6
    assert 0.61 <= fitted.scale < 1.0
    assert fits(chain, fitted, 73.5)


def test_wrapped_text_keeps_an_off_grid_style_size(chain):
    fitted = fit_text("あいう\nえお", chain, style(6.6, max_lines=2), 200.0, 30.0)
    assert fitted.lines == ("あいう", "えお")
    assert fitted.size == 6.6


def test_below_min_size_it_condenses(chain):
    text = "あ" * 20
    w = 100.0      # at min_size 6 the text is 120 pt: 長体 100/120 = 83.3 %, 82.5 % on the grid
    fitted = fit_text(text, chain, style(9, min_size=6, min_scale=0.6), w, 30.0)
    assert fitted.lines == (text,)
    assert fitted.size == 6
    assert 0.6 <= fitted.scale < 1.0
    assert fitted.scale == pytest.approx(0.825)
    assert chain.width(text, 6) * fitted.scale <= w
    assert chain.width(text, 6) * (fitted.scale + SCALE_STEP) > w


def test_condensing_stops_at_min_scale(chain):
    # 20 em at 6 pt in 60 pt would need 50 %; min_scale 0.6, one line only
    with pytest.raises(DoesNotFit):
        fit_text("あ" * 20, chain, style(9, min_size=6, min_scale=0.6), 60.0, 30.0)


def test_too_low_for_min_size_does_not_fit(chain):
    with pytest.raises(DoesNotFit):
        fit_text("あ", chain, style(9, min_size=6), 200.0, 5.0)


# ------------------------------------------------------------------ wrapping
def test_wraps_at_the_largest_size_when_one_line_would_need_too_much_condensing(chain):
    text = "あ" * 30
    w, h = 100.0, 30.0
    st = style(8, min_size=6, min_scale=0.8, max_lines=2)
    fitted = fit_text(text, chain, st, w, h)
    # one line: 180 pt at 6 pt, 55 % < 80 %. Two lines of 15 need size ≤ 100/15 = 6.67 → 6.5
    assert len(fitted.lines) == 2
    assert "".join(fitted.lines) == text
    assert fitted.scale == 1.0
    assert fitted.size == 6.5
    assert fits(chain, fitted, w)
    assert len(break_lines(text, chain, fitted.size + STEP, w)) > 2
    # the block of lines fits the height too
    assert fitted.size * (1.15 * (len(fitted.lines) - 1) + 1) <= h + EPS
    assert fitted.leading == pytest.approx(fitted.size * 1.15)


def test_prefers_one_line_when_it_fits_condensed(chain):
    text = "あ" * 20
    fitted = fit_text(text, chain, style(9, min_size=6, min_scale=0.6, max_lines=3), 100.0, 30.0)
    assert len(fitted.lines) == 1 and fitted.scale < 1.0


def test_wrap_then_condense(chain):
    text = "あ" * 40
    w = 100.0   # at 6 pt 16 a line → 3 lines; 2 lines of 20 need 長体 ≤ 83.3 %
    fitted = fit_text(text, chain, style(8, min_size=6, min_scale=0.7, max_lines=2), w, 30.0)
    assert len(fitted.lines) == 2
    assert "".join(fitted.lines) == text
    assert fitted.size == 6
    assert 0.7 - EPS <= fitted.scale < 1.0
    assert fitted.scale == pytest.approx(0.825)
    assert fits(chain, fitted, w)


def test_every_wrapped_line_fits(chain):
    text = "例題県架空市見本町三丁目12番地の3 架空グランドメゾン見本町駅前通りイースト棟12階1205号室"
    for w in (90.0, 120.0, 150.0, 175.7):
        fitted = fit_text(text, chain, style(6.5, min_size=5.5, min_scale=0.7, max_lines=3, leading=1.1), w, 17.0)
        assert 1 <= len(fitted.lines) <= 3
        assert fits(chain, fitted, w), w
        assert fitted.size >= 5.5 and fitted.scale >= 0.7 - EPS


def test_too_much_text_for_the_lines_does_not_fit(chain):
    with pytest.raises(DoesNotFit):
        fit_text("あ" * 200, chain, style(8, min_size=6, min_scale=0.7, max_lines=2), 100.0, 30.0)


# ------------------------------------------------------------------ 禁則
KINSOKU_CASES = [
    # (text, width in em at 10 pt): the naive break at that width violates a rule
    ("あいうえ。かきく", 4),          # 。 would start line 2
    ("あいうーえ", 3),                # ー would start line 2
    ("あいう「えお」", 4),            # 「 would end line 1
    ("あいう（え）お", 5),            # ） would start line 2, and pulling え back leaves （ at the end
    ("あいうえ」。かき", 4),          # two closing marks in a row
    ("見本町ッとこ、そこ。", 3),      # small kana and commas
    ("かきくけ、こさしすせ、そ", 4),
]


@pytest.mark.parametrize("text,em", KINSOKU_CASES)
def test_kinsoku(chain, text, em):
    w = 10.0 * em
    naive = naive_lines(text, chain, 10.0, w)
    violates = any(l[0] in NO_START for l in naive[1:]) or any(l[-1] in NO_END for l in naive[:-1])
    assert violates, "the case must be one where a naive break breaks a rule"
    lines = break_lines(text, chain, 10.0, w)
    assert "".join(lines) == text
    assert all(chain.width(l, 10.0) <= w + EPS for l in lines)
    for line in lines[1:]:
        assert line[0] not in NO_START, lines
    for line in lines[:-1]:
        assert line[-1] not in NO_END, lines


def test_kinsoku_moves_the_least(chain):
    assert break_lines("あいうえ。かきく", chain, 10.0, 40.0) == ["あいう", "え。かき", "く"]
    assert break_lines("あいう「えお」", chain, 10.0, 40.0) == ["あいう", "「えお」"]


def test_kinsoku_in_fit_text(chain):
    text = "住所の表記は、住民票のとおり（方書を含む）。"
    for w in range(50, 130, 7):
        fitted = fit_text(text, chain, style(7, min_size=7, max_lines=4), float(w), 40.0)
        assert "".join(fitted.lines) == text
        assert all(l[0] not in NO_START for l in fitted.lines[1:])
        assert all(l[-1] not in NO_END for l in fitted.lines[:-1])


# ------------------------------------------------------------------ variation sequences
def test_variation_sequence_moves_with_its_base(chain):
    # 」 may not start line 2, so the unit before it moves down: the whole 葛󠄀, not just VS17
    assert break_lines("あ" + KUZU + "」", chain, 10.0, 20.0) == ["あ", KUZU + "」"]


@pytest.mark.parametrize("em", range(1, 8))
def test_variation_sequences_never_split(chain, em):
    text = f"あ{KUZU}い{TSUJI}う{KUZU}{KUZU}」え{TSUJI}。"
    lines = break_lines(text, chain, 10.0, 10.0 * em)
    assert "".join(lines) == text
    for line in lines:
        assert not is_selector(line[0])
        for i, ch in enumerate(line):
            if is_selector(ch):
                assert line[i - 1] in ("\u845B", "\u8FBB")


# ------------------------------------------------------------------ newlines, determinism
def test_explicit_newlines_break(chain):
    fitted = fit_text("あいう\nえお", chain, style(7, max_lines=2), 200.0, 20.0)
    assert fitted.lines == ("あいう", "えお")
    assert fitted.size == 7


def test_explicit_newlines_and_wrapping_together(chain):
    fitted = fit_text("あいうえおかき\nく", chain, style(10, min_size=10, max_lines=3), 50.0, 40.0)
    assert fitted.lines == ("あいうえお", "かき", "く")


def test_more_newlines_than_lines_does_not_fit(chain):
    with pytest.raises(DoesNotFit):
        fit_text("あ\nい\nう", chain, style(7, max_lines=2), 200.0, 30.0)
    assert break_lines("あ\nい\nう", chain, 7.0, 200.0) == ["あ", "い", "う"]


def test_results_are_deterministic(chain):
    cases = [("あ" * 30, style(8, min_size=6, min_scale=0.8, max_lines=2), 100.0, 30.0),
             ("あ" * 20, style(9, min_size=6, min_scale=0.6), 100.0, 30.0),
             (f"{KUZU}西　明美", style(9, min_size=6, min_scale=0.6), 40.0, 12.0)]
    for text, st, w, h in cases:
        first = fit_text(text, chain, st, w, h)
        assert all(fit_text(text, chain, st, w, h) == first for _ in range(3))
