"""Checks of the rendered PDFs that do not trust the goldens.

QR codes are read back from the raster, fonts are inspected in the file, text is extracted with
PDFium and compared with the input, every drawn character is located and must sit inside an
element's box, and page sizes are measured.
"""
from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium
import pytest
import zxingcpp
from pypdf import PdfReader
from rendering import Sample, render_sample, rendered, samples

from docgen.elements.field import FieldElement
from docgen.elements.numbered_list import ListElement
from docgen.elements.text import TextElement
from docgen.layout.loader import load_layout
from docgen.output.pdf import write_pdf
from docgen.pipeline import open_job
from docgen.preview.raster import rasterise
from docgen.records import SourceRecord

MM = 72 / 25.4
SAMPLES = samples()
CARD_SAMPLES = [s for s in SAMPLES if s.layout.endswith("-card")]


def _fonts(resources, out: list) -> None:
    resources = resources.get_object() if resources else {}
    for font in (resources.get("/Font") or {}).values():
        out.append(font.get_object())
    for xobj in (resources.get("/XObject") or {}).values():
        xobj = xobj.get_object()
        if xobj.get("/Subtype") == "/Form":
            _fonts(xobj.get("/Resources"), out)


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda s: s.key)
def test_every_font_is_embedded_as_a_subset(sample: Sample, render_dir: Path) -> None:
    reader = PdfReader(rendered(sample, render_dir).pdf)
    fonts: list = []
    for page in reader.pages:
        _fonts(page["/Resources"], fonts)
    assert fonts
    for font in fonts:
        descriptor = font["/FontDescriptor"].get_object()
        assert "/FontFile2" in descriptor, f"{font['/BaseFont']} is not embedded"
        assert str(font["/BaseFont"])[7] == "+", f"{font['/BaseFont']} is not a subset"


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda s: s.key)
def test_page_sizes_are_exact(sample: Sample, render_dir: Path) -> None:
    w_mm, h_mm = load_layout(sample.layout).model.size_mm
    for page in PdfReader(rendered(sample, render_dir).pdf).pages:
        box = page.mediabox
        assert float(box.width) == pytest.approx(w_mm * MM, abs=0.01)
        assert float(box.height) == pytest.approx(h_mm * MM, abs=0.01)


def _squash(text: str) -> str:
    """Drop layout whitespace only (line breaks, spaces); every other code point must survive."""
    return "".join(ch for ch in text if ch not in " \u3000\r\n\t")


@pytest.mark.parametrize("sample", CARD_SAMPLES, ids=lambda s: s.key)
def test_extracted_text_equals_the_input(sample: Sample, render_dir: Path) -> None:
    r = rendered(sample, render_dir)
    doc = pdfium.PdfDocument(r.pdf)
    n = r.pages_per_record
    for i, outcome in enumerate(r.good):
        text = "".join(_squash(doc[i * n + p].get_textpage().get_text_range()) for p in range(n))
        values = _record_values(sample, outcome.record_id)
        for field in ("name", "name_kana", "address", "kigo", "bango", "householder_name", "insured_name"):
            if values.get(field):
                assert _squash(values[field]) in text, f"{outcome.record_id} {field} not extracted exactly"


def _record_values(sample: Sample, record_id: str) -> dict[str, str]:
    """The record as the insurer means it: read, and its 外字 mapped through the profile's table."""
    from docgen.paths import SAMPLES as SAMPLE_DIR
    from docgen.pipeline import open_job
    from docgen.records import read_records

    mapping = SAMPLE_DIR / sample.mapping if sample.mapping else None
    job = open_job(sample.layout)
    for src in read_records(SAMPLE_DIR / sample.data, mapping=mapping):
        if src.fields.get("record_id") == record_id:
            return {k: v for k, v in job.read(src).fields.items() if v}
    raise KeyError(record_id)


def test_rare_characters_come_back_exactly(render_dir: Path) -> None:
    """𠮷 (outside the BMP), 神 U+FA19 (NFC would change it), 髙, 﨑 and an IVS."""
    sample = next(s for s in SAMPLES if s.key == "kokuho-card--kokuho")
    r = rendered(sample, render_dir)
    doc = pdfium.PdfDocument(r.pdf)
    text = "".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    for seq in ("\U00020BB7", "\uFA19", "\u9AD9", "\uFA11", "\u845B\U000E0100"):
        assert seq in text, f"U+{ord(seq[0]):04X} lost"
    assert "\u795E一" not in text  # U+FA19 was not normalised to U+795E


def _text_boxes(layout_name: str, page_index: int) -> list[tuple[str, float, float, float, float]]:
    page = load_layout(layout_name).pages[page_index]
    return [(e.id or "", e.x, e.y, e.x + e.w, e.y + e.h) for e in page.elements
            if isinstance(e, (TextElement, FieldElement, ListElement))]


