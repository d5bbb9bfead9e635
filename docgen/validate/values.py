"""One field's raw text checked against its declaration and turned into a typed value.

Every field is checked here by its kind and keys (docgen.fields), whether the built-in
dictionary, a scheme, a layout or a profile declares it, so a field of one's own gets exactly the
rules, and the rule names, of a built-in one.
"""
from __future__ import annotations

import re
from functools import lru_cache, partial
from typing import Any, Callable

from docgen.fields import Field, Kind
from docgen.fonts.sequences import compose_marks
from docgen.validate.characters import character_problems, seen_fine
from docgen.validate.checkdigit import is_valid
from docgen.wareki import parse_date

_FLAG_TRUE = {"1", "true", "yes", "y", "はい", "有", "○", "〇"}
_FLAG_FALSE = {"0", "false", "no", "n", "いいえ", "無", ""}

Broken = tuple[str, str]      # (rule, detail): the detail never holds the value


Parser = Callable[[str], tuple[Any, Broken | None]]


def parse_value(field: Field, raw: str, limit: int | None = None) -> tuple[Any, Broken | None]:
    """(value, None) or (None, (rule, detail)) for one field's raw text; `limit` is a layout's
    lower length limit for a text field."""
    return parser(field, limit)(raw)


def parser(field: Field, limit: int | None = None) -> Parser:
    """parse_value for one field, its kind chosen once: a job checks every record with these."""
    if field.kind is Kind.DATE:
        return _date
    if field.kind is Kind.FLAG:
        return _flag
    if field.kind is Kind.DIGITS:
        return partial(_digits, field, {ord(ch): None for ch in field.ignore})
    if field.kind is Kind.CHOICE:
        return partial(_choice, field)
    return partial(_text, field, _charset(field.charset) if field.charset else None, limit=limit)


# the kinds a JSON value that is not a string may fill: a boolean is a yes/no, an integer a
# yes/no, a number of digits or a choice's code (copay_ratio 3, sex 1); text and dates are strings
_JSON_KINDS = {"boolean": frozenset({Kind.FLAG}), "number": frozenset({Kind.FLAG, Kind.DIGITS, Kind.CHOICE})}


def json_type_problem(field: Field, json_type: str) -> Broken | None:
    """Why a JSON boolean or number cannot be this field's value (None when it can)."""
    if field.kind in _JSON_KINDS[json_type]:
        return None
    expected = "a date" if field.kind is Kind.DATE else "a choice" if field.kind is Kind.CHOICE else "text"
    return "json-type", f"a JSON {json_type} where {field.label} expects {expected}; write the value as a string"


def _date(raw: str) -> tuple[Any, Broken | None]:
    try:
        return parse_date(raw), None
    except ValueError as exc:
        return None, ("date", str(exc))


def _flag(raw: str) -> tuple[bool | None, Broken | None]:
    key = raw.strip().lower()
    if key in _FLAG_TRUE:
        return True, None
    if key in _FLAG_FALSE:
        return None, None
    return None, ("flag", "not a yes/no value (use 1 or 0)")


def _choice(field: Field, raw: str) -> tuple[str | None, Broken | None]:
    value = field.choice(raw)
    if value is None:
        return None, ("choice", f"must be one of {', '.join(field.choices)}")
    return value, None


def _digits(field: Field, ignored: dict[int, None], raw: str) -> tuple[str | None, Broken | None]:
    digits = raw.translate(ignored) if ignored else raw
    if not (digits.isascii() and digits.isdigit()):      # empty, or anything but 0-9
        return None, ("digits", "must be ASCII digits")
    if field.min_len and len(digits) < field.min_len or field.max_len and len(digits) > field.max_len:
        n = field.max_len if field.min_len == field.max_len else f"{field.min_len or 1}-{field.max_len}"
        return None, ("digits", f"must be {n} digits")
    if field.prefixes and not digits.startswith(field.prefixes):
        return None, ("prefix", f"{field.label} begins with {' or '.join(field.prefixes)}")
    if field.check_digit and not is_valid(digits):
        return None, ("check-digit", f"{field.label} check digit does not match")
    return digits, None


def _text(field: Field, charset: re.Pattern[str] | None, raw: str, limit: int | None) -> tuple[str | None, Broken | None]:
    """Text as it will print: combining sequences composed (the one change made), then checked."""
    if seen_fine(raw):     # most values: skips composing and checking each character
        text = raw
    else:
        text = compose_marks(raw)
        broken = character_problems(text)
        if broken:
            return None, broken[0]
    if charset and not charset.fullmatch(text):
        return None, ("characters", f"{field.label} holds {field.charset_doc} only")
    if field.separators and not text.strip(field.separators):
        shown = " and ".join(f"'{c}'" for c in field.separators)
        return None, ("characters", f"{field.label} may not be {shown} alone")
    if limit and len(text) > limit:
        return None, ("text", f"longer than {limit} characters (this layout's limit; the field allows {field.max_len})")
    if field.max_len and len(text) > field.max_len:
        return None, ("text", f"longer than {field.max_len} characters")
    return text, None


@lru_cache(maxsize=None)
def _charset(charset: str) -> re.Pattern[str]:
    return re.compile(f"[{charset}]+")
