"""One bundle, rendered: the unit of work a process pool or a Dask worker runs.

A task carries everything it needs (the job's spec, the bundle's checked records in mailing
order) and returns the PDF as bytes plus its manifest rows; the driver alone writes files, so
atomic writes, the journal and resume live in one place whatever runs the bundles. The output
depends only on the task, which keeps it byte-identical for any number of workers.
"""
from __future__ import annotations

import io
import threading
from dataclasses import dataclass, field
from datetime import date
from itertools import groupby
from typing import Any, Iterable, Iterator

from reportlab.pdfgen.canvas import Canvas

from docgen.bind.household import household_of
from docgen.layout.model import ControlMark
from docgen.output.control import ControlCode, draw_control_mark, layout_mark
from docgen.output.encryption import encrypt_pdf
from docgen.output.imposition import SheetSpec, SheetWriter
from docgen.output.pdf import new_canvas
from docgen.output.spool import Entry
from docgen.pipeline import Job, Outcome, open_job
from docgen.render.page import PageDrawer
from docgen.units import MM
from docgen.validate.problems import Problem


@dataclass(frozen=True)
class JobSpec:
    """What opens the same job in any process: layout and profile (names or paths), renewal."""

    layout: str
    profile: str | None = None
    renewal: date | None = None


@dataclass(frozen=True)
class BundleTask:
    job: JobSpec
    batch: str
    bundle: int
    first: int                      # batch sequence number of the first record
    # (input row, checked values), in mailing order; kept out of repr, which Dask logs on errors
    records: tuple[Entry, ...] = field(repr=False)
    sheet: bool = False
    start_slot: int = 1
    separator: bool = False
    password: str | None = field(default=None, repr=False)


@dataclass
class BundleResult:
    bundle: int
    pdf: bytes                      # empty when no record of the bundle could be printed
    pages: int = 0
    sheets: int = 0
    entries: list[dict[str, Any]] = field(default_factory=list)    # manifest rows, no personal data
    rejects: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


_local = threading.local()


def job_for(spec: JobSpec, job: Job | None = None) -> Job:
    """This thread's job for spec, opened once: opening parses the layout and the fonts, and a
    job's binder keeps per-record state, so threads (a threaded Dask worker) never share one."""
    jobs: dict[JobSpec, Job] = _local.__dict__.setdefault("jobs", {})
    if job is not None:
        jobs[spec] = job
    if spec not in jobs:
        jobs[spec] = open_job(spec.layout, spec.profile, spec.renewal)
    return jobs[spec]


def sheet_spec(job: Job) -> SheetSpec:
    return SheetSpec(card=job.layout.model.size_mm)


def render_bundle(task: BundleTask) -> BundleResult:
    job = job_for(task.job)
    outcomes: Iterable[tuple[int, Outcome]] = enumerate(_bound(job, task.records), task.first)
    if task.separator:
        outcomes = list(outcomes)   # the separator states the count before the first document
    result = BundleResult(task.bundle, b"")
    size = sheet_spec(job).size if task.sheet else job.layout.model.size_mm
    buf = io.BytesIO()
    canvas = new_canvas(buf, job, size)
    if task.separator:
        printed = sum(1 for _, o in outcomes if o.document is not None)
        result.pages += _separator(canvas, job, task, size, printed)
    drawn = _draw_sheets(canvas, job, task, outcomes, result) if task.sheet \
        else _draw_pages(canvas, job, task, outcomes, result)
    if drawn or task.separator:
        canvas.save()
        result.pdf = buf.getvalue()
        if task.password:
            result.pdf = encrypt_pdf(result.pdf, task.password)
    return result


def _bound(job: Job, records: Iterable[Entry]) -> Iterator[Outcome]:
    """Each record bound, in order; for a household layout each household (its records adjacent,
    head first, as the plan ordered them) as one document."""
    if job.household is None:
        yield from (job.bind(row, values) for row, values in records)
        return
    for _, members in groupby(enumerate(records), key=lambda e: household_of(e[1][1]) or -1 - e[0]):
        yield from job.bind_household([entry for _, entry in members])


def _printable(outcomes: Iterable[tuple[int, Outcome]], result: BundleResult) -> Iterator[tuple[int, Outcome]]:
    """The outcomes that print; rejected ones go to the result's rejects."""
    for seq, outcome in outcomes:
        if outcome.document is None:
            result.rejects.extend(outcome.problems)
            continue
        if outcome.draws:
            result.warnings.extend(outcome.document.warnings)
        yield seq, outcome


def _row(task: BundleTask, seq: int, outcome: Outcome) -> dict[str, Any]:
    return {"sequence": seq, "record_id": outcome.record_id, "row": outcome.row, "bundle": task.bundle}


