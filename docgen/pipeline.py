"""The stages wired together: records -> validate -> bind, one record at a time.

The words mean one thing each, everywhere: to *validate* a record is to apply the record rules
(docgen.validate); to *bind* it is to turn a valid record into a document for the layout
(docgen.bind), which *prepares* each element's content through its kind (docgen.elements);
`docgen.check` (and `docgen validate` on the command line) is both, without drawing.

Output writers consume `Outcome`s, so every input record ends either rendered or rejected with
its problems: none is dropped.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property
from datetime import date
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping, Sequence

from docgen.bind.binder import Binder, BoundDocument
from docgen.bind.household import (
    MemberKey,
    held_back,
    household_of,
    household_problems,
    households,
    member_key,
)
from docgen.errors import LayoutError
from docgen.fields import FieldDictionary
from docgen.fonts import FontSet, load_fonts
from docgen.layout.loader import (
    ResolvedLayout,
    load_layout,
    load_profile,
    require_same_scheme,
)
from docgen.layout.model import Household
from docgen.layout.profile import Profile
from docgen.layout.references import Names, unknown_names
from docgen.layout.search import referenced_at, resolve
from docgen.records import SourceRecord, select_records
from docgen.template import Template
from docgen.validate.given import MAIL_FIELDS, not_printed, sources
from docgen.validate.problems import Problem
from docgen.validate.record import RecordRules, validate_record


@dataclass(frozen=True)
class Share:
    """Where a record prints in a household's document: the document's page of its sheet and its
    member slot there; the first member's outcome is the one that draws the document."""

    page: int           # 0-based, in the document
    slot: int           # 1-based member slot on the sheet
    first: bool


