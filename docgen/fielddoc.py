"""The field dictionary as a Markdown table (README.md embeds it; a test keeps the two equal)."""
from __future__ import annotations

from docgen.fields import FIELDS, Field, Kind
from docgen.layout.loader import available_layouts, load_layout


def _format(f: Field) -> str:
    if f.kind is Kind.DIGITS:
        n = f"{f.min_len}" if f.min_len == f.max_len else f"{f.min_len}–{f.max_len}"
        return f"{n} digits"
    if f.kind is Kind.CHOICE:
        return " / ".join(f.choices)
    if f.kind is Kind.FLAG:
        return "1 / 0"
    if f.kind is Kind.DATE:
        return "date"
    return f"text ≤ {f.max_len}" if f.max_len else "text"


def field_table() -> str:
    uses: dict[str, set[str]] = {}
    for name in available_layouts():
        layout = load_layout(name)
        names = set(layout.model.requires)
        for page in layout.pages:
            for el in page.elements:
                names.update(el.names())
        for n in names:
            uses.setdefault(n, set()).add(name)
    rows = ["| field | 項目 | format | layouts | meaning |", "|---|---|---|---|---|"]
    for f in FIELDS:
        used = ", ".join(sorted(uses.get(f.name, ()))) or "(ordering only)"
        rows.append(f"| `{f.name}` | {f.label} | {_format(f)} | {used} | {f.description} |")
    return "\n".join(rows)
