"""The stages wired together: records -> validate -> bind, one record at a time.

The words mean one thing each, everywhere: to *validate* a record is to apply the record rules
(docgen.validate); to *bind* it is to turn a valid record into a document for the layout
(docgen.bind), which *prepares* each element's content through its kind (docgen.elements);
`docgen.check` (and `docgen validate` on the command line) is both, without drawing.

Output writers consume `Outcome`s, so every input record ends either rendered or rejected with
its problems: none is dropped.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Iterable, Iterator

from docgen.bind.binder import Binder, BoundDocument
from docgen.errors import LayoutError
from docgen.fields import FieldDictionary
from docgen.fonts import FontSet, load_fonts
from docgen.layout.loader import (
    ResolvedLayout,
    load_layout,
    load_profile,
    profile_scheme,
    profile_scheme_file,
)
from docgen.layout.profile import Profile
from docgen.layout.references import Names, unknown_names
from docgen.records import SourceRecord
from docgen.template import Template
from docgen.validate.problems import Problem
from docgen.validate.record import RecordRules, validate_record


@dataclass(frozen=True)
class Outcome:
    """One input record: its document, or (document None) the problems that reject it."""

    row: int
    record_id: str | None
    document: BoundDocument | None
    problems: tuple[Problem, ...]


@dataclass
class Job:
    """One layout with one insurer profile: everything that is the same for every record.

    `fields` is the dictionary the records are read and checked with: the built-in one with the
    scheme's, the layout's and the profile's fields."""

    layout: ResolvedLayout
    profile: Profile
    fonts: FontSet
    binder: Binder
    fields: FieldDictionary
    renewal_start: date           # S: --renewal, else the profile's renewal_start
    rules: RecordRules = field(init=False)

    def __post_init__(self) -> None:
        model, scheme = self.layout.model, self.layout.scheme
        requires = {name: "this layout" for name in model.requires}
        for name in scheme.spec.requires:
            requires.setdefault(name, f"the scheme {scheme.name}")
        for f in self.fields:
            if f.required:
                requires.setdefault(f.name, "this layout" if f.declared_in == "layout" else f"the {f.declared_in}")
        # what machines read back from the printed page, split on separators a value must not hold
        payloads = tuple(Template(t) for page in self.layout.pages for el in page.elements
                         for t in el.payloads(self.profile))
        derivations = scheme.derivations(model.document)
        expiry = derivations.get("expiry_date")
        self.rules = RecordRules(scheme.title, requires, self.renewal_start, payloads, dict(model.limits),
                                 self.fields, tuple(scheme.spec.checks), tuple(derivations.items()),
                                 expiry is not None and expiry.from_renewal)

    def read(self, src: SourceRecord) -> SourceRecord:
        """A record as the insurer means it: its 外字 (private-use code points) mapped through the
        profile's 外字 table, before any rule looks at it."""
        table = self.profile.gaiji_table
        return table.apply(src) if table else src

    def validate_one(self, src: SourceRecord) -> tuple[dict[str, Any], list[Problem]]:
        """One record's typed values and problems, by every rule of this layout and profile."""
        return validate_record(self.read(src), self.rules)

    def validate(self, records: Iterable[SourceRecord]) -> Iterator[tuple[SourceRecord, dict[str, Any], list[Problem]]]:
        """Each record's typed values and problems, including 管理番号 used twice in the file.

        Cheap and file-wide (the duplicate check needs every id), so bulk runs do it in one pass
        before the costly binding and drawing are spread over workers.
        """
        seen: set[str] = set()
        for src in records:
            values, problems = self.validate_one(src)
            rid = values.get("record_id")
            if rid is not None:
                if rid in seen:
                    problems.append(Problem(src.row, rid, "record_id", "duplicate-id", "管理番号 already used by an earlier row"))
                seen.add(rid)
            yield src, values, problems

    def bind(self, row: int, values: dict[str, Any]) -> Outcome:
        """Bind one valid record: a document, or the problems that keep it from printing."""
        doc = self.binder.bind(values, row)
        return Outcome(row, doc.record_id, None if doc.rejected else doc, doc.problems)

    def outcomes(self, records: Iterable[SourceRecord]) -> Iterator[Outcome]:
        """Validate and bind each record: one Outcome per input record, in input order."""
        for src, values, problems in self.validate(records):
            if problems:
                yield Outcome(src.row, values.get("record_id"), None, tuple(problems))
            else:
                yield self.bind(src.row, values)


def open_job(layout: str | Path | ResolvedLayout, profile: str | Path | Profile | None = None,
             renewal_start: date | None = None, fonts: FontSet | None = None) -> Job:
    """Load a layout (by name or path), its insurer profile and the fonts, and set up the binder."""
    lay = layout if isinstance(layout, ResolvedLayout) else load_layout(layout)
    if isinstance(profile, Profile):
        prof = profile
    else:      # the command line's --profile is relative to the working directory, the layout's to the layout
        prof = load_profile(profile) if profile else load_profile(lay.profile_file())
    if profile_scheme_file(prof) != lay.scheme.source:     # the file first: the layout has its scheme loaded
        scheme = profile_scheme(prof)
        raise LayoutError(f"insurer profile '{prof.id}' is for {scheme.name} ({scheme.source}), layout '{lay.name}' "
                          f"for {lay.scheme.name} ({lay.scheme.source})")
    fields = job_fields(lay, prof)
    fonts = fonts or load_fonts()
    return Job(lay, prof, fonts, Binder(lay, prof, fonts), fields, renewal_start or prof.renewal_start)


def job_fields(layout: ResolvedLayout, profile: Profile) -> FieldDictionary:
    """The layout's fields with the profile's; every name the layout uses must be among them."""
    try:
        fields = layout.fields.extended(profile.fields, f"profile {profile.id}")
    except ValueError as exc:
        raise LayoutError(f"insurer profile '{profile.id}' with layout '{layout.name}': {exc}") from None
    used = {n for page in layout.pages for el in page.elements for n in el.names()}
    missing = unknown_names(sorted(used | set(layout.model.requires)), Names(fields, layout.scheme))
    if missing:
        raise LayoutError(f"layout '{layout.name}' uses field(s) {', '.join(missing)}, which neither it, its scheme "
                          f"nor insurer profile '{profile.id}' declares")
    return fields
