"""Every hostile string (the Big List of Naughty Strings and docgen's Japanese ones: 外字, IVS,
half-width kana with dakuten, 旧字体, very long 番地, NFD kana, lone surrogates, bidi controls, ...)
through every text field of every built-in layout: printed exactly (extracted from the PDF as the
input or its documented composition) or rejected with row, field and rule and without the value;
never an exception. The same strings also pass the readers, as JSON Lines and as CSV."""
from __future__ import annotations

import csv
import json
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from hostile import (
    LAYOUTS,
    base_record,
    check_rejection,
    corpus,
    expected_text,
    printed_fields,
    text_fields,
)
from pdfcheck import page_text, squash

from docgen import cli
from docgen.output.pdf import write_pdf
from docgen.pipeline import open_job
from docgen.records import SourceRecord, read_records

CORPUS = corpus()


def test_corpus_is_committed_and_complete() -> None:
    assert len(CORPUS) > 500
    assert any("\ud800" <= ch <= "\udfff" for s in CORPUS for ch in s)  # lone surrogates (JSON escapes)
    assert "ｶﾞｸｼｭｳ ﾀﾛｳ" in CORPUS and "か\u3099わさき　は\u309aる" in CORPUS


@pytest.mark.parametrize("layout", LAYOUTS)
def test_every_hostile_string_in_every_text_field(layout: str, tmp_path: Path) -> None:
    job = open_job(layout)
    base = base_record(layout)
    printed = printed_fields(layout)
    good, expected = [], []
    row = 0
    for field in text_fields(layout):
        for value in CORPUS:
            row += 1
            [outcome] = job.outcomes([SourceRecord(row, f"row {row}", {**base, field: value})])
            if outcome.document is None:
                check_rejection(outcome, layout, row, field, value)
            else:
                good.append(outcome)
                expected.append((row, field, expected_text(value) if field in printed else ""))
    assert good and len(good) < row  # some of each
    pdf = tmp_path / f"{layout}.pdf"
    write_pdf(job, good, pdf)
    doc = pdfium.PdfDocument(pdf)
    n = len(job.layout.pages)
    assert len(doc) == n * len(good)
    for i, (r, field, text) in enumerate(expected):
        extracted = "".join(squash(page_text(doc[i * n + p])) for p in range(n))
        assert squash(text) in extracted, f"row {r} {field}: printed text differs from the input"


def test_hostile_strings_through_the_json_lines_reader(tmp_path: Path, capsys) -> None:
    base = base_record("kouki-card")
    data = tmp_path / "hostile.jsonl"
    with data.open("w", encoding="ascii") as fh:  # json escapes everything, lone surrogates included
        for i, value in enumerate(CORPUS):
            fh.write(json.dumps({**base, "record_id": f"H{i}", "name": value, "address": value}) + "\n")
    code = cli.main(["validate", "kouki-card", str(data)])
    out, err = capsys.readouterr()
    assert code == 3 and err == ""
    assert out.splitlines()[-1].startswith(f"{len(CORPUS)} record(s) read")


def test_hostile_strings_through_the_csv_reader(tmp_path: Path) -> None:
    """Quoted as a spreadsheet would (line breaks inside cells included), each string is one record."""
    writable = [v for v in CORPUS if not any("\ud800" <= ch <= "\udfff" for ch in v)]
    base = base_record("kokuho-card")
    data = tmp_path / "hostile.csv"
    with data.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow([*base, "remarks"])
        for value in writable:
            out.writerow([*base.values(), value])
    records = list(read_records(data))
    assert len(records) == len(writable)
    for record, value in zip(records, writable):
        assert record.problems == () and record.fields["remarks"] == (value or None)
