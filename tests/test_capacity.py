"""Defect 9 of issue 8: every built-in layout prints every value its fields allow.

For each layout, one record per kind of worst case fills every text field at once to its limit
(the field dictionary's, or the layout's lower `limits:`), with the widest characters the fonts
have (every glyph of BIZ UD and IPAmj明朝 is at most 1 em: 山, Ｗ, 𠮷 from the fallback font), one
long Latin word, and punctuation that 禁則 keeps off line starts; dates are the longest 和暦.
Each must bind, print at a legible size, extract as the input, keep every glyph inside an
element's box, and no glyph may overlap another.
"""
from __future__ import annotations

import re
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from pdfcheck import assert_glyphs_in_boxes, page_text, squash

from docgen.elements.field import FieldElement
from docgen.elements.textfit import FittedText
from docgen.fields import BY_NAME, Kind
from docgen.layout.loader import available_layouts, load_layout
from docgen.output.pdf import write_pdf
from docgen.pipeline import open_job
from docgen.records import SourceRecord

LAYOUTS = available_layouts()
# The smallest sizes the layouts may shrink to (README "Layouts"): names on a card 5.5 pt, any
# other text 4.5 pt; 長体 never narrower than 55 %.
NAME_FLOOR, TEXT_FLOOR, SCALE_FLOOR = 5.5, 4.5, 0.55
NAME_FIELDS = {"name", "insured_name", "householder_name"}
PATTERNS = {
    "kanji": "山",
    "full-width-latin": "Ｗ",
    "non-bmp": "\U00020bb7",   # 𠮷, drawn from the IPAmj明朝 fallback
    "latin-word": "W",         # one word as long as the field: it must break inside
    "kinsoku": "山。",          # closing punctuation that may not start a line
}
# the longest 和暦 (昭和28年12月28日, 平成30年12月28日), and the other dates valid around it: a
# 72-year-old (every layout's scheme takes one: the 70–74 ratio stated, 後期 by 障害認定 from 65)
DATES = {"birth_date": "1953-12-28", "acquired_date": "2018-12-28", "issue_date": "2026-07-15",
         "limit_class_date": "2028-12-28", "long_stay_date": "2028-12-28"}
OTHER = {"kokuho": {"edaban": "01", "sex": "男", "postal_code": "0000101", "special_care": "1", "copay_ratio": "2",
                    "ratio_effective_date": "2026-08-01"},
         "kouki": {"hihokensha_bango": "01002344", "sex": "女", "postal_code": "0000708", "copay_ratio": "1",
                   "disability_certified": "1"},
         "kenpo": {"edaban": "01", "sex": "男", "relationship": "家族", "postal_code": "0000901",
                   "mynumber_last4": "0418", "copay_ratio": "2"},
         "kyosai": {"edaban": "01", "sex": "女", "relationship": "家族", "postal_code": "0000951",
                    "mynumber_last4": "6350", "copay_ratio": "2", "ratio_effective_date": "2026-08-01"}}


def _fill(field: str, pattern: str, length: int) -> str:
    charset = BY_NAME[field].charset
    if charset and not all(_allowed(field, ch) for ch in pattern):
        pattern = "W" if _allowed(field, "W") else "9"
    return (pattern * length)[:length]


def _allowed(field: str, ch: str) -> bool:
    return re.fullmatch(f"[{BY_NAME[field].charset}]", ch) is not None


def worst_record(layout: str, pattern: str) -> dict[str, str]:
    """Every text field of the layout at its limit in the pattern; the 管理番号 differs per pattern."""
    resolved = load_layout(layout)
    model = resolved.model
    used = set(model.requires) | set(resolved.scheme.spec.requires) | {"disability_certified"}
    for page in load_layout(layout).pages:
        for el in page.elements:
            used.update(el.names())
    fields = {**DATES, **OTHER[model.scheme]}
    for name in used:
        f = BY_NAME.get(name)
        if f is not None and f.kind is Kind.TEXT:
            fields[name] = _fill(name, pattern, getattr(model, "limits", {}).get(name, f.max_len))
    fields["record_id"] = (str(list(PATTERNS.values()).index(pattern)) + fields["record_id"])[:len(fields["record_id"])]
    kept = {k: v for k, v in fields.items() if k in used}
    if model.household is not None:     # a household layout: each worst case a household of its own
        kept["household_id"] = kept["record_id"]
    return kept


@pytest.fixture(scope="module")
def worst(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, list]]:
    """Per layout: the PDF with one worst-case record per pattern, and the outcomes."""
    out: dict[str, tuple[Path, list]] = {}
    folder = tmp_path_factory.mktemp("capacity")
    for layout in LAYOUTS:
        job = open_job(layout)
        records = [SourceRecord(i + 1, f"row {i + 1}", worst_record(layout, p)) for i, p in enumerate(PATTERNS.values())]
        outcomes = list(job.outcomes(records))
        pdf = folder / f"{layout}.pdf"
        write_pdf(job, outcomes, pdf)
        out[layout] = (pdf, outcomes)
    return out


