"""外字: an insurer's table of private-use code points (profile key `gaiji:`), applied as records are read.

The expected characters are written out here, not taken from the table's loader: the sample table
(profiles/gaiji/kasou-city.yaml) says U+E001 髙, U+E002 﨑, U+E003 葛 + U+E0100, U+E004 MJ026205
(IPAmj明朝 reaches it as 邊 + U+E010A), U+E005 MJ032129 (𠮷 U+20BB7).
"""
from __future__ import annotations

import csv
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from pdfcheck import page_text, squash

from docgen import cli
from docgen.errors import LayoutError
from docgen.output.pdf import write_pdf
from docgen.paths import SAMPLES
from docgen.pipeline import open_job
from docgen.preview.raster import rasterise
from docgen.records import SourceRecord, read_records

GAIJI_SAMPLE = SAMPLES / "kokuho-gaiji.csv"
MEANS = {"\ue001": "髙", "\ue002": "\ufa11", "\ue003": "葛\U000E0100", "\ue004": "邊\U000E010A", "\ue005": "\U00020BB7"}


def _meant(value: str) -> str:
    return "".join(MEANS.get(ch, ch) for ch in value)


def _profile_with(tmp_path: Path, table: str) -> Path:
    (tmp_path / "gaiji.yaml").write_text(table, encoding="utf-8")
    profile = tmp_path / "p.yaml"
    profile.write_text(f"id: p\nscheme: kokuho\ninsurer_number: '990010'\nname: 架空市\naddress: 例題県\n"
                       f"phone: 000-000-0000\nrenewal_start: 2026-08-01\ngaiji: gaiji.yaml\n", encoding="utf-8")
    return profile


def _render(records: list[SourceRecord], pdf: Path, profile: str | Path | None = None):
    job = open_job("kokuho-card", profile)
    return write_pdf(job, job.outcomes(records), pdf)


def test_sample_records_print_what_the_table_says(tmp_path: Path) -> None:
    records = list(read_records(GAIJI_SAMPLE))
    assert all(any(ch in MEANS for ch in r.fields["name"]) for r in records), "every sample record holds 外字"
    report = _render(records, tmp_path / "g.pdf")
    assert report.rendered == len(records) == 5 and not report.rejected
    doc = pdfium.PdfDocument(tmp_path / "g.pdf")
    for i, r in enumerate(records):
        text = squash(page_text(doc[2 * i]))                  # the front of each card
        for field in ("name", "householder_name"):
            assert squash(_meant(r.fields[field])) in text, (r.fields["record_id"], field)
        assert not any("\ue000" <= ch <= "\uf8ff" for ch in text)


def test_mapped_cards_are_pixel_for_pixel_the_cards_of_the_real_characters(tmp_path: Path) -> None:
    records = list(read_records(GAIJI_SAMPLE))
    written_out = [SourceRecord(r.row, r.where, {k: v and _meant(v) for k, v in r.fields.items()}) for r in records]
    _render(records, tmp_path / "gaiji.pdf")
    _render(written_out, tmp_path / "real.pdf")
    mapped, real = rasterise(tmp_path / "gaiji.pdf", 150), rasterise(tmp_path / "real.pdf", 150)
    assert len(mapped) == len(real) == 10
    assert all(a.tobytes() == b.tobytes() for a, b in zip(mapped, real))
    # the variation sequences matter: 邊 + U+E010A (MJ026205) is not the plain 邊
    plain = [SourceRecord(r.row, r.where, {k: v and v.replace("\U000E010A", "") for k, v in r.fields.items()})
             for r in written_out]
    _render(plain, tmp_path / "plain.pdf")
    assert rasterise(tmp_path / "plain.pdf", 150)[6].tobytes() != real[6].tobytes()   # G0004's front


def test_an_unmapped_private_use_character_is_rejected_naming_the_code_point(tmp_path: Path) -> None:
    fields = next(read_records(GAIJI_SAMPLE)).fields
    record = SourceRecord(1, "row 1", {**fields, "name": "見本\ue0ff\ue001　太郎"})
    report = _render([record], tmp_path / "u.pdf")
    assert report.rendered == 0
    [problem] = report.rejected
    assert (problem.field, problem.rule) == ("name", "glyph-coverage") and "U+E0FF" in problem.detail
    assert "見本" not in str(problem) and "\ue0ff" not in str(problem)


