"""Japan Post customer barcode (カスタマバーコード): characters, bars, and drawing with ReportLab.

Bulk mail with this barcode under the recipient's name gets a discount. Source: 日本郵便
「郵便番号・バーコードマニュアル」 (https://www.post.japanpost.jp/zipcode/zipmanual/):

* p12: start code, 7-digit postal code, 13 characters of 住所表示番号 (padded with CC4, or cut at 13
  even when a letter's control code lands on the 13th), check digit, stop code. A letter is a control
  code plus a digit: A–J = CC1 0–9, K–T = CC2 0–9, U–Z = CC3 0–5.
* p21: check digit = the character whose value makes the sum over postal code and address characters
  a multiple of 19 (0–9 are worth 0–9, "-" 10, CC1–CC8 11–18).
* p11: each character is three of four bar shapes, start and stop codes two.
* p12: at 10 pt (a = 10) a long bar is 3.6 mm, a timing bar 1.2 mm, pitch 1.2 mm, bar 0.6 mm;
  8 ≤ a ≤ 11.5 is allowed.
* p13: at least 2 mm clear on every side.
"""
from __future__ import annotations

import re
from functools import lru_cache

from reportlab.lib.rl_accel import fp_str
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.pdfgen.pathobject import PDFPathObject

from docgen.postal import towns
from docgen.postal.address_number import AddressNotReadable, read_address_number

START, STOP = "STC", "SPC"
PAD = "CC4"
ADDRESS_LENGTH = 13
POSTAL_LENGTH = 7

# Check values (p21): the character for a check value is the character with that value.
_VALUES = {**{str(d): d for d in range(10)}, "-": 10, **{f"CC{n}": 10 + n for n in range(1, 9)}}
_CHARACTERS = {value: ch for ch, value in _VALUES.items()}

# Letters (p12): A–J → CC1, K–T → CC2, U–Z → CC3, followed by the letter's place in its group.
_LETTERS = {chr(ord("A") + i): (f"CC{1 + i // 10}", str(i % 10)) for i in range(26)}

# Bar patterns in the manual's numbering (p11, a figure): 1 long, 2 semi-long upper, 3 semi-long
# lower, 4 timing. Cross-checked against shimoning/postal-customer-barcode (src/Constants/Number.php,
# Control.php) and tokushima/tt-barcode (test/CustomerBarcode/customer_barcode.php).
_PATTERNS = {
    "1": "114", "2": "132", "3": "312", "4": "123", "5": "141",
    "6": "321", "7": "213", "8": "231", "9": "411", "0": "144",
    "-": "414", "CC1": "324", "CC2": "342", "CC3": "234", "CC4": "432",
    "CC5": "243", "CC6": "423", "CC7": "441", "CC8": "111",
    START: "13", STOP: "31",
}
# F full (long), A ascender (semi-long upper), D descender (semi-long lower), T tracker (timing).
_BAR_NAMES = {"1": "F", "2": "A", "3": "D", "4": "T"}
BAR_COUNT = 2 + (POSTAL_LENGTH + ADDRESS_LENGTH + 1) * 3 + 2   # 67

# Dimensions at 10 pt (p12), in mm. A semi-long bar is the timing bar plus one of the two extensions.
BAR_WIDTH_MM = 0.6
BAR_PITCH_MM = 1.2
LONG_BAR_MM = 3.6
TIMING_BAR_MM = 1.2
SEMI_LONG_BAR_MM = (LONG_BAR_MM + TIMING_BAR_MM) / 2   # 2.4
QUIET_ZONE_MM = 2.0                                    # p13, each side
MIN_SCALE, MAX_SCALE = 0.8, 1.15                       # 8 ≤ a ≤ 11.5 points
# (distance of the bar's top below the symbol's top, length), in mm at 10 pt.
_BAR_EXTENT_MM = {
    "F": (0.0, LONG_BAR_MM),
    "A": (0.0, SEMI_LONG_BAR_MM),
    "D": (LONG_BAR_MM - SEMI_LONG_BAR_MM, SEMI_LONG_BAR_MM),
    "T": ((LONG_BAR_MM - TIMING_BAR_MM) / 2, TIMING_BAR_MM),
}

_POSTAL_TRANSLATION = {**{code: code - 0xFEE0 for code in range(0xFF10, 0xFF1A)},
                       **{ord(ch): "-" for ch in "－‐‑−ー"}}
_POSTAL_CODE = re.compile(r"〒?\s*([0-9]{3})-?([0-9]{4})")


def normalise_postal_code(postal_code: str) -> str:
    """Seven ASCII digits from "1234567", "123-4567" or full-width; AddressNotReadable otherwise.

    Codes ending in 00 are a municipality's representative code (「以下に掲載がない場合」), for which
    the manual (p18) says no barcode is printed.
    """
    text = postal_code.strip().translate(_POSTAL_TRANSLATION)
    match = _POSTAL_CODE.fullmatch(text)
    if not match:
        raise AddressNotReadable("postal-code", "the postal code is not 7 digits (123-4567)")
    digits = match.group(1) + match.group(2)
    if digits.endswith("00"):
        raise AddressNotReadable("representative-postal-code",
                                 "a postal code ending in 00 is a representative code; no barcode")
    return digits


