"""An insurer's 外字 table: what each private-use code point (U+E000–U+F8FF) of its exports means.

Legacy 住基/基幹 systems write 外字 as private-use code points, each insurer with its own meaning,
so a record holding one cannot be printed until the insurer says what it stands for. The table
(a YAML file the insurer profile names with `gaiji:`) maps each code point to
  char: 髙                 one standard character,
  ivs: U+845B U+E0100      an ideographic variation sequence (base, then selector), or
  mj: MJ022336             an MJ文字図形名, printed as the character or sequence by which IPAmj明朝
                           reaches that glyph (its variation sequence where it has one).
Records are mapped before any rule looks at them; a private-use code point the table does not
hold is left as it is, and the record is rejected for it by the glyph check, naming the code point.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from docgen.records.source import SourceRecord

PRIVATE_USE = range(0xE000, 0xF900)
_PRIVATE_USE_CHAR = re.compile("[\ue000-\uf8ff]")
_CODE = re.compile(r"U\+([0-9A-Fa-f]{4,6})")
_MJ = re.compile(r"MJ[0-9]{6}")
_KINDS = ("char", "ivs", "mj")


def _is_selector(cp: int) -> bool:
    return 0xFE00 <= cp <= 0xFE0F or 0xE0100 <= cp <= 0xE01EF


class GaijiTableError(ValueError):
    """A 外字 table that cannot be used; the message names the file and the code point's entry."""


@dataclass(frozen=True)
class GaijiTable:
    """The loaded table: each private-use character with the text it stands for."""

    source: Path
    chars: dict[str, str]

    def apply(self, src: SourceRecord) -> SourceRecord:
        """The record with every mapped private-use character replaced; others are left as they are."""
        if not any(v and _PRIVATE_USE_CHAR.search(v) for v in src.fields.values()):
            return src
        mapped = {name: _PRIVATE_USE_CHAR.sub(lambda m: self.chars.get(m.group(), m.group()), value) if value else value
                  for name, value in src.fields.items()}
        return replace(src, fields=mapped)


def load_gaiji_table(path: Path, data: Any, mj_font: Path | None) -> GaijiTable:
    """Check and resolve a table read from `path` (`data`: its parsed YAML). `mj_font` is the font
    file MJ文字図形名 are looked up in (IPAmj明朝), None when the fonts have none."""
    if not isinstance(data, dict) or set(data) != {"gaiji"} or not isinstance(data["gaiji"], dict) \
            or not data["gaiji"]:
        raise GaijiTableError(f"{path}: expected one key 'gaiji' holding 'U+E000: {{char: 髙}}' entries")
    chars: dict[str, str] = {}
    mj_wanted: dict[str, str] = {}
    for key, entry in data["gaiji"].items():
        where = f"{path}: gaiji.{key}"
        code = _private_use(key, where)
        if not isinstance(entry, dict) or len(entry) != 1 or next(iter(entry)) not in _KINDS \
                or not isinstance(next(iter(entry.values())), str):
            raise GaijiTableError(f"{where}: expected exactly one of char, ivs, mj with a text value")
        kind, value = next(iter(entry.items()))
        if kind == "mj":
            if not _MJ.fullmatch(value):
                raise GaijiTableError(f"{where}: mj: expected an MJ文字図形名 such as MJ022336")
            mj_wanted[code] = value
        else:
            chars[code] = _char(value, where) if kind == "char" else _ivs(value, where)
    if mj_wanted:
        chars.update(_mj_texts(mj_wanted, path, mj_font))
    return GaijiTable(source=path, chars=chars)


def _private_use(key: object, where: str) -> str:
    match = _CODE.fullmatch(key) if isinstance(key, str) else None
    if not match or int(match.group(1), 16) not in PRIVATE_USE:
        raise GaijiTableError(f"{where}: the key must be a private-use code point U+E000 to U+F8FF, written U+E000")
    return chr(int(match.group(1), 16))


def _char(value: str, where: str) -> str:
    if len(value) != 1 or ord(value) in PRIVATE_USE or _is_selector(ord(value)) or not value.isprintable():
        raise GaijiTableError(f"{where}: char: expected one standard character (not private-use, not a "
                              "selector); a variation sequence is written ivs: U+845B U+E0100")
    return value


def _ivs(value: str, where: str) -> str:
    parts = value.split()
    codes = [_CODE.fullmatch(p) for p in parts]
    if len(parts) != 2 or not all(codes):
        raise GaijiTableError(f"{where}: ivs: expected a base and a selector, written U+845B U+E0100")
    base, selector = (int(m.group(1), 16) for m in codes if m)
    if not _is_selector(selector) or _is_selector(base) or base in PRIVATE_USE or not chr(base).isprintable():
        raise GaijiTableError(f"{where}: ivs: expected a base character and a variation selector "
                              "(U+FE00–U+FE0F, U+E0100–U+E01EF)")
    return chr(base) + chr(selector)


def _mj_texts(wanted: dict[str, str], path: Path, font: Path | None) -> dict[str, str]:
    """Each MJ文字図形名 as the text IPAmj明朝 draws it for: its variation sequence, else its code point."""
    if font is None:
        raise GaijiTableError(f"{path}: mj entries need the font family mj-mincho (IPAmj明朝) in fonts.yaml")
    from fontTools.ttLib import TTFont   # only for tables with mj entries

    with TTFont(font, lazy=True) as tt:
        reach: dict[str, str] = {}
        for table in tt["cmap"].tables:
            if table.format == 14:
                for selector, pairs in table.uvsDict.items():
                    for base, glyph in pairs:
                        if glyph is not None:
                            reach.setdefault(glyph, chr(base) + chr(selector))
        for cp, glyph in (tt.getBestCmap() or {}).items():
            reach.setdefault(glyph, chr(cp))
    texts = {}
    for code, name in wanted.items():
        text = reach.get(name.lower())
        if text is None:
            raise GaijiTableError(f"{path}: gaiji.U+{ord(code):04X}: mj: {name} is no glyph that {font.name} "
                                  "reaches by a character or a variation sequence")
        texts[code] = text
    return texts
