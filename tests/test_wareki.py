from datetime import date

import pytest

from docgen.wareki import (
    Wareki,
    anniversary,
    format_wareki,
    legal_age_date,
    parse_date,
    to_wareki,
)


@pytest.mark.parametrize("d, expected", [
    # each era's first day is its 元年, the day before belongs to the previous era
    (date(2019, 5, 1), Wareki("令和", 1, 5, 1)),
    (date(2019, 4, 30), Wareki("平成", 31, 4, 30)),
    (date(1989, 1, 8), Wareki("平成", 1, 1, 8)),
    (date(1989, 1, 7), Wareki("昭和", 64, 1, 7)),
    (date(1926, 12, 25), Wareki("昭和", 1, 12, 25)),
    (date(1926, 12, 24), Wareki("大正", 15, 12, 24)),
    (date(1912, 7, 30), Wareki("大正", 1, 7, 30)),
    (date(1912, 7, 29), Wareki("明治", 45, 7, 29)),
    (date(1868, 10, 23), Wareki("明治", 1, 10, 23)),
    (date(2026, 8, 1), Wareki("令和", 8, 8, 1)),
])
def test_to_wareki_boundaries(d, expected):
    assert to_wareki(d) == expected


def test_before_meiji_is_rejected():
    with pytest.raises(ValueError, match="before the start of 明治"):
        to_wareki(date(1868, 10, 22))


@pytest.mark.parametrize("d, long, padded, short", [
    (date(2026, 8, 1), "令和8年8月1日", "令和 8年 8月 1日", "R8.8.1"),
    (date(2019, 5, 1), "令和元年5月1日", "令和元年 5月 1日", "R1.5.1"),
    (date(2027, 12, 31), "令和9年12月31日", "令和 9年12月31日", "R9.12.31"),
    (date(1950, 4, 1), "昭和25年4月1日", "昭和25年 4月 1日", "S25.4.1"),
    (date(1989, 1, 8), "平成元年1月8日", "平成元年 1月 8日", "H1.1.8"),
    (date(1925, 11, 3), "大正14年11月3日", "大正14年11月 3日", "T14.11.3"),
    (date(1912, 7, 29), "明治45年7月29日", "明治45年 7月29日", "M45.7.29"),
])
def test_format_styles(d, long, padded, short):
    assert format_wareki(d) == long
    assert format_wareki(d, "padded") == padded
    assert format_wareki(d, "short") == short


def test_padded_dates_share_one_width():
    # 元 is full-width: two columns in a monospaced face, like two padded digits
    def columns(s: str) -> int:
        return sum(1 if c.isascii() else 2 for c in s)

    widths = {columns(format_wareki(d, "padded")) for d in (date(2019, 5, 1), date(2026, 8, 1), date(1950, 12, 31))}
    assert len(widths) == 1


def test_unknown_style():
    with pytest.raises(ValueError, match="unknown wareki style"):
        format_wareki(date(2026, 8, 1), "tiny")  # type: ignore[arg-type]


@pytest.mark.parametrize("text, expected", [
    ("2026-08-01", date(2026, 8, 1)),
    ("2026/08/01", date(2026, 8, 1)),
    ("2026/8/1", date(2026, 8, 1)),           # as spreadsheets export it
    ("20260801", date(2026, 8, 1)),
    ("  1950-04-01 ", date(1950, 4, 1)),
    ("昭和25年4月1日", date(1950, 4, 1)),
    ("令和元年5月1日", date(2019, 5, 1)),
    ("令和1年5月1日", date(2019, 5, 1)),
    ("令和 8年 8月 1日", date(2026, 8, 1)),    # the padded style reads back
    ("S25.4.1", date(1950, 4, 1)),
    ("H1.1.8", date(1989, 1, 8)),
    ("h1.1.8", date(1989, 1, 8)),
    ("昭和64年1月7日", date(1989, 1, 7)),      # last day of 昭和
    ("大正元年7月30日", date(1912, 7, 30)),
    ("明治45年7月29日", date(1912, 7, 29)),
    ("2024-02-29", date(2024, 2, 29)),
])
def test_parse_date(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("text, rule", [
    ("平成1年1月7日", "before the start of 平成"),   # 平成 starts 1989-01-08
    ("H1.1.7", "before the start of 平成"),
    ("昭和64年1月8日", "after the end of 昭和"),     # that day is 平成元年
    ("平成31年5月1日", "after the end of 平成"),
    ("令和0年5月1日", "era year must be 1 or more"),
    ("2025-02-29", "not a real calendar date"),
    ("20261301", "not a real calendar date"),
    ("令和7年2月29日", "not a real calendar date"),
    ("1868-10-22", "before the start of 明治"),
    ("２０２６－０８－０１", "digits must be ASCII"),
    ("昭和２５年４月１日", "digits must be ASCII"),
    ("2026-08/01", "not a recognised date format"),
    ("1950年4月1日", "not a recognised date format"),
    ("", "not a recognised date format"),
])
def test_parse_date_rejects_with_rule(text, rule):
    with pytest.raises(ValueError, match=rule) as exc:
        parse_date(text)
    # the message never carries the input (a date of birth is personal data)
    if text.strip():
        assert text.strip() not in str(exc.value)


@pytest.mark.parametrize("birth, years, anniv, legal", [
    (date(1956, 8, 2), 70, date(2026, 8, 2), date(2026, 8, 1)),
    (date(1957, 7, 1), 70, date(2027, 7, 1), date(2027, 6, 30)),   # born on the 1st: previous month
    (date(1952, 2, 29), 75, date(2027, 3, 1), date(2027, 2, 28)),  # common year: 1 March / 28 Feb
    (date(1960, 2, 29), 68, date(2028, 2, 29), date(2028, 2, 28)),  # leap year: the real birthday
    (date(2000, 3, 1), 1, date(2001, 3, 1), date(2001, 2, 28)),
])
def test_anniversary_and_legal_age(birth, years, anniv, legal):
    assert anniversary(birth, years) == anniv
    assert legal_age_date(birth, years) == legal