@pytest.mark.parametrize("sample", CARD_SAMPLES, ids=lambda s: s.key)
def test_every_character_sits_inside_an_element_box(sample: Sample, render_dir: Path) -> None:
    r = rendered(sample, render_dir)
    doc = pdfium.PdfDocument(r.pdf)
    h_mm = load_layout(sample.layout).model.size_mm[1]
    tol = 0.15  # mm: glyph outlines may touch the box edge
    boxes = [_text_boxes(sample.layout, p) for p in range(r.pages_per_record)]
    for index in range(len(doc)):
        tp = doc[index].get_textpage()
        for c in range(tp.count_chars()):
            if tp.get_text_range(c, 1).isspace():
                continue
            left, bottom, right, top = tp.get_charbox(c)
            x0, x1 = left / MM, right / MM
            y0, y1 = h_mm - top / MM, h_mm - bottom / MM
            inside = [b for b in boxes[index % r.pages_per_record]
                      if b[1] - tol <= x0 and x1 <= b[3] + tol and b[2] - tol <= y0 and y1 <= b[4] + tol]
            assert inside, f"page {index + 1}: character {c} at ({x0:.1f},{y0:.1f})-({x1:.1f},{y1:.1f}) mm outside every box"


def test_name_field_text_stays_in_the_name_box(render_dir: Path) -> None:
    """The bounded text of the name box is exactly the name, for the longest sample name too."""
    sample = next(s for s in SAMPLES if s.key == "kokuho-card--kokuho")
    r = rendered(sample, render_dir)
    doc = pdfium.PdfDocument(r.pdf)
    name = next(e for e in load_layout("kokuho-card").pages[0].elements if e.id == "name")
    h = 54.0
    for i, outcome in enumerate(r.good):
        tp = doc[i * 2].get_textpage()
        got = tp.get_text_bounded(name.x * MM, (h - name.y - name.h) * MM, (name.x + name.w) * MM, (h - name.y) * MM)
        assert _squash(got) == _squash(_record_values(sample, outcome.record_id)["name"])


def _qr_records() -> list[tuple[str, str, str, str]]:
    return [("12345678", "4321", "01", "12345678,4321,01"), ("見本西", "2002", "02", "見本西,2002,02")]


QR_CARDS = ("kenpo-card", "kyosai-card")


@pytest.mark.parametrize("layout", QR_CARDS)
@pytest.mark.parametrize("kigo,bango,edaban,_", _qr_records())
def test_qr_code_reads_back_as_the_payload(layout: str, kigo: str, bango: str, edaban: str, _: str,
                                           tmp_path: Path) -> None:
    job = open_job(layout)
    fields = {"record_id": "Q1", "kigo": kigo, "bango": bango, "edaban": edaban, "name": "見本　誠",
              "name_kana": "ミホン　マコト", "insured_name": "見本　誠", "birth_date": "1985-03-15", "sex": "男",
              "relationship": "本人", "acquired_date": "2009-04-01", "issue_date": "2026-07-15",
              "address": "例題県架空市見本町一丁目1番1号"}
    src = SourceRecord(row=1, where="row 1", fields=fields)
    pdf = tmp_path / "qr.pdf"
    report = write_pdf(job, job.outcomes([src]), pdf)
    assert report.rendered == 1
    front = rasterise(pdf, 400)[0]
    results = zxingcpp.read_barcodes(front)
    assert len(results) == 1
    assert results[0].format == zxingcpp.BarcodeFormat.QRCode
    expected = f"{job.profile.insurer_number},{kigo},{bango},{edaban}"
    assert results[0].text == expected
    assert results[0].ec_level in ("M", "Q", "H")


@pytest.mark.parametrize("layout, insurer_number", [("kenpo-card", "01990019"), ("kyosai-card", "32990012")])
def test_sample_qr_codes_all_read_back(layout: str, insurer_number: str, render_dir: Path) -> None:
    sample = next(s for s in SAMPLES if s.layout == layout)
    r = rendered(sample, render_dir)
    pages = rasterise(r.pdf, 300)
    assert len(r.good) == len(r.outcomes) > 0
    for i, outcome in enumerate(r.good):
        v = _record_values(sample, outcome.record_id)
        found = zxingcpp.read_barcodes(pages[i * 2])
        assert [b.text for b in found] == [f"{insurer_number},{v['kigo']},{v['bango']},{v['edaban']}"]


def test_output_is_deterministic(tmp_path: Path) -> None:
    sample = next(s for s in SAMPLES if s.key == "kokuho-card--kokuho")
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    a = render_sample(sample, tmp_path / "a")
    b = render_sample(sample, tmp_path / "b")
    assert a.pdf.read_bytes() == b.pdf.read_bytes()
