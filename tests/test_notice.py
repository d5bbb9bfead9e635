"""The A4 資格情報のお知らせ: checks that read the rendered PDFs back instead of trusting the layouts.

Window envelope: what is drawn inside the envelope window (text boxes from PDFium, barcode bars
from the content stream) must be the addressee block and nothing else, 3 mm inside the window.
Slip: the cut line drawn is 86 × 54 mm, on the lower fold, and nothing printed crosses it.
Customer barcode: the bars on the page, classified by their measured extent, are the bars
docgen.postal gives for the record. Variants (特別療養費, 70+, マイナンバー下4桁) appear exactly
where the data says they apply.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_raw
import pytest
import yaml
from barcode_reader import decode
from pydantic import BaseModel
from pypdf import PdfReader
from pypdf.generic import ContentStream
from rendering import Sample, rendered, samples

from docgen import postal
from docgen.cli import main
from docgen.elements.customer_barcode import CustomerBarcodeElement
from docgen.elements.cutline import CutLineElement, label_box
from docgen.elements.field import FieldElement
from docgen.elements.line import LineElement
from docgen.elements.numbered_list import ListElement
from docgen.elements.text import TextElement
from docgen.layout.loader import load_layout
from docgen.layout.model import Window
from docgen.output.pdf import write_pdf
from docgen.paths import SAMPLES as SAMPLE_DIR
from docgen.pipeline import open_job
from docgen.postal.customer_barcode import BAR_PITCH_MM, BAR_WIDTH_MM
from docgen.records import SourceRecord, read_records

MM = 72 / 25.4
A4_H = 297.0
NOTICES = ("kokuho-notice", "kouki-notice", "kenpo-notice", "kyosai-notice")
# with the household notice (two slips a sheet: its slips and drawn sheets are checked in test_household.py)
NOTICE_LAYOUTS = (*NOTICES, "kokuho-notice-household")
# the notices that name the insured person in the window, in their scheme's word
INSURED_WORD = {"kenpo-notice": "被保険者", "kyosai-notice": "組合員"}
NOTICE_SAMPLES = [s for s in samples() if s.layout in NOTICES]
INSET = 3.0     # the addressee block keeps this far inside the window on every side
PLAY = 2.0      # how far the folded sheet may move in the envelope
TOL = 0.15      # glyph outlines may touch a box edge
SLIP = (112.0, 198.0, 86.0, 54.0)   # x, y, w, h of the slip in mm

Box = tuple[float, float, float, float]   # x0, y0, x1, y1 in mm from the top-left corner


def _sample(layout: str) -> Sample:
    return next(s for s in NOTICE_SAMPLES if s.layout == layout)


def _values(sample: Sample) -> dict[str, dict[str, str]]:
    """The raw input of every record, by 管理番号."""
    out = {}
    for src in read_records(SAMPLE_DIR / sample.data):
        out[src.fields["record_id"]] = {k: v for k, v in src.fields.items() if v}
    return out


def _squash(text: str) -> str:
    return "".join(ch for ch in text if ch not in " \u3000\r\n\t\ufffe")


def _window(layout: str) -> Window:
    window = load_layout(layout).model.window
    assert window is not None, f"{layout} states no envelope window"
    return window


def _window_box(window: Window, grow: float = 0.0) -> Box:
    return window.x - grow, window.y - grow, window.x + window.w + grow, window.y + window.h + grow


def _inside(inner: Box, outer: Box, tol: float = 0.0) -> bool:
    return (outer[0] - tol <= inner[0] and inner[2] <= outer[2] + tol
            and outer[1] - tol <= inner[1] and inner[3] <= outer[3] + tol)


def _overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _element_boxes(el: BaseModel) -> list[Box]:
    """Every area an element may draw on, from the layout alone."""
    if isinstance(el, CustomerBarcodeElement):
        return [el.bbox()]
    if isinstance(el, LineElement):
        return [(min(el.x1, el.x2), min(el.y1, el.y2), max(el.x1, el.x2), max(el.y1, el.y2))]
    boxes = [(el.x, el.y, el.x + el.w, el.y + el.h)]
    if isinstance(el, CutLineElement):
        x, y, w, h = label_box(el)
        boxes.append((x, y, x + w, y + h))
    return boxes


@dataclass(frozen=True)
class Char:
    text: str
    box: Box


def _chars(page: pdfium.PdfPage) -> list[Char]:
    """Drawn characters with their boxes; PDFium counts one outside the BMP (𠮷) as two indices."""
    tp = page.get_textpage()
    out = []
    i, n = 0, tp.count_chars()
    while i < n:
        ch, step = tp.get_text_range(i, 1), 1
        if not ch:
            ch, step = tp.get_text_range(i, 2), 2
        if ch.strip():
            left, bottom, right, top = tp.get_charbox(i)
            out.append(Char(ch, (left / MM, A4_H - top / MM, right / MM, A4_H - bottom / MM)))
        i += step
    return out


def _filled_rects(pdf: Path, page_index: int) -> list[tuple[Box, tuple[float, ...]]]:
    """Rectangles the page's own content stream fills, with the fill colour they are filled in."""
    reader = PdfReader(pdf)
    ops = ContentStream(reader.pages[page_index].get_contents(), reader).operations
    out, pending, fill = [], [], ()
    for operands, op in ops:
        if op == b"cm":
            assert [float(v) for v in operands] == [1, 0, 0, 1, 0, 0], "a transformed page stream"
        elif op == b"k":
            fill = tuple(float(v) for v in operands)
        elif op == b"re":
            x, y, w, h = (float(v) / MM for v in operands)
            pending.append((min(x, x + w), A4_H - max(y, y + h), max(x, x + w), A4_H - min(y, y + h)))
        elif op in (b"f", b"F", b"f*", b"B", b"B*", b"b", b"b*"):
            out.extend((box, fill) for box in pending)
            pending = []
        elif op in (b"S", b"s", b"n"):
            pending = []
    return out


