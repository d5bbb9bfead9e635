"""Every record rule in one place: field formats, required fields, check digits, domain rules.

`validate_record` turns a SourceRecord's raw strings into typed values (dates, flags) and lists
every problem at once, so a clerk fixes a row in one pass. A value that is empty or only
whitespace is absent, so a required field cannot be satisfied by spaces.
"""
from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from datetime import date
from functools import lru_cache
from typing import Any

from docgen.fields import BY_NAME, Field, Kind
from docgen.fonts.sequences import compose_marks
from docgen.records import SourceRecord
from docgen.template import Template
from docgen.validate.characters import character_problems
from docgen.validate.checkdigit import valid_kouki_number
from docgen.validate.payload import delimiter_problems
from docgen.validate.problems import Problem
from docgen.wareki import anniversary, parse_date

_FLAG_TRUE = {"1", "true", "yes", "y", "はい", "有", "○", "〇"}
_FLAG_FALSE = {"0", "false", "no", "n", "いいえ", "無", ""}
_SEX = {"1": "男", "2": "女", "男": "男", "女": "女"}
_ASCII_DIGITS = set("0123456789")


def _parse(field: Field, raw: str, limit: int | None = None) -> tuple[Any, tuple[str, str] | None]:
    """(value, None) or (None, (rule, detail)) for one field's raw text; `limit` is a layout's
    lower length limit for a text field."""
    if field.kind is Kind.DATE:
        try:
            return parse_date(raw), None
        except ValueError as exc:
            return None, ("date", str(exc))
    if field.kind is Kind.FLAG:
        key = raw.strip().lower()
        if key in _FLAG_TRUE:
            return True, None
        if key in _FLAG_FALSE:
            return None, None
        return None, ("flag", "not a yes/no value (use 1 or 0)")
    if field.kind is Kind.DIGITS:
        digits = raw.replace("-", "") if field.name == "postal_code" else raw
        if not digits or set(digits) - _ASCII_DIGITS:
            return None, ("digits", "must be ASCII digits")
        if field.min_len and len(digits) < field.min_len or field.max_len and len(digits) > field.max_len:
            n = field.max_len if field.min_len == field.max_len else f"{field.min_len}-{field.max_len}"
            return None, ("digits", f"must be {n} digits")
        return digits, None
    if field.kind is Kind.CHOICE:
        value = _SEX.get(raw) if field.name == "sex" else (raw if raw in field.choices else None)
        if value is None:
            return None, ("choice", f"must be one of {', '.join(field.choices)}")
        return value, None
    return _text(field, raw, limit)


def _text(field: Field, raw: str, limit: int | None) -> tuple[str | None, tuple[str, str] | None]:
    """Text as it will print: combining sequences composed (the one change made), then checked."""
    text = compose_marks(raw)
    broken = character_problems(text)
    if broken:
        return None, broken[0]
    if field.charset and not _charset(field.charset).fullmatch(text):
        return None, ("characters", f"{field.label} holds {field.charset_doc} only")
    if limit and len(text) > limit:
        return None, ("text", f"longer than {limit} characters (this layout's limit; the field allows {field.max_len})")
    if field.max_len and len(text) > field.max_len:
        return None, ("text", f"longer than {field.max_len} characters")
    return text, None


@lru_cache(maxsize=None)
def _charset(charset: str) -> re.Pattern[str]:
    return re.compile(f"[{charset}]+")


def is_blank(raw: str | None) -> bool:
    """Empty, or only whitespace (spaces, U+3000, no-break spaces, tabs): nothing to print."""
    return not raw or raw.isspace()


@dataclasses.dataclass(frozen=True)
class RecordRules:
    """What the rules need to know about the layout and profile a record is checked for."""

    scheme: str
    requires: tuple[str, ...] = ()
    renewal_start: date | None = None
    payloads: tuple[Template, ...] = ()       # machine-read templates: no value may hold their separators
    limits: Mapping[str, int] = dataclasses.field(default_factory=dict)  # the layout's lower text limits


def validate_record(src: SourceRecord, rules: RecordRules) -> tuple[dict[str, Any], list[Problem]]:
    """Typed values of a record and the problems in it (empty when it may be printed).

    A record whose row is misshapen has no values to check: only its shape is reported.
    """
    if src.problems:
        return {}, [Problem(src.row, None, "(row)", "row-shape", p) for p in src.problems]
    raw_id = src.fields.get("record_id")
    # messages carry the 管理番号 only once it passed its own rules (a mis-mapped column could
    # otherwise put a name into every message)
    rid = raw_id if not is_blank(raw_id) and _parse(BY_NAME["record_id"], raw_id)[1] is None else None
    problems: list[Problem] = []

    def problem(field: str, rule: str, detail: str = "") -> None:
        problems.append(Problem(src.row, rid, field, rule, detail))

    values: dict[str, Any] = {}
    for name, raw in src.fields.items():
        if is_blank(raw):
            continue
        value, broken = _parse(BY_NAME[name], raw, rules.limits.get(name))
        if broken:
            problem(name, *broken)
        elif value is not None:
            values[name] = value
    bad = {p.field for p in problems}
    for name in rules.requires:
        if name not in values and name not in bad:
            problem(name, "required", "this layout needs it (missing, empty or only spaces)")
    if "hihokensha_bango" in values and not valid_kouki_number(values["hihokensha_bango"]):
        problem("hihokensha_bango", "check-digit", "被保険者番号 check digit does not match")
    problems.extend(delimiter_problems(rules.payloads, values, src.row, rid))
    _domain_rules(values, rules.scheme, rules.renewal_start, problem)
    return values, problems


def age_on(birth: date, day: date) -> int:
    """Age in completed years on a day (a birthday counts from the day itself)."""
    years = day.year - birth.year
    return years if anniversary(birth, years) <= day else years - 1


def _domain_rules(v: dict[str, Any], scheme: str, renewal_start: date | None, problem: Any) -> None:
    birth, issue = v.get("birth_date"), v.get("issue_date")
    for later in ("acquired_date", "issue_date"):
        if birth and v.get(later) and v[later] < birth:
            problem(later, "date-order", "before the date of birth")
    if issue and v.get("expiry_date") and v["expiry_date"] < issue:
        problem("expiry_date", "date-order", "before the issue date")
    if scheme == "kokuho" and birth and issue:
        # the age that counts is the one on the first day the document is valid
        age = age_on(birth, max(issue, renewal_start) if renewal_start else issue)
        if 70 <= age <= 74 and "copay_ratio" not in v:
            problem("copay_ratio", "ratio-70-74", "国保 ages 70–74 must state 一部負担金の割合 (2 or 3)")
        if "copay_ratio" in v and v["copay_ratio"] == "1":
            problem("copay_ratio", "ratio-70-74", "国保 states 2割 or 3割, never 1割")
    if scheme == "kenpo" and v.get("relationship") == "家族" and "insured_name" not in v:
        problem("insured_name", "required", "a dependent's card names the insured person")
    if v.get("limit_class_date") and "limit_class" not in v:
        problem("limit_class", "required", "限度額適用区分の発効期日 given without the 区分")
