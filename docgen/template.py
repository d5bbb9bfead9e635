"""Layout templates: "{birth_date:wareki}", "{copay_ratio:ratio}", "{limit_class:opt}".

The syntax is Python's own format-string syntax (parsed by `string.Formatter`), with the format
spec naming one or more of the formatters below, joined by commas and applied left to right.
A template is parsed once per layout, not once per record.
"""
from __future__ import annotations

import string
from dataclasses import dataclass
from datetime import date
from typing import Any, Callable, Mapping

from docgen.errors import TemplateError
from docgen.wareki import format_wareki

ABSENT_MARK = "＊"  # printed for an optional item (任意記載事項) that does not apply


def _wareki(style: str) -> Callable[[Any], str]:
    def fmt(value: Any) -> str:
        if not isinstance(value, date):
            raise TemplateError(f"'{style}' needs a date")
        return format_wareki(value, style)

    return fmt


DATE_FORMATTERS = ("wareki", "wareki_padded", "wareki_short")
FORMATTERS: dict[str, Callable[[Any], str]] = {
    "wareki": _wareki("long"),
    "wareki_padded": _wareki("padded"),
    "wareki_short": _wareki("short"),
    "ratio": lambda v: f"{v}割",
    "sama": lambda v: f"{v}　様",
    "spaced": lambda v: f"　{v}",     # "{address}{building:spaced}": a space only before a value
    "postal": lambda v: f"〒{v[:3]}-{v[3:]}",
    "text": str,
}


def placeholders(source: str) -> list[str]:
    """The names a template refers to ("{a:fmt} {insurer.name}" → a, insurer.name), read without
    checking its formatters, so a loader can name an unknown field before a bad format."""
    return [name for _, name, _, _ in string.Formatter().parse(source) if name]


def has_template(text: str) -> bool:
    """True when text has a {placeholder}, so its value is only known per record or profile."""
    return any(name is not None for _, name, _, _ in string.Formatter().parse(text))


@dataclass(frozen=True)
class _Slot:
    literal: str
    path: tuple[str, ...] | None
    steps: tuple[str, ...]
    optional: bool


class Template:
    """A parsed template; `render(ctx)` fills it from a record context."""

    def __init__(self, source: str) -> None:
        self.source = source
        slots = []
        for literal, name, spec, conversion in string.Formatter().parse(source):
            if conversion:
                raise TemplateError(f"template {source!r}: conversions (!r, !s) are not supported")
            steps = tuple(s.strip() for s in spec.split(",") if s.strip()) if spec else ()
            for s in steps:
                if s != "opt" and s not in FORMATTERS:
                    raise TemplateError(f"template {source!r}: unknown format '{s}' (known: opt, {', '.join(FORMATTERS)})")
            slots.append(_Slot(literal, tuple(name.split(".")) if name else None,
                               tuple(s for s in steps if s != "opt"), "opt" in steps))
        self._parts = tuple((s.literal, _filler(s) if s.path else None) for s in slots)
        # (field, formatter names) per placeholder, so a loader can check formats against field kinds
        self.uses = tuple((".".join(s.path), s.steps) for s in slots if s.path)
        # the fixed characters between and after placeholders: what a machine reading the filled
        # template (a QR code) splits it on
        first = next((i for i, s in enumerate(slots) if s.path), len(slots))
        self.delimiters = "".join(dict.fromkeys("".join(s.literal for s in slots[first + 1:])))
        # a template that is one placeholder and nothing else ("{name}"): most of a layout's fields
        self._only = self._parts[0][1] if len(slots) == 1 and not slots[0].literal else None
        self._named = tuple((".".join(s.path), s.path[0], fill) for s, (_, fill) in zip(slots, self._parts)
                            if s.path and fill)

    def render(self, ctx: Mapping[str, Any]) -> str:
        if self._only is not None:
            return self._only(ctx)
        out = []
        for literal, fill in self._parts:
            out.append(literal)
            if fill is not None:
                out.append(fill(ctx))
        return "".join(out)

    def slot_texts(self, ctx: Mapping[str, Any]) -> list[tuple[str, str]]:
        """(field, its filled text) for each placeholder whose field `ctx` holds."""
        return [(field, fill(ctx)) for field, head, fill in self._named if head in ctx]


def getter(dotted: str) -> Callable[[Mapping[str, Any]], Any]:
    """A value by name from a record context ("name", or "insurer.notes" from the profile), the
    name split once: conditions and templates ask it of every record. None when it is absent."""
    head, *attrs = dotted.split(".")
    if not attrs:
        return lambda ctx: ctx.get(head)

    def get(ctx: Mapping[str, Any]) -> Any:
        value = ctx.get(head)
        for attr in attrs:
            value = getattr(value, attr, None)
        return value
    return get


def _filler(slot: _Slot) -> Callable[[Mapping[str, Any]], str]:
    """The text of a placeholder for a record context, its path and formatters looked up once
    per template: a value, absent as "" (or the mark with `opt`), a date in 和暦 unless formatted."""
    assert slot.path
    value_of = getter(".".join(slot.path))
    steps = tuple(FORMATTERS[s] for s in slot.steps)
    absent = ABSENT_MARK if slot.optional else ""

    def fill(ctx: Mapping[str, Any]) -> str:
        value = value_of(ctx)
        if value is None or value == "":
            return absent
        if not steps:
            return format_wareki(value, "long") if isinstance(value, date) else str(value)
        for step in steps:
            value = step(value)
        return str(value)

    return fill