def _barcode_rects(pdf: Path, page_index: int, window: Window) -> list[tuple[Box, tuple[float, ...]]]:
    return [(b, fill) for b, fill in _filled_rects(pdf, page_index) if _overlaps(b, _window_box(window, PLAY))]


def _classify(bars: list[Box]) -> list[str]:
    """F, A, D or T from each bar's measured extent against the long bars' top and bottom."""
    top, bottom = min(b[1] for b in bars), max(b[3] for b in bars)
    full = bottom - top
    out = []
    for b in bars:
        at_top, at_bottom = abs(b[1] - top) < 0.05 * full, abs(b[3] - bottom) < 0.05 * full
        out.append("F" if at_top and at_bottom else "A" if at_top else "D" if at_bottom else "T")
    return out


# --- the layouts --------------------------------------------------------------------------------

@pytest.mark.parametrize("layout", NOTICE_LAYOUTS)
def test_layout_states_the_standard_window_and_a4(layout: str) -> None:
    model = load_layout(layout).model
    assert model.size_mm == (210.0, 297.0) and model.document == "notice"
    w = _window(layout)
    assert (w.x, w.y, w.w, w.h) == (23, 14, 90, 45)
    assert w.y + w.h <= A4_H / 3, "the window must lie on the top third of the folded sheet"


@pytest.mark.parametrize("layout", NOTICE_LAYOUTS)
def test_addressee_elements_sit_inside_the_window(layout: str) -> None:
    window = _window(layout)
    inner = (window.x + INSET, window.y + INSET, window.x + window.w - INSET, window.y + window.h - INSET)
    elements = load_layout(layout).pages[0].elements
    addressee = [e for e in elements if (e.id or "").startswith("addressee-")]
    ids = {e.id for e in addressee}
    assert {"addressee-barcode", "addressee-postal-code", "addressee-address", "addressee-name"} <= ids
    for el in addressee:
        for box in _element_boxes(el):
            assert _inside(box, inner), f"{layout}: {el.id} {box} is not {INSET} mm inside the window"
    # nothing else may show through the window, even when the sheet moves in the envelope
    seen = _window_box(window, PLAY)
    for el in elements:
        if el in addressee:
            continue
        for box in _element_boxes(el):
            assert not _overlaps(box, seen), f"{layout}: {el.id} {box} would show in the window"


