"""The stages wired together: records -> validate -> bind, one record at a time.

Output writers (a single PDF, later bulk bundles) consume `Outcome`s, so every input record ends
either rendered or rejected with its problems: none is dropped.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Iterable, Iterator

from docgen.bind.binder import Binder, BoundDocument
from docgen.fonts import FontSet, load_fonts
from docgen.layout.loader import ResolvedLayout, load_layout, load_profile
from docgen.layout.profile import Profile
from docgen.records import SourceRecord
from docgen.validate.problems import Problem, RecordRejected
from docgen.validate.record import check_record


@dataclass(frozen=True)
class Outcome:
    row: int
    record_id: str | None
    document: BoundDocument | None
    problems: tuple[Problem, ...]


@dataclass
class Job:
    """One layout with one insurer profile: everything that is the same for every record."""

    layout: ResolvedLayout
    profile: Profile
    fonts: FontSet
    binder: Binder

    def prepare(self, records: Iterable[SourceRecord]) -> Iterator[Outcome]:
        seen: set[str] = set()
        model = self.layout.model
        for src in records:
            values, problems = check_record(src, model.scheme, model.requires)
            rid = values.get("record_id")
            if rid is not None:
                if rid in seen:
                    problems.append(Problem(src.row, rid, "record_id", "duplicate-id", "管理番号 already used by an earlier row"))
                seen.add(rid)
            doc = None
            if not problems:
                try:
                    doc = self.binder.bind(values, src.row)
                except RecordRejected as exc:
                    problems.extend(exc.problems)
            yield Outcome(src.row, rid, doc, tuple(problems))


def open_job(layout: str | Path | ResolvedLayout, profile: str | Path | Profile | None = None,
             renewal_start: date | None = None, fonts: FontSet | None = None) -> Job:
    """Load a layout (by name or path), its insurer profile and the fonts, and prepare the binder."""
    lay = layout if isinstance(layout, ResolvedLayout) else load_layout(layout)
    prof = profile if isinstance(profile, Profile) else load_profile(profile or lay.model.profile)
    fonts = fonts or load_fonts()
    return Job(lay, prof, fonts, Binder(lay, prof, fonts, renewal_start))