@dataclass(frozen=True)
class Outcome:
    """One input record: its document, or (document None) the problems that reject it. The
    members of a household document share it (`share` says where each prints)."""

    row: int
    record_id: str | None
    document: BoundDocument | None
    problems: tuple[Problem, ...]
    share: Share | None = None

    @property
    def draws(self) -> bool:
        """Whether a writer draws `document` for this outcome (once per household document)."""
        return self.document is not None and (self.share is None or self.share.first)


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
    taken: frozenset[str] = field(init=False)    # the fields a value may be given for without a warning

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
        self.taken = frozenset(sources({n for page in self.layout.pages for el in page.elements for n in el.names()})
                               | set(requires) | set(derivations)
                               | {n for check in scheme.spec.checks for n in check.fields_named()}
                               | {f.name for f in self.fields if not f.printed_on(model.document)})

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
        unused = not_printed(values, self.taken, self.fields, self.layout.name, row, doc.record_id)
        if unused:
            doc = replace(doc, warnings=(*unused, *doc.warnings))
        return Outcome(row, doc.record_id, None if doc.rejected else doc, doc.problems)

    @property
    def household(self) -> Household | None:
        """The layout's household mailing (one document per household), if it is one."""
        return self.layout.model.household

    @cached_property
    def agree(self) -> tuple[str, ...]:
        """The fields a household's members must share: the layout's `household: agree:`, and with
        the address the 送付先 and 方書 the envelope window prints from (a member mailed elsewhere
        is a mismatch, never a silently dropped 送付先)."""
        assert self.household is not None
        agree = tuple(self.household.agree)
        if {"postal_code", "address"} <= set(agree):
            agree += tuple(n for n in ("building", *MAIL_FIELDS) if n in self.fields and n not in agree)
        return agree

    def household_key(self, row: int, values: Mapping[str, Any], raw: Mapping[str, Any], rejected: bool) -> MemberKey:
        """A record's place in its household, with digests of the fields its members must share."""
        return member_key(row, values, raw, self.agree, rejected)

    def household_problems(self, members: Sequence[MemberKey]) -> dict[int, list[Problem]]:
        """By row, why the household's members that are fine on their own do not print (see
        docgen.bind.household)."""
        labels = {name: self.fields.get(name).label or name for name in self.agree if self.fields.get(name)}
        return household_problems(members, self.agree, labels)

    def records(self, data: Path | str | Iterable[SourceRecord], mapping: Path | None = None,
                encoding: str | None = None, record_id: str | None = None) -> Iterator[SourceRecord]:
        """The records a run works on: all, or with `record_id` the one with that 管理番号; for a
        household layout the whole household that record belongs to (a household's document
        cannot be printed for one member alone)."""
        if record_id is None or self.household is None:
            yield from select_records(data, mapping, encoding, record_id, self.fields)
            return
        every = list(select_records(data, mapping, encoding, None, self.fields))
        wanted = next((r for r in every if r.fields.get("record_id") == record_id), None)
        group = household_of(wanted.fields) if wanted is not None else None
        yield from (r for r in every if r is wanted or (group is not None and household_of(r.fields) == group))

    def bind_household(self, members: Sequence[tuple[int, dict[str, Any]]]) -> list[Outcome]:
        """One household's checked records (head first), bound as one document: an Outcome per
        member, each with its sheet and slot, or every member rejected with the problems of the
        ones that failed (`household-member-rejected` for the others)."""
        doc = self.binder.bind_household(members)
        if doc.rejected:
            held = held_back([(r, v.get("record_id")) for r, v in members], [p.row for p in doc.problems])
            return [Outcome(row, values.get("record_id"), None,
                            tuple(p for p in doc.problems if p.row == row) or tuple(held.get(row, ())))
                    for row, values in members]
        per = self.layout.per_sheet
        pages = len(self.layout.pages)
        return [Outcome(row, values.get("record_id"), doc, (),
                        Share(i // per * pages, i % per + 1, i == 0))
                for i, (row, values) in enumerate(members)]

    def outcomes(self, records: Iterable[SourceRecord]) -> Iterator[Outcome]:
        """Validate and bind each record: one Outcome per input record, in input order (for a
        household layout, household by household)."""
        if self.household is not None:
            yield from self._household_outcomes(records)
            return
        for src, values, problems in self.validate(records):
            if problems:
                yield Outcome(src.row, values.get("record_id"), None, tuple(problems))
            else:
                yield self.bind(src.row, values)

    def _household_outcomes(self, records: Iterable[SourceRecord]) -> Iterator[Outcome]:
        """Every record read first (a household's records need not be adjacent), then each
        household in the order of its first record: printed whole or rejected whole."""
        checked = list(self.validate(records))
        keys = [self.household_key(src.row, values, src.fields, bool(problems)) for src, values, problems in checked]
        for idx in households([k.group for k in keys], [k.head for k in keys]):
            held = self.household_problems([keys[i] for i in idx])
            if held or any(checked[i][2] for i in idx):
                for i in idx:
                    src, values, problems = checked[i]
                    yield Outcome(src.row, values.get("record_id") or keys[i].record_id, None,
                                  tuple(problems or held.get(src.row, ())))
                continue
            yield from self.bind_household([(checked[i][0].row, checked[i][1]) for i in idx])


def open_job(layout: str | Path | ResolvedLayout, profile: str | Path | Profile | None = None,
             renewal_start: date | None = None, fonts: FontSet | None = None) -> Job:
    """Load a layout (by name or path), its insurer profile and the fonts, and set up the binder."""
    lay = layout if isinstance(layout, ResolvedLayout) else load_layout(layout)
    if isinstance(profile, Profile):
        prof = profile
    else:      # the command line's --profile is relative to the working directory, the layout's to the layout
        prof = load_profile(profile) if profile else load_profile(lay.profile_file())
    lay = mailing_layout(lay, prof)
    require_same_scheme(prof, lay.name, lay.scheme)
    fields = job_fields(lay, prof)
    fonts = fonts or load_fonts()
    return Job(lay, prof, fonts, Binder(lay, prof, fonts), fields, renewal_start or prof.renewal_start)


def mailing_layout(layout: ResolvedLayout, profile: Profile) -> ResolvedLayout:
    """The layout a notice is printed with for this insurer: its household variant
    (`household_layout`) when the profile says `notice_mailing: household`; cards are never mailed
    by household, so a card layout is what it is."""
    if profile.notice_mailing != "household" or layout.model.document != "notice" or layout.model.household:
        return layout
    if layout.model.household_layout is None:
        raise LayoutError(f"insurer profile '{profile.id}' says notice_mailing: household, and layout '{layout.name}' "
                          "names no household_layout to mail by household")
    with referenced_at(f"{layout.source}: household_layout"):
        return load_layout(resolve("layout", layout.model.household_layout, layout.source))


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