@pytest.mark.parametrize("layout", NOTICES)
def test_slip_is_card_sized_on_the_fold_and_holds_the_slip_elements(layout: str) -> None:
    elements = load_layout(layout).pages[0].elements
    cut = [e for e in elements if isinstance(e, CutLineElement)]
    assert len(cut) == 1
    c = cut[0]
    assert (c.x, c.y, c.w, c.h) == SLIP
    assert c.y == pytest.approx(2 * A4_H / 3), "the slip's top edge lies on the lower fold"
    assert c.x + c.w == pytest.approx(210 - 12), "the slip's right edge is on the right margin"
    slip = (c.x, c.y, c.x + c.w, c.y + c.h)
    for el in elements:
        if el is c:
            continue
        for box in _element_boxes(el):
            if (el.id or "").startswith("slip-"):
                assert _inside(box, slip), f"{layout}: {el.id} leaves the slip"
            else:
                assert not _overlaps(box, slip), f"{layout}: {el.id} would be cut off with the slip"
    _, label_y, _, label_h = label_box(c)
    assert label_y + label_h <= c.y, "the 切り取り線 label stays on the sheet, above the slip"


@pytest.mark.parametrize("layout", NOTICE_LAYOUTS)
def test_type_is_at_least_5_5_pt(layout: str) -> None:
    for el in load_layout(layout).pages[0].elements:
        if isinstance(el, (TextElement, FieldElement, ListElement, CutLineElement)):
            assert min(el.size, el.fit.min_size or el.size) >= 5.5, el.id


# --- the rendered sheets -----------------------------------------------------------------------

@pytest.mark.parametrize("sample", NOTICE_SAMPLES, ids=lambda s: s.key)
def test_one_a4_page_per_record(sample: Sample, render_dir: Path) -> None:
    r = rendered(sample, render_dir)
    assert r.pages_per_record == 1
    assert len(r.good) == len(r.outcomes) == len(_values(sample))
    assert len(PdfReader(r.pdf).pages) == len(r.good)


def _window_values(v: dict[str, str]) -> tuple[str, str, str, str]:
    """Postal code, address, building and 宛名 the window shows: the 送付先's when the record has one."""
    if "mail_address" in v:
        return v["mail_postal_code"], v["mail_address"], v.get("mail_building", ""), v.get("mail_care_of", "")
    return v["postal_code"], v["address"], v.get("building", ""), ""


def _addressee_text(layout: str, v: dict[str, str]) -> str:
    postal_code, address, building, care_of = _window_values(v)
    postal_code = postal_code.replace("-", "")
    text = f"〒{postal_code[:3]}-{postal_code[3:]}{address}{building}{care_of}{v['name']}様{v['record_id']}"
    if layout in INSURED_WORD:
        text += f"（{INSURED_WORD[layout]}{v['insured_name']}様）"
    return _squash(text)


@pytest.mark.parametrize("sample", NOTICE_SAMPLES, ids=lambda s: s.key)
def test_drawn_window_content_is_the_addressee_block_inside_the_window(sample: Sample, render_dir: Path) -> None:
    r = rendered(sample, render_dir)
    window = _window(sample.layout)
    inner = _window_box(window, -INSET)
    seen = _window_box(window, PLAY)
    doc = pdfium.PdfDocument(r.pdf)
    values = _values(sample)
    for i, outcome in enumerate(r.good):
        shown = [c for c in _chars(doc[i]) if _overlaps(c.box, seen)]
        for c in shown:
            assert _inside(c.box, inner, TOL), f"{outcome.record_id}: a character at {c.box} is not inside the window"
        # PDFium orders the characters of one line by position, so compare them as a multiset
        got = sorted(_squash("".join(c.text for c in shown)))
        assert got == sorted(_addressee_text(sample.layout, values[outcome.record_id])), outcome.record_id
        bars = _barcode_rects(r.pdf, i, window)
        assert len(bars) == postal.BAR_COUNT, outcome.record_id
        x0, y0 = min(b[0] for b, _ in bars), min(b[1] for b, _ in bars)
        x1, y1 = max(b[2] for b, _ in bars), max(b[3] for b, _ in bars)
        q = postal.QUIET_ZONE_MM
        quiet = (x0 - q, y0 - q, x1 + q, y1 + q)
        assert _inside(quiet, inner, 0.01), f"{outcome.record_id}: barcode and quiet zone leave the window"
        assert not [c for c in shown if _overlaps(c.box, quiet)], "text inside the barcode's quiet zone"


