"""住所表示番号: the address part of Japan Post's customer barcode (カスタマバーコード).

Rules from 日本郵便「郵便番号・バーコードマニュアル」, バーコードに必要な文字情報の抜き出し法
(https://www.post.japanpost.jp/zipcode/zipmanual/p17.html to p25.html):

* p17/p18: the address is split into 住所A (up to the 町域 name, which the postal code stands for)
  and 住所B (what follows). Only 住所B is read.
* p19 基本ルール: (1) lowercase letters become uppercase; (2) & / ・ . are removed and the rest
  closes up; (3) ASCII digits, hyphens and letters that stand alone (not in a run of letters) are
  kept; (4) anything else in front of a kept character becomes one hyphen; (5) runs of hyphens
  become one; (6) a leading hyphen is dropped.
* p19 補足ルール: (1) kanji numerals right before 丁目 丁 番地 番 号 地割 線 の ノ become digits
  and are kept; (2, 3) an "F" right after a digit (a floor) is not kept, but becomes a hyphen if
  something kept follows it; (4) hyphens next to a letter are dropped; (5) letters that then touch
  stay as they are.

The barcode reads 住所B, which `docgen.postal.towns` cuts off with Japan Post's town list
(KEN_ALL) where it has the postal code. For a code it does not have (the samples' fictional 000-xxxx)
the rules above are applied to the whole address; that gives the manual's result whenever the 町域
name holds no number the rules would keep. Where the text suggests that it does (三番町, 八丁堀,
一ノ橋, 麻布十番, 南1条西), or where the literal rules would silently drop a number a reader sees
(十番地之二), the address is reported as not readable: a wrong barcode sorts mail to the wrong
place, a missing one only loses the discount for one piece. So every answer is either exactly the
manual's 住所表示番号 or "not readable", never a third thing. The same guards apply to 住所B.
"""
from __future__ import annotations

import re

# --- Normalisation -----------------------------------------------------------------------------

# Full-width ASCII (！ to ～) to ASCII: full-width digits are 算用数字 too, and Ａ is a letter.
_FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
# Dashes people type between numbers. The long-vowel mark ー is among them: inside a katakana word
# it would become a hyphen under rule 4 anyway, so reading it as one changes nothing there.
_HYPHENS = "‐‑‒–—―−─━ーｰ﹘﹣⁃"
# Rule 2: removed before anything else, so "A&b" becomes the run of letters "AB".
_REMOVED = "&/.・･·"
_TRANSLATION = {
    **_FULL_WIDTH,
    **{ord(ch): "-" for ch in _HYPHENS},
    **{ord(ch): None for ch in _REMOVED},
    ord("\u3000"): " ",
}
# A postal code written in front of the address ("〒263-0023 千葉市…") is not part of it.
_LEADING_POSTAL_CODE = re.compile(r"\A\s*〒?\s*[0-9]{3}-?[0-9]{4}(?![0-9])")

# --- Kanji numerals (補足ルール 1) -----------------------------------------------------------------