@pytest.mark.parametrize("layout", LAYOUTS)
def test_defect9_every_field_at_its_limit_binds_at_a_legible_size(layout: str, worst) -> None:
    _, outcomes = worst[layout]
    card = load_layout(layout).model.document == "card"
    for pattern, outcome in zip(PATTERNS, outcomes):
        assert outcome.document is not None, (pattern, [str(p) for p in outcome.problems])
        for page in outcome.document.pages:
            for el, prepared in page.items:
                if not isinstance(el, FieldElement) or not isinstance(prepared, FittedText):
                    continue
                floor = NAME_FLOOR if card and NAME_FIELDS & set(el.names()) else TEXT_FLOOR
                assert prepared.size >= floor - 1e-9, (pattern, el.id, prepared.size)
                assert prepared.scale >= SCALE_FLOOR - 1e-9, (pattern, el.id, prepared.scale)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_defect9_worst_case_text_extracts_exactly_and_stays_in_its_boxes(layout: str, worst) -> None:
    pdf, outcomes = worst[layout]
    resolved = load_layout(layout)
    n = len(resolved.pages)
    h_mm = resolved.model.size_mm[1]
    doc = pdfium.PdfDocument(pdf)
    assert len(doc) == n * len(PATTERNS)
    printed = {f for page in resolved.pages for el in page.elements for f in el.names()}
    for r, pattern in enumerate(PATTERNS):
        record = worst_record(layout, PATTERNS[pattern])
        text = "".join(squash(page_text(doc[r * n + p])) for p in range(n))
        for name, value in record.items():
            if BY_NAME[name].kind is Kind.TEXT and name in printed:
                assert squash(value) in text, f"{pattern}: {name} not extracted exactly"
        for p in range(n):
            assert_glyphs_in_boxes(doc[r * n + p], resolved.pages[p].elements, h_mm, f"{layout} {pattern} page {p + 1}")


def test_defect9_kenpo_card_prints_every_name_the_field_allows() -> None:
    from test_validation import KENPO, one, printed, rec

    kenpo = open_job("kenpo-card")
    for name in ("東三条院勅使河原" * 5, "山" * 40, "山" * 37, "見本　" + "ミ" * 34):
        outcome = one(kenpo, rec(base=KENPO, name=name, insured_name=name))
        assert outcome.document is not None, [str(p) for p in outcome.problems]
        assert printed(outcome, "name").replace("\n", "") == name
        assert printed(outcome, "insured").replace("\n", "") == name


def test_defect9_remarks_and_kana_at_the_field_limit_print_or_meet_a_documented_layout_limit() -> None:
    from test_validation import KENPO, has, one, printed, rec

    kokuho = open_job("kokuho-card")
    outcome = one(kokuho, rec(remarks="備" * 80, name_kana="ア" * 60))
    assert printed(outcome, "remarks").replace("\n", "") == "備" * 80
    assert printed(outcome, "name-kana") == "ア" * 60
    kenpo = open_job("kenpo-card")
    assert one(kenpo, rec(base=KENPO, remarks="備" * 48, name_kana="ア" * 40)).document is not None
    outcome = one(kenpo, rec(base=KENPO, remarks="備" * 49, name_kana="ア" * 41))
    assert outcome.document is None
    assert has(outcome.problems, "remarks", "text") and has(outcome.problems, "name_kana", "text")
    details = {p.field: p.detail for p in outcome.problems}
    assert details["remarks"] == "longer than 48 characters (this layout's limit; the field allows 80)"
    assert details["name_kana"] == "longer than 40 characters (this layout's limit; the field allows 60)"


def test_wrapped_text_takes_the_largest_size_that_fits() -> None:
    """Three lines at the full size beat two lines shrunk (the addressee block's long addresses),
    and wrap_min_size lets a name take a second line below its one-line minimum."""
    from docgen.elements.text_style import Fit, TextStyle
    from docgen.elements.textfit import fit_text
    from docgen.fonts import load_fonts

    chain = load_fonts().chain("gothic")
    style = TextStyle(size=10, fit=Fit(min_size=8, max_lines=3, leading=1.2))
    fitted = fit_text("山" * 50, chain, style, 20 * 10, 3.2 * 10 * 1.2 + 1)
    assert (len(fitted.lines), fitted.size, fitted.scale) == (3, 10, 1.0)
    name = TextStyle(size=9, fit=Fit(min_size=6, min_scale=0.6, wrap_min_size=5.5, max_lines=2, leading=1.05))
    width, height = 46 * 72 / 25.4, 4.0 * 72 / 25.4
    one_line = fit_text("山" * 30, chain, name, width, height)
    assert (len(one_line.lines), one_line.size) == (1, 6)          # one line while 6 pt × 60 % holds it
    two_lines = fit_text("山" * 40, chain, name, width, height)
    assert (len(two_lines.lines), two_lines.size, two_lines.scale) == (2, 5.5, 1.0)
