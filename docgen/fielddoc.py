"""The field dictionary as a Markdown table (README.md embeds it; a test keeps the two equal)."""
from __future__ import annotations

from docgen.fields import FIELDS
from docgen.layout.loader import available_layouts, load_layout
from docgen.layout.references import element_fields


def field_table() -> str:
    uses: dict[str, set[str]] = {}
    for name in available_layouts():
        layout = load_layout(name)
        names = set(layout.model.requires)
        for page in layout.pages:
            for el in page.elements:
                names.update(element_fields(el))
        for n in names:
            uses.setdefault(n, set()).add(name)
    rows = ["| field | 項目 | format | layouts | meaning |", "|---|---|---|---|---|"]
    for f in FIELDS:
        used = ", ".join(sorted(uses.get(f.name, ()))) or "(ordering only)"
        rows.append(f"| `{f.name}` | {f.label} | {f.format_doc()} | {used} | {f.description} |")
    return "\n".join(rows)