@pytest.mark.parametrize("sample", NOTICE_SAMPLES, ids=lambda s: s.key)
def test_customer_barcode_on_the_page_is_the_records_barcode(sample: Sample, render_dir: Path) -> None:
    r = rendered(sample, render_dir)
    window = _window(sample.layout)
    values = _values(sample)
    for i, outcome in enumerate(r.good):
        v = values[outcome.record_id]
        found = sorted(_barcode_rects(r.pdf, i, window), key=lambda item: item[0][0])
        assert {fill for _, fill in found} == {(0.0, 0.0, 0.0, 1.0)}, "bars must be pure K"
        boxes = [b for b, _ in found]
        postal_code, address, building, _ = _window_values(v)
        assert _classify(boxes) == postal.bars(postal_code, f"{address}　{building}" if building else address), \
            outcome.record_id
        lefts = [b[0] for b in boxes]
        assert all(abs(b - a - BAR_PITCH_MM) < 0.01 for a, b in zip(lefts, lefts[1:]))
        assert all(abs(b[2] - b[0] - BAR_WIDTH_MM) < 0.01 for b in boxes)
        assert max(b[3] for b in boxes) - min(b[1] for b in boxes) == pytest.approx(postal.symbol_size_mm()[1], abs=0.01)


@pytest.mark.parametrize("sample", NOTICE_SAMPLES, ids=lambda s: s.key)
def test_cut_line_drawn_is_86_by_54_and_nothing_crosses_it(sample: Sample, render_dir: Path) -> None:
    r = rendered(sample, render_dir)
    doc = pdfium.PdfDocument(r.pdf)
    x, y, w, h = SLIP
    slip = (x, y, x + w, y + h)
    page = doc[0]
    paths = []
    for obj in page.get_objects(max_depth=3):
        if obj.type == pdfium_raw.FPDF_PAGEOBJ_PATH:
            left, bottom, right, top = obj.get_bounds()
            paths.append((left / MM, A4_H - top / MM, right / MM, A4_H - bottom / MM))
    half_stroke = 0.5 / 2 / MM
    frames = [p for p in paths if all(abs(a - b) <= half_stroke + 0.02 for a, b in zip(p, (
        slip[0] - half_stroke, slip[1] - half_stroke, slip[2] + half_stroke, slip[3] + half_stroke)))]
    assert len(frames) == 1, "no 86 × 54 mm cut line on the page"
    for i, outcome in enumerate(r.good):
        chars = _chars(doc[i])
        label = [c for c in chars if _overlaps(c.box, (x, y - 5, x + w, y))]
        assert _squash("".join(c.text for c in label)) == "切り取り線"
        for c in chars:
            if _overlaps(c.box, slip):
                assert _inside(c.box, _window_box(Window(x=x, y=y, w=w, h=h), -1.0), TOL), \
                    f"{outcome.record_id}: a character at {c.box} crosses the cut line"


def _text_in(page: pdfium.PdfPage, x: float, y: float, w: float, h: float) -> str:
    tp = page.get_textpage()
    return _squash(tp.get_text_bounded(x * MM, (A4_H - y - h) * MM, (x + w) * MM, (A4_H - y) * MM))


def _slip_text(page: pdfium.PdfPage) -> str:
    return _text_in(page, *SLIP)


@lru_cache(maxsize=None)
def _elements_by_id(layout: str) -> dict[str, BaseModel]:
    return {e.id: e for e in load_layout(layout).pages[0].elements if e.id}


def _element_text(page: pdfium.PdfPage, layout: str, element_id: str) -> str:
    """What is drawn inside one element's box (empty when the element does not apply)."""
    el = _elements_by_id(layout)[element_id]
    return _text_in(page, el.x, el.y, el.w, el.h)


