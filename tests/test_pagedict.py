"""docgen.output.pagedict: page dictionaries written once per kind of page give the very bytes
ReportLab's own formatting gives, for every way docgen makes pages."""
from __future__ import annotations

import io
from typing import Callable

import pytest
from reportlab.pdfbase import pdfdoc
from reportlab.pdfgen.canvas import Canvas

from docgen.output import pagedict
from docgen.output import pdf as pdf_output
from docgen.output.bundle import BundleTask, JobSpec, job_for, render_bundle
from docgen.output.pdf import write_pdf
from docgen.paths import SAMPLES
from docgen.pipeline import open_job
from docgen.records import read_records


def _both(monkeypatch: pytest.MonkeyPatch, make: Callable[[], bytes]) -> tuple[bytes, bytes]:
    """What make() writes with docgen's canvas, and with ReportLab's own in its place."""
    ours = make()
    with monkeypatch.context() as patch:
        patch.setattr(pdf_output, "KindCanvas", Canvas)
        theirs = make()
    return ours, theirs


@pytest.mark.parametrize("layout,data", [("kenpo-card", "kenpo.csv"), ("kokuho-card", "kokuho.csv"),
                                         ("kouki-notice", "kouki.jsonl"), ("kokuho-notice", "kokuho.csv")])
def test_a_document_is_byte_for_byte_reportlabs(layout, data, tmp_path, monkeypatch):
    job = open_job(layout)

    def make() -> bytes:
        out = tmp_path / "out.pdf"
        write_pdf(job, list(job.outcomes(read_records(SAMPLES / data, fields=job.fields))), out)
        return out.read_bytes()

    ours, theirs = _both(monkeypatch, make)
    assert ours == theirs


@pytest.mark.parametrize("options", [{}, {"sheet": True}, {"separator": True}, {"sheet": True, "separator": True,
                                                                               "start_slot": 4}])
def test_a_bundle_is_byte_for_byte_reportlabs(options, monkeypatch):
    """Bundles carry control marks (DataMatrix), imposed sheets with crop marks, separator pages."""
    spec = JobSpec("kenpo-card")
    job = job_for(spec)
    records = tuple((src.row, values) for src, values, problems in job.validate(read_records(SAMPLES / "kenpo.csv", fields=job.fields))
                    if not problems)
    task = BundleTask(spec, "TEST", 1, 1, records, **options)
    ours, theirs = _both(monkeypatch, lambda: render_bundle(task).pdf)
    assert ours == theirs


def _canvas() -> pagedict.KindCanvas:
    return pagedict.KindCanvas(io.BytesIO(), pagesize=(200, 100), invariant=1, pageCompression=1)


def _page(c: Canvas) -> pdfdoc.PDFPage:
    return c._doc.Pages.pages[-1]


def test_pages_of_one_kind_share_their_dictionary_and_others_do_not():
    c = _canvas()
    c.beginForm("f")
    c.rect(0, 0, 10, 10)
    c.endForm()
    for text in ("a", "b"):
        c.doForm("f")
        c.drawString(10, 10, text)
        c.showPage()
    c.drawString(10, 10, "no form")
    c.showPage()
    c.setPageSize((300, 100))
    c.drawString(10, 10, "wider")
    c.showPage()
    kinds = [pagedict.page_kind(p) for p in c._doc.Pages.pages]
    assert None not in kinds
    assert kinds[0] == kinds[1] and len(set(kinds)) == 3


def test_a_page_with_what_is_not_compared_is_left_to_reportlab():
    c = _canvas()
    c.linkURL("https://example.invalid/", (0, 0, 10, 10))       # an annotation
    c.showPage()
    c.setFillAlpha(0.5)                                          # transparency: an ExtGState
    c.rect(0, 0, 10, 10, fill=1)
    c.showPage()
    c.setCropBox((0, 0, 50, 50))
    c.showPage()
    assert [pagedict.page_kind(p) for p in c._doc.Pages.pages] == [None, None, None]


def test_same_bytes_as_reportlab_with_pages_of_every_sort(monkeypatch):
    """Kinds and pages ReportLab formats itself, interleaved, in one file."""
    def make() -> bytes:
        buf = io.BytesIO()
        c = pdf_output.KindCanvas(buf, pagesize=(200, 100), invariant=1, pageCompression=1)
        c.beginForm("f")
        c.rect(0, 0, 10, 10)
        c.endForm()
        for i in range(6):
            if i % 3 == 0:
                c.doForm("f")
            if i == 2:
                c.linkURL("https://example.invalid/", (0, 0, 10, 10))
            if i == 4:
                c.setPageSize((300, 100))
            c.drawString(10, 10, f"page {i}")
            c.showPage()
        c.save()
        return buf.getvalue()

    ours, theirs = _both(monkeypatch, make)
    assert ours == theirs
