"""Every record rule in one place: field formats, required fields, check digits, domain rules.

`validate_record` turns a SourceRecord's raw strings into typed values (dates, flags) and lists
every problem at once, so a clerk fixes a row in one pass. A value that is empty or only
whitespace is absent, so a required field cannot be satisfied by spaces. Each field's format is
checked by docgen.validate.values, a scheme's domain checks by docgen.validate.domain.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import date
from typing import Any

from docgen.fields import BUILTIN, FieldDictionary
from docgen.records import SourceRecord
from docgen.template import Template
from docgen.validate.domain import Check, Facts
from docgen.validate.payload import delimiter_problems
from docgen.validate.problems import Problem
from docgen.validate.values import Parser, json_type_problem, parser


def is_blank(raw: str | None) -> bool:
    """Empty, or only whitespace (spaces, U+3000, no-break spaces, tabs): nothing to print."""
    return not raw or raw.isspace()


@dataclasses.dataclass(frozen=True)
class RecordRules:
    """What the rules need to know about the layout, scheme and profile a record is checked for."""

    title: str = ""                           # the scheme's title, for messages
    requires: Mapping[str, str] = dataclasses.field(default_factory=dict)   # field -> who needs it
    renewal_start: date | None = None
    payloads: tuple[Template, ...] = ()       # machine-read templates: no value may hold their separators
    limits: Mapping[str, int] = dataclasses.field(default_factory=dict)  # the layout's lower text limits
    fields: FieldDictionary = BUILTIN         # the dictionary with the scheme's, layout's and profile's fields
    checks: tuple[Check, ...] = ()            # the scheme's domain checks
    # each field's parse_value with its limit, chosen once for every record the rules check
    parsers: Mapping[str, Parser] = dataclasses.field(init=False, repr=False, compare=False)
    id_parser: Parser = dataclasses.field(init=False, repr=False, compare=False)   # 管理番号 by its own rules

    def __post_init__(self) -> None:
        parsers = {name: parser(f, self.limits.get(name)) for name, f in self.fields.by_name.items()}
        object.__setattr__(self, "parsers", parsers)
        object.__setattr__(self, "id_parser", parser(self.fields["record_id"]))


def validate_record(src: SourceRecord, rules: RecordRules) -> tuple[dict[str, Any], list[Problem]]:
    """Typed values of a record and the problems in it (empty when it may be printed).

    A record whose row is misshapen has no values to check: only its shape is reported.
    """
    if src.problems:
        return {}, [Problem(src.row, None, "(row)", "row-shape", p) for p in src.problems]
    raw_id = src.fields.get("record_id")
    # messages carry the 管理番号 only once it passed its own rules (a mis-mapped column could
    # otherwise put a name into every message)
    rid = raw_id if not is_blank(raw_id) and rules.id_parser(raw_id)[1] is None else None
    problems: list[Problem] = []

    def problem(field: str, rule: str, detail: str = "") -> None:
        problems.append(Problem(src.row, rid, field, rule, detail))

    values: dict[str, Any] = {}
    parsers = rules.parsers
    for name, raw in src.fields.items():
        if is_blank(raw):
            continue
        json_type = src.json_types.get(name)
        value, broken = (None, json_type_problem(rules.fields[name], json_type)) if json_type else (None, None)
        if broken is None:
            value, broken = parsers[name](raw)
        if broken:
            problem(name, *broken)
        elif value is not None:
            values[name] = value
    bad = {p.field for p in problems}
    for name, who in rules.requires.items():
        if name not in values and name not in bad:
            problem(name, "required", f"{who} needs it (missing, empty or only spaces)")
    problems.extend(delimiter_problems(rules.payloads, values, src.row, rid))
    _order_rules(values, problem)
    issue = values.get("issue_date")
    # the age that counts is the one on the first day the document is valid
    valid_from = max(issue, rules.renewal_start) if issue and rules.renewal_start else issue
    facts = Facts(valid_from, rules.title, rules.fields)
    for check in rules.checks:
        check.run(values, facts, problem)
    return values, problems


def _order_rules(v: dict[str, Any], problem: Any) -> None:
    """Rules every scheme shares: dates in their order, a 区分's date only with the 区分."""
    birth, issue = v.get("birth_date"), v.get("issue_date")
    for later in ("acquired_date", "issue_date"):
        if birth and v.get(later) and v[later] < birth:
            problem(later, "date-order", "before the date of birth")
    if issue and v.get("expiry_date") and v["expiry_date"] < issue:
        problem("expiry_date", "date-order", "before the issue date")
    if v.get("limit_class_date") and "limit_class" not in v:
        problem("limit_class", "required", "限度額適用区分の発効期日 given without the 区分")