@pytest.mark.parametrize("sample", NOTICE_SAMPLES, ids=lambda s: s.key)
def test_text_holds_the_input_values_and_the_slip_what_a_clinic_needs(sample: Sample, render_dir: Path) -> None:
    r = rendered(sample, render_dir)
    doc = pdfium.PdfDocument(r.pdf)
    values = _values(sample)
    for i, outcome in enumerate(r.good):
        v = values[outcome.record_id]
        text = _squash(doc[i].get_textpage().get_text_range())
        for field in ("name", "name_kana", "address", "kigo", "bango", "hihokensha_bango", "householder_name",
                      "insured_name"):
            # the employees' notices print the 住所 only in the window, which may show a 送付先 instead
            if field in v and not (field == "address" and sample.layout in INSURED_WORD and "mail_address" in v):
                assert _squash(v[field]) in text, f"{outcome.record_id} {field} not extracted exactly"
        assert _squash(_window_values(v)[1]) in text, f"{outcome.record_id}: the window's address"
        slip = _slip_text(doc[i])
        assert _squash(v["name"]) in slip
        number = v.get("hihokensha_bango") or f"{v['kigo']}{v['bango']}（枝番）{v['edaban']}"
        assert _squash(number) in slip
        assert "マイナ保険証と一緒に提示してください" in slip and "これのみでは受診できません" in slip
        for label in ("生年月日", "資格取得年月日", "保険者番号", "保険者名称"):
            assert label in slip.replace("・", ""), label


def test_rare_characters_come_back_exactly(render_dir: Path) -> None:
    """髙 and 﨑 (in BIZ UD), 𠮷 outside the BMP (IPAmj fallback), 神 U+FA19, the IVS 葛󠄀."""
    r = rendered(_sample("kokuho-notice"), render_dir)
    doc = pdfium.PdfDocument(r.pdf)
    text = "".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    for seq in ("\u9AD9\uFA11", "\U00020BB7田", "\uFA19", "\u845B\U000E0100西"):
        assert seq in text, f"U+{ord(seq[0]):04X} lost"


@pytest.mark.parametrize("sample", NOTICE_SAMPLES, ids=lambda s: s.key)
def test_every_font_is_embedded(sample: Sample, render_dir: Path) -> None:
    reader = PdfReader(rendered(sample, render_dir).pdf)
    fonts = []
    for page in reader.pages:
        resources = [page["/Resources"]]
        while resources:
            res = resources.pop().get_object()
            fonts.extend(f.get_object() for f in (res.get("/Font") or {}).values())
            resources.extend(x.get_object()["/Resources"] for x in (res.get("/XObject") or {}).values()
                             if x.get_object().get("/Subtype") == "/Form")
    if sample.data == "kokuho.csv":   # K0008, K0009 have 𠮷, which BIZ UD lacks and the Gothic fallback has
        assert any("docgenFallback" in str(f["/BaseFont"]) for f in fonts), "the 𠮷 fallback font is missing"
    for font in fonts:
        assert "/FontFile2" in font["/FontDescriptor"].get_object(), f"{font['/BaseFont']} is not embedded"


# --- variants ---------------------------------------------------------------------------------

# From samples/README.md: 70–74 with a ratio, and who has an 有効期限 on the お知らせ (the ratio
# stated, turning 75, a period of stay ending in the year, or given in the data).
KOKUHO_RATIO = {"K0008": "2割", "K0009": "2割", "K0011": "3割", "K0013": "2割"}
KOKUHO_EXPIRY = {"K0008": "令和9年7月31日", "K0009": "令和9年7月31日", "K0011": "令和9年3月9日",
                 "K0012": "令和9年3月16日", "K0013": "令和9年7月31日", "K0014": "令和9年3月31日"}
KOKUHO_SPECIAL_CARE = {"K0001", "K0002"}


def test_kokuho_variants_appear_only_where_they_apply(render_dir: Path) -> None:
    r = rendered(_sample("kokuho-notice"), render_dir)
    doc = pdfium.PdfDocument(r.pdf)
    for i, outcome in enumerate(r.good):
        rid, page = outcome.record_id, doc[i]

        def shown(element_id: str) -> str:
            return _element_text(page, "kokuho-notice", element_id)

        ratio, expiry = KOKUHO_RATIO.get(rid, ""), KOKUHO_EXPIRY.get(rid, "")
        assert ("一部負担金の割合" in _squash(page.get_textpage().get_text_range())) == bool(ratio), rid
        assert shown("slip-ratio-label") == ("負担割合" if ratio else ""), rid
        assert shown("slip-ratio") == ratio and shown("ratio").startswith(ratio), rid
        assert shown("slip-expiry-label") == ("有効期限" if expiry else ""), rid
        assert shown("slip-expiry") == expiry and shown("expiry") == expiry, rid
        care = rid in KOKUHO_SPECIAL_CARE
        assert shown("slip-special-care") == ("特別療養費" if care else ""), rid
        assert shown("special-care-mark") == ("特別療養費" if care else ""), rid
        assert ("特別療養費の対象です" in shown("special-care-note")) == care, rid