def _draw_pages(canvas: Canvas, job: Job, task: BundleTask, outcomes: Iterable[tuple[int, Outcome]],
                result: BundleResult) -> int:
    """Each document's pages in turn, with a control mark where the layout has room for one."""
    drawer = PageDrawer(canvas, job.binder)
    mark = layout_mark(job.layout.model)
    page_h = job.layout.model.size_mm[1]
    drawn = 0
    codes: list[ControlCode] = []
    first = 0
    for seq, outcome in _printable(outcomes, result):
        doc = outcome.document
        if outcome.draws:
            drawn += 1
            n = len(doc.pages)
            codes = [ControlCode(task.batch, task.bundle, drawn, i + 1, n) for i in range(n)]
            for i in range(n):
                drawer.draw_page(doc, i)
                if mark:
                    draw_control_mark(canvas, job.fonts, mark, page_h, codes[i])
                canvas.showPage()
            first = result.pages
            result.pages += n
        # a household's member: the pages of its sheet and its slip there
        share = outcome.share
        mine = range(len(doc.pages)) if share is None else range(share.page, share.page + len(job.layout.pages))
        row = _row(task, seq, outcome)
        row["pages"] = [first + i + 1 for i in mine]
        row["control"] = [str(codes[i]) for i in mine] if mark else []
        if share is not None:
            row["slip"] = share.slot
        result.entries.append(row)
    return drawn


def _draw_sheets(canvas: Canvas, job: Job, task: BundleTask, outcomes: Iterable[tuple[int, Outcome]],
                 result: BundleResult) -> int:
    """Cards imposed on sheets; the first bundle may start on a partly used sheet."""
    spec = sheet_spec(job)
    pages = len(job.layout.pages)
    first_page = result.pages

    def mark(sheet: int, index: int) -> None:
        draw_control_mark(canvas, job.fonts, spec.mark, spec.size[1],
                          ControlCode(task.batch, task.bundle, sheet, index + 1, pages))

    writer = SheetWriter(PageDrawer(canvas, job.binder), spec, pages, task.start_slot, mark)
    drawn = 0
    for seq, outcome in _printable(outcomes, result):
        drawn += 1
        at = writer.add(outcome.document)
        row = _row(task, seq, outcome)
        sheet_pages = [first_page + (at.sheet - 1) * pages + i + 1 for i in range(pages)]
        row["pages"] = sheet_pages
        row["control"] = [str(ControlCode(task.batch, task.bundle, at.sheet, i + 1, pages)) for i in range(pages)]
        row["sheet"] = at.sheet
        row["slot"] = at.slot
        row["slot_mm"] = list(spec.slot_box(at.slot))
        if pages > 1:
            row["back_slot"] = spec.mirror(at.slot)
            row["back_slot_mm"] = list(spec.slot_box(spec.mirror(at.slot)))
        result.entries.append(row)
    writer.flush()
    result.sheets = writer.sheets
    result.pages += writer.sheets * pages
    return drawn


def _separator(canvas: Canvas, job: Job, task: BundleTask, size: tuple[float, float], printed: int) -> int:
    """A page stating the bundle, its sequence range and its count (no personal data), with a
    black band on the outer edge that shows in the side of a stack; blank pages follow so the
    next document starts on a front side. Returns the pages used."""
    w, h = size
    last = task.first + len(task.records) - 1
    rejected = len(task.records) - printed
    lines = [f"BUNDLE {task.bundle:05d}", f"batch {task.batch}", f"sequence {task.first:,}–{last:,}",
             f"{printed:,} document(s)" + (f", {rejected:,} rejected" if rejected else "")]
    title = max(min(w, h) * 0.12, 7.0)
    body = max(title * 0.55, 5.0)
    c = canvas
    c.setFillColorCMYK(0, 0, 0, 1)
    c.rect((w - min(5.0, w * 0.06)) * MM, 0, min(5.0, w * 0.06) * MM, h * MM, stroke=0, fill=1)
    font = job.fonts.chain("gothic").name
    y = h * MM * 0.8
    for i, line in enumerate(lines):
        pt = title if i == 0 else body
        c.setFont(font, pt)
        c.drawString(w * MM * 0.08, y, line)
        y -= pt * 1.6
    mark: ControlMark | None = sheet_spec(job).mark if task.sheet else layout_mark(job.layout.model)
    if mark:
        draw_control_mark(c, job.fonts, mark, h, ControlCode(task.batch, task.bundle, 0, 1, 1))
    pages = len(job.layout.pages)
    for _ in range(pages):
        c.showPage()
    return pages
