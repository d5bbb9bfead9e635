"""What the elements of a layout refer to (record fields, insurer profile keys, derived values)
and the load-time rules that every reference exists and every template parses, so a typo fails
on load, not mid-run. Each element says what it uses (`Element.names`, `Element.templates`)."""
from __future__ import annotations

from typing import Iterable

from docgen.errors import LayoutError, TemplateError
from docgen.fields import BY_NAME, Kind
from docgen.layout.profile import Profile
from docgen.template import DATE_FORMATTERS, Template

# Values computed by the binder in addition to the record's own fields.
DERIVED_FIELDS = {"age"}


def require_known_names(names: Iterable[str], where: str) -> None:
    """Every name a template or condition uses must be a record field or an insurer profile key."""
    profile_keys = set(Profile.model_fields)
    for name in names:
        head, _, rest = name.partition(".")
        if head == "insurer":
            if rest not in profile_keys:
                raise LayoutError(f"{where}: unknown insurer profile key '{rest}' (known: {', '.join(sorted(profile_keys))})")
        elif name not in BY_NAME and name not in DERIVED_FIELDS:
            raise LayoutError(f"{where}: unknown field '{name}' (see the field dictionary in README.md)")


def require_valid_templates(templates: Iterable[str], where: str) -> None:
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