def test_kouki_slips_always_carry_ratio_and_expiry(render_dir: Path) -> None:
    sample = _sample("kouki-notice")
    r = rendered(sample, render_dir)
    doc = pdfium.PdfDocument(r.pdf)
    values = _values(sample)
    for i, outcome in enumerate(r.good):
        ratio = f"{values[outcome.record_id]['copay_ratio']}割"
        assert _element_text(doc[i], "kouki-notice", "slip-ratio") == ratio
        assert _element_text(doc[i], "kouki-notice", "ratio") == ratio
        assert _element_text(doc[i], "kouki-notice", "slip-expiry") == "令和9年7月31日"
        assert "特別療養費" not in _squash(doc[i].get_textpage().get_text_range())


def test_kenpo_shows_the_last_four_my_number_digits_and_no_expiry(render_dir: Path) -> None:
    sample = _sample("kenpo-notice")
    r = rendered(sample, render_dir)
    doc = pdfium.PdfDocument(r.pdf)
    values = _values(sample)
    for i, outcome in enumerate(r.good):
        last4 = values[outcome.record_id]["mynumber_last4"]
        assert _element_text(doc[i], "kenpo-notice", "mynumber") == f"下4桁{last4}"
        text = _squash(doc[i].get_textpage().get_text_range())
        assert "有効期限" not in text and "一部負担金の割合" not in text and "未収録" not in text


# From samples/README.md: S0003 has no My Number digits, S0005 (72) a 負担割合 from 2026-08-01.
KYOSAI_RATIO = {"S0005": "2割"}


def test_kyosai_speaks_of_the_kumiaiin_and_shows_a_ratio_only_when_on_file(render_dir: Path) -> None:
    sample = _sample("kyosai-notice")
    r = rendered(sample, render_dir)
    doc = pdfium.PdfDocument(r.pdf)
    values = _values(sample)
    assert [o.record_id for o in r.good] == [f"S000{n}" for n in range(1, 10)]
    for i, outcome in enumerate(r.good):
        rid, v = outcome.record_id, values[outcome.record_id]

        def shown(element_id: str) -> str:
            return _element_text(doc[i], "kyosai-notice", element_id)

        assert shown("title") == "共済組合資格情報のお知らせ" and shown("slip-title") == "共済組合資格情報のお知らせ"
        assert shown("insured-label") == "組合員氏名" and shown("insured") == _squash(v["insured_name"])
        last4 = v.get("mynumber_last4")       # the two share one box
        assert shown("mynumber") == (f"下4桁{last4}" if last4 else "未収録"), rid
        ratio = KYOSAI_RATIO.get(rid, "")
        assert shown("slip-ratio") == ratio and shown("ratio") == (f"{ratio}（発効期日令和8年8月1日）" if ratio else ""), rid
        text = _squash(doc[i].get_textpage().get_text_range())
        assert "有効期限" not in text and "被保険者" not in text and "健康保険資格" not in text, rid


# --- records the sample files do not have ------------------------------------------------------

def _kokuho_record(**changes: str | None) -> SourceRecord:
    fields: dict[str, str | None] = {
        "record_id": "T0001", "kigo": "架空", "bango": "9009", "edaban": "01", "name": "見本　試子",
        "name_kana": "ミホン　タメシコ", "birth_date": "1980-02-02", "sex": "女", "acquired_date": "2020-04-01",
        "issue_date": "2026-07-15", "householder_name": "見本　試子", "postal_code": "0000101",
        "address": "例題県架空市見本町二丁目3番4号"}
    fields.update(changes)
    return SourceRecord(row=1, where="row 1", fields=fields)


