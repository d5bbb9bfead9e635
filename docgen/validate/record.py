"""Every record rule in one place: field formats, required fields, check digits, domain rules.

`validate_record` turns a SourceRecord's raw strings into typed values (dates, flags), adds the
有効期限 and 発効期日 the scheme's rules derive when the record gives none (docgen.expiry), and
lists every problem at once, so a clerk fixes a row in one pass. A value that is empty or only
whitespace is absent, so a required field cannot be satisfied by spaces. Each field's format is
checked by docgen.validate.values, a scheme's domain checks by docgen.validate.domain; they see
given and derived dates alike.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import date
from typing import Any

from docgen.expiry import Rule, Timeline, timeline
from docgen.fields import BUILTIN, FieldDictionary
from docgen.records import SourceRecord
from docgen.template import Template
from docgen.validate.domain import Check, Facts
from docgen.validate.given import mailing_problems
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
    derivations: tuple[tuple[str, Rule], ...] = ()   # field -> the scheme's rule for the document, when absent
    from_renewal: bool = True                 # the document is issued for the yearly renewal (docgen.expiry)
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
    line = timeline(values, rules.renewal_start, rules.from_renewal) if rules.renewal_start else None
    derived = _derive(values, line, rules.derivations, {p.field for p in problems})
    facts = Facts(line, rules.title, rules.fields, derived)
    for check in rules.checks:
        check.run(values, facts, problem)
    # a derived date out of order follows from a problem already named (75 or over, a stay that
    # ended): reported on its own only when nothing else explains it
    _order_rules(values, facts, problem if not problems else _given_only(facts, problem))
    problems.extend(mailing_problems(values, src.row, rid))
    return values, problems


def _given_only(facts: Facts, problem: Any) -> Any:
    """`problem`, passing over the ones about a derived value."""
    return lambda field, *rest: None if field in facts.derived else problem(field, *rest)


def _derive(values: dict[str, Any], line: Timeline | None, rules: tuple[tuple[str, Rule], ...],
            bad: set[str]) -> frozenset[str]:
    """Add the dates the scheme's rules give for the fields the record leaves empty; their names."""
    if line is None:
        return frozenset()
    derived = set()
    for name, rule in rules:
        if name not in values and name not in bad:
            value = rule.derive(values, line)
            if value is not None:
                values[name] = value
                derived.add(name)
    return frozenset(derived)


def _order_rules(v: dict[str, Any], facts: Facts, problem: Any) -> None:
    """Rules every scheme shares: dates in their order (given and derived alike), a 区分's date
    only with the 区分."""
    birth, issue, expiry = v.get("birth_date"), v.get("issue_date"), v.get("expiry_date")
    for later in ("acquired_date", "issue_date"):
        if birth and v.get(later) and v[later] < birth:
            problem(later, "date-order", "before the date of birth")
    valid_from = facts.timeline.valid_from if facts.timeline else issue
    effective = v.get("ratio_effective_date")
    if valid_from and expiry and expiry < valid_from:
        problem("expiry_date", "date-order", f"{facts.given('expiry_date')} 有効期限 is before the day the document "
                                             "becomes valid (交付年月日, or the renewal start for a renewal)")
    elif effective and expiry and effective > expiry:
        problem("ratio_effective_date", "date-order", f"{facts.given('ratio_effective_date')} 発効期日 is after "
                                                      f"{facts.given('expiry_date')} 有効期限")
    if v.get("limit_class_date") and "limit_class" not in v:
        problem("limit_class", "required", "限度額適用区分の発効期日 given without the 区分")
