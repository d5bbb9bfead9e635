"""有効期限 derivation against seed 003's tables (renewal S = 2026-08-01, E = 2027-07-31), for the
renewal run (documents issued before S); tests/test_rules.py has the mid-year issues."""
from datetime import date

import pytest

from docgen.expiry import RenewalYear, RenewalYearFrom70, RenewalYearWithAgeLimits, YearsFromIssue, renewal_end, timeline

S = date(2026, 8, 1)
E = date(2027, 7, 31)


def _derive(rule, birth: date, s: date, issue: date | None = None, **values) -> date | None:
    values = {"birth_date": birth, "issue_date": issue or s, **values}
    return rule.derive(values, timeline(values, s))


# the rules as the scheme files name them: kokuho's card (no ratio stated: a card that states the
# 70–74 ratio runs to E, tests/test_rules.py) and notice (ratio stated for the 高齢受給者 on S), kouki's, kenpo's
def kokuho_card_expiry(birth: date, s: date, residence_end: date | None = None) -> date | None:
    return _derive(RenewalYearWithAgeLimits(rule="renewal-year-age-limits"), birth, s,
                   residence_end_date=residence_end)


def kokuho_notice_expiry(birth: date, s: date) -> date | None:
    line = timeline({"birth_date": birth}, s)
    ratio = {"copay_ratio": "2"} if line.elderly_on(s) else {}
    return _derive(RenewalYearFrom70(rule="renewal-year-from-70"), birth, s, **ratio)


def kouki_expiry(s: date) -> date | None:
    return _derive(RenewalYear(rule="renewal-year"), date(1940, 1, 1), s)


def kenpo_expiry(birth: date, issue: date, years: int) -> date | None:
    return _derive(YearsFromIssue(rule="years-from-issue", years=years), birth, issue, issue)


def test_renewal_end():
    assert renewal_end(S) == E
    assert renewal_end(date(2027, 8, 1)) == date(2028, 7, 31)


@pytest.mark.parametrize("birth, residence_end, expected", [
    # Row 1: turns 75 on or before E → the day before the 75th birthday
    (date(1952, 7, 31), None, date(2027, 7, 30)),   # legally 75 on 07-30
    (date(1952, 8, 1), None, date(2027, 7, 31)),    # legally 75 on E itself: the last one in row 1
    (date(1952, 8, 2), None, E),                    # legally 75 on 08-01, after E: everyone else
    (date(1951, 9, 15), None, date(2026, 9, 14)),   # 75 early in the period
    (date(1951, 8, 2), None, date(2026, 8, 1)),     # 75th birthday 08-02: a one-day card
    (date(1952, 2, 29), None, date(2027, 2, 28)),   # 2027 has no 02-29: birthday counts as 03-01
    # Row 2: turns 70 (legal age date) from S to 2027-07-01 → end of the month of that date
    (date(1956, 8, 1), None, E),                    # legally 70 on 07-31, before S: has the ratio
    (date(1956, 8, 2), None, date(2026, 8, 31)),    # legally 70 on S: ratio from 09-01
    (date(1956, 9, 1), None, date(2026, 8, 31)),    # born on the 1st: end of the month before
    (date(1956, 9, 2), None, date(2026, 9, 30)),    # end of the birthday month
    (date(1957, 1, 15), None, date(2027, 1, 31)),
    (date(1957, 3, 1), None, date(2027, 2, 28)),    # born on the 1st, February of a common year
    (date(1957, 7, 1), None, date(2027, 6, 30)),    # born on the 1st: June, not July
    (date(1957, 7, 2), None, date(2027, 7, 31)),    # legally 70 on 07-01, the seed's last day: E
    (date(1957, 7, 3), None, E),                    # legally 70 on 07-02: past the row, still E
    (date(1957, 8, 1), None, E),                    # legally 70 on E: everyone else
    # 70 or over at S, not in row 2 → E
    (date(1954, 5, 10), None, E),                   # 72 at S
    # Row 3: foreign national, end of stay on or before E − 2 days → the day after it
    (date(1990, 1, 1), date(2027, 7, 29), date(2027, 7, 30)),  # the seed's boundary
    (date(1990, 1, 1), date(2027, 7, 30), E),                  # the day after is E itself
    (date(1990, 1, 1), date(2026, 12, 15), date(2026, 12, 16)),
    (date(1990, 1, 1), date(2029, 3, 31), E),                  # stays past the period
    # Several rows: the earliest wins
    (date(1956, 10, 10), date(2026, 12, 15), date(2026, 10, 31)),  # 70 before the end of stay
    (date(1956, 10, 10), date(2026, 9, 30), date(2026, 10, 1)),    # end of stay before 70
    (date(1952, 3, 10), date(2027, 5, 1), date(2027, 3, 9)),       # 75 before the end of stay
    # Row 4: everyone else → E
    (date(1990, 1, 1), None, E),
    (date(2026, 7, 20), None, E),                   # a newborn
])
def test_kokuho_card(birth, residence_end, expected):
    assert kokuho_card_expiry(birth, S, residence_end) == expected