@pytest.mark.parametrize("postal_code,address,rule", [
    ("0000101", "例題県架空市三番町5", "place-name-numeral"),         # 三番町: a numeral in the town name
    ("0000100", "例題県架空市見本町二丁目3番4号", "representative-postal-code"),
    ("1020075", "東京都千代田区五番町6", "town-mismatch"),              # 102-0075 is 三番町 in KEN_ALL
])
def test_unreadable_address_prints_without_barcode_and_warns(postal_code: str, address: str, rule: str,
                                                             tmp_path: Path) -> None:
    job = open_job("kokuho-notice")
    pdf = tmp_path / "n.pdf"
    household = [_kokuho_record(postal_code=postal_code, address=address),          # the same address twice:
                 SourceRecord(2, "row 2", {**_kokuho_record().fields, "record_id": "T0002",   # read once,
                                           "postal_code": postal_code, "address": address})]  # warned for each
    report = write_pdf(job, job.outcomes(household), pdf)
    assert report.rendered == 2 and not report.rejected
    assert [(w.row, w.rule) for w in report.warnings] == [(1, "customer-barcode"), (2, "customer-barcode")]
    warning = report.warnings[0]
    assert (warning.record_id, warning.field, warning.rule) == ("T0001", "postal_code, address, building",
                                                                "customer-barcode")
    assert warning.detail.startswith("element addressee-barcode: ") and rule in warning.detail
    assert address not in str(warning) and postal_code not in str(warning), "personal data in a message"
    assert _barcode_rects(pdf, 0, _window("kokuho-notice")) == []
    text = _squash(pdfium.PdfDocument(pdf)[0].get_textpage().get_text_range())
    assert _squash(address) in text and "見本試子様" in text


NUMBERED_TOWNS = yaml.safe_load((Path(__file__).parent / "data" / "customer_barcode_examples.yaml")
                                .read_text(encoding="utf-8"))["numbered_towns"]


def test_numbered_town_names_print_the_barcode_of_their_address(tmp_path: Path) -> None:
    """三番町, 八丁堀, 南1条西 …: the bars drawn on each sheet decode to the postal code and the
    number of 住所B (what follows the town name KEN_ALL gives for the code)."""
    job = open_job("kokuho-notice")
    pdf = tmp_path / "n.pdf"
    records = [_kokuho_record(record_id=f"T{i:04d}", postal_code=town["postal_code"].replace("-", ""),
                              address=town["address"]) for i, town in enumerate(NUMBERED_TOWNS, 1)]
    report = write_pdf(job, job.outcomes(records), pdf)
    assert report.rendered == len(NUMBERED_TOWNS) and not report.rejected and not report.warnings
    for i, town in enumerate(NUMBERED_TOWNS):
        drawn = sorted(_barcode_rects(pdf, i, _window("kokuho-notice")), key=lambda item: item[0][0])
        assert decode(_classify([b for b, _ in drawn])) == (town["postal_code"].replace("-", ""), town["number"])


@pytest.mark.parametrize("layout, channel", [("kenpo-notice", "事業主"), ("kyosai-notice", "所属所")])
def test_without_my_number_says_so_in_the_scheme_words(layout: str, channel: str, tmp_path: Path) -> None:
    job = open_job(layout)
    fields = {"record_id": "T0002", "kigo": "40010203", "bango": "999", "edaban": "00", "name": "見本　試",
              "name_kana": "ミホン　タメシ", "insured_name": "見本　試", "birth_date": "1985-03-15", "sex": "男",
              "relationship": "本人", "acquired_date": "2009-04-01", "issue_date": "2026-07-15",
              "postal_code": "0000901", "address": "例題県架空市見本町八丁目3番15号"}
    pdf = tmp_path / "k.pdf"
    report = write_pdf(job, job.outcomes([SourceRecord(row=1, where="row 1", fields=fields)]), pdf)
    assert report.rendered == 1
    page = pdfium.PdfDocument(pdf)[0]
    # the digits' box holds exactly 未収録, and the row asks for the number instead of checking it
    assert _element_text(page, layout, "mynumber-missing") == "未収録"
    assert _element_text(page, layout, "mynumber-submit") == f"{channel}を通じてマイナンバーをご提出ください"


def test_cli_renders_and_previews_a_notice(tmp_path: Path) -> None:
    out = tmp_path / "notices.pdf"
    assert main(["render", "kouki-notice", str(SAMPLE_DIR / "kouki.jsonl"), "-o", str(out)]) == 0
    assert len(PdfReader(out).pages) == 8
    png = tmp_path / "notice.png"
    assert main(["preview", "kokuho-notice", "-o", str(png), "--dpi", "50"]) == 0
    assert png.stat().st_size > 0