_KANJI_DIGITS = {"〇": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_KANJI_MULTIPLIERS = {"十": 10, "百": 100, "千": 1000}
_KANJI_NUMERAL_CHARS = "".join(_KANJI_DIGITS) + "".join(_KANJI_MULTIPLIERS)
_KANJI_NUMERAL = f"[{_KANJI_NUMERAL_CHARS}]+"
# Longest first, so 丁目 wins over 丁 and 番地 over 番.
_UNITS = ("丁目", "丁", "番地", "番", "号", "地割", "線", "の", "ノ")
_UNIT = "(" + "|".join(_UNITS) + ")"
_CONVERTIBLE = re.compile(f"({_KANJI_NUMERAL}){_UNIT}")
# Old-style and other numerals the manual's examples never show: 埼玉県上尾市大字壱丁目 is a town name.
_OTHER_NUMERALS = "壱弐参肆伍陸漆捌玖拾廿卅萬万零"
_OTHER_NUMERAL_BEFORE_UNIT = re.compile(f"[{_OTHER_NUMERALS}]+{_UNIT}")

# --- Signs that the 町域 name holds a number (rules of this module, not of the manual) -----------

# After a converted "三番", "八丁", "一ノ" a place-name character means the numeral is part of a
# name (三番町, 八丁堀, 一ノ橋). 地割 and 線 are exempt: the manual's own examples follow them with
# a 小字 (第二十一地割大淵川480) or a blank (南七線　西28).
_UNITS_FOLLOWED_BY_NAMES = ("地割", "線")
# Building words that legitimately follow a unit (六号館, 三〇一号室, 二号棟, 一番館), and the
# connectors of 一番地の二 / 十番地之二, which the dropped-numeral check looks at instead.
_ALLOWED_AFTER_UNIT = {"号": "室館棟", "番": "館"}
_CONNECTORS = "のノ之"
# "十番1丁目" (麻布十番) or "一の2": a kanji numeral whose unit is followed by an ASCII digit is a
# name written before a number, not part of an all-kanji 番地.
_UNITS_NOT_BEFORE_DIGITS = ("番", "の", "ノ")
# 丁目 after 番 or 号 means the 番 belonged to a name: 麻布十番1丁目.
_UNIT_RANK = {"丁目": 1, "丁": 1, "番地": 2, "番": 2, "号": 3}
_RANKED_UNIT = re.compile(r"[0-9]+(丁目|丁|番地|番|号)")
# Hokkaido 条 districts (南1条西, 旭川市4条通) are 町域 names; in kanji the rules already skip them.
_DIGITS_BEFORE_JO = re.compile(r"[0-9]条")
# A kanji numeral left unconverted in these surroundings belongs to an address number the rules
# would drop (十番地之二 → "10", 一番地の二 → "1", 十之二番地 → "2", 三○一号 → "1"); 一之江 is a name.
_DROPPED_NUMERAL = re.compile(
    f"(?<=[-0-9之○◯目丁番地号割線のノ]){_KANJI_NUMERAL}"
    f"|{_KANJI_NUMERAL}(?=[-0-9○◯]|之[0-9{_KANJI_NUMERAL_CHARS}])")

# --- Extraction (基本ルール 3 to 6, 補足ルール 2 to 5) --------------------------------------------

_TOKEN = re.compile(r"(?P<digits>[0-9]+)|(?P<hyphen>-)|(?P<letters>[A-Z]+)|(?P<other>.)", re.DOTALL)
_FLOOR = "F"


class AddressNotReadable(ValueError):
    """The 住所表示番号 (or the postal code) cannot be read reliably; no barcode should be printed.

    `rule` is a short stable name for scripts. Messages name the rule only: addresses are personal
    data and must not end up in logs.
    """

    def __init__(self, rule: str, detail: str) -> None:
        super().__init__(f"{rule}: {detail}")
        self.rule = rule


def address_number(address: str) -> str | None:
    """The 住所表示番号 of `address` ("3-30-8-403"), "" if it has no number, None if not readable."""
    try:
        return read_address_number(address)
    except AddressNotReadable:
        return None


def read_address_number(address: str) -> str:
    """As `address_number`, but raises AddressNotReadable naming the rule that refused it."""
    text = _LEADING_POSTAL_CODE.sub("", address.translate(_TRANSLATION)).upper()
    if not text.strip():
        raise AddressNotReadable("blank-address", "there is no address to read")
    if _DIGITS_BEFORE_JO.search(text):
        raise AddressNotReadable("jo-district", "a number before 条 is part of a 町域 name")
    if _OTHER_NUMERAL_BEFORE_UNIT.search(text):
        raise AddressNotReadable("old-numeral", "a numeral such as 壱 or 万 stands before an address unit")
    text = _CONVERTIBLE.sub(_convert_before_unit, text)
    _check_no_dropped_numerals(text)
    _check_unit_order(text)
    return _extract(text)


def _convert_before_unit(match: re.Match[str]) -> str:
    """補足ルール 1, refusing numerals that look like part of a place name."""
    unit = match.group(2)
    following = match.string[match.end():match.end() + 1]
    if unit not in _UNITS_FOLLOWED_BY_NAMES and _is_name_character(following) \
            and following not in _ALLOWED_AFTER_UNIT.get(unit, "") + _CONNECTORS:
        raise AddressNotReadable(
            "place-name-numeral", f"a kanji numeral with {unit} is followed by a name (as in 三番町)")
    if unit in _UNITS_NOT_BEFORE_DIGITS and following.isascii() and following.isdigit():
        raise AddressNotReadable(
            "place-name-numeral", f"a kanji numeral with {unit} is followed by digits (as in 十番1丁目)")
    return kanji_to_digits(match.group(1)) + unit


def _is_name_character(ch: str) -> bool:
    return ch.isalpha() and not ch.isascii() and ch not in _KANJI_NUMERAL_CHARS


def kanji_to_digits(numeral: str) -> str:
    """Kanji numeral to ASCII digits: 二十三 → "23", 百五 → "105", 三〇一 → "301", 二一 → "21".

    Raises AddressNotReadable for forms that are not a number (十十, 二三十, 〇十).
    """
    if not any(ch in _KANJI_MULTIPLIERS for ch in numeral):
        return "".join(str(_KANJI_DIGITS[ch]) for ch in numeral)   # positional: 三〇一
    total, digit, last_multiplier = 0, None, 10_000
    for ch in numeral:
        if ch in _KANJI_DIGITS:
            if digit is not None or _KANJI_DIGITS[ch] == 0:
                raise AddressNotReadable("kanji-numeral", "a kanji numeral is not a well-formed number")
            digit = _KANJI_DIGITS[ch]
        else:
            multiplier = _KANJI_MULTIPLIERS[ch]
            if multiplier >= last_multiplier:
                raise AddressNotReadable("kanji-numeral", "a kanji numeral is not a well-formed number")
            total += (1 if digit is None else digit) * multiplier
            digit, last_multiplier = None, multiplier
    return str(total + (digit or 0))


def _check_no_dropped_numerals(text: str) -> None:
    if _DROPPED_NUMERAL.search(text):
        raise AddressNotReadable(
            "dropped-numeral", "a kanji numeral in the address number is not before 丁目/番地/号/の "
                               "and the rules would drop it")


def _check_unit_order(text: str) -> None:
    highest = 0
    for match in _RANKED_UNIT.finditer(text):
        rank = _UNIT_RANK[match.group(1)]
        if rank == 1 and highest > 1:
            raise AddressNotReadable("unit-order", "丁目 comes after 番 or 号, so the 番 belongs to a name")
        highest = max(highest, rank)


def _extract(text: str) -> str:
    """基本ルール 3 to 6 and 補足ルール 2 to 5 on normalised text with kanji numerals converted."""
    tokens = [(m.lastgroup, m.group()) for m in _TOKEN.finditer(text)]
    kept: list[str] = []
    for i, (kind, value) in enumerate(tokens):
        if kind == "digits" or kind == "hyphen":
            kept.append(value)
        elif kind == "letters" and len(value) == 1:
            if value == _FLOOR and i and tokens[i - 1][0] == "digits":
                # 補足ルール 2/3: a floor; a hyphen only if something kept follows.
                kept.append("-" if any(_is_kept(t) for t in tokens[i + 1:]) else "")
            else:
                kept.append(value)
        else:
            kept.append("-")   # 基本ルール 4; trailing ones go below
    joined = re.sub("-+", "-", "".join(kept)).strip("-")           # 基本ルール 5, 6
    return re.sub("-?([A-Z])-?", r"\1", joined)                     # 補足ルール 4, 5


def _is_kept(token: tuple[str | None, str]) -> bool:
    kind, value = token
    return kind in ("digits", "hyphen") or (kind == "letters" and len(value) == 1)