@pytest.mark.parametrize("birth, expected", [
    # Row 1: turns 75 on or before E → the day before the 75th birthday
    (date(1952, 7, 31), date(2027, 7, 30)),
    (date(1952, 8, 1), date(2027, 7, 31)),
    (date(1952, 2, 29), date(2027, 2, 28)),
    (date(1952, 8, 2), E),                 # not 75 in the period, but 70+ at S: row 2
    # Row 2: 70 or over on S, read as 高齢受給者 on S (the notice states the ratio) → E
    (date(1954, 5, 10), E),                # 72
    (date(1956, 8, 1), E),                 # legally 70 on 2026-07-31: 高齢受給者 from S
    # legally 70 on S itself, but 高齢受給者 only from 09-01 (the month after): the same rule as
    # the card, which ends 08-31 without the ratio; stated, the ratio gives E (tests/test_rules.py)
    (date(1956, 8, 2), None),
    # Row 3: everyone else → no expiry (under-70 notices are not renewed yearly)
    (date(1956, 8, 3), None),              # legally 70 on 08-02, a day late
    (date(1957, 7, 1), None),              # turns 70 in the period: the card has a row, the notice not
    (date(1990, 1, 1), None),
])
def test_kokuho_notice(birth, expected):
    assert kokuho_notice_expiry(birth, S) == expected


def test_another_renewal_year():
    s, e = date(2027, 8, 1), date(2028, 7, 31)
    card = [
        (date(1953, 7, 31), None, date(2028, 7, 30)),   # 75
        (date(1953, 8, 2), None, e),
        (date(1957, 8, 2), None, date(2027, 8, 31)),    # legally 70 on S
        (date(1957, 8, 1), None, e),                    # legally 70 the day before S
        (date(1958, 7, 1), None, date(2028, 6, 30)),    # born on the 1st
        (date(1990, 1, 1), date(2028, 7, 29), date(2028, 7, 30)),
        (date(1990, 1, 1), date(2028, 7, 30), e),
    ]
    for birth, stay, expected in card:
        assert kokuho_card_expiry(birth, s, stay) == expected
    assert kokuho_notice_expiry(date(1957, 8, 1), s) == e
    assert kokuho_notice_expiry(date(1957, 8, 2), s) is None
    assert kouki_expiry(s) == e


def test_seventy_on_29_february():
    # born 1960-02-29: 70th birthday falls on 2030-03-01, legally 70 on 02-28: ratio from March
    assert kokuho_card_expiry(date(1960, 2, 29), date(2029, 8, 1)) == date(2030, 2, 28)


def test_kouki():
    assert kouki_expiry(S) == E


@pytest.mark.parametrize("birth, issue, years, expected", [
    (date(1990, 5, 5), date(2026, 4, 1), 5, date(2031, 3, 31)),
    (date(1990, 5, 5), date(2028, 2, 29), 5, date(2033, 2, 28)),   # 2033 has no 02-29
    (date(1990, 5, 5), date(2026, 4, 1), 3, date(2029, 3, 31)),
    (date(1955, 6, 10), date(2026, 4, 1), 5, date(2030, 6, 9)),    # 75 first: 後期高齢者 from 06-10
    (date(1956, 4, 2), date(2026, 4, 1), 5, date(2031, 3, 31)),    # 75 the day after: 5 years win
])
def test_kenpo(birth, issue, years, expected):
    assert kenpo_expiry(birth, issue, years) == expected