def encode(postal_code: str, address: str) -> list[str]:
    """The barcode's characters: "STC", 7 digits, 13 address characters, check digit, "SPC"."""
    digits = normalise_postal_code(postal_code)
    data = list(digits)
    address_chars: list[str] = []
    for ch in barcode_address_number(digits, address):
        address_chars.extend(_LETTERS.get(ch, (ch,)))
    address_chars = address_chars[:ADDRESS_LENGTH]                 # p12: a CC1–3 on the 13th stays
    data += address_chars + [PAD] * (ADDRESS_LENGTH - len(address_chars))
    return [START, *data, check_character(data), STOP]


def barcode_address_number(digits: str, address: str) -> str:
    """The 住所表示番号 the barcode carries for the 7-digit postal code `digits`.

    Where KEN_ALL has the code, it is read from 住所B as the manual says (p17 to p19), and an
    address that does not hold the code's town name is refused ("town-mismatch"); a large office's
    own code carries no address number (p22: 13 × CC4). A code KEN_ALL does not have (the samples'
    fictional 000-xxxx) is read from the whole address, refusing town names that look numbered.
    """
    area = towns.lookup(digits)
    if area is None:
        return read_address_number(address)
    if area.office:
        return ""
    rest = towns.address_b(area, address)
    return read_address_number(rest) if rest.strip() else ""


def check_character(data: list[str]) -> str:
    """p21: the character that brings the sum of check values to a multiple of 19."""
    return _CHARACTERS[-sum(_VALUES[ch] for ch in data) % 19]


def bars(postal_code: str, address: str) -> list[str]:
    """The 67 bars, left to right, each "F", "A", "D" or "T"."""
    return [_BAR_NAMES[b] for ch in encode(postal_code, address) for b in _PATTERNS[ch]]


def symbol_size_mm(scale: float = 1.0) -> tuple[float, float]:
    """(width, height) of the bars alone; add QUIET_ZONE_MM × scale on every side for layout."""
    _check_scale(scale)
    return ((BAR_COUNT - 1) * BAR_PITCH_MM + BAR_WIDTH_MM) * scale, LONG_BAR_MM * scale


def draw(canvas: Canvas, x_mm: float, y_mm: float, bar_seq: list[str], scale: float = 1.0) -> None:
    """Draw `bar_seq` (from `bars`) in pure K with its top-left corner at (x_mm, y_mm).

    Coordinates are millimetres from the page's top-left corner, as layouts measure them: x_mm is
    the left edge of the first bar, y_mm the top of the long bars. The page height comes from
    canvas._pagesize. The quiet zone is not drawn; the caller keeps QUIET_ZONE_MM clear around it.
    `scale` is a/10 for an a-point symbol (0.8 to 1.15).
    """
    _check_scale(scale)
    unknown = set(bar_seq) - set(_BAR_EXTENT_MM)
    if unknown:
        raise ValueError(f"bar symbols must be F, A, D or T, got {sorted(unknown)}")
    if len(bar_seq) > BAR_COUNT:
        raise ValueError(f"a customer barcode has at most {BAR_COUNT} bars, got {len(bar_seq)}")
    rects = _bar_rects(x_mm, y_mm, scale, canvas._pagesize[1])
    path = PDFPathObject(["n", " ".join([rects[i][bar] for i, bar in enumerate(bar_seq)])])
    canvas.saveState()
    canvas.setFillColorCMYK(0, 0, 0, 1)   # print shops want bars in K only
    canvas.drawPath(path, stroke=0, fill=1)
    canvas.restoreState()


@lru_cache(maxsize=16)
def _bar_rects(x_mm: float, y_mm: float, scale: float, page_height: float) -> tuple[dict[str, str], ...]:
    """Each bar position's `re` operator for each bar shape: an element's bars stand in the same
    places on every page, so a symbol is looked up, not formatted, bar by bar."""
    return tuple({bar: "%s re" % fp_str(((x_mm + i * BAR_PITCH_MM * scale) * mm,
                                         page_height - (y_mm + (offset + length) * scale) * mm,
                                         BAR_WIDTH_MM * scale * mm, length * scale * mm))
                  for bar, (offset, length) in _BAR_EXTENT_MM.items()}
                 for i in range(BAR_COUNT))


def _check_scale(scale: float) -> None:
    if not MIN_SCALE <= scale <= MAX_SCALE:
        raise ValueError(f"scale must be between {MIN_SCALE} and {MAX_SCALE} (8 to 11.5 pt), got {scale}")
