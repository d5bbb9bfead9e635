"""Check digits of 保険者番号 and of numbers such as the 後期高齢者 被保険者番号 (DOMAIN.md, "Check digits").

Weights 2 and 1 from the right (rightmost body digit ×2), the digits of each product summed,
check digit = (10 − total mod 10) mod 10. A typo in one digit always changes the check digit,
so a mistyped number is caught before millions of documents are printed with it. Which numbers
carry one is data: `check_digit: true` on a field, or on a scheme's `insurer_number`.
"""
from __future__ import annotations


def _ascii_digits(s: str) -> bool:
    # str.isdigit alone would accept full-width and other scripts' digits.
    return s.isascii() and s.isdigit()


def check_digit(body: str) -> int:
    """The check digit for the digits before it; ValueError unless `body` is ASCII digits."""
    if not _ascii_digits(body):
        raise ValueError("number body must be one or more ASCII digits")
    total = 0
    for i, ch in enumerate(reversed(body)):
        product = int(ch) * (2 if i % 2 == 0 else 1)
        total += product // 10 + product % 10
    return (10 - total % 10) % 10


def is_valid(number: str) -> bool:
    """True if `number` is ASCII digits (at least two) and its last digit is the check digit."""
    return len(number) >= 2 and _ascii_digits(number) and check_digit(number[:-1]) == int(number[-1])
