"""The field dictionary as a Markdown table (README.md embeds it; a test keeps the two equal), and
the fields one layout knows (`docgen fields LAYOUT`)."""
from __future__ import annotations

from docgen.fields import FIELDS
from docgen.layout.loader import available_layouts, load_layout
from docgen.pipeline import open_job
from docgen.validate.given import sources


def field_table() -> str:
    uses: dict[str, set[str]] = {}
    checked: dict[str, set[str]] = {}      # fields the schemes' checks read, by scheme
    for name in available_layouts():
        layout = load_layout(name)
        names = set(layout.model.requires)
        for page in layout.pages:
            for el in page.elements:
                names.update(el.names())
        for n in sources(names):      # a value the binder derives (the window's address) uses its fields
            uses.setdefault(n, set()).add(name)
        for check in layout.scheme.spec.checks:
            for n in check.fields_named():
                checked.setdefault(n, set()).add(layout.scheme.name)
    rows = ["| field | 項目 | format | layouts | meaning |", "|---|---|---|---|---|"]
    for f in FIELDS:
        rules = f"rules of {', '.join(sorted(checked[f.name]))}" if f.name in checked else ""
        used = ", ".join(sorted(uses.get(f.name, ()))) or rules or "(ordering only)"
        rows.append(f"| `{f.name}` | {f.label} | {f.format_doc()} | {used} | {f.description} |")
    return "\n".join(rows)


def layout_field_table(layout: str, profile: str | None = None) -> str:
    """The fields a layout's records may have (with its scheme's, its own and its profile's), what
    the layout does with each, and its `limits:`: what a mapping file or an export must provide."""
    job = open_job(layout, profile)
    used = sources({n for page in job.layout.pages for el in page.elements for n in el.names()})
    limits = job.layout.model.limits
    scheme = job.layout.scheme
    derived = scheme.derivations(job.layout.model.document)
    rows = [f"{job.layout.name}: scheme {scheme.name} ({scheme.title}), insurer profile {job.profile.id}",
            "", "| field | 項目 | format | this layout | declared in | meaning |", "|---|---|---|---|---|---|"]
    for f in job.fields:
        form = f.format_doc()
        if f.name in limits:
            form = f"{form.split('≤')[0]}≤ {limits[f.name]} (limits:; the field allows {f.max_len})"
        rule = derived.get(f.name)
        elsewhere = not f.printed_on(job.layout.model.document)   # given anyway: no not-printed warning
        role = ", ".join(r for r, on in (("required", f.name in job.rules.requires), ("printed", f.name in used),
                                          (f"derived when absent ({rule.rule if rule else ''})", rule),
                                          ("taken without a warning (" + (f"a {' and '.join(f.documents or ())} field"
                                           if f.documents else "ordering, rules") + ")",
                                           elsewhere and f.name not in used)) if on)
        labels = " / ".join((f.label, *f.labels))
        rows.append(f"| `{f.name}` | {labels} | {form} | {role or '-'} | {f.origin} | {f.description} |")
    return "\n".join(rows)
