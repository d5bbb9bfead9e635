"""One record of a layout rendered to page images, with how each element's content fitted.

Shared by `docgen preview`, `docgen diff` and `docgen serve`. Unlike `render_pdf` it also draws
a record that the binder rejects (without the elements that do not fit: the binder's outcomes
say which) because the designer needs to see exactly that record to fix the layout.
"""
from __future__ import annotations

import itertools
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from PIL import Image

from docgen.errors import LayoutError
from docgen.layout.loader import ResolvedLayout, load_layout
from docgen.layout.search import BUILTIN_PREFIX
from docgen.output.pdf import write_pdf
from docgen.paths import SAMPLES
from docgen.pipeline import Job, Outcome
from docgen.preview.boxes import (
    FITTED,
    OVERFLOW,
    Mark,
    draw_marks,
    legend,
    page_marks,
    stack,
)
from docgen.preview.raster import rasterise, side_by_side
from docgen.records import RecordFileError, SourceRecord, read_records
from docgen.validate.problems import Problem
from docgen.yamlfile import read_yaml


@dataclass(frozen=True)
class RecordFile:
    """Where preview records come from. Records are re-read on every use and never kept."""

    path: Path
    mapping: Path | None = None
    encoding: str | None = None

    def records(self, job: Job) -> Iterator[SourceRecord]:
        """The file's records, read with the job's fields (those its scheme, layout and profile declare)."""
        return read_records(self.path, mapping=self.mapping, encoding=self.encoding, fields=job.fields)


def sample_list() -> list[dict[str, str]]:
    """The bundled samples (samples/samples.yaml, shipped in the package): each data file with its layout."""
    return read_yaml(SAMPLES / "samples.yaml", LayoutError)["samples"]


def default_records(layout: ResolvedLayout) -> RecordFile:
    """The bundled sample file for a layout, so a designer can preview without data: the one
    listed for its name, else the first one of a built-in layout for the same scheme and document."""
    def same_kind(entry: dict[str, str]) -> bool:
        sample = load_layout(BUILTIN_PREFIX + entry["layout"]).model
        return (sample.scheme, sample.document) == (layout.model.scheme, layout.model.document)

    entries = sample_list()
    by_name = (e for e in entries if e["layout"] == layout.name)
    entry = next(itertools.chain(by_name, filter(same_kind, entries)), None)
    if entry is None:
        raise LayoutError(f"no bundled sample data for layout '{layout.name}': give a DATA file")
    mapping = SAMPLES / entry["mapping"] if entry.get("mapping") else None
    return RecordFile(SAMPLES / entry["data"], mapping)


def pick_record(job: Job, source: RecordFile, index: int | None = None, record_id: str | None = None) -> SourceRecord:
    """The record at `index`, or with `record_id`, or else the first that prints (else the first)."""
    first = None
    for i, src in enumerate(source.records(job)):
        if index is not None or record_id is not None:
            if i == index or (record_id is not None and src.fields.get("record_id") == record_id):
                return src
            continue
        if next(job.outcomes([src])).document is not None:
            return src
        first = first or src
    if first is None:
        wanted = f"no record #{index}" if index is not None else f"no record with 管理番号 {record_id}" if record_id else "no records"
        raise RecordFileError(f"{source.path}: {wanted}")
    return first


def page_indices(layout: ResolvedLayout, page: str) -> list[int]:
    """Indices of the pages a --page option names: one page by name, or "all"."""
    names = [p.name for p in layout.pages]
    if page == "all":
        return list(range(len(names)))
    if page not in names:
        raise LayoutError(f"{layout.source}: no page '{page}' (pages: {', '.join(names)}, or all)")
    return [names.index(page)]


@dataclass(frozen=True)
class Snapshot:
    layout: ResolvedLayout
    pages: tuple[Image.Image, ...]
    marks: tuple[tuple[Mark, ...], ...]
    problems: tuple[Problem, ...]
    dpi: int

    def sheet(self, page: str = "all", boxes: bool = False) -> Image.Image:
        """The chosen pages side by side; with `boxes`, outlined and named, with a legend."""
        idx = page_indices(self.layout, page)
        images = [draw_marks(self.pages[i], self.marks[i], self.dpi) if boxes else self.pages[i] for i in idx]
        sheet = side_by_side(images)
        return stack([sheet, legend(sheet.width, self.dpi)]) if boxes else sheet

    def notes(self, page: str = "all") -> list[str]:
        """One line per element on the chosen pages that only fitted by adjusting, or did not fit."""
        return [f"{self.layout.pages[i].name}: {m.name} {m.status}: {m.note}"
                for i in page_indices(self.layout, page) for m in self.marks[i] if m.status in (FITTED, OVERFLOW)]


def snapshot(job: Job, src: SourceRecord, dpi: int) -> Snapshot:
    """Render one record through the normal writer, keeping the PDF only while rasterising; a
    rejected record is drawn as far as it prints, and each element marked by its outcome."""
    values, problems = job.validate_one(src)
    doc = job.binder.bind(values, src.row)
    with tempfile.TemporaryDirectory(prefix="docgen-preview-") as tmp:
        pdf = Path(tmp) / "record.pdf"
        write_pdf(job, [Outcome(src.row, doc.record_id, doc, ())], pdf)
        pages = rasterise(pdf, dpi)
    off_page = [{o.index: o.problem for o in job.layout.off_page if o.page == i} for i in range(len(doc.pages))]
    marks = tuple(page_marks(page.outcomes, off) for page, off in zip(doc.pages, off_page))
    return Snapshot(job.layout, tuple(pages), marks, tuple(problems) + doc.problems, dpi)
