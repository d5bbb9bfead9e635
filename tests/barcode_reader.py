"""Reads a customer barcode's bars back into its postal code and 住所表示番号.

Written from the manual, not from docgen.postal, so a test that decodes what docgen drew does not
trust docgen's own tables: p11 (bar patterns, in the manual's numbering 1 long, 2 semi-long upper,
3 semi-long lower, 4 timing), p12 (letters are CC1–CC3 and a digit; CC4 pads), p21 (check digit).
"""
from __future__ import annotations

_PATTERNS = {
    "114": "1", "132": "2", "312": "3", "123": "4", "141": "5", "321": "6", "213": "7", "231": "8",
    "411": "9", "144": "0", "414": "-", "324": "CC1", "342": "CC2", "234": "CC3", "432": "CC4",
    "243": "CC5", "423": "CC6", "441": "CC7", "111": "CC8",
}
_NUMBERING = {"F": "1", "A": "2", "D": "3", "T": "4"}
_VALUES = {**{str(d): d for d in range(10)}, "-": 10, **{f"CC{n}": 10 + n for n in range(1, 9)}}


def decode(bars: list[str]) -> tuple[str, str]:
    """(postal code "1020075", 住所表示番号 "4-1-25") from 67 bars "F"/"A"/"D"/"T"; AssertionError
    when the start, stop or check character is wrong. A number longer than 13 characters comes back
    as far as the barcode holds it."""
    digits = "".join(_NUMBERING[b] for b in bars)
    assert len(digits) == 67 and digits[:2] == "13" and digits[-2:] == "31", "start or stop code"
    chars = [_PATTERNS[digits[i:i + 3]] for i in range(2, 65, 3)]
    assert sum(_VALUES[c] for c in chars) % 19 == 0, "check digit"
    postal_code, address = "".join(chars[:7]), chars[7:20]
    number, i = "", 0
    while i < len(address) and address[i] != "CC4":
        if address[i] in ("CC1", "CC2", "CC3") and i + 1 == len(address):
            i += 1
            break             # p20: a letter's control code on the 13th place stays, its digit is cut
        if address[i] in ("CC1", "CC2", "CC3"):
            number += chr(ord("A") + 10 * (int(address[i][2]) - 1) + int(address[i + 1]))
            i += 2
        else:
            number += address[i]
            i += 1
    assert all(c == "CC4" for c in address[i:]), "padding"
    return postal_code, number
