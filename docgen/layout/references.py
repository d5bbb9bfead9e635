"""What an element refers to (record fields, insurer profile keys, derived values) and the checks
that every reference exists and every template parses, so a typo fails on load, not mid-run."""
from __future__ import annotations

import string
from typing import Iterable

from pydantic import BaseModel

from docgen.errors import LayoutError, TemplateError
from docgen.fields import BY_NAME, Kind
from docgen.layout.model import AllOf, AnyOf, Condition, FieldTest
from docgen.layout.profile import Profile
from docgen.template import DATE_FORMATTERS, Template

# Values computed by the binder in addition to the record's own fields.
DERIVED_FIELDS = {"age"}


def template_fields(template: str) -> list[str]:
    """The field names a "{a:fmt} {insurer.name}" template refers to."""
    names = []
    for _, name, _, _ in string.Formatter().parse(template):
        if name:
            names.append(name)
    return names


def condition_fields(cond: Condition | None) -> list[str]:
    if cond is None:
        return []
    if isinstance(cond, FieldTest):
        return [cond.field]
    if isinstance(cond, (AllOf, AnyOf)):
        return [f for c in (cond.all if isinstance(cond, AllOf) else cond.any) for f in condition_fields(c)]
    return condition_fields(cond.not_)


def element_templates(el: BaseModel) -> list[str]:
    """Every template string an element carries (for checking names and finding static ones)."""
    out = []
    for key in ("text", "value", "payload", "src"):
        v = getattr(el, key, None)
        if isinstance(v, str):
            out.append(v)
    items = getattr(el, "items", None)
    if isinstance(items, list):
        out.extend(items)
    return out


def element_fields(el: BaseModel) -> list[str]:
    """Record (or profile) names an element depends on; empty means it is the same on every page."""
    names = [n for t in element_templates(el) for n in template_fields(t)]
    items = getattr(el, "items", None)
    if isinstance(items, str):
        names.append(items)
    return names + condition_fields(getattr(el, "when", None))


def check_names(names: Iterable[str], where: str) -> None:
    """Every name a template or condition uses must be a record field or an insurer profile key."""
    profile_keys = set(Profile.model_fields)
    for name in names:
        head, _, rest = name.partition(".")
        if head == "insurer":
            if rest not in profile_keys:
                raise LayoutError(f"{where}: unknown insurer profile key '{rest}' (known: {', '.join(sorted(profile_keys))})")
        elif name not in BY_NAME and name not in DERIVED_FIELDS:
            raise LayoutError(f"{where}: unknown field '{name}' (see the field dictionary in README.md)")


def check_templates(templates: Iterable[str], where: str) -> None:
    """Every template must parse with known formatters, so a typo fails on load, not mid-run."""
    for t in templates:
        try:
            template = Template(t)
        except TemplateError as exc:
            raise LayoutError(f"{where}: {exc}") from None
        for name, steps in template.uses:
            field = BY_NAME.get(name)
            if any(s in DATE_FORMATTERS for s in steps) and (field is None or field.kind is not Kind.DATE):
                raise LayoutError(f"{where}: template {t!r}: '{name}' is not a date field, so it cannot take a wareki format")
