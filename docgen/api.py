"""The Python API: the same operations as the CLI, for vendors embedding docgen.

    from docgen import load_layout, read_records, render_pdf
    report = render_pdf("kokuho-card", "samples/kokuho.csv", "out.pdf")
"""
from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Iterable, Iterator

from docgen.layout.profile import Profile
from docgen.output.files import Inputs
from docgen.output.pdf import RenderReport, write_pdf
from docgen.pipeline import Job, Outcome, open_job
from docgen.records import SourceRecord


def check(layout: str | Path, data: Path | str | Iterable[SourceRecord], *, profile: str | Path | Profile | None = None,
          mapping: Path | None = None, encoding: str | None = None, renewal_start: date | None = None,
          record_id: str | None = None, job: Job | None = None) -> Iterator[Outcome]:
    """Validate and bind every record without drawing: what `docgen validate` reports."""
    job = job or open_job(layout, profile, renewal_start)
    return job.outcomes(job.records(data, mapping, encoding, record_id))


def render_pdf(layout: str | Path, data: Path | str | Iterable[SourceRecord], out: Path | str, *,
               profile: str | Path | Profile | None = None, mapping: Path | None = None,
               encoding: str | None = None, renewal_start: date | None = None,
               record_id: str | None = None) -> RenderReport:
    """Render every good record (front then back per record) into one PDF; list the rejected ones.

    `out` may not be any file the run reads, nor a device or a FIFO (OutputError); with nothing
    to print (report.rendered == 0) nothing is written or removed: a file at `out` is an earlier
    run's."""
    job = open_job(layout, profile, renewal_start)
    inputs = Inputs.of(job, records_file=data if isinstance(data, (str, Path)) else None, mapping_file=mapping)
    return write_pdf(job, check(layout, data, mapping=mapping, encoding=encoding, record_id=record_id, job=job),
                     Path(out), inputs)
