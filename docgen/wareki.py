"""Japanese era dates (和暦): conversion, the three printed styles, parsing, legal age.

Every date on these documents prints in the era calendar, and people over 100 were born in
大正, so the era boundaries are exact to the day. Error messages name the rule broken and never
repeat the input: dates of birth are personal data.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Literal, NamedTuple


class Era(NamedTuple):
    name: str
    initial: str  # the letter of the short style ("R8.8.1")
    start: date


# Newest first, so the first era whose start is on or before a date is that date's era.
ERAS: tuple[Era, ...] = (
    Era("令和", "R", date(2019, 5, 1)),
    Era("平成", "H", date(1989, 1, 8)),
    Era("昭和", "S", date(1926, 12, 25)),
    Era("大正", "T", date(1912, 7, 30)),
    Era("明治", "M", date(1868, 10, 23)),
)
_BY_NAME = {e.name: e for e in ERAS}
_BY_INITIAL = {e.initial: e for e in ERAS}


@dataclass(frozen=True)
class Wareki:
    era: str    # 令和, 平成, 昭和, 大正 or 明治
    year: int   # 1 is printed 元年
    month: int
    day: int


def to_wareki(d: date) -> Wareki:
    """The era date of a (Gregorian) date.

    Dates before 明治 (1868-10-23) raise ValueError; they cannot occur on these documents. For
    明治 1–5 the month and day are the Gregorian ones (Japan used the lunisolar calendar until
    1872), which is also what the registries do; no living person is affected.
    """
    era, year = _era_year(d)
    return Wareki(era.name, year, d.month, d.day)


def _era_year(d: date) -> tuple[Era, int]:
    """The era of a date and the year in it (1 for 元年)."""
    for era in ERAS:
        if d >= era.start:
            return era, d.year - era.start.year + 1
    raise ValueError("date is before the start of 明治 (1868-10-23), the earliest supported era")


def format_wareki(d: date, style: Literal["long", "padded", "short"] = "long") -> str:
    """A date as printed on a document.

    - "long":   令和8年8月1日, 令和元年5月1日
    - "padded": 令和 8年 8月 1日, 令和元年 5月 1日 — year, month and day right-aligned to two
      columns with ASCII spaces, so dates line up in a monospaced face (BIZ UD Gothic); "元" is
      full-width, i.e. two columns, so 元年 lines up too.
    - "short":  R8.8.1, R1.5.1 — era initial, no padding, and no 元 (systems write R1).
    """
    era, n = _era_year(d)     # not to_wareki: every card prints four dates, and no Wareki is cheaper
    if style == "long":
        return f"{era.name}{'元' if n == 1 else n}年{d.month}月{d.day}日"
    if style == "short":
        return f"{era.initial}{n}.{d.month}.{d.day}"
    if style == "padded":
        return f"{era.name}{'元' if n == 1 else f'{n:>2}'}年{d.month:>2}月{d.day:>2}日"
    raise ValueError("unknown wareki style: use long, padded or short")


_WESTERN = re.compile(r"(?P<y>[0-9]{4})(?P<sep>[-/])(?P<m>[0-9]{1,2})(?P=sep)(?P<d>[0-9]{1,2})")
_COMPACT = re.compile(r"(?P<y>[0-9]{4})(?P<m>[0-9]{2})(?P<d>[0-9]{2})")
_ERA_LONG = re.compile(r"(令和|平成|昭和|大正|明治)\s*(元|[0-9]{1,2})\s*年\s*([0-9]{1,2})\s*月\s*([0-9]{1,2})\s*日")
_ERA_SHORT = re.compile(r"([RHSTMrhstm])([0-9]{1,2})\.([0-9]{1,2})\.([0-9]{1,2})")

_FORMATS = "YYYY-MM-DD, YYYY/MM/DD, YYYYMMDD, 令和8年8月1日 or R8.8.1"


def _calendar_date(year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError("not a real calendar date") from None


def _from_era(era: Era, year: int, month: int, day: int) -> date:
    if year < 1:
        raise ValueError(f"era year must be 1 or more (the first year of {era.name} is 元年)")
    d = _calendar_date(era.start.year + year - 1, month, day)
    if d < era.start:
        raise ValueError(f"date is before the start of {era.name}")
    if _era_year(d)[0] is not era:
        raise ValueError(f"date is after the end of {era.name}")
    return d


@lru_cache(maxsize=4096)     # a file's issue and acquisition dates repeat on every row
def parse_date(text: str) -> date:
    """A date from a record field.

    Accepts 2026-08-01, 2026/8/1 (the form spreadsheets write), 20260801, 昭和25年4月1日,
    令和元年5月1日 (spaces allowed, so padded dates read back) and S25.4.1. Digits must be ASCII:
    converting full-width input is the data supplier's job, not a guess made here. An era date
    must lie inside its era (平成1年1月7日 and 昭和64年1月8日 do not exist).
    """
    s = text.strip()
    if m := _WESTERN.fullmatch(s) or _COMPACT.fullmatch(s):
        d = _calendar_date(int(m["y"]), int(m["m"]), int(m["d"]))
        _era_year(d)  # rejects dates before 明治
        return d
    if m := _ERA_LONG.fullmatch(s):
        year = 1 if m[2] == "元" else int(m[2])
        return _from_era(_BY_NAME[m[1]], year, int(m[3]), int(m[4]))
    if m := _ERA_SHORT.fullmatch(s):
        return _from_era(_BY_INITIAL[m[1].upper()], int(m[2]), int(m[3]), int(m[4]))
    if any(c.isdecimal() and not c.isascii() for c in s):
        raise ValueError("digits must be ASCII (half-width)")
    raise ValueError(f"not a recognised date format ({_FORMATS})")


def anniversary(birth: date, years: int) -> date:
    """The date `years` years after `birth`; a 29 February falls on 1 March in common years.

    This is the rule of 民法143条 that the age law applies: a period counted in years from
    29 February ends on 28 February in a common year, so the next day starts the new year.
    """
    try:
        return birth.replace(year=birth.year + years)
    except ValueError:  # 29 February in a common year
        return date(birth.year + years, 3, 1)


def age_on(birth: date, day: date) -> int:
    """Age in completed years on a day (a birthday counts from the day itself)."""
    years = day.year - birth.year
    return years if anniversary(birth, years) <= day else years - 1


def legal_age_date(birth: date, years: int) -> date:
    """The day a person legally reaches an age: the day before the birthday (年齢計算ニ関スル法律).

    Administration counts "70歳に達する日" this way, which is why people born on the 1st change
    status a month earlier than others born in the same month.
    """
    return anniversary(birth, years) - timedelta(days=1)