def test_without_a_table_private_use_stays_rejected(tmp_path: Path) -> None:
    profile = _profile_with(tmp_path, "")
    profile.write_text(profile.read_text(encoding="utf-8").replace("gaiji: gaiji.yaml\n", ""), encoding="utf-8")
    report = _render([next(read_records(GAIJI_SAMPLE))], tmp_path / "n.pdf", profile)
    assert report.rendered == 0 and {p.rule for p in report.rejected} == {"glyph-coverage"}
    assert all("U+E001" in p.detail for p in report.rejected)    # 氏名 and 世帯主氏名


def test_fonts_check_reads_the_records_through_the_profiles_table(capsys) -> None:
    assert cli.main(["fonts", "check", "kokuho-card", str(GAIJI_SAMPLE)]) == 0
    assert "0 uncovered character(s)" in capsys.readouterr().out
    assert cli.main(["fonts", "check", str(GAIJI_SAMPLE)]) == 3          # no profile, no table
    assert "U+E001" in capsys.readouterr().out


# --- tables that cannot be used fail on load, naming the file and the entry ---------------------

@pytest.mark.parametrize("table, says", [
    ("gaiji:\n  U+4E00: {char: 髙}\n", "gaiji.U+4E00: the key must be a private-use code point"),
    ("gaiji:\n  E001: {char: 髙}\n", "gaiji.E001: the key must be a private-use code point"),
    ("gaiji:\n  U+E001: {char: 髙橋}\n", "gaiji.U+E001: char: expected one standard character"),
    ("gaiji:\n  U+E001: {char: \"\\ue002\"}\n", "gaiji.U+E001: char: expected one standard character"),
    ("gaiji:\n  U+E001: {ivs: U+845B}\n", "gaiji.U+E001: ivs: expected a base and a selector"),
    ("gaiji:\n  U+E001: {ivs: U+845B U+4E00}\n", "gaiji.U+E001: ivs: expected a base character and a variation selector"),
    ("gaiji:\n  U+E001: {mj: J022336}\n", "gaiji.U+E001: mj: expected an MJ文字図形名"),
    ("gaiji:\n  U+E001: {mj: MJ999999}\n", "gaiji.U+E001: mj: MJ999999 is no glyph that ipamjm.ttf reaches"),
    ("gaiji:\n  U+E001: {char: 髙, mj: MJ028902}\n", "gaiji.U+E001: expected exactly one of char, ivs, mj"),
    ("gaiji:\n  U+E001: 髙\n", "gaiji.U+E001: expected exactly one of char, ivs, mj"),
    ("U+E001: {char: 髙}\n", "expected one key 'gaiji'"),
])
def test_bad_table_fails_on_load(tmp_path: Path, table: str, says: str) -> None:
    with pytest.raises(LayoutError) as caught:
        open_job("kokuho-card", _profile_with(tmp_path, table))
    assert str(tmp_path / "gaiji.yaml") in str(caught.value) and says in str(caught.value)


def test_bad_table_is_one_docgen_line_on_the_command_line(tmp_path: Path, capsys) -> None:
    profile = _profile_with(tmp_path, "gaiji:\n  U+E001: {mj: MJ999999}\n")
    code = cli.main(["validate", "kokuho-card", str(GAIJI_SAMPLE), "--profile", str(profile)])
    err = capsys.readouterr().err
    assert code == 1 and err.startswith("docgen: ") and "MJ999999" in err and "Traceback" not in err


def test_table_missing(tmp_path: Path, capsys) -> None:
    profile = _profile_with(tmp_path, "")
    (tmp_path / "gaiji.yaml").unlink()
    assert cli.main(["validate", "kokuho-card", str(GAIJI_SAMPLE), "--profile", str(profile)]) == 1
    assert "外字 table not found" in capsys.readouterr().err


def test_output_may_not_overwrite_the_table(tmp_path: Path, capsys) -> None:
    profile = _profile_with(tmp_path, "gaiji:\n  U+E001: {char: 髙}\n")
    table = tmp_path / "gaiji.yaml"
    before = table.read_bytes()
    code = cli.main(["render", "kokuho-card", str(GAIJI_SAMPLE), "--profile", str(profile), "-o", str(table)])
    assert code == 1 and "外字 table" in capsys.readouterr().err
    assert table.read_bytes() == before


def test_csv_holds_the_private_use_characters_themselves() -> None:
    """The sample is what a 基幹 export looks like: PUA code points in the cells, nothing else odd."""
    with GAIJI_SAMPLE.open(encoding="utf-8", newline="") as fh:
        names = [row["name"] for row in csv.DictReader(fh)]
    assert {ch for name in names for ch in name if "\ue000" <= ch <= "\uf8ff"} == set(MEANS)
