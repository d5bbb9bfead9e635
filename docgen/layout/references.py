"""What the elements of a layout refer to (record fields, insurer profile keys, scheme words,
derived values) and the load-time rules that every reference exists and every template parses,
so a typo fails on load, not mid-run. Each element says what it uses (`Element.names`,
`Element.templates`)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from docgen.errors import LayoutError, TemplateError
from docgen.fields import DERIVED_FIELDS, FieldDictionary, Kind
from docgen.layout.profile import Profile
from docgen.layout.scheme import Scheme
from docgen.template import DATE_FORMATTERS, Template
from docgen.yamlfile import did_you_mean


@dataclass(frozen=True)
class Names:
    """What a layout's (or profile's) templates and conditions may name: the fields it knows (the
    dictionary with its scheme's, its own and its profile's), the insurer profile's keys and the
    scheme's title and words."""

    fields: FieldDictionary
    scheme: Scheme

    def problem(self, name: str) -> str | None:
        """Why `name` is not known, or None when it is."""
        head, _, rest = name.partition(".")
        if head == "insurer":
            keys = sorted(set(Profile.model_fields) - {"fields"})
            return None if rest in keys else f"unknown insurer profile key '{rest}' (known: {', '.join(keys)})"
        if head == "scheme":
            words = sorted(self.scheme.words.model_extra or {})
            known = ["name", "title", *(f"words.{w}" for w in words)]
            return None if rest in known else (f"scheme '{self.scheme.name}' has no '{rest}' (known: {', '.join(known)})"
                                               + did_you_mean(rest, known))
        if name in self.fields or name in DERIVED_FIELDS:
            return None
        return (f"unknown field '{name}' (see the field dictionary in README.md, or declare it under fields:)"
                + did_you_mean(name, [f.name for f in self.fields]))


def unknown_names(names: Iterable[str], known: Names) -> list[str]:
    return [name for name in names if known.problem(name)]


def require_known_names(names: Iterable[str], where: str, known: Names) -> None:
    """Every name a template or condition uses must be a field, an insurer profile key or a scheme word."""
    for name in names:
        problem = known.problem(name)
        if problem:
            raise LayoutError(f"{where}: {problem}")


def require_valid_templates(templates: Iterable[str], where: str, fields: FieldDictionary) -> None:
    """Every template must parse with known formatters, so a typo fails on load, not mid-run."""
    for t in templates:
        try:
            template = Template(t)
        except TemplateError as exc:
            raise LayoutError(f"{where}: {exc}") from None
        for name, steps in template.uses:
            field = fields.get(name)
            if any(s in DATE_FORMATTERS for s in steps) and (field is None or field.kind is not Kind.DATE):
                raise LayoutError(f"{where}: template {t!r}: '{name}' is not a date field, so it cannot take a wareki format")
