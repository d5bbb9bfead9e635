"""Property (hypothesis): over every text field of every built-in layout, any string is either
printed (the text extracted from the PDF equals the input or its documented composition, every
glyph inside an element's box, none overlapping another) or rejected with row, field and rule and
without the value in the message; never an exception.

The strings mix what breaks printing (combining marks, variation selectors, unusual spaces,
controls, bidi, lone surrogates, private use, characters outside the BMP, ligatures) with
ordinary Japanese and Latin text, up to past the longest field limit. Examples are derandomised
so CI is repeatable; DOCGEN_PROPERTY_EXAMPLES=2000 explores more locally.
"""
from __future__ import annotations

import os
from collections import defaultdict
from functools import lru_cache
from pathlib import Path

import pypdfium2 as pdfium
from hostile import (
    LAYOUTS,
    base_record,
    check_rejection,
    expected_text,
    printed_fields,
    text_fields,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pdfcheck import assert_glyphs_in_boxes, page_text, squash

from docgen.output.pdf import write_pdf
from docgen.pipeline import Job, open_job
from docgen.records import SourceRecord

CASES = [(layout, field) for layout in LAYOUTS for field in text_fields(layout)]
TRICKY = [
    "山", "田", "髙", "﨑", "\ufa19", "\U00020bb7", "葛", "\U000e0100", "\ufe00", "か", "ハ", "ｶ", "ﾞ", "ﾟ",
    "\u3099", "\u309a", "\u0301", "\u0308", "\u20dd", "e", "A", "W", "Ｗ", "9", ",", '"', "=", "-", "・", "、", "。",
    "「", "」", "ー", " ", "\u3000", "\u00a0", "\u2009", "\t", "\n", "\r", "\x00", "\x7f", "\u202e", "\u2066",
    "\u200b", "\ufeff", "\ud800", "\udc00", "\ue000", "\U000f0000", "\ufb01", "😀", "\u2028", "\u0378",
]
# clusters that only print right composed, or not at all
CLUSTERS = ["e\u0301", "か\u3099", "ハ\u309a", "ア\u3099", "\ufa19\u0301", "葛\U000e0100", "山\ufe00", "a\u0323\u0302"]
characters = st.one_of(st.sampled_from(TRICKY), st.characters(exclude_categories=()))
values = st.one_of(st.text(alphabet=characters, max_size=130),
                   st.lists(st.one_of(st.sampled_from(CLUSTERS), characters), max_size=50).map("".join))
EXAMPLES = int(os.environ.get("DOCGEN_PROPERTY_EXAMPLES", "40"))


@lru_cache(maxsize=None)
def job(layout: str) -> Job:
    return open_job(layout)


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(CASES), values), min_size=1, max_size=16))
def test_any_string_in_any_field_prints_exactly_or_is_rejected_by_name(tmp_path: Path, draws) -> None:
    printed: dict[str, list] = defaultdict(list)
    for row, ((layout, field), value) in enumerate(draws, start=1):
        [outcome] = job(layout).outcomes([SourceRecord(row, f"row {row}", {**base_record(layout), field: value})])
        if outcome.document is None:
            check_rejection(outcome, layout, row, field, value)
        else:
            printed[layout].append((outcome, field, expected_text(value) if field in printed_fields(layout) else ""))
    for layout, accepted in printed.items():
        resolved = job(layout).layout
        n, h_mm = len(resolved.pages), resolved.model.size_mm[1]
        pdf = tmp_path / f"{layout}.pdf"
        write_pdf(job(layout), [outcome for outcome, _, _ in accepted], pdf)
        doc = pdfium.PdfDocument(pdf)
        for i, (outcome, field, text) in enumerate(accepted):
            pages = [doc[i * n + p] for p in range(n)]
            assert squash(text) in "".join(squash(page_text(page)) for page in pages), f"{layout} {field}"
            for p, page in enumerate(pages):
                assert_glyphs_in_boxes(page, resolved.pages[p].elements, h_mm, f"{layout} {field} page {p + 1}")
